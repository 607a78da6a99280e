"""Paragraph and sentence boundaries in normalised Vietnamese text, as character offsets.

Offsets (not strings) are returned so every later stage can point back into the cleaned article.
"""

from __future__ import annotations

import re

__all__ = ["paragraph_spans", "sentence_spans"]

# A sentence ends at . ! ? … (optionally followed by closing quotes/brackets) before a space and an
# upper-case letter, a digit, an opening quote or a dash. Abbreviations that end with a period and are
# followed by a capitalised name (TP. Long Xuyên, Đ/c. …) must not end a sentence.
_END = re.compile(r"""[.!?…]+["'”’»)\]]*(?=\s+["'“‘«(\[\-–—]?[\dA-ZÀ-ỸĐ])""")
_ABBREV = re.compile(
    r"(?:\b(?:TP|Tp|tp|TT|Th\.S|ThS|TS|PGS|GS|BS|KS|Đ/c|đ/c|Mr|St|v\.v|Q|P|H|X|TX|Ths|Nxb|NXB|tr|No|Số)\.|\b[A-ZĐ]\.)$"
)


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


def _sentences_in(text: str, start: int, end: int) -> list[tuple[int, int]]:
    spans = []
    s = start
    for m in _END.finditer(text, start, end):
        e = m.end()
        head = text[s:m.start() + 1]
        if _ABBREV.search(head):
            continue
        spans.append((s, e))
        s = e
        while s < end and text[s].isspace():
            s += 1
    if s < end:
        spans.append((s, end))
    return [(a, b) for a, b in spans if text[a:b].strip()]


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Spans of sentences, never crossing a paragraph boundary."""
    end = len(text) if end is None else end
    out: list[tuple[int, int]] = []
    for ps, pe in paragraph_spans(text[:end]):
        if pe <= start:
            continue
        out.extend(_sentences_in(text, max(ps, start), pe))
    return out
