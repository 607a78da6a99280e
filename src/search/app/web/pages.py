"""The writers' desk pages: Search, Ask, Precedents, Article view and Cite.

Every page is a GET whose state is its query string, so a link shares exactly what its sender saw.
A bad query or filter is a message on the page (status 400), never a server error; every text is
escaped by the templates (Jinja autoescape) — the highlighted passage is split into pieces, never
assembled as HTML. The index is used through its public API (``search``, ``ask``, ``precedents``,
``articles``, ``figures``, ``chunks``) and :mod:`search.app.cite`; calls run one at a time in a
worker thread so the server stays responsive.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any
from weakref import WeakKeyDictionary

from ...errors import SearchError
from ...retrieval.ranking import METHODS
from ...text.numbers import format_number
from ..cite import Citation, best_passages, cite, cite_span, format_date, place_name
from ..present import answer_rows, figure_displays

__all__ = ["ROUTES", "attach", "index_of", "MAX_QUERY"]

MAX_QUERY = 2000          # characters of a query; longer ones are refused with a message
MAX_K = 50
#: form field → filter field of the library
FILTERS = {"province": "province", "locality": "locality", "level": "locality_level",
           "directive": "directive", "year": "year"}
_COMMON = {"q", *FILTERS}
_PAGE_PARAMS = {
    "search": _COMMON | {"k", "method"},
    "ask": _COMMON,
    "precedents": _COMMON | {"kind", "k"},
    "article": {"start", "end", "q"},
}

_INDEXES: WeakKeyDictionary = WeakKeyDictionary()
_WORKER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="search-index")


def attach(datasette, idx) -> None:
    """Serve ``idx`` (an opened :class:`search.app.index.Index`) from this Datasette instance."""
    _INDEXES[datasette] = idx


def index_of(datasette):
    return _INDEXES.get(datasette)


async def _run(fn: Callable[[], Any]) -> Any:
    return await asyncio.get_running_loop().run_in_executor(_WORKER, fn)


# --- the form -------------------------------------------------------------------------------------


@dataclass
class Form:
    """What the query string asks for, and what was wrong with it."""

    q: str = ""
    values: dict[str, str] = field(default_factory=dict)   # every known field as typed (refills the form)
    where: dict[str, str] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def int_value(self, name: str, default: int, lo: int, hi: int) -> int:
        raw = self.values.get(name, "")
        if not raw:
            return default
        if not re.fullmatch(r"\d{1,6}", raw):
            self.errors.append(f"{name} must be a whole number, not {raw[:40]!r}")
            return default
        n = int(raw)
        if not lo <= n <= hi:
            self.errors.append(f"{name} must be between {lo} and {hi}, not {n}")
            return default
        return n


def read_form(request, page: str) -> Form:
    allowed = _PAGE_PARAMS[page]
    form = Form()
    for name in request.args.keys():
        value = request.args.get(name) or ""
        if name.startswith("_"):
            continue  # Datasette's own parameters
        if name not in allowed:
            form.notes.append(f"unknown filter {name[:60]!r} ignored")
            continue
        form.values[name] = value.strip()
    q = form.values.get("q", "")
    if len(q) > MAX_QUERY:
        form.errors.append(f"the query is {format_number(len(q))} characters long; "
                           f"at most {format_number(MAX_QUERY)} are searched — shorten it")
        q = ""
    form.q = q
    for name, target in FILTERS.items():
        value = form.values.get(name, "")
        if value and name in allowed:
            if name == "year" and not re.fullmatch(r"(19|20)\d\d", value):
                form.errors.append(f"year must be a year like 2019, not {value[:40]!r}")
                continue
            form.where[target] = value
    return form


# --- shared pieces --------------------------------------------------------------------------------


@dataclass
class Choices:
    """Values of the filter menus (from the articles)."""

    provinces: list[str]
    localities: list[str]
    levels: list[str]
    directives: list[str]
    kinds: list[str]


_CHOICES: WeakKeyDictionary = WeakKeyDictionary()


def choices(idx) -> Choices:
    if idx not in _CHOICES:
        arts = idx.articles

        def distinct(col: str) -> list[str]:
            return sorted({str(v) for v in arts[col] if isinstance(v, str) and v}) if col in arts else []

        directives = sorted({d for ds in arts["directives"] for d in (ds or [])})
        kinds = sorted({str(k) for k in idx.precedent_table["kind"] if isinstance(k, str)})
        _CHOICES[idx] = Choices(distinct("province"), distinct("locality"), distinct("locality_level"),
                                directives, kinds)
    return _CHOICES[idx]


def _text(value) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def article_info(idx, doc_id: str) -> dict:
    """What a result card shows of its article: title, place, outlet, date, period, directives."""
    arts = idx.articles
    row = arts[arts["doc_id"] == doc_id].iloc[0]
    return {
        "doc_id": doc_id, "title": _text(row.get("title")) or doc_id,
        "place": place_name(_text(row.get("locality")), _text(row.get("locality_level")),
                            _text(row.get("province"))),
        "outlet": _text(row.get("outlet")), "date": format_date(_text(row.get("date"))),
        "url": _text(row.get("url")), "period": _text(row.get("period")),
        "directives": list(row.get("directives") or []),
    }


def pieces(text: str, start: int, end: int, lo: int, hi: int, context: int = 220) -> dict:
    """``text[lo:hi]`` around the passage ``[start, end)``: before, passage, after (plain strings,
    escaped by the template), cut at word boundaries with "…"."""
    a = max(lo, start - context)
    if a > lo:
        a = text.find(" ", a, start) + 1 or a
    b = min(hi, end + context)
    if b < hi:
        cut = text.rfind(" ", end, b)
        b = cut if cut > end else b
    return {"before": ("…" if a > lo else "") + text[a:start], "mark": text[start:end],
            "after": text[end:b] + ("…" if b < hi else "")}


def article_href(doc_id: str, start: int | None = None, end: int | None = None, q: str = "") -> str:
    from urllib.parse import quote, urlencode

    params: dict[str, Any] = {}
    if start is not None and end is not None:
        params.update(start=int(start), end=int(end))
    if q:
        params["q"] = q
    query = ("?" + urlencode(params)) if params else ""
    return f"/article/{quote(doc_id)}{query}" + ("#passage" if start is not None else "")


def citation_view(c: Citation, q: str = "") -> dict:
    return {"text": c.text(), "ref": c.ref, "quote": c.quote,
            "href": article_href(c.doc_id, c.start, c.end, q)}


async def render(datasette, request, template: str, context: dict, status: int = 200):
    from datasette.utils.asgi import Response

    form: Form = context.get("form") or Form()
    idx = index_of(datasette)
    base = {"form": form, "page": template.removeprefix("desk_").removesuffix(".html"),
            "choices": choices(idx) if idx is not None else None, "methods": METHODS,
            "fmt": format_number}
    html = await datasette.render_template([template], {**base, **context}, request=request)
    if form.errors and status == 200:
        status = 400
    return Response.html(html, status=status)


def _no_index(datasette, request):
    return render(datasette, request, "desk_message.html", {
        "message": "No index is attached to this server: start it with `search serve`."}, status=503)


async def _guarded(datasette, request, template: str, form: Form, work: Callable[[], dict]):
    """Run ``work`` in the worker; a SearchError (bad query, unknown filter value …) becomes a
    message on the page."""
    context: dict = {"form": form}
    if not form.errors:
        try:
            context.update(await _run(work))
        except SearchError as exc:
            form.errors.append(str(exc))
    return await render(datasette, request, template, context)


# --- pages ----------------------------------------------------------------------------------------


async def search_page(datasette, request):
    idx = index_of(datasette)
    if idx is None:
        return await _no_index(datasette, request)
    form = read_form(request, "search")
    k = form.int_value("k", 10, 1, MAX_K)
    method = form.values.get("method") or "hybrid"
    if method not in METHODS:
        form.errors.append(f"method must be one of {', '.join(METHODS)}, not {method[:40]!r}")

    def work() -> dict:
        if not form.q:
            return {"results": None}
        hits = idx.search(form.q, k=k, where=form.where or None, method=method)
        spans = best_passages(idx, hits, form.q)
        texts = idx.articles.set_index("doc_id")["text"]
        results = []
        for hit, (s, e) in zip(hits.itertuples(), spans):
            text = str(texts[hit.doc_id])
            c = cite_span(idx, hit.doc_id, s, e, chunk_id=hit.chunk_id)
            results.append({**article_info(idx, hit.doc_id), "rank": hit.rank, "chunk_id": hit.chunk_id,
                            "pieces": pieces(text, s, e, int(hit.start), int(hit.end)),
                            "cite": citation_view(c, form.q)})
        return {"results": results}

    return await _guarded(datasette, request, "desk_search.html", form, work)


async def ask_page(datasette, request):
    idx = index_of(datasette)
    if idx is None:
        return await _no_index(datasette, request)
    form = read_form(request, "ask")

    def work() -> dict:
        if not form.q:
            return {"answers": None}
        df = idx.ask(form.q, where=form.where or None)
        rows = []
        for r in answer_rows(idx, df):
            rows.append({"place": r.place, "locality": r.locality, "province": r.province, "actor": r.actor,
                         "amounts": r.amounts, "counts": r.counts, "evidence": r.evidence[:3],
                         "citations": [citation_view(c, form.q) for c in r.citations[:3]],
                         "info": article_info(idx, r.doc_ids[0]) if r.doc_ids else None})
        purpose = str(df["purpose"].iloc[0]) if len(df) and "purpose" in df else None
        return {"answers": rows, "reason": df.attrs.get("reason"), "purpose": purpose,
                "unranked": df.attrs.get("unranked", []), "closest": bool(df.attrs.get("closest")),
                "not_said": df.attrs.get("not_said"), "said": df.attrs.get("said", []),
                "positive": df.attrs.get("positive")}

    return await _guarded(datasette, request, "desk_ask.html", form, work)


async def precedents_page(datasette, request):
    idx = index_of(datasette)
    if idx is None:
        return await _no_index(datasette, request)
    form = read_form(request, "precedents")
    k = form.int_value("k", 20, 1, MAX_K)
    kind = form.values.get("kind", "")
    if kind and kind not in choices(idx).kinds:
        form.errors.append(f"kind {kind[:40]!r} is not one of {', '.join(choices(idx).kinds)}")

    def work() -> dict:
        df = idx.precedents(form.q or None, k=None, where=form.where or None)
        if kind:
            df = df[df["kind"] == kind]
        df = df.head(k)
        # the name's offsets (not among the columns of ``precedents()``) from the full table
        spans = idx.precedent_table.set_index("precedent_id")[["start", "end"]]
        df = df.join(spans, on="precedent_id")
        items = []
        for p in df.itertuples():
            sub = _text(p.sublocality)
            c = cite_span(idx, p.doc_id, int(p.start), int(p.end), chunk_id=p.chunk_id, sublocality=sub)
            figures = list(p.figures) if isinstance(p.figures, (list, tuple)) else []
            items.append({**article_info(idx, p.doc_id), "name": p.name, "kind": p.kind,
                          "actor": _text(p.actor), "place": c.place,
                          "figures": figure_displays(idx, p.doc_id, figures, int(p.start)),
                          "cite": citation_view(c, form.q)})
        return {"items": items, "kind": kind}

    return await _guarded(datasette, request, "desk_precedents.html", form, work)


async def article_page(datasette, request):
    idx = index_of(datasette)
    if idx is None:
        return await _no_index(datasette, request)
    form = read_form(request, "article")
    doc_id = request.url_vars["doc_id"]
    arts = idx.articles
    rows = arts[arts["doc_id"] == doc_id]
    if rows.empty:
        form.errors.append(f"no article {doc_id[:80]!r} in this index")
        return await render(datasette, request, "desk_message.html",
                            {"form": form, "message": "Article not found."}, status=404)
    row = rows.iloc[0]
    text = str(row["text"])
    start = form.int_value("start", -1, 0, len(text))
    end = form.int_value("end", -1, 0, len(text))
    if (start >= 0) != (end >= 0) or (start >= 0 and end <= start):
        form.errors.append("start and end must be given together, with end after start")
    passage = (start, end) if start >= 0 and end > start and not form.errors else None

    def work() -> dict:
        paragraphs = []   # the title first (a heading), then the paragraphs, as offsets of ``text``
        anchored = False
        for i, m in enumerate(re.finditer(r"[^\n]+", text)):
            a, b = m.span()
            part = {"before": text[a:b], "mark": "", "after": "", "anchor": False, "heading": i == 0}
            if passage and passage[0] < b and passage[1] > a:
                s, e = max(a, passage[0]), min(b, passage[1])
                part.update(before=text[a:s], mark=text[s:e], after=text[e:b], anchor=not anchored)
                anchored = True
            paragraphs.append(part)
        c = cite_span(idx, doc_id, *passage) if passage else None
        figs = idx.figures[idx.figures["doc_id"] == doc_id].sort_values("start")
        figures = [{"display": f.display, "purpose": f.purpose, "kind": f.kind,
                    "href": article_href(doc_id, int(f.start), int(f.end), form.q)}
                   for f in figs.itertuples() if f.kind in ("money", "count")]
        prec = idx.precedent_table[idx.precedent_table["doc_id"] == doc_id].sort_values("start")
        precedents = [{"name": p.name, "kind": p.kind, "href": article_href(doc_id, int(p.start), int(p.end))}
                      for p in prec.itertuples()]
        meta = [(label, value) for label, value in (
            ("Outlet", _text(row.get("outlet")) or "not stated on the page"),
            ("Author", _text(row.get("author"))),
            ("Date", format_date(_text(row.get("date"))) or "not stated on the page"),
            ("Place", place_name(_text(row.get("locality")), _text(row.get("locality_level")),
                                 _text(row.get("province")))),
            ("After July 2025", ", ".join(v for v in (_text(row.get("locality_new")),
                                                      _text(row.get("province_new"))) if v) or None),
            ("Directives", ", ".join(row.get("directives") or []) or None),
            ("Period", _text(row.get("period"))),
            ("Source as written", _text(row.get("source"))),
            ("Flags", ", ".join(row.get("flags") or []) or None),
            ("Article id", doc_id)) if value]
        source = _text(row.get("source"))
        return {"doc_id": doc_id, "title": _text(row.get("title")) or doc_id, "paragraphs": paragraphs,
                "url": _text(row.get("url")),
                "source_link": source if source and re.match(r"https?://", source) else None,
                "meta": meta, "cite": citation_view(c, form.q) if c else None, "figures": figures,
                "precedents": precedents, "passage": passage}

    return await _guarded(datasette, request, "desk_article.html", form, work)


async def cite_endpoint(datasette, request):
    """``/cite?ref=DOC:START-END|CHUNK_ID[&q=…][&format=json]``: the citation as plain text or JSON."""
    from datasette.utils.asgi import Response

    def text(body: str, status: int = 200):  # plain text, never sniffed as HTML
        return Response.text(body, status=status, headers={"X-Content-Type-Options": "nosniff"})

    idx = index_of(datasette)
    if idx is None:
        return text("no index attached; start with `search serve`", 503)
    ref = request.args.get("ref", "")
    q = request.args.get("q") or None
    if q and len(q) > MAX_QUERY:
        return text(f"the query is longer than {MAX_QUERY} characters", 400)
    try:
        c = await _run(lambda: cite(idx, ref, query=q))
    except SearchError as exc:
        return text(str(exc), 400)
    if request.args.get("format") == "json":
        return Response(json.dumps(c.as_dict(), ensure_ascii=False, indent=2), status=200,
                        content_type="application/json; charset=utf-8",
                        headers={"X-Content-Type-Options": "nosniff"})
    return text(c.text())


ROUTES = [
    (r"^/$", search_page),
    (r"^/search$", search_page),
    (r"^/ask$", ask_page),
    (r"^/precedents$", precedents_page),
    (r"^/article/(?P<doc_id>[^/]+)$", article_page),
    (r"^/cite$", cite_endpoint),
]
