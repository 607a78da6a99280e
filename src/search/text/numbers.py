"""Numbers written the Vietnamese way: reading them, and the one formatter for numbers people read.

Conventions: a dot followed by exactly three digits groups thousands ("1.525" = 1525,
"3.700.000.000"), a comma is the decimal mark ("6,2 tỷ", "140,43%"). A single dot followed by one,
two or four+ digits cannot be grouping, so it is read as a decimal point ("12.5 triệu" = 12,5 triệu).
Several commas in three-digit groups ("1,200,000") are English grouping; when both marks appear, the
last one is the decimal mark. The remaining ambiguity is decided the Vietnamese way: "1.500 tỷ" is
1500 tỷ and "1,500 tỷ" is 1,5 tỷ.

Writing (every number a person reads goes through here — CLI tables, web pages, notebooks, charts):

* :func:`format_vnd` — an amount of đồng as a reader expects it: "hơn 6,2 tỷ đồng",
  "1 tỷ 629 triệu đồng", "860 triệu đồng", "50.000 đồng/đảng viên", "từ 3 đến 5 triệu đồng";
* :func:`format_count` — "15.002 lượt", "hơn 1.200 cán bộ", "140,43%";
* :func:`format_number` / :func:`format_decimal` — "15.002", "6,2" (chart labels and axes);
* :func:`format_money` — one amount in an explicit style (digits, words, decimal, leading zero),
  which the money parser reads back (tested as a round trip).

Machines get integer đồng; only people get these strings.
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import lru_cache
from numbers import Integral

from .. import data

__all__ = [
    "NUM_TOKEN", "parse_number", "number_words", "spelled_number", "scale_words", "qualifiers", "qualifier_word",
    "group_thousands", "decimal_comma", "format_number", "format_decimal", "format_vnd",
    "format_count", "format_money", "MONEY_STYLES", "CURRENCIES",
]

NUM_TOKEN = r"\d+(?:[.,]\d+)*"
_NUM_FULL = re.compile(NUM_TOKEN)


# --- vocabularies (data/*.tsv) -----------------------------------------------------------------

@lru_cache(maxsize=1)
def number_words() -> dict[str, int]:
    """Spelled-out digits: "một" → 1 … "mười" → 10."""
    return {r["word"]: int(r["value"]) for r in data.rows("number_words")}


_SPELLED_WORD = re.compile(r"[^\W\d_]+")
_ONLY_AFTER_TENS = {"mốt", "lăm", "nhăm"}  # 1 and 5 as the last digit: "hai mươi mốt", "mười lăm"


def spelled_number(text: str, pos: int) -> tuple[int, int, int] | None:
    """A number below a thousand written in words at ``pos`` ("ba trăm năm mươi", "mười hai",
    "hai mươi lăm", "một trăm linh năm"): (value, end offset, words read), or None.

    Stops before a scale word ("… triệu") and before a "năm" that can be a year or "years"
    ("mười năm" is ten years: 10, then the word "năm"; "ba trăm năm mươi" is 350)."""
    digits = number_words()
    words: list[tuple[str, int, int]] = []  # the words from pos on, while only spaces part them
    for m in _SPELLED_WORD.finditer(text, pos, pos + 60):
        if (not words and m.start() != pos) or (words and text[words[-1][2]:m.start()].strip()):
            break
        words.append((m.group().lower(), m.start(), m.end()))
    if not words or words[0][1] != pos:
        return None

    def digit(i: int, *, after_tens: bool = False) -> int | None:
        if i >= len(words):
            return None
        w = words[i][0]
        if w == "mười" or w not in digits or (w in _ONLY_AFTER_TENS and not after_tens):
            return None
        if w == "năm" and after_tens:
            return None  # "hai mươi năm": twenty years ("hai mươi lăm" is 25)
        return digits[w]

    def nxt(i: int) -> str:
        return words[i][0] if i < len(words) else ""

    value, i = 0, 0
    d = digit(0)
    if d is not None and nxt(1) == "trăm":
        value, i = d * 100, 2
        if nxt(i) in ("linh", "lẻ"):
            last = digit(i + 1)
            if last is None:
                return None
            return value + last, words[i + 1][2], i + 2
    if nxt(i) == "mười":
        value += 10
        i += 1
        last = digit(i, after_tens=True)
        if last is not None:
            value += last
            i += 1
    else:
        d = digit(i)
        if d is not None and nxt(i + 1) == "mươi":
            value += d * 10
            i += 2
            last = digit(i, after_tens=True)
            if last is not None:
                value += last
                i += 1
        elif i == 0 and d is not None:
            return d, words[0][2], 1
    if i == 0:
        return None
    return value, words[i - 1][2], i


@lru_cache(maxsize=1)
def scale_words() -> dict[str, int]:
    """Scale words of amounts: "trăm" → 100, "nghìn"/"ngàn" → 1000, "triệu", "tỷ"/"tỉ"."""
    return {r["word"]: int(r["multiplier"]) for r in data.rows("scales")}


@lru_cache(maxsize=1)
def qualifiers() -> dict[str, str]:
    """Qualifier phrases written before a number → normalised name ("hơn" → "more_than")."""
    return data.mapping("qualifiers", "phrase", "qualifier")


@lru_cache(maxsize=1)
def _qualifier_words() -> dict[str, str]:
    return data.mapping("qualifier_words", "qualifier", "word")


def qualifier_word(qualifier: str | None) -> str | None:
    """The Vietnamese word for a normalised qualifier ("more_than" → "hơn"); a Vietnamese word is
    returned as it is; None for none. Raises ValueError for an unknown qualifier."""
    if not qualifier:
        return None
    if qualifier in _qualifier_words():
        return _qualifier_words()[qualifier]
    if qualifier in qualifiers() and qualifiers()[qualifier] in _qualifier_words():
        return qualifier
    raise ValueError(f"unknown qualifier {qualifier!r}")


# --- reading -----------------------------------------------------------------------------------

def parse_number(token: str) -> Decimal | None:
    """A number written the Vietnamese way ("1.525", "6,2", "01", "140,43") → Decimal, else None."""
    token = token.strip()
    if not _NUM_FULL.fullmatch(token):
        return None
    dots, commas = token.count("."), token.count(",")
    if dots and commas:
        # Both marks: the last one is the decimal mark, the other groups thousands.
        dec, grp = (",", ".") if token.rfind(",") > token.rfind(".") else (".", ",")
        whole, _, frac = token.rpartition(dec)
        if grp in frac or not _is_grouped(whole, grp):
            return None
        return Decimal(whole.replace(grp, "") + "." + frac)
    if dots:
        return _one_mark(token, ".", grouping_first=True)
    if commas:
        return _one_mark(token, ",", grouping_first=False)
    return Decimal(token)


def _is_grouped(whole: str, sep: str) -> bool:
    groups = whole.split(sep)
    return 1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])


def _one_mark(token: str, mark: str, *, grouping_first: bool) -> Decimal | None:
    """Only dots or only commas. A dot is grouping when it can be; a lone comma is a decimal."""
    parts = token.split(mark)
    grouped = _is_grouped(token, mark)
    if len(parts) == 2 and not (grouping_first and grouped):
        return Decimal(parts[0] + "." + parts[1])
    if grouped:
        return Decimal("".join(parts))
    return None  # "15.5.2016", "1,2,3": not a quantity


# --- writing -----------------------------------------------------------------------------------

def group_thousands(n: int) -> str:
    """Integer with dots grouping thousands: 3700000000 → "3.700.000.000"."""
    sign = "-" if n < 0 else ""
    return sign + f"{abs(int(n)):,}".replace(",", ".")


def decimal_comma(value: Decimal | float | int, max_digits: int | None = None) -> str:
    """Decimal with a comma mark and grouped integer part, no trailing zeros: 6.20 → "6,2".

    ``max_digits`` rounds the fraction first (half up), e.g. for chart labels.
    """
    d = value if isinstance(value, Decimal) else Decimal(str(value))
    if max_digits is not None:
        d = d.quantize(Decimal(1).scaleb(-max_digits), rounding="ROUND_HALF_UP")
    sign = "-" if d < 0 else ""
    whole, _, frac = f"{abs(d):f}".partition(".")
    frac = frac.rstrip("0")
    return sign + group_thousands(int(whole)) + ("," + frac if frac else "")


def format_number(value: int | float | Decimal | None, max_digits: int = 2) -> str:
    """A count or measure for a reader: 15002 → "15.002", 140.43 → "140,43", 6.0 → "6".

    None and NaN give "" (callers show their own "no data" mark).
    """
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, bool):
        raise ValueError("a boolean is not a number")
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        return group_thousands(int(value))
    return decimal_comma(value, max_digits)


def format_decimal(value: float | int | Decimal, digits: int = 1) -> str:
    """A number with at most ``digits`` decimals and a decimal comma: 6.234 → "6,2" (chart axes)."""
    return decimal_comma(value, digits)


_SCALE_NAMES = (("tỷ", 10**9), ("triệu", 10**6), ("nghìn", 10**3))


def _words(value: int, *, pad: bool = False, bare_rest: bool = True) -> str:
    """"1 tỷ 795 triệu 500 nghìn 120". A bare rest reads as đồng only after "nghìn" and before
    the currency word ("1 tỷ 2" means 1,2 tỷ), so otherwise it goes into the nghìn part as a
    decimal: "1 tỷ 0,12 nghìn"."""
    def num(n: int) -> str:
        return f"{n:02d}" if pad and n < 10 else group_thousands(n)

    if value < 1000:
        return num(value)
    parts = []
    rest = value
    for word, mult in _SCALE_NAMES:
        n, rest = divmod(rest, mult)
        if word == "nghìn" and rest and not (bare_rest and n):
            parts.append(f"{decimal_comma(Decimal(value % 10**6) / 1000)} nghìn")
            rest = 0
        elif n:
            parts.append(f"{num(n)} {word}")
    if rest:
        parts.append(num(rest))
    return " ".join(parts)


def _decimal_scale(value: int) -> str:
    for word, mult in _SCALE_NAMES:
        if value >= mult:
            return f"{decimal_comma(Decimal(value) / mult)} {word}"
    return str(value)


def _readable(value: int) -> str:
    """The form a Vietnamese report would print: "6,2 tỷ", "1 tỷ 629 triệu", "860 triệu",
    "1,2 triệu", "50.000"; digits when no short form is exact."""
    if value < 10**6:
        return group_thousands(value)
    if value < 10**9:
        if value % 10**5 == 0:
            return _decimal_scale(value)          # "860 triệu", "1,2 triệu"
        if value % 1000 == 0:
            return _words(value)                  # "1 triệu 250 nghìn"
        return group_thousands(value)
    if value % 10**8 == 0:
        return _decimal_scale(value)              # "6,2 tỷ", "132 tỷ"
    if value % 10**6 == 0:
        return _words(value)                      # "1 tỷ 629 triệu"
    if value % 1000 == 0:
        return _words(value)
    return group_thousands(value)


def _check_amount(value: object) -> int:
    """An amount as int đồng: ints, numpy integers and whole floats pass; anything else is an error."""
    bad = ValueError(f"money must be a non-negative whole number of đồng, got {value!r}")
    if isinstance(value, bool) or value is None:
        raise bad
    if isinstance(value, float):
        if value != value or not value.is_integer():
            raise bad
        out = int(value)
    elif isinstance(value, Integral):  # int and numpy integers
        out = int(value)
    else:
        raise bad
    if out < 0:
        raise bad
    return out


_VAGUE_WORDS = {"order_of": "hàng", "several": "vài"}
_MAGNITUDES = {10: "chục", 100: "trăm", 1000: "nghìn", 10**6: "triệu", 10**9: "tỷ"}


def _vague(value: float | int, qualifier: str | None) -> str | None:
    """"hàng trăm", "vài chục", "hàng trăm triệu": a vague magnitude as the text wrote it, or None."""
    qualifier = qualifiers().get(qualifier or "", qualifier)  # "hàng" → "order_of"
    if qualifier not in _VAGUE_WORDS:
        return None
    for scale, scale_word in ((10**9, "tỷ"), (10**6, "triệu"), (1000, "nghìn"), (1, "")):
        if value % scale:
            continue
        head = value // scale
        if head in (10, 100, 1000) or (head == 1 and scale > 1):
            words = " ".join(w for w in (_MAGNITUDES.get(int(head), "") if head > 1 else "", scale_word) if w)
            return f"{_VAGUE_WORDS[qualifier]} {words}"
    return f"{_VAGUE_WORDS[qualifier]} {group_thousands(int(value))}"


def format_vnd(value: int, qualifier: str | None = None, *, per: str | None = None,
               value_max: int | None = None, currency: str = "đồng") -> str:
    """An amount of đồng for a reader: 6_200_000_000, "more_than" → "hơn 6,2 tỷ đồng".

    ``qualifier``: normalised ("more_than", "nearly", "about", …, "range") or the Vietnamese word;
    ``per`` makes a rate ("đảng viên" → "50.000 đồng/đảng viên"); ``value_max`` a range
    ("từ 3 đến 5 triệu đồng").
    """
    value = _check_amount(value)
    if value_max is not None:
        hi = _check_amount(value_max)
        lo_text, hi_text = _readable(value), _readable(hi)
        # "từ 3 đến 5 triệu": the low end drops the shared scale word
        for word, _ in _SCALE_NAMES:
            if lo_text.endswith(f" {word}") and hi_text.endswith(f" {word}") and lo_text.count(" ") == 1:
                lo_text = lo_text[: -len(word) - 1]
                break
        body = f"từ {lo_text} đến {hi_text} {currency}"
    elif (vague := _vague(value, qualifier)) is not None:
        body = f"{vague} {currency}"
    else:
        body = f"{_readable(value)} {currency}"
        qword = qualifier_word(qualifier) if qualifier not in (None, "", "range") else None
        if qword:
            body = f"{qword} {body}"
    if per:
        body += f"/{per}"
    return body


def format_count(value: int | float, unit: str | None = None, qualifier: str | None = None,
                 *, total: int | None = None) -> str:
    """A count for a reader: (15002, "lượt") → "15.002 lượt"; (1200, "lượt", "more_than") →
    "hơn 1.200 lượt"; (140.43, "%") → "140,43%"; (66, "chi bộ", total=47) → "66/47 chi bộ"."""
    vague = _vague(value, qualifier)
    if vague is not None:
        return f"{vague} {unit}" if unit and unit != "%" else vague
    text = format_number(value)
    if total is not None:
        text += "/" + format_number(total)
    if unit == "%":
        text += "%"
    elif unit:
        text += f" {unit}"
    word = qualifier_word(qualifier) if qualifier not in (None, "", "range") else None
    return f"{word} {text}" if word else text


MONEY_STYLES = ("digits", "words", "decimal", "leading_zero")
CURRENCIES = ("đồng", "VNĐ", "VND", "đ", None)


def format_money(value: int, style: str = "digits", *, currency: str | None = "đồng",
                 qualifier: str | None = None, per: str | None = None) -> str:
    """Write ``value`` đồng in one explicit style; the money parser reads every output back.

    Styles: ``digits`` "6.200.000.000 đồng"; ``words`` "6 tỷ 200 triệu đồng"; ``decimal``
    "6,2 tỷ đồng"; ``leading_zero`` "06 tỷ 200 triệu đồng". ``currency`` is "đồng", "VNĐ", "VND",
    "đ" or None. ``qualifier`` is a normalised name ("more_than") or a Vietnamese word ("hơn");
    ``per`` makes a rate ("đảng viên" → "…đồng/đảng viên"). For text people read, prefer
    :func:`format_vnd`, which picks the usual form.
    """
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"money must be a non-negative integer of đồng, got {value!r}")
    if style not in MONEY_STYLES:
        raise ValueError(f"unknown money style {style!r}; use one of {', '.join(MONEY_STYLES)}")
    if currency not in CURRENCIES:
        raise ValueError(f"unknown currency {currency!r}")
    if style == "digits":
        body = group_thousands(value)
    elif style == "decimal":
        body = _decimal_scale(value)
    else:  # a bare rest ("… 795 triệu 120") reads as money only with the currency word after it
        body = _words(value, pad=style == "leading_zero", bare_rest=currency is not None)
    out = body + (f" {currency}" if currency else "")
    if per:
        out += f"/{per}"
    if qualifier:
        word = qualifier_word(qualifier)
        if word in ("hàng", "vài", "mấy"):
            raise ValueError(f"unknown qualifier {qualifier!r}")
        out = f"{word} {out}"
    return out
