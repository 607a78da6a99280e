"""Who, where, which directive and when: metadata of a cleaned article.

``extract_metadata(article, doc_id)`` returns the ``meta`` dict of docs/architecture.md:
title, locality, locality_level, district, province, province_new, locality_new, directives,
period_start, period_end, period, period_years, date, author, source, url, outlet, flags.

Locality
    The district / ward / commune / town the article is *about*. Every mention with a level word
    ("huyện X", "Huyện ủy X", "Đảng bộ huyện X", "Đảng ủy phường X", "TP X", "thị trấn X") whose
    name the gazetteer knows at that level is a candidate; bare repeats of a candidate's name
    ("Châu Thành lan tỏa …") count for it too. Mentions are weighted by where they are (title 3,
    lead 2, body 1) and by what they are (the party committee or people's committee of the unit
    — the reporting body — counts 1.5). The heaviest candidate wins.

Province
    Never taken from a fixed list of names: the gazetteer gives every unit with the locality's name
    and level, and the context votes among them —
    a province written next to the locality ("Bình Sơn (Quảng Ngãi)", "huyện X, tỉnh Y"),
    provinces named anywhere ("tỉnh An Giang", "Tỉnh ủy An Giang", "Bắc Kạn học tập …"),
    a parent city named in the text or the site ("Cổng TTĐT TP Long Xuyên" holds phường Mỹ Thạnh),
    communes of a candidate district named in the text, the site's domain ("baobackan.org.vn"),
    and other units the text names that exist in one province only.
    A unique name needs no vote. When the vote does not single out one candidate, ``province`` is
    empty and ``flags`` holds ``ambiguous_province`` and ``province_candidates:A|B|…`` — no guess.

Provenance
    ``url`` is the article's own address when the page states it (canonical link, og:url, a byline
    with a full address); a site's bare domain is not an article URL, and none is ever made up.
    ``outlet`` is a readable name of who published it: the reviewed table ``data/outlets.tsv``
    maps site domains, agency tags ("TGAG") and abbreviated site names to names ("Báo Bắc Kạn");
    failing that, a site name the page itself writes ("Báo Tây Ninh", og:site_name); else empty —
    never a bare domain or tag.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from .. import data
from ..text.normalize import fold
from ..text.numbers import number_words
from . import gazetteer as gz
from .clean import CleanArticle, site_domain

__all__ = ["META_KEYS", "extract_metadata", "find_directives", "directive_scope", "infer_period",
           "resolve_new_units", "empty_meta", "find_outlet", "outlet_name"]

META_KEYS = ("title", "locality", "locality_level", "district", "province", "province_new",
             "locality_new", "directives", "period_start", "period_end", "period", "period_years",
             "date", "author", "source", "url", "outlet", "flags")

LOCALITY_LEVELS = gz.LOCALITY_LEVELS

# Weights of where a mention is: the headline and the lead say what the article is about.
W_TITLE, W_LEAD, W_BODY, W_HINT = 3.0, 2.0, 1.0, 2.0
W_COMMITTEE = 1.5
# Weights of the evidence for a province (votes) and for one of several same-named units.
W_ADJACENT = 5.0          # a province written right next to the locality: "Bình Sơn (Quảng Ngãi)"
W_DOMAIN = 3.0            # the site's domain names the province: "baobackan.org.vn"
W_UNIQUE_UNIT = 0.5       # another unit named in the text exists in that province only
W_PARENT = 4.0            # a ward's parent district named with its level word
W_PARENT_BARE = 2.0       # … or bare (at most twice)
W_CHILD = 1.0             # a district's communes named in the text (at most four)
CONFLICT_RATIO, CONFLICT_MARGIN = 2.0, 2.0  # a unique name against a much stronger other province


def empty_meta() -> dict:
    return {k: ([] if k in ("directives", "flags") else None) for k in META_KEYS}


# --- place mentions -------------------------------------------------------------------------------

# Level words and party committees as written in news text; the name that follows must be
# capitalised (or a number: "Quận 1", "phường 5"). "TP"/"TX" are abbreviations of thành phố/thị xã.
_PLACE_PREFIX = re.compile(
    r"(?<!\w)((?i:huyện ủy|quận ủy|thị ủy|thành ủy|tỉnh ủy|thành phố|thị xã|thị trấn|huyện|quận"
    r"|tỉnh|phường|xã)|T[Pp]|TX)(?:\s*\.\s*|\s+)"
)
_PREFIX_LEVEL = {
    "huyện ủy": ("huyện", True), "quận ủy": ("quận", True), "thị ủy": ("thị xã", True),
    "thành ủy": ("thành phố", True), "tỉnh ủy": ("tỉnh", True),
    "thành phố": ("thành phố", False), "tp": ("thành phố", False), "thị xã": ("thị xã", False),
    "tx": ("thị xã", False), "thị trấn": ("thị trấn", False), "huyện": ("huyện", False),
    "quận": ("quận", False), "tỉnh": ("tỉnh", False), "phường": ("phường", False), "xã": ("xã", False),
}
# The unit as an actor: its party organisation or people's committee wrote or is the subject.
_COMMITTEE_BEFORE = re.compile(r"(?:dang bo|dang uy|ubnd|uy ban nhan dan|hdnd|ban thuong vu)\s*$")


@dataclass
class _Segment:
    text: str
    weight: float
    kind: str  # title | lead | body | hint


@dataclass
class _Mention:
    seg: int
    start: int      # start of the level word
    name_start: int
    end: int
    tier: str
    level: str      # level as the text says it
    name: str       # canonical bare name from the gazetteer
    units: tuple[gz.Unit, ...]
    committee: bool


def _name_tokens(text: str, pos: int, max_tokens: int = 6) -> list[tuple[str, int]]:
    """Capitalised words (or one number) starting at ``pos``: the name after a level word.

    Returns (token, end offset) pairs. Stops at a lower-case word, after a token that carries
    punctuation ("An Phú," ends the name), and before an opening bracket ("Bình Sơn (Quảng Ngãi)").
    """
    out: list[tuple[str, int]] = []
    for m in re.finditer(r"\S+", text[pos:pos + 120]):
        raw = m.group(0)
        if raw in ("-", "–") and out:  # "Bà Rịa - Vũng Tàu", "Phan Rang - Tháp Chàm"
            continue
        core = raw.strip("“”\"'()[],.;:!?…")
        if not core or (out and raw[0] in "(“\""):
            break
        end = pos + m.start() + raw.index(core) + len(core)
        if core.isdigit():  # numbered units: "Quận 1", "phường 5"
            if not out:
                out.append((core, end))
            break
        if not core[0].isupper():
            break
        out.append((core, end))
        if raw != core or len(out) >= max_tokens:
            break
    return out


def _place_mentions(segments: list[_Segment]) -> list[_Mention]:
    mentions: list[_Mention] = []
    for si, seg in enumerate(segments):
        text = seg.text
        for m in _PLACE_PREFIX.finditer(text):
            word = m.group(1).lower()
            level, committee = _PREFIX_LEVEL[word]
            before = fold(text[max(0, m.start() - 25):m.start()])
            committee = committee or bool(_COMMITTEE_BEFORE.search(before))
            tokens = _name_tokens(text, _after_descriptor(text, m.end()))
            if not tokens:
                continue
            found = _resolve_tokens(tokens, level)
            if not found:
                continue
            end, units = found
            for tier in ("province", "district", "ward"):
                tier_units = tuple(u for u in units if u.tier == tier)
                if tier_units:
                    mentions.append(_Mention(si, m.start(), m.end(), end, tier, level,
                                             tier_units[0].name, tier_units, committee))
        mentions += _bracketed_mentions(si, text, mentions)
    return mentions


@lru_cache(maxsize=1)
def _descriptor_re() -> re.Pattern[str]:
    words = sorted(data.words("place_descriptors"), key=len, reverse=True)
    return re.compile(r"(?:" + "|".join(map(re.escape, words)) + r")\s+(?=[A-ZĐ\d])")


def _after_descriptor(text: str, pos: int) -> int:
    """Where the name starts after a level word: past "biên giới", "miền núi" … when present."""
    m = _descriptor_re().match(text, pos)
    return m.end() if m else pos


# "Mường Khương (Lào Cai)": a bare name followed by its province in brackets
_BRACKETED = re.compile(r"(?<![\w.])([A-ZĐ][^\W\d_]*(?:\s+[A-ZĐ][^\W\d_]*){0,3})\s*\(\s*"
                        r"((?:[Tt]ỉnh\s+)?[A-ZĐ][^\W\d_]*(?:[\s-]+[A-ZĐ][^\W\d_]*){0,3})\s*\)")


def _bracketed_mentions(si: int, text: str, typed: list[_Mention]) -> list[_Mention]:
    """Units named bare with their province in brackets, where no level word names them: the
    province says which of the same-named units it is, so the name counts as a typed mention."""
    out = []
    for m in _BRACKETED.finditer(text):
        if any(t.seg == si and t.start <= m.start(1) < t.end for t in typed):
            continue
        province = gz.find_province(m.group(2))
        if province is None:
            continue
        units = [u for u in gz.lookup(m.group(1), province=province.name, fuzzy=False) if u.tier != "province"]
        for tier in ("district", "ward"):
            tier_units = tuple(u for u in units if u.tier == tier)
            if tier_units:
                out.append(_Mention(si, m.start(1), m.start(1), m.end(1), tier, tier_units[0].level,
                                    tier_units[0].name, tier_units, False))
                break
    return out


def _resolve_tokens(tokens: list[tuple[str, int]], level: str) -> tuple[int, list[gz.Unit]] | None:
    """(end offset, units) of the longest run of tokens naming a unit of ``level``.

    Failing that, a unit of the same tier: the text may say "huyện X" of a unit the gazetteer
    lists as "thị xã X" (upgraded later). "thành phố" already spans two tiers.
    """
    names = [(" ".join(t for t, _ in tokens[:n]), tokens[n - 1][1])
             for n in range(len(tokens), 0, -1)]
    for name, end in names:
        units = gz.lookup(name, level=level, fuzzy=False)
        if units:
            return end, units
    if level == "thành phố":
        return None
    for name, end in names:
        units = gz.lookup(name, tier=gz.tier_of(level), fuzzy=False)
        if units:
            return end, units
    return None


class _Spans:
    """(segment, start, end) spans indexed per segment, so that "does this range overlap one?" and
    "which end just before this offset?" take a bisection, not a scan: extraction stays linear in
    the article's length (a scan per match made a 8 MB article take 17 s)."""

    def __init__(self, spans: list[tuple[int, int, int]]):
        by_seg: dict[int, list[tuple[int, int]]] = {}
        for s, a, b in spans:
            by_seg.setdefault(s, []).append((a, b))
        self._starts: dict[int, list[int]] = {}
        self._max_end: dict[int, list[int]] = {}  # running maximum of the ends, in start order
        self._ends: dict[int, list[int]] = {}
        for s, items in by_seg.items():
            items.sort()
            self._starts[s] = [a for a, _ in items]
            top, running = -1, []
            for _, b in items:
                top = max(top, b)
                running.append(top)
            self._max_end[s] = running
            self._ends[s] = sorted(b for _, b in items)

    def overlaps(self, seg: int, start: int, end: int) -> bool:
        starts = self._starts.get(seg)
        if not starts:
            return False
        i = bisect_left(starts, end)  # spans [0, i) start before ``end``
        return i > 0 and self._max_end[seg][i - 1] > start

    def ends_between(self, seg: int, lo: int, hi: int) -> list[int]:
        """Ends ``e`` of the spans of ``seg`` with lo <= e <= hi."""
        ends = self._ends.get(seg) or []
        return ends[bisect_left(ends, lo):bisect_right(ends, hi)]


def _bare_occurrences(segments: list[_Segment], name: str, skip: _Spans) -> list[tuple[int, int, int]]:
    """Occurrences of ``name`` as a whole word sequence, outside the spans in ``skip``."""
    pattern = re.compile(rf"(?<!\w){re.escape(name)}(?!\w)")
    found = []
    for si, seg in enumerate(segments):
        for m in pattern.finditer(seg.text):
            if not skip.overlaps(si, m.start(), m.end()):
                found.append((si, m.start(), m.end()))
    return found


# --- locality ---------------------------------------------------------------------------------


@dataclass
class _Candidate:
    tier: str
    name: str
    level: str
    score: float
    first: tuple[int, int]
    units: set[gz.Unit]
    mentions: list[_Mention]


def _localities(segments: list[_Segment], mentions: list[_Mention]) -> list[_Candidate]:
    """Candidate localities (district or ward tier), heaviest first."""
    cands: dict[tuple[str, str], _Candidate] = {}
    for mt in mentions:
        if mt.tier == "province" or segments[mt.seg].kind == "hint":
            continue
        key = (mt.tier, mt.name)
        weight = segments[mt.seg].weight * (W_COMMITTEE if mt.committee else 1.0)
        c = cands.get(key)
        if c is None:
            c = cands[key] = _Candidate(mt.tier, mt.name, mt.level, 0.0, (mt.seg, mt.start),
                                        set(), [])
        c.score += weight
        c.units.update(mt.units)
        c.mentions.append(mt)
        c.first = min(c.first, (mt.seg, mt.start))
    # Bare repeats of a candidate's name ("Châu Thành lan tỏa …") go to the heaviest candidate of
    # that name: "An Phú" alone means the huyện when the article is about huyện An Phú.
    typed_spans = _Spans([(m.seg, m.start, m.end) for m in mentions])
    by_name: dict[str, _Candidate] = {}
    for c in sorted(cands.values(), key=lambda c: -c.score):
        by_name.setdefault(c.name, c)
    for name, c in by_name.items():
        if re.fullmatch(r"\w+ \d+", name):  # "Phường 5" alone is not a name worth counting
            continue
        for si, start, _ in _bare_occurrences(segments, name, typed_spans):
            if segments[si].kind != "hint":
                c.score += segments[si].weight
                c.first = min(c.first, (si, start))
    for c in cands.values():
        # The level as the text most often writes it ("Huyện ủy X" says huyện).
        levels = [m.level for m in c.mentions if m.level in LOCALITY_LEVELS]
        if levels:
            c.level = max(set(levels), key=lambda lv: (levels.count(lv), -levels.index(lv)))
    return sorted(cands.values(), key=lambda c: (-c.score, c.first))


# --- province evidence --------------------------------------------------------------------------

# Province names that, written bare, name a person in this corpus: the city is named after the man
# whose thought the reports are about, and so are the Youth Union, the Academy, the campaign
# ("phong cách Hồ Chí Minh", "Đoàn TNCS Hồ Chí Minh"). The city still counts when written with its
# level word or initials ("TP.HCM", "thành phố Hồ Chí Minh", "Thành ủy TP Hồ Chí Minh").
_EPONYMS = frozenset({"Hồ Chí Minh"})

_HOST = re.compile(r"(?:https?://)?((?:[a-z0-9-]+\.)+(?:vn|com|org|net|info))\b", re.IGNORECASE)


@lru_cache(maxsize=1)
def _province_names() -> tuple[re.Pattern[str], dict[str, int]]:
    """One pattern for every bare province name (longest first), and name → province code."""
    by_name = {p.name: p.code for p in gz.provinces() if p.name not in _EPONYMS}
    names = sorted(by_name, key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, names)) + r")(?!\w)"), by_name


def _province_votes(segments: list[_Segment], mentions: list[_Mention],
                    locality: _Candidate | None) -> dict[int, float]:
    """Weight of evidence for each legacy province code from names, sites and co-mentioned units."""
    votes: dict[int, float] = {}

    def vote(code: int, w: float) -> None:
        votes[code] = votes.get(code, 0.0) + w

    typed_spans = _Spans([(m.seg, m.start, m.end) for m in mentions])
    in_locality = {id(m) for m in (locality.mentions if locality else [])}
    loc_list = [(m.seg, m.start, m.end) for m in (locality.mentions if locality else [])]
    if locality:
        loc_list += _bare_occurrences(segments, locality.name, typed_spans)
    loc_spans = _Spans(loc_list)

    def adjacent_to_locality(si: int, start: int) -> bool:
        # "Bình Sơn (Quảng Ngãi)", "huyện Châu Thành, tỉnh Tây Ninh", "Chợ Mới - Bắc Kạn"
        for end in loc_spans.ends_between(si, start - 12, start):
            gap = segments[si].text[end:start]
            if re.fullmatch(r"\s*[(,\-–]\s*(?:(?i:tỉnh|thành phố|TP)\.?\s*)?", gap):
                return True
        return False

    # Provinces named with a level word, or bare ("Bắc Kạn học tập …").
    for mt in mentions:
        if mt.tier == "province":
            w = segments[mt.seg].weight + (W_ADJACENT if adjacent_to_locality(mt.seg, mt.start) else 0.0)
            for u in mt.units:
                vote(u.province_code, w / len(mt.units))
    pattern, by_name = _province_names()
    for si, seg in enumerate(segments):
        for m in pattern.finditer(seg.text):
            if typed_spans.overlaps(si, m.start(), m.end()):
                continue
            w = seg.weight + (W_ADJACENT if adjacent_to_locality(si, m.start()) else 0.0)
            vote(by_name[m.group(0)], w)
    # The site's domain.
    for seg in segments:
        if seg.kind != "hint":
            continue
        for host in {h.lower() for h in _HOST.findall(seg.text)}:
            for p in gz.provinces_in_domain(host):
                vote(p.code, W_DOMAIN)
    # Other units named with a level word that exist in one province only.
    for mt in mentions:
        if mt.tier == "province" or id(mt) in in_locality:
            continue
        provs = {u.province_code for u in mt.units}
        if len(provs) == 1:
            vote(provs.pop(), W_UNIQUE_UNIT)
    return votes


def _relation_bonus(unit: gz.Unit, mentions: list[_Mention], locality: _Candidate,
                    segments: list[_Segment]) -> float:
    """Evidence that ties one candidate unit to the rest of the text: its parent or its children."""
    bonus = 0.0
    if unit.tier == "ward":
        # A parent district named anywhere, the site name included ("Cổng TTĐT TP Long Xuyên"),
        # with its level word or bare ("xã Mỹ Thạnh (Giồng Trôm)").
        for mt in mentions:
            if mt.tier == "district" and any(d.code == unit.district_code for d in mt.units):
                bonus += W_PARENT
        typed = _Spans([(m.seg, m.start, m.end) for m in mentions])
        bare = _bare_occurrences(segments, unit.district, typed) if unit.district else []
        bonus += W_PARENT_BARE * min(len(bare), 2)
    elif unit.tier == "district":
        # Communes of this district named in the text ("xã An Khánh", "xã Tân Thạch").
        children = 0
        in_locality = {id(m) for m in locality.mentions}
        for mt in mentions:
            if mt.tier == "ward" and id(mt) not in in_locality \
                    and any(w.district_code == unit.code for w in mt.units):
                children += 1
        bonus += min(children, 4) * W_CHILD
    return bonus


def _province_weight(segments: list[_Segment], mentions: list[_Mention]) -> float:
    """How much the text is about a province as such, weighed like a locality."""
    return sum(segments[m.seg].weight * (W_COMMITTEE if m.committee else 1.0)
               for m in mentions if m.tier == "province" and segments[m.seg].kind != "hint")


def _resolve_province(segments, mentions, locality):
    """(chosen unit or None, province unit or None, flags)."""
    votes = _province_votes(segments, mentions, locality)
    flags: list[str] = []
    if locality is None:
        return None, _best_province(votes, flags), flags
    units = sorted(locality.units, key=lambda u: u.code)
    exact = [u for u in units if u.level == locality.level]
    units = exact or units
    if len(units) == 1:
        unit = units[0]
        strongest = max(votes.items(), key=lambda kv: kv[1], default=None)
        if strongest and strongest[0] != unit.province_code and \
                strongest[1] > CONFLICT_RATIO * votes.get(unit.province_code, 0.0) + CONFLICT_MARGIN:
            flags.append(f"province_conflict:{gz.province_name(strongest[0])}")
        return unit, gz.unit_by_code("province", unit.province_code), flags
    scored = sorted(((votes.get(u.province_code, 0.0) + _relation_bonus(u, mentions, locality, segments), u)
                     for u in units), key=lambda t: (-t[0], t[1].code))
    best, second = scored[0][0], scored[1][0]
    if best > 0 and best > second:
        unit = scored[0][1]
        return unit, gz.unit_by_code("province", unit.province_code), flags
    tied = sorted({u.province for s, u in scored if s == best})
    flags.append("ambiguous_province")
    flags.append("province_candidates:" + "|".join(tied))
    return None, None, flags


def _best_province(votes: dict[int, float], flags: list[str]) -> gz.Unit | None:
    if not votes:
        flags.append("no_province")
        return None
    ranked = sorted(votes.items(), key=lambda kv: -kv[1])
    if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
        tied = sorted(gz.province_name(c) for c, v in ranked if v == ranked[0][1])
        flags += ["ambiguous_province", "province_candidates:" + "|".join(tied)]
        return None
    return gz.unit_by_code("province", ranked[0][0])


# --- directives ---------------------------------------------------------------------------------

# Full numbers: "05-CT/TW", "Chỉ thị số 05-CT/TW", "01 –KL/TW", "01-CT/TU", "21-KL/TW".
_DIRECTIVE_FULL = re.compile(
    r"(?<![\w/])(\d{1,3})\s*[-–—]?\s*(CT|KL|NQ)\s*/\s*(TW|TƯ|TU|TƯ|HU|QU|TX|ThU|ĐU|BCS)(?!\w)",
    re.IGNORECASE,
)
# Short forms: "Chỉ thị 05", "Chỉ thị số 03", "Kết luận số 01". Lower-case "kết luận"/"nghị quyết"
# are ordinary words ("phát biểu kết luận"), so those need a capital or "số".
_DIRECTIVE_SHORT = re.compile(
    r"(?<!\w)(?:((?i:chỉ thị))|(Kết luận|Nghị quyết)|((?i:kết luận|nghị quyết))(?=\s+số))"
    r"\s+(?:(?i:số)\s+)?(\d{1,3})(?![\d,./]|\s*[-–—]\s*\w|\s*(?:năm|tháng|ngày|%))"
)
_LOCAL_ISSUER = re.compile(
    r"\s*(?:của|do)\s+(?:(?:Ban Thường vụ|BTV|Ban Chấp hành Đảng bộ)\s+)?"
    r"(Tỉnh ủy|Thành ủy|Huyện ủy|Quận ủy|Thị ủy|Đảng ủy)", re.IGNORECASE
)
_SCOPE_SUFFIX = {"tỉnh ủy": "TU", "thành ủy": "TU", "huyện ủy": "HU", "quận ủy": "QU",
                 "thị ủy": "TX", "đảng ủy": "ĐU"}
_KIND = {"chỉ thị": "CT", "kết luận": "KL", "nghị quyết": "NQ"}
_SCOPES = {"TW": "central", "TU": "provincial", "HU": "district", "QU": "district",
           "TX": "district", "THU": "provincial", "ĐU": "party committee", "BCS": "party committee"}

# Issue year of the central documents (data/directive_years.tsv), when the text does not say it.
DIRECTIVE_YEARS = {r["code"]: int(r["year"]) for r in data.rows("directive_years")}


def directive_scope(code: str) -> str:
    """'central' for /TW documents, 'provincial' for /TU, 'district' for /HU …"""
    return _SCOPES.get(code.rsplit("/", 1)[-1].upper(), "local")


def _directive_code(number: str, kind: str, suffix: str) -> str:
    suffix = suffix.upper().replace("TƯ", "TW")
    return f"{int(number):02d}-{kind.upper()}/{suffix}"


def _directive_mentions(text: str) -> list[tuple[int, str]]:
    """(offset, code) of every directive reference, full or short form."""
    found: list[tuple[int, str]] = []
    spans: list[tuple[int, int]] = []
    for m in _DIRECTIVE_FULL.finditer(text):
        found.append((m.start(), _directive_code(m.group(1), m.group(2), m.group(3))))
        spans.append((m.start(), m.end()))
    starts = [a for a, _ in spans]  # full forms never overlap: sorted, one candidate per offset
    for m in _DIRECTIVE_SHORT.finditer(text):
        i = bisect_right(starts, m.start(4))
        if i and m.start(4) < spans[i - 1][1]:
            continue
        kind = _KIND[(m.group(1) or m.group(2) or m.group(3)).lower()]
        # A bare number in this domain means the central document, unless an issuer follows
        # (``match`` at a position anchors there; no "^" in the pattern).
        issuer = _LOCAL_ISSUER.match(text, m.end())
        suffix = _SCOPE_SUFFIX[issuer.group(1).lower()] if issuer else "TW"
        found.append((m.start(), _directive_code(m.group(4), kind, suffix)))
    return sorted(found)


def find_directives(text: str) -> list[str]:
    """Every directive referenced, normalised ("05-CT/TW"); central ones first, in order of appearance."""
    seen: list[str] = []
    for _, code in _directive_mentions(text):
        if code not in seen:
            seen.append(code)
    return sorted(seen, key=lambda c: (directive_scope(c) != "central", seen.index(c)))


# --- period -------------------------------------------------------------------------------------

_NUM_WORDS = number_words()
# "tư" (four) is left out: "tư tưởng" is everywhere in these reports.
_N = r"(\d{1,2}|" + "|".join(w for w in _NUM_WORDS if w != "tư") + ")"
_SPAN_PHRASE = re.compile(
    rf"(?i:(?:qua|sau|trong|gần|hơn)\s+{_N}\s+năm|(?<!\w){_N}\s+năm\s+(?:qua|thực hiện|triển khai))"
)
_RANGE = re.compile(
    r"(?i:giai đoạn|từ năm|thời kỳ)\s+((?:19|20)\d\d)\s*(?:[-–—]|đến(?: năm)?)\s*((?:19|20)\d\d)"
)


def _span_years(m: re.Match) -> int:
    raw = (m.group(1) or m.group(2)).lower()
    return int(raw) if raw.isdigit() else _NUM_WORDS[raw]


def _issue_years(text: str) -> dict[str, int]:
    """Issue year of each directive as the text states it ("Chỉ thị 05-CT/TW ngày 15/5/2016")."""
    years: dict[str, int] = {}
    for m in _DIRECTIVE_FULL.finditer(text):
        after = text[m.end():m.end() + 30]
        d = re.match(r"\s*,?\s*ngày\s+\d{1,2}\s*[/-]\s*\d{1,2}\s*[/-]\s*((?:19|20)\d\d)", after)
        if d:
            years.setdefault(_directive_code(m.group(1), m.group(2), m.group(3)), int(d.group(1)))
    return years


def infer_period(text: str, date: str | None = None) -> dict:
    """Years an article's report covers.

    Rules, first that applies:

    1. An explicit range — "giai đoạn 2016-2020", "từ năm 2016 đến năm 2020" — is the period.
    2. "Qua N năm", "N năm qua", "sau N năm", "N năm thực hiện" count from the issue year of the
       directive named right after the phrase (else the most cited central directive): the issue
       year is stated in the text ("ngày 15/5/2016") or known (03-CT/TW 2011, 05-CT/TW 2016,
       01-KL/TW 2021). The period is issue year → issue year + N, but it cannot end after the
       article's date: "Qua 3 năm … Kết luận 01" dated 01/06/2023 → 2021–2023; "Qua 4 năm …
       Chỉ thị 03" undated → 2011–2015.
    3. Otherwise there is no period (None everywhere).

    ``period_years`` is N when the article states it, else the number of calendar years of the range
    ("giai đoạn 2016-2020" → 5, as Vietnamese reports count it).
    """
    none = {"period_start": None, "period_end": None, "period": None, "period_years": None}
    spans = list(_SPAN_PHRASE.finditer(text))
    rng = _RANGE.search(text)
    if rng and int(rng.group(1)) < int(rng.group(2)):
        start, end = int(rng.group(1)), int(rng.group(2))
        stated = {_span_years(m) for m in spans}
        years = end - start + 1
        if stated and len(stated) == 1:
            years = stated.pop()
        return _period(start, end, years)
    if not spans:
        return none
    known = {**DIRECTIVE_YEARS, **_issue_years(text)}
    mentions = _directive_mentions(text)
    central = [c for _, c in mentions if directive_scope(c) == "central" and c in known]
    counts = Counter(central)
    first_at = {c: central.index(c) for c in counts}
    main = max(counts, key=lambda c: (counts[c], -first_at[c])) if central else None
    positions = [pos for pos, _ in mentions]  # sorted
    for m in spans:
        n = _span_years(m)
        if not 1 <= n <= 15:
            continue
        lo, hi = bisect_left(positions, m.end()), bisect_right(positions, m.end() + 80)
        near = [c for _, c in mentions[lo:hi] if c in known]
        anchor = near[0] if near else main
        if anchor is None:
            continue
        start = known[anchor]
        end = start + n
        if date:
            year = int(date[:4])
            if start <= year < end:
                end = year
        return _period(start, end, n)
    return none


def _period(start: int, end: int, years: int) -> dict:
    return {"period_start": start, "period_end": end, "period": f"{start}–{end}",
            "period_years": years}


# --- the whole record ---------------------------------------------------------------------------


def _segments(article: CleanArticle) -> list[_Segment]:
    segs = [_Segment(article.title, W_TITLE, "title")]
    for i, p in enumerate(article.paragraphs):
        segs.append(_Segment(p, W_LEAD if i == 0 else W_BODY, "lead" if i == 0 else "body"))
    seen: set[str] = set()
    for h in [article.source, article.author, *article.hints]:
        if h and h not in seen:
            seen.add(h)
            segs.append(_Segment(h, W_HINT, "hint"))
    return segs


_SITE_WORDS = re.compile(r"\b(?:cong|trang|bao|dai|tap chi|website|thong tin dien tu|ttdt)\b|https?://|www\.|\.vn\b")


def _source(article: CleanArticle) -> str | None:
    """The stated source, else the site the page furniture names (greeting, footer), else an agency tag."""
    if article.source:
        return article.source
    sites = [h for h in article.hints if _SITE_WORDS.search(fold(h))]
    if sites:
        return sites[0]
    return article.hints[0] if article.hints else None


@lru_cache(maxsize=1)
def _outlets() -> dict[str, str]:
    return {_outlet_key(r["key"]): r["outlet"] for r in data.rows("outlets")}


def _outlet_key(value: str) -> str:
    return " ".join(fold(value).strip(" .:-()").split())


def outlet_name(value: str | None) -> str | None:
    """The readable name ``data/outlets.tsv`` gives a domain, address, agency tag or site name."""
    if not value:
        return None
    table = _outlets()
    domain = site_domain(value)
    if domain:
        parts = domain.split(".")
        for i in range(len(parts) - 1):  # "tuyengiao.angiang.gov.vn", then "angiang.gov.vn" …
            hit = table.get(".".join(parts[i:]))
            if hit:
                return hit
        if re.fullmatch(r"(?:https?://)?\S+", value.strip()):
            return None  # a bare address: its name is not in the text
    return table.get(_outlet_key(value))


def find_outlet(article: CleanArticle) -> str | None:
    """Who published the article, as a reader names it (see the module docstring)."""
    seen = [h for h in (article.url, article.source, *article.hints) if h]
    for value in seen:
        name = outlet_name(value)
        if name:
            return name
    for value in seen:  # a site name the page writes ("Báo Tây Ninh", "Cổng TTĐT huyện …")
        if (site_domain(value) is None and len(value) <= 80 and _SITE_WORDS.search(fold(value))
                and value[:1].isupper()):
            return value
    return None


def resolve_new_units(meta: dict) -> dict:
    """Fill district / province_new / locality_new from locality, level and province when the
    gazetteer knows that unit (used after a researcher corrects a field in metadata.csv)."""
    province = gz.find_province(meta["province"]) if meta.get("province") else None
    if province is None:
        return meta
    meta["province_new"] = province.province_new
    if meta.get("locality"):
        units = gz.lookup(meta["locality"], level=meta.get("locality_level"),
                          province=province.name)
        units = [u for u in units if u.tier != "province"]
        if len(units) == 1:
            u = units[0]
            meta["district"] = u.district if u.tier == "ward" else u.name
            meta["locality_new"] = "; ".join(u.wards_new) or None
    return meta


def extract_metadata(article: CleanArticle, doc_id: str) -> dict:
    """The ``meta`` dict of one article (see the module docstring for the rules)."""
    meta = empty_meta()
    flags: list[str] = []
    if article.title_derived:
        flags.append("title_derived")
    segments = _segments(article)
    mentions = _place_mentions(segments)
    candidates = _localities(segments, mentions)
    locality = candidates[0] if candidates else None
    if locality is not None and locality.score < _province_weight(segments, mentions):
        # The province (its party committee, "tỉnh X") is the subject; districts are examples.
        locality = None
        flags.append("province_level")
    elif locality is not None and locality.score < 2:
        flags.append("weak_locality")  # a single passing mention in the body
    unit, province, pflags = _resolve_province(segments, mentions, locality)
    flags += pflags
    if locality is None:
        flags.append("no_locality")
    else:
        meta["locality"] = locality.name
        meta["locality_level"] = locality.level if locality.level in LOCALITY_LEVELS else (
            unit.level if unit else None)
        if unit is not None:
            meta["district"] = unit.district if unit.tier == "ward" else unit.name
            meta["locality_new"] = "; ".join(unit.wards_new) or None
            if unit.level != meta["locality_level"]:
                flags.append(f"gazetteer_level:{unit.level}")
        elif locality.tier == "district":
            meta["district"] = locality.name
        else:
            parents = {u.district for u in locality.units}
            meta["district"] = parents.pop() if len(parents) == 1 else None
    if province is not None:
        meta["province"] = province.name
        meta["province_new"] = province.province_new

    body = "\n".join([article.title, *article.paragraphs])
    meta["directives"] = find_directives(body)
    for code in meta["directives"]:
        if directive_scope(code) != "central":
            flags.append(f"local_directive:{code}")
    if not meta["directives"]:
        flags.append("no_directive")
    meta["date"] = article.date
    meta.update(infer_period(body, article.date))
    if meta["period"] is None:
        flags.append("no_period")
    meta["title"] = article.title
    meta["author"] = article.author
    meta["source"] = _source(article)
    meta["url"] = article.url
    meta["outlet"] = find_outlet(article)
    meta["flags"] = flags
    return meta
