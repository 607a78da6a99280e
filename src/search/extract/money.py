"""One money expression ↔ integer đồng: ``parse_money`` reads what ``format_money`` writes.

"hơn 6,2 tỷ đồng" → ``Money(6_200_000_000, qualifier="more_than", qualifier_vi="hơn")``;
"mỗi quý 1,2 triệu đồng" → a rate per "quý". Reading uses the figure scanner
(``search.extract.figures``); writing is ``search.text.numbers`` (``format_money`` in an explicit
style, ``format_vnd`` for text people read).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from ..text.numbers import MONEY_STYLES, format_money, format_vnd
from .figures import RawFigure, lone_money, scan

__all__ = ["Money", "parse_money", "format_money", "format_vnd", "MONEY_STYLES"]


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

    def __str__(self) -> str:
        return format_vnd(self.value, self.qualifier, per=self.per, value_max=self.value_max)


def _money_from_raw(raw: RawFigure, text: str) -> Money:
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
    for raw in scan(nfc):
        if raw.kind in ("money", "rate"):
            return _money_from_raw(raw, nfc)
    lone = lone_money(nfc)
    return None if lone is None else _money_from_raw(lone, nfc)
