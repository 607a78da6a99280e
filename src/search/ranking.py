"""Query-aware fusion of dense and lexical scores.

Plain reciprocal-rank fusion averages a good ranking with a useless one: an English question over
Vietnamese text gives BM25 nothing but place names to match, and mixing that noise in lowers recall.
So the lexical weight follows the evidence that lexical matching can work for *this* query: the share
of its content tokens found in the index vocabulary (``coverage``, ~0 for English, ~1 for Vietnamese
with or without diacritics). Both score lists are min-max scaled over the candidate pool, then mixed:

    score = w · lexical + (1 − w) · dense,   w = W_MAX · coverage ** POWER

With coverage 0 the ranking is exactly the dense one, with full coverage mostly lexical, which is what
the development queries (``search eval``) show each side is good at.
"""

from __future__ import annotations

import numpy as np

__all__ = ["lexical_weight", "minmax", "fuse", "W_MAX", "POWER"]

W_MAX = 0.9  # tuned on eval/queries.jsonl (see notebooks/04_evaluation.ipynb)
POWER = 2.0


def lexical_weight(coverage: float) -> float:
    coverage = min(max(float(coverage), 0.0), 1.0)
    return W_MAX * coverage**POWER


def minmax(scores: np.ndarray) -> np.ndarray:
    scores = np.asarray(scores, dtype=np.float64)
    if scores.size == 0:
        return scores
    lo, hi = float(scores.min()), float(scores.max())
    if hi - lo < 1e-12:
        return np.where(scores > 0, 1.0, 0.0) if hi > 0 else np.zeros_like(scores)
    return (scores - lo) / (hi - lo)


def fuse(dense: np.ndarray, lexical: np.ndarray, w_lex: float) -> np.ndarray:
    """Fused scores of a candidate pool (same order in both arrays)."""
    return w_lex * minmax(lexical) + (1.0 - w_lex) * minmax(dense)
