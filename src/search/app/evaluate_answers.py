"""Evaluation of answers by place (``eval/answers.jsonl``): what a user of ``ask`` sees.

Each judged question names every place whose article answers it (by ``doc_id``), traps that must
not be answered, the rank-1 place of a superlative, the amounts (integer đồng with their qualifier)
and counts expected per place, or that no article answers. A row of ``ask`` stands for the places
of its ``doc_ids``; it is right when one of them is expected.

Metrics, per question then averaged (see ``eval/README.md``):

* place precision / recall / F1 — over questions that have an answer; precision of an empty answer
  is 0, recall of a missed place is 0;
* exact — the answer is exactly right: no answer when none is expected; otherwise every expected
  place and no other, the expected rank-1 place first (most/least), every expected amount and count;
* amount accuracy — expected (place, amount) pairs found in that place's row with the same value
  and qualifier; count accuracy likewise for (place, count) pairs, value equal and unit alike;
* no-answer accuracy — questions with no answer that get an empty table; false empties are the
  answerable questions that get one.

Pure functions: ``ask_fn(corpus, question) -> DataFrame`` is given by the caller (``search eval
--answers`` binds it to the shipped index and to an index of each of the benchmark's own corpora,
``search.app.benchmark``).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from .. import data
from ..errors import InputError
from ..text.normalize import fold

__all__ = ["ExpectedPlace", "AnswerQuestion", "load_answer_questions", "score_answer",
           "evaluate_answers", "summarize_answers", "passage_queries", "KINDS", "SPLITS", "CORPORA"]

KINDS = ("which", "how_much", "how_many", "most", "least", "any", "difficulties",
         "directive_period", "comparison")
SPLITS = ("dev", "test")
CORPORA = ("shipped", "eval", "fresh_a", "fresh_b", "fresh_c", "fresh_d", "fresh_e", "fresh_f",
           "fresh_g", "fresh_h")  # see search.app.benchmark
LANGS = ("en", "vi", "vi-nodiac")
QUALIFIERS = (None, "more_than", "nearly", "about", "at_least", "at_most", "less_than", "up_to",
              "range", "order_of", "several")

AskFn = Callable[[str, str], Any]


@dataclass(frozen=True)
class ExpectedPlace:
    doc_id: str
    locality: str
    province: str = ""
    amounts: tuple[dict, ...] = ()
    counts: tuple[dict, ...] = ()
    evidence: str = ""


@dataclass(frozen=True)
class AnswerQuestion:
    id: str
    split: str
    corpus: str
    lang: str
    kind: str
    question: str
    places: tuple[ExpectedPlace, ...]
    not_places: tuple[str, ...]  # doc_ids
    top: str | None
    no_answer: bool
    note: str = ""
    extra: dict = field(default_factory=dict, compare=False, repr=False)


def _place(obj: Any, where: str) -> ExpectedPlace:
    if not isinstance(obj, dict) or not isinstance(obj.get("doc_id"), str) or not obj["doc_id"]:
        raise ValueError(f"{where}: a place needs a doc_id")
    amounts = obj.get("amounts", [])
    counts = obj.get("counts", [])
    if not isinstance(amounts, list) or not isinstance(counts, list):
        raise ValueError(f"{where}: amounts and counts must be lists")
    for a in amounts:
        if not isinstance(a, dict) or not isinstance(a.get("vnd"), int) or a.get("qualifier") not in QUALIFIERS:
            raise ValueError(f"{where}: an amount needs an integer vnd and a known qualifier, got {a!r}")
    for c in counts:
        if not isinstance(c, dict) or not isinstance(c.get("value"), (int, float)) or not c.get("unit"):
            raise ValueError(f"{where}: a count needs a value and a unit, got {c!r}")
    return ExpectedPlace(obj["doc_id"], str(obj.get("locality") or ""), str(obj.get("province") or ""),
                         tuple(amounts), tuple(counts), str(obj.get("evidence") or ""))


def _question(obj: Any) -> AnswerQuestion:
    if not isinstance(obj, dict):
        raise ValueError("expected a JSON object")
    for key in ("id", "question"):
        if not isinstance(obj.get(key), str) or not obj[key].strip():
            raise ValueError(f"{key!r} must be a non-empty string")
    qid = obj["id"]
    for key, allowed in (("split", SPLITS), ("corpus", CORPORA), ("lang", LANGS), ("kind", KINDS)):
        if obj.get(key) not in allowed:
            raise ValueError(f"{qid}: {key!r} must be one of {', '.join(allowed)}, got {obj.get(key)!r}")
    places = tuple(_place(p, qid) for p in obj.get("places") or [])
    no_answer = bool(obj.get("no_answer"))
    if no_answer == bool(places):
        raise ValueError(f"{qid}: a question has places or no_answer, not both or neither")
    not_places = tuple(p["doc_id"] for p in obj.get("not_places") or [] if isinstance(p, dict))
    top = obj.get("top")
    if top is not None and top not in {p.doc_id for p in places}:
        raise ValueError(f"{qid}: top {top!r} is not one of its places")
    known = {"id", "split", "corpus", "lang", "kind", "question", "places", "not_places", "top",
             "no_answer", "note"}
    return AnswerQuestion(qid, obj["split"], obj["corpus"], obj["lang"], obj["kind"],
                          obj["question"].strip(), places, not_places, top, no_answer,
                          str(obj.get("note") or ""), {k: v for k, v in obj.items() if k not in known})


def load_answer_questions(path: str | Path) -> list[AnswerQuestion]:
    """Read ``answers.jsonl``; InputError naming the file and line for anything unusable."""
    name = str(path)
    try:
        text = Path(path).read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise InputError("answer benchmark not found", path=name) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the answer benchmark ({exc})", path=name) from None
    out: list[AnswerQuestion] = []
    seen: dict[str, int] = {}
    for lineno, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            q = _question(json.loads(line))
        except (ValueError, json.JSONDecodeError) as exc:
            raise InputError(str(exc), path=name, line=lineno) from None
        if q.id in seen:
            raise InputError(f"duplicate id {q.id!r} (first on line {seen[q.id]})", path=name, line=lineno)
        seen[q.id] = lineno
        out.append(q)
    if not out:
        raise InputError("no questions in file", path=name)
    return out


# ---------------------------------------------------------------------------------------------
# Scoring one answer


def _rows(df) -> list[dict]:
    if df is None or len(df) == 0:
        return []
    return df.to_dict(orient="records")


def _amount_ok(expected: dict, details: Iterable[dict]) -> bool:
    for d in details:
        if d.get("vnd") != expected["vnd"] or d.get("qualifier") != expected.get("qualifier"):
            continue
        if expected.get("qualifier") == "range" and d.get("vnd_max") != expected.get("vnd_max"):
            continue
        return True
    return False


def _words(text: str) -> set[str]:
    return {w for w in fold(text).replace(",", " ").split() if w}


@lru_cache(maxsize=1)
def _measures() -> dict[str, tuple[str, float]]:
    """Folded unit → (measure, size in its smallest unit), from the table answers rank by."""
    return {fold(r["unit"]): (r["measure"], float(r["size"])) for r in data.rows("unit_sizes")}


def _measure(unit: str) -> tuple[str, float] | None:
    """"hơn 1,2 ha" is the judged "12.000 m2 đất": the measure of a unit's first word, if any."""
    first = fold(unit).split()[:1]
    return _measures().get("m²" if first == ["m2"] else first[0]) if first else None


def _count_ok(expected: dict, details: Iterable[dict]) -> bool:
    want = float(expected["value"])
    unit = _words(str(expected["unit"]))
    measure = _measure(str(expected["unit"]))
    for d in details:
        raw = d.get("value")
        if not isinstance(raw, (int, float)):
            continue
        value = float(raw)
        got = _measure(str(d.get("unit") or ""))
        if measure and got and measure[0] == got[0]:  # of one measure: ha for m², tấn for kg
            if abs(value * got[1] - want * measure[1]) <= 1e-6 * max(1.0, want * measure[1]):
                return True
            continue
        if abs(value - want) > 1e-9:
            continue
        if unit & (_words(str(d.get("unit") or "")) | _words(str(d.get("expression") or ""))):
            return True
    return False


def score_answer(q: AnswerQuestion, answer) -> dict[str, Any]:
    """Metrics of one answer (a DataFrame from ``ask``) for one judged question."""
    rows = _rows(answer)
    expected = {p.doc_id: p for p in q.places}
    traps = set(q.not_places)
    row_docs = [set(r.get("doc_ids") or []) for r in rows]
    good_rows = [bool(d & expected.keys()) for d in row_docs]
    found = set().union(*row_docs) & expected.keys() if row_docs else set()
    out: dict[str, Any] = {
        "id": q.id, "split": q.split, "corpus": q.corpus, "lang": q.lang, "kind": q.kind,
        "question": q.question, "no_answer": q.no_answer, "n_rows": len(rows),
        "n_expected": len(expected), "trap_rows": sum(bool(d & traps) for d in row_docs),
        "places": [f"{r.get('locality')}|{r.get('province')}" for r in rows],
        "missed": sorted(expected[d].locality for d in expected.keys() - found),
        "extra": [f"{r.get('locality')}" for r, ok in zip(rows, good_rows) if not ok],
    }
    if q.no_answer:
        out.update(precision=None, recall=None, f1=None, exact=not rows, top_ok=None,
                   amounts_expected=0, amounts_ok=0, counts_expected=0, counts_ok=0)
        return out
    precision = sum(good_rows) / len(rows) if rows else 0.0
    recall = len(found) / len(expected)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    top_ok = None
    if q.top is not None:
        top_ok = bool(rows) and q.top in row_docs[0]
    n_amounts = n_amounts_ok = n_counts = n_counts_ok = 0
    for p in q.places:
        mine = [r for r, d in zip(rows, row_docs) if p.doc_id in d]
        amount_details = [a for r in mine for a in (r.get("amount_details") or [])]
        count_details = [c for r in mine for c in (r.get("count_details") or [])]
        for a in p.amounts:
            n_amounts += 1
            n_amounts_ok += _amount_ok(a, amount_details)
        for c in p.counts:
            n_counts += 1
            n_counts_ok += _count_ok(c, count_details)
    exact = (precision == 1.0 and recall == 1.0 and top_ok is not False
             and n_amounts_ok == n_amounts and n_counts_ok == n_counts)
    out.update(precision=precision, recall=recall, f1=f1, exact=exact, top_ok=top_ok,
               amounts_expected=n_amounts, amounts_ok=n_amounts_ok,
               counts_expected=n_counts, counts_ok=n_counts_ok)
    return out


def passage_queries(questions: Sequence[AnswerQuestion]):
    """The questions as passage-ranking queries (``search.app.evaluate``): each expected place's
    evidence quote is a relevant passage (grade 2). Questions without an answer are left out."""
    from .evaluate import EvalQuery, Relevant, canonical

    out = []
    for q in questions:
        rel = {(p.doc_id, canonical(p.evidence)): None for p in q.places if p.evidence}
        if rel:
            out.append(EvalQuery(q.id, q.lang, q.question,
                                 tuple(Relevant(d, quote, 2) for d, quote in rel), topic=q.kind))
    return out


def evaluate_answers(ask_fn: AskFn, questions: Sequence[AnswerQuestion]):
    """One row per question: its metrics and diagnostics (``ask_fn(corpus, question)``)."""
    import pandas as pd

    return pd.DataFrame([score_answer(q, ask_fn(q.corpus, q.question)) for q in questions])


def _summary_row(part, label: dict) -> dict:
    answerable = part[~part["no_answer"]]
    empty = part[part["no_answer"]]
    amounts = int(part["amounts_expected"].sum())
    counts = int(part["counts_expected"].sum())
    return {
        **label, "n": len(part),
        "precision": answerable["precision"].mean() if len(answerable) else None,
        "recall": answerable["recall"].mean() if len(answerable) else None,
        "f1": answerable["f1"].mean() if len(answerable) else None,
        "exact": part["exact"].mean() if len(part) else None,
        "amount_acc": part["amounts_ok"].sum() / amounts if amounts else None,
        "count_acc": part["counts_ok"].sum() / counts if counts else None,
        "no_answer_acc": empty["exact"].mean() if len(empty) else None,
        "false_empty": (answerable["n_rows"] == 0).mean() if len(answerable) else None,
    }


def summarize_answers(per_question, by: Sequence[str] = ("lang",)):
    """Means per split and per value of each column of ``by`` (plus "all"), one row each."""
    import pandas as pd

    rows = []
    for split in [s for s in SPLITS if (per_question["split"] == s).any()]:
        part = per_question[per_question["split"] == split]
        rows.append(_summary_row(part, {"split": split, "group": "all", "value": "all"}))
        for col in by:
            for value in sorted(part[col].unique(), key=str):
                sub = part[part[col] == value]
                rows.append(_summary_row(sub, {"split": split, "group": col, "value": value}))
    return pd.DataFrame(rows)
