"""Paragraph and sentence boundaries in normalised Vietnamese text, as character offsets.

Offsets (not strings) are returned so every later stage can point back into the cleaned article.
"""

from __future__ import annotations

import re

__all__ = ["paragraph_spans", "sentence_spans"]

def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """Spans of paragraphs: runs of text separated by blank lines (or single newlines)."""
    spans = []
    for m in re.finditer(r"[^\n]+", text):
        s, e = m.span()
        # strip spaces at the edges so spans hold text only
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if s < e:
            spans.append((s, e))
    return spans


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Spans of sentences within ``text[start:end]``, never crossing a line break.

    The project's one sentence splitter (figures, index sentences, chunks and precedents agree on
    boundaries): ``figures.split_sentences``, which knows abbreviations ("TP.", "Đ/c."), list markers
    ("1.", "II.") and numbers ("3.700.000", "6,2").
    """
    from .figures import split_sentences

    end = len(text) if end is None else end
    return [(s + start, e + start) for s, e in split_sentences(text[start:end])]
