"""One SQLite file holding articles, chunks, figures and precedents: tables a researcher can open with
pandas (``pd.read_sql("select * from chunks_meta", sqlite3.connect("index/store.sqlite"))``).

List-valued columns (directives, flags, figures of a precedent …) are stored as JSON text
(UTF-8, not escaped) and come back as Python lists.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from ..errors import IndexCorruptError

__all__ = ["TABLES", "write_store", "write_rows", "read_rows", "encode_row", "read_table", "read_chunk_rows",
           "StoreWriter"]

# name → ordered (column, sqlite type); "JSON" columns hold lists/dicts
TABLES: dict[str, list[tuple[str, str]]] = {
    "articles": [
        ("doc_id", "TEXT PRIMARY KEY"), ("title", "TEXT"), ("locality", "TEXT"),
        ("locality_level", "TEXT"), ("district", "TEXT"), ("province", "TEXT"),
        ("locality_new", "TEXT"), ("province_new", "TEXT"), ("directives", "JSON"),
        ("period", "TEXT"), ("period_start", "INTEGER"), ("period_end", "INTEGER"),
        ("period_years", "INTEGER"), ("date", "TEXT"), ("author", "TEXT"), ("source", "TEXT"),
        ("url", "TEXT"), ("outlet", "TEXT"), ("flags", "JSON"), ("path", "TEXT"), ("n_chars", "INTEGER"), ("n_chunks", "INTEGER"),
        ("text", "TEXT"),
    ],
    "chunks": [
        ("chunk_id", "TEXT PRIMARY KEY"), ("row", "INTEGER"), ("doc_id", "TEXT"),
        ("ordinal", "INTEGER"), ("start", "INTEGER"), ("end", "INTEGER"), ("n_tokens", "INTEGER"),
        ("text", "TEXT"),
    ],
    "sentences": [
        ("sentence_id", "TEXT PRIMARY KEY"), ("row", "INTEGER"), ("doc_id", "TEXT"),
        ("chunk_id", "TEXT"), ("start", "INTEGER"), ("end", "INTEGER"), ("purpose", "TEXT"),
        ("text", "TEXT"),
    ],
    "figures": [
        ("figure_id", "TEXT PRIMARY KEY"), ("doc_id", "TEXT"), ("chunk_id", "TEXT"),
        ("locality", "TEXT"), ("province", "TEXT"), ("kind", "TEXT"), ("value", "REAL"),
        ("amount_vnd", "INTEGER"), ("amount_max_vnd", "INTEGER"), ("unit", "TEXT"),
        ("category", "TEXT"), ("per", "TEXT"), ("qualifier", "TEXT"), ("qualifier_vi", "TEXT"),
        ("total", "INTEGER"), ("display", "TEXT"), ("purpose", "TEXT"),
        ("expression", "TEXT"), ("start", "INTEGER"), ("end", "INTEGER"), ("sentence", "TEXT"),
        ("sentence_start", "INTEGER"), ("sentence_end", "INTEGER"),
    ],
    "precedents": [
        ("precedent_id", "TEXT PRIMARY KEY"), ("row", "INTEGER"), ("doc_id", "TEXT"),
        ("chunk_id", "TEXT"), ("name", "TEXT"), ("kind", "TEXT"), ("actor", "TEXT"),
        ("sublocality", "TEXT"), ("locality", "TEXT"), ("province", "TEXT"), ("period", "TEXT"),
        ("figures", "JSON"), ("text", "TEXT"), ("start", "INTEGER"), ("end", "INTEGER"),
        ("quoted", "INTEGER"), ("confidence", "REAL"),
    ],
}

# chunks with the metadata of their article carried along
_CHUNKS_META_SELECT = """
        SELECT c.chunk_id, c.row, c.doc_id, c.ordinal, c.start, c."end", c.n_tokens, c.text,
               a.title, a.locality, a.locality_level, a.district, a.province, a.province_new,
               a.directives, a.period, a.period_start, a.period_end, a.date, a.source,
               a.author, a.outlet, a.url
        FROM chunks c JOIN articles a USING (doc_id)"""

_VIEWS = {
    # spelled as the view always was: the SQL stored in sqlite_master, so the store's bytes, stay the same
    "chunks_meta": "\n        CREATE VIEW chunks_meta AS" + _CHUNKS_META_SELECT + " ORDER BY c.row\n    ",
}


def _encode(value, kind: str):
    if kind == "JSON":
        return json.dumps(value if value is not None else [], ensure_ascii=False)
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value


def encode_row(name: str, values: dict) -> tuple:
    """One row of table ``name`` as SQLite stores it (JSON columns as text), from a dict by column."""
    return tuple(_encode(values.get(c), t) for c, t in TABLES[name])


def write_store(path: str | Path, tables: dict[str, pd.DataFrame]) -> None:
    """Write every table of ``TABLES`` (missing ones empty) to a new SQLite file at ``path``."""
    rows: dict[str, list[tuple]] = {}
    for name, columns in TABLES.items():
        df = tables.get(name)
        if df is None or df.empty:
            continue
        names = [c for c, _ in columns]
        missing = [c for c in names if c not in df.columns]
        if missing:
            raise ValueError(f"table {name}: missing columns {missing}")
        rows[name] = [tuple(_encode(v, t) for v, (_, t) in zip(rec, columns))
                      for rec in df[names].itertuples(index=False, name=None)]
    write_rows(path, rows)


def write_rows(path: str | Path, tables: dict[str, list[tuple]]) -> None:
    """Write every table of ``TABLES`` from encoded rows (:func:`encode_row`, :func:`read_rows`),
    in the order given, to a new SQLite file at ``path``."""
    with StoreWriter(path) as out:
        for name, rows in tables.items():
            out.add(name, rows)


class StoreWriter:
    """A new store file written in order: encoded rows (``add``) and runs of rows copied as they
    are from another store file (``copy``: an incremental build's unchanged articles), each table's
    rows in the order they are given. ``close`` (or leaving the ``with`` block) adds the views."""

    def __init__(self, path: str | Path, source: str | Path | None = None):
        path = Path(path)
        if path.exists():
            path.unlink()
        self._con = sqlite3.connect(path)
        for name, columns in TABLES.items():
            cols_sql = ", ".join(f'"{c}" {t.replace("JSON", "TEXT")}' for c, t in columns)
            self._con.execute(f'CREATE TABLE "{name}" ({cols_sql})')
        if source is not None:
            self._con.execute("ATTACH DATABASE ? AS source", (f"file:{Path(source)}?mode=ro",))

    def add(self, name: str, rows: list[tuple]) -> None:
        if rows:
            marks = ", ".join("?" for _ in TABLES[name])
            self._con.executemany(f'INSERT INTO main."{name}" VALUES ({marks})', rows)

    def copy(self, name: str, first_rowid: int, count: int, shift: int = 0) -> None:
        """Rows ``first_rowid`` … of table ``name`` of the source file, in order, with their
        ``row`` column (if any) increased by ``shift``."""
        if count <= 0:
            return
        cols = ", ".join('"row" + ?' if c == "row" else f'"{c}"' for c, _ in TABLES[name])
        params: list[int] = ([shift] if "row" in dict(TABLES[name]) else []) + [first_rowid, first_rowid + count - 1]
        self._con.execute(f'INSERT INTO main."{name}" SELECT {cols} FROM source."{name}" '
                          "WHERE rowid BETWEEN ? AND ? ORDER BY rowid", params)

    def execute(self, sql: str, params=()) -> None:
        self._con.execute(sql, params)

    def executemany(self, sql: str, rows) -> None:
        self._con.executemany(sql, rows)

    def close(self) -> None:
        try:
            for sql in _VIEWS.values():
                self._con.execute(sql)
            self._con.commit()
        finally:
            self._con.close()

    def __enter__(self) -> StoreWriter:
        return self

    def __exit__(self, kind, *exc) -> None:
        if kind is None:
            self.close()
        else:
            self._con.close()


def read_rows(path: str | Path, name: str) -> list[tuple]:
    """Rows of table ``name`` as stored (columns in ``TABLES`` order, JSON as text), in file order;
    IndexCorruptError when the file or the table cannot be read."""
    cols = ", ".join(f'"{c}"' for c, _ in TABLES[name])
    try:
        con = sqlite3.connect(f"file:{Path(path)}?mode=ro", uri=True)
        try:
            return con.execute(f'SELECT {cols} FROM "{name}" ORDER BY rowid').fetchall()
        finally:
            con.close()
    except sqlite3.Error as exc:
        raise IndexCorruptError(f"{path}: cannot read table {name!r} ({exc})") from None


def _query(path: str | Path, name: str, sql: str, params: Sequence = ()) -> pd.DataFrame:
    try:
        con = sqlite3.connect(f"file:{Path(path)}?mode=ro", uri=True)
        try:
            return pd.read_sql_query(sql, con, params=list(params))
        finally:
            con.close()
    except (sqlite3.Error, pd.errors.DatabaseError) as exc:
        raise IndexCorruptError(f"{path}: cannot read table {name!r} ({exc})") from None


def read_table(path: str | Path, name: str) -> pd.DataFrame:
    """A table (or view) as a DataFrame with JSON columns decoded."""
    return _decoded(_query(path, name, f'SELECT * FROM "{name}"'), name)


def read_chunk_rows(path: str | Path, rows: Sequence[int]) -> pd.DataFrame | None:
    """Rows ``rows`` (0-based row numbers, in that order) of ``chunks_meta``, read by rowid — what
    one search shows, without reading the 74k chunks of a 10k-article index. None when the
    table's rowids do not follow its row numbers (then read the whole view)."""
    rows = [int(r) for r in rows]
    if not rows:
        return _decoded(_query(path, "chunks_meta", "SELECT * FROM chunks_meta LIMIT 0"), "chunks_meta")
    marks = ",".join("?" * len(rows))
    df = _query(path, "chunks_meta", f"{_CHUNKS_META_SELECT} WHERE c.rowid IN ({marks})", [r + 1 for r in rows])
    by_row = {int(r): i for i, r in enumerate(df["row"])}
    if sorted(by_row) != sorted(set(rows)):
        return None
    df = _decoded(df.iloc[[by_row[r] for r in rows]].reset_index(drop=True), "chunks_meta")
    # the column types of the whole view: a text column empty in these rows but not in the table
    # is read as strings there (missing = NaN), not as objects (None)
    empty = [c for c, kind in TABLES["articles"] if kind.startswith("TEXT") and c in df.columns
             and df[c].dtype == object and df[c].isna().all()]
    for col in empty:
        filled = _query(path, "articles", f'SELECT 1 FROM articles WHERE "{col}" IS NOT NULL LIMIT 1')
        if len(filled):
            df[col] = df[col].astype("str")
    return df


def _decoded(df: pd.DataFrame, name: str) -> pd.DataFrame:
    columns = TABLES.get(name, TABLES["articles"] + TABLES["chunks"] if name == "chunks_meta" else [])
    json_cols = {c for c, t in columns if t == "JSON"}
    for col in json_cols & set(df.columns):
        df[col] = [json.loads(v) if isinstance(v, str) and v else [] for v in df[col]]
    # whole numbers stay whole: a column with a missing value would otherwise turn to floats
    # (6200000000.0 đồng); pandas' nullable integer keeps 6200000000 and <NA>
    for col, kind in columns:
        if kind.startswith("INTEGER") and col in df.columns and df[col].dtype != "int64":
            df[col] = df[col].astype("Int64")
    return df
