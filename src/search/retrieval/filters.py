"""Metadata filters (``where``) shared by search, ask, figures and precedents.

A filter is ``FIELD=VALUE``; values compare without diacritics or case ("an giang" = "An Giang"), a
locality may carry its level ("huyện An Phú"), a directive may be written loosely ("05", "Chỉ thị 05",
"05-CT/TW", "KL 01"), and a year matches the period an article covers or its date.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

import pandas as pd

from ..errors import QueryError
from ..ingest.gazetteer import LOCALITY_LEVELS
from ..text.normalize import fold, normalize_line

__all__ = ["FIELDS", "parse_where", "matching_doc_ids"]

FIELDS = ("province", "province_new", "locality", "locality_level", "district", "directive", "year", "doc_id")
# level words a locality may be written with ("huyện An Phú", "TP. Long Xuyên"), folded
_LEVEL_WORDS = "(?:" + "|".join(re.escape(fold(lv)) for lv in LOCALITY_LEVELS) + r"|tp\.?)"


def parse_where(where: Mapping[str, object] | Iterable[str] | str | None) -> dict[str, str]:
    """``{"province": "An Giang"}``, ``["province=An Giang"]`` or ``"province=An Giang"`` → dict."""
    if where is None:
        return {}
    if isinstance(where, str):
        where = [where]
    if isinstance(where, Mapping):
        items = [(str(k), str(v)) for k, v in where.items()]
    else:
        items = []
        for item in where:
            if not isinstance(item, str) or "=" not in item:
                raise QueryError(f"filter {item!r} is not FIELD=VALUE (fields: {', '.join(FIELDS)})")
            k, v = item.split("=", 1)
            items.append((k, v))
    out: dict[str, str] = {}
    for k, v in items:
        k, v = k.strip().lower(), normalize_line(v)
        if k not in FIELDS:
            raise QueryError(f"unknown filter field {k!r} (fields: {', '.join(FIELDS)})")
        if not v:
            raise QueryError(f"filter {k}= has no value")
        if k == "year" and not re.fullmatch(r"(19|20)\d\d", v):
            raise QueryError(f"filter year={v!r} is not a year like 2019")
        out[k] = v
    return out


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


def matching_doc_ids(articles: pd.DataFrame, where: dict[str, str]) -> set[str]:
    """doc_ids of the articles that satisfy every filter."""
    keep = []
    for _, row in articles.iterrows():
        ok = True
        for field, value in where.items():
            if field == "directive":
                ok = _directive_matches(value, row.get("directives") or [])
            elif field == "year":
                ok = _year_matches(int(value), row)
            elif field in ("locality", "district"):
                ok = _bare(str(row.get(field) or "")) == _bare(value)
            else:
                ok = fold(str(row.get(field) or "")).strip() == fold(value).strip()
            if not ok:
                break
        if ok:
            keep.append(row["doc_id"])
    return set(keep)
