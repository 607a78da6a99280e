"""Vietnamese lexical evidence for English questions.

BM25 over Vietnamese text matches nothing of "which districts mobilized funds for housing" but the
place names. So an English question is turned into weighted Vietnamese terms before lexical search:

1. the reviewed domain glossary (``data/glossary_en_vi.tsv``): longest English phrase first, over
   crude lemmas (plural, -ed, -ing), each translation a term of weight 1;
2. words that are already Vietnamese — a place written with or without diacritics ("Bình Sơn",
   "Binh Son", "Covid") — pass through when the index knows them (a folded bigram of two such
   words, or a single word typed with diacritics);
3. any other content word goes to its nearest index-vocabulary terms by the embedder itself: the
   index vocabulary (frequent Vietnamese words and two-word terms) is embedded once at build time
   (``vocab.npy``), the word at query time, and a term counts when its similarity stands out from
   the whole vocabulary (z-score ≥ ``z_min``), at a lower weight.

``coverage`` is the share of the question's English content words that found a translation: it sets
the lexical weight of the fusion as vocabulary coverage does for Vietnamese questions.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from .. import data
from ..text.normalize import fold, normalize_line
from .lexical import EN_STOP_WORDS, STOP_WORDS

__all__ = ["Translation", "CrossLingual", "is_english", "english_tokens", "lemmas",
           "build_vocabulary", "XL_SETTINGS"]


@dataclass(frozen=True)
class _Settings:
    max_vocabulary: int = 20_000   # most frequent terms embedded at build time
    neighbours: int = 2            # nearest vocabulary terms per untranslated word
    z_min: float = 5.5             # a neighbour must stand out from the vocabulary by this much
    neighbour_weight: float = 0.5  # weight of a neighbour against a glossary translation


XL_SETTINGS = _Settings()

_EN_WORD = re.compile(r"[a-z][a-z'\-]*[a-z]|[a-z]")
_TOKEN = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*|\d+", re.UNICODE)


@lru_cache(maxsize=1)
def _glossary() -> tuple[dict[str, tuple[str, ...]], int]:
    table: dict[str, list[str]] = {}
    for r in data.rows("glossary_en_vi"):
        table.setdefault(r["en"].lower(), []).append(normalize_line(r["vi"]).lower())
    longest = max((len(k.split()) for k in table), default=1)
    return {k: tuple(v) for k, v in table.items()}, longest


@lru_cache(maxsize=1)
def _irregular() -> dict[str, str]:
    return {r["form"]: r["base"] for r in data.rows("irregular_en")}


def lemmas(word: str) -> list[str]:
    """The word and its crude English base forms: houses → house, donated → donate/donat,
    built → build (``data/irregular_en.tsv``) …"""
    out = [word]
    if word in _irregular():
        out.append(_irregular()[word])
    if word.endswith("ies") and len(word) > 4:
        out.append(word[:-3] + "y")
    if word.endswith("es") and len(word) > 3:
        out.append(word[:-2])
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        out.append(word[:-1])
    if word.endswith("ed") and len(word) > 4:
        out += [word[:-2], word[:-1], word[:-3] if word[-3] == word[-4] else word[:-2]]
    if word.endswith("ing") and len(word) > 5:
        out += [word[:-3], word[:-3] + "e", word[:-4] if word[-4] == word[-5] else word[:-3]]
    if word.endswith("'s"):
        out.append(word[:-2])
    return list(dict.fromkeys(out))


def _phrase_heads(words: list[str]) -> list[str]:
    """Glossary keys a run of words may stand for: its last word's base forms ("study
    conferences"), and for a phrase its first word's too — a phrasal verb bends its verb
    ("handed out", "took part", "gave up land")."""
    lasts = lemmas(words[-1])
    if len(words) == 1:
        return lasts
    middle = words[1:-1]
    return list(dict.fromkeys(" ".join([first, *middle, last])
                              for first in lemmas(words[0]) for last in lasts))


def english_tokens(text: str) -> list[str]:
    return _EN_WORD.findall(text.lower())


def is_english(text: str) -> bool:
    """True when most words of ``text`` are English (function words or glossary terms).

    A question may name Vietnamese places ("How much did Bình Sơn raise …") and still be English;
    a Vietnamese question typed without diacritics shares few words with English."""
    words = [w for w in _TOKEN.findall(text.lower()) if not w.isdigit()]
    if not words:
        return False
    glossary, _ = _glossary()
    english = sum(1 for w in words if w.isascii() and (
        w in EN_STOP_WORDS or any(lem in glossary for lem in lemmas(w)) or w in _EN_EXTRA))
    return english / len(words) >= 0.4


# question words and fillers that are English but translate to nothing useful
_EN_EXTRA = frozenset(data.words("stopwords_en_question"))


@dataclass
class Translation:
    """Vietnamese terms of an English question: ``terms`` (term → weight), the words translated
    and not, and ``coverage`` (share of content words translated)."""

    terms: dict[str, float] = field(default_factory=dict)
    #: one group per English word or phrase: (as written, its Vietnamese alternatives); an
    #: untranslated word has none. Answers match concepts, not the pooled terms.
    groups: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)
    translated: list[str] = field(default_factory=list)
    untranslated: list[str] = field(default_factory=list)
    #: the words translated by the embedder's nearest terms, not by the glossary (less sure)
    neighboured: list[str] = field(default_factory=list)
    coverage: float = 0.0

    @property
    def text(self) -> str:
        """The terms as a Vietnamese pseudo-query ("; " between terms keeps bigrams inside a term)."""
        return " ; ".join(self.terms)


class CrossLingual:
    """Translator of English questions into weighted Vietnamese terms of one index."""

    def __init__(self, known: Callable[[str], bool], vocabulary: Sequence[str] = (),
                 vectors: np.ndarray | None = None,
                 embed_queries: Callable[[list[str]], np.ndarray] | None = None,
                 settings: _Settings = XL_SETTINGS):
        self._known = known  # does the index vocabulary know this folded token ("~binh_son")?
        self.vocabulary = list(vocabulary)
        self.vectors = vectors
        self._embed = embed_queries
        self.settings = settings

    @classmethod
    def load(cls, terms_path: str | Path, vectors_path: str | Path, known: Callable[[str], bool],
             embed_queries: Callable[[list[str]], np.ndarray] | None) -> CrossLingual:
        """From the vocabulary files of an index; without them (an index built without), glossary only."""
        try:
            vocab = json.loads(Path(terms_path).read_text(encoding="utf-8"))
            vectors = np.load(vectors_path, allow_pickle=False)
        except (OSError, ValueError):
            return cls(known)
        if not isinstance(vocab, list) or vectors.ndim != 2 or len(vocab) != len(vectors):
            return cls(known)
        return cls(known, vocab, vectors, embed_queries)

    def translate(self, question: str) -> Translation:
        glossary, longest = _glossary()
        # "ethnic-minority", "folk-song": the words of a hyphenated compound the glossary lacks
        raw = [part for tok in _TOKEN.findall(normalize_line(question))
               for part in (tok.split("-") if "-" in tok and tok.lower() not in glossary else [tok])]
        out = Translation()
        content = 0
        pending: list[str] = []  # untranslated content words, for the embedder
        i = 0
        while i < len(raw):
            word = raw[i]
            low = word.lower()
            # Vietnamese already: a pair of words the index knows as a folded bigram ("Binh Son")
            if i + 1 < len(raw) and self._known(f"~{fold(low)}_{fold(raw[i + 1].lower())}") \
                    and not (low in EN_STOP_WORDS or raw[i + 1].lower() in EN_STOP_WORDS):
                out.terms.setdefault(f"{low} {raw[i + 1].lower()}", 1.0)
                out.groups.append((f"{word} {raw[i + 1]}", (f"{low} {raw[i + 1].lower()}",)))
                out.translated += [word, raw[i + 1]]
                content += 2
                i += 2
                continue
            hit = None
            if low.isascii():
                for n in range(min(longest, len(raw) - i), 0, -1):
                    words = [w.lower() for w in raw[i:i + n]]
                    heads = _phrase_heads(words)
                    hit = next((h for h in heads if h in glossary), None)
                    if hit:
                        for vi in glossary[hit]:
                            out.terms.setdefault(vi, 1.0)
                        out.groups.append((" ".join(raw[i:i + n]), glossary[hit]))
                        out.translated += raw[i:i + n]
                        content += n
                        i += n
                        break
            if hit:
                continue
            i += 1
            if low in EN_STOP_WORDS or low in _EN_EXTRA or low.isdigit() or len(low) < 2:
                continue
            content += 1
            if not low.isascii() or (low not in STOP_WORDS and self._known(f"~{fold(low)}") and word[0].isupper()):
                out.terms.setdefault(low, 1.0)  # a Vietnamese word or a capitalised name the index knows
                out.groups.append((word, (low,)))
                out.translated.append(word)
            else:
                pending.append(low)
        for word, terms in zip(pending, self._neighbours(pending)):
            out.groups.append((word, tuple(terms)))
            if terms:
                out.translated.append(word)
                out.neighboured.append(word)
                for t in terms:
                    out.terms.setdefault(t, self.settings.neighbour_weight)
            else:
                out.untranslated.append(word)
        out.coverage = len(out.translated) / content if content else 0.0
        return out

    def _neighbours(self, words: list[str]) -> list[list[str]]:
        if not words or self.vectors is None or self._embed is None or not len(self.vocabulary):
            return [[] for _ in words]
        q = np.asarray(self._embed(words), dtype=np.float32)
        sims = q @ self.vectors.T.astype(np.float32)
        out = []
        for row in sims:
            z = (row - row.mean()) / max(float(row.std()), 1e-6)
            top = np.argsort(-row, kind="stable")[: self.settings.neighbours]
            out.append([self.vocabulary[j] for j in top if z[j] >= self.settings.z_min])
        return out


def build_vocabulary(texts: Sequence[str], max_terms: int = XL_SETTINGS.max_vocabulary) -> list[str]:
    """The index vocabulary to embed: content words and two-word terms of ``texts``, most frequent
    first (ties by the term, so the list is deterministic)."""
    counts: Counter[str] = Counter()
    for text in texts:
        for run in re.split(r"[^\w\s]|\d", text.lower()):
            words = [w for w in run.split() if w]
            for j, w in enumerate(words):
                if w in STOP_WORDS or len(w) < 2:
                    continue
                counts[w] += 1
                if j + 1 < len(words) and words[j + 1] not in STOP_WORDS and len(words[j + 1]) > 1:
                    counts[f"{w} {words[j + 1]}"] += 1
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return [t for t, _ in ranked[:max_terms]]
