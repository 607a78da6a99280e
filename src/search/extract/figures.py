"""Figures in Vietnamese reports: money in integer đồng, counts with their unit, what they were for.

Reports on Chỉ thị 03/05 and Kết luận 01 are full of figures written the Vietnamese way:
"hơn 6,2 tỷ đồng", "1 tỷ 795 triệu", "3.700.000.000 đồng", "50.000 đồng/đảng viên", "8.458 ngày
công", "56 tập thể, 70 cá nhân". This module finds them:

* ``extract_figures``: every money amount, rate, count, percentage and duration in a text, with
  exact character offsets, the sentence it sits in and its purpose (``search.extract.purpose``);
* ``scan`` / ``lone_money``: the scanner underneath (``search.extract.money`` reads single money
  expressions with it).

Numbers are read by ``search.text.numbers`` (decimal comma, dot grouping). Vocabularies — scale
words, qualifiers, counted units, per-units, words that make a number an identifier — are the
tables of ``search/data`` (``count_units.tsv``, ``qualifiers.tsv``, ``id_words.txt`` …).

What counts as money: a number with "đồng"/"đ"/"VNĐ"/"VND", or any amount with "tỷ" ("1 tỷ 795
triệu"), or "triệu" right after a money word ("kinh phí", "vận động", "với" …). "5 triệu người"
is a count; amounts in USD and other currencies are skipped, not converted. Not figures: years
(a four-digit 1900–2100 number without a dot is always a year), dates ("15/5/2016"), document
numbers ("05-CT/TW"), numbers that name things ("khóa XII", "Quốc lộ 1", "tổ 5", "năm 2014") and
anniversaries ("190 năm thành lập"). "X năm/tháng" is a ``duration``.

A plain number after "tỷ"/"triệu" is the spoken shorthand ("1 tỷ 2" = 1,2 tỷ, "1 tỷ 795" = 1 tỷ
795 triệu) unless a three-digit group stands before "đồng" ("795 triệu 500 đồng" = 795.000.500).

Numbers in words are read below a thousand per group ("ba trăm năm mươi triệu", "mười hai căn nhà",
"hai tỷ ba trăm triệu"); one spelled digit only before a scale word or a counted thing ("bảy căn
nhà"), never "năm" (a year), "một" ("a") or "tư". Known limits:
"hàng trăm"/"vài chục" become the magnitude (100, 10) with qualifier ``order_of``/``several``;
counts need a unit from the vocabulary; "1 tỷ 2 cho dân" (shorthand not at the end of the
amount) is read as 1 tỷ.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from .. import data
from ..text.numbers import (
    NUM_TOKEN,
    format_count,
    format_vnd,
    number_words,
    parse_number,
    qualifiers,
    scale_words,
    spelled_number,
)
from ..text.segment import split_sentences
from .purpose import Context, EmbedderLike, PurposeClassifier, classifier_for, unit_prior

__all__ = ["Figure", "RawFigure", "extract_figures", "scan_figures", "FigureScan", "scan", "lone_money",
           "COUNT_CATEGORIES", "FIGURE_KINDS"]

FIGURE_KINDS = ("money", "rate", "count", "percent", "duration")

_WS = r"[^\S\n]"  # horizontal white space: a figure never runs over a line break
_F = re.IGNORECASE


def _alternation(phrases: Iterable[str]) -> str:
    """Regex alternation of phrases, longest first, any run of spaces matching a space."""
    unique = sorted(set(phrases), key=len, reverse=True)
    return "|".join(re.escape(p).replace(r"\ ", f"{_WS}+") for p in unique)


def _key(surface: str) -> str:
    """Lookup key of a matched phrase: lower case, single spaces, ", " for comma lists."""
    s = re.sub(r"\s+", " ", surface.lower()).strip()
    return re.sub(r"\s*,\s*", ", ", s)


# --------------------------------------------------------------------------------------------
# Vocabulary of figures (tables in search/data)
# --------------------------------------------------------------------------------------------

# A number starts a figure only when it is not glued to a word, a code or another number
# ("F0", "Covid-19", "23-KH/TU" second half, "15/5").
_NUM_START = re.compile(rf"(?<![\w/.,\-–]){NUM_TOKEN}")
_NUM_AT = re.compile(NUM_TOKEN)

_SCALES = scale_words()
# "triệu chứng" (symptom), "tỷ lệ" (ratio) start with a scale word but are not one.
_SCALE_WORD = (rf"(?:trăm|nghìn|ngàn|triệu(?!{_WS}+(?:chứng|phú)\b)|tỷ(?!{_WS}*lệ)|tỉ(?!{_WS}*lệ))"
               r"(?!\w)")
_SCALE_AT = re.compile(rf"{_WS}*({_SCALE_WORD}(?:{_WS}+{_SCALE_WORD})*)(?:{_WS}+(rưỡi)(?!\w))?", _F)
# Spelled-out digits: before a scale word ("một tỷ", "năm trăm triệu"), in numbers of words
# ("ba trăm năm mươi", text.numbers.spelled_number).
_WORD_DIGITS = number_words()
_GAP_AT = re.compile(rf"{_WS}+")
# one spelled digit that counts a thing on its own ("bảy căn nhà"): not "một" (also "a"), "năm"
# (also "year"), "tư" (also "private"), nor the digits that only end a number ("mốt", "lăm")
_COUNTING_DIGITS = frozenset(w for w, v in _WORD_DIGITS.items() if 2 <= v <= 9) - {"năm", "tư", "lăm", "nhăm"}
_VAGUE = {r["word"]: r["value"] for r in data.rows("vague_numbers") if r["kind"] == "word"}
_VAGUE_MAGNITUDE = {r["word"]: int(r["value"]) for r in data.rows("vague_numbers") if r["kind"] == "magnitude"}
_SPELLED_START = re.compile(rf"(?<!\w)(?:{'|'.join(_WORD_DIGITS)})(?!\w)", _F)
_WORD_START = re.compile(
    rf"(?<!\w)(?:(?P<digit>{'|'.join(_WORD_DIGITS)})(?={_WS}+{_SCALE_WORD})"
    rf"|(?P<vague>{'|'.join(_VAGUE)}){_WS}+(?P<mag>{'|'.join(_VAGUE_MAGNITUDE)})(?!\w))", _F)

# "đồng" also begins đồng chí, đồng bào, đồng thời, cánh đồng …; "đ/c" is đồng chí.
_DONG_NOT = data.words("dong_not_currency")
_CURRENCY_AT = re.compile(
    rf"{_WS}*(?P<cur>đồng(?!{_WS}*(?:{'|'.join(_DONG_NOT)})(?!\w))(?!\w)"
    r"|VNĐ|VND|đ(?!\w)(?!/c(?!\w)))", _F)

# Qualifiers in front of a number, normalised to a small vocabulary. In compounds the word next
# to the number decides ("khoảng gần" → nearly, "khoảng hơn" → more_than).
QUALIFIERS = qualifiers()
_QUALIFIER_BEFORE = re.compile(
    rf"(?<!\w)(?P<q>{_alternation(q for q in QUALIFIERS if q not in _VAGUE)}){_WS}+$", _F)

# What a rate is paid per: "/đảng viên", "mỗi quý", "/hộ/tháng". Known units first, else one word.
_PER_UNITS = data.words("per_units")
_TIME_UNITS = data.words("time_units")
_PER_WORD = rf"(?:{_alternation(_PER_UNITS)})(?!\w)"
_PER_SLASH_AT = re.compile(rf"(?:{_WS}*/{_WS}*(?P<u>{_PER_WORD}|[^\W\d_]+))+", _F)
_PER_WORDS_AT = re.compile(rf"{_WS}+(?:mỗi|cho mỗi|trên mỗi|một|1){_WS}+(?P<u>{_PER_WORD})", _F)
# "mỗi quý 1,2 triệu", "mỗi hộ được hỗ trợ 5 triệu": each/every + unit, a few plain words, amount.
_PER_BEFORE = re.compile(
    rf"(?<!\w)(?P<w>mỗi|từng|hàng|hằng){_WS}+(?P<u>{_PER_WORD}|[^\W\d_]+(?!\w))"
    rf"(?P<gap>(?:{_WS}+[^\W\d_]+){{0,4}}){_WS}*$", _F)

# Counted things: surface form → (unit, category). Longest match wins, so "nhà văn hóa" is a
# work and "trường hợp" a case, not a house or a school.
_COUNT_UNITS: dict[str, tuple[str, str]] = {
    _key(r["surface"]): (r["unit"], r["category"]) for r in data.rows("count_units")}
COUNT_CATEGORIES: tuple[str, ...] = tuple(dict.fromkeys(c for _, c in _COUNT_UNITS.values())) + (
    "attendance", "time")

_PEOPLE_LIST = rf"(?:{_alternation(data.words('people_nouns'))})(?!\w)"
# "15.002 lượt cán bộ, đảng viên, công nhân": attendances, the people named after them.
_LUOT_AT = re.compile(
    rf"{_WS}*(lượt)(?!\w)(?:{_WS}+{_PEOPLE_LIST}(?:{_WS}*,{_WS}*{_PEOPLE_LIST})*)?", _F)
# … its unit may open a quoted name: 9 “Mái ấm tình thương”
_UNIT_AT = re.compile(rf"{_WS}*[“\"«]?(?P<u>{_alternation(_COUNT_UNITS)})(?!\w)", _F)
# a count of something no table lists: the (lower-case) words after the number
_OPEN_UNIT_AT = re.compile(rf"{_WS}+(?P<w1>[^\W\d_]+)(?:{_WS}+(?P<w2>[^\W\d_]+))?")
_NOT_UNITS = (frozenset(data.words("stopwords_vi")) | frozenset(data.words("not_count_units"))
              | frozenset(data.words("duration_units")))  # "131 năm Ngày sinh": an anniversary
_CLASSIFIERS = frozenset(data.words("classifiers_vi"))


def _open_unit_word(word: str) -> bool:
    return word[0].islower() and word not in _NOT_UNITS


_PERCENT_AT = re.compile(rf"{_WS}*(%|phần{_WS}+trăm(?!\w))", _F)
_DURATION_AT = re.compile(
    rf"{_WS}+(?P<u>{_alternation(data.words('duration_units'))})(?!\w)(?!{_WS}+công)", _F)
# "190 năm thành lập", "kỷ niệm 50 năm": anniversaries, not spans of work.
_ANNIVERSARY_AFTER = re.compile(
    rf"{_WS}+(?:thành{_WS}+lập|ngày{_WS}+sinh|truyền{_WS}+thống|ngày{_WS}+thành)", _F)
_ANNIVERSARY_BEFORE = re.compile(rf"(?:kỷ{_WS}+niệm|chào{_WS}+mừng|tròn)(?:{_WS}+\S+)?{_WS}*$", _F)
# Amounts in another currency are not đồng: "120 tỷ USD" is left alone rather than misread.
_FOREIGN_AT = re.compile(
    rf"{_WS}*(?:USD|EUR|đô{_WS}*-?{_WS}*la|đô(?!\w)|euro|yên|nhân{_WS}+dân{_WS}+tệ"
    rf"|bảng{_WS}+Anh|\$)", _F)
_NEXT_NUMBER_AT = re.compile(rf"{_WS}+({NUM_TOKEN})")
_SLASHED_AT = re.compile(r"/(\d+)(/\d+)?")
_RANGE_SEP_AT = re.compile(rf"{_WS}*(?:-|–|—|đến(?!\w)|tới(?!\w)){_WS}*(?=\d)", _F)

# Words after which a number names something (Kế hoạch số 23, khóa XII, Quốc lộ 1, năm 2014,
# tổ 5, lần thứ 2) instead of counting it; "tổng số 20" does count.
_ID_BEFORE = re.compile(
    r"(?<!\w)(?:(?<!tổng )số|" + "|".join(data.words("id_words")) + rf"){_WS}+$", _F)
# Words that make a bare "triệu"/"nghìn" (no "đồng") money rather than people or things.
_MONEY_CONTEXT = re.compile(r"(?<!\w)(?:" + "|".join(data.words("money_context")) + r")(?!\w)", _F)

# --------------------------------------------------------------------------------------------
# Scanning
# --------------------------------------------------------------------------------------------

@dataclass
class _Amount:
    """The numeric part of a figure: "6,2 tỷ", "1 tỷ 795 triệu", "3.700.000.000", "hàng trăm"."""

    value: Decimal
    start: int
    end: int
    last_mult: int = 1        # multiplier of the last scale word (1: a bare number)
    scales: tuple[str, ...] = ()
    vague: str | None = None  # "hàng", "vài" …
    token: str = ""           # the first number as written

    @property
    def bare(self) -> bool:
        return not self.scales and self.vague is None


@dataclass
class RawFigure:
    """A figure as the scanner finds it (offsets into the scanned text), before its purpose."""

    kind: str
    value: int | float
    unit: str
    start: int
    end: int
    qualifier: str | None = None
    qualifier_vi: str | None = None
    per: str | None = None
    category: str | None = None
    value_max: int | float | None = None
    total: int | None = None


def _scale_mult(words: str) -> int:
    mult = 1
    for w in re.split(r"\s+", words.strip().lower()):
        mult *= _SCALES[w]
    return mult


def _read_amount(text: str, pos: int) -> _Amount | None:
    """Read a number or a compound amount ("1 tỷ 795 triệu 500 nghìn") starting at ``pos``."""
    head = _read_head(text, pos)
    if head is None:
        return None
    amount, first_value, p = head
    total = Decimal(0)
    prev = None
    value = first_value
    while True:
        ms = _SCALE_AT.match(text, p)
        if ms is None:
            break
        mult = _scale_mult(ms.group(1))
        if prev is not None and mult >= prev:
            break  # "5 triệu 2 tỷ" is not one amount
        total += value * mult + (Decimal(mult) / 2 if ms.group(2) else 0)
        amount.scales += tuple(re.split(r"\s+", ms.group(1).lower()))
        amount.end, amount.last_mult, prev = ms.end(), mult, mult
        nxt = _NEXT_NUMBER_AT.match(text, amount.end)
        next_value = parse_number(nxt.group(1)) if nxt is not None else None
        if nxt is None:  # "hai tỷ ba trăm triệu": the next group in words, before its scale word
            gap = _GAP_AT.match(text, amount.end)
            words = spelled_number(text, gap.end()) if gap else None
            if words is not None and _SCALE_AT.match(text, words[1]):
                value, p = Decimal(words[0]), words[1]
                continue
        if nxt is None or next_value is None:
            break
        value = next_value
        p = nxt.end()
        if not _SCALE_AT.match(text, p):
            rest = _trailing_rest(text, nxt.group(1), p, prev)
            if rest is not None:
                total += rest
                amount.end = p
            break
    amount.value = total if amount.scales else first_value
    return amount


_REST_END = re.compile(rf"{_CURRENCY_AT.pattern}|{_WS}*(?:[,;.!?)]|$)", _F | re.M)


def _trailing_rest(text: str, token: str, end: int, prev: int) -> Decimal | None:
    """A plain number after the last scale word, when it belongs to the amount.

    Written out in full, a three-digit group before the currency word is đồng: "5 nghìn 500 đồng",
    "795 triệu 500 đồng" (= 795.000.500). Otherwise it is the spoken shorthand, the leading digits
    of the next group: "1 tỷ 2" = 1 tỷ 200 triệu, "3 triệu 5 đồng" = 3,5 triệu, "1 tỷ 795;" = 1 tỷ
    795 triệu. Either way it must end the amount: in "2 tỷ 129 nhà" the 129 are houses.
    """
    if not token.isdigit() or len(token) > 3 or not _REST_END.match(text, end):
        return None
    currency = _CURRENCY_AT.match(text, end) is not None
    if prev == 1000 or (currency and len(token) == 3):
        return Decimal(token) if currency else None
    return Decimal(token.ljust(3, "0")) * (prev // 1000)


def _read_head(text: str, pos: int) -> tuple[_Amount, Decimal, int] | None:
    """The first number of an amount: digits, a spelled digit or a vague "hàng trăm"."""
    m = _NUM_AT.match(text, pos)
    if m:
        value = parse_number(m.group())
        if value is None:
            return None
        return _Amount(value, pos, m.end(), token=m.group()), value, m.end()
    spelled = spelled_number(text, pos)
    if spelled is not None:
        value_int, end, n_words = spelled
        # a number of several words ("mười hai", "ba trăm năm mươi"), or one word right before a
        # counted thing ("bảy căn nhà") — never "năm" alone (a year, "years"), "một" ("a") or "tư"
        # ("private"); one word before a scale ("năm trăm triệu") is read below
        single = text[pos:end].lower()
        if n_words > 1 or single == "mười" or (
                single in _COUNTING_DIGITS and (_UNIT_AT.match(text, end) or _LUOT_AT.match(text, end))):
            value = Decimal(value_int)
            return _Amount(value, pos, end, token=text[pos:end]), value, end
    w = _WORD_START.match(text, pos)
    if w is None:
        return None
    if w.group("digit"):
        value = Decimal(_WORD_DIGITS[w.group("digit").lower()])
        return _Amount(value, pos, w.end(), token=w.group()), value, w.end()
    # "hàng trăm triệu": the magnitude word is the first scale; "hàng trăm" alone is 100.
    mag = _VAGUE_MAGNITUDE[w.group("mag").lower()]
    amount = _Amount(Decimal(mag), pos, w.end(), vague=w.group("vague").lower(), token=w.group())
    return amount, Decimal(mag), w.end()


def _qualifier_before(text: str, start: int) -> tuple[int, str | None, str | None]:
    m = _QUALIFIER_BEFORE.search(text, max(0, start - 40), start)
    if m is None:
        return start, None, None
    word = _key(m.group("q"))
    return m.start(), QUALIFIERS[word], word


def _per_after(text: str, pos: int) -> tuple[int, str | None]:
    """Per-unit written after an amount: "/đảng viên", "/hộ/tháng", "mỗi tháng", "một suất"."""
    m = _PER_SLASH_AT.match(text, pos)
    if m and "/" in m.group():
        units = [_key(u) for u in re.split(rf"{_WS}*/{_WS}*", m.group().strip())[1:]]
        return m.end(), "/".join(units)
    m = _PER_WORDS_AT.match(text, pos)
    if m:
        return m.end(), _key(m.group("u"))
    return pos, None


def _per_before(text: str, start: int) -> tuple[int, str | None]:
    """"mỗi quý 1,2 triệu", "mỗi hộ được hỗ trợ 5 triệu": within the clause, a few words back."""
    lo = max(0, start - 80)
    cut = max(text.rfind(c, lo, start) for c in ";,.:!?()\n“”\"")
    m = _PER_BEFORE.search(text, max(lo, cut + 1), start)
    if m is None:
        return start, None
    unit, word = _key(m.group("u")), m.group("w").lower()
    if word in ("hàng", "hằng") and unit not in _TIME_UNITS:
        return start, None  # "hàng trăm" is a magnitude, "hằng năm" a rate
    if word == "từng" and unit not in _PER_UNITS:
        return start, None  # "đã từng hỗ trợ": "ever", not "each"
    adjacent = not m.group("gap").strip()
    return (m.start() if adjacent else start), unit


def _is_year(token: str) -> bool:
    return token.isdigit() and len(token) == 4 and 1900 <= int(token) <= 2100


def _to_number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral() else float(value)


def _to_dong(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


class _Scanner:
    """Finds every figure in one text, left to right, never overlapping."""

    def __init__(self, text: str):
        self.text = text
        self.out: list[RawFigure] = []

    def run(self) -> list[RawFigure]:
        starts = sorted({m.start() for m in _NUM_START.finditer(self.text)}
                        | {m.start() for m in _WORD_START.finditer(self.text)}
                        | {m.start() for m in _SPELLED_START.finditer(self.text)})
        done = 0
        for pos in starts:
            if pos < done:
                continue
            done = max(done, self._at(pos) or pos)
        return self.out

    # Returns the end of what was consumed at pos (a figure, a date, a code), or None.
    def _at(self, pos: int) -> int | None:
        text = self.text
        amount = _read_amount(text, pos)
        if amount is None:
            return None
        after = text[amount.end:amount.end + 3]
        if amount.bare and re.match(r"[-–/][^\W\d_]", after):
            return None  # "05-CT/TW", "23-KH/TU", "01/KH": document numbers
        if amount.bare and re.match(r"/\d", after):
            return self._slashed(amount)
        rng = self._range(amount)
        if rng is not None:
            return rng
        if _FOREIGN_AT.match(text, amount.end):
            return amount.end  # "120 tỷ USD": neither đồng nor a count
        raw = self._money(amount) or self._quantity(amount)
        if raw is None:
            return None
        self._qualify(raw, amount)
        self.out.append(raw)
        return raw.end

    def _money(self, a: _Amount, *, allow_bare: bool = False) -> RawFigure | None:
        text = self.text
        cur = _CURRENCY_AT.match(text, a.end)
        end = cur.end() if cur else a.end
        if cur is None and _FOREIGN_AT.match(text, a.end):
            return None
        if cur is None:
            if any(p.match(text, a.end) for p in (_LUOT_AT, _UNIT_AT, _PERCENT_AT)):
                return None  # "5 triệu lượt", "1 tỷ người": a count, not money
            if not (allow_bare or self._money_without_currency(a)):
                return None
        end, per = _per_after(text, end)
        return RawFigure("money", _to_dong(a.value), "đồng", a.start, end, per=per)

    def _money_without_currency(self, a: _Amount) -> bool:
        if a.bare or (a.vague and not a.scales):
            return False
        if "tỷ" in a.scales or "tỉ" in a.scales:
            return True  # in these reports "1 tỷ 795 triệu" is always money
        line_start = self.text.rfind("\n", 0, a.start) + 1
        before = self.text[max(line_start, a.start - 60):a.start]
        return _MONEY_CONTEXT.search(before) is not None and "triệu" in a.scales

    def _quantity(self, a: _Amount) -> RawFigure | None:
        """Percentages, counts with a unit, durations: never glued to a code, a year, an id."""
        text = self.text
        if a.bare and _is_year(a.token):
            return None
        if a.bare and not a.vague and _ID_BEFORE.search(text, max(0, a.start - 25), a.start):
            return None
        value = _to_number(a.value)
        m = _PERCENT_AT.match(text, a.end)
        if m and not a.scales:
            return RawFigure("percent", value, "%", a.start, m.end())
        m = _LUOT_AT.match(text, a.end)
        if m:
            return RawFigure("count", value, "lượt", a.start, m.end(), category="attendance")
        m = _UNIT_AT.match(text, a.end)
        if m:
            unit, category = _COUNT_UNITS[_key(m.group("u"))]
            return RawFigure("count", value, unit, a.start, m.end(), category=category)
        m = _DURATION_AT.match(text, a.end)
        if m and a.bare and not self._anniversary(a, m.end()):
            return RawFigure("duration", value, _key(m.group("u")), a.start, m.end(), category="time")
        return self._open_count(a, value)

    def _open_count(self, a: _Amount, value: int | float) -> RawFigure | None:
        """A count of a thing no unit table lists ("9 nghĩa trang", "120 tàu cá", "17 già làng"):
        digits, then a lower-case word that is not a function word. Its unit is that word and the
        next (a classifier alone: "3 đợt"). Not after a capitalised word inside a sentence
        ("Covid 19", "Quận 3") or a colon ("Lượt xem: 1.284", "15:40"): names, counters, times."""
        text = self.text
        if not text[a.start].isdigit():
            return None  # "một số", "hai năm", "ba cùng": words for numbers rarely count a thing here
        m = _OPEN_UNIT_AT.match(text, a.end)
        if not m or not _open_unit_word(m.group("w1")):
            return None
        before = text[max(0, a.start - 40):a.start].rstrip(" \t")
        if before.endswith(":"):
            return None
        prev = re.search(r"([^\W\d_]+)$", before)
        if prev and prev.group(1)[0].isupper():
            start_of_sentence = before[:prev.start()].rstrip(" \t")
            if start_of_sentence and start_of_sentence[-1] not in ".!?\n(“\"":
                return None
        w1, w2 = m.group("w1"), m.group("w2")
        if w2 and _open_unit_word(w2) and w1.lower() not in _CLASSIFIERS:
            return RawFigure("count", value, f"{w1} {w2}".lower(), a.start, m.end(), category="other")
        return RawFigure("count", value, w1.lower(), a.start, m.end("w1"), category="other")

    def _anniversary(self, a: _Amount, end: int) -> bool:
        return bool(_ANNIVERSARY_AFTER.match(self.text, end)
                    or _ANNIVERSARY_BEFORE.search(self.text, max(0, a.start - 30), a.start))

    def _slashed(self, a: _Amount) -> int:
        """"66/47 chi bộ" is 66 of 47; "15/5/2016" and "ngày 15/5" are dates, skipped whole."""
        m = _SLASHED_AT.match(self.text, a.end)
        if m is None:
            return a.end
        end = m.end()
        if m.group(2) or _ID_BEFORE.search(self.text, max(0, a.start - 25), a.start):
            return end
        unit = _UNIT_AT.match(self.text, end) or _LUOT_AT.match(self.text, end)
        if unit is None:
            return end
        first = self._quantity(_Amount(a.value, a.start, end, token=a.token))
        if first is None or first.kind != "count":
            return end
        first.total = int(m.group(1))
        self._qualify(first, a)
        self.out.append(first)
        return first.end

    def _range(self, a: _Amount) -> int | None:
        """"từ 5 đến 10 triệu đồng", "5-7 hộ", "80 - 90%", "từ 30 triệu đồng đến 50 triệu đồng":
        one figure, the low end in ``value`` and the high end in ``value_max``."""
        cur = _CURRENCY_AT.match(self.text, a.end)
        sep = _RANGE_SEP_AT.match(self.text, cur.end() if cur else a.end)
        if sep is None:
            return None
        if a.bare and _is_year(a.token):
            y = _NUM_AT.match(self.text, sep.end())
            return y.end() if y and _is_year(y.group()) else None  # "2016-2020": a period
        b = _read_amount(self.text, sep.end())
        hi = (self._money(b) or self._quantity(b)) if b is not None else None
        if hi is None or b is None or hi.kind == "duration" or (cur and hi.kind != "money"):
            return None
        # "5 - 10 triệu": the low end borrows the scale of the high end.
        low = a.value * (b.last_mult if a.bare else 1)
        low_value = _to_dong(low) if hi.kind == "money" else _to_number(low)
        if low_value > hi.value:
            return None
        tu = re.compile(rf"(?<!\w)từ{_WS}+$", _F).search(self.text, max(0, a.start - 10), a.start)
        hi.value, hi.value_max = low_value, hi.value
        hi.start = tu.start() if tu else a.start
        hi.qualifier, hi.qualifier_vi = "range", "từ … đến" if tu else "-"
        self._finish_rate(hi, a)
        self.out.append(hi)
        return hi.end

    def _qualify(self, raw: RawFigure, a: _Amount) -> None:
        if a.vague:
            raw.qualifier, raw.qualifier_vi = _VAGUE[a.vague], a.vague
        else:
            q_start, raw.qualifier, raw.qualifier_vi = _qualifier_before(self.text, a.start)
            raw.start = q_start
        self._finish_rate(raw, a)

    def _finish_rate(self, raw: RawFigure, a: _Amount) -> None:
        if raw.kind != "money":
            return
        p_start, per_before = _per_before(self.text, raw.start)
        per = "/".join(u for u in (per_before, raw.per) if u) or None  # "mỗi em … đồng/tháng"
        if per_before and raw.per and per_before in raw.per.split("/"):
            per = raw.per
        if per:
            raw.kind, raw.per, raw.unit = "rate", per, f"đồng/{per}"
            raw.start = min(raw.start, p_start)


# --------------------------------------------------------------------------------------------


def scan(text: str) -> list[RawFigure]:
    """Every figure of ``text`` (NFC) as found by the scanner, left to right, without purposes."""
    return _Scanner(text).run()


_LEADING_QUALIFIER = re.compile(rf"(?:{_alternation(QUALIFIERS)}){_WS}+", _F)


def lone_money(text: str) -> RawFigure | None:
    """A lone amount with no currency word, taken as đồng: "3.700.000.000", "hơn 500 nghìn".

    None unless ``text`` (NFC) is that amount alone. Offsets index ``text``."""
    stripped = text.strip()
    offset = text.find(stripped) if stripped else 0
    head = _LEADING_QUALIFIER.match(stripped)
    amount = _read_amount(stripped, head.end() if head else 0)
    if amount is None:
        return None
    scanner = _Scanner(stripped)
    raw = scanner._money(amount, allow_bare=True)
    if raw is None or stripped[raw.end:].strip():
        return None
    scanner._qualify(raw, amount)
    raw.start += offset
    raw.end += offset
    return raw


# --------------------------------------------------------------------------------------------
# Figures
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Figure:
    """One figure found in a text; ``text[start:end]`` is its expression as written."""

    kind: str                  # "money" | "rate" | "count" | "percent" | "duration"
    value: int | float         # int đồng for money and rates; the number for the rest
    unit: str                  # "đồng", "đồng/đảng viên", "nhà", "hộ", "tập thể", "lượt", "%" …
    qualifier: str | None      # more_than, nearly, about, at_least, at_most, less_than, up_to,
                               # order_of, several, range
    per: str | None            # what a rate is per: "đảng viên", "quý", "hộ/tháng"
    purpose: str               # one of PURPOSE_NAMES
    sentence: str
    start: int
    end: int
    sentence_start: int
    sentence_end: int
    text: str = ""
    qualifier_vi: str | None = None   # the qualifier as written: "hơn", "khoảng gần"
    category: str | None = None       # counts: houses, households, honours, events, attendance …
    value_max: int | float | None = None  # upper bound of a range
    total: int | None = None          # "66/47 chi bộ": 47

    @property
    def display(self) -> str:
        """The figure written for a reader, with the article's own qualifier word: "hơn 6,2 tỷ đồng",
        "trên 860 triệu đồng", "15.002 lượt"."""
        qualifier = self.qualifier_vi if self.qualifier_vi in QUALIFIERS else self.qualifier
        if self.kind in ("money", "rate"):
            vmax = int(self.value_max) if self.value_max is not None else None
            return format_vnd(int(self.value), qualifier, per=self.per, value_max=vmax)
        if self.value_max is not None:
            return f"{format_count(self.value)}–{format_count(self.value_max, self.unit)}"
        return format_count(self.value, self.unit, qualifier, total=self.total)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self) | {"display": self.display}


def extract_figures(text: str, *, classifier: PurposeClassifier | None = None,
                    embedder: EmbedderLike | None = None) -> list[Figure]:
    """Every money amount, rate, count, percentage and duration in ``text``, in order.

    Offsets index ``text`` itself even when it is not NFC. Purpose comes from ``classifier``, or
    a lexical one, or one using ``embedder`` when given.
    """
    if classifier is None:
        classifier = classifier_for(embedder)
    scan = scan_figures(text)
    return scan.figures(classifier.classify_contexts(scan.contexts))


@dataclass
class FigureScan:
    """The figures of a text before their purposes are decided, with the context of each (what the
    purpose classifier reads). ``figures(purposes)`` finishes them; ``extract_figures`` does both
    steps, the index build runs them apart so that it embeds every context in one pass."""

    text: str
    contexts: list[Context]
    _placed: list[tuple[RawFigure, int, int]]
    _back: list[int] | None

    def figures(self, purposes: Sequence[str]) -> list[Figure]:
        if len(purposes) != len(self._placed):
            raise ValueError(f"expected {len(self._placed)} purposes, got {len(purposes)}")
        return [_figure(raw, s, e, purpose, self.text, self._back)
                for (raw, s, e), purpose in zip(self._placed, purposes)]


def scan_figures(text: str) -> FigureScan:
    """Figures of ``text`` with their contexts, purposes not decided yet (see :class:`FigureScan`)."""
    nfc, back = _nfc_with_map(text)
    raws = _Scanner(nfc).run()
    if not raws:
        return FigureScan(text, [], [], back)
    sentences = split_sentences(nfc) or [(0, len(nfc))]
    starts = [s for s, _ in sentences]
    placed = []
    for raw in raws:
        i = max(0, bisect.bisect_right(starts, raw.start) - 1)
        s, e = sentences[i]
        placed.append((raw, s, max(e, raw.end)))
    contexts = [_context_of(raw, s, e, nfc, raws) for raw, s, e in placed]
    return FigureScan(text, contexts, placed, back)


def _context_of(raw: RawFigure, s: int, e: int, text: str, raws: list[RawFigure]) -> Context:
    inside = [r for r in raws if r is not raw and s <= r.start and r.end <= e]
    barriers = tuple((r.start - s, r.end - s) for r in inside if r.kind in ("money", "rate"))
    objects = tuple((r.start - s, r.end - s, _unit_prior(r)) for r in inside if r.kind == "count")
    return Context(text[s:e], (raw.start - s, raw.end - s), barriers, _unit_prior(raw), objects)


def _unit_prior(raw: RawFigure) -> dict[str, float]:
    return unit_prior(raw.unit, raw.category)


def _figure(raw: RawFigure, s: int, e: int, purpose: str, original: str,
            back: list[int] | None) -> Figure:
    def o(i: int) -> int:
        return i if back is None else back[i]

    start, end, ss, se = o(raw.start), o(raw.end), o(s), o(e)
    return Figure(kind=raw.kind, value=raw.value, unit=raw.unit, qualifier=raw.qualifier,
                  per=raw.per, purpose=purpose, sentence=original[ss:se], start=start, end=end,
                  sentence_start=ss, sentence_end=se, text=original[start:end],
                  qualifier_vi=raw.qualifier_vi, category=raw.category, value_max=raw.value_max,
                  total=raw.total)


def _nfc_with_map(text: str) -> tuple[str, list[int] | None]:
    """NFC text and, when that changed it, the offset in ``text`` of every NFC offset (+ end).

    Text copied from some sites is decomposed (e + ̂ + ́); the regexes want composed letters, and
    the caller wants offsets into what it passed.
    """
    if unicodedata.is_normalized("NFC", text):
        return text, None
    out: list[str] = []
    back: list[int] = []
    i, n = 0, len(text)
    while i < n:
        j = i + 1
        while j < n and unicodedata.combining(text[j]):
            j += 1
        for ch in unicodedata.normalize("NFC", text[i:j]):
            out.append(ch)
            back.append(i)
        i = j
    back.append(n)
    return "".join(out), back
