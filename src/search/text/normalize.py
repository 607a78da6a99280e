"""Text normalisation for Vietnamese: one canonical form for storage, one folded form for matching.

``normalize`` gives NFC text with one tone-mark placement style ("new style": hòa, ủy, thủy),
Đ instead of the look-alike Ð, and tidy whitespace. ``fold`` removes every diacritic (đ → d) and
lower-cases, keeping the string's length, so offsets found in the folded text are offsets in the
normalised text too. Both are idempotent.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["normalize", "normalize_line", "fold", "fix_tone_marks"]

# Combining tone marks of Vietnamese (grave, acute, hook above, tilde, dot below).
_TONES = "\u0300\u0301\u0309\u0303\u0323"
_TONE_RE = re.compile(f"[{_TONES}]")

# Look-alikes and invisible characters met in text copied from the web.
_CHAR_MAP = {
    "\u00d0": "\u0110",  # Ð (Icelandic eth) → Đ
    "\u00f0": "\u0111",  # ð → đ
    "\u0189": "\u0110",  # Ɖ (African D) → Đ
    "\u00a0": " ", "\u2007": " ", "\u202f": " ", "\u2009": " ", "\u200a": " ",
    "\u2002": " ", "\u2003": " ", "\u3000": " ", "\t": " ", "\u000b": " ", "\u000c": " ",
    "\u200b": "", "\u200c": "", "\u200d": "", "\u2060": "", "\ufeff": "", "\u00ad": "",
    "\u2028": "\n", "\u2029": "\n", "\r": "\n", "\u0085": "\n",
}
_CHAR_TABLE = str.maketrans(_CHAR_MAP)

# Syllables whose nucleus is oa / oe / uy with no final consonant: the new style puts the tone
# on the first vowel (hoà → hòa, uỷ → ủy, thuỷ → thủy). "qu" + y is a consonant + vowel (quý), and
# a final consonant keeps the mark on the second vowel (hoàn, huỳnh): neither is touched.
_ONSET = r"(?:ngh|ch|gh|gi|kh|ng|nh|ph|th|tr|[bcdđghklmnprstvx])?"
_OAOEUY = re.compile(rf"^({_ONSET})([oOuU])([aAeEyY])$", re.IGNORECASE)
# Letters plus any combining marks stuck to them (a stray mark belongs to the word it follows).
_WORD_RE = re.compile(r"(?:[^\W\d_]|[\u0300-\u036f])+")


def _fix_syllable(word: str) -> str:
    decomposed = unicodedata.normalize("NFD", word)
    tones = _TONE_RE.findall(decomposed)
    if len(tones) != 1:
        return word
    base = unicodedata.normalize("NFC", _TONE_RE.sub("", decomposed))
    m = _OAOEUY.match(base)
    if not m:
        return word
    onset, v1, v2 = m.groups()
    if v1 in "uU" and v2 not in "yY":
        return word
    if v1 in "oO" and v2 in "yY":
        return word
    fixed = onset + unicodedata.normalize("NFC", v1 + tones[0]) + v2
    return fixed


# A syllable changes only when its tone mark sits on the a/e/y after o/u (old style); in NFC text
# that second vowel is a precomposed toned letter. Text without such a pair is returned as it is.
_OLD_STYLE = re.compile("[oOuU][àáảãạèéẻẽẹỳýỷỹỵÀÁẢÃẠÈÉẺẼẸỲÝỶỸỴ]")
_SYLLABLE_CACHE: dict[str, str] = {}


def _fixed_word(m: re.Match[str]) -> str:
    word = m.group(0)
    if len(word) > 4:
        return word
    fixed = _SYLLABLE_CACHE.get(word)
    if fixed is None:
        if len(_SYLLABLE_CACHE) > 100_000:  # syllables are few; this only bounds odd input
            _SYLLABLE_CACHE.clear()
        fixed = _SYLLABLE_CACHE[word] = _fix_syllable(word)
    return fixed


def fix_tone_marks(text: str) -> str:
    """Put tone marks of oa/oe/uy syllables on the first vowel (new style). Input must be NFC."""
    if not _OLD_STYLE.search(text):
        return text
    return _WORD_RE.sub(_fixed_word, text)


def normalize_line(line: str) -> str:
    """Normalise one line: NFC, canonical characters and tone marks, single spaces, trimmed."""
    line = unicodedata.normalize("NFC", line.translate(_CHAR_TABLE))
    line = fix_tone_marks(line)
    return re.sub(r" {2,}", " ", line.replace("\n", " ")).strip()


def normalize(text: str) -> str:
    """Normalise a whole text, keeping its line structure (one paragraph a line, blank lines folded)."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").translate(_CHAR_TABLE))
    lines = [normalize_line(line) for line in text.split("\n")]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out)


def _fold_char(ch: str) -> str:
    if ch in "đĐ\u00d0\u00f0\u0189\u0256":  # đ, and the look-alikes normalize() maps to it
        return "d"
    base = "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
    if len(base) != 1:
        base = ch
    low = base.lower()
    return low if len(low) == 1 else base


# code point → folded character, for str.translate; grown with every character met
_FOLD_TABLE: dict[int, str] = {}
_FOLD_SEEN: set[str] = set()


def fold(text: str) -> str:
    """Diacritic-free, lower-case form of ``text`` with the same length (đ → d, Ứ → u)."""
    new = set(text).difference(_FOLD_SEEN)
    if new:
        for ch in new:
            _FOLD_TABLE[ord(ch)] = _fold_char(ch)
        _FOLD_SEEN.update(new)
    return text.translate(_FOLD_TABLE)
