"""Metadata filters (``where``) shared by search, ask, figures and precedents.

A filter is ``FIELD=VALUE``; values compare without diacritics or case ("an giang" = "An Giang"), a
locality may carry its level ("huyện An Phú"), a directive may be written loosely ("05", "Chỉ thị 05",
"05-CT/TW", "KL 01"), and a year matches the period an article covers or its date.

Filters on different fields must all hold (AND); several values of one field — ``--where
province=An Giang --where province=Bến Tre``, or ``{"province": ["An Giang", "Bến Tre"]}`` — admit
an article that has any of them (OR). A value of ``None`` is an error, not "no filter": leave the
field out for that.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import pandas as pd

from ..errors import QueryError
from ..ingest.gazetteer import LOCALITY_LEVELS
from ..text.normalize import fold, normalize_line
from ..validation import check_text

__all__ = ["FIELDS", "parse_where", "matching_doc_ids"]

FIELDS = ("province", "province_new", "locality", "locality_level", "district", "directive", "year", "doc_id")
# level words a locality may be written with ("huyện An Phú", "TP. Long Xuyên"), folded
_LEVEL_WORDS = "(?:" + "|".join(re.escape(fold(lv)) for lv in LOCALITY_LEVELS) + r"|tp\.?)"


_WHERE_FORMS = "a dict like {'province': 'An Giang'}, or 'FIELD=VALUE' strings"


def _values(key: object, value: object) -> list[str]:
    """The value(s) of one mapping entry as strings; several (a list, tuple or set) mean OR."""
    many = value if isinstance(value, (list, tuple, set, frozenset)) else [value]
    out = []
    for v in many:
        if v is None:
            raise QueryError(f"filter {key}=None has no value; leave {key!r} out to not filter on it")
        if isinstance(v, bool) or not isinstance(v, (str, int)):
            raise QueryError(f"filter {key}={v!r}: a value must be text or a whole number, "
                             f"not {type(v).__name__}")
        out.append(str(v))
    if not out:
        raise QueryError(f"filter {key} has an empty list of values")
    return out


def parse_where(where: Mapping[str, object] | Iterable[str] | str | None) -> dict[str, str | tuple[str, ...]]:
    """``{"province": "An Giang"}``, ``["province=An Giang"]`` or ``"province=An Giang"`` → dict.

    A field given once maps to its value; a field given several times (or with a list of values)
    maps to the tuple of its distinct values, any of which matches (OR). QueryError for anything
    else (``where=5``, ``{"province": None}``, an unknown field, an empty value).
    """
    if where is None:
        return {}
    if isinstance(where, str):
        where = [where]
    items: list[tuple[object, str]] = []
    if isinstance(where, Mapping):
        for k, v in where.items():
            items += [(k, x) for x in _values(k, v)]
    elif isinstance(where, Iterable) and not isinstance(where, (bytes, bytearray)):
        for item in where:
            if not isinstance(item, str) or "=" not in item:
                raise QueryError(f"filter {item!r} is not FIELD=VALUE (fields: {', '.join(FIELDS)})")
            k, v = item.split("=", 1)
            items.append((k, v))
    else:
        raise QueryError(f"where must be {_WHERE_FORMS}, not {type(where).__name__}")
    found: dict[str, list[str]] = {}
    for key, value in items:
        if not isinstance(key, str):
            raise QueryError(f"filter field {key!r} is not text (fields: {', '.join(FIELDS)})")
        k = key.strip().lower()
        if k not in FIELDS:
            raise QueryError(f"unknown filter field {k!r} (fields: {', '.join(FIELDS)})")
        if not value.strip():
            raise QueryError(f"filter {k}= has no value")
        v = normalize_line(check_text(value, what=f"filter {k}", max_chars=200))
        if k == "year" and not re.fullmatch(r"(19|20)\d\d", v):
            raise QueryError(f"filter year={v!r} is not a year like 2019")
        if v not in found.setdefault(k, []):
            found[k].append(v)
    return {k: vs[0] if len(vs) == 1 else tuple(vs) for k, vs in found.items()}


def _bare(name: str) -> str:
    return re.sub(rf"^{_LEVEL_WORDS}\s+", "", fold(name).strip())


def _directive_matches(wanted: str, have: Iterable[str]) -> bool:
    w = fold(wanted)
    num = re.search(r"\d+", w)
    if not num:
        return False
    kind = "kl" if re.search(r"\bkl\b|ket luan", w) else "ct" if re.search(r"\bct\b|chi thi", w) else None
    for d in have or []:
        fd = fold(d)
        m = re.match(r"(\d+)-(ct|kl|nq|qd)/(\w+)", fd)
        if not m or int(m.group(1)) != int(num.group()):
            continue
        if kind and m.group(2) != kind:
            continue
        if "/" in w and w.split("/")[-1].strip() != m.group(3):
            continue
        return True
    return False


def _year_matches(year: int, row) -> bool:
    start, end = row.get("period_start"), row.get("period_end")
    if pd.notna(start) and pd.notna(end) and int(start) <= year <= int(end):
        return True
    date = row.get("date")
    return isinstance(date, str) and date[:4] == str(year)


def _matches(field: str, value: str, row) -> bool:
    if field == "directive":
        return _directive_matches(value, row.get("directives") or [])
    if field == "year":
        return _year_matches(int(value), row)
    if field in ("locality", "district"):
        return _bare(str(row.get(field) or "")) == _bare(value)
    return fold(str(row.get(field) or "")).strip() == fold(value).strip()


def matching_doc_ids(articles: pd.DataFrame, where: Mapping[str, str | tuple[str, ...]]) -> set[str]:
    """doc_ids of the articles that satisfy every filter (one of the values of a field given several)."""
    keep = []
    for _, row in articles.iterrows():
        ok = True
        for field, value in where.items():
            values = (value,) if isinstance(value, str) else value
            ok = any(_matches(field, v, row) for v in values)
            if not ok:
                break
        if ok:
            keep.append(row["doc_id"])
    return set(keep)
