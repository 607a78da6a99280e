"""What an incremental build may take from the previous index: the rows of unchanged articles.

An article's rows (its ``articles`` row, chunks, sentences with their topics, figures with their
purposes, precedents) depend only on its own input — its file's bytes, its ``metadata.csv`` row —
and on the pipeline (code version, word tables, gazetteer, embedder, settings:
:func:`layout.pipeline_key`). The build writes the key of each article's input to ``inputs.json``;
the next build reuses, as stored, the rows of every article whose key is unchanged, provided the
pipeline key is too. Statistics over the whole corpus (BM25) are never reused.

The rows are not read into Python: the previous store keeps each article's rows together (a build
writes them article by article), so :class:`PreviousIndex` only learns where each unchanged
article's rows are (a rowid range per table, and the range of its ``row`` numbers, which index the
vector matrices) and the new store copies them in SQL (``store.StoreWriter.copy``).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import SearchError
from . import layout as L
from .store import TABLES

__all__ = ["input_key", "PreviousIndex", "Span", "write_inputs", "write_signatures", "ARTICLE_TABLES",
           "NUMBERED"]

#: tables whose rows belong to one article (each has a doc_id column)
ARTICLE_TABLES = ("articles", "chunks", "sentences", "figures", "precedents")
#: tables whose "row" column is the row of a vector matrix
NUMBERED = ("chunks", "sentences", "precedents")
#: table → the matrix of the previous index holding its rows' passage vectors (by "row")
_MATRICES = {"chunks": L.VECTORS, "sentences": L.SENTENCE_VECTORS, "precedents": L.PRECEDENT_VECTORS}


def input_key(path: Path, data: bytes, row: dict | None) -> str:
    """Key of one article's input: its file name and bytes and its metadata.csv corrections."""
    h = hashlib.sha256()
    h.update(path.name.encode("utf-8") + b"\0")
    h.update(data)
    h.update(b"\0" + json.dumps(row or {}, sort_keys=True, ensure_ascii=False, default=str).encode("utf-8"))
    return h.hexdigest()[:32]


def write_inputs(folder: Path, pipeline: str, keys: dict[str, str]) -> None:
    text = json.dumps({"pipeline": pipeline, "articles": keys}, ensure_ascii=False, indent=1,
                      sort_keys=True)
    (folder / L.INPUTS).write_text(text + "\n", encoding="utf-8")


def write_signatures(folder: Path, signatures: list) -> None:
    """The articles' duplicate signatures (``ingest.duplicates.Signature``, in index order) as one
    uint64 matrix: 4 words of the exact hash, the word count, then the MinHash. A later build reads
    them back instead of reading and hashing every unchanged article again."""
    from ..ingest.duplicates import N_HASHES

    m = np.zeros((len(signatures), 5 + N_HASHES), dtype=np.uint64)
    for i, sig in enumerate(signatures):
        m[i, :4] = np.frombuffer(bytes.fromhex(sig.exact), dtype=">u8")
        m[i, 4] = sig.n_words
        m[i, 5:] = sig.minhash
    np.save(folder / L.SIGNATURES, m, allow_pickle=False)


@dataclass(frozen=True)
class Span:
    """Where one article's rows are in the previous store, per table: (first rowid, count), and
    for the numbered tables the first ``row`` (its rows are numbered consecutively from it)."""

    rowids: dict[str, tuple[int, int]]
    first_row: dict[str, int]

    def count(self, table: str) -> int:
        return self.rowids[table][1]


class PreviousIndex:
    """Where the rows of the unchanged articles are in the previous index, and its matrices."""

    def __init__(self, spans: dict[str, Span], folder: Path | None = None,
                 counts: dict[str, int] | None = None):
        self._spans = spans
        self.folder = folder
        self._counts = counts or {}

    @classmethod
    def empty(cls) -> PreviousIndex:
        return cls({})

    @property
    def store(self) -> Path | None:
        return self.folder / L.STORE if self.folder is not None and self._spans else None

    @classmethod
    def open(cls, index_dir: Path, pipeline: str, wanted: dict[str, str]) -> PreviousIndex:
        """The previous index at ``index_dir``, for the articles of ``wanted`` ({doc_id: input
        key}) whose key it was built with; nothing when it was built by another pipeline, or cannot
        be read (a broken index is rebuilt, not an obstacle)."""
        try:
            raw = json.loads((index_dir / L.INPUTS).read_text(encoding="utf-8"))
            if raw.get("pipeline") != pipeline or L.existing_manifest(index_dir) is None:
                return cls.empty()
            keep = {d for d, k in raw["articles"].items() if wanted.get(d) == k}
            if not keep:
                return cls.empty()
            found, counts = _spans(index_dir / L.STORE, keep)
        except (OSError, ValueError, KeyError, AttributeError, SearchError, sqlite3.Error):
            return cls.empty()
        return cls(found, index_dir, counts)

    def span(self, doc_id: str) -> Span | None:
        return self._spans.get(doc_id)

    def __len__(self) -> int:
        return len(self._spans)

    def chunks(self) -> dict[str, tuple[str, list[tuple[str, int]]]]:
        """{doc_id: (title, [(chunk text, start), …])} of the reused articles."""
        assert self.store is not None
        out: dict[str, tuple[str, list[tuple[str, int]]]] = {}
        con = _connect(self.store)
        try:
            for doc_id, title in con.execute('SELECT doc_id, title FROM "articles"'):
                if doc_id in self._spans:
                    out[doc_id] = (title or "", [])
            for doc_id, text, start in con.execute(
                    'SELECT doc_id, text, "start" FROM "chunks" ORDER BY rowid'):
                if doc_id in out:
                    out[doc_id][1].append((text, start))
        finally:
            con.close()
        return out

    def texts(self, table: str, doc_id: str) -> list[str]:
        """The ``text`` column of one reused article's rows of ``table``, in order."""
        assert self.store is not None
        first, n = self._spans[doc_id].rowids[table]
        con = _connect(self.store)
        try:
            return [t for (t,) in con.execute(f'SELECT text FROM "{table}" WHERE rowid BETWEEN ? AND ? '
                                              "ORDER BY rowid", (first, first + n - 1))]
        finally:
            con.close()

    def texts_by_doc(self, table: str) -> dict[str, list[str]]:
        """{doc_id: [text, …]} of the reused articles' rows of ``table``, in order (one scan)."""
        assert self.store is not None
        out: dict[str, list[str]] = {d: [] for d in self._spans}
        con = _connect(self.store)
        try:
            for doc_id, text in con.execute(f'SELECT doc_id, text FROM "{table}" ORDER BY rowid'):
                if doc_id in out:
                    out[doc_id].append(text)
        finally:
            con.close()
        return out

    def flags(self) -> dict[str, list[str]]:
        """{doc_id: flags} of the reused articles as stored."""
        assert self.store is not None
        con = _connect(self.store)
        try:
            rows = con.execute('SELECT doc_id, flags FROM "articles"').fetchall()
        finally:
            con.close()
        return {d: json.loads(f) if f else [] for d, f in rows if d in self._spans}

    def signatures(self) -> dict:
        """{doc_id: Signature} of the reused articles, from the previous index's signatures.npy
        (empty when it is missing or does not match its store: those articles are recomputed)."""
        from ..ingest.duplicates import N_HASHES, Signature

        if self.folder is None or not self._spans:
            return {}
        con = _connect(self.folder / L.STORE)
        try:
            order = [d for (d,) in con.execute('SELECT doc_id FROM "articles" ORDER BY rowid')]
        except sqlite3.Error:
            return {}
        finally:
            con.close()
        try:
            m = np.load(self.folder / L.SIGNATURES, allow_pickle=False)
        except (OSError, ValueError):
            return {}
        if m.dtype != np.uint64 or m.shape != (len(order), 5 + N_HASHES):
            return {}
        out = {}
        for i, d in enumerate(order):
            if d in self._spans:
                exact = m[i, :4].astype(">u8").tobytes().hex()
                out[d] = Signature(exact, m[i, 5:].copy(), int(m[i, 4]))
        return out

    def matrix(self, table: str) -> np.ndarray | None:
        """The previous index's vectors of ``table`` (indexed by the stored ``row``), or None when
        they cannot be read or do not match its store."""
        if self.folder is None or not self._spans:
            return None
        try:
            if table == "chunks":
                from ..retrieval.vectors import VectorIndex

                vindex = VectorIndex.load(self.folder / _MATRICES[table])
                m = np.array(vindex.vectors)  # a copy: the view lives only as long as the index
            else:
                m = np.load(self.folder / _MATRICES[table], mmap_mode="r", allow_pickle=False)
        except (OSError, ValueError, SearchError):
            return None
        return m if m.ndim == 2 and len(m) == self._counts.get(table) else None


def _connect(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True)


def _spans(store: Path, keep: set[str]) -> tuple[dict[str, Span], dict[str, int]]:
    """Rowid and row ranges of the articles of ``keep`` in ``store`` (one scan of each table); an
    article whose rows are not contiguous is left out (recomputed)."""
    rowids: dict[str, dict[str, tuple[int, int]]] = {d: {} for d in keep}
    rows: dict[str, dict[str, int]] = {d: {} for d in keep}
    counts: dict[str, int] = {}
    bad: set[str] = set()
    con = _connect(store)
    try:
        for table in ARTICLE_TABLES:
            # a store written with other columns (a table changed without a PIPELINE_VERSION bump)
            # cannot be copied from: nothing is reused
            columns = [r[1] for r in con.execute(f'PRAGMA table_info("{table}")')]
            if columns != [c for c, _ in TABLES[table]]:
                return {}, {}
            numbered = table in NUMBERED and "row" in dict(TABLES[table])
            extra = ', MIN("row"), MAX("row")' if numbered else ""
            counts[table] = con.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]
            for doc_id, lo, hi, n, *r in con.execute(
                    f'SELECT doc_id, MIN(rowid), MAX(rowid), COUNT(*){extra} FROM "{table}" GROUP BY doc_id'):
                if doc_id not in rowids:
                    continue
                if hi - lo + 1 != n or (numbered and r[1] - r[0] + 1 != n):
                    bad.add(doc_id)
                    continue
                rowids[doc_id][table] = (lo, n)
                if numbered:
                    rows[doc_id][table] = r[0]
    finally:
        con.close()
    spans = {}
    for d in keep - bad:
        if d not in rowids or rowids[d].get("articles", (0, 0))[1] != 1:
            continue  # the store does not hold it after all: recomputed
        ids = {t: rowids[d].get(t, (0, 0)) for t in ARTICLE_TABLES}
        spans[d] = Span(ids, {t: rows[d].get(t, 0) for t in NUMBERED})
    return spans, counts
