"""Datasette's own table pages made useful: labels, facets, money written for a reader, CSV for Excel.

* :func:`metadata` — titles and column descriptions of ``articles``, ``figures``, ``precedents``,
  facets on purpose / kind / province / directive, arbitrary SQL off.
* :func:`render_cell` — in HTML only: integer đồng grouped the Vietnamese way ("6.200.000.000"),
  list cells joined with " | ", a doc_id linked to the article view at its passage. JSON and CSV
  keep the stored values (integer đồng for machines).
* :func:`csv_with_bom` — every ``.csv`` download starts with a UTF-8 BOM, so Excel reads Vietnamese.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

from markupsafe import Markup, escape

from ...text.numbers import format_number

__all__ = ["metadata", "render_cell", "csv_with_bom", "DATABASE", "BOM"]

DATABASE = "store"       # Datasette names a database after its file: store.sqlite
BOM = b"\xef\xbb\xbf"

_MONEY_COLUMNS = {"amount_vnd", "amount_max_vnd"}
_LIST_COLUMNS = {"directives", "flags", "figures"}
_LINKED_TABLES = {"figures", "precedents", "chunks", "sentences"}


def metadata(title: str) -> dict:
    """The Datasette metadata of the index's store (labels, facets, SQL off)."""
    desk = ('<p>Tables of the index, for browsing, faceting and CSV/JSON export. To find a '
            'precedent and cite it, use the <a href="/">writers\' desk</a>: '
            '<a href="/search">Search</a> · <a href="/ask">Ask</a> · '
            '<a href="/precedents">Precedents</a>.</p>')
    return {
        "title": title,
        "description_html": desk,
        "allow_sql": False,
        "databases": {DATABASE: {
            "description_html": desk,
            "allow_sql": False,
            "tables": {
                "articles": {
                    "title": "Articles",
                    "description": "One row per article: place, directives, period, provenance and the cleaned text "
                                   "every offset points into.",
                    "label_column": "title",
                    "facets": ["province", "locality_level", {"array": "directives"}, "outlet"],
                    "columns": {
                        "locality": "the district / ward / commune the article is about",
                        "locality_level": "huyện, phường, xã, thị xã, thành phố …",
                        "province": "province before the July 2025 merger",
                        "province_new": "province after the July 2025 merger",
                        "directives": "directives the article cites (05-CT/TW …)",
                        "period": "years the report covers",
                        "date": "publication date (YYYY-MM-DD) when the page states it",
                        "outlet": "who published it, as a reader names it",
                        "url": "the article's own address when the page states it",
                        "source": "the source line as written on the page",
                        "flags": "doubts of the metadata extraction",
                    },
                },
                "figures": {
                    "title": "Figures",
                    "description": "Every amount, count, rate and percentage with its qualifier and purpose. "
                                   "amount_vnd is integer đồng (CSV and JSON give it whole); display is the figure "
                                   "as a reader writes it.",
                    "facets": ["purpose", "kind", "province", "locality"],
                    "sort_desc": "amount_vnd",
                    "columns": {
                        "amount_vnd": "money in integer đồng (machines); shown grouped here",
                        "amount_max_vnd": "upper end of a range, integer đồng",
                        "display": "as a reader writes it: hơn 6,2 tỷ đồng, 129 nhà",
                        "qualifier_vi": "hơn, trên, gần, khoảng … as written",
                        "purpose": "what the money or count was for",
                        "expression": "the figure as the article writes it",
                        "sentence": "the sentence holding it",
                        "start": "offset of the figure in the article's cleaned text",
                    },
                },
                "precedents": {
                    "title": "Precedents",
                    "description": "Named initiatives (mô hình, phong trào, câu lạc bộ …) with actor, place, period "
                                   "and figures.",
                    "label_column": "name",
                    "facets": ["kind", "province", "locality"],
                    "columns": {
                        "actor": "the committee or unit that ran it",
                        "sublocality": "the commune / ward within the locality",
                        "figures": "its figures as written",
                        "confidence": "how surely the name is an initiative (0–1)",
                    },
                },
                "chunks": {"title": "Chunks", "description": "Passages the search ranks; offsets into the article."},
                "sentences": {"title": "Sentences", "description": "Sentences with the topic `ask` uses."},
            },
        }},
    }


def _article_link(row, column: str, value: str, table: str) -> Markup | None:
    try:
        start, end = row["start"], row["end"]
    except (IndexError, KeyError):
        return None
    if start is None or end is None:
        return None
    query = urlencode({"start": int(start), "end": int(end)})
    return Markup(f'<a href="/article/{escape(value)}?{escape(query)}#passage" '
                  f'title="open the article at this passage">{escape(value)}</a>')


def render_cell(row, value, column: str, table: str | None, database: str) -> Markup | None:
    """HTML of one cell of the store's tables, or None for Datasette's default."""
    if database != DATABASE or table is None or value is None:
        return None
    if column in _MONEY_COLUMNS and isinstance(value, int):
        return Markup(f'<span class="vnd" title="{value} đồng">{escape(format_number(value))}</span>')
    if column == "value" and table == "figures" and isinstance(value, (int, float)):
        return Markup(escape(format_number(value)))
    if column in _LIST_COLUMNS and isinstance(value, str) and value.startswith("["):
        try:
            items = json.loads(value)
        except ValueError:
            return None
        if isinstance(items, list):
            return Markup(escape(" | ".join(map(str, items))))
    if column == "doc_id" and table in _LINKED_TABLES and isinstance(value, str):
        return _article_link(row, column, value, table)
    return None


def csv_with_bom(app):
    """ASGI middleware: a UTF-8 BOM before the body of every successful ``.csv`` response."""

    async def wrapped(scope, receive, send):
        if scope.get("type") != "http" or not scope.get("path", "").endswith(".csv"):
            await app(scope, receive, send)
            return
        state = {"ok": False, "sent": False}

        async def send_with_bom(message):
            if message["type"] == "http.response.start":
                state["ok"] = message.get("status") == 200
                if state["ok"]:
                    headers = []
                    for k, v in message.get("headers", []):
                        if k.lower() == b"content-length":
                            v = str(int(v) + len(BOM)).encode()
                        headers.append((k, v))
                    message = {**message, "headers": headers}
            elif message["type"] == "http.response.body" and state["ok"] and not state["sent"]:
                state["sent"] = True
                message = {**message, "body": BOM + message.get("body", b"")}
            await send(message)

        await app(scope, receive, send_with_bom)

    return wrapped
