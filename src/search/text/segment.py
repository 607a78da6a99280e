"""Paragraph, sentence and clause boundaries in normalised Vietnamese text, as character offsets.

The project's one splitter: chunks, index sentences, figures, precedents and answers all agree on
where a sentence or a ";"-clause ends. Offsets (not strings) are returned so every later stage can
point back into the cleaned article.
"""

from __future__ import annotations

import re
from functools import lru_cache

from .. import data

__all__ = ["paragraph_spans", "sentence_spans", "split_sentences", "split_clauses", "clause_at"]


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


@lru_cache(maxsize=1)
def _abbreviations() -> frozenset[str]:
    return frozenset(data.words("abbreviations"))


_SENT_END = re.compile(r"(?:\./\.|[.!?…]+)[\"”’»)\]]*(?=\s|$)")
_SENT_NEXT = re.compile(r"\s*([\"“‘«(\[•\-–]?\s*[^\W\d_]|\d)")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of ``text``, white space trimmed; a line break always ends one.

    Splits after . ! ? … (and the "./." of Vietnamese news) when an upper-case letter, a digit or an
    opening quote follows; not after "TP.", "Đ/c.", "v.v.", initials, list numbers ("1.") or inside
    numbers ("3.700.000", "6,2").
    """
    spans: list[tuple[int, int]] = []
    for line in re.finditer(r"[^\n]+", text):
        start = line.start()
        for m in _SENT_END.finditer(text, line.start(), line.end()):
            if _is_boundary(text, start, m, line.end()):
                spans.append((start, m.end()))
                start = m.end()
        spans.append((start, line.end()))
    return [t for s, e in spans if (t := _trim(text, s, e))]


def sentence_spans(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Spans of the sentences within ``text[start:end]`` (offsets into ``text``)."""
    end = len(text) if end is None else end
    return [(s + start, e + start) for s, e in split_sentences(text[start:end])]


def _is_boundary(text: str, sent_start: int, m: re.Match, line_end: int) -> bool:
    if m.end() >= line_end or not text[m.end():line_end].strip():
        return True
    nxt = _SENT_NEXT.match(text, m.end(), line_end)
    if nxt is None:
        return False
    first = nxt.group(1)[-1]
    if first.isalpha() and not first.isupper():
        return False
    if m.group().startswith("./.") or m.group()[0] in "!?":
        return True
    word = re.search(r"(\S+)$", text[sent_start:m.start()])
    if word is None:
        return True
    w = word.group(1).lstrip("\"“‘«([")
    if m.group().startswith(".") and _is_abbreviation(w):
        return False
    alone = not text[sent_start:word.start()].strip()
    if alone and re.fullmatch(r"\d{1,2}|[IVXivx]{1,4}|[a-zđ]", w):
        return False  # "1. Nội dung", "II. Kết quả": a list marker, not a sentence
    return True


def _is_abbreviation(word: str) -> bool:
    if word.lower() in _abbreviations():
        return True
    if re.fullmatch(r"[^\W\d_]", word) and word.isupper():
        return True  # an initial: "Nguyễn V. An"
    return bool(re.fullmatch(r"(?:[^\W\d_]+\.)+[^\W\d_]*", word))  # "v.v", "Th.S", "U.S"


def _trim(text: str, s: int, e: int) -> tuple[int, int] | None:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return (s, e) if s < e else None


def split_clauses(text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """Spans of the ";"-separated clauses of ``text[start:end]`` (offsets into ``text``)."""
    end = len(text) if end is None else end
    out, s = [], start
    for i in range(start, end):
        if text[i] == ";":
            out.append((s, i))
            s = i + 1
    out.append((s, end))
    return [t for a, b in out if (t := _trim(text, a, b))]


def clause_at(text: str, start: int, end: int, pos: int) -> tuple[int, int]:
    """The ";"-clause of ``text[start:end]`` that holds ``pos`` (the whole span when none does)."""
    return next(((a, b) for a, b in split_clauses(text, start, end) if a <= pos < b), (start, end))
