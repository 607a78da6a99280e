"""Dense vector index over FAISS: exact inner product, or HNSW for large collections.

Rows are positions 0..n-1 in the order vectors were given; the caller maps rows to chunk ids.
Vectors are expected L2-normalised, so inner product = cosine similarity.

Exact search is a matrix-vector product over the vectors held by the FAISS ``IndexFlatIP`` (a
zero-copy numpy view): numpy's BLAS uses every core for one query, while FAISS searches a
single query on one thread (100k x 384: 7.5 ms against 14 ms, see docs/benchmarks.md), and a
filter is then a plain mask. The FAISS index remains the container and the file format.

HNSW (``IndexHNSWFlat``, inner-product metric) is built with fixed parameters; FAISS >= 1.15
builds the graph deterministically whatever the number of threads (checked: identical bytes
with 1, 2, 4 and 8 threads), so the same vectors always give the same file.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from ..errors import IndexCorruptError, IndexNotFoundError, QueryError
from ..validation import check_k

__all__ = ["VectorIndex", "HNSW_THRESHOLD"]

#: from this many vectors, kind="auto" builds HNSW (below, exact search takes < 4 ms per query)
HNSW_THRESHOLD = 50_000
#: a filter admitting less than this fraction of rows is searched exactly: a graph walk that must
#: skip most nodes loses recall, and masking all scores costs no more than an unfiltered exact search
HNSW_FILTER_MIN_FRACTION = 0.3


def _faiss():
    import faiss  # imported lazily: `import search.vectors` stays cheap for callers that only type-check

    return faiss


def _as_matrix(x, dim: int | None, what: str) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    if x.ndim == 1:
        x = x[None, :]
    if x.ndim != 2 or (dim is not None and x.shape[1] != dim):
        want = f"(m, {dim})" if dim is not None else "(n, dim)"
        raise QueryError(f"{what} must have shape {want}, got {x.shape}")
    if not np.isfinite(x).all():
        raise QueryError(f"{what} contain NaN or infinite values")
    return np.ascontiguousarray(x)


def _top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Rows of the ``k`` highest scores, best first, ties broken by row (deterministic)."""
    n = len(scores)
    if k >= n:
        cand = np.arange(n)
    else:
        part = np.argpartition(-scores, k - 1)[:k]
        cut = scores[part].min()
        above = np.flatnonzero(scores > cut)
        cand = np.concatenate([above, np.flatnonzero(scores == cut)[: k - len(above)]])
    return cand[np.lexsort((cand, -scores[cand]))]


class VectorIndex:
    """FAISS index of L2-normalised vectors; ``search`` returns (scores, rows), best first."""

    def __init__(self, index, *, ef_search: int = 256):
        faiss = _faiss()
        self._index = index
        self.ef_search = int(ef_search)
        if isinstance(index, faiss.IndexHNSWFlat):
            self.kind = "hnsw"
            flat = faiss.downcast_index(index.storage)
        elif isinstance(index, faiss.IndexFlat):
            self.kind = "exact"
            flat = index
        else:
            raise IndexCorruptError(f"unsupported FAISS index type {type(index).__name__}")
        if index.metric_type != faiss.METRIC_INNER_PRODUCT:
            raise IndexCorruptError("vector index does not use the inner-product metric")
        n, d = index.ntotal, index.d
        # zero-copy view of the stored vectors (lives as long as self._index)
        self._xb = (faiss.rev_swig_ptr(flat.get_xb(), n * d).reshape(n, d) if n
                    else np.zeros((0, d), np.float32))

    # -- building -------------------------------------------------------------------------
    @classmethod
    def build(cls, vectors: np.ndarray, kind: str = "auto", *, hnsw_threshold: int = HNSW_THRESHOLD,
              m: int = 32, ef_construction: int = 80, ef_search: int = 256) -> VectorIndex:
        """Index ``vectors`` (n, dim); ``kind`` is "exact", "hnsw" or "auto" (hnsw from ``hnsw_threshold``)."""
        faiss = _faiss()
        x = _as_matrix(vectors, None, "vectors")
        n, d = x.shape
        if kind not in ("auto", "exact", "hnsw"):
            raise QueryError(f"unknown vector index kind {kind!r} (expected auto, exact or hnsw)")
        if kind == "auto":
            kind = "hnsw" if n >= hnsw_threshold else "exact"
        if kind == "hnsw":
            index = faiss.IndexHNSWFlat(d, m, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = ef_construction
            index.hnsw.efSearch = ef_search
        else:
            index = faiss.IndexFlatIP(d)
        if n:
            index.add(x)  # one call: the HNSW graph is a function of the vectors and their order
        return cls(index, ef_search=ef_search)

    @property
    def dim(self) -> int:
        return self._index.d

    def __len__(self) -> int:
        return self._index.ntotal

    @property
    def vectors(self) -> np.ndarray:
        """The stored vectors, (n, dim) float32, read-only view: e.g. to score given rows."""
        v = self._xb.view()
        v.flags.writeable = False
        return v

    # -- searching ------------------------------------------------------------------------
    def search(self, queries: np.ndarray, k: int, allowed: np.ndarray | None = None
               ) -> tuple[np.ndarray, np.ndarray]:
        """Top ``k`` rows per query: (scores (m, k'), rows (m, k') int64), best first.

        ``k' = min(k, number of candidate rows)``. ``allowed`` (bool, one per row) restricts the
        search; it always returns the best ``k'`` allowed rows however few the filter admits.
        """
        q = _as_matrix(queries, self.dim, "queries")
        k = check_k(k)
        n = len(self)
        cand = None
        if allowed is not None:
            allowed = np.asarray(allowed)
            if allowed.dtype != bool or allowed.shape != (n,):
                raise QueryError(f"allowed must be a bool array of length {n}")
            cand = np.flatnonzero(allowed)
        n_cand = n if cand is None else len(cand)
        kk = min(k, n_cand)
        scores = np.zeros((len(q), kk), np.float32)
        rows = np.zeros((len(q), kk), np.int64)
        if kk == 0:
            return scores, rows
        if self.kind == "hnsw" and n_cand >= HNSW_FILTER_MIN_FRACTION * n:
            s, r, ok = self._search_hnsw(q, kk, allowed, n_cand / n)
        else:
            s, r, ok = None, None, np.zeros(len(q), bool)
        for i in range(len(q)):
            if ok[i]:
                scores[i], rows[i] = s[i], r[i]
            else:  # exact (or HNSW came back short): brute force over the candidates
                scores[i], rows[i] = self._search_exact(q[i], kk, cand)
        return scores, rows

    def _search_exact(self, q: np.ndarray, k: int, cand: np.ndarray | None):
        if cand is None:
            s = self._xb @ q
            top = _top_k(s, k)
            return s[top], top
        if len(cand) * 4 < len(self._xb):  # few rows: gather them
            s = self._xb[cand] @ q
            top = _top_k(s, k)
            return s[top], cand[top]
        s = self._xb @ q  # many rows: one pass over everything, then mask
        s_c = s[cand]
        top = _top_k(s_c, k)
        return s_c[top], cand[top]

    def _search_hnsw(self, q: np.ndarray, k: int, allowed: np.ndarray | None, fraction: float):
        faiss = _faiss()
        # a filter skips nodes during the walk: widen the beam in proportion
        ef = max(int(np.ceil(self.ef_search / fraction)), k)
        params = faiss.SearchParametersHNSW(efSearch=ef)
        bitmap = None
        if allowed is not None:
            bitmap = np.packbits(allowed, bitorder="little")  # FAISS' bit order; kept alive below
            params.sel = faiss.IDSelectorBitmap(len(allowed), faiss.swig_ptr(bitmap))
        d, i = self._index.search(q, k, params=params)
        del bitmap
        ok = (i >= 0).all(axis=1)
        # same order as exact search: best first, ties by row
        for r in range(len(q)):
            if ok[r]:
                o = np.lexsort((i[r], -d[r]))
                d[r], i[r] = d[r][o], i[r][o]
        return d, i, ok

    # -- storage --------------------------------------------------------------------------
    def save(self, path: str | os.PathLike) -> None:
        """Write the index to one file (FAISS format; written to a temporary name, then renamed)."""
        faiss = _faiss()
        path = Path(path)
        tmp = path.with_name(path.name + ".tmp")
        faiss.write_index(self._index, str(tmp))
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: str | os.PathLike, *, ef_search: int = 256) -> VectorIndex:
        faiss = _faiss()
        path = Path(path)
        if not path.is_file():
            raise IndexNotFoundError(f"no vector index at {path}")
        try:
            index = faiss.read_index(str(path))
        except RuntimeError as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else "unreadable"
            raise IndexCorruptError(f"vector index {path} is unreadable: {first}") from None
        return cls(index, ef_search=ef_search)  # read_index already returns the concrete class
