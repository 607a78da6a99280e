"""What an incremental build may take from the previous index: the rows of unchanged articles.

An article's rows (its ``articles`` row, chunks, sentences with their topics, figures with their
purposes, precedents) depend only on its own input — its file's bytes, its ``metadata.csv`` row —
and on the pipeline (code version, word tables, gazetteer, embedder, settings:
:func:`layout.pipeline_key`). The build writes the key of each article's input to ``inputs.json``;
the next build reuses, as stored, the rows of every article whose key is unchanged, provided the
pipeline key is too. Statistics over the whole corpus (BM25) are never reused.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

from ..errors import SearchError
from . import layout as L
from .store import TABLES, read_rows

__all__ = ["input_key", "PreviousIndex", "write_inputs", "ARTICLE_TABLES"]

#: tables whose rows belong to one article (each has a doc_id column)
ARTICLE_TABLES = ("articles", "chunks", "sentences", "figures", "precedents")


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


#: table → the matrix of the previous index holding its rows' passage vectors (by "row")
_MATRICES = {"chunks": L.VECTORS, "sentences": L.SENTENCE_VECTORS, "precedents": L.PRECEDENT_VECTORS}


class PreviousIndex:
    """The rows of the previous index, by article, for those whose input key is unchanged, and its
    vector matrices (the passage vectors of those rows, which need not be read from the cache)."""

    def __init__(self, keys: dict[str, str], rows: dict[str, dict[str, list[tuple]]],
                 folder: Path | None = None, counts: dict[str, int] | None = None):
        self._keys = keys
        self._rows = rows
        self._folder = folder
        self._counts = counts or {}

    @classmethod
    def empty(cls) -> PreviousIndex:
        return cls({}, {})

    def matrix(self, table: str) -> np.ndarray | None:
        """The previous index's vectors of ``table`` (indexed by the stored ``row``), or None when
        they cannot be read or do not match its store."""
        if self._folder is None or not self._rows:
            return None
        try:
            if table == "chunks":
                from ..retrieval.vectors import VectorIndex

                vindex = VectorIndex.load(self._folder / _MATRICES[table])
                m = np.array(vindex.vectors)  # a copy: the view lives only as long as the index
            else:
                m = np.load(self._folder / _MATRICES[table], mmap_mode="r", allow_pickle=False)
        except (OSError, ValueError, SearchError):
            return None
        return m if m.ndim == 2 and len(m) == self._counts.get(table) else None

    @classmethod
    def open(cls, index_dir: Path, pipeline: str, wanted: dict[str, str]) -> PreviousIndex:
        """Rows of the index at ``index_dir`` for the articles of ``wanted`` ({doc_id: input key})
        whose key it was built with; nothing when it was built by another pipeline, or cannot be
        read (a broken index is rebuilt, not an obstacle)."""
        try:
            raw = json.loads((index_dir / L.INPUTS).read_text(encoding="utf-8"))
            if raw.get("pipeline") != pipeline or L.existing_manifest(index_dir) is None:
                return cls.empty()
            keys = {d: k for d, k in raw["articles"].items() if wanted.get(d) == k}
            if not keys:
                return cls.empty()
            rows: dict[str, dict[str, list[tuple]]] = {d: {t: [] for t in ARTICLE_TABLES} for d in keys}
            counts = {}
            for table in ARTICLE_TABLES:
                at = [c for c, _ in TABLES[table]].index("doc_id")
                stored = read_rows(index_dir / L.STORE, table)
                counts[table] = len(stored)
                for r in stored:
                    doc = rows.get(r[at])
                    if doc is not None:
                        doc[table].append(r)
        except (OSError, ValueError, KeyError, AttributeError, SearchError):
            return cls.empty()
        # an article the store does not hold after all is simply recomputed
        return cls({d: k for d, k in keys.items() if len(rows[d]["articles"]) == 1},
                   {d: r for d, r in rows.items() if len(r["articles"]) == 1}, index_dir, counts)

    def rows(self, doc_id: str) -> dict[str, list[tuple]] | None:
        return self._rows.get(doc_id)

    def __len__(self) -> int:
        return len(self._rows)
