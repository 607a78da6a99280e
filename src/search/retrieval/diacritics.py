"""Diacritics put back on Vietnamese typed without them, for the embedder.

People type "dia phuong nao ho tro nguoi dan bi lu lut"; BM25 matches that through folded tokens,
but the e5 embedder reads unaccented Vietnamese poorly (dense recall@5 of such queries 0.41 on the
passage benchmark, 0.91 once restored — ``docs/benchmarks.md``). The restorer picks, for each word,
the accented form most likely beside its neighbours ("bao nhieu" → "bao nhiêu", not "bào nhiều"):
a bigram model over the index's own sentences and the reviewed word lists (the glossary's and the
synonym table's Vietnamese, ``question_words_vi``), decoded with Viterbi. A word it has never seen
stays as typed. Only the text given to the embedder changes; matching on words stays as typed.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable

from .. import data
from ..text.normalize import fold

__all__ = ["DiacriticRestorer", "needs_restoring"]

_WORD = re.compile(r"[^\W\d_]+")
_PIECE = re.compile(r"[^\W\d_]+|[^\w]+|\d+|_")
_CANDIDATES = 8          # accented forms tried per word (the commonest)
_ALPHA = 2.0             # weight of the unigram prior in a bigram's estimate


def needs_restoring(text: str) -> bool:
    """Letters, none of them accented: Vietnamese typed without diacritics (or English — the caller
    tells them apart)."""
    return bool(_WORD.search(text)) and fold(text) == text.lower()


class DiacriticRestorer:
    """Counts of accented words and word pairs; :meth:`restore` decodes a folded text with them."""

    def __init__(self) -> None:
        self.unigrams: Counter[str] = Counter()
        self.bigrams: Counter[tuple[str, str]] = Counter()
        self._forms: dict[str, list[str]] | None = None

    @classmethod
    def from_texts(cls, texts: Iterable[str], *, max_chars: int = 4_000_000) -> DiacriticRestorer:
        """From ``texts`` (read in order up to ``max_chars``: the counts settle long before a
        large corpus ends) and the shipped word lists."""
        r = cls()
        seen = 0
        for t in texts:
            r.add(t)
            seen += len(t)
            if seen >= max_chars:
                break
        for _ in range(3):  # the lists are few lines against a corpus: count them a few times
            for phrase in _word_lists():
                r.add(phrase)
        return r

    def add(self, text: str) -> None:
        for run in re.split(r"[^\w\s]+|\d+", text.lower()):
            words = _WORD.findall(run)
            self.unigrams.update(words)
            self.bigrams.update(zip(words, words[1:]))
        self._forms = None

    @property
    def forms(self) -> dict[str, list[str]]:
        """folded word → its accented forms, commonest first (ties by spelling: deterministic)."""
        if self._forms is None:
            by: dict[str, list[str]] = defaultdict(list)
            for w in self.unigrams:
                by[fold(w)].append(w)
            self._forms = {k: sorted(v, key=lambda w: (-self.unigrams[w], w))[:_CANDIDATES]
                           for k, v in by.items()}
        return self._forms

    def restore(self, text: str) -> str:
        """``text`` with the diacritics its words most likely had; other characters unchanged."""
        pieces = _PIECE.findall(text)
        out = list(pieces)
        run: list[int] = []  # indexes of the words of one run (no punctuation or digit between)
        for i, p in enumerate(pieces + [","]):
            if i < len(pieces) and _WORD.fullmatch(p):
                run.append(i)
            elif i < len(pieces) and p.isspace():
                continue
            else:
                if run:
                    for j, w in zip(run, self._decode([pieces[j] for j in run])):
                        out[j] = w
                run = []
        return "".join(out)

    def _decode(self, words: list[str]) -> list[str]:
        total = sum(self.unigrams.values()) or 1
        vocab = len(self.unigrams) or 1
        forms = self.forms

        def prior(w: str) -> float:
            return (self.unigrams[w] + 0.1) / (total + 0.1 * vocab)

        cands: list[list[str]] = []
        for w in words:
            low = w.lower()
            cands.append(forms[low] if fold(low) == low and low in forms else [low])
        scores = [{c: math.log(prior(c)) for c in cands[0]}]
        back: list[dict[str, str]] = [{}]
        for i in range(1, len(words)):
            cur: dict[str, float] = {}
            arg: dict[str, str] = {}
            for c in cands[i]:
                p_c = prior(c)
                best, best_prev = -math.inf, ""
                for prev, s in scores[-1].items():
                    v = s + math.log((self.bigrams[(prev, c)] + _ALPHA * p_c) / (self.unigrams[prev] + _ALPHA))
                    if v > best:
                        best, best_prev = v, prev
                cur[c], arg[c] = best, best_prev
            scores.append(cur)
            back.append(arg)
        last = max(scores[-1], key=lambda c: (scores[-1][c], c))
        seq = [last]
        for i in range(len(words) - 1, 0, -1):
            seq.append(back[i][seq[-1]])
        seq.reverse()
        return [_same_case(typed, w) for typed, w in zip(words, seq)]


def _same_case(typed: str, word: str) -> str:
    if typed.isupper() and len(typed) > 1:
        return word.upper()
    if typed[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


def _word_lists() -> list[str]:
    out = list(data.words("question_words_vi"))
    out += [r["vi"] for r in data.rows("glossary_en_vi")]
    for r in data.rows("synonyms_vi"):
        out += [a for a in r["alternatives"].split("|") if a.strip()]
    return out
