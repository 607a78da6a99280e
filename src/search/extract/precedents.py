"""Named initiatives ("precedents") in a Vietnamese report: mô hình “…”, phong trào “…”, CLB “…”.

A writer looking for precedents wants the initiatives an article names, who ran them and where.
The decision is structural and never looks at the words of a name:

* a quoted string is an initiative when a *kind word* (mô hình, phong trào, câu lạc bộ, chương
  trình, cuộc thi, kế hoạch, cuộc vận động, danh hiệu, đề án …) governs it: directly before it, a
  few words before it with no nearer head that governs it instead (phương châm, chỉ thị, khẩu hiệu,
  "về" …), or as a later item of a list such a word opened (“A”, “B” và “C”). A quote that starts
  with a kind word (“mô hình đường ra cánh đồng”) governs itself;
* slogans, principles and directive titles are quoted without such a word, or under a head that is
  not an initiative, so they fall out; the official rating scale ("Trong sạch vững mạnh",
  "Hoàn thành xuất sắc nhiệm vụ" …) is excluded even under "danh hiệu" because it grades, it is not
  something anyone ran;
* unquoted names are taken after a kind word when they start with a capital (khu Đại đoàn kết
  Thới An A) and, for "mô hình" only, as a descriptive phrase (mô hình tổ Covid cộng đồng) with a
  low confidence.

Offsets: ``text[p.start:p.end] == p.name`` (the name without quotes, trimmed of edge punctuation and
of a leading kind word inside the quotes); ``text[p.sentence_start:p.sentence_end] == p.sentence``.
The input is a cleaned, normalised article (``search.normalize.normalize``); no offsets move.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, replace

from .. import data
from ..ingest.gazetteer import DISTRICT_LEVELS, VILLAGE_WORDS, WARD_LEVELS
from ..text.normalize import fold
from ..text.segment import sentence_spans

__all__ = ["Precedent", "KINDS", "extract_precedents", "precedent_text"]


@dataclass(frozen=True)
class Precedent:
    """One initiative of an article. ``start``/``end``/``sentence`` describe its best mention
    (the first of its most confident ones); ``mentions`` lists every mention in text order, so
    ``mentions[0]`` is where the article first names it."""

    name: str  # as written, without quotes; text[start:end] == name
    kind: str  # one of KINDS
    actor: str | None  # unit that ran it, when stated ("Đảng ủy xã Quốc Thái"), text only
    sublocality: str | None  # commune/ward/town (else hamlet) mention ("xã Quốc Thái"), text only
    sentence: str  # text[sentence_start:sentence_end]
    start: int
    end: int
    sentence_start: int
    sentence_end: int
    quoted: bool  # named in quotes at least once
    confidence: float  # 0.95 … 0.4, see _CONF_*; quoted names score 0.75 and up
    mentions: tuple[tuple[int, int], ...] = ()


# --- vocabulary -----------------------------------------------------------------------------------

# Kind words (lower case, as written) → the canonical kind reported.
_KIND_WORDS = data.mapping("initiative_kinds", "word", "kind")
KINDS = ("mô hình", "phong trào", "câu lạc bộ", "chương trình", "cuộc thi", "kế hoạch",
         "cuộc vận động", "danh hiệu", "khu", "tổ", "đề án", "other")

# One-syllable kinds are also ordinary words ("tổ chức", "khu vực", "quỹ đất"): they govern only
# a quote right after them, or a capitalised name of two words or more.
_SHORT_KINDS = {"khu", "tổ", "quỹ"}
# Kinds a quote may start with and that are then stripped from the name (“mô hình X” → X).
_INNER_KINDS = ("mô hình", "phong trào", "câu lạc bộ", "chương trình", "cuộc thi", "hội thi",
                "kế hoạch", "cuộc vận động", "đề án")
# Kinds whose capitalised unquoted complement is a name. Plans, schemes and titles written without
# quotes are documents ("Kế hoạch Số…", "Đề án 06") or grades ("danh hiệu Chiến sĩ thi đua").
_UNQUOTED_KINDS = {"mô hình", "phong trào", "câu lạc bộ", "chương trình", "cuộc thi",
                   "cuộc vận động", "khu", "tổ", "other"}

# Heads that govern a quote without making it an initiative: documents (the quote is their title
# or subject), slogans and principles, sayings, ratings. "về" makes the quote a topic ("kế hoạch
# … về “Đẩy mạnh …”"), "là" a description.
_NOT_INITIATIVE_HEADS = frozenset(data.words("not_initiative_heads"))

# The official grading scale of party organisations and emulation titles (folded, punctuation
# removed): a grade is never an initiative, even after "danh hiệu".
_RATING_RE = re.compile(
    r"^(?:(?:khong )?hoan thanh(?: xuat sac| tot)? nhiem vu"
    r"|trong sach vung manh(?: tieu bieu| toan dien)?"
    r"|(?:tap the )?lao dong (?:tien tien|xuat sac)"
    r"|chien si thi dua(?: co so| cap tinh| toan quoc)?)$"
)

# Words that end an unquoted name: prepositions, auxiliaries, conjunctions, time words.
_NAME_STOPS = frozenset(data.words("name_stops"))
# A descriptive "mô hình …" phrase may contain "và" and time words, not verbs of the clause.
_PHRASE_STOPS = (_NAME_STOPS - {"và", "năm", "giai", "nhiệm", "ra", "vào"}) | {
    "mang", "đem", "tạo", "vừa", "rất", "cũng", "đều", "hoặc"}
# "mô hình hay / mới / điểm / học tập và làm theo Bác": an evaluation or the campaign itself,
# not a description of one initiative.
_GENERIC_STARTS = frozenset(data.words("generic_model_starts"))

# Organisations that run initiatives. Mass organisations are named with lower-case words after
# the first ("Hội Nông dân"), so their full names are listed; other heads take capitalised names.
_MASS_ORG_NAMES = data.words("mass_organisations")
_BARE_HEADS = frozenset(data.words("bare_org_heads"))
_ORG_HEADS = [
    *(f"{p} {n}" for p in ("hội", "chi hội") for n in _MASS_ORG_NAMES),
    *data.words("org_heads"), *sorted(_BARE_HEADS),
]
# Prepositions after which an organisation is an object or a possessor, not the subject.
_OBJECT_PREPS = {"của", "cho", "với", "đến", "tới", "thuộc", "tại", "ở", "vào", "từ", "trên",
                 "giữa"}

_HIGH_ADMIN = DISTRICT_LEVELS + WARD_LEVELS + ("tỉnh",)
_COMMUNE_ADMIN = WARD_LEVELS
_VILLAGE_ADMIN = VILLAGE_WORDS
# Also ordinary words or kind words ("khu Đại đoàn kết …", "tổ Covid", "bản Tin"): a place only
# with a number ("khu 5", "tổ 12").
_NUMBERED_ONLY = {"khu", "tổ", "bản"}
# Common surnames: a long capitalised run after a unit is usually the unit, then a person
# ("Huyện ủy Châu Thành Phan Song Toàn").
_SURNAMES = frozenset(data.words("surnames"))

# Confidence by how the name was found.
_CONF_DIRECT = 0.95  # kind word right before the quote
_CONF_NEAR = 0.85  # kind word a few words before the quote
_CONF_LIST = 0.85  # later item of a list a kind word opened
_CONF_INNER = 0.75  # the quote starts with its own kind word
_CONF_CAPITALISED = 0.7  # unquoted capitalised name after a kind word
_CONF_PHRASE = 0.4  # unquoted descriptive phrase after "mô hình"

_MAX_GAP = 4  # words allowed between a kind word and its quote ("phong trào thi đua “…”")
_MAX_NAME_WORDS = 25
_MAX_UNQUOTED_WORDS = 10
_MAX_PHRASE_WORDS = 15

# --- regular expressions --------------------------------------------------------------------------


def _alternation(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_TOKEN_RE = re.compile(r"[^\W_]+")
_WORD_AFTER_RE = re.compile(r" ([^\W_]+(?:[-/][^\W_]+)*)")
# A straight quote opens when not glued to a word on its left and closes when not glued on its
# right; curly quotes and guillemets say their side. The body holds no quote mark, so nested
# quotes yield the innermost pair and a mismatched pair ("…” / “…") still closes.
_QUOTE_RE = re.compile(r"(?:[“«]|(?<![\w.,!?…])\")([^“”\"«»\n]{1,300})(?:[”»]|\"(?!\w))")
# Single quotes are rarer ('…', ‘…’), and may sit inside a double-quoted span.
_SINGLE_QUOTE_RE = re.compile(r"(?:‘|(?<![\w.,!?…])')([^‘’'“”\"«»\n]{1,300})(?:’|'(?!\w))")
_HARD_PUNCT_RE = re.compile(r"[.;!?()\[\]“”\"«»‘’',\n…]")
_LIST_SEP_RE = re.compile(r"\s*,?\s*(?:(?:và|hoặc|cùng)\s+)?")
_KIND_RE = re.compile(rf"(?<!\w)(?:{_alternation(_KIND_WORDS)})(?!\w)")
_ORG_RE = re.compile(rf"(?<!\w)(?:(?:các cấp|các) )?(?P<head>{_alternation(_ORG_HEADS)})(?!\w)")
_ADMIN_RE = re.compile(
    rf"(?<!\w)(?P<adm>{_alternation(_HIGH_ADMIN + _VILLAGE_ADMIN)})(?!\w)(?! hội)")
_SUBLOC_RE = re.compile(rf"(?<!\w)(?P<adm>{_alternation(_COMMUNE_ADMIN + _VILLAGE_ADMIN)})(?!\w)")
_NUMBER_AFTER_RE = re.compile(r" \d+\b")
_ABBR_PAREN_RE = re.compile(r" \([A-ZĐ]{2,}\)")
# "mô hình “X” của / do / được / bởi <unit>": possessor, organiser or passive agent.
_AFTER_NAME_RE = re.compile(r"[\s”\"»…]*(?:của|do|được|bởi) ")
_LAST_WORD_RE = re.compile(r"([^\W_]+)\s*$")
_TRIM_LEAD = " -–—…,.;:"
_TRIM_TAIL = " -–—…,.;:"


# --- small helpers --------------------------------------------------------------------------------


def _lower(text: str) -> str:
    """Lower-case keeping every offset (str.lower can lengthen a few non-Vietnamese letters)."""
    low = text.lower()
    if len(low) == len(text):
        return low
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in text)


def _key(name: str) -> str:
    """Deduplication key: folded words, punctuation dropped."""
    return " ".join(_TOKEN_RE.findall(fold(name)))


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in _TRIM_LEAD:
        start += 1
    while end > start and text[end - 1] in _TRIM_TAIL:
        end -= 1
    return start, end


def _is_rating(name: str) -> bool:
    return bool(_RATING_RE.match(_key(name)))


def _words_after(text: str, pos: int, end: int, limit: int) -> list[tuple[str, int, int]]:
    """Words following ``pos`` up to the first punctuation mark (``end`` excluded)."""
    out: list[tuple[str, int, int]] = []
    while len(out) < limit:
        m = _WORD_AFTER_RE.match(text, pos, end)
        if not m:
            break
        out.append((m.group(1), m.start(1), m.end(1)))
        pos = m.end()
    return out


def _word_before(lower: str, pos: int) -> str:
    m = _LAST_WORD_RE.search(lower, max(0, pos - 30), pos)
    return m.group(1) if m else ""


# --- sentences ------------------------------------------------------------------------------------


def _sentences(text: str) -> list[tuple[int, int]]:
    return sentence_spans(text)  # one segmentation for the whole project


@dataclass(frozen=True)
class _Governor:
    kind: str | None  # None: a head that makes the quote something other than an initiative
    head_start: int
    confidence: float


@dataclass
class _Candidate:
    start: int
    end: int
    kind: str
    quoted: bool
    confidence: float
    head_start: int  # where the kind word starts: the actor is looked for before it
    tail_end: int  # where the mention (or its list) ends: "của <unit>" is looked for after it


def _governor(lower: str, lo: int, pos: int) -> _Governor | None:
    """The head governing a quote opening at ``pos``: the nearest kind word or non-initiative
    head within ``_MAX_GAP`` words, in the same stretch of text (no punctuation in between)."""
    seg_start = max(lo, pos - 160)
    for m in _HARD_PUNCT_RE.finditer(lower, seg_start, pos):
        seg_start = m.end()
    words = [(m.group(), m.start()) for m in _TOKEN_RE.finditer(lower, seg_start, pos)]
    last = len(words) - 1
    for i in range(last, max(-1, last - _MAX_GAP - 1), -1):
        gap = last - i
        for n in range(min(4, i + 1), 0, -1):  # longest phrase first: "cuộc vận động", "lời dạy"
            phrase = " ".join(w for w, _ in words[i - n + 1:i + 1])
            head_start = words[i - n + 1][1]
            if phrase in _NOT_INITIATIVE_HEADS:
                return _Governor(None, head_start, 0.0)
            kind = _KIND_WORDS.get(phrase)
            if kind is None or (gap and phrase in _SHORT_KINDS):
                continue
            return _Governor(kind, head_start, _CONF_DIRECT if gap == 0 else _CONF_NEAR)
    return None


def _inner_kind(lower: str, start: int, end: int) -> tuple[str, int] | None:
    """A quote that starts with a kind word and more words: (kind, start of the rest)."""
    for word in _INNER_KINDS:
        stop = start + len(word)
        if lower.startswith(word, start) and stop < end and lower[stop] == " ":
            return _KIND_WORDS[word], stop + 1
    return None


def _quoted_name(text: str, lower: str, m: re.Match, gov: _Governor | None) -> _Candidate | None:
    start, end = _trim(text, m.start(1), m.end(1))
    if start >= end or (gov is not None and gov.kind is None):
        return None
    inner = _inner_kind(lower, start, end)
    kind: str | None
    if inner:
        kind, start = inner
        confidence = gov.confidence if gov else _CONF_INNER
    elif gov and gov.kind is not None:
        kind, confidence = gov.kind, gov.confidence
    else:
        return None
    name = text[start:end]
    too_long = len(name.split()) > _MAX_NAME_WORDS
    if too_long or not any(c.isalpha() for c in name) or _is_rating(name):
        return None
    head = gov.head_start if gov else m.start()
    return _Candidate(start, end, kind, True, confidence, head, m.end())


def _quoted_candidates(text: str, lower: str, sent: tuple[int, int],
                       quotes: list[re.Match]) -> list[_Candidate]:
    """Quoted initiatives of one sentence. A quote with no head of its own continues the list of
    the previous quote when only a comma / "và" / "hoặc" separates them, and inherits its head
    (so a list opened by "phương châm" stays excluded)."""
    out: list[_Candidate] = []
    group: list[_Candidate] = []
    state: _Governor | None = None
    prev_end = -1
    for m in quotes:
        gov = _governor(lower, sent[0], m.start())
        continues = (gov is None and state is not None and prev_end <= m.start()
                     and _LIST_SEP_RE.fullmatch(lower, prev_end, m.start()) is not None)
        if continues and state is not None:
            gov = replace(state, confidence=min(state.confidence, _CONF_LIST))
        else:
            group = []
        state, prev_end = gov, m.end()
        cand = _quoted_name(text, lower, m, gov)
        if cand:
            group.append(cand)
            out.append(cand)
            for c in group:  # "của <unit>" after the last item applies to the whole list
                c.tail_end = m.end()
    return out


# --- unquoted names -------------------------------------------------------------------------------


def _capitalised_name(lower: str, words: list[tuple[str, int, int]]) -> tuple[int, int] | None:
    """A proper-noun name after a kind word: starts with a capital (not an organisation or a
    place), ends at a function word or a place word ("xã …"). Vietnamese names capitalise the
    first syllable only ("Dân vận khéo", "Đại đoàn kết Thới An A"), so up to two lower-case words
    in a row are kept; a longer lower-case stretch means a capitalised word followed by ordinary
    text, not a name, and nothing is taken."""
    first, s0, _ = words[0]
    if not first[0].isupper() or _ORG_RE.match(lower, s0) or _ADMIN_RE.match(lower, s0):
        return None
    taken = []
    lower_run = 0
    for k, (word, s, e) in enumerate(words[:_MAX_UNQUOTED_WORDS]):
        if k and (word.lower() in _NAME_STOPS or _ADMIN_RE.match(lower, s)):
            break
        lower_run = 0 if (word[0].isupper() or word[0].isdigit()) else lower_run + 1
        if lower_run > 2:
            return None
        taken.append((s, e))
    return taken[0][0], taken[-1][1]


def _descriptive_phrase(words: list[tuple[str, int, int]]) -> tuple[int, int] | None:
    """"mô hình tổ Covid cộng đồng": a descriptive phrase ending at punctuation or at a word
    that starts the rest of the clause; evaluations ("mô hình hay") are not names, nor are
    phrases too long to be one."""
    taken = []
    for word, s, e in words:
        if word.lower() in _PHRASE_STOPS:
            break
        taken.append((word.lower(), s, e))
    if len(taken) < 2 or len(taken) > _MAX_PHRASE_WORDS:
        return None
    if taken[0][0] in _GENERIC_STARTS or f"{taken[0][0]} {taken[1][0]}" in _GENERIC_STARTS:
        return None
    return taken[0][1], taken[-1][2]


class _Blocked:
    """Spans of text already taken: ``x in blocked`` is whether some span has start <= x < end.

    The spans given at first are searched by bisection (with the farthest end reached so far);
    spans added later start at a position no later than any point asked afterwards (candidates come
    left to right), so for them only the farthest end counts. Same answers as testing every span,
    in O(log n) rather than O(n) a point (a long article has thousands of quotes)."""

    def __init__(self, spans: list[tuple[int, int]]):
        spans = sorted(spans)
        self._starts = [a for a, _ in spans]
        self._reach: list[int] = []
        for _, b in spans:
            self._reach.append(max(b, self._reach[-1]) if self._reach else b)
        self._late = -1

    def add_behind(self, start: int, end: int) -> None:
        self._late = max(self._late, end)

    def __contains__(self, x: int) -> bool:
        if x < self._late:
            return True
        i = bisect.bisect_right(self._starts, x) - 1
        return i >= 0 and self._reach[i] > x


def _unquoted_candidates(text: str, lower: str, sentences: list[tuple[int, int]],
                         taken: list[tuple[int, int]]) -> list[_Candidate]:
    starts = [s for s, _ in sentences]
    out = []
    blocked = _Blocked(taken)
    for m in _KIND_RE.finditer(lower):
        if m.start() in blocked:
            continue
        i = bisect.bisect_right(starts, m.start()) - 1
        if i < 0 or m.start() >= sentences[i][1]:
            continue
        kind = _KIND_WORDS[m.group()]
        if kind not in _UNQUOTED_KINDS:
            continue
        words = _words_after(text, m.end(), sentences[i][1], _MAX_PHRASE_WORDS + 1)
        if not words or words[0][1] != m.end() + 1:
            continue
        span, confidence = _capitalised_name(lower, words), _CONF_CAPITALISED
        if span and m.group() in _SHORT_KINDS and len(text[span[0]:span[1]].split()) < 2:
            span = None
        if span is None and m.group() == "mô hình":
            span, confidence = _descriptive_phrase(words), _CONF_PHRASE
        if span is None or _is_rating(text[span[0]:span[1]]):
            continue
        out.append(_Candidate(span[0], span[1], kind, False, confidence, m.start(), span[1]))
        blocked.add_behind(m.start(), span[1])
    return out


# --- actor and place ------------------------------------------------------------------------------


def _place_name_end(text: str, adm: re.Match, end: int) -> int:
    """End of the name after an administrative word ("xã Quốc Thái", "phường 3", "khu 5")."""
    if adm.group("adm") in _NUMBERED_ONLY:
        m = _NUMBER_AFTER_RE.match(text, adm.end(), end)
        return m.end() if m else adm.end()
    return _proper_name_end(text, adm.end(), end, digits=True)


def _proper_name_end(text: str, pos: int, end: int, digits: bool = False) -> int:
    """End of a run of capitalised words (or numbers, for "phường 3") starting after ``pos``.
    A run of four words or more is cut before a common surname: that is a person."""
    words = []
    for word, _, e in _words_after(text, pos, end, 8):
        if not (word[0].isupper() or (digits and word[0].isdigit())):
            break
        words.append((word, e))
    if len(words) >= 4:
        for k in range(2, len(words)):
            if words[k][0] in _SURNAMES:
                words = words[:k]
                break
    return words[-1][1] if words else pos


def _unit_end(text: str, lower: str, pos: int, end: int) -> int | None:
    """End of an organisation mention starting at ``pos`` ("Chi bộ Hội LHPN huyện",
    "Đảng ủy xã Quốc Thái", "các cấp công đoàn"), or None."""
    m = _ORG_RE.match(lower, pos, end)
    if not m:
        return None
    named = m.group("head") not in _BARE_HEADS
    cur = m.end()
    just_named = False  # the last step consumed a bare capitalised run
    while cur < end and text[cur] == " ":
        nested = _ORG_RE.match(lower, cur + 1, end)
        if nested and text[cur + 1].isupper() and not nested.group().startswith("các"):
            cur, just_named = nested.end(), False
            named = named or nested.group("head") not in _BARE_HEADS
            continue
        adm = _ADMIN_RE.match(lower, cur + 1, end)
        if adm:
            name_end = _place_name_end(text, adm, end)
            if name_end > adm.end() or adm.group("adm") in _HIGH_ADMIN:
                cur, named, just_named = name_end, True, True
                continue
            break
        paren = _ABBR_PAREN_RE.match(text, cur, end)
        if paren:
            cur = paren.end()
            continue
        name_end = _proper_name_end(text, cur, end)
        if name_end == cur or just_named:  # a second capitalised run is a person or a new phrase
            break
        cur, named, just_named = name_end, True, True
    return cur if named else None


def _units(text: str, lower: str, lo: int, hi: int) -> list[tuple[int, int]]:
    """Capitalised organisation mentions in text[lo:hi]; a unit nested in a longer one
    ("Hội LHPN" in "Chi bộ Hội LHPN huyện") is not repeated."""
    units = []
    covered = lo
    for m in _ORG_RE.finditer(lower, lo, hi):
        if m.start() < covered or not text[m.start()].isupper():
            continue
        end = _unit_end(text, lower, m.start(), hi)
        if end is not None:
            units.append((m.start(), end))
            covered = end
    return units


def _subject_units(text: str, lower: str, lo: int, hi: int) -> list[tuple[int, int]]:
    """Organisations in subject position: not after "của", "cho", "với" …"""
    return [u for u in _units(text, lower, lo, hi)
            if _word_before(lower, u[0]) not in _OBJECT_PREPS]


def _place_subjects(text: str, lower: str, lo: int, hi: int) -> list[tuple[int, int]]:
    """"…, huyện Chợ Mới tham gia": a named administrative unit opening a clause."""
    out = []
    for m in _ADMIN_RE.finditer(lower, lo, hi):
        if m.group("adm") not in _HIGH_ADMIN:
            continue
        before = lower[lo:m.start()].rstrip()
        if before and before[-1] not in ",;:":
            continue
        end = _proper_name_end(text, m.end(), hi, digits=True)
        if end > m.end():
            out.append((m.start(), end))
    return out


def _clause(text: str, sent: tuple[int, int], pos: int) -> tuple[int, int]:
    """The ';'-delimited clause of ``sent`` holding ``pos``."""
    lo = text.rfind(";", sent[0], pos)
    hi = text.find(";", pos, sent[1])
    return (lo + 1 if lo >= 0 else sent[0], hi if hi >= 0 else sent[1])


def _actor(text: str, lower: str, sent: tuple[int, int],
           cand: _Candidate) -> tuple[int, int] | None:
    """The unit that ran it: "của / do <unit>" right after the name or its list, else the nearest
    organisation in subject position before the kind word in the sentence, or a named place
    opening the same clause."""
    m = _AFTER_NAME_RE.match(lower, cand.tail_end, sent[1])
    if m:
        end = _unit_end(text, lower, m.end(), sent[1])
        if end:
            return m.end(), end
    clause = _clause(text, sent, cand.head_start)
    found = _subject_units(text, lower, sent[0], cand.head_start)
    found += _place_subjects(text, lower, clause[0], cand.head_start)
    found = [u for u in found if u[1] <= cand.head_start]
    return max(found) if found else None


def _sublocality(text: str, lower: str, sent: tuple[int, int], cand: _Candidate,
                 actor: tuple[int, int] | None) -> str | None:
    """A commune/ward/town named with the initiative, failing that a hamlet (the gazetteer knows
    communes): in its actor or its ';' clause — other clauses of a long sentence tell of other
    initiatives — but not the address of another organisation ("mô hình … của Chi hội ấp 3,
    Câu lạc bộ X": ấp 3 is not the club's). Inside the actor first, then after the name, then
    before it, nearest first."""
    lo, hi = _clause(text, sent, cand.start)
    if actor:
        lo, hi = min(lo, actor[0]), max(hi, actor[1])
    others = [u for u in _units(text, lower, lo, hi) if u != actor]
    best = None
    for m in _SUBLOC_RE.finditer(lower, lo, hi):
        end = _place_name_end(text, m, hi)
        in_actor = actor is not None and actor[0] <= m.start() < actor[1]
        if end == m.end() or (not in_actor and any(a <= m.start() < b for a, b in others)):
            continue
        where = 0 if in_actor else 1 if m.start() >= cand.start else 2
        level = 0 if m.group("adm") in _COMMUNE_ADMIN else 1
        rank = (level, where, abs(m.start() - cand.start))
        if best is None or rank < best[0]:
            best = (rank, text[m.start():end])
    return best[1] if best else None


# --- assembly -------------------------------------------------------------------------------------


def _build(text: str, lower: str, sentences: list[tuple[int, int]], starts: list[int],
           cand: _Candidate) -> Precedent:
    sent = sentences[max(bisect.bisect_right(starts, cand.start) - 1, 0)]
    actor = _actor(text, lower, sent, cand)
    return Precedent(
        name=text[cand.start:cand.end],
        kind=cand.kind,
        actor=text[actor[0]:actor[1]] if actor else None,
        sublocality=_sublocality(text, lower, sent, cand, actor),
        sentence=text[sent[0]:sent[1]],
        start=cand.start,
        end=cand.end,
        sentence_start=sent[0],
        sentence_end=sent[1],
        quoted=cand.quoted,
        confidence=cand.confidence,
        mentions=((cand.start, cand.end),),
    )


def _same_initiative(a: Precedent, b: Precedent, keys: dict[int, tuple[str, set[str]]] | None = None) -> bool:
    """Same folded name, or the same kind with a reworded name ("Những tập thể và cá nhân … lời
    Bác" / "Những tập thể, cá nhân … Bác"): word sets overlapping by 80 %. ``keys``: each
    precedent's key and word set, by id, computed once by the caller."""
    (ka, wa), (kb, wb) = (keys[id(a)], keys[id(b)]) if keys is not None else (_keyed(a), _keyed(b))
    if ka == kb:
        return True
    if a.kind != b.kind or min(len(wa), len(wb)) < 4:
        return False
    return len(wa & wb) / len(wa | wb) >= 0.8


def _keyed(p: Precedent) -> tuple[str, set[str]]:
    k = _key(p.name)
    return k, set(k.split())


def _merge(found: list[Precedent]) -> list[Precedent]:
    """One precedent per initiative, in order of first mention. Its name, kind and sentence are
    those of the first of its most confident mentions (a quoted “Dân vận khéo” beats an earlier
    "mô hình dân vận khéo" in a headline); it keeps every mention's offsets, and takes actor and
    place from another mention when that one states none."""
    groups: list[list[Precedent]] = []
    keys = {id(p): _keyed(p) for p in found}
    for p in sorted(found, key=lambda p: (p.start, p.end)):
        for group in groups:
            if any(_same_initiative(q, p, keys) for q in group):
                group.append(p)
                break
        else:
            groups.append([p])
    out = []
    for group in groups:
        best = max(group, key=lambda p: p.confidence)  # max keeps the first among equals
        out.append(replace(
            best,
            actor=next((p.actor for p in [best, *group] if p.actor), None),
            sublocality=next((p.sublocality for p in [best, *group] if p.sublocality), None),
            quoted=any(p.quoted for p in group),
            mentions=tuple(m for p in group for m in p.mentions),
        ))
    return out


def extract_precedents(text: str, *, min_confidence: float = 0.0) -> list[Precedent]:
    """Named initiatives in a cleaned, normalised article, ordered by first mention.

    ``min_confidence`` drops weaker findings (0.4 is an unquoted "mô hình …" phrase, 0.7 an
    unquoted capitalised name, 0.75 and up a quoted one)."""
    if not text or not text.strip():
        return []
    lower = _lower(text)
    sentences = _sentences(text)
    quotes = sorted([*_QUOTE_RE.finditer(text), *_SINGLE_QUOTE_RE.finditer(text)],
                    key=lambda m: m.start())
    candidates: list[_Candidate] = []
    quote_starts = [m.start() for m in quotes]
    for sent in sentences:
        inside = quotes[bisect.bisect_left(quote_starts, sent[0]):bisect.bisect_left(quote_starts, sent[1])]
        candidates += _quoted_candidates(text, lower, sent, inside)
    # Kind words inside any quote, or between a kind word and its quote, are already handled.
    blocked = [(c.head_start, c.tail_end) for c in candidates]
    blocked += [(m.start(), m.end()) for m in quotes]
    candidates += _unquoted_candidates(text, lower, sentences, blocked)
    starts = [s for s, _ in sentences]
    found = _merge([_build(text, lower, sentences, starts, c) for c in candidates])
    return [p for p in found if p.confidence >= min_confidence]


# --- text to embed --------------------------------------------------------------------------------


def _excerpt(sentence: str, start: int, end: int, limit: int) -> str:
    """The sentence, or around [start, end) its ';' clause, or a word-bounded window."""
    if len(sentence) <= limit:
        return sentence
    lo = sentence.rfind(";", 0, start) + 1
    hi = sentence.find(";", end)
    hi = len(sentence) if hi < 0 else hi
    if hi - lo <= limit:
        return sentence[lo:hi].strip()
    # A window of `limit` characters centred on the name, slid back inside the clause at its
    # edges, then shrunk to whole words.
    width = max(limit, end - start)
    lo = max(lo, min(start - (width - (end - start)) // 2, hi - width))
    hi = min(hi, lo + width)
    if lo > 0 and not sentence[lo - 1].isspace():
        lo = min(start, sentence.find(" ", lo) + 1 or start)
    if hi < len(sentence) and not sentence[hi].isspace():
        hi = max(end, sentence.rfind(" ", end, hi))
    return ("…" if lo > 0 else "") + sentence[lo:hi].strip() + ("…" if hi < len(sentence) else "")


def precedent_text(p: Precedent, limit: int = 400) -> str:
    """A short passage to embed: kind, name, and the sentence (or its part around the name)."""
    head = f"“{p.name}”" if p.kind == "other" else f"{p.kind} “{p.name}”"
    passage = _excerpt(p.sentence, p.start - p.sentence_start, p.end - p.sentence_start, limit)
    if p.actor and p.actor not in passage:
        head += f" ({p.actor})"
    return f"{head}: {passage}"
