"""Query-aware fusion of dense and lexical scores — the one fusion formula of the project.

Plain reciprocal-rank fusion averages a good ranking with a useless one: an English question over
Vietnamese text gives BM25 nothing but place names to match, and mixing that noise in lowers recall.
So the lexical weight follows the evidence that lexical matching can work for *this* query: the share
of its content tokens found in the index vocabulary (``coverage``, ~0 for English, ~1 for Vietnamese
with or without diacritics)::

    w = w_max · coverage ** power
    score = w · lexical + (1 − w) · dense          (blend)

Search blends min-max scaled scores of a candidate pool (:func:`fuse`); answers blend raw cosines
with a word-overlap score on a floor (:func:`blend`). With coverage 0 the ranking is exactly the dense
one, with full coverage mostly lexical, which is what the development queries (``search eval``) show
each side is good at. The weights are :class:`RankingSettings`, tuned on ``eval/queries.jsonl``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace

import numpy as np

__all__ = ["METHODS", "RankingSettings", "DEFAULT_RANKING", "lexical_weight", "minmax", "blend",
           "fuse"]

#: retrieval methods, in the order reports list them (hybrid is the default of every query)
METHODS = ("lexical", "dense", "hybrid")


@dataclass(frozen=True)
class RankingSettings:
    """How search fuses its two rankings (overridable per call: ``idx.search(..., settings=…)``)."""

    w_max: float = 0.9   # lexical weight at full vocabulary coverage (tuned on the dev queries)
    power: float = 2.0   # how fast the weight grows with coverage
    pool: int = 50       # candidates taken from each side before fusion (at least 5·k)
    # An English query's lexical side is its Vietnamese translation: weaker evidence than words
    # the user typed, so it weighs less at full coverage (tuned on the English dev queries: 0.55–0.6
    # best; 0.65 and above lose passages of the answer benchmark's held-out English questions).
    w_max_translated: float = 0.6
    power_translated: float = 1.0

    def as_dict(self) -> dict[str, float]:
        return asdict(self)

    def replace(self, **changes) -> RankingSettings:
        return replace(self, **changes)

    def for_translation(self) -> RankingSettings:
        """The settings that weigh a translated (English) query."""
        return replace(self, w_max=self.w_max_translated, power=self.power_translated)


DEFAULT_RANKING = RankingSettings()


def lexical_weight(coverage: float, settings: RankingSettings = DEFAULT_RANKING) -> float:
    """Weight of the lexical side for a query whose content words the index knows to ``coverage``."""
    coverage = min(max(float(coverage), 0.0), 1.0)
    return settings.w_max * coverage ** settings.power


def minmax(scores: np.ndarray) -> np.ndarray:
    """Scores scaled to [0, 1] over the pool (all equal: 1 where positive, else 0)."""
    scores = np.asarray(scores, dtype=np.float64)
    if scores.size == 0:
        return scores
    lo, hi = float(scores.min()), float(scores.max())
    if hi - lo < 1e-12:
        return np.where(scores > 0, 1.0, 0.0) if hi > 0 else np.zeros_like(scores)
    return (scores - lo) / (hi - lo)


def blend(dense: np.ndarray, lexical: np.ndarray, w_lex: float) -> np.ndarray:
    """``w_lex · lexical + (1 − w_lex) · dense`` for scores already on comparable scales."""
    return w_lex * np.asarray(lexical, dtype=np.float64) + (1.0 - w_lex) * np.asarray(dense, dtype=np.float64)


def fuse(dense: np.ndarray, lexical: np.ndarray, w_lex: float) -> np.ndarray:
    """Fused scores of a candidate pool (same order in both arrays): the blend of min-max scores."""
    return blend(minmax(dense), minmax(lexical), w_lex)
