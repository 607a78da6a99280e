"""Text damaged before it reached us: mojibake and replacement characters.

Mojibake is valid UTF-8 that was decoded with a single-byte codec (Windows-1252 or Latin-1) and
saved again: "Huyện" (bytes E1 BB 87 for "ệ") becomes "Huyá»‡n". The cleaner then drops most of it
as junk (lines without diacritics look like widgets), so such an article would be indexed as a
few scraps. It is recognised by runs of Latin-1-range characters whose bytes form UTF-8 sequences
again; a handful in a long article may be a real "Â©", so the share of them counts, not their mere
presence. Replacement characters (U+FFFD) mark bytes a decoder already gave up on.
"""

from __future__ import annotations

import re

__all__ = ["damage", "repair_sample"]

#: an article is refused when at least this many mojibake sequences cover at least this share of its
#: non-ASCII characters (a garbled Vietnamese text scores over 80 %, a stray "Â©" next to nothing)
MIN_SEQUENCES, MIN_SHARE = 3, 0.05
MIN_REPLACEMENTS = 3


def _byte(ch: str) -> int | None:
    """The byte a single-byte codec decoded to ``ch`` (Windows-1252 first, then Latin-1)."""
    try:
        b = ch.encode("cp1252")
        return b[0] if len(b) == 1 and b[0] >= 0x80 else None
    except UnicodeEncodeError:
        return ord(ch) if 0x80 <= ord(ch) <= 0xFF else None


_HIGH = "".join(chr(c) for c in range(0x80, 0x10000) if _byte(chr(c)) is not None)
_RUN = re.compile("[" + re.escape(_HIGH) + "]{2,}")
_UTF8_SEQ = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


def _repairs(run: str) -> list[tuple[int, int, str]]:
    """(start, end, meant) of each UTF-8 sequence hidden in a run of high characters."""
    raw = bytes(_byte(ch) or 0 for ch in run)  # one byte per character
    out = []
    for m in _UTF8_SEQ.finditer(raw):
        try:
            meant = m.group().decode("utf-8")
        except UnicodeDecodeError:
            continue
        if meant.isalpha() or meant in "“”‘’–—…•\u00a0©®°":
            out.append((m.start(), m.end(), meant))
    return out


def repair_sample(word: str) -> str:
    """``word`` with its mojibake sequences decoded ("Huyá»‡n" → "Huyện")."""
    out, pos = [], 0
    for m in _RUN.finditer(word):
        out.append(word[pos:m.start()])
        run, last = m.group(), 0
        for a, b, meant in _repairs(run):
            out += [run[last:a], meant]
            last = b
        out.append(run[last:])
        pos = m.end()
    out.append(word[pos:])
    return "".join(out)


def damage(text: str) -> str | None:
    """Why ``text`` looks damaged (one sentence with an example and the remedy), or None."""
    n_high = sum(1 for ch in text if ord(ch) > 0x7F)
    sequences, covered, example = 0, 0, None
    for m in _RUN.finditer(text):
        found = _repairs(m.group())
        sequences += len(found)
        covered += sum(b - a for a, b, _ in found)
        if found and example is None:
            s = text.rfind(" ", 0, m.start()) + 1
            e = text.find(" ", m.end())
            word = text[s:e if e >= 0 else len(text)].strip(".,;:()\"'")[:40]
            example = word if word.isprintable() else None  # not one with a soft hyphen or a control
    if sequences >= MIN_SEQUENCES and covered >= MIN_SHARE * n_high:
        example = example or "Huyá»‡n"
        return (f"the text is garbled: UTF-8 read with the wrong encoding ({sequences} sequences like "
                f"\"{example}\" for \"{repair_sample(example or '')}\"); save the page again as UTF-8 "
                "from its source (or repair the file, e.g. with ftfy) and ingest it again")
    replacements = text.count("\ufffd")
    if replacements >= MIN_REPLACEMENTS:
        return (f"the text holds {replacements} replacement characters (\ufffd): it was decoded wrongly "
                "before it was saved, and the letters are lost; save the page again as UTF-8 from its source")
    return None
