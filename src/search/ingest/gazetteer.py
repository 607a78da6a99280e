"""Vietnamese administrative units before the July 2025 reform, with the unit each maps to after it.

Data come from the ``vietnam_provinces`` package: ``vietnam_provinces.legacy`` holds the three-level
pre-2025 hierarchy (63 provinces, ~700 districts, ~10,000 wards/communes), and the package's
conversion tables give the post-2025 province and ward of every legacy unit. The package is large,
so it is imported only on first use and the index is built once per process.

Names are stored "bare" (``Long Xuyên``, not ``Thành phố Long Xuyên``), normalised with
:func:`search.normalize.normalize` (new-style tone marks, so the data's ``Hoà Bình`` becomes
``Hòa Bình``). Numbered units keep their type word, as Vietnamese writes them: ``Quận 1``, ``Phường 5``.
Lookups accept the usual variants of news text: ``TP Long Xuyên``, ``TP. Long Xuyên``,
``thành phố Long Xuyên``, ``Tp.HCM``, ``TX. Tân Châu``, ``phường 05``, old or new tone placement,
or no diacritics at all (matched on the folded form when nothing matches exactly).
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from functools import cache

from .. import data
from ..text.normalize import fold, normalize_line

__all__ = [
    "Unit",
    "LEVELS",
    "PROVINCE_LEVELS",
    "DISTRICT_LEVELS",
    "WARD_LEVELS",
    "LOCALITY_LEVELS",
    "VILLAGE_WORDS",
    "tier_of",
    "parse_name",
    "lookup",
    "provinces",
    "find_province",
    "children",
    "unit_by_code",
    "province_name",
    "provinces_in_domain",
    "new_province_name",
    "new_ward_names",
]

PROVINCE_LEVELS = ("tỉnh", "thành phố trung ương")
DISTRICT_LEVELS = ("huyện", "quận", "thị xã", "thành phố")
WARD_LEVELS = ("xã", "phường", "thị trấn")
LEVELS = PROVINCE_LEVELS + DISTRICT_LEVELS + WARD_LEVELS
#: the levels an article's locality can have (a district or a ward/commune), as news text writes them
LOCALITY_LEVELS = ("huyện", "quận", "thị xã", "thành phố", "phường", "xã", "thị trấn")
#: units below the commune (hamlets, residential groups): not in the gazetteer, named in text
VILLAGE_WORDS = data.words("village_words")
_TIERS = {**{lv: "province" for lv in PROVINCE_LEVELS},
          **{lv: "district" for lv in DISTRICT_LEVELS},
          **{lv: "ward" for lv in WARD_LEVELS}}


def tier_of(level: str) -> str:
    """'province', 'district' or 'ward' for a level word (``thành phố`` is a district-level city)."""
    return _TIERS[level]


@dataclass(frozen=True)
class Unit:
    """One pre-2025 administrative unit."""

    code: int
    name: str                   # bare, normalised: "Long Xuyên", "Quận 1"
    level: str                  # one of LEVELS
    province: str               # bare name of its (legacy) province; itself for a province
    province_code: int
    district: str | None = None  # parent district (wards only)
    district_code: int | None = None
    district_level: str | None = None

    @property
    def tier(self) -> str:
        return tier_of(self.level)

    @property
    def full_name(self) -> str:
        """Name with its level word, as written in running text: "huyện An Phú", "Quận 1"."""
        if _NUMBERED.match(self.name):
            return self.name
        level = "thành phố" if self.level == "thành phố trung ương" else self.level
        return f"{level} {self.name}"

    @property
    def province_new(self) -> str | None:
        """Bare name of the post-July-2025 province this unit lies in."""
        return new_province_name(self.province_code)

    @property
    def wards_new(self) -> tuple[str, ...]:
        """Post-2025 ward(s) a legacy ward/commune became (several when it was split); () otherwise."""
        return new_ward_names(self.code) if self.tier == "ward" else ()


# --- name parsing -------------------------------------------------------------------------------

_NUMBERED = re.compile(r"^(?:Quận|Phường|Xã|Thị trấn|Huyện) \d+$", re.IGNORECASE)

# Level prefixes as news text writes them, longer forms first. They are matched on the lower-cased
# name with its diacritics ("tịnh", "phương", "quán" are not level words); only a name typed without
# any diacritics is matched on its folded form. Abbreviations are ASCII either way.
_PREFIXES: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^thành phố trung ương\s+"), "thành phố trung ương"),
    (re.compile(r"^(?:thành phố|t\.?\s?p)(?:\s*\.\s*|\s+)"), "thành phố"),
    (re.compile(r"^tỉnh\s+"), "tỉnh"),
    (re.compile(r"^thị xã\s+|^t\.?x(?:\s*\.\s*|\s+)"), "thị xã"),
    (re.compile(r"^thị trấn\s+|^t\.?t(?:\s*\.\s*|\s+)"), "thị trấn"),
    (re.compile(r"^huyện\s+|^h\.\s*"), "huyện"),
    (re.compile(r"^quận\s+|^q\.?\s*(?=\d)"), "quận"),
    (re.compile(r"^phường\s+|^p\.?\s*(?=\d)"), "phường"),
    (re.compile(r"^xã\s+"), "xã"),
]
_FOLDED_PREFIXES = [(re.compile(fold(p.pattern)), level) for p, level in _PREFIXES]
# "TP.HCM", "Tp HCM", "TPHCM", "TP Hồ Chí Minh": the city is written as initials so often that it
# needs its own form (checked on the folded name without spaces and dots).
_HCM = re.compile(r"^(?:tp|thanhpho)?(?:hcm|hochiminh)$")

# Spelling variants of province names that folding does not reconcile (k/c, the dropped
# "Thừa Thiên", the abbreviation of Bà Rịa - Vũng Tàu, Sài Gòn): data/province_aliases.tsv,
# keys and values folded.
_PROVINCE_ALIASES = data.mapping("province_aliases", "alias", "province")


def province_aliases() -> dict[str, str]:
    """Folded spellings of province names that folding does not reconcile → the folded name
    ("thua thien hue" → "hue", "hanoi" → "ha noi", "tphcm" → "ho chi minh")."""
    return dict(_PROVINCE_ALIASES)


def _key(name: str) -> str:
    """Exact-match key: normalised, lower-case, hyphens and apostrophes as spaces, single spaces."""
    return _key_normalized(normalize_line(name))


def _key_normalized(name: str) -> str:
    name = re.sub(r"[-–—'’.]", " ", name.lower())
    name = re.sub(r"\b0+(\d)", r"\1", name)  # "phường 05" → "phường 5"
    return re.sub(r"\s+", " ", name).strip()


def _fkey(name: str) -> str:
    return fold(_key(name))


def parse_name(text: str) -> tuple[str | None, str]:
    """Split "TP. Long Xuyên" into ("thành phố", "Long Xuyên"); no recognised prefix → (None, text).

    Numbered units keep their type word in the name: "phường 05" → ("phường", "Phường 5").
    """
    text = normalize_line(text)
    folded = fold(text)
    compact = re.sub(r"[\s.]", "", folded)
    if _HCM.match(compact) and compact not in ("hochiminh",):
        return "thành phố", "Hồ Chí Minh"
    # fold() keeps offsets, so a match on either form ends at the same index of ``text``.
    subject, prefixes = text.lower(), _PREFIXES
    if folded == text.lower():  # typed without diacritics
        subject, prefixes = folded, _FOLDED_PREFIXES
    for pattern, level in prefixes:
        m = pattern.match(subject)
        if not m:
            continue
        rest = text[m.end():].strip(" .")
        if not rest:
            break
        if _HCM.match(re.sub(r"[\s.]", "", fold(rest))):
            return level, "Hồ Chí Minh"
        if rest.isdigit():
            word = "Quận" if level == "quận" else level.capitalize()
            return level, f"{word} {int(rest)}"
        return level, rest
    return None, text


# --- the index ----------------------------------------------------------------------------------


class _Index:
    """All units, indexed by exact and folded name key, and by code."""

    def __init__(self) -> None:
        from vietnam_provinces import legacy  # heavy: imported on first use only

        self.by_key: dict[str, list[Unit]] = {}
        self.by_fkey: dict[str, list[Unit]] = {}
        self.by_code: dict[tuple[str, int], Unit] = {}
        self.children: dict[tuple[str, int], list[Unit]] = {}
        self.provinces: list[Unit] = []

        prov_names: dict[int, str] = {}
        for p in legacy.Province.iter_all():
            unit = Unit(code=int(p.code), name=_bare(p.name), level=str(p.division_type.value),
                        province=_bare(p.name), province_code=int(p.code))
            prov_names[unit.code] = unit.name
            self.provinces.append(unit)
            self._add(unit)
        districts: dict[int, Unit] = {}
        for dist in legacy.District.iter_all():
            pc = int(dist.province_code)
            unit = Unit(code=int(dist.code), name=_bare(dist.name), level=str(dist.division_type.value),
                        province=prov_names[pc], province_code=pc)
            districts[unit.code] = unit
            self._add(unit)
            self.children.setdefault(("province", pc), []).append(unit)
        for w in legacy.Ward.iter_all():
            d = districts[int(w.district_code)]
            unit = Unit(code=int(w.code), name=_bare(w.name), level=str(w.division_type.value),
                        province=d.province, province_code=d.province_code,
                        district=d.name, district_code=d.code, district_level=d.level)
            self._add(unit)
            self.children.setdefault(("district", d.code), []).append(unit)

    def _add(self, unit: Unit) -> None:
        key = _key_normalized(unit.name)  # names are normalised by _bare already
        self.by_key.setdefault(key, []).append(unit)
        self.by_fkey.setdefault(fold(key), []).append(unit)
        self.by_code[(unit.tier, unit.code)] = unit


def _bare(full: str) -> str:
    """Strip the level word from a data name: "Thành Phố Bắc Kạn" → "Bắc Kạn"; keep "Quận 1"."""
    name = normalize_line(full)
    if _NUMBERED.match(name):
        return name
    return re.sub(r"^(?:tỉnh|thành phố|huyện|quận|thị xã|thị trấn|phường|xã)\s+", "", name,
                  flags=re.IGNORECASE)


_LOCK = threading.Lock()
_INDEX: _Index | None = None


def _index() -> _Index:
    global _INDEX
    if _INDEX is None:
        with _LOCK:
            if _INDEX is None:
                _INDEX = _Index()
    return _INDEX


# --- public lookups -----------------------------------------------------------------------------


def lookup(name: str, *, level: str | None = None, tier: str | None = None,
           province: str | None = None, fuzzy: bool = True) -> list[Unit]:
    """Units called ``name``: exact (normalised, case-insensitive) matches, else folded matches.

    ``name`` may carry its level ("TP. Long Xuyên", "huyện Chợ Mới", "phường 5"); that level, or the
    ``level`` argument, filters the candidates (``thành phố`` matches district-level cities and
    centrally-run cities). ``tier`` ('province' / 'district' / 'ward') and ``province`` (a province
    name in any accepted spelling) narrow further. Results are ordered by tier (province, district,
    ward) then code, so they are deterministic. ``fuzzy=False`` skips the folded (diacritic-free)
    fallback, for running text where "Mỹ Thành" must not match "Mỹ Thạnh".
    """
    parsed_level, bare = parse_name(name)
    level = level or parsed_level
    if level is not None and level not in LEVELS:
        raise ValueError(f"unknown level {level!r}")
    idx = _index()
    keys = [_key(bare)]
    if level and bare.isdigit():
        keys = [_key(f"{level} {bare}")]
    alias = _PROVINCE_ALIASES.get(fold(keys[0]).replace("-", " "))
    found = [u for k in keys for u in idx.by_key.get(k, [])]
    if not found and (fuzzy or fold(keys[0]) == keys[0]):
        found = [u for k in keys for u in idx.by_fkey.get(fold(k), [])]
    if alias and (tier in (None, "province")) and level in (None, "tỉnh", "thành phố", "thành phố trung ương"):
        found += [u for u in idx.by_fkey.get(alias, []) if u.tier == "province" and u not in found]
    if level is not None:
        found = [u for u in found if _level_matches(u, level)]
    if tier is not None:
        found = [u for u in found if u.tier == tier]
    if province is not None:
        prov = find_province(province)
        found = [u for u in found if prov is not None and u.province_code == prov.code]
    order = {"province": 0, "district": 1, "ward": 2}
    return sorted(set(found), key=lambda u: (order[u.tier], u.code))


def _level_matches(unit: Unit, level: str) -> bool:
    if level == "thành phố":
        return unit.level in ("thành phố", "thành phố trung ương")
    if level == "tỉnh":
        return unit.tier == "province"
    return unit.level == level


def provinces() -> list[Unit]:
    """The 63 pre-2025 provinces and centrally-run cities."""
    return list(_index().provinces)


def find_province(name: str) -> Unit | None:
    """The province called ``name`` ("An Giang", "tỉnh An Giang", "TP.HCM", "Bắc Cạn"), or None."""
    found = lookup(name, tier="province")
    return found[0] if len(found) == 1 else None


def unit_by_code(tier: str, code: int) -> Unit | None:
    return _index().by_code.get((tier, code))


def province_name(code: int) -> str:
    """Bare name of the legacy province with this code (KeyError for an unknown code)."""
    unit = unit_by_code("province", code)
    if unit is None:
        raise KeyError(f"no province with code {code}")
    return unit.name


def children(unit: Unit) -> list[Unit]:
    """Districts of a province or wards of a district, in code order."""
    if unit.tier == "province":
        return list(_index().children.get(("province", unit.code), []))
    if unit.tier == "district":
        return list(_index().children.get(("district", unit.code), []))
    return []


def provinces_in_domain(host: str) -> list[Unit]:
    """Provinces whose folded, space-free name appears in a web host name.

    News and government sites carry their province in the host ("baobackan.org.vn",
    "longxuyen.angiang.gov.vn", "baolongan.vn"). A name of five letters or more may appear inside a
    host label; shorter names ("hue") must be a whole label. Only the longest match is kept, so
    "bariavungtau" does not also count as something shorter inside it.
    """
    host = host.lower()
    host = re.sub(r"^[a-z]+://", "", host).split("/")[0].split(":")[0]
    labels = [lb for lb in host.split(".") if lb and lb not in {"www", "vn", "com", "org", "net",
                                                                "gov", "edu", "info"}]
    matches: list[tuple[int, Unit]] = []
    for p in _index().provinces:
        names = {re.sub(r"[^a-z]", "", fold(p.name))}
        names |= {re.sub(r"[^a-z]", "", k) for k, v in _PROVINCE_ALIASES.items() if v == _fkey(p.name)}
        for n in names:
            if any(lb == n or (len(n) >= 5 and n in lb) for lb in labels):
                matches.append((len(n), p))
    if not matches:
        return []
    best = max(length for length, _ in matches)
    return sorted({p for length, p in matches if length == best}, key=lambda u: u.code)


@cache
def new_province_name(legacy_province_code: int) -> str | None:
    """Bare name of the post-2025 province a legacy province became part of."""
    import vietnam_provinces as vp

    found = vp.Province.search_from_legacy(code=legacy_province_code)
    names = sorted({_bare(r.province.name) for r in found})
    return "; ".join(names) if names else None


@cache
def new_ward_names(legacy_ward_code: int) -> tuple[str, ...]:
    """Bare names of the post-2025 ward(s) a legacy ward/commune became (several if it was split)."""
    import vietnam_provinces as vp

    found = vp.Ward.search_from_legacy(code=legacy_ward_code)
    names: list[str] = []
    for r in found:
        n = _bare(r.ward.name)
        if n not in names:
            names.append(n)
    return tuple(names)
