"""Retrieval evaluation on a development query set (``eval/queries.jsonl``).

Pure functions: nothing here opens an index. ``evaluate`` takes a ``search_fn(query, method, k)``
that returns a DataFrame (best first) with at least ``chunk_id``, ``doc_id`` and ``text``; the CLI
(`search eval`) passes one bound to an open index.

Relevance is judged on *passages*, not on chunk ids, so the judgements survive re-chunking: each
relevant passage of a query is a ``(doc_id, quote, grade)`` and a retrieved chunk contains it when
the chunk comes from that article and its normalised text contains the normalised quote.
Grades: 2 = the passage answers the query, 1 = related or partial.

Metrics (see ``eval/README.md``):

* recall@5 — fraction of the query's relevant passages contained in at least one of the top 5
  chunks (a passage found by two chunks counts once);
* MRR@10 — 1 / rank of the first chunk that contains a relevant passage (0 if none in the top 10);
* nDCG@10 — graded, linear gain, log2 discount. The ranking is read as a ranking of passages: each
  retrieved chunk contributes the relevant passages it contains that no better-ranked chunk
  contained (best grade first; a chunk with none contributes one zero), cut at 10 positions. The
  ideal ranking lists the query's relevant passages by grade, so nDCG is 1.0 exactly when the
  relevant passages come first, in grade order, and never above 1.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import InputError, SearchError
from ..retrieval.ranking import METHODS
from ..text.normalize import normalize
from ..validation import check_k

__all__ = [
    "LANGS",
    "METHODS",
    "canonical",
    "Relevant",
    "EvalQuery",
    "load_queries",
    "check_quotes",
    "match_passages",
    "judge",
    "passage_gains",
    "recall_at_k",
    "mrr_at_k",
    "dcg_at_k",
    "ndcg_at_k",
    "score_query",
    "evaluate_per_query",
    "summarize",
    "evaluate",
]

#: query languages, in the order reports list them
LANGS = ("en", "vi", "vi-nodiac")
GRADES = (1, 2)

SearchFn = Callable[[str, str, int], Any]


@dataclass(frozen=True)
class Relevant:
    """One passage that answers (grade 2) or relates to (grade 1) a query."""

    doc_id: str
    quote: str  # normalised (``normalize``), whitespace collapsed
    grade: int


@dataclass(frozen=True)
class EvalQuery:
    id: str
    lang: str
    query: str
    relevant: tuple[Relevant, ...]
    note: str = ""
    topic: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def grades(self) -> list[int]:
        return [r.grade for r in self.relevant]


# ---------------------------------------------------------------------------------------------
# Loading


_WS_RE = re.compile(r"\s+")


def canonical(text: str) -> str:
    """A quote in the form passages are compared in (see ``match_passages``)."""
    return _canon(text)


def _canon(text: str) -> str:
    """The form quotes and chunk texts are compared in: normalised, every whitespace run one space."""
    return _WS_RE.sub(" ", normalize(text)).strip()


def _nonempty_str(obj: Mapping[str, Any], key: str, what: str) -> str:
    value = obj.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{what}{key!r} must be a non-empty string, got {value!r}")
    return value


def _parse_query(obj: Any) -> EvalQuery:
    if not isinstance(obj, dict):
        raise ValueError(f"expected a JSON object, got {type(obj).__name__}")
    qid = _nonempty_str(obj, "id", "").strip()
    where = f"query {qid!r}: "
    lang = obj.get("lang")
    if lang not in LANGS:
        raise ValueError(f"{where}'lang' must be one of {', '.join(LANGS)}, got {lang!r}")
    text = _nonempty_str(obj, "query", where).strip()
    rel = obj.get("relevant")
    if not isinstance(rel, list) or not rel:
        raise ValueError(f"{where}'relevant' must be a non-empty list")
    relevant: list[Relevant] = []
    seen: set[tuple[str, str]] = set()
    for i, item in enumerate(rel):
        at = f"{where}relevant[{i}]: "
        if not isinstance(item, dict):
            raise ValueError(f"{at}expected an object, got {type(item).__name__}")
        doc_id = _nonempty_str(item, "doc_id", at).strip()
        quote = _canon(_nonempty_str(item, "quote", at))
        if not quote:
            raise ValueError(f"{at}'quote' is empty after normalisation")
        grade = item.get("grade")
        if isinstance(grade, bool) or grade not in GRADES:
            raise ValueError(f"{at}'grade' must be 1 or 2, got {grade!r}")
        if (doc_id, quote) in seen:
            raise ValueError(f"{at}the same passage is listed twice")
        seen.add((doc_id, quote))
        relevant.append(Relevant(doc_id=doc_id, quote=quote, grade=int(grade)))
    for key in ("note", "topic"):
        if key in obj and not isinstance(obj[key], str):
            raise ValueError(f"{where}{key!r} must be a string, got {obj[key]!r}")
    known = {"id", "lang", "query", "relevant", "note", "topic"}
    return EvalQuery(
        id=qid,
        lang=lang,
        query=text,
        relevant=tuple(relevant),
        note=obj.get("note", ""),
        topic=obj.get("topic", ""),
        extra={k: v for k, v in obj.items() if k not in known},
    )


def load_queries(path: str | Path) -> list[EvalQuery]:
    """Read a JSON-lines query file (one query object per line, blank lines ignored).

    Raises ``InputError`` naming the file and the line for anything unusable: unreadable file,
    invalid UTF-8 or JSON, missing or malformed fields, unknown language, empty ``relevant``,
    a grade other than 1 or 2, a duplicate id, or a file with no query at all.
    """
    p = Path(path)
    name = str(path)
    try:
        raw = p.read_bytes()
    except FileNotFoundError:
        raise InputError("query file not found", path=name) from None
    except IsADirectoryError:
        raise InputError("is a directory, expected a JSON-lines query file", path=name) from None
    except OSError as exc:
        raise InputError(f"cannot read query file: {exc.strerror or exc}", path=name) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        bad_line = raw[: exc.start].count(b"\n") + 1
        raise InputError("not valid UTF-8", path=name, line=bad_line) from None

    queries: list[EvalQuery] = []
    first_line: dict[str, int] = {}
    # split on "\n" only: str.splitlines would also split on U+2028 inside JSON strings
    for lineno, line in enumerate(text.split("\n"), start=1):
        line = line.rstrip("\r")
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"not valid JSON ({exc.msg}, column {exc.colno})", path=name, line=lineno) from None
        try:
            q = _parse_query(obj)
        except ValueError as exc:
            raise InputError(str(exc), path=name, line=lineno) from None
        if q.id in first_line:
            raise InputError(
                f"duplicate query id {q.id!r} (first on line {first_line[q.id]})", path=name, line=lineno
            )
        first_line[q.id] = lineno
        queries.append(q)
    if not queries:
        raise InputError("no queries in file", path=name)
    return queries


def check_quotes(queries: Iterable[EvalQuery], texts: Mapping[str, str]) -> list[str]:
    """Problems with the judgements against article texts (doc_id → text); empty when all is well.

    Reports a relevant passage whose article is missing from ``texts`` or whose quote is not in the
    article's normalised text (so no chunk could ever match it).
    """
    canon: dict[str, str] = {}
    problems: list[str] = []
    for q in queries:
        for r in q.relevant:
            if r.doc_id not in texts:
                problems.append(f"{q.id}: unknown doc_id {r.doc_id!r}")
                continue
            if r.doc_id not in canon:
                canon[r.doc_id] = _canon(texts[r.doc_id])
            if r.quote not in canon[r.doc_id]:
                problems.append(f"{q.id}: quote not found in {r.doc_id}: {r.quote!r}")
    return problems


# ---------------------------------------------------------------------------------------------
# Judging


def match_passages(
    chunk_texts_ranked: Sequence[str], doc_ids_ranked: Sequence[str], query: EvalQuery
) -> list[tuple[int, ...]]:
    """For each retrieved chunk, the indices (into ``query.relevant``) of the passages it contains."""
    if len(chunk_texts_ranked) != len(doc_ids_ranked):
        raise ValueError(
            f"{len(chunk_texts_ranked)} chunk texts but {len(doc_ids_ranked)} doc ids"
        )
    out: list[tuple[int, ...]] = []
    for text, doc_id in zip(chunk_texts_ranked, doc_ids_ranked):
        doc_id = str(doc_id)
        wanted = [i for i, r in enumerate(query.relevant) if r.doc_id == doc_id]
        if not wanted or not isinstance(text, str):
            out.append(())
            continue
        c = _canon(text)
        out.append(tuple(i for i in wanted if query.relevant[i].quote in c))
    return out


def judge(chunk_texts_ranked: Sequence[str], doc_ids_ranked: Sequence[str], query: EvalQuery) -> list[int]:
    """Grade of each retrieved chunk: the best grade of the relevant passages it contains, else 0."""
    grades = query.grades
    return [max((grades[i] for i in m), default=0) for m in match_passages(chunk_texts_ranked, doc_ids_ranked, query)]


# ---------------------------------------------------------------------------------------------
# Metrics


def recall_at_k(matches: Sequence[Iterable[int]], n_relevant: int, k: int) -> float:
    """Fraction of the ``n_relevant`` passages contained in at least one of the top ``k`` chunks.

    ``matches[i]`` holds the indices of the relevant passages chunk ``i`` contains (as from
    ``match_passages``); a passage contained in several chunks counts once.
    """
    check_k(k)
    if n_relevant < 1:
        raise ValueError("recall needs at least one relevant passage")
    found: set[int] = set()
    for m in list(matches)[:k]:
        found.update(i for i in m if 0 <= i < n_relevant)
    return len(found) / n_relevant


def mrr_at_k(grades: Sequence[int], k: int) -> float:
    """Reciprocal rank of the first chunk with grade ≥ 1 among the top ``k`` (0.0 if none)."""
    check_k(k)
    for rank, g in enumerate(list(grades)[:k], start=1):
        if g >= 1:
            return 1.0 / rank
    return 0.0


def dcg_at_k(gains: Sequence[float], k: int) -> float:
    """Σ gain_i / log2(i + 1) over ranks i = 1..k (linear gain, as trec_eval)."""
    check_k(k)
    return sum(g / math.log2(rank + 1) for rank, g in enumerate(list(gains)[:k], start=1))


def ndcg_at_k(gains: Sequence[float], relevant_grades: Sequence[int], k: int) -> float:
    """DCG@k of ``gains`` over the DCG@k of the ideal ranking of ``relevant_grades``.

    The ideal ranking puts every relevant passage first, best grade first. The result is
    clipped to 1.0 (only reachable above 1 when ``gains`` credits a passage twice).
    """
    grades = [g for g in relevant_grades if g > 0]
    if not grades:
        raise ValueError("nDCG needs at least one relevant passage with a positive grade")
    ideal = dcg_at_k(sorted(grades, reverse=True), k)
    return min(1.0, dcg_at_k(gains, k) / ideal)


def passage_gains(matches: Sequence[Iterable[int]], relevant_grades: Sequence[int], k: int) -> list[int]:
    """Gains of the top ``k`` chunks read as a ranking of passages (at most ``k`` positions).

    Each chunk contributes the grades of the relevant passages it contains that no better-ranked
    chunk already contained, best first; a chunk with no new relevant passage contributes one 0.
    So a passage found twice is credited once, and a chunk holding two answers counts as two
    consecutive answers.
    """
    check_k(k)
    seen: set[int] = set()
    out: list[int] = []
    for m in list(matches)[:k]:
        new = sorted({i for i in m if i not in seen})
        seen.update(new)
        out.extend(sorted((relevant_grades[i] for i in new), reverse=True) or [0])
        if len(out) >= k:
            break
    return out[:k]


# ---------------------------------------------------------------------------------------------
# Running a query set


def _results_columns(result: Any, qid: str, method: str) -> tuple[list[str], list[str]]:
    import pandas as pd

    if isinstance(result, pd.DataFrame):
        missing = [c for c in ("chunk_id", "doc_id", "text") if c not in result.columns]
        if missing:
            raise SearchError(
                f"search for query {qid!r} ({method}) returned no column(s) {', '.join(missing)}"
            )
        return [str(t) for t in result["text"].tolist()], [str(d) for d in result["doc_id"].tolist()]
    raise SearchError(
        f"search for query {qid!r} ({method}) returned {type(result).__name__}, expected a DataFrame"
    )


def score_query(
    chunk_texts_ranked: Sequence[str],
    doc_ids_ranked: Sequence[str],
    query: EvalQuery,
    k: int = 10,
    recall_k: int = 5,
) -> dict[str, Any]:
    """All metrics of one ranked result list for one query (a row of ``evaluate_per_query``)."""
    check_k(k)
    check_k(recall_k)
    matches = match_passages(chunk_texts_ranked, doc_ids_ranked, query)
    grades = query.grades
    chunk_grades = [max((grades[i] for i in m), default=0) for m in matches]
    n = len(query.relevant)
    found_k = set().union(*map(set, matches[:k])) if matches else set()
    first = next((r for r, g in enumerate(chunk_grades[:k], start=1) if g >= 1), None)
    return {
        "n_relevant": n,
        f"found@{recall_k}": len(set().union(*map(set, matches[:recall_k]))) if matches else 0,
        f"recall@{recall_k}": recall_at_k(matches, n, recall_k),
        f"mrr@{k}": mrr_at_k(chunk_grades, k),
        f"ndcg@{k}": ndcg_at_k(passage_gains(matches, grades, k), grades, k),
        "first_rank": first,
        "grades": chunk_grades[:k],
        "missed": [f"{r.doc_id}: {r.quote}" for i, r in enumerate(query.relevant) if i not in found_k],
        "top_docs": [str(d) for d in list(doc_ids_ranked)[:k]],
    }


def _check_methods(methods: Sequence[str]) -> tuple[str, ...]:
    if isinstance(methods, str):
        methods = (methods,)
    methods = tuple(methods)
    if not methods or not all(isinstance(m, str) and m for m in methods):
        raise ValueError(f"methods must be a non-empty list of names, got {methods!r}")
    return methods


def evaluate_per_query(
    search_fn: SearchFn,
    queries: Sequence[EvalQuery],
    k: int = 10,
    methods: Sequence[str] = METHODS,
    recall_k: int = 5,
):
    """One row per (method, query): id, lang, topic, method, query, the metrics and diagnostics.

    Diagnostics: ``found@5`` (passages found in the top 5), ``first_rank`` (rank of the first
    relevant chunk in the top ``k``, None if none), ``grades`` (grade of each retrieved chunk),
    ``missed`` (passages not in the top ``k``, as "doc_id: quote"), ``top_docs``.
    ``search_fn(query_text, method, k)`` must return a DataFrame, best first, with at least
    ``chunk_id``, ``doc_id`` and ``text``.
    """
    import pandas as pd

    check_k(k)
    check_k(recall_k)
    methods = _check_methods(methods)
    queries = list(queries)
    if not queries:
        raise ValueError("no queries to evaluate")
    depth = max(k, recall_k)
    rows = []
    for method in methods:
        for q in queries:
            result = search_fn(q.query, method, depth)
            texts, doc_ids = _results_columns(result, q.id, method)
            row = {"id": q.id, "lang": q.lang, "topic": q.topic, "method": method, "query": q.query}
            row.update(score_query(texts[:depth], doc_ids[:depth], q, k=k, recall_k=recall_k))
            rows.append(row)
    return pd.DataFrame(rows)


def summarize(per_query, methods: Sequence[str] | None = None):
    """Mean metrics per (method, lang), plus an "all" row per method (mean over all its queries).

    Columns: method, lang, n, then the metric columns of ``per_query`` (recall@5, mrr@10, ndcg@10).
    """
    import pandas as pd

    metric_cols = [c for c in per_query.columns if c.split("@")[0] in ("recall", "mrr", "ndcg")]
    if methods is None:
        methods = list(dict.fromkeys(per_query["method"].tolist()))
    rows = []
    for method in methods:
        sub = per_query[per_query["method"] == method]
        if sub.empty:
            continue
        langs = [lg for lg in LANGS if (sub["lang"] == lg).any()]
        for lang in [*langs, "all"]:
            part = sub if lang == "all" else sub[sub["lang"] == lang]
            row = {"method": method, "lang": lang, "n": int(len(part))}
            row.update({c: float(part[c].mean()) for c in metric_cols})
            rows.append(row)
    return pd.DataFrame(rows, columns=["method", "lang", "n", *metric_cols])


def evaluate(
    search_fn: SearchFn,
    queries: Sequence[EvalQuery],
    k: int = 10,
    methods: Sequence[str] = METHODS,
    recall_k: int = 5,
):
    """Mean recall@5, MRR@10 and nDCG@10 per (method, lang) plus an "all" row per method.

    Returns a DataFrame with columns method, lang, n, recall@5, mrr@10, ndcg@10 (the cut-offs
    follow ``recall_k`` and ``k``).
    """
    methods = _check_methods(methods)
    per_query = evaluate_per_query(search_fn, queries, k=k, methods=methods, recall_k=recall_k)
    return summarize(per_query, methods)
