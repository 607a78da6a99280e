"""What a question asks: its kind, what it counts, the places, directive and years it names.

``parse(question, places)`` reads a researcher's question in English or Vietnamese, with or without
diacritics (cues in ``data/question_cues.tsv``, matched on the folded text):

* kind — ``money`` (how much), ``count`` (how many), ``rank`` most/least (of the money or count the
  question names), ``compare``, ``any`` (yes/no), ``difficulties``, ``lessons``;
* scope — places named in the question, resolved against the index's own places (``PlaceIndex``:
  localities, provinces, districts and the communes/wards the articles name), diacritics optional,
  and those it leaves out ("apart from X", "ngoài X", "trừ X"); a directive ("Chỉ thị 03",
  "Directive 05", "ket luan 01"); a year or a range of years; how many places it asks for ("which
  three districts", "top 5");
* the topic — the question without its scaffolding ("which districts", "bao nhiêu", the named
  places, the directive), which is what evidence must speak of; quoted names ("Dân vận khéo") that
  the evidence must contain.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import pandas as pd

from .. import data
from ..ingest.gazetteer import LOCALITY_LEVELS, VILLAGE_WORDS, WARD_LEVELS, province_aliases
from ..retrieval.crosslingual import is_english
from ..text.normalize import fold, normalize_line
from ..text.numbers import parse_number

__all__ = ["Question", "PlaceIndex", "parse", "directives_named"]


@lru_cache(maxsize=1)
def _cues() -> dict[str, list[re.Pattern[str]]]:
    out: dict[str, list[re.Pattern[str]]] = {}
    for r in data.rows("question_cues"):
        out.setdefault(r["kind"], []).append(re.compile(r["pattern"]))
    return out


@lru_cache(maxsize=1)
def _request_frames() -> list[re.Pattern[str]]:
    return [re.compile(p) for p in data.words("request_frames")]


def _without_request(text: str) -> str:
    """The question without a request or greeting around it ("Xin hỏi, …", "Could you tell me …",
    "… Thanks."): matched on the folded text, cut from the text (folding keeps the length)."""
    cut, capital = False, text[:1].isupper()
    for _ in range(3):  # "Hi, could you tell me …": frames may follow one another
        folded = fold(text)
        for pattern in _request_frames():
            m = pattern.search(folded)
            if m and m.end() > m.start() and m.end() - m.start() < len(text):
                text, cut = (text[:m.start()] + text[m.end():]).strip(), True
                break
        else:
            break
    # the question as it would begin on its own: its topic, embedded as it is, reads case too
    return text[:1].upper() + text[1:] if cut and capital else text


@lru_cache(maxsize=1)
def _scaffold() -> list[re.Pattern[str]]:
    return [re.compile(p) for p in data.words("question_scaffold")]


def _has(kind: str, folded: str) -> bool:
    return any(p.search(folded) for p in _cues().get(kind, []))


# A question about money names it: funds, spending, cost; in Vietnamese kinh phí, tiền, vốn —
# matched with diacritics when the question has them ("phát động" is not "đồng", "tiến" not "tiền")
_MONEY_EN = re.compile(r"\b(?:money|funds?|funding|funded|financ\w*|spent|spend|spending|cost|costs"
                       r"|raised?|budget|dong|vnd|billion|million|chip(?:ped)? in)\b"
                       # "complaints raised by residents", "raise awareness": not money
                       r"(?<!\braised)(?<!\braise)|\braised?\b(?! by\b| at\b| in\b| during\b| awareness\b"
                       r"| concerns?\b| issues?\b| questions?\b| complaints?\b)"
                       # "the biggest donation"; not of blood, land or labour
                       r"|(?<!blood )(?<!organ )(?<!land )\bdonations?\b"
                       r"(?! of (?:blood|land|labou?r|rice|goods|books|clothes|time)\b)")
_MONEY_VI = ("kinh phí", "tiền", "số tiền", "vốn", "ngân sách", "chi phí", "tỷ đồng", "triệu đồng",
             "quyên góp", "gây quỹ", "trị giá")
_MONEY_VI_RE = re.compile(r"(?<!\w)(?:" + "|".join(_MONEY_VI) + r")(?!\w)")
# without diacritics "tien"/"von" are money only beside a quantity word ("it tien nhat", "so tien")
# or a verb of giving money ("gop tien": góp tiền)
_MONEY_FOLDED_RE = re.compile(r"(?<!\w)(?:" + "|".join(fold(w) for w in _MONEY_VI if fold(w) not in ("tien", "von"))
                              + r"|(?:bao nhieu|nhieu|it|het|so|tong|bo|chi|gop|ung ho|huy dong|van dong|ho tro|khoan|mon) tien"
                              r"|tien (?:ty|trieu|dong)"
                              r"|nguon von|vay von|von dau tu)(?!\w)")


# an amount for each unit: "mỗi căn được hỗ trợ bao nhiêu", "how much per house"; without diacritics
# "moi" is also "mới" (new): only right before the thing counted and the question word
_PER_UNIT = re.compile(r"(?<!\w)(?:mỗi|per|each|apiece|a head)(?!\w)")
_PER_UNIT_FOLDED = re.compile(r"(?<!\w)moi (?:[a-z]+ ){1,5}bao nhieu(?!\w)")


# "how much" of a thing measured otherwise than in money
_HOW_MUCH_OF_A_THING = re.compile(r"\bhow much (?:land|area|ground|rice|water|waste|rubbish|garbage|blood"
                                  r"|time|labou?r|work|concrete)\b")


# "more than 50 houses", "trên 1 tỷ đồng", "ít nhất 20 cá nhân", "từ 200 suất trở lên": a threshold the
# places' figures must pass (matched on the folded question)
_THRESHOLD = re.compile(
    r"\b(?P<op>more than|over|above|at least|no less than|not less than|fewer than|less than|under|below"
    r"|at most|no more than|not more than|upwards of|nhieu hon|hon|tren|it nhat|toi thieu|it hon|duoi"
    r"|khong qua|toi da|tu)\s+(?P<num>\d[\d.,]*)(?:\s*(?P<scale>ty|ti|trieu|nghin|ngan|billion|million|thousand|bn)\b)?"
    r"(?:\s*(?P<currency>dong|vnd)\b)?(?:(?:\s+[a-z]+){0,6}?(?P<rest>\s+tro len))?")
_OPS = {"more than": ">", "over": ">", "above": ">", "upwards of": ">", "nhieu hon": ">", "hon": ">",
        "tren": ">", "at least": ">=", "no less than": ">=", "not less than": ">=", "it nhat": ">=",
        "toi thieu": ">=", "fewer than": "<", "less than": "<", "under": "<", "below": "<", "it hon": "<",
        "duoi": "<", "at most": "<=", "no more than": "<=", "not more than": "<=", "khong qua": "<=",
        "toi da": "<="}
_DURATION_AFTER = re.compile(r"\s+(?:years?|months?|weeks?|days?|decades?|nam|thang|tuan|ngay|quy)\b")
_SCALES = {"ty": 1e9, "ti": 1e9, "billion": 1e9, "bn": 1e9, "trieu": 1e6, "million": 1e6,
           "nghin": 1e3, "ngan": 1e3, "thousand": 1e3}


def _threshold(folded: str, english: bool) -> tuple[tuple[str, float] | None, bool, list[tuple[int, int]]]:
    """(operator, value) of a threshold the question sets, whether it is money, and the spans of its
    words (not those of what is counted: "từ 200 suất học bổng trở lên")."""
    for m in _THRESHOLD.finditer(folded):
        op = ">=" if m.group("op") == "tu" and m.group("rest") else _OPS.get(m.group("op"))
        if op is None:
            continue  # "từ 2019": a year, not a threshold
        token = m.group("num").rstrip(".,")
        if english and re.fullmatch(r"\d+\.\d{1,2}", token):
            token = token.replace(".", ",")  # "1.5 billion": an English decimal point
        number = parse_number(token)
        if number is None or (not m.group("scale") and re.fullmatch(r"(?:19|20)\d\d", token)):
            continue
        if _DURATION_AFTER.match(folded, m.end("num")):
            continue  # "over 5 years", "trên 3 năm": a span of time, not a figure to pass
        scale = m.group("scale") or ""
        money = bool(m.group("currency")) or scale in ("ty", "ti", "trieu", "billion", "million", "bn")
        value = float(number) * _SCALES.get(scale, 1.0)
        spans = [(m.start(), max(m.end(g) for g in ("num", "scale", "currency") if m.group(g)))]
        if m.group("rest"):
            spans.append(m.span("rest"))
        return (op, value), money, spans
    return None, False, []


def _asks_money(text: str, folded: str) -> bool:
    low = text.lower()
    if _MONEY_VI_RE.search(low) or (english_question(text) and _MONEY_EN.search(low)):
        return True  # English words only in English: "dong bao" is đồng bào (compatriots)
    return low == folded and bool(_MONEY_FOLDED_RE.search(folded))  # typed without diacritics


@dataclass
class Question:
    """A parsed question (see the module docstring)."""

    text: str
    folded: str
    money: bool = False
    count: bool = False
    rank: str | None = None          # "most" | "least"
    compare: bool = False
    any: bool = False
    difficulties: bool = False
    lessons: bool = False
    places: list[str] = field(default_factory=list)    # place names as the question writes them
    doc_ids: set[str] | None = None                      # articles the named places resolve to
    unresolved_place: bool = False                       # it names a place the corpus lacks
    directive: str | None = None                         # "05-CT/TW"
    years: tuple[int, int] | None = None
    names: list[str] = field(default_factory=list)       # quoted names, as written
    percent: bool = False                                 # asks for a share ("bao nhiêu phần trăm")
    per_unit: bool = False                                # asks an amount for each ("mỗi căn bao nhiêu tiền")
    threshold: tuple[str, float] | None = None            # (">", 1e9): "more than 1 tỷ đồng", "trên 50 căn"
    below_province: bool = False                          # asks for districts, communes or wards, not provinces
    excluded_doc_ids: set[str] = field(default_factory=set)  # articles of places it leaves out ("apart from X")
    counted: str = ""                                     # English most/least: what is counted ("dialogues")
    top_n: int | None = None                              # "which three districts …", "top 5": that many places
    negated: bool = False                                 # "which districts did not …", "huyện nào chưa …"
    positive: str = ""                                    # the question without its "not" (when negated)
    topic: str = ""
    terms: set[str] = field(default_factory=set)          # folded content words of the topic (Vietnamese)
    concepts: list = field(default_factory=list)          # what evidence must speak of (set by answers)
    concept_words: frozenset[str] = frozenset()           # their folded words and word pairs (set by answers)
    unit_text: str = ""                                   # folded words a counted unit is looked up in (set by answers)

    def is_counted(self, label: str) -> bool:
        """Whether ``label`` (a word or phrase of the question) names what it counts."""
        return bool(self.counted) and re.search(rf"(?<!\w){re.escape(label.lower())}(?!\w)", self.counted) is not None

    @property
    def kind(self) -> str:
        if self.rank:
            return self.rank
        if self.compare:
            return "compare"
        if self.money:
            return "how_much"
        if self.count:
            return "how_many"
        if self.any:
            return "any"
        return "which"


# --- places ------------------------------------------------------------------------------------

# communes, wards, towns and named hamlets ("xã Quốc Thái", "ấp Phước Thạnh"); "tổ"/"khu" are also
# kind words of initiatives ("tổ Covid"), so only their numbered forms would be places: left out
_SUBPLACE_WORDS = (*WARD_LEVELS, *(w for w in VILLAGE_WORDS if w not in ("tổ", "khu", "tổ dân phố", "khu phố")))
_SUBPLACE = re.compile(
    r"(?<!\w)(" + "|".join(sorted((re.escape(w) for w in _SUBPLACE_WORDS), key=len, reverse=True))
    + r")\s+([A-ZĐ][^\W\d_]*(?:\s+[A-ZĐ][^\W\d_]*){1,3})")


_WORDS = re.compile(r"\w+")


# a place that is also a person's name is a place beside a level word only (folded)
_PEOPLE_NAMES = frozenset(data.words("place_names_of_people"))
_CITY_BEFORE = re.compile(r"\b(?:thanh pho|tp\.?|city of|tinh|province of)\s*$")
_CITY_AFTER = re.compile(r"\s*\(?(?:city|tp|province)\b")


@dataclass
class PlaceIndex:
    """Folded place names → the articles they point to: each article's locality, district,
    province (legacy and post-2025) and the communes, wards and hamlets its text names."""

    names: dict[str, set[str]]            # folded name → doc_ids
    kinds: dict[str, str]                 # folded name → locality | province | subplace
    provinces: dict[str, str]             # doc_id → folded province

    @classmethod
    def from_articles(cls, articles: pd.DataFrame) -> PlaceIndex:
        names: dict[str, set[str]] = {}
        kinds: dict[str, str] = {}
        provinces: dict[str, str] = {}
        order = {"locality": 0, "province": 1, "subplace": 2}

        def add(name: object, doc_id: str, kind: str) -> None:
            if not isinstance(name, str) or not name.strip():
                return
            key = fold(normalize_line(name))
            if len(key.replace(" ", "")) < 3 or " " not in key and not key.isdigit() and len(key) < 4:
                return
            names.setdefault(key, set()).add(doc_id)
            if key not in kinds or order[kind] < order[kinds[key]]:
                kinds[key] = kind

        new_names: dict[str, set[str]] = {}
        for row in articles.itertuples():
            doc_id = str(row.doc_id)
            for col in ("locality", "district"):
                add(getattr(row, col, None), doc_id, "locality")
            add(getattr(row, "province", None), doc_id, "province")
            new = getattr(row, "province_new", None)
            if isinstance(new, str) and new.strip():  # post-2025 names only where no legacy one is
                new_names.setdefault(fold(normalize_line(new)), set()).add(doc_id)
            province = getattr(row, "province", None)
            if isinstance(province, str):
                provinces[doc_id] = fold(province)
            for m in _SUBPLACE.finditer(str(getattr(row, "text", "") or "")):
                add(m.group(2), doc_id, "subplace")
        for key, docs in new_names.items():
            if key not in names:
                names[key] = docs
                kinds[key] = "province"
        # other spellings of a province the corpus has: "Thừa Thiên Huế", "Hanoi", "TP.HCM"
        # (a name too short to look up alone, "Huế", still has its long spellings)
        for alias, key in province_aliases().items():
            docs = {d for d, p in provinces.items() if p == key}
            if docs and alias not in names:
                names[alias] = docs
                kinds[alias] = "province"
        # a region ("the Mekong Delta", "Tây Nguyên") stands for the articles of its provinces —
        # none, when the corpus has none of them: the question is about no article
        for region in data.rows("regions"):
            members = set(region["provinces"].split("|"))
            docs = {d for d, p in provinces.items() if p in members}
            for name in region["names"].split("|"):
                if name not in names:
                    names[name] = docs
                    kinds[name] = "province"
        return cls(names, kinds, provinces)

    def __post_init__(self) -> None:
        # names by their words: a question is matched by looking its word runs up, not by one
        # pattern per name (a corpus of 10,000 articles names some 50,000 places)
        self._by_words: dict[tuple[str, ...], str] = {}
        for name in sorted(self.names, key=lambda n: (-len(n), n)):
            self._by_words.setdefault(tuple(_WORDS.findall(name)), name)
        self._longest = max((len(k) for k in self._by_words), default=0)

    def find(self, folded: str) -> list[tuple[int, int, str]]:
        """(start, end, folded name) of the place names in a folded text, longest first, no overlap."""
        words = [(m.start(), m.end(), m.group()) for m in _WORDS.finditer(folded)]
        found = []
        for i in range(len(words)):
            for n in range(1, min(self._longest, len(words) - i) + 1):
                name = self._by_words.get(tuple(w for _, _, w in words[i:i + n]))
                if name is not None:
                    found.append((words[i][0], words[i + n - 1][1], name))
        spans: list[tuple[int, int, str]] = []
        for a, b, name in sorted(found, key=lambda f: (-len(f[2]), f[0])):
            if name in _PEOPLE_NAMES and not (_CITY_BEFORE.search(folded, 0, a) or _CITY_AFTER.match(folded, b)):
                continue  # "tư tưởng Hồ Chí Minh" is the man's thought, not the city's
            if not any(x < b and a < y for x, y, _ in spans):
                spans.append((a, b, name))
        return sorted(spans)

    def resolve(self, found: list[tuple[int, int, str]], folded: str) -> set[str] | None:
        """The articles a question's place names point to: several localities are a union; a
        province right after a locality narrows that locality ("Châu Thành (Tiền Giang)",
        "chau thanh tien giang"); a province alone stands for its articles."""
        if not found:
            return None
        docs: set[str] = set()
        used: set[int] = set()
        for i, (_a, b, name) in enumerate(found):
            if self.kinds[name] == "province":
                continue
            mine = set(self.names[name])
            if i + 1 < len(found):
                pa, pb, pname = found[i + 1]
                if self.kinds[pname] == "province" and _NARROWED_BY.fullmatch(folded[b:pa]):
                    narrowed = mine & self.names[pname]
                    mine = narrowed or mine
                    used.add(i + 1)
            docs |= mine
        for i, (a, _, name) in enumerate(found):
            if self.kinds[name] != "province" or i in used:
                continue
            # a province alone, or joined to the place before it ("Quỳ Hợp và Hà Tĩnh"): its articles
            if not docs or (i > 0 and _JOINED.fullmatch(folded[found[i - 1][1]:a])):
                docs |= self.names[name]
        return docs


# between a locality and the province that narrows it: "Châu Thành (Tiền Giang)", "huyện Hòa An tỉnh
# Cao Bằng", "Hòa An district, Cao Bằng", "Hòa An district in Cao Bằng province"
_LEVELS_EN = ("district", "commune", "ward", "town", "city")
_NARROWED_BY = re.compile(r"[\s(,\-–]*(?:(?:" + "|".join((*_LEVELS_EN, *sorted({fold(w) for w in LOCALITY_LEVELS})))
                          + r")\b[\s,(]*)?(?:(?:in|of)\s+)?(?:(?:the\s+)?(?:tinh|province)(?:\s+of)?)?\s*")
_JOINED = re.compile(r"\s*,?\s*(?:and|or|vs\.?|versus|with|va|voi|so voi|hoac|&)\s*(?:(?:tinh|the province of|the) )?")


# --- directive and years -----------------------------------------------------------------------

_DIRECTIVE = re.compile(
    r"\b(chi thi|directive|ct|ket luan|conclusion|kl|nghi quyet|resolution|nq)\s*(?:(?:so|no\.?|number)\s*)?"
    r"(\d{1,3})\b(?:\s*[-\s]\s*(ct|kl|nq)\b)?(?:\s*/\s*tw\b)?")
_DIRECTIVE_KIND = {"chi thi": "CT", "directive": "CT", "ct": "CT", "ket luan": "KL",
                   "conclusion": "KL", "kl": "KL", "nghi quyet": "NQ", "resolution": "NQ", "nq": "NQ"}


def directives_named(folded: str) -> set[str]:
    """The directives a folded text names ("chi thi 05-ct/tw" → {"05-CT/TW"})."""
    return {f"{int(m.group(2)):02d}-{_DIRECTIVE_KIND[m.group(1)]}/TW" for m in _DIRECTIVE.finditer(folded)}


# "giai đoạn 2016-2021", "the 2021–2025 term": the word for the period goes with its years
_YEAR_RANGE = re.compile(r"(?:\b(?:giai doan|nhiem ky|thoi ky|period|term|phase)\s+)?"
                         r"\b((?:19|20)\d\d)\s*(?:-|–|—|to|and|or|den|toi|va|hoac)\s*(?:nam\s+|the year\s+)?"
                         r"((?:19|20)\d\d)\b(?:\s+(?:period|term|phase|tenure)\b)?")
_YEAR = re.compile(r"\b((?:19|20)\d\d)\b")
#: the upper bound of an open period ("since 2021")
OPEN_YEAR = 9999
_SINCE = re.compile(r"\b(?:since|from|starting(?: in| from)?|tu|ke tu|bat dau tu)\s+(?:nam\s+|the year\s+)?"
                    r"((?:19|20)\d\d)\b(?:\s*(?:on|onwards?|to date|until now|up to now|to now|to the present"
                    r"|den nay|toi nay|den hien nay|tro lai day|tro di|tro lai)\b)?")
_AFTER = re.compile(r"\b(?:after|sau)\s+(?:nam\s+|the year\s+)?((?:19|20)\d\d)\b")
_BEFORE = re.compile(r"\b(?:before|truoc)\s+(?:nam\s+|the year\s+)?((?:19|20)\d\d)\b")
# a quote: not an apostrophe within a word ("Thanh Hà's women's union" quotes nothing)
_QUOTED = re.compile(r"(?:[“\"«]|(?<!\w)['‘])([^“”\"'‘’«»]{3,80})(?:[”\"»]|['’](?!\w))")

# "which districts", "huyện nào", "những nơi nào": the part of a question that only asks for places
_LEVEL_WORDS_FOLDED = sorted({fold(w) for w in (*LOCALITY_LEVELS, "tinh", "dia phuong", "noi", "don vi",
                                                 "dang bo", "chi bo", "co so")}, key=len, reverse=True)
_ASKING_PLACE = re.compile(
    r"\b(?:(?:nhung|cac)\s+)?(?:" + "|".join(map(re.escape, _LEVEL_WORDS_FOLDED)) + r")\s+nao\b"
    r"|\bo dau\b|\bnoi nao\b")


# "huyện nào", "which communes": a province-level report answers neither
_ASKING_BELOW_PROVINCE = re.compile(
    r"\b(?<!dia )(?<!co )(?:huyen|quan|thi xa|xa|phuong|thi tran) nao\b"  # not "địa phương", "cơ quan nào"
    r"|^(?:cac|nhung) (?:huyen|quan|thi xa|xa|phuong|thi tran)\b(?! (?:nao|uy|doan)\b)"  # "(kể tên) các huyện đã …"
    r"|\b(?:which|what) (?:of the )?(?:(?:\d{1,2}|two|three|four|five|six|seven|eight|nine|ten) )?"
    r"(?:district|districts|commune|communes|ward|wards|town|towns)\b")

# "which three districts …", "top 5 places", "ba huyện nào …": how many places the answer lists
_NUMBER_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
                 "ten": 10, "hai": 2, "ba": 3, "bon": 4, "nam": 5, "sau": 6, "bay": 7, "tam": 8, "chin": 9,
                 "muoi": 10}
_PLACE_NOUNS = r"(?:places?|districts?|localities|locality|communes?|wards?|towns?|cities|city|provinces?|units?)"
_TOP_N = re.compile(
    r"\b(?:(?:which|what)(?: are)?(?: the)?|the top|top|name the|list the)\s+(?P<en>\d{1,2}|two|three|four|five"
    r"|six|seven|eight|nine|ten)\s+(?:(?:[a-z]+ ){0,2}" + _PLACE_NOUNS + r"\b)?"
    r"|\b(?P<vi>\d{1,2}|hai|ba|bon|nam|sau|bay|tam|chin|muoi) (?:huyen|dia phuong|noi|xa|tinh|phuong|quan"
    r"|thi xa|don vi)(?: nao| dung dau| dan dau)\b")

# the words that leave a place or the provinces out ("apart from", "không tính"), folded
_LEAVING_OUT_WORDS = (r"apart from|aside from|other than|except(?: for| in)?|excluding|not counting|not including"
                      r"|leaving out|leaving aside|ngoai tru|khong ke|khong tinh")

# "apart from Tam Kỳ", "ngoài Tam Kỳ", "trừ huyện Yên Thế": the place after it is left out of the
# answer. Without diacritics "tru" is also trụ/trú ("cư trú tại"): only after no such word
_LEAVING_OUT_BEFORE = re.compile(
    r"\b(?:" + _LEAVING_OUT_WORDS + r"|besides|ngoai|(?<!cu )(?<!tam )(?<!luu )(?<!thuong )tru)\s+(?:(?:in|at|o|tai)\s+)?(?:(?:the\s+)?(?:" + "|".join(
        map(re.escape, (*_LEVELS_EN, "province", *sorted({fold(w) for w in LOCALITY_LEVELS}, key=len, reverse=True),
                        "tinh"))) + r")\s+)?$")


def _left_out(found: list[tuple[int, int, str]], folded: str, text: str, kinds: dict[str, str]
              ) -> tuple[list[tuple[int, int, str]], list[tuple[int, int, str]], list[tuple[int, int]]]:
    """The places a question leaves out ("apart from X and Y, which places …"), those it asks
    about, and the spans of the words that leave them out. Written with diacritics, the cue must
    be "ngoài", "trừ", "không kể", "không tính" (not "ngoái", "trụ")."""
    out: list[tuple[int, int, str]] = []
    cues: list[tuple[int, int]] = []
    low = text.lower()
    for i, (a, b, name) in enumerate(found):
        m = _LEAVING_OUT_BEFORE.search(folded, 0, a)
        cue = low[m.start():m.end()] if m is not None and len(low) == len(folded) else ""
        if m is not None and (fold(cue) == cue or any(w in cue for w in ("ngoài", "trừ", "không kể", "không tính"))):
            out.append((a, b, name))
            cues.append(m.span())
        elif out and found[i - 1] == out[-1] and (
                _JOINED.fullmatch(folded[found[i - 1][1]:a])
                or kinds[name] == "province" and _NARROWED_BY.fullmatch(folded[found[i - 1][1]:a])):
            out.append((a, b, name))  # "apart from Yên Thế and Tiên Yên", "ngoài Châu Thành (Long An)"
            cues.append((found[i - 1][1], a))
    return out, [f for f in found if f not in out], cues


# "which districts did not …", "where haven't …", "huyện nào chưa …": a negated question, at its head
# only ("which places helped families who did not have a house" asks who helped; "what did not
# work?" asks for difficulties); the group is what the positive question keeps of it ("have not" →
# "have")
_NEGATED = re.compile(
    r"^(?:which (?:[a-z']+ ){0,3}?|what (?:of the )?" + _PLACE_NOUNS + r" |where "
    r"|(?:(?:nhung|cac) )?(?:dia phuong|noi|huyen|xa|phuong"
    r"|tinh|quan|thi xa|thi tran|don vi|dang bo|chi bo) nao (?:van |da |cung )?)"
    r"(?P<neg>(?P<keep>have|has|had)(?: not|n't|nt)(?: yet)?|(?:did|do|does)(?: not|n't|nt)|never|not yet"
    r"|failed to|fail to|chua|khong)\b(?! (?:chi|only)\b)")


# "(không tính cấp tỉnh)", "leaving provincial-level figures aside": the scope, not the topic
_LEAVING_PROVINCES_OUT = re.compile(
    r"\(?\s*\b(?:" + _LEAVING_OUT_WORDS + r"|tru|setting aside|putting aside|ignoring|leaving|setting"
    r"|putting) (?:the )?(?:cap tinh|tinh|province-level|province level|provincial-level|provincial level"
    r"|provincial|provinces|province)(?: level)?(?: (?:figures?|reports?|totals?|numbers?|data|results?))?"
    r"(?: aside)?\b\s*\)?")

# "the largest number of dialogues with citizens": dialogues are counted, citizens say with whom
_COUNTED_EN = re.compile(
    r"\b(?:most|largest|biggest|greatest|highest|fewest|least|smallest|lowest)\s+"
    r"(?:(?:total\s+)?(?:number|numbers|amount|quantity|count|area|length|share|sum|total)\s+of\s+)?"
    r"((?:(?!(?:with|for|to|in|at|among|by|from|on|during|through|across|under|than|per|of|and|or)\b)"
    r"[a-z][\w'-]*\s*){1,5})")


_LEVEL_BEFORE = re.compile(r"\b(?:" + "|".join(map(re.escape, _LEVEL_WORDS_FOLDED)) +
                           r"|huyen uy|tinh uy|thanh uy|quan uy|thi uy|dang uy|tp\.?|district of|province of"
                           r"|vung|khu vuc|cac tinh)"
                           r"\s*$")

_LEVEL_AFTER = re.compile(r"\s+(?:" + "|".join((*_LEVELS_EN, "province", "region", "area")) + r")s?\b")

_WORD = re.compile(r"[^\W\d_]+")
_SPLIT_SUPERLATIVE = re.compile(r"\b(nhieu|it|lon|cao|thap|nho)\b(?: [a-z]+){1,12}? (nhat)\b")


def _vietnamese_runs(text: str) -> list[tuple[int, int]]:
    """Spans of two or more Vietnamese words in a row in an English text ("Dân vận khéo", "Ngôi
    nhà cấp ủy"): words with a Vietnamese diacritic, and between them plain words no English
    text would use ("theo" in "Tiết kiệm làm theo lời Bác")."""
    words = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(text)]
    marked = [fold(w) != w.lower() for _, _, w in words]
    runs: list[tuple[int, int]] = []
    i = 0
    while i < len(words):
        if not marked[i]:
            i += 1
            continue
        j = i
        while j + 1 < len(words) and (marked[j + 1] or (
                j + 2 < len(words) and marked[j + 2] and not is_english(words[j + 1][2]))):
            j += 1
        if j > i and text[words[i][1]:words[j][0]].strip(" ") == text[words[i][1]:words[j][0]].strip():
            runs.append((words[i][0], words[j][1]))
        i = j + 1
    return runs


def english_question(text: str) -> bool:
    return is_english(text)


def _strip(folded: str, spans: list[tuple[int, int]]) -> str:
    keep = list(folded)
    for a, b in spans:
        for i in range(a, b):
            keep[i] = " "
    return re.sub(r"\s+", " ", "".join(keep)).strip()


# a sentence boundary: ". ", "? ", "! " — not after an abbreviation ("TP. Hồ Chí Minh", "No. 05")
# or a short run of words
_SENTENCE_END = re.compile(r"(?<=[.?!])\s+(?=\w)")
_ABBREVIATION_END = re.compile(r"\b(?:tp|no|nos|st|mr|mrs|dr|tt|ths|ts|pgs|gs|q|h|x|p|v\.v|vs|e\.g|i\.e|etc|cf|vd|v\.d"
                               r"|approx|ca)\.$", re.IGNORECASE)
# what asks, in a sentence without a question mark
_ASKING = re.compile(r"\b(?:which|what|where|who|how|does|did|do|is|are|has|have|compare|list|name|nao|dau"
                     r"|bao nhieu|gi|khong|chua|the nao|ra sao|so sanh|liet ke|ke ten)\b")


def _question_and_context(text: str) -> tuple[str, str]:
    """"I'm writing about housing. Which districts …?": the sentence that asks, and the others
    (context, whose places and years may still scope it). One sentence: itself, no context."""
    parts, start = [], 0
    for m in _SENTENCE_END.finditer(text):
        piece = text[start:m.start()]
        if len(piece.split()) >= 3 and not _ABBREVIATION_END.search(piece):
            parts.append(piece)
            start = m.end()
    parts.append(text[start:])
    parts = [s.strip() for s in parts if s.strip()]
    if len(parts) < 2:
        return text, ""
    asking = [s for s in parts if s.endswith("?")] or [s for s in parts if _ASKING.search(fold(s))]
    if not asking:
        return text, ""
    chosen = asking[-1]
    return chosen, " ".join(s for s in parts if s is not chosen)


def parse(question: str, places: PlaceIndex | None = None) -> Question:
    """Read a question (see the module docstring). ``places``: the index's place names."""
    text, context = _question_and_context(_without_request(normalize_line(question)))
    text = _without_request(text)
    folded = fold(text)
    q = Question(text=text, folded=folded)
    q.money = _has("money", folded)
    q.count = _has("count", folded) and not q.money
    most, least = _has("most", folded), _has("least", folded)
    q.rank = "least" if least and not most else "most" if most else None
    q.compare = _has("compare", folded)
    q.any = _has("any", folded) and not (q.money or q.count)
    q.difficulties = _has("difficulties", folded)
    q.lessons = _has("lessons", folded)
    if not (q.count or q.difficulties) and _asks_money(text, folded):
        q.money = True  # "which districts mobilized funds for housing" asks for the money too
    if q.money and _HOW_MUCH_OF_A_THING.search(folded):
        q.money, q.count = False, True  # "how much land": an area, counted in m², not money
    english = english_question(text)
    q.threshold, money, threshold_spans = _threshold(folded, english)
    if q.threshold and not q.rank:  # "which places built more than 50 houses": a figure is required
        q.money, q.count = (True, False) if money else (q.money, not q.money)
    if q.rank and not q.money:
        q.count = True

    removed: list[tuple[int, int]] = list(threshold_spans)
    # a quoted name must be in the evidence as written — unless an English question quotes it in
    # English ("the 'Great Solidarity' houses"): a translation, read like the rest of the topic
    q.names = [n for n in (m.group(1).strip() for m in _QUOTED.finditer(text))
               if not (english and is_english(n))]
    leaving_out = [m.span() for m in _LEAVING_PROVINCES_OUT.finditer(folded)]
    q.below_province = bool(leaving_out or _ASKING_BELOW_PROVINCE.search(folded))
    removed += leaving_out
    if english and q.rank:
        counted = _COUNTED_EN.search(text.lower())
        q.counted = counted.group(1).strip() if counted else ""
    negated = _NEGATED.search(folded)
    if negated and not (q.rank or q.compare or q.threshold):
        a, b = negated.span("neg")
        q.negated = True
        q.positive = re.sub(r"\s{2,}", " ", text[:a] + (negated.group("keep") or "") + text[b:]).strip()
        removed.append((a, b))
    top = _TOP_N.search(folded)
    if top:
        n = top.group("en") or top.group("vi")
        q.top_n = int(n) if n.isdigit() else _NUMBER_WORDS[n]
        removed.append(top.span())
        if not q.rank and re.search(r"\btop\b|dan dau|dung dau", top.group(0)):
            q.rank, q.count = "most", q.count or not q.money  # "top 5 places by houses built"
    q.percent = bool(re.search(r"%|\b(?:percent|percentage|share|rate|ty le|phan tram)\b", folded))
    q.per_unit = q.money and bool(_PER_UNIT.search(text.lower()) or (
        text.lower() == folded and _PER_UNIT_FOLDED.search(folded)))
    directive = _DIRECTIVE.search(folded)
    if directive:
        kind = _DIRECTIVE_KIND[directive.group(1)]
        q.directive = f"{int(directive.group(2)):02d}-{kind}/TW"
        removed.append(directive.span())
    rng = _YEAR_RANGE.search(folded)
    since, after, before = _SINCE.search(folded), _AFTER.search(folded), _BEFORE.search(folded)
    if rng:
        q.years = (int(rng.group(1)), int(rng.group(2)))
        removed.append(rng.span())
    elif since or after:  # "since 2021", "từ năm 2021 đến nay", "after 2020": open to the present
        m = since or after
        assert m is not None
        q.years = (int(m.group(1)) + (0 if since else 1), OPEN_YEAR)
        removed.append(m.span())
    elif before:
        q.years = (0, int(before.group(1)) - 1)
        removed.append(before.span())
    else:
        y = _YEAR.search(folded)
        if y:
            q.years = (int(y.group(1)), int(y.group(1)))
            removed.append(y.span())
    if places is not None:
        found = places.find(folded)
        q.places = [text[a:b] for a, b, _ in found]
        # "apart from Tam Kỳ (and Yên Thế), which places …": those places are left out, not asked about
        left_out, kept, cues = _left_out(found, folded, text, places.kinds)
        removed += cues
        q.excluded_doc_ids = places.resolve(left_out, folded) or set()
        q.doc_ids = places.resolve(kept, folded)
        if english:
            # Vietnamese words in an English question are a name ("a Dân vận khéo model"): the
            # evidence must hold it, as a quoted name
            # (not a place's name, the directive's or a threshold's: "more than 100 tỷ đồng"; nor
            # scaffolding: "study sessions on Hồ Chí Minh's example" is every report's subject)
            place_spans = [(a, b) for a, b, _ in found] + ([directive.span()] if directive else []) \
                + threshold_spans + [mm.span() for pattern in _scaffold() for mm in pattern.finditer(folded)]
            for ra, rb in _vietnamese_runs(text):
                run = text[ra:rb]
                if not any(a < rb and ra < b for a, b in place_spans) and fold(run) not in map(fold, q.names):
                    q.names.append(run)
        for a, b, _ in found:  # "phường Phúc Xá", "tỉnh ủy Ninh Bình", "Hòa An district": the level word goes too
            lead = _LEVEL_BEFORE.search(folded, 0, a)
            tail = _LEVEL_AFTER.match(folded, b)
            removed.append((lead.start() if lead else a, tail.end() if tail else b))
    removed += [mm.span() for mm in _ASKING_PLACE.finditer(folded)]
    for pattern in _scaffold():
        removed += [mm.span() for mm in pattern.finditer(folded)]
    if q.rank:  # "nhiều tiền nhất", "ít nhà nhất": the superlative's two words around its topic
        for mm in _SPLIT_SUPERLATIVE.finditer(folded):
            removed += [mm.span(1), mm.span(2)]
    # the topic keeps the question's own spelling (diacritics) where it has them
    topic = _strip(text, [(a, b) for a, b in removed])
    topic = re.sub(r"\(\s*\)", " ", topic)
    for _ in range(3):  # what the removed parts leave hanging: "Under , …", "… và ?"
        topic = re.sub(r"^(?:[\s,;:.\-–?]+|(?i:under|during|in|for|of|at|among|with|trong)\b)|[\s,;:\-–?]+$", "",
                       topic).strip()
    q.topic = re.sub(r"\s{2,}", " ", topic)  # "" when it asks nothing beyond its scope
    if context:  # "I'm writing about Bảo Lâm in 2020. How much …?": the scope it leaves unsaid
        around = parse(context, places)
        if q.doc_ids is None and around.doc_ids is not None:
            q.places, q.doc_ids = around.places, around.doc_ids
        q.excluded_doc_ids |= around.excluded_doc_ids
        q.years = q.years or around.years
        q.directive = q.directive or around.directive
    return q
