"""An opened index: tables as DataFrames, hybrid search, answers by place, figures, precedents."""

from __future__ import annotations

import os
import re
import warnings
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import (
    EmbedderMismatchError,
    IndexCorruptError,
    IndexNotFoundError,
    QueryError,
    SearchIndexError,
    StaleIndexError,
    StaleIndexWarning,
)
from ..indexing import layout as L
from ..indexing.chunking import ChunkSettings
from ..indexing.store import read_table
from ..retrieval.filters import matching_doc_ids, parse_where
from ..retrieval.ranking import DEFAULT_RANKING, METHODS, RankingSettings, fuse, lexical_weight
from ..text.normalize import fold, normalize_line
from ..text.segment import sentence_spans
from ..validation import check_k, check_text

__all__ = ["Index", "open_index", "SEARCH_COLUMNS", "StaleIndexWarning", "METHODS", "snippet"]

SEARCH_COLUMNS = ["rank", "score", "chunk_id", "doc_id", "title", "locality", "province", "text",
                  "snippet", "start", "end", "dense_score", "lexical_score"]


def _recover(path: Path) -> None:
    """Finish a swap that was interrupted between its two renames (see build._swap_in)."""
    if path.exists():
        return
    olds = sorted(path.parent.glob(f"{path.name}.old-*"))
    if olds:
        os.rename(olds[-1], path)


def open_index(path: str | os.PathLike = "index", *, embedder: str | None = None,
               corpus: str | os.PathLike | None = None, strict: bool = False,
               check_stale: bool = True) -> Index:
    """Open the index folder at ``path``.

    ``embedder``: the embedder you expect (a name, or an ``Embedder`` to query with); an index
    built with another one is an error.
    ``corpus``: the corpus folder to check freshness against (default: the one it was built from).
    ``strict``: raise :class:`StaleIndexError` when the index is older than the corpus or pipeline;
    otherwise ``idx.stale`` is True and a :class:`StaleIndexWarning` is issued.
    """
    return Index(path, embedder=embedder, corpus=corpus, strict=strict, check_stale=check_stale)


class Index:
    def __init__(self, path="index", *, embedder=None, corpus=None, strict=False, check_stale=True):
        self.path = Path(path)
        _recover(self.path)
        if not self.path.is_dir():
            raise IndexNotFoundError(f"{self.path}: no index here; build one with `search build`")
        manifest = L.read_manifest(self.path)
        for name in (L.STORE, L.VECTORS, L.LEXICAL):
            if not (self.path / name).exists():
                raise IndexCorruptError(f"{self.path}: {name} is missing; rebuild with `search build --force`")
        self.manifest = manifest
        self.embedder_spec = manifest["embedder"].get("spec")
        if embedder is not None:
            from ..retrieval.embedders import Embedder, get_embedder

            wanted = embedder if isinstance(embedder, Embedder) else get_embedder(embedder)
            if wanted.id != manifest["embedder"]["id"]:
                raise EmbedderMismatchError(
                    f"{self.path} was built with embedder {manifest['embedder']['id']}, not {wanted.id}; "
                    f"rebuild with `search build --embedder {embedder}` or open it without --embedder")
            self._embedder = wanted
        self.corpus_dir = Path(corpus) if corpus is not None else (
            self.path.resolve().parent / manifest["corpus"]["path"])
        self.stale: bool | None = None
        if check_stale:
            self.stale = self._is_stale()
            if self.stale:
                msg = (f"index {self.path} is older than {self.corpus_dir} or the pipeline code; "
                       f"run `search build` to refresh it")
                if strict:
                    raise StaleIndexError(msg)
                warnings.warn(msg, StaleIndexWarning, stacklevel=3)

    # ----------------------------------------------------------------- freshness
    def _is_stale(self) -> bool | None:
        if not self.corpus_dir.is_dir():
            return None  # shipped without its corpus: cannot tell
        try:
            chunking = ChunkSettings(**self.manifest["chunking"])
        except TypeError:
            raise IndexCorruptError(f"{self.path / L.MANIFEST}: unknown chunking settings "
                                    f"{self.manifest['chunking']!r}") from None
        kind = (self.manifest.get("settings") or {}).get("vectors", "auto")
        current = L.fingerprint(self.corpus_dir, self.manifest["embedder"]["id"], chunking, kind)
        return current != self.manifest["fingerprint"]

    # ----------------------------------------------------------------- tables
    def _table(self, name: str) -> pd.DataFrame:
        return read_table(self.path / L.STORE, name)

    @cached_property
    def articles(self) -> pd.DataFrame:
        """One row per article: doc_id, title, locality, locality_level, province, directives, period …"""
        return self._table("articles")

    @cached_property
    def chunks(self) -> pd.DataFrame:
        """One row per chunk: chunk_id, doc_id, text, start, end, with the article's metadata."""
        return self._table("chunks_meta")

    @cached_property
    def figures(self) -> pd.DataFrame:
        """Every figure (money, counts, rates, percentages) with place, purpose and sentence."""
        return self._table("figures")

    @cached_property
    def precedent_table(self) -> pd.DataFrame:
        return self._table("precedents")

    @cached_property
    def sentences(self) -> pd.DataFrame:
        """Every sentence with its chunk, offsets and topic (the evidence `ask` quotes)."""
        return self._table("sentences")

    def _matrix(self, name: str) -> np.ndarray:
        try:
            return np.load(self.path / name, allow_pickle=False)
        except (OSError, ValueError) as exc:
            raise IndexCorruptError(f"{self.path / name}: cannot read ({exc}); rebuild with `search build --force`") from None

    @cached_property
    def sentence_vectors(self) -> np.ndarray:
        return self._matrix(L.SENTENCE_VECTORS)

    @cached_property
    def precedent_vectors(self) -> np.ndarray:
        return self._matrix(L.PRECEDENT_VECTORS)

    # ----------------------------------------------------------------- parts
    @property
    def embedder(self):
        if getattr(self, "_embedder", None) is None:
            from ..retrieval.embedders import get_embedder

            emb = get_embedder(self.embedder_spec)
            if emb.id != self.manifest["embedder"]["id"]:
                raise EmbedderMismatchError(
                    f"{self.path} was built with {self.manifest['embedder']['id']}, but this machine's "
                    f"{self.embedder_spec!r} embedder is {emb.id}; rebuild with `search build`")
            self._embedder = emb
        return self._embedder

    @cached_property
    def vectors(self):
        from ..retrieval.vectors import VectorIndex

        try:
            return VectorIndex.load(self.path / L.VECTORS)
        except SearchIndexError:
            raise
        except Exception as exc:  # faiss raises RuntimeError with C++ text
            raise IndexCorruptError(f"{self.path / L.VECTORS}: cannot read the vector index ({exc})") from None

    @cached_property
    def lexical(self):
        from ..retrieval.lexical import LexicalIndex

        try:
            return LexicalIndex.load(self.path / L.LEXICAL)
        except SearchIndexError:
            raise  # e.g. stale: built by another tokenizer version
        except Exception as exc:
            raise IndexCorruptError(f"{self.path / L.LEXICAL}: cannot read the lexical index ({exc})") from None

    def info(self) -> dict:
        m = self.manifest
        return {
            "path": str(self.path), "articles": m["counts"]["articles"], "chunks": m["counts"]["chunks"],
            "figures": m["counts"]["figures"], "precedents": m["counts"]["precedents"],
            "embedder": m["embedder"]["id"], "dim": m["embedder"]["dim"], "vectors": m["vectors"]["kind"],
            "built_at": m["built_at"], "fingerprint": m["fingerprint"],
            "stale": self.stale, "corpus": str(self.corpus_dir),
            "build": _build_line(m.get("build")),
        }

    # ----------------------------------------------------------------- search
    def _allowed(self, where) -> np.ndarray | None:
        where = parse_where(where)
        if not where:
            return None
        docs = matching_doc_ids(self.articles, where)
        return self.chunks["doc_id"].isin(docs).to_numpy()

    @staticmethod
    def check_query(query: object, k: object = 1) -> str:
        """The normalised query, or QueryError for an unusable query or ``k`` (the one check
        every query method applies)."""
        check_k(k)
        return normalize_line(check_text(query))

    def _ranked_rows(self, query: str, k: int, allowed, method: str, settings: RankingSettings):
        """(rows, fused, dense, lexical) best first."""
        n = len(self.chunks)
        pool = min(n, max(settings.pool, 5 * k))
        if method == "lexical":
            lex_scores, lex_rows = self.lexical.search(query, pool, allowed=allowed)
            keep = lex_scores > 0
            rows = np.asarray(lex_rows)[keep][:k]
            s = np.asarray(lex_scores)[keep][:k]
            return rows, s, np.full(len(rows), np.nan), s
        q = self.embedder.embed_queries([query])
        d_scores, d_rows = self.vectors.search(q, pool, allowed=allowed)
        d_scores, d_rows = np.asarray(d_scores).ravel(), np.asarray(d_rows).ravel()
        ok = d_rows >= 0
        d_scores, d_rows = d_scores[ok], d_rows[ok]
        if method == "dense":
            return d_rows[:k], d_scores[:k], d_scores[:k], np.full(min(k, len(d_rows)), np.nan)
        lex_scores, lex_rows = self.lexical.search(query, pool, allowed=allowed)
        cand = np.unique(np.concatenate([d_rows, np.asarray(lex_rows, dtype=np.int64)]))
        if cand.size == 0:
            return cand, np.array([]), np.array([]), np.array([])
        dense = self.vectors.vectors[cand] @ q[0]
        lex = self.lexical.score(query)[cand]
        w = lexical_weight(self.lexical.vocabulary_coverage(query), settings)
        fused = fuse(dense, lex, w)
        order = np.lexsort((cand, -fused))[:k]  # ties broken by row: deterministic
        return cand[order], fused[order], dense[order], lex[order]

    def search(self, query: str, k: int = 10, where=None, method: str = "hybrid", *,
               settings: RankingSettings | None = None) -> pd.DataFrame:
        """Best chunks for ``query``, best first (columns: ``SEARCH_COLUMNS``).

        ``method``: one of ``METHODS``; ``settings``: fusion weights for this call
        (default :data:`search.retrieval.ranking.DEFAULT_RANKING`).
        """
        query = self.check_query(query, k)
        if method not in METHODS:
            raise QueryError(f"method must be one of {', '.join(METHODS)}, not {method!r}")
        allowed = self._allowed(where)
        if allowed is not None and not allowed.any():
            return pd.DataFrame(columns=SEARCH_COLUMNS)
        rows, score, dense, lex = self._ranked_rows(query, int(k), allowed, method,
                                                    settings or DEFAULT_RANKING)
        ch = self.chunks.iloc[np.asarray(rows, dtype=np.int64)]
        out = pd.DataFrame({
            "rank": np.arange(1, len(rows) + 1),
            "score": np.round(np.asarray(score, dtype=float), 6),
            "chunk_id": ch["chunk_id"].to_numpy(),
            "doc_id": ch["doc_id"].to_numpy(),
            "title": ch["title"].to_numpy(),
            "locality": ch["locality"].to_numpy(),
            "province": ch["province"].to_numpy(),
            "text": ch["text"].to_numpy(),
            "snippet": [snippet(t, query) for t in ch["text"]],
            "start": ch["start"].to_numpy(),
            "end": ch["end"].to_numpy(),
            "dense_score": np.round(np.asarray(dense, dtype=float), 6),
            "lexical_score": np.round(np.asarray(lex, dtype=float), 6),
        }, columns=SEARCH_COLUMNS)
        return out.reset_index(drop=True)

    # ----------------------------------------------------------------- answers
    def ask(self, question: str, *, k: int | None = None, where=None, settings=None) -> pd.DataFrame:
        """Answer grouped by locality, best first; see :func:`search.app.answers.ask`."""
        from .answers import ask

        return ask(self, question, k=k, where=where, settings=settings)

    def precedents(self, query: str | None = None, k: int | None = 20, where=None) -> pd.DataFrame:
        """Named initiatives; with ``query``, the ones closest in meaning; ``k=None`` gives all."""
        from .answers import precedents

        return precedents(self, query, k=k, where=where)

    def figures_where(self, where=None) -> pd.DataFrame:
        where = parse_where(where)
        if not where:
            return self.figures
        docs = matching_doc_ids(self.articles, where)
        return self.figures[self.figures["doc_id"].isin(docs)].reset_index(drop=True)


def _build_line(build: object) -> str | None:
    """ "41.2 s (load 0.71 s, chunk 0.12 s, …); 3 articles reused, 120 texts embedded" from the
    manifest's ``build`` entry (None for an index built before stages were timed)."""
    if not isinstance(build, dict) or not isinstance(build.get("stages"), dict):
        return None
    from ..indexing.progress import format_seconds

    stages = ", ".join(f"{k} {format_seconds(float(v))}" for k, v in build["stages"].items())
    return (f"{format_seconds(float(build.get('seconds', 0)))} ({stages}); "
            f"{build.get('reused_articles', 0)} articles reused, {build.get('embedded_texts', 0)} texts embedded")


_TOKEN = re.compile(r"\w+")


def snippet(text: str, query: str, width: int = 300) -> str:
    """The sentence of ``text`` that shares most words with ``query`` (its start when none does)."""
    q = {t for t in _TOKEN.findall(fold(query)) if len(t) > 1}
    best, best_score = None, 0.0
    for s, e in sentence_spans(text):
        words = _TOKEN.findall(fold(text[s:e]))
        if not words:
            continue
        hits = sum(1 for w in set(words) if w in q)
        score = hits + hits / len(set(words))
        if score > best_score:
            best, best_score = (s, e), score
    if best is None:
        spans = sentence_spans(text)
        best = spans[0] if spans else (0, len(text))
    s, e = best
    out = text[s:e]
    return out if len(out) <= width else out[: width - 1].rsplit(" ", 1)[0] + "…"
