"""Answers grouped by place, and named precedents searchable by meaning.

How ``ask`` decides that a place answers a question
---------------------------------------------------
1. The question is read (``search.app.question``): what it asks (which places, how much, how many,
   the most/least, a comparison, yes/no, difficulties), the places, directive and years it names —
   resolved against the index's own articles, diacritics optional — and its topic, the question
   without that scaffolding. Named places, a directive, a year or a period open at one end ("since
   2021") (and ``where``) scope the answer; a place it leaves out ("apart from X", "ngoài X") is
   taken out of it. A name quoted in Vietnamese must be in the evidence; one
   an English question quotes in English ("'Great Solidarity' houses") is a translation, read
   with the topic.
2. Every sentence in scope is scored against the topic on four kinds of evidence: meaning (the e5
   cosine between question and sentence, as a z-score over all the corpus's sentences), words
   (the idf-weighted share of the topic's words the sentence contains — a word of a synonym group
   stands for the group, a phrase typed without diacritics that spells words of two groups for
   either ("tuyen duong": tuyến đường, tuyên dương) — or, at
   ``paragraph_context``, with the sentence before it in its paragraph; an English question's words
   are first translated into Vietnamese terms, see ``search.retrieval.crosslingual``; BM25 over
   sentences), the purpose the sentence or its figures are about, and the question's requirements
   (a quoted name must be there, "how much" wants money, "difficulties" wants a shortcoming, "does
   any place …" the rarest thing the question names that some sentence of the corpus holds — of
   what follows the frame when it has one: "nuôi ong" of "phát động phong trào nuôi ong"). A
   sentence stating no year takes the one its paragraph set before it.
   These combine into the probability that the sentence speaks of what was asked, with weights
   fitted on the development half of ``eval/answers.jsonl`` (``AnswerSettings``, per embedder).
3. A place is listed only when one of its sentences is likely enough (log-odds ≥ ``min_logit``;
   the ``min_logit_named``, ``_ranked`` and ``_admitted`` thresholds when the question names the
   place, ranks by a figure it requires, asks about difficulties it requires admitted) and not far
   behind the best place's (``max_gap``) — whatever the topic, not only the eight purposes — and
   that sentence is shown. Once one place passes, a place whose best sentence is within
   ``near_gap`` of the best passes at ``min_logit_near``: the corpus speaks of the topic, that
   place in other words. A question that presupposes an answer ("which places …", "how much …";
   not "does any place …" nor "which places, if any, …") that no place passes is answered by the
   best place, if its sentence reaches ``min_logit_presupposed``, and the places within
   ``presupposed_gap`` of it (at most ``presupposed_max``), flagged ``df.attrs["closest"]``. When
   no sentence is likely enough, the answer is empty and ``df.attrs["reason"]`` says why. A question that asks nothing beyond
   its scope ("which places report on Kết luận 01") is answered by every article in scope, with
   the sentence naming the directive where there is one. A threshold ("more than 1 tỷ đồng", "từ
   200 suất trở lên") keeps the places whose figure, read as for most/least, passes it. A
   question with "not" ("which districts did not …") has no row: ``attrs["not_said"]`` names the
   places in scope whose reports do not say it, ``attrs["said"]`` those whose reports do.
4. A place is an article's locality (and province); two articles of the same locality and province
   are one place, an article whose province is unknown is a place of its own. The figures of a row
   are those of its evidence: amounts (integer đồng and as written, qualifier kept) for money
   questions (or amounts for each unit, "50 triệu đồng/căn", when it asks "mỗi căn"), counts whose
   unit the question names for "how many". "Most"/"least" questions rank places by one figure and
   show it — of the place's, the count followed by the topic's words (an English question's: by
   what its superlative counts, "dialogues" of "the largest number of dialogues with citizens") in
   the clause that speaks most of the topic (of two in a clause, the one the question's words lead
   to: "xây mới 37 căn"), in the unit the question names or measures its thing in ("nhiều đất
   nhất": m² and ha, compared as one; a place that gives no such figure is left out of the ranking
   and named in ``df.attrs["unranked"]`` — when no place gives one, the answer is empty and says so; a count
   the purpose classifier gives another purpose than the question's — land for a school, asked
   about land for roads — does not rank, nor one its clause gives for an end that holds nothing
   the question asks beyond the count's own words ("hiến 3 ha đất để xây dựng nhà văn hóa"),
   nor one of what a disaster damaged ("mưa lũ làm hư hỏng 40 căn nhà") unless the question asks
   about damage; a place without a count of the unit the question names is ranked by a count of
   another unit of the same kind only, "4 buổi" for "cuộc", never children for households), or
   the amount whose own words name it (a place whose amount's words hold less than
   ``ranked_share`` of the topic the best place's hold is named apart: money for houses, asked
   about money for bridges) — others by the evidence's probability. A comparison quotes, for
   each place, its sentences with a figure on the topic.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import asdict, dataclass, replace
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from .. import data
from ..retrieval.crosslingual import is_english
from ..retrieval.filters import matching_doc_ids, parse_where
from ..retrieval.lexical import FOLDED_STOP_WORDS, STOP_WORDS, content_terms, query_weights, tokenize
from ..retrieval.ranking import fuse, lexical_weight
from ..text.normalize import fold
from ..text.numbers import format_number, format_vnd
from ..text.segment import clause_at, split_clauses
from ..validation import check_optional_k
from .question import Question, directives_named, parse

if TYPE_CHECKING:
    from .index import Index

__all__ = ["ask", "precedents", "evidence_features", "ASK_COLUMNS", "PRECEDENT_COLUMNS",
           "AnswerSettings", "DEFAULT_ANSWERS", "FEATURES", "answer_settings_for"]

ASK_COLUMNS = ["locality", "locality_level", "province", "actor", "score", "value", "value_display",
               "amounts", "amounts_vnd", "amount_details", "counts", "count_details", "evidence",
               "citations", "doc_ids", "purpose", "title", "date", "outlet", "url"]
PRECEDENT_COLUMNS = ["score", "name", "kind", "locality", "province", "period", "figures", "text",
                     "actor", "sublocality", "doc_id", "chunk_id", "precedent_id"]

#: the evidence features, in the order of ``AnswerSettings.weights``
FEATURES = ("dense_z", "coverage", "bm25", "purpose", "requirement")


@dataclass(frozen=True)
class AnswerSettings:
    """How ``ask`` weighs evidence (overridable per call: ``idx.ask(q, settings=…)``).

    ``weights``: logistic weights of ``FEATURES`` (intercept first), fitted on the development half
    of the answer benchmark for one embedder (``eval/fit_answers.py``): the dense z-score is on that
    embedder's scale, so another embedder gets its own fit or the defaults."""

    weights: tuple[float, ...] = (-6.389, 1.617, 8.92, 9.45, 2.314, 0.0)
    min_logit: float = 4.0         # a place needs one sentence at least this likely (log-odds)
    min_logit_named: float = -1.0  # … or this, for a place the question names
    min_logit_ranked: float = 1.0  # … or this, for a most/least question (its figure is required)
    min_logit_admitted: float = 1.0  # … or this, for a question about difficulties (an admitted one is required)
    max_gap: float = 12.0          # … and not further than this behind the best place
    min_logit_near: float = 2.5    # … or this, when some place passes and this one is within
    near_gap: float = 4.0          # ``near_gap`` of the best: the corpus speaks of the topic, here in other words
    min_logit_presupposed: float = -1.0  # … or, when none passes and the question presupposes an answer
    presupposed_gap: float = 3.0  # ("which …", not "does any …"): the best place if this likely, and those this close to it
    presupposed_max: int = 3       # … at most this many
    any_dense_z: float = 4.5       # "does any place X?" without X's rarest word: meaning this far out
    paragraph_context: float = 0.8  # a sentence holds, at this share, the concepts of the one before it
    ranked_share: float = 0.5      # a most/least money question ranks amounts whose words hold this share of the best's topic
    evidence_gap: float = 3.0      # a place's evidence: its sentences this close to its best
    evidence_per_place: int = 3    # sentences quoted per place, best first

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def replace(self, **changes) -> AnswerSettings:
        return replace(self, **changes)


DEFAULT_ANSWERS = AnswerSettings()
_BY_EMBEDDER: dict[str, AnswerSettings] = {}


def answer_settings_for(embedder_id: str | None) -> AnswerSettings:
    """The settings fitted for an embedder (by id prefix), else the defaults."""
    eid = embedder_id or ""
    best = max((k for k in _BY_EMBEDDER if eid.startswith(k)), key=len, default=None)
    return _BY_EMBEDDER[best] if best is not None else DEFAULT_ANSWERS


# --- evidence features -----------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _difficulty_re() -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(data.words("difficulty_cues")) + r")\b")


_NEGATED = re.compile(r"(?:khong|vuot qua|chang)\s+(?:[\w,]+\s+){0,4}$")


def _speaks_of_difficulty(folded: str) -> bool:
    """A sentence that admits a difficulty or shortcoming (cue words not negated)."""
    return any(not _NEGATED.search(folded, max(0, m.start() - 25), m.start())
               for m in _difficulty_re().finditer(folded))


_LESSON_RE = re.compile(r"\b(?:bai hoc|kinh nghiem|giai phap|rut ra)\b")
_YEAR_RE = re.compile(r"(?<!\d)((?:19|20)\d\d)(?!\d)")


@dataclass
class _Concept:
    """One thing the question names: alternatives (each a list of index tokens that must all be
    in a sentence) and how much it counts (the idf of its commonest alternative)."""

    label: str
    alternatives: list[list[str]]
    weight: float = 0.0
    group: str = ""   # the synonym group it belongs to, if any
    sure: bool = True  # False: an English word translated by the embedder's nearest terms only
    loose: int = 0     # the last ``loose`` alternatives are the words apart: they do not set the weight
    pair: bool = False  # two adjacent syllables that are concepts of their own too: counts half


@lru_cache(maxsize=1)
def _synonym_alternatives() -> list[tuple[str, tuple[str, ...]]]:
    """(alternative as written, its group's alternatives), longest alternative first."""
    out = []
    for r in data.rows("synonyms_vi"):
        group = tuple(a.strip() for a in r["alternatives"].split("|") if a.strip())
        for alt in group:
            out.append((alt.lower(), group))
    return sorted(out, key=lambda x: -len(x[0]))


@lru_cache(maxsize=1)
def _synonym_patterns() -> list[tuple[str, tuple[str, ...], str, re.Pattern[str]]]:
    """(alternative, its group, its folded form, the pattern finding it as whole words), compiled
    once: two hundred groups are more patterns than ``re``'s own cache keeps."""
    return [(alt, group, fold(alt), re.compile(rf"(?<!\w){re.escape(fold(alt))}(?!\w)"))
            for alt, group in _synonym_alternatives()]


@lru_cache(maxsize=1)
def _synonym_groups_by_folded() -> dict[str, tuple[str, ...]]:
    """Folded alternative → its group (a translation that is an alternative brings the group)."""
    return {fold(alt): group for alt, group in _synonym_alternatives()}


@lru_cache(maxsize=1)
def _money_words() -> frozenset[str]:
    """The folded alternatives of the money groups ("tien", "kinh phi", "von" …)."""
    return frozenset(fold(a) for _, alts in _synonym_alternatives() if alts[0] in _MONEY_GROUPS for a in alts)


def _loose(terms) -> list[list[str]]:
    """Each term of several words as its words apart: "hiến đất" in "hiến 4.600 m2 đất"."""
    return [[t for w in term.split() for t in _term_tokens(w)] for term in terms if " " in term.strip()]


def _blank(text: str, spans: list[tuple[int, int]]) -> str:
    chars = list(text)
    for a, b in spans:
        for i in range(a, b):
            chars[i] = " "
    return "".join(chars)


def _term_tokens(term: str, written: bool = False) -> list[str]:
    """Index tokens a sentence must hold to contain a Vietnamese word or term: one syllable by its
    exact form, several by their folded bigrams. ``written``: the term comes from text written
    with its diacritics (a word list, a question that has them), so a syllable that has none is
    one ("ong", bee, is not "ông"); else a syllable without them stands for any of its forms."""
    words = re.findall(r"[^\W\d_]+", term.lower())
    if len(words) >= 2:
        return [f"~{fold(a)}_{fold(b)}" for a, b in zip(words, words[1:])]
    if not words:
        return []
    w = words[0]
    return [w] if fold(w) != w or written else [f"~{w}"]


def _concepts(idx: Index, q: Question, english: bool) -> list[_Concept]:
    """The question's topic as concepts: Vietnamese content syllables and adjacent pairs; for an
    English question, each translated word or phrase (its translations are alternatives) and each
    untranslated word (no alternative: no sentence can hold it). Sets ``q.terms``."""
    lex = idx.sentence_lexical
    out: list[_Concept] = []
    if english:
        tr = idx.crosslingual.translate(q.topic)
        q.terms = set().union(*(content_terms(t) for t in tr.terms)) if tr.terms else set()
        # a counted unit is what the superlative counts ("dialogues"), not who it was with ("citizens")
        counted = [a for label, alts in tr.groups if q.is_counted(label) for a in alts]
        q.unit_text = " | ".join(fold(t) for t in (counted or tr.terms))
        synonyms = _synonym_groups_by_folded()
        for label, alternatives in tr.groups:
            group = next((synonyms[fold(a)] for a in alternatives if fold(a) in synonyms), ())
            # a translation is written as reports write it: "Dao" (the people) is no "đạo"
            alts = [toks for toks in (_term_tokens(a, True) for a in (*alternatives, *group)) if toks]
            loose = _loose(dict.fromkeys((*alternatives, *group)))
            out.append(_Concept(label, alts + loose, group=group[0] if group else "",
                                sure=label not in tr.neighboured, loose=len(loose)))
        out = _either(q.topic, out)
    else:
        q.terms = content_terms(q.topic)
        topic = q.topic.lower()
        folded = fold(topic)
        q.unit_text = folded
        taken: list[tuple[int, int]] = []
        at: dict[tuple[int, int], _Concept] = {}
        for alt, group, key, pattern in _synonym_patterns():
            if key not in folded:  # most of the table is not in the question: skip its regex
                continue
            for m in pattern.finditer(folded):
                written = topic[m.start():m.end()]
                if written != alt and fold(written) != written:
                    continue  # written with other diacritics: "quá trình" is not "quà"
                if written == fold(written) != alt and " " not in alt:
                    continue  # one syllable typed without diacritics: "ke" (kể) is not "kè"
                alts = [_term_tokens(g) for g in group]
                same = at.get(m.span())
                if same is not None and written == fold(written) and same.group != group[0]:
                    # typed without diacritics, one spelling of two groups ("tuyen duong": tuyến
                    # đường, a road, or tuyên dương, to commend): the concept is either
                    tight = same.alternatives[:len(same.alternatives) - same.loose]
                    loose_same = same.alternatives[len(tight):]
                    same.alternatives = tight + alts + loose_same
                    continue
                if not any(a < m.end() and m.start() < b for a, b in taken):
                    taken.append(m.span())
                    # its words may stand apart: "xây nhà" in "xây dựng 48 căn nhà", "xây 4 căn nhà"
                    loose = _loose(dict.fromkeys((written, *group)))
                    at[m.span()] = _Concept(written, alts + loose, group=group[0], loose=len(loose))
                    out.append(at[m.span()])
        rest = _blank(topic, taken)
        accented = fold(q.text) != q.text.lower()  # typed with diacritics: "ong" is a bee, not "ông"
        for run in re.split(r"[^\w\s]|\s{2,}", rest):
            syllables = re.findall(r"[^\W\d_]+", run)
            content = [s for s in syllables if not _is_stop(s)]
            for s in dict.fromkeys(content):
                out.append(_Concept(s, [_term_tokens(s, accented)]))
            for a, b in zip(syllables, syllables[1:]):
                if a in content and b in content:
                    out.append(_Concept(f"{a} {b}", [_term_tokens(f"{a} {b}")], pair=True))
    if q.money:  # "bao nhiêu tiền", "kinh phí": the money requirement says it already (typed
        # without diacritics too: "khoan tien lon nhat", where one syllable is no synonym match)
        out = [c for c in out if c.group not in _MONEY_GROUPS and not (not c.group and fold(c.label) in _money_words())]
    if q.difficulties:  # "khó khăn, hạn chế": the shortcoming requirement says it already
        out = [c for c in out if c.group != "khó khăn"]
    q.concepts = out
    q.concept_words = frozenset(fold(t.lstrip("~")) for c in out for alt in c.alternatives for t in alt)
    unknown = float(np.log(1.0 + (lex.num_docs + 0.5) / 0.5))
    for c in out:
        tight = c.alternatives[:len(c.alternatives) - c.loose]
        weights = [min(lex.idf(t) for t in alt) for alt in tight] if tight else [unknown * _UNTRANSLATED]
        # a pair counts half — its syllables count already; a synonym group's phrase ("phân loại
        # rác") is one concept whose syllables are not, and counts whole
        c.weight = min(weights) * (0.5 if c.pair else 1.0)
        if not c.sure:  # a nearest term is a guess ("collected" → "thu gom" of rubbish)
            c.weight *= idx.crosslingual.settings.neighbour_weight
    return out


_MONEY_GROUPS = ("tiền", "chi", "vận động")

# an English word neither the glossary nor the embedder translates counts, at this share of the
# weight of a word no sentence holds: often a plain word ("worked", "keep", "back") rather than
# the topic, whose meaning the dense score still weighs
_UNTRANSLATED = 0.4


def _either(topic: str, concepts: list[_Concept]) -> list[_Concept]:
    """"collecting or sorting rubbish": the two words around an "or" are one concept that either
    satisfies, not two a sentence must both hold."""
    low = topic.lower()
    at = sorted((low.find(c.label.lower()), i) for i, c in enumerate(concepts) if low.find(c.label.lower()) >= 0)
    gone: set[int] = set()
    for (pa, a), (pb, b) in zip(at, at[1:]):
        if a in gone:
            continue
        if re.fullmatch(r"\s*,?\s*or\s+", low[pa + len(concepts[a].label):pb]):
            first, second = concepts[a], concepts[b]
            first.label = f"{first.label} or {second.label}"
            first.alternatives = first.alternatives + second.alternatives
            first.sure = first.sure and second.sure
            gone.add(b)
    return [c for i, c in enumerate(concepts) if i not in gone]


@lru_cache(maxsize=1)
def _neutral_re() -> re.Pattern[str]:
    phrases = sorted(data.words("purpose_neutral"), key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, phrases)) + r")(?!\w)")


@lru_cache(maxsize=1)
def _classifiers() -> tuple[frozenset[str], frozenset[str]]:
    words = data.words("classifiers_vi")
    return frozenset(words), frozenset(fold(w) for w in words)


def _is_stop(syllable: str) -> bool:
    """A function word or a classifier ("cuộc", "buổi"): by its exact form when written with
    diacritics ("nền" is not "nên"), by its folded form when typed without them."""
    folded = fold(syllable)
    exact, loose = _classifiers()
    if folded != syllable:
        return syllable in STOP_WORDS or syllable in exact
    return folded in FOLDED_STOP_WORDS or folded in loose


def _concept_score(q: Question, text: str) -> float:
    """Weight of the question's concepts a piece of text holds (0 when none)."""
    return sum(c.weight for c, held in zip(q.concepts, _held(q, text)) if held)


@lru_cache(maxsize=1)
def _damage_re() -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(data.words("damage_cues")) + r")\b")


_END = re.compile(r"\b(?:để|nhằm|phục vụ|cho việc)\s")


def _count_for_another_end(q: Question, article: str, clause_start: int, start: int, end: int) -> bool:
    """A count given for an end its clause states ("hiến 3 ha đất để xây dựng nhà văn hóa thôn")
    that holds none of what the question asks beyond what the count's own words say ("hiến …
    đất" asked who gave the most land "để làm đường")."""
    stop = _PUNCT.search(article, end, end + 2 * _COUNTED)
    tail = article[end:stop.start() if stop else end + 2 * _COUNTED]
    m = _END.search(tail.lower())
    if m is None or not q.concepts:
        return False
    said = _held(q, article[clause_start:end + m.start()])
    goal = _held(q, tail[m.end():])
    return not all(said) and not any(g for g, s in zip(goal, said) if not s)


def _held(q: Question, text: str) -> list[bool]:
    """Which of the question's concepts a piece of text holds."""
    if not q.concepts:
        return []
    # "nhà máy" (factory), "việc nhà" (housework) hold "nhà" but are not about houses
    tokens = set(tokenize(_neutral_re().sub(" ; ", text.lower())))
    return [any(all(t in tokens for t in alt) for alt in c.alternatives) for c in q.concepts]


def _names_counted(q: Question, text: str) -> bool:
    """The text holds what the question counts: for "the largest number of dialogues with
    citizens", dialogues ("28 cuộc đối thoại", not "2.100 lượt công dân"); else any concept."""
    held = _held(q, text)
    counted = [h for c, h in zip(q.concepts, held) if q.is_counted(c.label)]
    return any(counted) if counted else any(h for c, h in zip(q.concepts, held) if c.weight > 0)


def _count_of_damage(article: str, lead_start: int, start: int) -> bool:
    """A count of what a disaster damaged: a damage cue in the words right before it, back to the
    last punctuation ("mưa lũ kéo dài làm hư hỏng 40 căn nhà", "làm sập, tốc mái 12 căn nhà")."""
    lead = article[lead_start:start]
    cut = max((m.end() for m in _PUNCT.finditer(lead)), default=0)
    return bool(_damage_re().search(fold(lead[cut:].lower())))


def _concept_presence(idx: Index, concepts: list[_Concept], n: int) -> np.ndarray:
    """(n sentences × concepts) 1 where the sentence holds one of the concept's alternatives."""
    lex = idx.sentence_lexical
    out = np.zeros((n, len(concepts)))
    for j, c in enumerate(concepts):
        for alt in c.alternatives:
            rows = None
            for t in alt:
                r = set(lex.rows_with(t).tolist())
                rows = r if rows is None else rows & r
            if rows:
                out[list(rows), j] = 1.0
    return out


def _lexical_query(idx: Index, q: Question, english: bool) -> dict[str, float]:
    """BM25 query of the topic over sentences (English through its translations)."""
    if english:
        tr = idx.crosslingual.translate(q.topic)
        weights = idx.sentence_lexical.terms_weights(tr.terms)
        for word in tr.untranslated:  # counts in the ideal score: no sentence can match it
            weights.setdefault(f"~untranslated:{word}", 1.0)
        return weights
    weights = query_weights(q.topic)
    return {t: w for t, w in weights.items()
            if t not in STOP_WORDS and t.lstrip("~") not in FOLDED_STOP_WORDS and not t.lstrip("~").isdigit()}


def _as_asked(text: str) -> str:
    """A question in one written form for the embedder, which reads case and punctuation: a
    capital first letter and one question mark ("which places …" and "Which places …?" alike)."""
    text = text.strip().rstrip("?.!… ").strip()
    return text[:1].upper() + text[1:] + "?" if text else text


def _scope(idx: Index, q: Question, where=None) -> set[str]:
    """The articles a question is about: ``where``, its directive, the places it names or leaves
    out, and for "which districts" the reports below the province."""
    docs = set(idx.articles["doc_id"])
    where = parse_where(where)
    if where:
        docs &= matching_doc_ids(idx.articles, where)
    if q.directive:
        docs &= matching_doc_ids(idx.articles, {"directive": q.directive})
    docs -= q.excluded_doc_ids  # "apart from Tam Kỳ, which places …"
    if q.doc_ids is not None:
        docs &= q.doc_ids
    elif q.below_province:  # "huyện nào": not the province-level reports
        a = idx.articles
        docs &= set(a.loc[a["locality"].notna() & (a["locality"].astype(str) != ""), "doc_id"])
    return docs


def _negated(idx: Index, q: Question, where, settings: AnswerSettings) -> pd.DataFrame:
    """"Which districts did not …": no row. A report that does not say a thing is no proof it was
    not done, so the answer names, apart, the places in scope whose reports do not say it
    (``attrs["not_said"]``) and those whose reports do (``attrs["said"]``, the positive question's
    answer)."""
    said = ask(idx, q.positive, where=where, settings=settings)
    scope = _scope(idx, q, where)  # the question's, with what its context scoped
    said_docs = {d for ds in said["doc_ids"] for d in ds} & scope
    df = _empty("a question with “not” is not answered from the reports: one silent on a thing is no "
                "proof it was not done — the places whose reports do not say it are listed apart")
    df.attrs["not_said"] = _localities(idx, sorted(scope - said_docs), with_province=True)
    df.attrs["said"] = _localities(idx, sorted(said_docs), with_province=True)
    df.attrs["positive"] = q.positive
    return df


def evidence_features(idx: Index, question: str, *, where=None, floor: float | None = None,
                      settings: AnswerSettings | None = None,
                      parsed: Question | None = None) -> tuple[Question, pd.DataFrame]:
    """The parsed question and, for every sentence in its scope, the evidence features
    (``FEATURES``) with the sentence's doc_id, offsets and text.

    ``floor``: leave out the sentences whose log-odds (``settings``) cannot reach it even with the
    purpose and requirement in their favour — the same answer, without reading every sentence's
    figures and words (what makes ``ask`` cost little on a large corpus). ``parsed``: the question
    as ``parse`` read it already."""
    q = parsed or parse(question, idx.places)
    english = is_english(q.text)
    sents = idx.sentences
    docs = _scope(idx, q, where)
    # the question as asked and its topic alone ("build a metro line"): the closer of the two
    texts = [idx.for_embedder(t) for t in dict.fromkeys([_as_asked(q.text), q.topic]) if t]
    qvs = idx.embed_queries(texts)
    cos = np.max(idx.sentence_vectors @ np.asarray(qvs).T, axis=1)
    z = (cos - cos.mean()) / max(float(cos.std()), 1e-6)
    concepts = _concepts(idx, q, english)
    presence = _concept_presence(idx, concepts, len(sents))
    cw = np.array([c.weight for c in concepts])
    if len(concepts) and cw.sum() > 0:
        coverage = presence @ cw / cw.sum()
        prev = idx.sentence_predecessors
        has = prev >= 0
        pair = presence.copy()
        pair[has] = np.maximum(presence[has], presence[prev[has]])
        # a report names the topic once: "Năm 2020, hạn hán … . Với mô hình …, trao tặng 860 bồn"
        share = (settings or DEFAULT_ANSWERS).paragraph_context
        coverage = np.maximum(coverage, share * (pair @ cw / cw.sum()))
        # the concepts the question turns on: its rarest half by weight
        core = cw >= np.median(cw)
        specific = presence[:, core] @ cw[core] / cw[core].sum()
    else:  # the question asks for nothing beyond its figure ("which place had the largest budget")
        coverage = specific = np.ones(len(sents))
    weights = _lexical_query(idx, q, english)
    bm = idx.sentence_lexical.score_weights(weights) if weights else np.zeros(len(sents))
    ideal = idx.sentence_lexical.ideal_score(weights) if weights else 0.0
    bm = bm / ideal if ideal > 0 else bm  # on an absolute scale, in [0, 1]
    keep = sents["doc_id"].isin(docs).to_numpy()
    if floor is not None:
        w = (settings or DEFAULT_ANSWERS).weights
        known = {"dense_z": z, "coverage": coverage, "bm25": bm}
        keep = keep & (_best_case(w, known) >= floor)
    feats = sents.loc[keep, ["row", "sentence_id", "doc_id", "chunk_id", "start", "end", "purpose", "text"]].copy()
    rows = feats["row"].to_numpy()
    feats["cos"] = cos[rows]
    feats["dense_z"] = z[rows]
    feats["coverage"] = coverage[rows]
    feats["bm25"] = bm[rows]
    feats["specific"] = specific[rows]
    topic_purpose = idx.purpose_classifier.classify(texts[-1])
    feats["topic_purpose"] = topic_purpose
    keys = list(zip(feats["doc_id"].tolist(), feats["start"].astype(int).tolist()))
    # the figures of the sentences in hand
    figs = idx.figures_in_sentences(keys)
    on_topic = _figure_sentences(figs[figs["purpose"] == topic_purpose], ("money", "rate", "count")) \
        if topic_purpose != "other" else set()
    feats["purpose_match"] = [
        1.0 if topic_purpose != "other" and (p == topic_purpose or key in on_topic) else 0.0
        for p, key in zip(feats["purpose"].tolist(), keys)]
    if floor is not None:  # the purpose known: again, what cannot reach the floor goes
        w = (settings or DEFAULT_ANSWERS).weights
        known = {f: feats[f].to_numpy(dtype=np.float64) for f in ("dense_z", "coverage", "bm25")}
        known["purpose"] = feats["purpose_match"].to_numpy(dtype=np.float64)
        reach = _best_case(w, known) >= floor
        feats = feats[reach]
        keys = [k for k, ok in zip(keys, reach) if ok]
        rows = feats["row"].to_numpy()
        figs = figs[_sentence_in(figs, set(keys))]
    # sentences holding none of the question's concepts hold no clause that does
    covered = {k for k, c in zip(keys, feats["coverage"].tolist()) if c > 0}
    money_docs = (_topical_figures(idx, q, figs[figs["kind"].isin(_money_kinds(q))], topic_purpose, covered)
                  if q.money else set())
    count_kinds = ("count", "percent") if q.percent else ("count",)
    count_docs = (_topical_figures(idx, q, figs[figs["kind"].isin(count_kinds)], topic_purpose, covered)
                  if (q.count and not q.money) or q.compare else set())
    if q.compare and not (q.money or q.count):  # a comparison shows figures: also of money
        money_docs = _topical_figures(idx, q, figs[figs["kind"] == "money"], topic_purpose, covered)
    folded = idx.sentences_folded(rows.tolist())
    req = np.ones(len(feats))
    if q.money:
        req *= np.array([1.0 if key in money_docs else 0.0 for key in keys])
    elif q.count:
        req *= np.array([1.0 if key in count_docs else 0.0 for key in keys])
    if q.difficulties:
        req *= np.array([1.0 if _speaks_of_difficulty(f) else 0.0 for f in folded])
    if q.lessons and not q.difficulties:
        req *= np.array([1.0 if _LESSON_RE.search(f) else 0.0 for f in folded])
    if q.any and len(concepts) > 1:
        # "does any place X?": yes only where the rarest thing it names is said ("nuôi ong", not
        # "phát động phong trào" alone) — or the sentence's meaning stands out that far from the
        # corpus's that it says it in other words. The rarest the corpus holds: a word no sentence
        # holds ("lúc thiếu ăn" for "Hũ gạo tình thương") would make every answer "no", whatever
        # the rest of the question and its meaning say
        # of "phát động phong trào nuôi ong", "a movement for beekeeping": the thing after the
        # frame every report uses ("phong trào" is in them all, bees in none)
        about = _about(q.topic, concepts)
        held = presence.any(axis=0) & about
        j = int(np.argmax(np.where(held, cw, -np.inf))) if held.any() else int(np.argmax(np.where(about, cw, -np.inf)))
        # a thing nothing translates ("a marathon") is held by no sentence: only meaning can say it
        says = (settings or DEFAULT_ANSWERS).any_dense_z
        req *= np.maximum(presence[rows, j], feats["dense_z"].to_numpy() >= says)
    feats["requirement"] = req
    # a comparison quotes first, of each place, its sentences with a figure on the topic
    feats["figure"] = [1.0 if key in money_docs or key in count_docs else 0.0 for key in keys] \
        if q.compare else 0.0
    names = [fold(n) for n in q.names]
    feats["name_ok"] = [all(n in f for n in names) for f in folded]
    feats["year_explicit"], feats["year_covered"] = _years(
        idx, q.years, folded, feats["doc_id"].tolist(), feats["start"].astype(int).tolist())
    feats["purpose"] = feats["purpose_match"]
    return q, feats.reset_index(drop=True)


# the frame of a report's work: "phát động phong trào …", "triển khai mô hình …", "thành lập câu lạc
# bộ …", "a movement for …", and an English question's opening verb ("organise a …", "start …",
# "encourage people to …")
_FRAME = re.compile(
    r"\b(?:(?:phat dong|trien khai|thuc hien|duy tri|xay dung|nhan rong|co) )?(?:(?:cac|nhung) )?"
    r"(?:phong trao|mo hinh|cuoc van dong|cau lac bo)\s+(?=[^\W\d_])"
    r"|\b(?:movement|movements|model|models|campaign|campaigns)\s+(?:to|for|of|on)\s+"
    r"|^(?:start|started|launch|launched|begin|began|run|ran|set up|organise|organised|organize|organized"
    r"|hold|held)\s+(?:(?:a|an|the)\s+)?(?=[a-z])"
    r"|^(?:encourage|encouraged|persuade|persuaded|urge|urged|mobilise|mobilised|mobilize|mobilized"
    r"|call on|called on|campaign for|campaigned for)\s+(?:(?:local |the )?(?:people|residents|households"
    r"|families|villagers|citizens|locals|members)\s+)?(?:to\s+)?(?=[a-z])")


def _about(topic: str, concepts: list[_Concept]) -> np.ndarray:
    """Which concepts name the thing a question asks about: those after its frame when it has one
    ("phát động phong trào nuôi ong" → "nuôi", "ong"), else all."""
    frames = list(_FRAME.finditer(fold(topic)))
    if not frames:
        return np.ones(len(concepts), dtype=bool)
    thing = topic.lower()[frames[-1].end():]  # the last frame: "phong trào … mô hình X" asks about X
    about = np.array([c.label.lower() in thing for c in concepts], dtype=bool)
    return about if about.any() else np.ones(len(concepts), dtype=bool)


def _best_case(w: tuple[float, ...], known: dict[str, np.ndarray]) -> np.ndarray:
    """The highest log-odds a sentence can reach: the features known so far as they are, the
    others at their most favourable (each is in [0, 1])."""
    out = np.full(len(next(iter(known.values()))), w[0], dtype=np.float64)
    for name, wi in zip(FEATURES, w[1:]):
        out += wi * known[name] if name in known else max(wi, 0.0)
    return out


def _sentence_in(figs: pd.DataFrame, keys: set[tuple[str, int]]) -> np.ndarray:
    """Mask of the figures whose sentence (doc_id, sentence start) is one of ``keys``."""
    pairs = zip(figs["doc_id"].tolist(), figs["sentence_start"].astype(int).tolist())
    return np.fromiter((k in keys for k in pairs), bool, len(figs))


def _topical_figures(idx: Index, q: Question, figs: pd.DataFrame, purpose: str,
                     covered: set[tuple[str, int]]) -> set[tuple[str, int]]:
    """(doc_id, sentence_start) of sentences holding a figure about the question's topic: a count
    followed by a topic word ("6.820 đơn vị máu", "29 nền"), an amount in a clause sharing a topic
    word or of the topic's purpose. A question asking only for a figure takes any. ``covered``:
    the sentences holding one of the question's concepts (no other clause or window within its
    sentence can)."""
    if not q.concepts:
        return set(zip(figs["doc_id"].tolist(), figs["sentence_start"].astype(int).tolist()))
    text_of = idx.article_texts
    out: set[tuple[str, int]] = set()
    clause_hit: dict[tuple[str, int, int], bool] = {}  # a sentence's figures often share a clause
    cols = [figs[c].tolist() for c in ("doc_id", "sentence_start", "sentence_end", "start", "end", "kind",
                                       "purpose", "unit", "category")]
    for d, ss, se, fs, fe, kind, fp, unit, category in zip(*cols):
        ss, se, fs, fe = int(ss), int(se), int(fs), int(fe)
        if (d, ss) in out:
            continue  # the sentence has a topical figure already
        article = text_of[d]
        if kind != "count" and kind != "percent":  # an amount (or an amount for each unit)
            if purpose != "other" and fp == purpose:
                hit = True
            elif (d, ss) not in covered:
                hit = False
            else:
                a, b = next(((a, b) for a, b in split_clauses(article, ss, se) if a <= fs < b), (ss, se))
                if (d, a, b) not in clause_hit:
                    clause_hit[(d, a, b)] = _concept_score(q, article[a:b]) > 0
                hit = clause_hit[(d, a, b)]
        elif (d, ss) not in covered and fe + _COUNTED <= se:
            hit = False
        else:
            hit = _counts_topic(q, article, ss, se, fs, fe, unit, category)
        if hit:
            out.add((d, ss))
    return out


_COUNTED = 40
_PUNCT = re.compile(r"[,;.:()\n]")


def _counted(article: str, start: int, end: int) -> str:
    """A count and what it counts: the words after it up to the next punctuation ("6.820 đơn vị
    máu"; "11 phường, thu gom … rác" counts wards, not what was collected)."""
    stop = _PUNCT.search(article, end, end + _COUNTED)
    return article[start:stop.start() if stop else end + _COUNTED]


def _counts_topic(q: Question, article: str, ss: int, se: int, fs: int, fe: int, unit: object,
                  category: object = None) -> bool:
    """A count of the topic: the topic's words follow it ("6.820 đơn vị máu", "29 nền nhà"), its
    unit measures a thing the question names ("9.800 m2" when asked about land), or its unit was
    named earlier in the clause with the topic's words after it (“Buôn tự quản …” được nhân rộng
    ra 38 buôn)."""
    if _concept_score(q, article[fs:fe + _COUNTED]) > 0:
        return True
    if any(c == category for _, c in _measured_things()) and _unit_position(q, "", category) is not None:
        return True
    if not isinstance(unit, str) or not unit.strip():
        return False
    a, _ = clause_at(article, ss, se, fs)
    # "xây dựng 85 căn nhà tình thương": the count's own unit is a word of the topic ("xây nhà")
    # whose other words come before it in the clause
    if fold(unit.lower()) in q.concept_words and _concept_score(q, article[a:fe + _COUNTED]) > 0:
        return True
    head = fold(article[a:fs].lower())  # fold keeps offsets
    for m in re.finditer(rf"(?<!\w){re.escape(fold(unit.lower()))}(?!\w)", head):
        if _concept_score(q, article[a + m.end():a + m.end() + _COUNTED]) > 0:
            return True
    return False


def _figure_sentences(figs: pd.DataFrame, kinds: tuple[str, ...]) -> set[tuple[str, int]]:
    """(doc_id, sentence_start) of the sentences holding a figure of these kinds."""
    f = figs[figs["kind"].isin(kinds)]
    return set(zip(f["doc_id"].tolist(), f["sentence_start"].astype(int).tolist()))


def _years(idx: Index, years: tuple[int, int] | None, folded: list[str], doc_ids: list[str],
           starts: list[int]) -> tuple[list[bool], list[bool]]:
    """(states one of the question's years, is undated in an article whose period lies within them).

    A sentence stating no year takes the last year stated before it in its paragraph: reports set
    the time once ("Cũng trong năm 2022, dông lốc làm sập 58 căn nhà. Ngay sau thiên tai, … hỗ trợ")."""
    if years is None:
        return [True] * len(folded), [True] * len(folded)
    lo, hi = years
    text_of = idx.article_texts
    said = []
    for f, d, s in zip(folded, doc_ids, starts):
        ys = [int(y) for y in _YEAR_RE.findall(f)]
        if not ys:
            text = text_of[d]
            before = _YEAR_RE.findall(text, text.rfind("\n", 0, s) + 1, s)
            ys = [int(before[-1])] if before else []
        said.append(ys)
    covering = _docs_covering(idx, lo, hi)
    return ([any(lo <= y <= hi for y in ys) for ys in said],
            [not ys and d in covering for ys, d in zip(said, doc_ids)])


def _docs_covering(idx: Index, lo: int, hi: int) -> set[str]:
    a = idx.articles
    out = set()
    for d, s, e in zip(a["doc_id"], a["period_start"], a["period_end"]):
        # within the asked years: an undated "in five years …" of 2016–2021 does not say 2020
        if pd.notna(s) and pd.notna(e) and lo <= int(s) and int(e) <= hi:
            out.add(d)
    return out


def _logit(feats: pd.DataFrame, settings: AnswerSettings) -> np.ndarray:
    """Log-odds that each sentence speaks of what the question asks; -inf where it lacks what
    the question requires (a quoted name; the money, count or shortcoming it asks about)."""
    w = np.asarray(settings.weights, dtype=np.float64)
    x = feats[list(FEATURES)].to_numpy(dtype=np.float64)
    logit = w[0] + x @ w[1:]
    ok = feats["name_ok"].to_numpy(dtype=bool) & (feats["requirement"].to_numpy() > 0)
    return np.where(ok, logit, -np.inf)


# --- ask -------------------------------------------------------------------------------------------

def _empty(reason: str) -> pd.DataFrame:
    df = pd.DataFrame(columns=ASK_COLUMNS)
    df.attrs["reason"] = reason
    return df


def ask(idx: Index, question: str, *, k: int | None = None, where=None,
        settings: AnswerSettings | None = None) -> pd.DataFrame:
    """Places that answer ``question``, best first (columns ``ASK_COLUMNS``); see the module doc.

    ``k`` limits the number of places (default: the number the question asks for, "which three
    districts …", "top 5", else all that answer)."""
    settings = settings or answer_settings_for(idx.manifest["embedder"]["id"])
    check_optional_k(k)
    text = idx.check_query(question)
    asked = parse(text, idx.places)
    if asked.negated:
        return _negated(idx, asked, where, settings)
    q, feats = evidence_features(idx, text, where=where, floor=_floor_bound(settings), settings=settings,
                                 parsed=asked)
    if q.doc_ids is not None and not q.doc_ids:
        return _empty("the question names a place no article of the index is about")
    if feats.empty:
        return _empty("no article matches the question's place, directive or filters")
    if q.names and not feats["name_ok"].any():
        return _empty(f"no article mentions “{'”, “'.join(q.names)}”")
    feats = feats.assign(logit=_logit(feats, settings))
    if q.years is not None:
        # in an article, a sentence stating the year beats its undated ones; an article whose
        # period lies within the years answers with undated sentences when none states them
        stated = feats["year_explicit"] & (feats["logit"] >= settings.min_logit)
        has_stated = stated.groupby(feats["doc_id"]).transform("any")
        feats = feats[feats["year_explicit"] | (feats["year_covered"] & ~has_stated)]
    plain = q.doc_ids is None and not (q.rank or q.threshold or q.difficulties)
    floor = (settings.min_logit_named if q.doc_ids is not None else
             settings.min_logit_ranked if q.rank or q.threshold else
             settings.min_logit_admitted if q.difficulties else settings.min_logit)
    if not q.concepts and not (q.money or q.count or q.rank or q.compare or q.any or q.difficulties
                               or q.lessons or q.names):
        floor = -np.inf  # nothing asked beyond the scope ("which places report on Kết luận 01"): all of it
        if q.directive:  # an article's evidence is then the sentence naming the directive, if any
            names = pd.Series([q.directive in directives_named(fold(t)) for t in feats["text"]], index=feats.index)
            feats = feats[names | ~names.groupby(feats["doc_id"]).transform("any")]
    # "which place had the largest budget", "more than 100 tỷ đồng": nothing but the figure is asked,
    # so every sentence holding one is the place's evidence, however its wording scores
    figure_only = bool(q.rank or q.threshold) and not q.concepts
    closest = False
    if plain and not q.any and np.isfinite(floor) and len(feats):
        # "which places …" presupposes that some place did it ("does any place …" does not): when
        # none says it plainly, the places that come closest answer, and the answer says so
        top = float(feats["logit"].max())
        if settings.min_logit_presupposed <= top < floor:
            floor, closest = max(settings.min_logit_presupposed, top - settings.presupposed_gap), True
            # … a short list: a guess listing nine places helps no one
            bests = np.sort(feats.groupby("doc_id")["logit"].max().to_numpy())[::-1]
            if len(bests) > settings.presupposed_max:
                floor = max(floor, float(bests[settings.presupposed_max - 1]))
    ev = _evidence(feats, settings, -np.inf if figure_only else floor, every=figure_only)
    if q.doc_ids is not None and not ev.empty:
        ev = _one_of_a_shared_name(idx, ev, settings)
    if ev.empty and (q.rank or q.threshold) and q.concepts:
        # "the most land for roads" where a place speaks of land for roads but gives no area: say so
        # rather than that nothing speaks of it
        loose = feats.assign(requirement=1.0)
        spoken = _evidence(loose.assign(logit=_logit(loose, settings)), settings, settings.min_logit)
        if not spoken.empty:
            df = _empty("no place in the evidence gives the figure the question ranks by")
            df.attrs["unranked"] = _localities(idx, spoken["doc_id"])
            return df
    if ev.empty:
        return _empty("no sentence of the articles in scope speaks of what the question asks")
    rows = _group(idx, q, ev, settings)
    df = pd.DataFrame(rows, columns=ASK_COLUMNS)
    unranked: list[str] = []
    if q.rank and rows and df["value"].notna().any():
        # "nhiều đất nhất", "the most houses": a place whose evidence gives no such figure is not
        # ranked by it; it is named in ``attrs["unranked"]``
        keep = df["value"].notna().to_numpy()
        if q.money and q.concepts:
            # "the most money for roads": an amount whose own words hold far less of the topic than
            # the best place's does is money for something else (houses, cameras) — named apart
            share = np.array([r["_share"] if r["_share"] is not None else 0.0 for r in rows])
            best = share[keep].max() if keep.any() else 0.0
            if best > 0:
                keep = keep & (share >= settings.ranked_share * best)
        unranked = sorted(set(str(v) for v in df.loc[~keep, "locality"]))
        df, rows = df[keep], [r for r, k in zip(rows, keep) if k]
    if q.rank and df["value"].notna().any():
        ascending = q.rank == "least"
        df = df.assign(_v=[r["_size"] for r in rows]).sort_values(
            ["_v", "score", "locality"], ascending=[ascending, False, True], na_position="last").drop(columns="_v")
    else:
        df = df.sort_values(["score", "locality"], ascending=[False, True])
    if q.threshold and not q.rank:  # "more than 50 houses": the places whose figure passes it
        op, bound = q.threshold
        v = df["value"].astype(float)
        passes = {">": v > bound, ">=": v >= bound, "<": v < bound, "<=": v <= bound}[op]
        if q.money:  # an amount, never a count standing in for a place that shows none
            passes = passes & pd.Series([x in amounts for x, amounts in zip(v, df["amounts_vnd"])],
                                        index=df.index, dtype=bool)
        df = df[passes].sort_values(["value", "locality"], ascending=[op.startswith("<"), True])
        if df.empty:
            shown = format_vnd(int(bound)) if q.money else format_number(bound)
            return _empty(f"no place in the evidence has a figure {op} {shown}")
    df = df.reset_index(drop=True)
    if k is None and q.top_n:  # "which three districts …": the three best
        k = q.top_n
    if k is not None:
        df = df.head(k)
    df.attrs["question"] = {"kind": q.kind, "places": q.places, "directive": q.directive,
                            "years": q.years, "topic": q.topic}
    if unranked:
        df.attrs["unranked"] = unranked
    if closest and len(df):
        df.attrs["closest"] = True
    return df


def _localities(idx: Index, doc_ids, *, with_province: bool = False) -> list[str]:
    """The places of these articles, by name (the province for a province-level report), sorted;
    ``with_province``: "Châu Thành (Long An)". An article of no known place names none."""
    arts = idx.articles.set_index("doc_id")
    out = set()
    for d in dict.fromkeys(doc_ids):
        loc, prov = arts.at[d, "locality"], arts.at[d, "province"]
        loc = loc if isinstance(loc, str) else ""
        prov = prov if isinstance(prov, str) else ""
        if with_province and loc and prov and loc != prov:
            out.add(f"{loc} ({prov})")
        elif loc or prov:
            out.add(loc or prov)
    return sorted(out)


def _floor_bound(settings: AnswerSettings) -> float:
    """No sentence below this log-odds can be evidence, whatever the question: the lowest place
    threshold, less the gap a place's further evidence may lag its best."""
    return min(settings.min_logit, settings.min_logit_named, settings.min_logit_ranked,
               settings.min_logit_admitted, settings.min_logit_presupposed) - settings.evidence_gap


def _evidence(feats: pd.DataFrame, settings: AnswerSettings, floor: float, every: bool = False) -> pd.DataFrame:
    """The sentences that make their article answer: the article's best is likely enough and not
    far behind the best article's; with it, its sentences nearly as likely (``every``: all its
    sentences that hold what the question requires). A place the question names needs less: the
    user asked about it, its best on-topic sentence is the answer."""
    if feats.empty:
        return feats
    best_of = feats.groupby("doc_id")["logit"].transform("max")
    top = float(feats["logit"].max())
    passes = best_of >= floor
    if top >= floor:  # the topic is in the corpus: a place close behind says it in other words
        passes = passes | (best_of >= min(floor, max(settings.min_logit_near, top - settings.near_gap)))
    near = np.isfinite(feats["logit"]) if every else feats["logit"] >= best_of - settings.evidence_gap
    if "figure" in feats:  # a comparison: its sentences with a figure on the topic too
        near = near | ((feats["figure"] > 0) & (feats["logit"] >= floor))
    keep = passes & (best_of >= top - settings.max_gap) & near
    ev = feats[keep]
    return ev.assign(p=1.0 / (1.0 + np.exp(-ev["logit"].clip(-50, 50))))


def _one_of_a_shared_name(idx: Index, ev: pd.DataFrame, settings: AnswerSettings) -> pd.DataFrame:
    """A named place needs less evidence — but a name several places share ("Châu Thành" of four
    provinces) names only one of them: the best gets the named place's allowance, the others must
    answer as any place would."""
    arts = idx.articles.set_index("doc_id")
    key = {d: _place_key(arts.loc[d], d) for d in ev["doc_id"].unique()}
    best = ev.groupby(ev["doc_id"].map(key))["logit"].max()
    by_name: dict[str, list] = {}
    for k in best.index:
        by_name.setdefault(fold(str(k[0])), []).append(k)
    keep = set()
    for keys in by_name.values():
        top = max(keys, key=lambda k: best[k])
        keep |= {k for k in keys if k == top or best[k] >= settings.min_logit}
    return ev[ev["doc_id"].map(key).isin(keep)]


def _place_key(art: pd.Series, doc_id: str) -> tuple[str, str]:
    loc = str(art["locality"]) if isinstance(art["locality"], str) else ""
    prov = str(art["province"]) if isinstance(art["province"], str) else ""
    if not prov or not loc:
        return (loc or prov, doc_id)  # unknown province: the article is a place of its own
    return (fold(loc), fold(prov))


def _group(idx: Index, q: Question, ev: pd.DataFrame, settings: AnswerSettings) -> list[dict]:
    """One row per place; plain records, not frames, inside: a large corpus answers with
    thousands of places."""
    arts = idx.articles.set_index("doc_id")
    key_of = {d: _place_key(arts.loc[d], d) for d in dict.fromkeys(ev["doc_id"])}
    n = settings.evidence_per_place
    cols = ["doc_id", "chunk_id", "start", "end", "text", "p", "requirement", "figure", "topic_purpose"]
    by_place: dict[tuple[str, str], list[dict]] = {}
    for r in ev[cols].to_dict("records"):
        r["start"], r["end"] = int(r["start"]), int(r["end"])
        by_place.setdefault(key_of[r["doc_id"]], []).append(r)
    places = []
    idx.load_figure_records(key_of)
    for g in by_place.values():
        if q.money or q.count or q.compare:
            g.sort(key=lambda r: (-r["requirement"], -r["figure"], -r["p"], r["start"]))
        else:
            g.sort(key=lambda r: (-r["p"], r["start"]))
        # a ranked question (or one with a threshold) reads every evidence sentence of the place
        seen = g if q.rank or q.threshold else g[:n]
        amounts, counts = _figures(idx, q, seen)
        places.append((list(dict.fromkeys(r["doc_id"] for r in g)), seen, amounts, counts))
    # the unit the question names ("nhiều tổ tự quản nhất", "fewest attendances" → lượt), when a
    # place has a count of it: a place's value is then its count of that unit, never one of another;
    # several ("attendances at conferences"): the one named first is what is counted
    position = {c["unit"]: _unit_position(q, c["unit"], c["category"]) for _, _, _, counts in places for c in counts}
    named: dict[str, int] = {u: at for u, at in position.items() if at is not None}
    named_first = min(named.values(), default=-1)
    units = {u for u, at in named.items() if at == named_first}  # "đất": m² and ha alike
    measured = bool(units) and units <= set(_unit_sizes())  # ranked by land, length or weight
    categories = {c["category"] for _, _, _, counts in places for c in counts
                  if c["unit"] in units and c["category"]}
    damage = bool(_damage_re().search(fold(q.text.lower())) or _damage_re().search(q.unit_text))
    # "hiến nhiều đất nhất để mở đường": land given for a school does not rank with land given for
    # roads — a count of another purpose than the question's does not rank, when some count has its
    purpose = str(ev["topic_purpose"].iloc[0])
    # (of the unit it names: households helped, read as housing, are still ranked by households)
    own_purpose = bool(q.rank) and purpose != "other" and any(
        c["purpose"] == purpose for _, _, _, counts in places for c in counts
        if (not units or c["unit"] in units) and c.get("qualifier") != "order_of")  # ("hàng trăm hộ" ranks not)
    rows = []
    for docs, seen, amounts, counts in places:
        value_of = [c for c in counts if c["unit"] in units] if units else counts
        if units and not value_of:  # "4 buổi đối thoại" where another place held "28 cuộc": the
            # count the topic's words follow — not one of a unit the question names for something
            # else ("6 hội nghị" is no count of the attendances at conferences)
            # — and of the same kind of thing: children sponsored are no count of households helped
            value_of = [c for c in counts if c["_rank"][0] and c["unit"] not in named
                        and (not categories or c["category"] in categories)]
        if own_purpose:
            value_of = [c for c in value_of if c["purpose"] in (purpose, "other")]
        if q.rank and not damage:  # the houses a storm unroofed are no count of the houses built
            value_of = [c for c in value_of if not c["_damage"]]
        if q.rank:  # land given for a school does not rank the land given for roads
            value_of = [c for c in value_of if not c["_end"]]
        value, value_display, source = _value(q, amounts, value_of)
        top = seen[:n]
        if source is not None:  # the sentence the value comes from is shown first
            holds = [r for r in seen if r["doc_id"] == source["doc_id"] and r["start"] <= source["start"] < r["end"]]
            top = (holds + [r for r in seen if r not in holds])[:n]
        if len(top) < len(seen):  # figures of the sentences shown only
            amounts = [a for a in amounts if _within(a, top)]
            counts = [c for c in counts if _within(c, top)]
        amounts, counts = _public(amounts), _public(counts)
        first = top[0]
        art = arts.loc[first["doc_id"]]
        locality = art["locality"] if isinstance(art["locality"], str) else None
        rows.append({
            "locality": locality or (art["province"] if isinstance(art["province"], str) else None),
            "locality_level": art["locality_level"] if locality else ("tỉnh" if isinstance(art["province"], str) else None),
            "province": art["province"] if isinstance(art["province"], str) else "",
            "actor": _actor(_answer_clause(idx, q, first, amounts), locality),
            "score": round(float(max(r["p"] for r in top)), 4),
            "value": value, "value_display": value_display,
            "_size": value * _unit_size(source["unit"]) if value is not None and source and "unit" in source else value,
            "_measured": measured,
            "_share": source["_rank"][-1] if source is not None and "vnd" in source else None,
            "amounts": [a["display"] for a in amounts],
            "amounts_vnd": [a["vnd"] for a in amounts],
            "amount_details": amounts,
            "counts": [c["display"] for c in counts],
            "count_details": counts,
            "evidence": [r["text"] for r in top],
            "citations": [_citation(idx, q, r["doc_id"], r["chunk_id"], r["start"], r["end"], amounts) for r in top],
            "doc_ids": sorted(set(docs)),
            "purpose": first["topic_purpose"],
            "title": art.get("title"), "date": art.get("date"),
            "outlet": art.get("outlet") if "outlet" in art else art.get("source"),
            "url": art.get("url") if "url" in art else None,
        })
    return rows


def _public(figures: list[dict]) -> list[dict]:
    """The figures without the keys ``ask`` ranks them by (``_rank``)."""
    return [{k: v for k, v in f.items() if not k.startswith("_")} for f in figures]


def _within(figure: dict, sentences: list[dict]) -> bool:
    return any(r["doc_id"] == figure["doc_id"] and r["start"] <= figure["start"] < r["end"] for r in sentences)


def _unit_position(q: Question, unit: object, category: object = None) -> int | None:
    """Where the question names ``unit``, or a thing measured in units of its ``category`` ("đất"
    for m² and ha); None: it names neither."""
    if not isinstance(unit, str):
        return None
    words = [w for w in [unit] if w.strip()] + [w for w, c in _measured_things() if c == category]
    at = [m.start() for w in words
          for m in re.finditer(rf"(?<!\w){re.escape(fold(w))}(?!\w)", q.unit_text)]
    return min(at, default=None)


def _unit_size(unit: object) -> float:
    """How many of its measure's smallest unit ``unit`` holds (1 for any other unit)."""
    return _unit_sizes().get(unit, 1.0) if isinstance(unit, str) else 1.0


@lru_cache(maxsize=1)
def _unit_sizes() -> dict[str, float]:
    return {r["unit"]: float(r["size"]) for r in data.rows("unit_sizes")}


@lru_cache(maxsize=1)
def _measured_things() -> tuple[tuple[str, str], ...]:
    return tuple((r["word"], r["category"]) for r in data.rows("measured_things"))


# --- figures of the evidence -------------------------------------------------------------------

def _figures(idx: Index, q: Question, top: list[dict]) -> tuple[list[dict], list[dict]]:
    """Amounts and counts of the evidence that answer the question.

    Money (for money questions, and shown for others): the amounts of the ";"-clauses that speak of
    the topic — the clause sharing most of the topic's words, and any other whose share is at least
    ``_CLAUSE_SHARE`` of it, or whose figure has the topic's purpose — not the other works a long
    report sentence lists. Counts (how many, most/least): counts whose unit, or the words right
    after them, share a word of the topic ("29 nền", "56 tập thể, 70 cá nhân"); comparisons show every count of
    the evidence, other questions the counts of the clauses whose amounts they show."""
    purpose = str(top[0]["topic_purpose"])
    amounts: list[dict] = []
    counts: list[dict] = []
    seen: set[str] = set()
    text_of = idx.article_texts
    for ev in top:
        d, s, e = ev["doc_id"], ev["start"], ev["end"]
        records = idx.figure_records(d)
        lo = bisect.bisect_left([r.start for r in records], s)
        f = [r for r in records[lo:] if r.start < e]
        if not f:
            continue
        article = text_of[d]
        clauses = split_clauses(article, s, e)
        share = {c: _concept_score(q, article[c[0]:c[1]]) for c in clauses}
        best = max(share.values(), default=0)

        money_kinds = _money_kinds(q)
        money = [(int(r.start), int(r.end)) for r in f if r.kind in money_kinds]
        for r in f:
            if r.figure_id in seen:
                continue
            c = next((c for c in clauses if c[0] <= int(r.start) < c[1]), clauses[0])
            on_topic = (not q.concepts  # "the largest budget": any amount is the topic
                        or (best > 0 and share[c] >= _CLAUSE_SHARE * best)
                        or (purpose != "other" and r.purpose == purpose))
            if r.kind in money_kinds:
                if not on_topic or (q.count and not q.money) or not r.amount_vnd:
                    continue  # (0 đồng is a name: "Tủ bánh mì 0 đồng")
                seen.add(r.figure_id)
                amounts.append({"vnd": int(r.amount_vnd), "vnd_max": _int_or_none(r.amount_max_vnd),
                                "qualifier": _str_or_none(r.qualifier), "display": r.display,
                                "expression": r.expression, "purpose": r.purpose, "doc_id": d,
                                "start": int(r.start),
                                "_rank": (True, purpose != "other" and r.purpose == purpose,
                                          _amount_share(q, article, c, money, int(r.start)))})
            elif r.kind == "count" or (r.kind == "percent" and (q.percent or q.compare)):
                # a money question shows the counts of its clauses too ("1 tỷ 500 triệu đồng,
                # xây mới 38 căn nhà"): what the money bought
                if (q.count or (q.rank and not q.money)) and not _counts_topic(
                        q, article, s, e, int(r.start), int(r.end), r.unit, r.category):
                    continue  # "how many houses": a count of houses, not of workdays
                if not (q.count or q.rank or q.compare) and not on_topic:
                    continue  # shown with a place: the counts of the clause that answers
                seen.add(r.figure_id)
                counts.append({"value": float(r.value), "unit": r.unit, "category": _str_or_none(r.category),
                               "purpose": r.purpose,
                               "qualifier": _str_or_none(r.qualifier),
                               "display": r.display, "expression": r.expression, "doc_id": d,
                               "start": int(r.start),
                               # what a ranking reads: a count of damage, or given for another end
                               "_damage": bool(q.rank) and _count_of_damage(article, c[0], int(r.start)),
                               "_end": bool(q.rank) and _count_for_another_end(q, article, c[0], int(r.start),
                                                                                int(r.end)),
                               "_rank": (_names_counted(q, _counted(article, int(r.start), int(r.end))),
                                         True, _concept_score(q, _lead(article, c, f, int(r.start), int(r.end))),
                                         share[c])})
    return amounts, counts


_CLAUSE_SHARE = 0.6


def _money_kinds(q: Question) -> tuple[str, ...]:
    """The figures that answer with money: amounts, and amounts for each unit ("50 triệu đồng/căn")
    when the question asks for that."""
    return ("money", "rate") if q.per_unit else ("money",)


def _amount_share(q: Question, article: str, clause: tuple[int, int], money: list[tuple[int, int]],
                  start: int) -> float:
    """How much of the topic an amount's own words hold: those from it to the next amount of its
    clause ("4 tỷ 320 triệu đồng xây mới 37 căn nhà …, cùng với 12,6 tỷ đồng … làm mới 46 km
    đường"), else, when it is its clause's first amount — the purpose written first — those
    before it ("xây 48 căn nhà, kinh phí hơn 2,4 tỷ đồng")."""
    a, b = clause
    after = min((s for s, _ in money if start < s < b), default=b)
    share = _concept_score(q, article[start:after])
    if share > 0 or any(a <= s < start for s, _ in money):
        return share
    return _concept_score(q, article[a:start])


def _lead(article: str, clause: tuple[int, int], figures: list, start: int, end: int) -> str:
    """A count with the words that lead to it from the figure before it in its clause: "xây mới
    37 căn nhà" and "và sửa chữa 52 căn nhà" — which of the two was built."""
    before = max((int(r.end) for r in figures if clause[0] <= int(r.end) <= start), default=clause[0])
    return article[before:end]


def _int_or_none(v: object) -> int | None:
    return None if v is None or pd.isna(v) else int(v)  # type: ignore[call-overload]


def _str_or_none(v: object) -> str | None:
    return v if isinstance(v, str) and v else None


def _value(q: Question, amounts: list[dict], counts: list[dict]) -> tuple[float | None, str | None, dict | None]:
    """The figure a most/least question ranks by and that figure: of the place's figures in the
    clauses that speak most of the topic ("cấp huyện … 1.200 lượt; cơ sở … 41.560 lượt" asked about
    district-level conferences), the largest; none when it has only an order of magnitude
    ("hàng nghìn lượt" is not 1.000 to rank by)."""
    amounts = [a for a in amounts if a.get("qualifier") != "order_of"]
    counts = [c for c in counts if c.get("qualifier") != "order_of"]
    figures, key = (amounts, "vnd") if q.money and amounts else (counts, "value")
    if not figures:
        return None, None, None
    # "_rank": (a count followed by the topic's word — "6.820 đơn vị máu" — before one merely near
    # it; an amount spent on the topic's purpose before one of its sentence spent on another; for a
    # count, how much of the topic the words leading to it hold — "xây mới 37 căn" before "sửa chữa
    # 52 căn"; how much of the topic the figure's clause, or an amount's own words, hold)
    most = max(f["_rank"] for f in figures)
    figures = [f for f in figures if f["_rank"] >= most]
    best = max(figures, key=lambda f: (f[key] * _unit_size(f.get("unit")), -f["start"]))
    return float(best[key]), best["display"], best


def _answer_span(idx: Index, q: Question, d: str, s: int, e: int, amounts: list[dict]) -> tuple[int, int]:
    """The ";"-clause of a sentence that answers: the one holding the first amount shown in it,
    else the one holding most of the question's concepts (who did it is named there)."""
    article = idx.article_texts[d]
    clauses = split_clauses(article, s, e) or [(s, e)]
    for a in amounts:
        hit = next((c for c in clauses if c[0] <= a["start"] < c[1]), None) if a["doc_id"] == d else None
        if hit:
            return hit
    return max(clauses, key=lambda c: _concept_score(q, article[c[0]:c[1]]))


def _answer_clause(idx: Index, q: Question, first: dict, amounts: list[dict]) -> str:
    d = first["doc_id"]
    a, b = _answer_span(idx, q, d, first["start"], first["end"], amounts)
    return idx.article_texts[d][a:b]


def _citation(idx: Index, q: Question, d: str, chunk: str, s: int, e: int, amounts: list[dict]) -> dict:
    """Where one piece of evidence stands: its article, chunk and the answering clause's offsets."""
    a, b = _answer_span(idx, q, d, s, e, amounts)
    return {"doc_id": d, "chunk_id": chunk, "start": a, "end": b, "quote": idx.article_texts[d][a:b]}


# who did it: a commune, ward or town, with its party or people's committee when named (a hamlet in
# the clause is more often where the help went than who gave it)
_ACTOR = re.compile(r"(?<!\w)((?:Đảng ủy |Đảng bộ |Chi bộ |UBND |Ủy ban nhân dân )?(?:xã|phường|thị trấn)"
                    r"\s+(?:[A-ZĐ][^\W\d_]*(?:\s+[A-ZĐ][^\W\d_]*){0,3}|\d+))")


def _actor(sentence: str, locality: str | None) -> str | None:
    """The commune, ward or hamlet the evidence names as doing it ("xã Phú Hữu"), if any."""
    for m in _ACTOR.finditer(sentence):
        name = m.group(1)
        if locality and fold(locality) in fold(name):
            continue
        return name
    return None


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
        dense = vecs @ idx.embed_queries([idx.for_embedder(q)])[0]
        q_terms = content_terms(q)
        lex = np.array([len(q_terms & content_terms(t)) for t in table["text"]], dtype=float)
        w = lexical_weight(idx.lexical.vocabulary_coverage(q))
        score = fuse(dense, lex, w)
        out = table.assign(score=np.round(score, 6)).sort_values(["score", "precedent_id"],
                                                                 ascending=[False, True])
    if k is not None:
        out = out.head(k)
    return out[PRECEDENT_COLUMNS].reset_index(drop=True)

