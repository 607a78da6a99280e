"""Paragraph-aware chunks within the embedder's token budget.

A chunk is a span of the cleaned article text. Paragraphs are the natural unit; a short paragraph
(the headline, a one-line lead) joins the next one so it is not embedded alone, and a paragraph over
the budget is cut between sentences into pieces of similar size. A sentence is never cut: one longer
than the whole budget stays a chunk of its own (the model then truncates it; the chunk records that).
Chunk ids are ``<doc_id>#<ordinal>``, so the same article and settings always give the same ids.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass

from ..text.segment import paragraph_spans, sentence_spans

__all__ = ["Chunk", "ChunkSettings", "DEFAULT_CHUNKING", "chunk_text"]


@dataclass(frozen=True)
class ChunkSettings:
    max_tokens: int = 256  # e5-small accepts 512; smaller chunks give sharper evidence
    min_tokens: int = 48  # a paragraph shorter than this joins its neighbour

    def as_dict(self) -> dict:
        return asdict(self)


DEFAULT_CHUNKING = ChunkSettings()


@dataclass(frozen=True)
class Chunk:
    chunk_id: str
    doc_id: str
    ordinal: int
    start: int
    end: int
    text: str
    n_tokens: int
    over_budget: bool = False


def _balanced_groups(sizes: list[int], budget: int) -> list[tuple[int, int]]:
    """Split consecutive items into the fewest groups within budget, of similar total size."""
    total = sum(sizes)
    n_groups = max(1, -(-total // budget))
    while True:
        target = total / n_groups
        groups, start, acc = [], 0, 0
        for i, size in enumerate(sizes):
            # close the group when adding this item would overshoot the target by more than it helps
            if i > start and (acc + size > budget or abs(acc + size - target) > abs(acc - target)):
                groups.append((start, i))
                start, acc = i, 0
            acc += size
        groups.append((start, len(sizes)))
        fits = all(sum(sizes[a:b]) <= budget or b - a == 1 for a, b in groups)
        if fits or n_groups >= len(sizes):
            return groups
        n_groups += 1


def _units(text: str, count: Callable[[str], int], budget: int) -> list[tuple[int, int, int]]:
    """(start, end, tokens) of paragraphs, with over-budget paragraphs cut between sentences."""
    units = []
    for ps, pe in paragraph_spans(text):
        n = count(text[ps:pe])
        if n <= budget:
            units.append((ps, pe, n))
            continue
        sents = sentence_spans(text, ps, pe)
        sizes = [count(text[a:b]) for a, b in sents]
        for a, b in _balanced_groups(sizes, budget):
            s, e = sents[a][0], sents[b - 1][1]
            units.append((s, e, count(text[s:e])))
    return units


def chunk_text(
    doc_id: str,
    text: str,
    count_tokens: Callable[[str], int],
    settings: ChunkSettings = DEFAULT_CHUNKING,
) -> list[Chunk]:
    """Chunks of ``text`` (the cleaned article); ``count_tokens`` is the embedder's tokenizer."""
    budget = settings.max_tokens
    units = _units(text, count_tokens, budget)
    merged: list[list[int]] = []  # [start, end, tokens]
    for s, e, n in units:
        if merged:
            ps, pe, pn = merged[-1]
            if pn < settings.min_tokens or n < settings.min_tokens:  # only then is a join wanted
                joined = count_tokens(text[ps:e])
                if joined <= budget:
                    merged[-1] = [ps, e, joined]
                    continue
        merged.append([s, e, n])
    return [
        Chunk(
            chunk_id=f"{doc_id}#{i:03d}",
            doc_id=doc_id,
            ordinal=i,
            start=s,
            end=e,
            text=text[s:e],
            n_tokens=n,
            over_budget=n > budget,
        )
        for i, (s, e, n) in enumerate(merged)
    ]
