"""Answers grouped by place, and named precedents searchable by meaning.

How ``ask`` decides that a locality answers a question
------------------------------------------------------
1. The question is searched (hybrid) and the sentences of the best chunks become candidates; each
   sentence is scored by the cosine between the question and the sentence (both embedded, the
   sentence vectors come from the index) blended with the question's lexical overlap, weighted by how
   much of the question the corpus vocabulary covers (as in search).
2. The question's *topic* is classified with the same purpose classifier as the figures (housing,
   infrastructure, health, honours, …). When the question has a topic, a sentence is evidence only
   if it speaks of that topic: one of its figures has that purpose, or the sentence itself is
   classified so. A locality with no such sentence is left out, however similar its text sounds.
3. When the question has no recognisable topic ("difficulties met …"), a sentence is evidence when
   it stands out from the whole corpus (z-score of its cosine ≥ ``z_min``) or shares most of the
   question's words (Vietnamese questions), and is within ``relative`` of the best such sentence
   (:class:`AnswerSettings`).
4. A locality's score is its best evidence sentence's; ``amounts_vnd`` are the money figures (not
   per-unit rates) in its evidence whose purpose is the question's topic.
An empty table carries ``df.attrs["reason"]``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..extract.purpose import classify_purpose
from ..retrieval.filters import matching_doc_ids, parse_where
from ..retrieval.lexical import content_terms
from ..retrieval.ranking import blend, fuse, lexical_weight
from ..text.segment import clause_at
from ..validation import check_optional_k

if TYPE_CHECKING:
    from .index import Index

__all__ = ["ask", "precedents", "ASK_COLUMNS", "PRECEDENT_COLUMNS", "AnswerSettings",
           "DEFAULT_ANSWERS"]

ASK_COLUMNS = ["locality", "province", "locality_level", "score", "evidence", "amounts_vnd",
               "figures", "doc_ids", "purpose", "clauses"]
PRECEDENT_COLUMNS = ["score", "name", "kind", "locality", "province", "period", "figures", "text",
                     "actor", "sublocality", "doc_id", "chunk_id", "precedent_id"]


@dataclass(frozen=True)
class AnswerSettings:
    """How ``ask`` picks its evidence (overridable per call: ``idx.ask(q, settings=…)``)."""

    k: int = 30                  # chunks searched for candidate sentences
    # For questions without a topic: raw e5 cosines are compressed (nonsense and real questions
    # both peak near 0.8), so a sentence must stand out from the corpus: z-score of its cosine over
    # all sentences. Measured on the seeds: real questions reach z 4–5, nonsense 2.5–3.
    z_min: float = 3.5
    relative: float = 0.03       # evidence: within this cosine of the best qualifying sentence
    lexical_floor: float = 0.8   # word overlap blended into the score sits on this base
    support_weight: float = 0.3  # a Vietnamese question (lexical weight ≥ this) …
    support_overlap: float = 0.5  # … whose words a sentence shares to this fraction is evidence

    def as_dict(self) -> dict[str, float]:
        return asdict(self)

    def replace(self, **changes) -> AnswerSettings:
        return replace(self, **changes)


DEFAULT_ANSWERS = AnswerSettings()


def _in_span(figs: pd.DataFrame, doc_id: str, start: int, end: int) -> pd.Series:
    return (figs["doc_id"] == doc_id) & (figs["start"] >= start) & (figs["start"] < end)


def _has_figure(figs: pd.DataFrame, doc_id: str, start: int, end: int) -> bool:
    return bool(_in_span(figs, doc_id, start, end).any())


def _empty(reason: str) -> pd.DataFrame:
    df = pd.DataFrame(columns=ASK_COLUMNS)
    df.attrs["reason"] = reason
    return df


def ask(idx: Index, question: str, *, k: int | None = None, where=None,
        settings: AnswerSettings | None = None) -> pd.DataFrame:
    """Places that answer ``question``, best first (columns ``ASK_COLUMNS``); see the module doc."""
    settings = settings or DEFAULT_ANSWERS
    k = settings.k if k is None else k
    q = idx.check_query(question, k)
    hits = idx.search(q, k=k, where=where)
    if hits.empty:
        return _empty("no article matches the filters")
    svecs = idx.sentence_vectors
    sents = idx.sentences
    cand = sents[sents["chunk_id"].isin(set(hits["chunk_id"]))]
    qv = idx.embedder.embed_queries([q])[0]
    cos = svecs[cand["row"].to_numpy()] @ qv
    q_terms = content_terms(q)
    overlap = np.array([len(q_terms & content_terms(t)) / max(1, len(q_terms)) for t in cand["text"]])
    w = lexical_weight(idx.lexical.vocabulary_coverage(q))
    floor = settings.lexical_floor
    cand = cand.assign(cos=cos, score=blend(cos, floor + (1 - floor) * overlap, w))

    purpose = classify_purpose(q, idx.embedder)
    figs = idx.figures
    if purpose != "other":
        on_topic = figs[figs["purpose"] == purpose]
        keep = [p == purpose or _has_figure(on_topic, d, s, e)
                for d, s, e, p in zip(cand["doc_id"], cand["start"], cand["end"], cand["purpose"])]
        ev = cand[np.array(keep, dtype=bool)]
        if ev.empty:
            return _empty(f"no passage speaks of {purpose.replace('_', ' ')} in answer to this question")
    else:
        ev = _close_to_best(svecs @ qv, cand, overlap, w, settings)
        if ev.empty:
            return _empty("no passage answers this question clearly: it has no recognised topic, "
                          "and no sentence stands out from the rest of the corpus")
    return _group(idx, ev, figs, purpose)


def _close_to_best(all_cos: np.ndarray, cand: pd.DataFrame, overlap: np.ndarray, w: float,
                   settings: AnswerSettings) -> pd.DataFrame:
    """Evidence for a question without a topic: sentences near the best one, when the best one
    stands out from the whole corpus (z-score of its cosine) or shares most of the question's words."""
    if cand.empty:
        return cand
    z = (cand["cos"].to_numpy() - all_cos.mean()) / max(float(all_cos.std()), 1e-6)
    lexical_support = (w >= settings.support_weight) & (overlap >= settings.support_overlap)
    ok = (z >= settings.z_min) | lexical_support
    best = float(cand["cos"][ok].max()) if ok.any() else np.inf
    return cand[ok & (cand["cos"].to_numpy() >= best - settings.relative)]


def _clauses(idx: Index, figs: pd.DataFrame, ev: pd.DataFrame) -> list[str]:
    """The ";" clause around each figure (long report sentences list several works at once)."""
    texts = idx.articles.set_index("doc_id")["text"]
    out: list[str] = []
    for d, start in zip(figs["doc_id"], figs["start"]):
        text = texts[d]
        row = ev[(ev["doc_id"] == d) & (ev["start"] <= start) & (ev["end"] > start)]
        if row.empty:
            continue
        s, e = int(row["start"].iloc[0]), int(row["end"].iloc[0])
        a, b = clause_at(text, s, e, start)
        clause = text[a:b]
        if clause not in out:
            out.append(clause)
    return out or ev["text"].tolist()[:1]


def _group(idx: Index, ev: pd.DataFrame, figs: pd.DataFrame, purpose: str) -> pd.DataFrame:
    arts = idx.articles.set_index("doc_id")
    ev = ev.assign(locality=[str(arts.at[d, "locality"] or "") for d in ev["doc_id"]],
                   province=[str(arts.at[d, "province"] or "") for d in ev["doc_id"]])
    rows = []
    for (loc, prov), g in ev.groupby(["locality", "province"], sort=False):
        g = g.sort_values(["score", "start"], ascending=[False, True])
        in_ev = pd.Series(False, index=figs.index)
        for d, s, e in zip(g["doc_id"], g["start"], g["end"]):
            in_ev |= _in_span(figs, d, s, e)
        f = figs[in_ev]
        # value 0 is a name ("Tủ bánh mì 0 đồng"), not an amount mobilised
        money = f[(f["kind"] == "money") & (f["value"] > 0)
                  & ((f["purpose"] == purpose) | (purpose == "other"))]
        doc0 = g["doc_id"].iloc[0]
        rows.append({
            "locality": loc, "province": prov, "locality_level": arts.at[doc0, "locality_level"],
            "score": round(float(g["score"].max()), 4),
            "evidence": g["text"].tolist(),
            "amounts_vnd": [int(v) for v in money.sort_values("start")["value"]],
            "figures": f.sort_values("start")["expression"].tolist(),
            "doc_ids": sorted(set(g["doc_id"])),
            "purpose": purpose,
            "clauses": _clauses(idx, money if len(money) else f, g),
        })
    df = pd.DataFrame(rows, columns=ASK_COLUMNS)
    df = df.sort_values(["score", "locality"], ascending=[False, True]).reset_index(drop=True)
    return df


def precedents(idx: Index, query: str | None = None, *, k: int | None = 20, where=None) -> pd.DataFrame:
    """Named initiatives; ranked by meaning when ``query`` is given."""
    check_optional_k(k)
    table = idx.precedent_table
    where = parse_where(where)
    if where:
        table = table[table["doc_id"].isin(matching_doc_ids(idx.articles, where))]
    if query is None:
        out = table.sort_values(["doc_id", "start"]).assign(score=np.nan)
    else:
        q = idx.check_query(query, k or 1)
        if table.empty:
            return pd.DataFrame(columns=PRECEDENT_COLUMNS)
        vecs = idx.precedent_vectors[table["row"].to_numpy()]
        dense = vecs @ idx.embedder.embed_queries([q])[0]
        q_terms = content_terms(q)
        lex = np.array([len(q_terms & content_terms(t)) for t in table["text"]], dtype=float)
        w = lexical_weight(idx.lexical.vocabulary_coverage(q))
        score = fuse(dense, lex, w)
        out = table.assign(score=np.round(score, 6)).sort_values(["score", "precedent_id"],
                                                                 ascending=[False, True])
    if k is not None:
        out = out.head(k)
    return out[PRECEDENT_COLUMNS].reset_index(drop=True)
