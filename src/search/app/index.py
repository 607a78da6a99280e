"""An opened index: tables as DataFrames, hybrid search, answers by place, figures, precedents.

Snapshot reads: an ``Index`` loads its parts (tables, vectors, the lexical index) lazily, on first
use, and only from the build it opened. Before and after each load it compares the generation of
the folder (the hash of its manifest, see ``indexing/integrity.py``) with the one it opened; when a
rebuild has swapped another index in, the load raises :class:`StaleIndexError` ("open it again")
and ``idx.stale`` becomes True. Parts already loaded keep answering from the opened build, so a
query that needs nothing new still works; nothing ever mixes the files of two builds.
"""

from __future__ import annotations

import os
import re
import time
import warnings
from collections import namedtuple
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import (
    EmbedderMismatchError,
    IndexCorruptError,
    IndexNotFoundError,
    QueryError,
    SearchError,
    SearchIndexError,
    StaleIndexError,
    StaleIndexWarning,
)
from ..indexing import layout as L
from ..indexing.chunking import ChunkSettings
from ..indexing.integrity import REBUILD, check_count, check_files, check_matrix, check_store_counts, generation
from ..indexing.lock import build_running, recover
from ..indexing.store import read_chunk_rows, read_table
from ..retrieval.filters import matching_doc_ids, parse_where
from ..retrieval.ranking import DEFAULT_RANKING, METHODS, RankingSettings, fuse, lexical_weight
from ..text.normalize import fold, normalize_line
from ..text.segment import sentence_spans
from ..validation import MAX_QUERY_CHARS, check_k, check_text

__all__ = ["Index", "open_index", "SEARCH_COLUMNS", "StaleIndexWarning", "METHODS", "snippet"]

SEARCH_COLUMNS = ["rank", "score", "chunk_id", "doc_id", "title", "locality", "province", "text",
                  "snippet", "start", "end", "dense_score", "lexical_score"]


def open_index(path: str | os.PathLike = "index", *, embedder: str | None = None,
               corpus: str | os.PathLike | None = None, strict: bool = False,
               check_stale: bool = True, verify: bool = False) -> Index:
    """Open the index folder at ``path``.

    ``embedder``: the embedder you expect (a name, or an ``Embedder`` to query with); an index
    built with another one is an error.
    ``corpus``: the corpus folder to check freshness against (default: the one it was built from).
    ``strict``: raise :class:`StaleIndexError` when the index is older than the corpus or pipeline;
    otherwise ``idx.stale`` is True and a :class:`StaleIndexWarning` is issued.
    ``verify``: also recompute every file's checksum and load and check every part (what
    ``search verify`` does); without it only the sizes are checked here, and each part's row count
    and shape when it is first used. Any mismatch raises :class:`IndexCorruptError` naming the file.
    """
    return Index(path, embedder=embedder, corpus=corpus, strict=strict, check_stale=check_stale,
                 verify=verify)


class Index:
    def __init__(self, path="index", *, embedder=None, corpus=None, strict=False, check_stale=True,
                 verify=False):
        self.path = Path(path)
        for attempt in range(3):
            recover(self.path)  # a build killed between its two renames left the old index aside
            read: str | None = None  # the generation of the manifest read, if one was
            try:
                if not self.path.is_dir():
                    raise IndexNotFoundError(f"{self.path}: no index here; build one with `search build`")
                manifest = L.read_manifest(self.path)
                read = generation(manifest)
                check_files(self.path, manifest)  # sizes: a file of another build is refused here
                check_store_counts(self.path, manifest)  # and a store of the same size
                break
            except SearchIndexError:
                # a build swapping its new folder in while we read (still running, or done between
                # our reading its manifest and its files): look again
                if attempt == 2 or not (build_running(self.path) or self._swapped_since(read)):
                    raise
                time.sleep(0.1)
        self.manifest = manifest
        #: identity of the build this Index reads (see the module docstring)
        self.generation = generation(manifest)
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
        self._rows_read_alone = False  # the first search read its result rows only
        if check_stale:
            self.stale = self._is_stale()
            if self.stale:
                msg = (f"index {self.path} is older than {self.corpus_dir} or the pipeline code; "
                       f"run `search build` to refresh it")
                if strict:
                    raise StaleIndexError(msg)
                warnings.warn(msg, StaleIndexWarning, stacklevel=3)
        if verify:
            self.verify()

    # ----------------------------------------------------------------- integrity
    def _swapped_since(self, read: str | None) -> bool:
        """Whether the folder now holds another build than the manifest read (``read``)."""
        if read is None:
            return False
        try:
            return generation(L.read_manifest(self.path)) != read
        except SearchIndexError:
            return False

    def _check_generation(self) -> None:
        """StaleIndexError when the folder no longer holds the build this Index opened."""
        try:
            current = generation(L.read_manifest(self.path))
        except SearchIndexError:
            current = None
        if current != self.generation:
            self.stale = True
            raise StaleIndexError(f"{self.path} was rebuilt or removed since it was opened; open it again "
                                  "(open_index) to read the new index")

    def _load(self, load):
        """``load()`` of one part, from the build this Index opened and no other."""
        self._check_generation()
        try:
            value = load()
        except (SearchIndexError, OSError):
            self._check_generation()  # a swap during the load explains the failure
            raise
        self._check_generation()
        return value

    def verify(self) -> dict:
        """Recompute every file's checksum and load every part, checking row counts, shapes and
        vectors (finite, unit length); IndexCorruptError naming the first bad file. Returns what
        was checked."""
        self._check_generation()
        n_files = check_files(self.path, self.manifest, checksums=True)
        parts = {"articles": self.articles, "chunks": self.chunks, "sentences": self.sentences,
                 "figures": self.figures, "precedents": self.precedent_table}
        counts = {name: len(df) for name, df in parts.items()}
        counts["vectors"] = len(self.vectors)  # loading a part checks it
        counts["sentence_vectors"] = len(self.sentence_vectors)
        counts["precedent_vectors"] = len(self.precedent_vectors)
        counts["lexical"] = len(self.lexical)
        return {"path": str(self.path), "files": n_files, **counts}

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
        try:
            corpus = L.recorded_corpus_fingerprint(self.corpus_dir, self.manifest)
            current = L.fingerprint(self.corpus_dir, self.manifest["embedder"]["id"], chunking, kind,
                                    corpus=corpus)
        except (SearchError, OSError):
            return None  # the corpus cannot be read: cannot tell
        return current != self.manifest["fingerprint"]

    # ----------------------------------------------------------------- tables
    def _table(self, name: str, count: str) -> pd.DataFrame:
        def load() -> pd.DataFrame:
            df = read_table(self.path / L.STORE, name)
            check_count(f"{self.path / L.STORE} (table {name})", len(df), self.manifest, count)
            if "row" in df.columns and not (df["row"].to_numpy() == np.arange(len(df))).all():
                raise IndexCorruptError(f"{self.path / L.STORE}: table {name} has its rows out of order; {REBUILD}")
            return df

        return self._load(load)

    @cached_property
    def articles(self) -> pd.DataFrame:
        """One row per article: doc_id, title, locality, locality_level, province, directives, period …"""
        return self._table("articles", "articles")

    @cached_property
    def chunks(self) -> pd.DataFrame:
        """One row per chunk: chunk_id, doc_id, text, start, end, with the article's metadata."""
        return self._table("chunks_meta", "chunks")

    def _chunk_rows(self, rows: np.ndarray) -> pd.DataFrame:
        """Rows of ``chunks`` in this order. The first search of an Index reads just these by
        rowid (at 10k articles, loading 74k chunks to show ten took a second of a cold start);
        later ones load the table once, which is faster per query than reading rows each time."""
        if "chunks" not in self.__dict__ and not self._rows_read_alone:
            self._rows_read_alone = True
            part = self._load(lambda: read_chunk_rows(self.path / L.STORE, rows.tolist()))
            if part is not None:
                return part
        return self.chunks.iloc[rows]

    @cached_property
    def figures(self) -> pd.DataFrame:
        """Every figure (money, counts, rates, percentages) with place, purpose and sentence."""
        return self._table("figures", "figures")

    @cached_property
    def _figure_positions(self) -> dict[str, np.ndarray]:
        return {str(d): np.asarray(rows) for d, rows in self.figures.groupby("doc_id", sort=False).indices.items()}

    def figure_records(self, doc_id: str) -> list:
        """The figures of one article as named tuples (columns of ``figures``), by start offset;
        kept once read."""
        self.load_figure_records([doc_id])
        return self._figure_memo[doc_id]

    def load_figure_records(self, doc_ids) -> None:
        """Read the figure records of the articles ``doc_ids`` in one pass (a first ``ask`` over a
        large corpus needs those of hundreds of articles: one table read, not one per article)."""
        memo = self._figure_memo
        missing = [d for d in dict.fromkeys(doc_ids) if d not in memo]
        if not missing:
            return
        f = self.figures_of(missing).sort_values(["doc_id", "start"], kind="stable")
        for d in missing:
            memo[d] = []
        # columns as lists, zipped into named tuples: itertuples walks pandas' string arrays
        # element by element (seconds for the 100k figures of a first ask at 10k articles)
        record = namedtuple("Figure", list(f.columns), rename=True)._make  # type: ignore[attr-defined]
        for r in map(record, zip(*(f[c].tolist() for c in f.columns))):
            memo[str(r.doc_id)].append(r)

    @cached_property
    def _figure_memo(self) -> dict[str, list]:
        return {}

    def figures_of(self, doc_ids) -> pd.DataFrame:
        """The figures of the articles ``doc_ids`` (one lookup per article, not a scan of the
        table: ``ask`` asks this for every place it answers with)."""
        pos = self._figure_positions
        parts = [pos[d] for d in doc_ids if d in pos]
        return self.figures.iloc[np.sort(np.concatenate(parts))] if parts else self.figures.iloc[:0]

    @cached_property
    def _figure_rows_by_sentence(self) -> dict[tuple[str, int], list[int]]:
        f = self.figures
        out: dict[tuple[str, int], list[int]] = {}
        for i, key in enumerate(zip(f["doc_id"].tolist(), f["sentence_start"].astype(int).tolist())):
            out.setdefault(key, []).append(i)
        return out

    def figures_in_sentences(self, keys) -> pd.DataFrame:
        """The figures of the sentences ``keys`` ((doc_id, sentence start) pairs), in table order
        (``ask`` reads those of its candidate sentences, not those of whole articles)."""
        by = self._figure_rows_by_sentence
        rows = [r for k in dict.fromkeys(keys) for r in by.get(k, ())]
        return self.figures.iloc[np.sort(np.asarray(rows, dtype=np.int64))] if rows else self.figures.iloc[:0]

    @cached_property
    def precedent_table(self) -> pd.DataFrame:
        return self._table("precedents", "precedents")

    @cached_property
    def sentences(self) -> pd.DataFrame:
        """Every sentence with its chunk, offsets and topic (the evidence `ask` quotes)."""
        return self._table("sentences", "sentences")

    @cached_property
    def sentence_predecessors(self) -> np.ndarray:
        """For each sentence row, the row of the sentence before it in its paragraph (-1: none)."""
        sents = self.sentences
        docs = sents["doc_id"].tolist()
        starts = sents["start"].astype(int).tolist()
        ends = sents["end"].astype(int).tolist()
        text_of = self.article_texts
        out = np.full(len(sents), -1, dtype=np.int64)
        for r in range(1, len(sents)):
            if docs[r] == docs[r - 1] and "\n" not in text_of[docs[r]][ends[r - 1]:starts[r]]:
                out[r] = r - 1
        return out

    def _matrix(self, name: str, count: str) -> np.ndarray:
        path = self.path / name

        def load() -> np.ndarray:
            try:
                x = np.load(path, allow_pickle=False)
            except (OSError, ValueError) as exc:
                raise IndexCorruptError(f"{path}: cannot read ({exc}); {REBUILD}") from None
            return check_matrix(path, x, self.manifest["counts"][count], self.manifest["embedder"]["dim"])

        return self._load(load)

    @cached_property
    def sentence_vectors(self) -> np.ndarray:
        return self._matrix(L.SENTENCE_VECTORS, "sentences")

    @cached_property
    def precedent_vectors(self) -> np.ndarray:
        return self._matrix(L.PRECEDENT_VECTORS, "precedents")

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

        path = self.path / L.VECTORS

        def load():
            try:
                v = VectorIndex.load(path)
            except SearchIndexError:
                raise
            except Exception as exc:  # faiss raises RuntimeError with C++ text
                raise IndexCorruptError(f"{path}: cannot read the vector index ({exc})") from None
            check_count(path, len(v), self.manifest, "vectors")
            check_matrix(path, v.vectors, self.manifest["counts"]["vectors"], self.manifest["embedder"]["dim"])
            return v

        return self._load(load)

    @cached_property
    def lexical(self):
        from ..retrieval.lexical import LexicalIndex

        path = self.path / L.LEXICAL

        def load():
            try:
                lex = LexicalIndex.load(path)
            except SearchIndexError:
                raise  # e.g. stale: built by another tokenizer version
            except Exception as exc:
                raise IndexCorruptError(f"{path}: cannot read the lexical index ({exc})") from None
            check_count(path, len(lex), self.manifest, "chunks")
            return lex

        return self._load(load)

    @cached_property
    def article_texts(self) -> dict[str, str]:
        """doc_id → the article's cleaned text (what every offset points into)."""
        return dict(zip(self.articles["doc_id"], self.articles["text"]))

    def sentences_folded(self, rows) -> list[str]:
        """The texts of the sentences ``rows`` without diacritics, lower case; kept once computed
        (``ask`` needs those of its candidates, not of the 270k sentences of a large index)."""
        memo = self._folded_memo
        texts = self.sentences["text"]
        out = []
        for r in rows:
            f = memo.get(r)
            if f is None:
                f = memo[r] = fold(str(texts.iat[r]))
            out.append(f)
        return out

    @cached_property
    def _folded_memo(self) -> dict[int, str]:
        return {}

    #: put the diacritics back on Vietnamese queries typed without them before embedding them
    restore_diacritics: bool = True

    @cached_property
    def restorer(self):
        """The diacritic restorer of this index's sentences (``search.retrieval.diacritics``)."""
        from ..retrieval.diacritics import DiacriticRestorer

        return DiacriticRestorer.from_texts(self.sentences["text"])

    def for_embedder(self, text: str) -> str:
        """``text`` as the embedder should read it: Vietnamese typed without diacritics gets them
        back (e5 reads unaccented Vietnamese poorly); anything else is unchanged."""
        from ..retrieval.crosslingual import is_english
        from ..retrieval.diacritics import needs_restoring

        if self.restore_diacritics and needs_restoring(text) and not is_english(text):
            return self.restorer.restore(text)
        return text

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        """Query vectors of ``texts``, remembered for the last few hundred texts: a question is
        embedded once whether search, ask or the purpose classifier needs it."""
        memo = self._query_memo
        have = {t: memo[t] for t in texts if t in memo}  # before making room evicts any of them
        todo = list(dict.fromkeys(t for t in texts if t not in have))
        if todo:
            for t, v in zip(todo, self.embedder.embed_queries(todo)):
                if len(memo) >= 512:
                    memo.pop(next(iter(memo)))
                memo[t] = have[t] = np.asarray(v, dtype=np.float32)
        return np.stack([have[t] for t in texts]) if texts else np.zeros((0, self.manifest["embedder"]["dim"]), np.float32)

    @cached_property
    def _query_memo(self) -> dict[str, np.ndarray]:
        return {}

    def forget_queries(self) -> None:
        """Drop the remembered query vectors (a benchmark times the embedding call every time)."""
        self._query_memo.clear()

    @cached_property
    def purpose_classifier(self):
        """The purpose classifier of this index's embedder, embedding through :meth:`embed_queries`."""
        from ..extract.purpose import PurposeClassifier

        return PurposeClassifier(self.embedder, embed_queries=self.embed_queries)

    @cached_property
    def sentence_lexical(self):
        """BM25 over the sentences (the evidence ``ask`` quotes)."""
        from ..retrieval.lexical import LexicalIndex

        try:
            return LexicalIndex.load(self.path / L.SENTENCE_LEXICAL)
        except SearchIndexError:
            raise
        except Exception as exc:
            raise IndexCorruptError(f"{self.path / L.SENTENCE_LEXICAL}: cannot read the lexical index ({exc})") from None

    @cached_property
    def crosslingual(self):
        """Translator of English questions into this index's Vietnamese terms."""
        from ..retrieval.crosslingual import CrossLingual

        return CrossLingual.load(self.path / L.VOCAB_TERMS, self.path / L.VOCAB_VECTORS,
                                 self.lexical.knows, self.embed_queries)

    @cached_property
    def places(self):
        """The place names of this index's articles, for reading questions."""
        from .question import PlaceIndex

        return PlaceIndex.from_articles(self.articles)

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
        return normalize_line(check_text(query, max_chars=MAX_QUERY_CHARS, words=True))

    def _ranked_rows(self, query: str, k: int, allowed, method: str, settings: RankingSettings):
        """(rows, fused, dense, lexical) best first."""
        n = int(self.manifest["counts"]["chunks"])  # not len(self.chunks): a search reads its rows only
        pool = min(n, max(settings.pool, 5 * k))
        if method == "lexical":
            lex_scores, lex_rows = self.lexical.search(query, pool, allowed=allowed)
            keep = lex_scores > 0
            rows = np.asarray(lex_rows)[keep][:k]
            s = np.asarray(lex_scores)[keep][:k]
            return rows, s, np.full(len(rows), np.nan), s
        q = self.embed_queries([self.for_embedder(query)])
        d_scores, d_rows = self.vectors.search(q, pool, allowed=allowed)
        d_scores, d_rows = np.asarray(d_scores).ravel(), np.asarray(d_rows).ravel()
        ok = d_rows >= 0
        d_scores, d_rows = d_scores[ok], d_rows[ok]
        if method == "dense":
            return d_rows[:k], d_scores[:k], d_scores[:k], np.full(min(k, len(d_rows)), np.nan)
        weights, w = self.lexical_query(query, settings)
        lex_scores, lex_rows = self.lexical.search(weights, pool, allowed=allowed)
        cand = np.unique(np.concatenate([d_rows, np.asarray(lex_rows, dtype=np.int64)]))
        if cand.size == 0:
            return cand, np.array([]), np.array([]), np.array([])
        dense = self.vectors.vectors[cand] @ q[0]
        lex = self.lexical.score_weights(weights)[cand]
        fused = fuse(dense, lex, w)
        order = np.lexsort((cand, -fused))[:k]  # ties broken by row: deterministic
        return cand[order], fused[order], dense[order], lex[order]

    def lexical_query(self, query: str, settings: RankingSettings = DEFAULT_RANKING
                      ) -> tuple[dict[str, float], float]:
        """BM25 query-token weights of ``query`` and the lexical weight of the fusion.

        A Vietnamese query (with or without diacritics) is matched as typed, weighted by how much
        of it the index vocabulary knows; an English one through its Vietnamese translation
        (``search.retrieval.crosslingual``), weighted by how much of it was translated."""
        from ..retrieval.crosslingual import is_english
        from ..retrieval.lexical import query_weights

        if is_english(query):
            tr = self.crosslingual.translate(query)
            return self.lexical.terms_weights(tr.terms), lexical_weight(tr.coverage, settings.for_translation())
        weights = query_weights(query, bigrams=self.lexical.params.get("bigrams", True),
                                folded_weight=self.lexical.folded_weight,
                                bigram_weight=self.lexical.bigram_weight)
        return weights, lexical_weight(self.lexical.vocabulary_coverage(query), settings)

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
        ch = self._chunk_rows(np.asarray(rows, dtype=np.int64))
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
