"""BM25 over Vietnamese text, matching with or without diacritics.

Tokens. Every syllable of a text gives two tokens: its exact lower-cased form (``nghèo``) and its
folded form in a separate namespace (``~ngheo``), so a query typed without diacritics still matches.
Adjacent syllables also give a folded bigram (``~ho_ngheo``): Vietnamese words are mostly two
syllables (nhà ở, hộ nghèo) and the bigram rewards the word over its syllables scattered in a chunk
(measured in docs/benchmarks.md).

Queries. A syllable typed with diacritics looks for its exact token (weight 1) and its folded token
at a lower weight, so exact-diacritic matches rank first but near spellings still count; a syllable
typed without diacritics can only be trusted in folded form. Stop words stay in BM25 (its idf
already discounts them); they are only left out of :func:`vocabulary_coverage`.

Storage. The BM25 variant and file format are bm25s' ("lucene" scores precomputed in a sparse CSC
matrix; ``.npy`` arrays written and read with ``allow_pickle=False``, JSON vocabulary), so
``bm25s.BM25.load`` opens our folder and gives the same scores (tested). The matrix is built here
with numpy rather than by ``bm25s.BM25.index``, which took 46 s and ~2 GB for 100k chunks (Python
lists of tokens) against 17 s and ~0.6 GB; loading and scoring use numpy only, as importing bm25s
costs ~0.12 s (it pulls in scipy) that a cold ``search query`` should not pay. SQLite FTS5 was
measured too and rejected: 35-45x slower queries, no per-token weights, awkward filters
(docs/benchmarks.md).
"""

from __future__ import annotations

import gc
import json
import os
import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from .. import data
from ..errors import IndexCorruptError, IndexNotFoundError, QueryError, StaleIndexError
from ..text.normalize import fold, normalize_line
from ..validation import check_k

__all__ = [
    "LexicalIndex",
    "tokenize",
    "query_tokens",
    "query_weights",
    "term_weights",
    "content_terms",
    "STOP_WORDS",
    "EN_STOP_WORDS",
    "FOLDED_STOP_WORDS",
    "TOKENIZER_VERSION",
]

#: bumped whenever tokens change: an index saved with another version must be rebuilt
TOKENIZER_VERSION = 1

FOLD_PREFIX = "~"  # folded tokens get their own namespace: "ban" (exact) is not "~ban" (bán, bàn, bạn …)
BIGRAM_SEP = "_"

#: weight of the folded token of a syllable typed with diacritics (exact token weighs 1)
FOLDED_WEIGHT = 0.5
#: weight of a query's folded bigrams relative to its syllables
BIGRAM_WEIGHT = 1.0

# Syllables (letters) and numbers ("1.500.000", "2020") are captured; a punctuation mark matches
# with an empty group and breaks a run (no bigram across "Hà Nội, Hải Phòng").
_TOKEN_RE = re.compile(r"(\d+(?:[.,]\d+)*|[^\W\d_]+)|[^\w\s]")

# Function syllables of Vietnamese, exact and folded, plus English function words
# (data/stopwords_*.txt): both only matter for vocabulary_coverage and content_terms (an English
# query must not look covered because "the", "to" or "in" happen to be folded Vietnamese syllables).
_VI_STOP = data.words("stopwords_vi")
STOP_WORDS = frozenset(_VI_STOP) | frozenset(FOLD_PREFIX + fold(w) for w in _VI_STOP)
EN_STOP_WORDS = frozenset(data.words("stopwords_en"))
#: folded Vietnamese and English function words: what content_terms leaves out
FOLDED_STOP_WORDS = frozenset(fold(w) for w in _VI_STOP) | EN_STOP_WORDS

_FOLD_CACHE: dict[str, str] = {}


def _fold_syllable(s: str) -> str:
    f = _FOLD_CACHE.get(s)
    if f is None:
        if len(_FOLD_CACHE) > 500_000:  # numbers and names make the set open-ended
            _FOLD_CACHE.clear()
        f = _FOLD_CACHE[s] = fold(s)
    return f


def _runs(text: str) -> list[list[str]]:
    """Syllables of a lower-cased text, grouped in runs not broken by punctuation."""
    runs: list[list[str]] = []
    run: list[str] = []
    for tok in _TOKEN_RE.findall(text):
        if tok:
            run.append(tok)
        elif run:
            runs.append(run)
            run = []
    if run:
        runs.append(run)
    return runs


def tokenize(text: str, *, bigrams: bool = True) -> list[str]:
    """Index tokens of a (normalised) text: exact syllables, folded syllables, folded bigrams.

    Texts are expected to be normalised already (chunks are); only NFC is re-applied here, since
    the full :func:`normalize` would cost ~0.3 s per MB.
    """
    text = unicodedata.normalize("NFC", text).lower()
    out: list[str] = []
    for run in _runs(text):
        prev = None
        for s in run:
            f = _fold_syllable(s)
            out.append(s)
            out.append(FOLD_PREFIX + f)
            if bigrams and prev is not None:
                out.append(FOLD_PREFIX + prev + BIGRAM_SEP + f)
            prev = f
    return out


def _query_syllables(query: str) -> list[list[str]]:
    return _runs(normalize_line(query).lower())


def query_weights(query: str, *, bigrams: bool = True,
                  folded_weight: float = FOLDED_WEIGHT,
                  bigram_weight: float = BIGRAM_WEIGHT) -> dict[str, float]:
    """Query tokens with their weights (a token repeated in the query counts once)."""
    weights: dict[str, float] = {}
    for run in _query_syllables(query):
        prev = None
        for s in run:
            f = _fold_syllable(s)
            if f != s:  # typed with diacritics: trust the exact form, keep the folded one as a fallback
                weights.setdefault(s, 1.0)
                weights.setdefault(FOLD_PREFIX + f, folded_weight)
            else:
                weights[FOLD_PREFIX + f] = 1.0
            if bigrams and prev is not None and bigram_weight > 0:
                weights.setdefault(FOLD_PREFIX + prev + BIGRAM_SEP + f, bigram_weight)
            prev = f
    return weights


def term_weights(terms: dict[str, float], *, bigrams: bool = True,
                 folded_weight: float = FOLDED_WEIGHT,
                 bigram_weight: float = BIGRAM_WEIGHT) -> dict[str, float]:
    """Query tokens of several weighted terms (e.g. the Vietnamese translations of an English
    question): each term's tokens at the term's weight, the strongest weight kept per token."""
    out: dict[str, float] = {}
    for term, w in terms.items():
        for tok, tw in query_weights(term, bigrams=bigrams, folded_weight=folded_weight,
                                     bigram_weight=bigram_weight).items():
            out[tok] = max(out.get(tok, 0.0), tw * w)
    return out


def query_tokens(query: str) -> list[str]:
    """The tokens a query is looked up with (see :func:`query_weights` for their weights)."""
    return list(query_weights(query))


_WORD_RE = re.compile(r"\w+")


def content_terms(text: str) -> set[str]:
    """Folded content words of a text: no diacritics, lower case, one letter and function words
    (Vietnamese and English) left out. What answers compare a question with a sentence on."""
    return {t for t in _WORD_RE.findall(fold(text)) if len(t) > 1 and t not in FOLDED_STOP_WORDS}


def _content_syllables(query: str) -> list[str]:
    sylls = [s for run in _query_syllables(query) for s in run]
    content = []
    for s in sylls:
        f = _fold_syllable(s)
        if s in STOP_WORDS or (f == s and (FOLD_PREFIX + f in STOP_WORDS or s in EN_STOP_WORDS)):
            continue
        content.append(s)
    return content or sylls


def _count_terms(texts: Sequence[str], bigrams: bool):
    """Term ids and frequencies of every text, without building token strings per occurrence.

    Gives the same multiset of tokens as :func:`tokenize` (tested), but caches each syllable's
    (exact id, folded id) and each bigram's id: ~3x faster than tokenising then looking up.
    """
    vocab: dict[str, int] = {}
    folded_of: list[str] = []  # folded syllable of a folded-token id ("" for other ids)

    def add(tok: str, folded: str = "") -> int:
        i = vocab.get(tok)
        if i is None:
            i = vocab[tok] = len(vocab)
            folded_of.append(folded)
        return i

    syl_ids: dict[str, tuple[int, int]] = {}
    pair_ids: dict[tuple[int, int], int] = {}
    terms, tfs, doc_lens, n_terms = [], [], [], []
    for text in texts:
        ids: list[int] = []
        for run in _runs(unicodedata.normalize("NFC", text).lower()):
            prev = -1
            for s in run:
                e = syl_ids.get(s)
                if e is None:
                    f = fold(s)
                    e = syl_ids[s] = (add(s), add(FOLD_PREFIX + f, f))
                ids.append(e[0])
                ids.append(e[1])
                if bigrams and prev >= 0:
                    p = pair_ids.get((prev, e[1]))
                    if p is None:
                        p = pair_ids[(prev, e[1])] = add(
                            FOLD_PREFIX + folded_of[prev] + BIGRAM_SEP + folded_of[e[1]])
                    ids.append(p)
                prev = e[1]
        u, c = np.unique(np.asarray(ids, dtype=np.int32), return_counts=True)
        terms.append(u)
        tfs.append(c.astype(np.float32))
        doc_lens.append(len(ids))
        n_terms.append(len(u))
    return vocab, terms, tfs, doc_lens, n_terms


def _bm25_matrix(terms, tfs, doc_lens, n_terms, n_vocab: int, k1: float, b: float):
    """BM25 ("lucene" variant, as bm25s) score of every (term, row) pair, as a CSC matrix."""
    n = len(doc_lens)
    if n == 0 or sum(n_terms) == 0:
        return np.zeros(0, np.float32), np.zeros(0, np.int32), np.zeros(n_vocab + 1, np.int64)
    from scipy import sparse  # build only (query time stays numpy-only)

    term = np.concatenate(terms)
    tf = np.concatenate(tfs)
    terms.clear()
    tfs.clear()
    counts = np.asarray(n_terms, dtype=np.int64)
    row = np.repeat(np.arange(n, dtype=np.int32), counts)
    dl = np.asarray(doc_lens, dtype=np.float32)
    df = np.bincount(term, minlength=n_vocab)
    idf = np.log(1.0 + (n - df + 0.5) / (df + 0.5)).astype(np.float32)
    norm = k1 * ((1 - b) + b * dl / max(float(dl.mean()), 1e-9))
    score = idf[term] * tf / (norm[row] + tf)
    del tf, row
    row_ptr = np.zeros(n + 1, np.int64)
    np.cumsum(counts, out=row_ptr[1:])
    # Rows come in row-major order; scipy's CSR -> CSC transposition is an O(nnz) counting sort
    # in C (an argsort of the term ids took twice the memory and time).
    csc = sparse.csr_matrix((score, term, row_ptr), shape=(n, n_vocab)).tocsc()
    csc.sort_indices()
    return (csc.data.astype(np.float32, copy=False), csc.indices.astype(np.int32, copy=False),
            csc.indptr.astype(np.int64, copy=False))


_BM25S_FILES = ("data.csc.index.npy", "indices.csc.index.npy", "indptr.csc.index.npy")
_META_FILE = "lexical.json"


class LexicalIndex:
    """BM25 index over a list of texts; rows are positions in that list."""

    def __init__(self, data: np.ndarray, indices: np.ndarray, indptr: np.ndarray,
                 vocab: dict[str, int], num_docs: int, params: dict):
        self._data = data
        self._indices = indices
        self._indptr = indptr
        self.vocab = vocab
        self.num_docs = int(num_docs)
        self.params = params
        # query-side weights: not stored, can be changed on an open index (tuning)
        self.folded_weight = FOLDED_WEIGHT
        self.bigram_weight = BIGRAM_WEIGHT

    # -- building -------------------------------------------------------------------------
    @classmethod
    def build(cls, texts: Sequence[str], *, k1: float = 1.5, b: float = 0.75,
              bigrams: bool = True) -> LexicalIndex:
        """Index ``texts`` (row i is ``texts[i]``). Same scores as ``bm25s.BM25(method="lucene")``."""
        if isinstance(texts, str):
            raise TypeError("texts must be a list of strings, not a string")
        n = len(texts)
        was_enabled = gc.isenabled()
        gc.disable()  # millions of small objects: the cyclic GC alone doubled the build time
        try:
            vocab, terms, tfs, doc_lens, n_terms = _count_terms(texts, bigrams)
        finally:
            if was_enabled:
                gc.enable()
        data, indices, indptr = _bm25_matrix(terms, tfs, doc_lens, n_terms, len(vocab), k1, b)
        params = {"k1": k1, "b": b, "method": "lucene", "bigrams": bigrams,
                  "tokenizer_version": TOKENIZER_VERSION}
        return cls(data, indices, indptr, vocab, n, params)

    def __len__(self) -> int:
        return self.num_docs

    # -- querying -------------------------------------------------------------------------
    def _weights(self, query: str) -> dict[str, float]:
        return query_weights(query, bigrams=self.params.get("bigrams", True),
                             folded_weight=self.folded_weight, bigram_weight=self.bigram_weight)

    def score(self, query: str) -> np.ndarray:
        """BM25 score of every row for ``query`` (float32, 0 where nothing matches)."""
        if not isinstance(query, str):
            raise QueryError("query must be a string")
        return self.score_weights(self._weights(query))

    def knows(self, token: str) -> bool:
        """Whether ``token`` (as :func:`tokenize` writes it: "nhà", "~nha", "~nha_o") occurs."""
        return token in self.vocab

    def terms_weights(self, terms: dict[str, float]) -> dict[str, float]:
        """Query weights of weighted terms, with this index's query-side weights."""
        return term_weights(terms, bigrams=self.params.get("bigrams", True),
                            folded_weight=self.folded_weight, bigram_weight=self.bigram_weight)

    def score_weights(self, weights: dict[str, float]) -> np.ndarray:
        """BM25 score of every row for explicit query-token weights (see :func:`query_weights`)."""
        ids, ws = [], []
        for tok, w in weights.items():
            i = self.vocab.get(tok)
            if i is not None and i + 1 < len(self._indptr):
                ids.append(i)
                ws.append(w)
        if not ids:
            return np.zeros(self.num_docs, np.float32)
        starts, ends = self._indptr[ids], self._indptr[np.asarray(ids) + 1]
        rows = np.concatenate([self._indices[s:e] for s, e in zip(starts, ends)])
        vals = np.concatenate([self._data[s:e] * np.float32(w) for s, e, w in zip(starts, ends, ws)])
        # bincount sums postings in C; bm25s' np.add.at loop is several times slower
        return np.bincount(rows, weights=vals, minlength=self.num_docs).astype(np.float32)

    def coverage(self, weights: dict[str, float]) -> np.ndarray:
        """Share of the query's token weight each row contains, every token weighted by its idf
        (a rare word counts more than a common one): 1.0 when a row holds every query token.

        Unlike BM25 it does not grow with repeats or fall with length: a sentence either speaks
        the question's words or it does not. Tokens the index does not know still count in the
        total, so a question about something no row mentions has low coverage everywhere.
        """
        total = 0.0
        out = np.zeros(self.num_docs, np.float64)
        for tok, w in weights.items():
            if w <= 0:
                continue
            i = self.vocab.get(tok)
            df = 0 if i is None or i + 1 >= len(self._indptr) else int(self._indptr[i + 1] - self._indptr[i])
            idf = float(np.log(1.0 + (self.num_docs - df + 0.5) / (df + 0.5)))
            total += w * idf
            if df and i is not None:
                out[self._indices[self._indptr[i]:self._indptr[i + 1]]] += w * idf
        return out / total if total > 0 else out

    def idf(self, token: str) -> float:
        """BM25 idf of a token (the highest for a token the index does not know)."""
        i = self.vocab.get(token)
        df = 0 if i is None or i + 1 >= len(self._indptr) else int(self._indptr[i + 1] - self._indptr[i])
        return float(np.log(1.0 + (self.num_docs - df + 0.5) / (df + 0.5)))

    def rows_with(self, token: str) -> np.ndarray:
        """Rows that contain ``token``."""
        i = self.vocab.get(token)
        if i is None or i + 1 >= len(self._indptr):
            return np.zeros(0, np.int64)
        return self._indices[self._indptr[i]:self._indptr[i + 1]].astype(np.int64)

    def ideal_score(self, weights: dict[str, float]) -> float:
        """The highest BM25 score a row could get for these query weights (every token, repeated
        without end): the scale on which a row's score says how much of the query it matches, in
        [0, 1] (unknown tokens count too, so a query nothing matches stays low)."""
        return sum(w * self.idf(tok) for tok, w in weights.items())

    def search(self, query: str | dict[str, float], k: int = 10, allowed: np.ndarray | None = None
               ) -> tuple[np.ndarray, np.ndarray]:
        """Best ``k`` rows for ``query`` (text, or query-token weights): (scores, rows), best first,
        ties by row.

        Only rows that match at least one query token are returned, so fewer than ``k`` may
        come back. ``allowed`` (bool, one per row) restricts the search to a subset.
        """
        k = check_k(k)
        s = self.score_weights(query) if isinstance(query, dict) else self.score(query)
        if allowed is not None:
            allowed = np.asarray(allowed)
            if allowed.dtype != bool or allowed.shape != (self.num_docs,):
                raise QueryError(f"allowed must be a bool array of length {self.num_docs}")
            s = np.where(allowed, s, 0.0).astype(np.float32)
        hits = np.flatnonzero(s > 0)
        if len(hits) > k:
            part = hits[np.argpartition(-s[hits], k - 1)[:k]]
            cut = s[part].min()  # take ties at the cut by row so the result is deterministic
            above = hits[s[hits] > cut]
            hits = np.concatenate([above, hits[s[hits] == cut][: k - len(above)]])
        order = np.lexsort((hits, -s[hits]))
        rows = hits[order].astype(np.int64)
        return s[rows], rows

    def vocabulary_coverage(self, query: str) -> float:
        """Fraction of the query's content syllables found in the indexed vocabulary.

        A syllable typed with diacritics counts when its exact form occurs, one typed without when
        its folded form does. Stop words (Vietnamese and English) are left out unless the query has
        nothing else. An English query over Vietnamese text scores near 0, a Vietnamese one near 1.
        """
        content = _content_syllables(query)
        if not content:
            return 0.0
        found = 0
        for s in content:
            f = _fold_syllable(s)
            tok = s if f != s else FOLD_PREFIX + f
            found += tok in self.vocab
        return found / len(content)

    # -- storage --------------------------------------------------------------------------
    def save(self, directory: str | os.PathLike) -> None:
        """Write the index into ``directory`` (created if needed), in bm25s' folder format."""
        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        for name, arr in zip(_BM25S_FILES, (self._data, self._indices, self._indptr)):
            np.save(d / name, arr, allow_pickle=False)
        with open(d / "vocab.index.json", "w", encoding="utf-8") as fh:
            json.dump(self.vocab, fh, ensure_ascii=False)
        bm25s_params = {"k1": self.params["k1"], "b": self.params["b"], "delta": 0.5,
                        "method": "lucene", "idf_method": "lucene", "dtype": "float32",
                        "int_dtype": "int32", "num_docs": self.num_docs, "backend": "numpy"}
        with open(d / "params.index.json", "w", encoding="utf-8") as fh:
            json.dump(bm25s_params, fh, indent=1)
        with open(d / _META_FILE, "w", encoding="utf-8") as fh:
            json.dump(self.params | {"num_docs": self.num_docs}, fh, ensure_ascii=False, indent=1)

    @classmethod
    def load(cls, directory: str | os.PathLike) -> LexicalIndex:
        d = Path(directory)
        if not (d / _META_FILE).is_file():
            raise IndexNotFoundError(f"no lexical index in {d}")
        try:
            with open(d / _META_FILE, encoding="utf-8") as fh:
                params = json.load(fh)
            with open(d / "vocab.index.json", encoding="utf-8") as fh:
                vocab = json.load(fh)
            data, indices, indptr = (np.load(d / name, allow_pickle=False) for name in _BM25S_FILES)
            num_docs = int(params.pop("num_docs"))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise IndexCorruptError(f"lexical index in {d} is unreadable: {exc}") from None
        if params.get("tokenizer_version") != TOKENIZER_VERSION:
            raise StaleIndexError(f"lexical index in {d} was built by another tokenizer version; "
                                  "rebuild it (search build)")
        if (not isinstance(vocab, dict) or data.shape != indices.shape or indptr.ndim != 1
                or (len(indices) and (indices.max() >= num_docs or indices.min() < 0))
                or (len(indptr) and indptr[-1] != len(data))):
            raise IndexCorruptError(f"lexical index in {d} is inconsistent")
        return cls(data.astype(np.float32, copy=False), indices, indptr.astype(np.int64, copy=False),
                   vocab, num_docs, params)
