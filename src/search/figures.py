"""Figures in Vietnamese reports: money in integer đồng, counts with their unit, what they were for.

Reports on Chỉ thị 03/05 and Kết luận 01 are full of figures written the Vietnamese way:
"hơn 6,2 tỷ đồng", "1 tỷ 795 triệu", "3.700.000.000 đồng", "50.000 đồng/đảng viên", "8.458 ngày
công", "56 tập thể, 70 cá nhân". This module reads them:

* ``parse_money`` / ``format_money``: one money expression ↔ integer đồng, with its qualifier
  ("hơn" → ``more_than``) and, for rates, the unit it is paid per ("đồng/đảng viên", "mỗi quý").
* ``extract_figures``: every money amount, rate, count, percentage and duration in a text, with
  exact character offsets, the sentence it sits in and its purpose (housing, infrastructure …).
* ``split_sentences``: Vietnamese sentence spans that survive "TP.", "Đ/c", "v.v.", "3.700.000".
* ``PurposeClassifier`` / ``classify_purpose``: purpose of a figure's context or of a question,
  from a weighted domain vocabulary and, given an embedder, from the meaning of the context
  compared with a short description of each purpose.

Number conventions (Vietnamese): a dot followed by exactly three digits groups thousands
("1.525" = 1525, "3.700.000.000"), a comma is the decimal mark ("6,2 tỷ", "140,43%"). A single dot
followed by one, two or four+ digits cannot be grouping, so it is read as a decimal point
("12.5 triệu" = 12,5 triệu). Several commas in three-digit groups ("1,200,000") are English
grouping; when both marks appear, the last one is the decimal mark. The remaining ambiguity is
decided the Vietnamese way: "1.500 tỷ" is 1500 tỷ and "1,500 tỷ" is 1,5 tỷ.

What counts as money: a number with "đồng"/"đ"/"VNĐ"/"VND", or any amount with "tỷ" ("1 tỷ 795
triệu"), or "triệu" right after a money word ("kinh phí", "vận động", "với" …). "5 triệu người"
is a count; amounts in USD and other currencies are skipped, not converted. Not figures: years
(a four-digit 1900–2100 number without a dot is always a year), dates ("15/5/2016"), document
numbers ("05-CT/TW"), numbers that name things ("khóa XII", "Quốc lộ 1", "tổ 5", "năm 2014") and
anniversaries ("190 năm thành lập"). "X năm/tháng" is a ``duration``.

A plain number after "tỷ"/"triệu" is the spoken shorthand ("1 tỷ 2" = 1,2 tỷ, "1 tỷ 795" = 1 tỷ
795 triệu) unless a three-digit group stands before "đồng" ("795 triệu 500 đồng" = 795.000.500).

Known limits: spelled-out numbers are read only before a scale word ("năm trăm triệu");
"hàng trăm"/"vài chục" become the magnitude (100, 10) with qualifier ``order_of``/``several``;
counts need a unit from the vocabulary below; "1 tỷ 2 cho dân" (shorthand not at the end of the
amount) is read as 1 tỷ.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Iterable, Protocol, Sequence

from search.normalize import fix_tone_marks, fold

__all__ = [
    "Money", "Figure", "Purpose", "PURPOSES", "PURPOSE_NAMES", "QUALIFIERS", "MONEY_STYLES",
    "parse_money", "format_money", "parse_number", "extract_figures", "split_sentences",
    "split_clauses", "PurposeClassifier", "classify_purpose",
]

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
# Numbers
# --------------------------------------------------------------------------------------------

_NUM_TOKEN = r"\d+(?:[.,]\d+)*"
# A number starts a figure only when it is not glued to a word, a code or another number
# ("F0", "Covid-19", "23-KH/TU" second half, "15/5").
_NUM_START = re.compile(rf"(?<![\w/.,\-–]){_NUM_TOKEN}")
_NUM_AT = re.compile(_NUM_TOKEN)


def parse_number(token: str) -> Decimal | None:
    """A number written the Vietnamese way ("1.525", "6,2", "01", "140,43") → Decimal, else None."""
    token = token.strip()
    if not re.fullmatch(_NUM_TOKEN, token):
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


# --------------------------------------------------------------------------------------------
# Vocabulary of figures: scales, currency, qualifiers, units
# --------------------------------------------------------------------------------------------

_SCALES = {"trăm": 100, "nghìn": 1_000, "ngàn": 1_000, "triệu": 1_000_000, "tỷ": 10**9, "tỉ": 10**9}
# "triệu chứng" (symptom), "tỷ lệ" (ratio) start with a scale word but are not one.
_SCALE_WORD = (rf"(?:trăm|nghìn|ngàn|triệu(?!{_WS}+(?:chứng|phú)\b)|tỷ(?!{_WS}*lệ)|tỉ(?!{_WS}*lệ))"
               r"(?!\w)")
_SCALE_AT = re.compile(rf"{_WS}*({_SCALE_WORD}(?:{_WS}+{_SCALE_WORD})*)(?:{_WS}+(rưỡi)(?!\w))?", _F)
# Spelled-out digits, read only right before a scale word: "một tỷ", "năm trăm triệu".
_WORD_DIGITS = {"một": 1, "hai": 2, "ba": 3, "bốn": 4, "tư": 4, "năm": 5, "sáu": 6, "bảy": 7,
                "tám": 8, "chín": 9, "mười": 10}
_VAGUE = {"hàng": "order_of", "vài": "several", "mấy": "several"}
_VAGUE_MAGNITUDE = {"chục": 10, "trăm": 100, "nghìn": 1_000, "ngàn": 1_000, "triệu": 10**6,
                    "tỷ": 10**9, "tỉ": 10**9}
_WORD_START = re.compile(
    rf"(?<!\w)(?:(?P<digit>{'|'.join(_WORD_DIGITS)})(?={_WS}+{_SCALE_WORD})"
    rf"|(?P<vague>hàng|vài|mấy){_WS}+(?P<mag>chục|trăm|nghìn|ngàn|triệu|tỷ|tỉ)(?!\w))", _F)

# "đồng" also begins đồng chí, đồng bào, đồng thời, cánh đồng …; "đ/c" is đồng chí.
_DONG_NOT = ("chí", "bào", "thời", "ý", "hành", "đội", "nghiệp", "hương", "minh", "tâm", "lòng",
             "loạt", "bộ", "đều", "phục", "ca", "khởi", "cảm", "thuận", "tình", "chủ", "dạng",
             "nhất", "hồ", "bằng", "ruộng", "cỏ", "lúa", "muối", "quê", "sức", "môn", "niên",
             "xu", "hóa", "tiền", "đẳng", "dao", "nai")
_CURRENCY_AT = re.compile(
    rf"{_WS}*(?P<cur>đồng(?!{_WS}*(?:{'|'.join(_DONG_NOT)})(?!\w))(?!\w)"
    r"|VNĐ|VND|đ(?!\w)(?!/c(?!\w)))", _F)

# Qualifiers in front of a number, normalised to a small vocabulary. In compounds the word next
# to the number decides ("khoảng gần" → nearly, "khoảng hơn" → more_than).
QUALIFIERS: dict[str, str] = {
    "hơn": "more_than", "trên": "more_than", "khoảng hơn": "more_than", "khoảng trên": "more_than",
    "từ trên": "more_than", "hơn cả": "more_than", "vượt": "more_than", "vượt quá": "more_than",
    "gần": "nearly", "khoảng gần": "nearly", "gần như": "nearly", "ngót": "nearly",
    "ngót nghét": "nearly", "suýt soát": "nearly", "xấp xỉ": "about", "khoảng": "about",
    "chừng": "about", "khoảng chừng": "about", "ước": "about", "ước tính": "about",
    "ước khoảng": "about", "trên dưới": "about", "tầm": "about", "ít nhất": "at_least",
    "tối thiểu": "at_least", "không dưới": "at_least", "không ít hơn": "at_least", "từ": "at_least",
    "tối đa": "at_most", "không quá": "at_most", "nhiều nhất": "at_most",
    "không vượt quá": "at_most", "dưới": "less_than", "chưa đến": "less_than",
    "chưa tới": "less_than", "chưa đầy": "less_than", "không đến": "less_than", "tới": "up_to",
    "đến": "up_to", "lên tới": "up_to", "lên đến": "up_to", "hàng": "order_of", "vài": "several",
    "mấy": "several",
}
# The Vietnamese word format_money writes for each normalised qualifier.
_QUALIFIER_WORD = {"more_than": "hơn", "nearly": "gần", "about": "khoảng", "at_least": "ít nhất",
                   "at_most": "tối đa", "less_than": "dưới", "up_to": "lên tới"}
_QUALIFIER_BEFORE = re.compile(
    rf"(?<!\w)(?P<q>{_alternation(q for q in QUALIFIERS if q not in _VAGUE)}){_WS}+$", _F)

# What a rate is paid per: "/đảng viên", "mỗi quý", "/hộ/tháng". Known units first, else one word.
_PER_UNITS = (
    "hộ gia đình", "gia đình", "đảng viên", "hội viên", "đoàn viên", "học sinh", "sinh viên",
    "người", "hộ", "suất", "phần", "phần quà", "căn", "căn nhà", "nhà", "tháng", "quý", "năm",
    "tuần", "ngày", "buổi", "lượt", "kỳ", "học kỳ", "năm học", "trường hợp", "cháu", "em", "bé",
    "trẻ", "cá nhân", "tập thể", "chi bộ", "thành viên", "bệnh nhân", "km", "m2", "m²", "ha",
    "tấn", "kg", "con", "cây", "xã", "thôn", "ấp", "đơn vị", "lao động", "nhân khẩu", "khẩu",
    "ngày công", "công", "giờ", "đợt", "lần", "người/tháng",
)
_TIME_UNITS = ("ngày", "tuần", "tháng", "quý", "năm", "kỳ", "học kỳ", "năm học")
_PER_WORD = rf"(?:{_alternation(_PER_UNITS)})(?!\w)"
_PER_SLASH_AT = re.compile(rf"(?:{_WS}*/{_WS}*(?P<u>{_PER_WORD}|[^\W\d_]+))+", _F)
_PER_WORDS_AT = re.compile(rf"{_WS}+(?:mỗi|cho mỗi|trên mỗi|một|1){_WS}+(?P<u>{_PER_WORD})", _F)
# "mỗi quý 1,2 triệu", "mỗi hộ được hỗ trợ 5 triệu": each/every + unit, a few plain words, amount.
_PER_BEFORE = re.compile(
    rf"(?<!\w)(?P<w>mỗi|từng|hàng|hằng){_WS}+(?P<u>{_PER_WORD}|[^\W\d_]+(?!\w))"
    rf"(?P<gap>(?:{_WS}+[^\W\d_]+){{0,4}}){_WS}*$", _F)

# Counted things: surface form → (unit, category). Longest match wins, so "nhà văn hóa" is a
# work and "trường hợp" a case, not a house or a school.
_COUNT_UNITS: dict[str, tuple[str, str]] = {}


def _units(category: str, unit: str | None, *surfaces: str) -> None:
    for s in surfaces:
        _COUNT_UNITS[_key(s)] = (unit or _key(s), category)


_units("houses", "nhà", "nhà", "căn nhà", "ngôi nhà", "căn", "căn hộ", "mái ấm", "nhà ở",
       "nhà tình thương", "nhà tình nghĩa", "nhà đại đoàn kết", "nhà nhân ái",
       "căn nhà tình thương")
_units("houses", "nền", "nền", "nền nhà")
_units("households", "hộ", "hộ", "hộ gia đình", "gia đình", "hộ dân", "hộ nghèo", "hộ cận nghèo")
_units("honours", "tập thể, cá nhân", "tập thể, cá nhân", "tập thể và cá nhân")
_units("honours", None, "tập thể", "cá nhân", "gương điển hình", "bằng khen", "giấy khen",
       "huân chương", "danh hiệu")
_units("honours", "gương điển hình", "gương", "điển hình", "gương người tốt việc tốt")
_units("events", None, "hội nghị", "hội thảo", "hội thi", "cuộc thi", "cuộc", "buổi", "đợt",
       "lớp", "lớp tập huấn", "lớp bồi dưỡng", "tọa đàm", "buổi tọa đàm", "chuyên đề", "phiên")
_units("works", "công trình", "công trình", "công trình, phần việc")
_units("works", None, "phần việc", "hạng mục", "tuyến đường", "nhà văn hóa", "cống", "giếng")
_units("works", "tuyến đường", "con đường")
_units("works", "cầu", "cầu", "cây cầu", "cầu dân sinh")
_units("workdays", "ngày công", "ngày công")
_units("length", "km", "km", "ki-lô-mét", "cây số")
_units("length", "m", "m", "mét")
_units("area", "m²", "m2", "m²", "mét vuông")
_units("area", "ha", "ha", "héc-ta", "hecta")
_units("weight", None, "tấn", "kg")
_units("weight", "tấn", "tấn gạo")
_units("people", "người", "người", "người dân", "nhân khẩu", "khẩu")
_units("people", "học sinh", "học sinh", "em học sinh")
_units("people", "trẻ em", "trẻ em", "trẻ", "bé", "cháu")
_units("people", "đồng chí", "đ/c")
_units("people", None, "công dân", "đảng viên", "cán bộ", "sinh viên", "hội viên", "đoàn viên",
       "thanh niên", "giáo viên", "bệnh nhân", "em", "đồng chí", "đại biểu", "công chức",
       "viên chức", "lao động", "cựu chiến binh", "người cao tuổi", "thành viên",
       "tình nguyện viên", "y bác sĩ", "bác sĩ", "cử tri", "phụ nữ", "người có công", "thí sinh")
_units("books", "cuốn", "cuốn", "quyển", "đầu sách", "cuốn sách")
_units("books", None, "tài liệu", "tờ rơi", "tờ gấp", "ấn phẩm", "pa nô", "băng rôn")
_units("books", "tin, bài", "tin, bài", "tin bài", "bài viết", "bài")
_units("cases", None, "vụ việc", "vụ án", "đơn thư", "kiến nghị", "ý kiến", "trường hợp",
       "phản ánh", "khiếu nại")
_units("cases", "đơn thư", "đơn")
_units("organisations", None, "chi bộ", "đảng bộ", "tổ chức cơ sở đảng", "tổ chức đảng",
       "tổ chức", "tổ công tác", "tổ", "câu lạc bộ", "cơ quan", "đơn vị", "xã", "phường",
       "thị trấn", "ấp", "thôn", "khu phố", "trường", "trường học", "hợp tác xã", "doanh nghiệp",
       "nhóm", "đội", "nhà máy")
_units("organisations", "câu lạc bộ", "clb")
_units("initiatives", None, "mô hình", "phong trào", "sáng kiến")
_units("items", "phần quà", "phần quà", "suất quà")
_units("items", "học bổng", "học bổng", "suất học bổng")
_units("items", "thẻ BHYT", "thẻ bảo hiểm y tế", "thẻ bhyt")
_units("works", None, "bóng đèn", "cột đèn", "trụ đèn", "đèn")
_units("items", None, "suất", "xe đạp", "xe lăn", "chiếc", "con bò", "bò giống", "con giống",
       "cây xanh", "cây", "bình lọc nước", "bồn nước", "bộ", "máy", "xe")

_PEOPLE_NOUNS = ("người", "cán bộ", "đảng viên", "hội viên", "đoàn viên", "học sinh", "khách",
                 "bệnh nhân", "công dân", "lao động", "người dân", "công nhân", "viên chức",
                 "công chức", "thanh niên", "ý kiến", "cán bộ chủ chốt")
_PEOPLE_LIST = rf"(?:{_alternation(_PEOPLE_NOUNS)})(?!\w)"
# "15.002 lượt cán bộ, đảng viên, công nhân": attendances, the people named after them.
_LUOT_AT = re.compile(
    rf"{_WS}*(lượt)(?!\w)(?:{_WS}+{_PEOPLE_LIST}(?:{_WS}*,{_WS}*{_PEOPLE_LIST})*)?", _F)
_UNIT_AT = re.compile(rf"{_WS}*(?P<u>{_alternation(_COUNT_UNITS)})(?!\w)", _F)
_PERCENT_AT = re.compile(rf"{_WS}*(%|phần{_WS}+trăm(?!\w))", _F)
_DURATION_UNITS = ("năm", "tháng", "ngày", "tuần", "giờ", "quý", "nhiệm kỳ", "thập kỷ", "thế kỷ")
_DURATION_AT = re.compile(rf"{_WS}+(?P<u>{_alternation(_DURATION_UNITS)})(?!\w)(?!{_WS}+công)", _F)
# "190 năm thành lập", "kỷ niệm 50 năm": anniversaries, not spans of work.
_ANNIVERSARY_AFTER = re.compile(
    rf"{_WS}+(?:thành{_WS}+lập|ngày{_WS}+sinh|truyền{_WS}+thống|ngày{_WS}+thành)", _F)
_ANNIVERSARY_BEFORE = re.compile(rf"(?:kỷ{_WS}+niệm|chào{_WS}+mừng|tròn)(?:{_WS}+\S+)?{_WS}*$", _F)
# Amounts in another currency are not đồng: "120 tỷ USD" is left alone rather than misread.
_FOREIGN_AT = re.compile(
    rf"{_WS}*(?:USD|EUR|đô{_WS}*-?{_WS}*la|đô(?!\w)|euro|yên|nhân{_WS}+dân{_WS}+tệ"
    rf"|bảng{_WS}+Anh|\$)", _F)
_RANGE_SEP_AT = re.compile(rf"{_WS}*(?:-|–|—|đến(?!\w)|tới(?!\w)){_WS}*(?=\d)", _F)

# Words after which a number names something (Kế hoạch số 23, khóa XII, Quốc lộ 1, năm 2014,
# tổ 5, lần thứ 2) instead of counting it.
_ID_BEFORE = re.compile(
    r"(?<!\w)(?:(?<!tổng )số|thứ|lần|khóa|khoá|điều|khoản|chương|mục|phường|quận|ấp|khóm|tổ|"
    r"lô|thửa|phòng|tầng|lớp|năm|tháng|ngày|giờ|lúc|kỳ|hẻm|kiệt|xóm|đội|trang|hạng|luật|covid|"
    r"quốc lộ|tỉnh lộ|hương lộ|đường tỉnh|trung ương|giai đoạn|khu phố|chỉ thị|nghị quyết|"
    r"kết luận|quyết định|kế hoạch|quy định|thông tư|nghị định|công văn|hướng dẫn|thông báo|"
    r"tờ trình|chương trình|sáng|chiều|tối|đêm|hôm)"
    rf"{_WS}+$", _F)
# Words that make a bare "triệu"/"nghìn" (no "đồng") money rather than people or things.
_MONEY_CONTEXT = re.compile(
    r"(?<!\w)(?:kinh phí|tổng kinh phí|trị giá|giá trị|số tiền|tiền|vận động|quyên góp|ủng hộ|"
    r"đóng góp|hỗ trợ|ngân sách|vốn|quỹ|chi phí|thu nhập|doanh thu|lương|tài trợ|xã hội hóa|"
    r"đầu tư|với|mức|trợ cấp|gây quỹ)(?!\w)", _F)


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
class _Raw:
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
        nxt = re.compile(rf"{_WS}+({_NUM_TOKEN})").match(text, amount.end)
        if nxt is None or (value := parse_number(nxt.group(1))) is None:
            break
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
        self.out: list[_Raw] = []

    def run(self) -> list[_Raw]:
        starts = sorted({m.start() for m in _NUM_START.finditer(self.text)}
                        | {m.start() for m in _WORD_START.finditer(self.text)})
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

    def _money(self, a: _Amount, *, allow_bare: bool = False) -> _Raw | None:
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
        return _Raw("money", _to_dong(a.value), "đồng", a.start, end, per=per)

    def _money_without_currency(self, a: _Amount) -> bool:
        if a.bare or (a.vague and not a.scales):
            return False
        if "tỷ" in a.scales or "tỉ" in a.scales:
            return True  # in these reports "1 tỷ 795 triệu" is always money
        line_start = self.text.rfind("\n", 0, a.start) + 1
        before = self.text[max(line_start, a.start - 60):a.start]
        return _MONEY_CONTEXT.search(before) is not None and "triệu" in a.scales

    def _quantity(self, a: _Amount) -> _Raw | None:
        """Percentages, counts with a unit, durations: never glued to a code, a year, an id."""
        text = self.text
        if a.bare and _is_year(a.token):
            return None
        if a.bare and not a.vague and _ID_BEFORE.search(text, max(0, a.start - 25), a.start):
            return None
        value = _to_number(a.value)
        m = _PERCENT_AT.match(text, a.end)
        if m and not a.scales:
            return _Raw("percent", value, "%", a.start, m.end())
        m = _LUOT_AT.match(text, a.end)
        if m:
            return _Raw("count", value, "lượt", a.start, m.end(), category="attendance")
        m = _UNIT_AT.match(text, a.end)
        if m:
            unit, category = _COUNT_UNITS[_key(m.group("u"))]
            return _Raw("count", value, unit, a.start, m.end(), category=category)
        m = _DURATION_AT.match(text, a.end)
        if m and a.bare and not self._anniversary(a, m.end()):
            return _Raw("duration", value, _key(m.group("u")), a.start, m.end(), category="time")
        return None

    def _anniversary(self, a: _Amount, end: int) -> bool:
        return bool(_ANNIVERSARY_AFTER.match(self.text, end)
                    or _ANNIVERSARY_BEFORE.search(self.text, max(0, a.start - 30), a.start))

    def _slashed(self, a: _Amount) -> int:
        """"66/47 chi bộ" is 66 of 47; "15/5/2016" and "ngày 15/5" are dates, skipped whole."""
        m = re.compile(r"/(\d+)(/\d+)?").match(self.text, a.end)
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
            b = _NUM_AT.match(self.text, sep.end())
            return b.end() if b and _is_year(b.group()) else None  # "2016-2020": a period
        b = _read_amount(self.text, sep.end())
        hi = b and (self._money(b) or self._quantity(b))
        if not hi or hi.kind == "duration" or (cur and hi.kind != "money"):
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

    def _qualify(self, raw: _Raw, a: _Amount) -> None:
        if a.vague:
            raw.qualifier, raw.qualifier_vi = _VAGUE[a.vague], a.vague
        else:
            q_start, raw.qualifier, raw.qualifier_vi = _qualifier_before(self.text, a.start)
            raw.start = q_start
        self._finish_rate(raw, a)

    def _finish_rate(self, raw: _Raw, a: _Amount) -> None:
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
# Money: public API
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Money:
    """One money expression. ``value`` in đồng; for a rate, ``per`` says per what."""

    value: int
    kind: str = "amount"               # "amount" | "rate"
    qualifier: str | None = None       # normalised: more_than, nearly, about, at_least …
    qualifier_vi: str | None = None    # as written: "hơn", "khoảng gần"
    per: str | None = None             # "đảng viên", "quý", "hộ/tháng"
    value_max: int | None = None       # upper bound of a range ("từ 5 đến 10 triệu")
    text: str = ""
    start: int = 0
    end: int = 0

    @property
    def unit(self) -> str:
        return f"đồng/{self.per}" if self.per else "đồng"


def _money_from_raw(raw: _Raw, text: str) -> Money:
    return Money(int(raw.value), "rate" if raw.kind == "rate" else "amount", raw.qualifier,
                 raw.qualifier_vi, raw.per, None if raw.value_max is None else int(raw.value_max),
                 text[raw.start:raw.end], raw.start, raw.end)


def parse_money(text: str) -> Money | None:
    """Read one money expression ("hơn 6,2 tỷ đồng", "mỗi quý 1,2 triệu đồng") → ``Money``.

    The first money figure in ``text`` is returned. When the text holds nothing that is money on
    its own but is a single amount ("3.700.000.000", "500 nghìn"), the caller is taken at their
    word and it is read as đồng. Returns None for anything else.
    """
    nfc = unicodedata.normalize("NFC", text)
    for raw in _Scanner(nfc).run():
        if raw.kind in ("money", "rate"):
            return _money_from_raw(raw, nfc)
    return _parse_bare_money(nfc)


def _parse_bare_money(text: str) -> Money | None:
    """A lone amount with no currency word: "3.700.000.000", "hơn 500 nghìn"."""
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
    money = _money_from_raw(raw, stripped)
    return Money(money.value, money.kind, money.qualifier, money.qualifier_vi, money.per,
                 money.value_max, money.text, money.start + offset, money.end + offset)


_LEADING_QUALIFIER = re.compile(rf"(?:{_alternation(QUALIFIERS)}){_WS}+", _F)
MONEY_STYLES = ("digits", "words", "decimal", "leading_zero")
_CURRENCIES = ("đồng", "VNĐ", "VND", "đ", None)


def _group(n: int) -> str:
    """Integer with dots grouping thousands: 3700000000 → "3.700.000.000"."""
    return f"{n:,}".replace(",", ".")


def _decimal_comma(value: Decimal) -> str:
    """Decimal with a comma mark and grouped integer part, no trailing zeros: 6.20 → "6,2"."""
    whole, _, frac = f"{value:f}".partition(".")
    frac = frac.rstrip("0")
    return _group(int(whole)) + ("," + frac if frac else "")


def format_money(value: int, style: str = "digits", *, currency: str | None = "đồng",
                 qualifier: str | None = None, per: str | None = None) -> str:
    """Write ``value`` đồng the Vietnamese way; ``parse_money`` reads every output back.

    Styles: ``digits`` "6.200.000.000 đồng"; ``words`` "6 tỷ 200 triệu đồng"; ``decimal``
    "6,2 tỷ đồng"; ``leading_zero`` "06 tỷ 200 triệu đồng". ``currency`` is "đồng", "VNĐ", "VND",
    "đ" or None. ``qualifier`` is a normalised name ("more_than") or a Vietnamese word ("hơn");
    ``per`` makes a rate ("đảng viên" → "…đồng/đảng viên").
    """
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"money must be a non-negative integer of đồng, got {value!r}")
    if style not in MONEY_STYLES:
        raise ValueError(f"unknown money style {style!r}; use one of {', '.join(MONEY_STYLES)}")
    if currency not in _CURRENCIES:
        raise ValueError(f"unknown currency {currency!r}")
    if style == "digits":
        body = _group(value)
    elif style == "decimal":
        body = _write_decimal(value)
    else:  # a bare rest ("… 795 triệu 120") reads as money only with the currency word after it
        body = _write_words(value, pad=style == "leading_zero", bare_rest=currency is not None)
    out = body + (f" {currency}" if currency else "")
    if per:
        out += f"/{per}"
    if qualifier:
        word = _QUALIFIER_WORD.get(qualifier, qualifier)
        if word not in QUALIFIERS or word in _VAGUE:
            raise ValueError(f"unknown qualifier {qualifier!r}")
        out = f"{word} {out}"
    return out


def _write_words(value: int, pad: bool = False, bare_rest: bool = True) -> str:
    """"1 tỷ 795 triệu 500 nghìn 120". A bare rest reads as đồng only after "nghìn" and before
    the currency word ("1 tỷ 2" means 1,2 tỷ), so otherwise it goes into the nghìn part as a
    decimal: "1 tỷ 0,12 nghìn"."""
    def num(n: int) -> str:
        return f"{n:02d}" if pad and n < 10 else _group(n)

    if value < 1000:
        return num(value)
    parts = []
    rest = value
    for word, mult in (("tỷ", 10**9), ("triệu", 10**6), ("nghìn", 10**3)):
        n, rest = divmod(rest, mult)
        if word == "nghìn" and rest and not (bare_rest and n):
            parts.append(f"{_decimal_comma(Decimal(value % 10**6) / 1000)} nghìn")
            rest = 0
        elif n:
            parts.append(f"{num(n)} {word}")
    if rest:
        parts.append(num(rest))
    return " ".join(parts)


def _write_decimal(value: int) -> str:
    for word, mult in (("tỷ", 10**9), ("triệu", 10**6), ("nghìn", 10**3)):
        if value >= mult:
            return f"{_decimal_comma(Decimal(value) / mult)} {word}"
    return str(value)


# --------------------------------------------------------------------------------------------
# Sentences and clauses
# --------------------------------------------------------------------------------------------

# Abbreviations followed by a dot that do not end a sentence.
_ABBREVIATIONS = {"tp", "tx", "tt", "q", "p", "ths", "ts", "pgs", "gs", "bs", "ks", "cn", "ô",
                  "mr", "mrs", "ms", "dr", "st", "nxb", "tr", "vv", "sđd", "đ/c", "đc", "ttg"}
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
    if word.lower() in _ABBREVIATIONS:
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


# --------------------------------------------------------------------------------------------
# Purposes
# --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Purpose:
    name: str
    label_en: str
    label_vi: str
    description: str  # generic domain words, Vietnamese then English; embedded sentence by sentence


PURPOSES: tuple[Purpose, ...] = (
    Purpose("housing", "Housing", "Nhà ở",
            "Xây mới, sửa chữa nhà ở cho hộ nghèo, gia đình chính sách khó khăn về nhà ở. "
            "Trao tặng nhà tình thương, nhà đại đoàn kết, nhà tình nghĩa, xóa nhà tạm, dột nát. "
            "Bố trí nền nhà, chỗ ở để người dân an cư. "
            "Building and repairing houses and homes for poor families; charity houses, shelter."),
    Purpose("infrastructure", "Roads and infrastructure", "Giao thông, hạ tầng",
            "Làm đường giao thông nông thôn, bê tông hóa, nâng cấp, mở rộng mặt đường. "
            "Xây cầu, cống, kênh mương thủy lợi, điện chiếu sáng, nước sạch, nhà văn hóa. "
            "Nhân dân hiến đất, góp ngày công xây dựng công trình công cộng. "
            "Building rural roads, bridges, canals, street lights and other public works."),
    Purpose("poverty_relief", "Poverty relief and social welfare", "Giảm nghèo, an sinh xã hội",
            "Hỗ trợ, giúp đỡ hộ nghèo, hộ cận nghèo, gia đình có hoàn cảnh khó khăn thoát nghèo. "
            "Tặng quà, gạo, con giống, vốn sinh kế; chăm lo gia đình chính sách, người có công. "
            "Đỡ đầu trẻ mồ côi, giúp người già neo đơn, người khuyết tật, cứu trợ thiên tai. "
            "Poverty relief, social welfare: gifts, livelihoods, help for orphans, needy families."),
    Purpose("health", "Health care", "Y tế, chăm sóc sức khỏe",
            "Khám bệnh, cấp thuốc miễn phí, chăm sóc sức khỏe nhân dân. "
            "Tặng thẻ bảo hiểm y tế, hiến máu tình nguyện, phòng chống dịch bệnh, trạm y tế. "
            "Health care: free medical check-ups, medicines, health insurance, hospitals."),
    Purpose("education", "Education", "Giáo dục, khuyến học",
            "Trao học bổng, tặng tập vở, đồ dùng học tập cho học sinh nghèo hiếu học. "
            "Khuyến học, xây dựng trường học, phòng học, giúp các em đến trường. "
            "Education: scholarships, schools, classrooms, pupils and teachers."),
    Purpose("honours", "Honours and commendations", "Khen thưởng, biểu dương",
            "Khen thưởng, biểu dương, tuyên dương tập thể, cá nhân điển hình tiêu biểu. "
            "Trao bằng khen, giấy khen, vinh danh gương người tốt việc tốt. "
            "Honours and awards: commending exemplary collectives and individuals."),
    Purpose("training", "Training and propaganda", "Học tập, quán triệt, tuyên truyền",
            "Tổ chức hội nghị học tập, quán triệt chuyên đề cho cán bộ, đảng viên. "
            "Bồi dưỡng, tập huấn, tuyên truyền, tọa đàm, hội thi, phát hành sổ tay, tài liệu. "
            "Training and propaganda: conferences, study sessions, seminars and publications."),
    Purpose("dialogue", "Dialogue with citizens", "Tiếp xúc, đối thoại với nhân dân",
            "Tiếp xúc, đối thoại trực tiếp với nhân dân, tiếp công dân, lắng nghe ý kiến. "
            "Giải quyết kiến nghị, phản ánh, khiếu nại, đơn thư của người dân. "
            "Dialogue with citizens: meetings, hearing petitions, complaints and grievances."),
    Purpose("other", "Other", "Khác", ""),
)
PURPOSE_NAMES: tuple[str, ...] = tuple(p.name for p in PURPOSES)

# Cue phrases → weight per purpose. Phrases are matched longest first over word tokens, so
# "nhà máy", "yêu cầu", "môi trường", "học tập và làm theo" are consumed as the neutral phrases
# they are before "nhà", "cầu", "trường", "học tập" can count. Weights: 3 decisive, 2 strong,
# 1 suggestive, below 1 weak.
_CUE_TABLE: dict[str, tuple[tuple[float, str], ...]] = {
    "housing": (
        (3.5, "nhà tình thương|nhà tình nghĩa|nhà đại đoàn kết|nhà nhân ái|xóa nhà tạm|"
              "nhà chống lũ"),
        (3, "nhà ở|căn nhà|nền nhà|nhà tạm|dột nát|chỗ ở|mái ấm|an cư|cất nhà|housing|shelter"),
        (2.5, "ngôi nhà|nhà|nơi ở|houses|house|homes|home"),
        (2, "cất mới|nền|tái định cư|căn|tốc mái|mái tôn|lợp mái"),
        (0.8, "sửa chữa|xây mới"),
    ),
    "infrastructure": (
        (3, "đường giao thông|giao thông nông thôn|cơ sở hạ tầng|cầu dân sinh|bê tông hóa|nhựa hóa|"
            "infrastructure|roads|road|bridges|bridge"),
        (2.5, "giao thông|mặt đường|tuyến đường|hạ tầng|thủy lợi|nhà văn hóa|cây cầu|"
              "chiếu sáng|thắp sáng|canal|canals|irrigation|street|streets"),
        (2, "đường|cầu|cống|bê tông|san lấp|hiến đất|kè|đê|nghĩa trang|nghĩa địa|đường tránh|"
            "nước sạch|vỉa hè|đường điện|lưới điện|đèn|km|lighting|electricity"),
        (1.5, "lộ|kênh|mương|giếng|trụ sở|hẻm|công trình|ngày công|đèn đường|nông thôn mới|water"),
        (1, "nâng cấp|mở rộng|điện|chợ|sân|con đường|cột cờ|works"),
        (0.4, "sửa chữa|xây mới"),
    ),
    "poverty_relief": (
        # What is done counts more than who it is done for: "nhà cho hộ nghèo" is housing,
        # "học bổng cho học sinh nghèo" education; the poor alone make it poverty relief.
        (3, "giảm nghèo|thoát nghèo|vì người nghèo|an sinh xã hội|bảo trợ xã hội|mồ côi|đỡ đầu|"
            "poverty|orphans|orphan|welfare"),
        (2.5, "an sinh|gia đình chính sách|người có công|neo đơn|tặng quà|phần quà|cứu trợ|"
              "needy|disadvantaged|charity|relief"),
        (2, "hộ nghèo|cận nghèo|người nghèo|quà|khuyết tật|trợ cấp|nhân đạo|tương thân tương ái|"
            "sinh kế|vay vốn|con giống|bò giống|gift|gifts|livelihood|livelihoods"),
        (1.5, "nghèo|đặc biệt khó khăn|từ thiện|thiên tai|lũ lụt|bão lũ|gạo|suất ăn|áo ấm|"
              "chăn màn|giúp đỡ|thăm hỏi|lốc xoáy|vùng lũ|poor|hardship"),
        (1, "hoàn cảnh khó khăn|người cao tuổi|trợ giúp"),
        (0.7, "khó khăn|sạt lở|sạt lỡ"),
        (0.4, "hỗ trợ|gia đình|hộ"),
    ),
    "health": (
        (3, "khám bệnh|khám chữa bệnh|cấp thuốc|y tế|bảo hiểm y tế|bhyt|sức khỏe|bệnh viện|"
            "hiến máu|tiêm chủng|vắc xin|health|healthcare|medical|medicine|medicines|hospital|"
            "clinic"),
        (2.5, "thuốc|khám|bác sĩ|y bác sĩ|bệnh nhân|chuyển viện|cấp cứu|trạm y tế|"
              "patients|doctors|vaccination"),
        (2, "bệnh|dịch bệnh|phòng chống dịch|covid|dinh dưỡng|tiểu đường|đái tháo đường|"
            "huyết áp|sàng lọc"),
        (1, "dịch|nước sạch"),
    ),
    "education": (
        (3, "học bổng|khuyến học|trường học|phòng học|đồ dùng học tập|tập vở|hiếu học|đến trường|"
            "school|schools|scholarship|scholarships|education|classroom|classrooms"),
        (2.5, "học sinh|sinh viên|giáo viên|mầm non|mẫu giáo|điểm trường|bán trú|nhà trường|"
              "sách giáo khoa|học sinh giỏi|học giỏi|thành tích học tập|students|student|pupils|"
              "teachers"),
        (2, "trường|lớp học|năm học|sách vở|khuyến tài|thư viện|giáo dục|đến lớp"),
        (1, "con em|vượt khó"),
    ),
    "honours": (
        (3, "khen thưởng|biểu dương|tuyên dương|bằng khen|giấy khen|vinh danh|trao thưởng|"
            "huân chương|kỷ niệm chương|honours|honour|honors|honor|award|awards|awarded|"
            "commended|commendation|commend"),
        (2.5, "tôn vinh|ghi danh|danh hiệu|khen|người tốt việc tốt|exemplary|reward|recognition"),
        (2, "điển hình|tấm gương|gương điển hình|giải nhất|giải nhì|giải ba"),
        (1, "tiêu biểu|gương|giải|thi đua"),
    ),
    "training": (
        (3, "hội nghị|quán triệt|tập huấn|học tập chuyên đề|sinh hoạt chuyên đề|giáo dục chính trị|"
            "lý luận chính trị|training|conference|conferences|seminar|seminars|propaganda"),
        (2.5, "tuyên truyền|bồi dưỡng|tọa đàm|hội thảo|hội thi|cuộc thi|báo cáo viên|"
              "tuyên truyền viên|sổ tay|study|studying|workshop|workshops|courses|course"),
        (2, "chuyên đề|tài liệu|học tập|tờ rơi|pa nô|băng rôn|khẩu hiệu|truyền thanh|lượt"),
        (1, "nghiên cứu|đăng ký|lớp|sinh hoạt"),
    ),
    "dialogue": (
        (3, "đối thoại|tiếp công dân|tiếp dân|tiếp xúc cử tri|khiếu nại|đơn thư|đường dây nóng|"
            "dialogue|dialog|petitions|petition|complaints|grievances|citizens"),
        (2.5, "tiếp xúc|kiến nghị|tố cáo|cử tri|nguyện vọng|phản ánh|hòm thư góp ý|lắng nghe|"
              "complaint|voters|feedback"),
        (2, "vụ việc|ý kiến|công dân|gặp gỡ|bức xúc|nghe dân|dân nói|listen|listening"),
        (0.5, "giải quyết"),
    ),
    # Economy, budget and security are none of the purposes: they vote for "other" outright, so
    # that "thu ngân sách đạt 350 tỷ" does not fall to whatever weak cue is nearby.
    "other": (
        (3, "thu ngân sách|doanh thu|thu nhập bình quân|tổng vốn đầu tư|an ninh trật tự|"
            "revenue|income|security"),
        (2.5, "tăng trưởng|camera|quốc phòng|giá trị sản xuất|kim ngạch"),
        (2, "an ninh|vốn đầu tư|thu nhập|kinh doanh|lợi nhuận|dự toán"),
        (1, "sản xuất|trật tự|kinh tế"),
    ),
}
# Phrases consumed without weight: they contain a cue word but mean something else.
_NEUTRAL = (
    "nhà máy|nhà nước|nhà báo|nhà hảo tâm|nhà tài trợ|nhà đầu tư|nhà khoa học|nhà văn|nhà thơ|"
    "nhà hàng|nhà thờ|nhà chùa|nhà sư|nhà lãnh đạo|nhà quản lý|nhà nông|nhà vô địch|"
    "yêu cầu|nhu cầu|cầu nối|toàn cầu|cầu thị|cầu tiến|cầu thủ|cầu lông|cầu kỳ|mưu cầu|"
    "môi trường|thị trường|trường hợp|lập trường|hiện trường|chiến trường|quảng trường|"
    "đường lối|lên đường|con đường phát triển|nền tảng|nền kinh tế|nền nếp|nề nếp|nền văn hóa|"
    "học tập và làm theo|làm theo|tấm gương đạo đức|nêu gương|gương mẫu|làm gương|soi gương|"
    "điện thoại|điện tử|điện biên|sáng kiến|sáng tạo|lộ trình|bộc lộ|tiết lộ|"
    "tập thể lãnh đạo|trí tuệ tập thể|chủ nghĩa cá nhân|dân chủ|xây dựng đảng|"
    "đời sống văn hóa|khó khăn, tồn tại|tồn tại, hạn chế|khó khăn, thách thức|khuyết điểm"
)


def _build_cues() -> dict[tuple[str, ...], dict[str, float]]:
    cues: dict[tuple[str, ...], dict[str, float]] = {}
    for purpose, levels in _CUE_TABLE.items():
        for weight, phrases in levels:
            for phrase in phrases.split("|"):
                cues.setdefault(tuple(_cue_tokens(phrase)), {})[purpose] = float(weight)
    for phrase in _NEUTRAL.split("|"):
        cues.setdefault(tuple(_cue_tokens(phrase)), {})
    return cues


_TOKEN_RE = re.compile(r"[^\W_]+")


def _cue_tokens(text: str) -> list[str]:
    return [fix_tone_marks(t.lower()) for t in _TOKEN_RE.findall(text)]


_CUES = _build_cues()
# Text typed without diacritics ("duong giao thong") is matched against folded cues.
_FOLDED_CUES: dict[tuple[str, ...], dict[str, float]] = {}
for _k, _v in _CUES.items():
    _FOLDED_CUES.setdefault(tuple(fold(" ".join(_k)).split()), _v)
_MAX_CUE = max(len(k) for k in _CUES)

# What a counted unit says about its purpose on its own ("129 nhà" is housing wherever it stands).
_UNIT_PRIOR: dict[str, dict[str, float]] = {
    "houses": {"housing": 3.0}, "honours": {"honours": 3.0}, "workdays": {"infrastructure": 0.8},
    "works": {"infrastructure": 1.5}, "length": {"infrastructure": 1.5},
    "events": {"training": 1.5}, "attendance": {"training": 1.0}, "books": {"training": 1.5},
    "cases": {"dialogue": 1.5}, "households": {"poverty_relief": 0.8},
}
_UNIT_SPECIFIC: dict[str, dict[str, float]] = {
    "học sinh": {"education": 2.0}, "sinh viên": {"education": 2.0},
    "giáo viên": {"education": 1.5},
    "học bổng": {"education": 3.0}, "bệnh nhân": {"health": 2.0}, "thẻ BHYT": {"health": 3.0},
    "phần quà": {"poverty_relief": 2.0}, "công dân": {"dialogue": 1.0}, "cử tri": {"dialogue": 2.0},
    "nhà văn hóa": {"infrastructure": 3.0}, "cầu": {"infrastructure": 3.0},
    "tuyến đường": {"infrastructure": 3.0}, "trường học": {"education": 2.0},
    "con bò": {"poverty_relief": 2.0}, "bò giống": {"poverty_relief": 2.0},
    "con giống": {"poverty_relief": 2.0}, "vụ việc": {"dialogue": 2.0},
    "đơn thư": {"dialogue": 2.5},
    "phản ánh": {"dialogue": 2.5}, "khiếu nại": {"dialogue": 2.5},
    "kiến nghị": {"dialogue": 2.5}, "trường hợp": {},
}


class EmbedderLike(Protocol):
    """What the classifier needs of an embedder (search.embedders.Embedder has more)."""

    def embed_queries(self, texts: list[str]) -> Any: ...
    def embed_passages(self, texts: list[str]) -> Any: ...


@dataclass
class _Context:
    """Where a figure sits: the text around it (usually its sentence) and its span in that text."""

    text: str
    span: tuple[int, int] | None = None
    barriers: tuple[tuple[int, int], ...] = ()   # other money figures: their words are theirs
    prior: dict[str, float] = field(default_factory=dict)  # what the figure's own unit says
    objects: tuple[tuple[int, int, dict[str, float]], ...] = ()  # other counts: span, prior


class PurposeClassifier:
    """Purpose of a figure or a question: housing, infrastructure, poverty_relief, health,
    education, honours, training, dialogue, or other when nothing is confident.

    Lexical: each cue phrase near the figure adds its weight, decaying with distance in words;
    words after the figure count a little less (reports put the purpose before "với kinh phí …"),
    words of the figure's ";"-clause count fully, the rest of the sentence only when the clause
    says too little. With an ``embedder`` (anything with ``embed_queries``/``embed_passages``), the
    context is also compared with each purpose's description, and both views are blended.
    """

    def __init__(self, embedder: EmbedderLike | None = None, *, threshold: float = 1.0,
                 embed_weight: float = 1.0):
        self.embedder = embedder
        self.threshold = threshold
        self.embed_weight = embed_weight
        self._desc = None  # (matrix of description sentences, owner purpose index per row)

    # ---- public --------------------------------------------------------------------------
    def scores(self, text: str, span: tuple[int, int] | None = None) -> dict[str, float]:
        """Score of each purpose for ``text``, or for the figure at ``span`` in it ("other" scores
        from economy and security words; missing purposes scored nothing)."""
        return self._score_contexts([_Context(text, span)])[0]

    def classify(self, text: str, span: tuple[int, int] | None = None) -> str:
        return self._decide(self.scores(text, span))

    def classify_many(self, texts: Sequence[str]) -> list[str]:
        return [self._decide(s) for s in self._score_contexts([_Context(t) for t in texts])]

    # ---- internals -----------------------------------------------------------------------
    def _classify_contexts(self, contexts: Sequence[_Context]) -> list[str]:
        return [self._decide(s) for s in self._score_contexts(contexts)]

    def _decide(self, scores: dict[str, float]) -> str:
        best = max(scores, key=scores.get) if scores else None
        if best is None or scores[best] < self.threshold:
            return "other"
        return best

    def _score_contexts(self, contexts: Sequence[_Context]) -> list[dict[str, float]]:
        lexical = [_lexical_scores(c) for c in contexts]
        if self.embedder is None or not contexts:
            return [s for s, _ in lexical]
        sims = self._similarities([w for _, w in lexical])
        return [self._blend(s, row) for (s, _), row in zip(lexical, sims)]

    def _similarities(self, windows: list[str]):
        import numpy as np  # only the embedding path needs numpy

        if self._desc is None:
            sentences, owners = [], []
            for i, p in enumerate(PURPOSES[:-1]):
                for s in re.split(r"(?<=\.)\s+", p.description):
                    sentences.append(s)
                    owners.append(i)
            self._desc = (np.asarray(self.embedder.embed_passages(sentences), dtype=np.float32),
                          np.asarray(owners))
        matrix, owners = self._desc
        unique = list(dict.fromkeys(w or "." for w in windows))  # figures often share a window
        q = np.asarray(self.embedder.embed_queries(unique), dtype=np.float32)
        row = {w: i for i, w in enumerate(unique)}
        q = q[[row[w or "."] for w in windows]]
        sims = _unit_rows(q) @ _unit_rows(matrix).T
        n = len(PURPOSES) - 1
        # A purpose is as close as its closest description sentence.
        return np.stack([sims[:, owners == i].max(axis=1) for i in range(n)], axis=1)

    def _blend(self, lex: dict[str, float], sims) -> dict[str, float]:
        """Lexical evidence plus a bonus for purposes the embedding clearly prefers.

        e5 cosines sit in a narrow band, so what counts is how far a purpose stands above the
        median purpose. Contexts about none of the purposes (tax revenue, income) stand up to
        ~0.015 above it, real matches mostly 0.02–0.07: only the part above ``_EMBED_FLOOR``
        counts, scaled so that a clear semantic winner weighs like a strong cue word.
        """
        import numpy as np

        med = float(np.median(sims))
        out = dict(lex)
        for i, p in enumerate(PURPOSES[:-1]):
            margin = float(sims[i]) - med - _EMBED_FLOOR
            if margin > 0:
                out[p.name] = out.get(p.name, 0.0) + margin * _EMBED_SCALE * self.embed_weight
        return out


_EMBED_FLOOR = 0.015
_EMBED_SCALE = 60.0


def _unit_rows(m):
    """Rows scaled to length 1 (embedders should already do it; cosine must not depend on it)."""
    import numpy as np

    norms = np.linalg.norm(m, axis=1, keepdims=True)
    return m / np.where(norms == 0, 1, norms)


def _tokens(text: str) -> list[tuple[str, int, int]]:
    toks = [(m.group(), m.start(), m.end()) for m in _TOKEN_RE.finditer(text)]
    return [(fix_tone_marks(t.lower()), s, e) for t, s, e in toks]


def _match_cues(tokens: list[tuple[str, int, int]]) -> list[tuple[int, int, dict[str, float]]]:
    """(first token, end token, weights) of each cue, longest phrase first, left to right."""
    words = [t for t, _, _ in tokens]
    table = _CUES
    if all(w.isascii() for w in words):
        table = _FOLDED_CUES  # no diacritics at all: match the folded vocabulary
    out, i = [], 0
    while i < len(words):
        for n in range(min(_MAX_CUE, len(words) - i), 0, -1):
            weights = table.get(tuple(words[i:i + n]))
            if weights is None and n == 1 and words[i].isascii() and words[i].endswith("s"):
                weights = table.get((words[i][:-1],))  # English plural
            if weights is not None:
                if weights:
                    out.append((i, i + n, weights))
                i += n
                break
        else:
            i += 1
    return out


_AFTER = 0.75     # words after a figure describe it a little less often than words before it
_DECAY = 8.0      # a cue 8 words away counts half
_CROSSED = 0.5    # cues behind a comma, when the figure's own phrase already says enough
_OUTSIDE = 0.5    # words of other clauses, read only when the figure's clause says too little
_ENOUGH = 1.0     # a score from which a level of context is taken as saying enough


def _lexical_scores(ctx: _Context) -> tuple[dict[str, float], str]:
    """Lexical scores and the window of text the figure's purpose is read from.

    Context is read in widening levels: the figure's comma-delimited phrase, its ";"-clause (cut
    at the money figures around it), then the rest of the sentence. A wider level counts fully
    only when the narrower ones say little: in "… xây 16 nhà, 1,5 tỷ đồng làm 7 cây cầu" the
    houses belong to the phrase before the comma, while in "tặng 350 thẻ bảo hiểm y tế, trị giá
    250 triệu đồng" the phrase of the amount has nothing of its own and borrows from its left.
    """
    tokens = _tokens(ctx.text)
    cues = _match_cues(tokens)
    if ctx.span is None:
        scores: dict[str, float] = {}
        for _, _, weights in cues:
            _add(scores, weights, 1.0)
        return scores, ctx.text
    fs, fe = ctx.span
    own = [i for i, (_, s, e) in enumerate(tokens) if s < fe and e > fs]
    first = own[0] if own else sum(1 for _, s, _ in tokens if s < fs)
    last = own[-1] + 1 if own else first  # tokens [first, last) are the figure's own
    lo, hi = _window(ctx)
    commas = [i for i, ch in enumerate(ctx.text) if ch == ","]
    levels: list[dict[str, float]] = [dict(ctx.prior), {}, {}]
    for a, b, weights, (cs, ce) in _located_cues(ctx, tokens, cues):
        if cs < fe and ce > fs:
            if not ctx.prior:  # "3,5 tấn gạo": the unit says nothing, the word after it does
                _add(levels[0], weights, 1.0)
            continue  # otherwise the figure's own words are in its unit's prior already
        if b <= first:
            factor = 1.0 / (1.0 + (first - b) / _DECAY)
            crossed = bisect.bisect_left(commas, fs) > bisect.bisect_left(commas, ce)
        else:
            factor = _AFTER / (1.0 + (a - last) / _DECAY)
            crossed = bisect.bisect_left(commas, cs) > bisect.bisect_left(commas, fe)
        level = 2 if not (lo <= cs and ce <= hi) else 1 if crossed else 0
        _add(levels[level], weights, factor)
    scores = dict(levels[0])
    _add(scores, levels[1], _CROSSED if _top(scores) >= _ENOUGH else 1.0)
    if _top(scores) < _ENOUGH:
        _add(scores, levels[2], _OUTSIDE)
    return scores, _window_text(ctx.text, tokens, lo, hi, first, last)


def _located_cues(ctx: _Context, tokens, cues):
    """Cue phrases with their character spans; a counted thing near the figure ("29 nền",
    "25 tập thể") speaks through its unit, which says more than the bare word."""
    objects = [(s, e, w) for s, e, w in ctx.objects if w]
    for a, b, weights in cues:
        cs, ce = tokens[a][1], tokens[b - 1][2]
        if not any(s <= cs and ce <= e for s, e, _ in objects):
            yield a, b, weights, (cs, ce)
    for s, e, weights in objects:
        idx = [i for i, (_, ts, te) in enumerate(tokens) if ts < e and te > s]
        if idx:
            yield idx[0], idx[-1] + 1, weights, (s, e)


def _add(into: dict[str, float], weights: dict[str, float], factor: float) -> None:
    for p, w in weights.items():
        into[p] = into.get(p, 0.0) + w * factor


def _top(scores: dict[str, float]) -> float:
    return max(scores.values(), default=0.0)


def _window(ctx: _Context) -> tuple[int, int]:
    """The figure's clause, cut at the money figures before and after it."""
    fs, fe = ctx.span
    lo, hi = 0, len(ctx.text)
    for a, b in split_clauses(ctx.text):
        if a <= fs < b:
            lo, hi = a, b
            break
    for bs, be in ctx.barriers:
        if be <= fs:
            lo = max(lo, be)
        elif bs >= fe:
            hi = min(hi, bs)
    return lo, max(hi, fe)


def _window_text(text: str, tokens, lo: int, hi: int, first: int, last: int) -> str:
    """At most 30 words before and 20 after the figure, inside the window: what gets embedded."""
    inside = [i for i, (_, s, e) in enumerate(tokens) if s >= lo and e <= hi]
    if not inside:
        return text[lo:hi].strip()
    keep = [i for i in inside if first - 30 <= i < last + 20]
    if not keep:
        return text[lo:hi].strip()
    return text[tokens[keep[0]][1]:tokens[keep[-1]][2]]


_DEFAULT_CLASSIFIER = PurposeClassifier()
# One classifier per embedder, so that the purpose descriptions are embedded once, not per call
# (callers classify many sentences in a row). Keyed by identity; few embedders live at a time.
_CLASSIFIERS: dict[int, tuple[EmbedderLike, PurposeClassifier]] = {}


def _classifier_for(embedder: EmbedderLike | None) -> PurposeClassifier:
    if embedder is None:
        return _DEFAULT_CLASSIFIER
    hit = _CLASSIFIERS.get(id(embedder))
    if hit is None or hit[0] is not embedder:
        if len(_CLASSIFIERS) >= 8:
            _CLASSIFIERS.clear()
        hit = _CLASSIFIERS[id(embedder)] = (embedder, PurposeClassifier(embedder))
    return hit[1]


def classify_purpose(text: str, embedder: EmbedderLike | None = None) -> str:
    """Purpose of a whole text, e.g. a question: "which districts mobilized funds for housing"
    → "housing", "đường giao thông nông thôn" → "infrastructure", "khen thưởng" → "honours"."""
    return _classifier_for(embedder).classify(text)


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

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def extract_figures(text: str, *, classifier: PurposeClassifier | None = None,
                    embedder: EmbedderLike | None = None) -> list[Figure]:
    """Every money amount, rate, count, percentage and duration in ``text``, in order.

    Offsets index ``text`` itself even when it is not NFC. Purpose comes from ``classifier``, or
    a lexical one, or one using ``embedder`` when given.
    """
    if classifier is None:
        classifier = _classifier_for(embedder)
    nfc, back = _nfc_with_map(text)
    raws = _Scanner(nfc).run()
    if not raws:
        return []
    sentences = split_sentences(nfc) or [(0, len(nfc))]
    starts = [s for s, _ in sentences]
    placed = []
    for raw in raws:
        i = max(0, bisect.bisect_right(starts, raw.start) - 1)
        s, e = sentences[i]
        placed.append((raw, s, max(e, raw.end)))
    contexts = [_context_of(raw, s, e, nfc, raws) for raw, s, e in placed]
    purposes = classifier._classify_contexts(contexts)
    return [_figure(raw, s, e, purpose, text, back)
            for (raw, s, e), purpose in zip(placed, purposes)]


def _context_of(raw: _Raw, s: int, e: int, text: str, raws: list[_Raw]) -> _Context:
    inside = [r for r in raws if r is not raw and s <= r.start and r.end <= e]
    barriers = tuple((r.start - s, r.end - s) for r in inside if r.kind in ("money", "rate"))
    objects = tuple((r.start - s, r.end - s, _unit_prior(r)) for r in inside if r.kind == "count")
    return _Context(text[s:e], (raw.start - s, raw.end - s), barriers, _unit_prior(raw), objects)


def _unit_prior(raw: _Raw) -> dict[str, float]:
    # A specific unit ("học bổng", "cầu") says more than its category ("items", "works").
    return dict(_UNIT_SPECIFIC.get(raw.unit, _UNIT_PRIOR.get(raw.category or "", {})))


def _figure(raw: _Raw, s: int, e: int, purpose: str, original: str,
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
