"""The same article twice: exactly (same words) or nearly (the same report syndicated by two outlets).

An article's signature is the sha256 of its words (lower case, punctuation and spacing ignored) and a
MinHash of its 5-word shingles (:data:`N_HASHES` hashes; blake2b of each shingle, then fixed
multiply-add permutations, so signatures are the same in every process and the flags they give are
deterministic). Two articles are near duplicates when the estimated Jaccard similarity of their
shingle sets reaches :data:`NEAR` — a syndicated copy with another headline, byline or a sentence
changed scores 0.8–1.0; two reports of one locality on one directive share stock phrases but stay
under 0.2. Locality-sensitive hashing (bands of the signature) finds the candidates, so checking a
corpus is linear in its size, not quadratic.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

import numpy as np

__all__ = ["Signature", "signature", "similarity", "DuplicateFinder", "Match", "NEAR", "SHINGLE", "N_HASHES"]

SHINGLE = 5
N_HASHES = 128
BANDS = 32  # of 4 hashes: pairs from ~0.45 similarity become candidates, then are scored
#: estimated Jaccard similarity of 5-word shingles from which two articles are near duplicates
NEAR = 0.7

_rng = np.random.default_rng(20240513)
_A = _rng.integers(1, 2**63, size=N_HASHES, dtype=np.uint64) * np.uint64(2) + np.uint64(1)  # odd
_B = _rng.integers(0, 2**63, size=N_HASHES, dtype=np.uint64)
_WORD = re.compile(r"\w+")
_EMPTY = np.full(N_HASHES, np.iinfo(np.uint64).max, dtype=np.uint64)


@dataclass(frozen=True)
class Signature:
    exact: str
    minhash: np.ndarray = field(repr=False, compare=False)
    n_words: int = 0


def _hash(shingle: str) -> int:
    return int.from_bytes(hashlib.blake2b(shingle.encode("utf-8"), digest_size=8).digest(), "little")


def signature(text: str) -> Signature:
    """The signature of an article's cleaned text."""
    words = _WORD.findall(text.lower())
    exact = hashlib.sha256(" ".join(words).encode("utf-8")).hexdigest()
    if not words:
        return Signature(exact, _EMPTY.copy(), 0)
    n = max(1, len(words) - SHINGLE + 1)
    hashes = np.fromiter((_hash(" ".join(words[i:i + SHINGLE])) for i in range(n)), dtype=np.uint64, count=n)
    hashes = np.unique(hashes)
    out = _EMPTY.copy()
    with np.errstate(over="ignore"):
        for start in range(0, len(hashes), 4096):  # bounded memory for a 2 MB article
            block = hashes[start:start + 4096, None] * _A[None, :] + _B[None, :]  # wraps mod 2**64
            np.minimum(out, block.min(axis=0), out=out)
    return Signature(exact, out, len(words))


def similarity(a: Signature, b: Signature) -> float:
    """Estimated Jaccard similarity of two articles' shingle sets (1.0 for the same words)."""
    if a.exact == b.exact:
        return 1.0
    if not a.n_words or not b.n_words:
        return 0.0
    return float((a.minhash == b.minhash).mean())


@dataclass(frozen=True)
class Match:
    key: str
    similarity: float
    exact: bool


class DuplicateFinder:
    """Signatures of the articles seen so far; ``match`` finds the one a new article repeats."""

    def __init__(self) -> None:
        self._sigs: dict[str, Signature] = {}
        self._exact: dict[str, list[str]] = {}
        self._buckets: dict[tuple[int, bytes], list[str]] = {}

    def add(self, key: str, sig: Signature) -> None:
        self._sigs[key] = sig
        self._exact.setdefault(sig.exact, []).append(key)
        if sig.n_words:
            rows = N_HASHES // BANDS
            for band in range(BANDS):
                self._buckets.setdefault((band, sig.minhash[band * rows:(band + 1) * rows].tobytes()), []).append(key)

    def match(self, sig: Signature, *, ignore: str | None = None) -> Match | None:
        """The article ``sig`` repeats (exactly, else the most similar at or above :data:`NEAR`),
        leaving out the one called ``ignore``; None when it repeats none."""
        same = [k for k in self._exact.get(sig.exact, []) if k != ignore]
        if same:
            return Match(same[0], 1.0, True)
        if not sig.n_words:
            return None
        rows = N_HASHES // BANDS
        cands: set[str] = set()
        for band in range(BANDS):
            cands.update(self._buckets.get((band, sig.minhash[band * rows:(band + 1) * rows].tobytes()), ()))
        cands.discard(ignore)
        best = max(((similarity(sig, self._sigs[c]), c) for c in sorted(cands)), default=None,
                   key=lambda t: t[0])
        if best is None or best[0] < NEAR:
            return None
        return Match(best[1], best[0], self._sigs[best[1]].exact == sig.exact)
