"""Facts to compare places by, each traceable to the words it rests on.

What notebook 3, the per-place comparison table and ``search export`` read:

* :func:`figure_facts` — every figure of ``idx.figures`` with its ";"-clause, the purposes that
  clause *states* and the year of the action when the clause gives one. A purpose is stated when
  the clause holds a strong cue word of it (``data/purpose_cues.tsv``, weight ≥ 2: "nhà ở",
  "mặt đường", "khám") or the counted unit says it ("129 nhà"). The figures' ``purpose`` is a
  classifier's reading; ``purpose_shown`` keeps it only where the text states it and says
  "unknown" otherwise ("231 công trình, phần việc với khoảng hơn 132 tỷ đồng" names no purpose:
  "công trình" only suggests one). ``year`` is the year phrase of the clause before the figure
  ("đầu năm 2019", "năm 2014"); ``when`` falls back to the report's period.
* :func:`recognitions` — every count of collectives and individuals recognised, with the kind of
  recognition its words state (formal award, praise, praise and awards not split, roll of honour,
  chosen as a model, contest prize, proposed; ``data/recognition_words.tsv``); a figure an article
  repeats is marked, so it is not counted twice.
* :func:`admitted_difficulties` — sentences in which a report admits difficulties of its own work.
* :func:`comparison_table` — one row per place: directives, period, old and new province, money
  by stated purpose (integer đồng and as written), houses, households, honours, trainings and
  attendances, named initiatives, dated actions, difficulties, and provenance (outlet, title,
  date, URL, doc ids). :data:`COLUMNS` describes every column.
* :func:`sources` — the quote and the article a finding rests on, one row per passage.

Numbers a person reads are written by :mod:`search.text.numbers` (through the figures'
``display``); machines get integers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import pandas as pd

from .. import data
from ..extract.purpose import PURPOSES, cue_matches, unit_prior
from ..text.normalize import fold
from ..text.segment import clause_at, sentence_spans
from .cite import cite_span, format_date

if TYPE_CHECKING:
    from .index import Index

__all__ = ["STRONG_CUE", "PURPOSE_LABELS", "UNKNOWN", "COLUMNS", "figure_facts", "stated_purposes",
           "action_year", "recognitions", "recognition_kinds", "admitted_difficulties",
           "comparison_table", "sources", "main_directive", "TRACKED_DIRECTIVES", "SOURCE_QUOTE"]

#: a cue of at least this weight states a purpose ("3 decisive, 2 strong" in purpose_cues.tsv)
STRONG_CUE = 2.0
UNKNOWN = "unknown"
#: purpose → Vietnamese label; "unknown" is what the text does not state
PURPOSE_LABELS: dict[str, str] = {p.name: p.label_vi for p in PURPOSES if p.name != "other"}
PURPOSE_LABELS[UNKNOWN] = "không rõ (văn bản không nêu)"
#: characters of a quote in a sources table before it is cut to its clauses
SOURCE_QUOTE = 600
#: the central documents compared, in time order (01-KL/TW continues 05-CT/TW)
TRACKED_DIRECTIVES = ("03-CT/TW", "05-CT/TW", "01-KL/TW")

_YEAR_TEMPLATE = r"(?:(?:{words})\s+)?năm\s+(?:19|20)\d\d\b(?!\s*[-–]\s*\d)"


# --- purposes and years of figures -------------------------------------------------------------


def stated_purposes(text: str, start: int, end: int) -> dict[str, list[str]]:
    """Purposes ``text[start:end]`` states, each with its cue words as written (first seen first)."""
    out: dict[str, list[str]] = {}
    for s, e, weights in cue_matches(text[start:end]):
        for purpose, w in weights.items():
            if w >= STRONG_CUE and purpose in PURPOSE_LABELS:
                words = out.setdefault(purpose, [])
                word = text[start + s:start + e]
                if word not in words:
                    words.append(word)
    return out


@lru_cache(maxsize=1)
def _year_re() -> re.Pattern:
    words = "|".join(re.escape(w) for w in sorted(data.words("time_of_year"), key=len, reverse=True))
    return re.compile(_YEAR_TEMPLATE.format(words=words), re.IGNORECASE)


def action_year(text: str, clause_start: int, figure_start: int) -> str | None:
    """The year phrase the clause gives an action before its figure ("đầu năm 2019"), or None.
    A range ("năm 2024 - 2025") and a term ("nhiệm kỳ 2020-2025") date no single action."""
    found = list(_year_re().finditer(text, clause_start, figure_start))
    if not found:
        return None
    phrase = " ".join(found[-1].group().split())
    return phrase[0].lower() + phrase[1:]


def figure_facts(idx: Index) -> pd.DataFrame:
    """``idx.figures`` plus, per figure: ``clause_start``/``clause_end``/``clause``,
    ``purposes_stated`` (purpose names its clause or unit states), ``stated_words`` (purpose →
    the words stating it, as written), ``purpose_words`` (the words
    stating the classified purpose), ``purpose_stated``, ``purpose_shown`` (the purpose if stated,
    else "unknown"), ``also_stated`` (other purposes its clause states), ``year`` and ``when``
    (year phrase, else the report's period), ``period``."""
    figs = idx.figures.sort_values(["doc_id", "start"]).reset_index(drop=True)
    texts = idx.article_texts
    periods = idx.articles.set_index("doc_id")["period"]
    rows = []
    for r in _tuples(figs):
        text = texts[r.doc_id]
        a, b = clause_at(text, int(r.sentence_start), int(r.sentence_end), int(r.start))
        stated = stated_purposes(text, a, b)
        prior = unit_prior(_str(r.unit), _str(r.category)) if r.kind == "count" else {}
        for name, w in prior.items():
            if w >= STRONG_CUE and name in PURPOSE_LABELS:
                stated.setdefault(name, []).insert(0, str(r.expression))
        purpose = _str(r.purpose)
        ok = purpose in stated
        shown = purpose if ok and purpose else UNKNOWN
        year = action_year(text, a, int(r.start))
        period = periods.get(r.doc_id)
        period = period if isinstance(period, str) and period else None
        rows.append({
            "clause_start": a, "clause_end": b, "clause": text[a:b],
            "purposes_stated": list(stated), "stated_words": stated,
            "purpose_words": stated.get(purpose or "", []),
            "purpose_stated": ok, "purpose_shown": shown,
            "also_stated": [p for p in stated if p != shown],
            "year": year, "period": period, "when": year or period,
        })
    return pd.concat([figs, pd.DataFrame(rows, index=figs.index)], axis=1)


def _tuples(df: pd.DataFrame) -> list[Any]:
    return list(df.itertuples(index=False))


def _groups(df: pd.DataFrame, by: list[str]) -> list[tuple[Any, pd.DataFrame]]:
    return list(df.groupby(by, sort=True))


def _str(value) -> str | None:
    return value if isinstance(value, str) and value else None


# --- recognitions ------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def recognition_kinds() -> pd.DataFrame:
    """The kinds of recognition (``data/recognition_kinds.tsv``): kind, label_vi, label_en, formal."""
    df = pd.DataFrame(data.rows("recognition_kinds"))
    return df.assign(formal=df["formal"] == "yes").set_index("kind")


@lru_cache(maxsize=1)
def _recognition_re() -> tuple[re.Pattern, dict[str, str]]:
    kinds = {r["phrase"].lower(): r["kind"] for r in data.rows("recognition_words")}
    alternatives = "|".join(re.escape(p) for p in sorted(kinds, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)"), kinds


def _cues(text: str, a: int, b: int) -> list[tuple[int, int, str]]:
    pattern, kinds = _recognition_re()
    low = text.lower()  # same length: offsets stay
    return [(m.start(), m.end(), kinds[m.group()]) for m in pattern.finditer(low, a, b)]


_COORDINATED = re.compile(r"\s*(?:,|và|,\s*và)?\s*")
_POST_WORDS = 6


def _first_words_end(text: str, a: int, b: int, n: int) -> int:
    words = list(re.finditer(r"\S+", text[a:b]))
    return a + words[n - 1].end() if len(words) >= n else b


def _decide(text: str, clause: tuple[int, int], group: tuple[int, int],
            prev_end: int, next_start: int) -> tuple[str, str]:
    """(kind, the words that decided it) for one group of coordinated counts."""
    lo, hi = clause
    gs, ge = group
    pre = _cues(text, prev_end, gs)
    for s, e, kind in pre:
        if kind == "proposed":
            return kind, text[s:e]
    post = _cues(text, ge, _first_words_end(text, ge, next_start, _POST_WORDS))
    if post:
        s, e, kind = post[0]
        return kind, text[s:e]
    if pre:
        s, e, kind = pre[-1]
        return kind, text[s:e]
    after = _cues(text, ge, hi)
    if after:
        s, e, kind = after[0]
        return kind, text[s:e]
    before = _cues(text, lo, gs)
    if before:
        s, e, kind = before[-1]
        return kind, text[s:e]
    return UNKNOWN, ""


def recognitions(idx: Index, facts: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per count of collectives or individuals recognised (figures of category
    "honours"): locality, province, doc_id, figure_id, expression, display, value, unit, kind,
    kind_vi, kind_en, formal, words (what decided the kind), year, when, repeat (the article gave
    the same count earlier), clause and offsets."""
    facts = figure_facts(idx) if facts is None else facts
    hon = facts[(facts["kind"] == "count") & (facts["category"] == "honours")]
    texts = idx.article_texts
    kinds = recognition_kinds()
    rows = []
    key: Any
    for key, part in hon.groupby(["doc_id", "clause_start", "clause_end"], sort=True):
        doc_id, cs, ce = str(key[0]), int(key[1]), int(key[2])
        text = texts[doc_id]
        part = part.sort_values("start")
        groups: list[list] = []
        for r in _tuples(part):
            if groups and _COORDINATED.fullmatch(text[groups[-1][-1].end:r.start]):
                groups[-1].append(r)
            else:
                groups.append([r])
        for i, g in enumerate(groups):
            prev_end = groups[i - 1][-1].end if i else cs
            next_start = groups[i + 1][0].start if i + 1 < len(groups) else ce
            kind, words = _decide(text, (cs, ce), (g[0].start, g[-1].end), prev_end, next_start)
            for r in g:
                rows.append({
                    "locality": r.locality, "province": r.province, "doc_id": doc_id,
                    "figure_id": r.figure_id, "expression": r.expression, "display": r.display,
                    "value": r.value, "unit": r.unit, "kind": kind,
                    "kind_vi": kinds.loc[kind, "label_vi"], "kind_en": kinds.loc[kind, "label_en"],
                    "formal": bool(kinds.loc[kind, "formal"]), "words": words,
                    "year": r.year, "when": r.when, "clause": r.clause,
                    "start": r.start, "end": r.end, "clause_start": cs, "clause_end": ce,
                })
    out = pd.DataFrame(rows, columns=[
        "locality", "province", "doc_id", "figure_id", "expression", "display", "value", "unit",
        "kind", "kind_vi", "kind_en", "formal", "words", "year", "when", "clause", "start", "end",
        "clause_start", "clause_end"])
    out = out.sort_values(["doc_id", "start"]).reset_index(drop=True)
    # A report repeats a count (a lead sums up what the body says again): the same number of the
    # same unit for the same time, in another sentence. Within one sentence equal counts are
    # different people ("01 cá nhân được nhận bằng khen …, 01 cá nhân đạt giải nhất").
    sentence = hon.set_index("figure_id")["sentence_start"]
    out["_sentence"] = out["figure_id"].map(sentence)
    first = out.groupby(["doc_id", "value", "unit", "when"], dropna=False)["_sentence"].transform("first")
    out["repeat"] = out.duplicated(["doc_id", "value", "unit", "when"]) & (out["_sentence"] != first)
    return out.drop(columns="_sentence")


# --- difficulties ------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _admission_re() -> re.Pattern:
    rows = data.rows("difficulty_admissions")
    verbs = "|".join(r["phrase"] for r in rows if r["role"] == "verb")
    words = "|".join(r["phrase"] for r in rows if r["role"] == "difficulty")
    return re.compile(rf"\b(?:{verbs})\b.{{0,40}}\b(?:{words})\b")


def admitted_difficulties(idx: Index) -> pd.DataFrame:
    """Sentences in which a report admits difficulties of its own work ("vẫn còn những khó khăn,
    tồn tại"; ``data/difficulty_admissions.tsv``): locality, doc_id, start, end, sentence."""
    rows = []
    for a in _tuples(idx.articles.sort_values("doc_id")):
        text = str(a.text)
        for s, e in sentence_spans(text):
            if _admission_re().search(fold(text[s:e])):
                rows.append({"locality": a.locality, "doc_id": a.doc_id, "start": s, "end": e,
                             "sentence": text[s:e]})
    return pd.DataFrame(rows, columns=["locality", "doc_id", "start", "end", "sentence"])


# --- the comparison table ----------------------------------------------------------------------

#: column → what it holds (the XLSX export's second sheet, notebook 3)
COLUMNS: dict[str, str] = {
    "place": "the locality a report is about",
    "level": "its level (huyện, phường, …)",
    "district": "the district it lies in",
    "province": "its province before the July 2025 merger",
    "province_new": "its province since July 2025",
    "locality_new": "the unit it belongs to since 2025, when it changed",
    "directive": "the latest of Chỉ thị 03-CT/TW, 05-CT/TW and Kết luận 01-KL/TW the report names",
    "directives": "every central document the report names",
    "local_directives": "provincial or district documents it names (e.g. 01-CT/TU)",
    "period": "the years the report takes stock of",
    "period_years": "their number as the report states it (\"qua 4 năm\")",
}
for _p, _label in PURPOSE_LABELS.items():
    COLUMNS[f"money_{_p}_vnd"] = (f"money the text states was for: {_label} — sum in integer đồng "
                                  "(amounts with hơn/gần/khoảng are bounds, not accounts)")
    COLUMNS[f"money_{_p}"] = f"the same amounts as the report writes them ({_label})"
COLUMNS.update({
    "money_notes": "amounts whose clause also states another purpose (not split by the report)",
    "rates": "per-unit amounts (đồng per member, per quarter), as written",
    "houses": "houses (nhà, căn) and house plots (nền) built, repaired or laid out, as written",
    "houses_n": "houses (nhà, căn), integer",
    "house_plots_n": "house plots (nền), integer",
    "households": "households helped, as written",
    "households_n": "households helped, integer",
    "honours_awarded": "formal awards (khen thưởng, bằng khen, giấy khen), as written",
    "awarded_collectives_n": "collectives formally awarded, integer",
    "awarded_individuals_n": "individuals formally awarded, integer",
    "honours_other": "other recognition (praise, rolls of honour, models, prizes, proposals), kind: as written",
    "trainings": "study conferences and classes counted, as written",
    "trainings_n": "their number, integer",
    "attendances": "attendances (lượt) of those conferences, as written",
    "attendances_n": "their number, integer",
    "study_other": "other figures the text states are about study (shares registered or attending, handbooks …)",
    "named_initiatives": "named models, movements, programmes, clubs (kind; figures as written)",
    "dated_actions": "figures of actions the text dates within the period (\"đầu năm 2019: …\")",
    "difficulties_admitted": "number of sentences admitting difficulties of the work",
    "difficulties": "those sentences",
    "outlet": "who published the report",
    "title": "its title",
    "author": "its author, when stated",
    "date": "its publication date (dd/mm/yyyy), when stated",
    "url": "its address, when the page stated one",
    "doc_ids": "the article ids in corpus/ (for search cite and the index)",
})


def main_directive(directives: Iterable[str]) -> str | None:
    """The latest of the tracked central documents an article names (01-KL/TW continues 05-CT/TW)."""
    named = [d for d in TRACKED_DIRECTIVES if d in set(directives)]
    return named[-1] if named else None


def _join(items: Iterable[str]) -> str:
    return " | ".join(dict.fromkeys(str(i) for i in items if i))


def _int_or_none(values) -> int | None:
    values = [int(v) for v in values]
    return sum(values) if values else None


def comparison_table(idx: Index) -> pd.DataFrame:
    """One row per place (see :data:`COLUMNS`): what each report states, side by side."""
    facts = figure_facts(idx)
    rec = recognitions(idx, facts)
    diff = admitted_difficulties(idx)
    prec = idx.precedents(k=None)
    arts = idx.articles.sort_values("doc_id")
    arts = arts.assign(_place=arts["locality"].fillna("").astype(str),
                       _prov=arts["province"].fillna("").astype(str))
    rows = []
    key: Any
    for key, group in arts.groupby(["_place", "_prov"], sort=False):
        place, prov = str(key[0]), str(key[1])
        ids = list(group["doc_id"])
        first = group.iloc[0]
        f = facts[facts["doc_id"].isin(ids)]
        directives = [d for ds in group["directives"] for d in ds]
        central = [d for d in dict.fromkeys(directives) if d.endswith("/TW")]
        local = [d for d in dict.fromkeys(directives) if not d.endswith("/TW")]
        row: dict = {
            "place": place or None, "level": _str(first["locality_level"]),
            "district": _str(first["district"]), "province": prov or None,
            "province_new": _str(first["province_new"]), "locality_new": _str(first["locality_new"]),
            "directive": main_directive(central), "directives": _join(central),
            "local_directives": _join(local),
            "period": _join(group["period"].dropna()),
            "period_years": _int_or_none(group["period_years"].dropna()) if len(group) == 1 else None,
        }
        money = f[f["kind"] == "money"]
        for p in PURPOSE_LABELS:
            mine = money[money["purpose_shown"] == p]
            row[f"money_{p}_vnd"] = _int_or_none(mine["amount_vnd"].dropna())
            row[f"money_{p}"] = _join(mine["display"])
        notes = money[money["also_stated"].map(len) > 0]
        row["money_notes"] = _join(
            f"{r.display}: {PURPOSE_LABELS[r.purpose_shown]}; the same clause also names "
            + "; ".join(f"{PURPOSE_LABELS[p]} ({', '.join(r.stated_words[p])})" for p in r.also_stated)
            for r in _tuples(notes))
        row["rates"] = _join(f[f["kind"] == "rate"]["display"])
        counts = f[f["kind"] == "count"]
        houses = counts[counts["category"] == "houses"]
        row["houses"] = _join(houses["display"])
        row["houses_n"] = _int_or_none(houses[houses["unit"] != "nền"]["value"])
        row["house_plots_n"] = _int_or_none(houses[houses["unit"] == "nền"]["value"])
        hh = counts[counts["category"] == "households"]
        row["households"] = _join(hh["display"])
        row["households_n"] = _int_or_none(hh["value"])
        r_own = rec[rec["doc_id"].isin(ids) & ~rec["repeat"]]
        formal = r_own[r_own["formal"]]
        row["honours_awarded"] = " | ".join(formal["display"])
        row["awarded_collectives_n"] = _int_or_none(formal[formal["unit"] == "tập thể"]["value"])
        row["awarded_individuals_n"] = _int_or_none(formal[formal["unit"] == "cá nhân"]["value"])
        row["honours_other"] = " | ".join(
            f"{r.kind_vi}: {r.display}" + (f" ({r.year})" if isinstance(r.year, str) else "")
            for r in _tuples(r_own[~r_own["formal"]]))
        events = counts[(counts["category"] == "events") & (counts["purpose_shown"] == "training")]
        row["trainings"] = " | ".join(events["display"])
        row["trainings_n"] = _int_or_none(events["value"])
        with_events = set(zip(events["doc_id"], events["clause_start"]))
        beside = pd.Series([k in with_events for k in zip(counts["doc_id"], counts["clause_start"])],
                           index=counts.index, dtype=bool)
        att = counts[(counts["category"] == "attendance") & beside]
        row["attendances"] = " | ".join(att["display"])
        row["attendances_n"] = _int_or_none(att["value"])
        used = set(events["figure_id"]) | set(att["figure_id"])
        study = f[(f["purpose_shown"] == "training") & ~f["figure_id"].isin(used)
                  & f["kind"].isin(["count", "percent"])]
        row["study_other"] = " | ".join(study["display"])
        row["named_initiatives"] = " | ".join(
            _initiative(idx, r) for r in _tuples(prec[prec["doc_id"].isin(ids)]))
        dated = f[f["year"].notna() & f["kind"].isin(["money", "rate", "count", "percent"])]
        row["dated_actions"] = " | ".join(
            f"{year}: " + ", ".join(part["display"])
            for (_, _, year), part in _groups(dated, ["doc_id", "clause_start", "year"]))
        d = diff[diff["doc_id"].isin(ids)]
        row["difficulties_admitted"] = len(d)
        row["difficulties"] = " | ".join(d["sentence"])
        row.update({
            "outlet": _join(group["outlet"].dropna()), "title": _join(group["title"]),
            "author": _join(group["author"].dropna()),
            "date": _join(format_date(str(x)) or "" for x in group["date"].dropna()),
            "url": _join(group["url"].dropna()), "doc_ids": _join(ids),
        })
        rows.append(row)
    out = pd.DataFrame(rows, columns=list(COLUMNS))
    for col in out.columns:
        if col.endswith(("_vnd", "_n")) or col in ("period_years", "difficulties_admitted"):
            out[col] = out[col].astype("Int64")
        else:  # text: empty where the report says nothing
            out[col] = [v if isinstance(v, str) else "" for v in out[col]]
    return out


def _initiative(idx: Index, r) -> str:
    from .present import figure_displays

    starts = idx.precedent_table.set_index("precedent_id")["start"]
    figures = figure_displays(idx, str(r.doc_id), list(r.figures), int(starts.get(r.precedent_id, 0)))
    inside = f"{r.kind}" + (f"; {', '.join(figures)}" if figures else "")
    return f"{r.name} ({inside})"


# --- sources -----------------------------------------------------------------------------------


def sources(idx: Index, spans: pd.DataFrame | Iterable[tuple[str, int, int]], *,
            max_chars: int = SOURCE_QUOTE) -> pd.DataFrame:
    """The passages a finding rests on: one row per distinct quote, in the order given — the quote
    (the sentence, or its clause when long, qualifier kept: :func:`search.app.cite.cite_span`), the
    place, the article's title, outlet and date ("không rõ ngày đăng" when unknown) and the
    reference ``DOC_ID:START-END`` that ``search cite`` accepts. ``spans``: rows with ``doc_id``,
    ``start``, ``end`` (figures, sentences, precedents) or ``(doc_id, start, end)`` tuples. A
    quote runs to ``max_chars`` before it is cut: a reviewer checking a finding needs more context
    than a writer pasting a citation."""
    if isinstance(spans, pd.DataFrame):
        items = list(zip(spans["doc_id"], spans["start"], spans["end"]))
    else:
        items = list(spans)
    rows, seen = [], set()
    for doc_id, start, end in items:
        c = cite_span(idx, str(doc_id), int(start), int(end), max_chars=max_chars)
        if (c.doc_id, c.quote_start, c.quote_end) in seen:
            continue
        seen.add((c.doc_id, c.quote_start, c.quote_end))
        rows.append({"quote": c.quote, "place": c.place, "title": c.title, "outlet": c.outlet or "không rõ",
                     "date": format_date(c.date) or "không rõ ngày đăng", "ref": c.ref})
    return pd.DataFrame(rows, columns=["quote", "place", "title", "outlet", "date", "ref"])
