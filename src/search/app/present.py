"""What a person reads of an answer: the one place that knows the columns of ``idx.ask``.

``answer_rows(idx, df)`` turns the DataFrame of :func:`search.app.answers.ask` into
:class:`AnswerRow` records — place, actor, amounts and counts written the Vietnamese way, evidence
best first, and a :class:`~search.app.cite.Citation` per evidence passage — for the CLI's ``ask``
table and the web app's Ask page. It reads the richer columns when ``ask`` provides them
(``actor``, ``amounts``, ``counts``, ``citations``) and otherwise derives them from the older ones
(``amounts_vnd``, ``clauses``, ``evidence``, ``doc_ids``) and the index's figures and precedents, so
both generations of ``ask`` read the same.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pandas as pd

from ..text.numbers import format_vnd
from .cite import Citation, cite_span, format_date, place_name

if TYPE_CHECKING:
    from .index import Index

__all__ = ["AnswerRow", "answer_rows", "ask_table", "provenance_columns", "UNIT_WORDS",
           "figure_displays", "precedents_table"]

#: words that open the name of an administrative unit: an actor named so is a place
UNIT_WORDS = ("xã ", "phường ", "thị trấn ", "thị xã ", "huyện ", "quận ", "thành phố ", "ấp ", "khóm ",
              "thôn ", "bản ", "tổ dân phố ", "khu phố ")


@dataclass
class AnswerRow:
    """One place that answers, as a reader sees it."""

    locality: str
    locality_level: str | None
    province: str | None
    actor: str | None
    score: float
    evidence: list[str]
    amounts: list[str]              # "hơn 6,2 tỷ đồng", qualifier kept
    amounts_vnd: list[int]          # the same amounts in integer đồng
    counts: list[str]               # "129 nhà"
    citations: list[Citation] = field(default_factory=list)
    doc_ids: list[str] = field(default_factory=list)
    purpose: str | None = None

    @property
    def place(self) -> str:
        return place_name(self.locality, self.locality_level, self.province)


def _get(row: pd.Series, name: str, default=None):
    """``row[name]`` when the column exists and holds a value."""
    if name not in row.index:
        return default
    value = row[name]
    if value is None or (not isinstance(value, (list, tuple, dict)) and pd.isna(value)):
        return default
    return value


def _as_list(value) -> list:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    if hasattr(value, "tolist"):
        return list(value.tolist())
    return [value]


def _locate(idx: Index, doc_ids: Iterable[str], passages: Iterable[str]) -> list[dict]:
    """Citation dicts for evidence texts that ``ask`` gave without offsets (found in the articles)."""
    texts = idx.articles.set_index("doc_id")["text"]
    out: list[dict] = []
    for passage in passages:
        for d in doc_ids:
            if d not in texts.index:
                continue
            pos = str(texts[d]).find(passage)
            if pos >= 0:
                out.append({"doc_id": d, "chunk_id": None, "start": pos, "end": pos + len(passage),
                            "quote": passage})
                break
    return out


def _inside(df: pd.DataFrame, spans: list[dict]) -> pd.DataFrame:
    keep = pd.Series(False, index=df.index)
    for c in spans:
        keep |= (df["doc_id"] == c["doc_id"]) & (df["start"] >= c["start"]) & (df["start"] < c["end"])
    return df[keep]


def _is_unit(name: str | None) -> bool:
    return bool(name) and str(name).lower().startswith(UNIT_WORDS)


def answer_rows(idx: Index, df: pd.DataFrame) -> list[AnswerRow]:
    """The rows of ``idx.ask(...)`` for a reader (see the module docstring)."""
    out: list[AnswerRow] = []
    figures = idx.figures
    for _, row in df.iterrows():
        doc_ids = [str(d) for d in _as_list(_get(row, "doc_ids"))]
        raw_citations = _as_list(_get(row, "citations"))
        if raw_citations:
            evidence = [str(t) for t in _as_list(_get(row, "evidence"))]
            spans = [dict(c) for c in raw_citations]
        else:  # older ask: the clause around each figure is the sharpest evidence
            evidence = [str(t) for t in (_as_list(_get(row, "clauses")) or _as_list(_get(row, "evidence")))]
            spans = _locate(idx, doc_ids, evidence)
        figs = _inside(figures, spans) if spans else figures.iloc[0:0]
        amounts_vnd = [int(v) for v in _as_list(_get(row, "amounts_vnd"))]
        amounts = [str(a) for a in _as_list(_get(row, "amounts"))]
        if not amounts:  # written from the figures themselves, so "trên", "hơn" stay
            money = figs[figs["kind"] == "money"]
            for v in amounts_vnd:
                hit = money[money["amount_vnd"] == v]
                amounts.append(str(hit["display"].iloc[0]) if len(hit) else format_vnd(v))
        counts = [str(c) for c in _as_list(_get(row, "counts"))]
        if not counts and "counts" not in row.index:
            counts = [str(d) for d in figs[figs["kind"] == "count"].sort_values("start")["display"]]
        actor = _get(row, "actor")
        sublocality = actor if _is_unit(actor) else None
        if actor is None and "actor" not in row.index:  # older ask: the initiative's actor, if any
            prec = _inside(idx.precedent_table, spans) if spans else idx.precedent_table.iloc[0:0]
            prec = prec[prec["actor"].notna()]
            if len(prec):
                actor = str(prec["actor"].iloc[0])  # the citation finds its commune itself
        citations = [cite_span(idx, str(c["doc_id"]), int(c["start"]), int(c["end"]),
                               chunk_id=c.get("chunk_id") or None, sublocality=sublocality)
                     for c in spans]
        out.append(AnswerRow(
            locality=str(_get(row, "locality", "")), locality_level=_get(row, "locality_level"),
            province=_get(row, "province"), actor=str(actor) if actor else None,
            score=float(_get(row, "score", 0.0)), evidence=evidence, amounts=amounts,
            amounts_vnd=amounts_vnd, counts=counts, citations=citations, doc_ids=doc_ids,
            purpose=_get(row, "purpose")))
    return out


def _short(text: str, width: int) -> str:
    s = " ".join(str(text).split())
    return s if len(s) <= width else s[: width - 1] + "…"


def ask_table(idx: Index, df: pd.DataFrame, *, width: int = 110) -> pd.DataFrame:
    """The CLI's ``ask`` table: place, actor, amounts and counts as written, the best evidence —
    the quote its citation gives (the clause that answers, qualifier kept), not the start of a long
    report sentence —, the outlet and date of its article."""
    rows = []
    for r in answer_rows(idx, df):
        first = r.citations[0] if r.citations else None
        quote = first.quote if first and first.quote else (r.evidence[0] if r.evidence else "")
        rows.append({
            "place": r.place, "actor": r.actor or "", "score": round(r.score, 3),
            "amounts": ", ".join(r.amounts), "counts": ", ".join(r.counts),
            "evidence": _short(quote, width),
            "outlet": (first.outlet or "") if first else "",
            "date": (format_date(first.date) or "") if first else "",
        })
    return pd.DataFrame(rows, columns=["place", "actor", "score", "amounts", "counts", "evidence",
                                       "outlet", "date"])


def provenance_columns(idx: Index, doc_ids: Iterable[str]) -> pd.DataFrame:
    """``outlet`` and ``date`` (dd/mm/yyyy) of the articles of ``doc_ids``, one row each in order,
    empty strings where unknown: the columns the CLI's tables add for a reader."""
    arts = idx.articles.set_index("doc_id")
    ids = list(doc_ids)
    outlet = arts["outlet"] if "outlet" in arts.columns else pd.Series(dtype=object)
    dates = arts["date"] if "date" in arts.columns else pd.Series(dtype=object)

    def text(col: pd.Series, d: str) -> str:
        value = col.get(d)
        return value if isinstance(value, str) else ""

    return pd.DataFrame({"outlet": [text(outlet, d) for d in ids],
                         "date": [format_date(text(dates, d)) or "" for d in ids]})


def figure_displays(idx: Index, doc_id: str, expressions: Iterable[str], near: int) -> list[str]:
    """Figures an article writes (``expressions``, e.g. a precedent's "gần 01 tỷ đồng") written by
    the one formatter ("gần 1 tỷ đồng"): the figure of that expression nearest to offset ``near``."""
    figs = idx.figures
    mine = figs[figs["doc_id"] == doc_id]
    out = []
    for expr in expressions:
        hit = mine[mine["expression"] == expr]
        if len(hit):
            best = (hit["start"].astype("int64") - int(near)).abs().idxmin()
            out.append(str(hit.at[best, "display"]))
        else:
            out.append(str(expr))
    return out


def precedents_table(idx: Index, df: pd.DataFrame) -> pd.DataFrame:
    """The CLI's ``precedents`` table: name, kind, actor, place, period, figures as written by the
    formatter, outlet and date."""
    starts = idx.precedent_table.set_index("precedent_id")["start"]
    rows = []
    for r in df.itertuples():
        near = int(starts.get(r.precedent_id, 0))
        figures = figure_displays(idx, str(r.doc_id), _as_list(r.figures), near)
        rows.append({"name": r.name, "kind": r.kind, "actor": r.actor if isinstance(r.actor, str) else "",
                     "locality": r.locality, "province": r.province, "period": r.period,
                     "figures": ", ".join(figures)})
    out = pd.DataFrame(rows, columns=["name", "kind", "actor", "locality", "province", "period", "figures"])
    return out.join(provenance_columns(idx, df["doc_id"])) if len(df) else out
