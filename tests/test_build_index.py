"""Build, open and search an index (hashing embedder, so these run in seconds)."""

import json
import shutil
import sqlite3

import numpy as np
import pandas as pd
import pytest

from conftest import CORPUS, FIXTURES
from search import open_index
from search.app.index import SEARCH_COLUMNS, StaleIndexWarning
from search.errors import EmbedderMismatchError, IndexCorruptError, IndexNotFoundError, QueryError, StaleIndexError
from search.indexing.build import build_index
from search.indexing.chunking import ChunkSettings, chunk_text


def words(text):
    return len(text.split()) + 2


# ---------------------------------------------------------------- chunking
def test_chunks_cover_paragraphs_without_cutting_sentences():
    from search.ingest.corpus import load_corpus
    from search.text.segment import sentence_spans

    for art in load_corpus(CORPUS):
        chunks = chunk_text(art.doc_id, art.text, words, ChunkSettings(max_tokens=80, min_tokens=20))
        ends = {e for _, e in sentence_spans(art.text)}
        starts = {s for s, _ in sentence_spans(art.text)}
        for c in chunks:
            assert art.text[c.start:c.end] == c.text
            assert c.start in starts and c.end in ends, c.chunk_id  # never mid-sentence
            assert c.n_tokens <= 80 or c.over_budget
        # every sentence is in exactly one chunk, in order
        covered = [(c.start, c.end) for c in chunks]
        assert covered == sorted(covered)
        assert all(a[1] <= b[0] for a, b in zip(covered, covered[1:]))
        for s, e in sentence_spans(art.text):
            assert sum(c.start <= s and e <= c.end for c in chunks) == 1


def test_chunk_ids_are_stable_and_ordered():
    text = "Tiêu đề bài\n\n" + "\n\n".join(f"Đoạn số {i} nói về việc hỗ trợ xây nhà cho hộ nghèo." for i in range(6))
    a = chunk_text("doc", text, words, ChunkSettings(max_tokens=30, min_tokens=5))
    b = chunk_text("doc", text, words, ChunkSettings(max_tokens=30, min_tokens=5))
    assert a == b
    assert [c.chunk_id for c in a] == [f"doc#{i:03d}" for i in range(len(a))]


def test_long_paragraph_is_split_between_sentences_into_similar_pieces():
    para = " ".join(f"Câu thứ {i} kể một việc làm cụ thể của chi bộ." for i in range(40))
    chunks = chunk_text("d", para, words, ChunkSettings(max_tokens=100, min_tokens=10))
    sizes = [c.n_tokens for c in chunks]
    assert len(chunks) >= 4 and max(sizes) <= 100
    assert max(sizes) - min(sizes) <= 25  # balanced, not a tail of one sentence


# ---------------------------------------------------------------- build
def test_build_writes_the_documented_files_and_tables(fake_index):
    names = {p.name for p in fake_index.iterdir()}
    assert {"manifest.json", "store.sqlite", "vectors.faiss", "lexical", "embeddings.sqlite",
            "sentences.npy", "precedents.npy"} <= names
    manifest = json.loads((fake_index / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["embedder"]["id"] == "fake:hash-64" and manifest["embedder"]["dim"] == 64
    assert manifest["counts"]["articles"] == 5
    assert {"numpy", "faiss-cpu", "bm25s", "pandas"} <= set(manifest["versions"])
    con = sqlite3.connect(fake_index / "store.sqlite")
    tables = {r[0] for r in con.execute("select name from sqlite_master")}
    assert {"articles", "chunks", "sentences", "figures", "precedents", "chunks_meta"} <= tables
    n = con.execute("select count(*) from chunks").fetchone()[0]
    assert n == manifest["counts"]["chunks"]
    assert not any(p.name.startswith(".index.tmp") for p in fake_index.parent.iterdir())


def test_rebuild_unchanged_is_skipped_and_forced_rebuild_embeds_nothing(fake_index):
    corpus = fake_index.parent / "corpus"
    again = build_index(corpus, fake_index, "fake")
    assert again.skipped and "up to date" in again.summary()
    forced = build_index(corpus, fake_index, "fake", force=True)
    assert not forced.skipped and forced.n_embedded == 0 and forced.n_texts > 0


def test_adding_an_article_embeds_only_its_texts(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    first = build_index(corpus, tmp_path / "index", "fake")
    # a named plain-text fixture (listdir order differs between file systems)
    shutil.copy(FIXTURES / "articles" / "chau_thanh_tay_ninh.txt", corpus / "zz_new.txt")
    second = build_index(corpus, tmp_path / "index", "fake")
    assert second.n_articles == first.n_articles + 1
    assert 0 < second.n_embedded < first.n_embedded


def test_same_corpus_gives_the_same_index(tmp_path, fake_index):
    corpus = fake_index.parent / "corpus"
    build_index(corpus, tmp_path / "other", "fake")
    a, b = open_index(fake_index), open_index(tmp_path / "other")
    pd.testing.assert_frame_equal(a.chunks, b.chunks)
    pd.testing.assert_frame_equal(a.figures, b.figures)
    assert np.array_equal(a.vectors.vectors, b.vectors.vectors)
    assert (fake_index / "vectors.faiss").read_bytes() == (tmp_path / "other" / "vectors.faiss").read_bytes()


def test_failed_build_leaves_the_previous_index_working(tmp_path, monkeypatch):
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    build_index(corpus, tmp_path / "index", "fake")
    before = open_index(tmp_path / "index").chunks
    (corpus / "zz.txt").write_text("Bài mới về hỗ trợ xây nhà.\n\nHuyện ủy Bình Sơn vận động xây 10 nhà cho hộ nghèo.", encoding="utf-8")

    import search.indexing.build as B

    def boom(*a, **k):
        raise KeyboardInterrupt  # as if killed midway

    monkeypatch.setattr(B, "_save_matrix", boom)
    with pytest.raises(KeyboardInterrupt):
        build_index(corpus, tmp_path / "index", "fake")
    after = open_index(tmp_path / "index", check_stale=False)
    pd.testing.assert_frame_equal(before, after.chunks)
    assert not after.search("xây nhà", k=3).empty
    assert [p.name for p in tmp_path.iterdir() if "tmp" in p.name] == []


def test_interrupted_swap_is_recovered(tmp_path, fake_index):
    shutil.copytree(fake_index, tmp_path / "index.old-123")
    idx = open_index(tmp_path / "index", check_stale=False)  # the swap's second rename never happened
    assert len(idx.chunks) > 0 and (tmp_path / "index").is_dir()


# ---------------------------------------------------------------- open / contract
def test_contract_columns(fake_index):
    idx = open_index(fake_index)
    assert idx.stale is False
    for col in ("doc_id", "title", "locality", "locality_level", "province", "directives", "period",
                "date", "author", "source"):
        assert col in idx.articles.columns
    assert len(idx.articles) == 5
    for col in ("chunk_id", "doc_id", "text", "start", "end", "locality", "province"):
        assert col in idx.chunks.columns
    res = idx.search("hỗ trợ xây nhà cho hộ nghèo", k=4)
    assert list(res.columns) == SEARCH_COLUMNS
    assert list(res["rank"]) == [1, 2, 3, 4]
    assert res["score"].is_monotonic_decreasing
    art = idx.articles.set_index("doc_id")
    for _, r in res.iterrows():  # offsets cite the article's cleaned text
        assert art.at[r.doc_id, "text"][r.start:r.end] == r.text


def test_a_search_before_the_chunks_are_loaded_shows_the_same_rows(fake_index):
    from search.indexing.store import read_chunk_rows

    queries = ["hỗ trợ xây nhà cho hộ nghèo", "which districts mobilized funds for housing", "khen thưởng"]
    first = []
    for q in queries:
        cold = open_index(fake_index)
        first.append(cold.search(q, k=6))
        assert "chunks" not in cold.__dict__  # read by rowid, not by loading every chunk
    cold.search(queries[0], k=6)
    assert "chunks" in cold.__dict__  # the second search loads the table once
    loaded = open_index(fake_index)
    assert len(loaded.chunks) > 6
    for q, before in zip(queries, first):
        pd.testing.assert_frame_equal(before, loaded.search(q, k=6))
    rows = [7, 0, 3]  # any order, as ranked
    part = read_chunk_rows(fake_index / "store.sqlite", rows)
    assert part is not None
    pd.testing.assert_frame_equal(part, loaded.chunks.iloc[rows].reset_index(drop=True), check_dtype=False)


def test_filters_restrict_results(fake_index):
    idx = open_index(fake_index)
    res = idx.search("học tập và làm theo Bác", k=20, where={"province": "an giang"})
    assert set(res["province"]) == {"An Giang"}
    res = idx.search("học tập và làm theo Bác", k=20, where=["directive=Chỉ thị 03"])
    assert set(res["doc_id"]) == {d for d, ds in zip(idx.articles.doc_id, idx.articles.directives) if "03-CT/TW" in ds}
    assert idx.search("xây nhà", where={"province": "Hà Giang"}).empty
    with pytest.raises(QueryError):
        idx.search("xây nhà", where=["colour=red"])
    with pytest.raises(QueryError):
        idx.search("xây nhà", where=["year=abc"])


@pytest.mark.parametrize("query,k", [("", 5), ("   ", 5), ("nhà", 0), ("nhà", -1), (None, 5)])
def test_bad_queries_raise(fake_index, query, k):
    with pytest.raises(QueryError):
        open_index(fake_index).search(query, k=k)


def test_missing_corrupt_and_mismatched_indexes(tmp_path, fake_index):
    with pytest.raises(IndexNotFoundError):
        open_index(tmp_path / "nowhere")
    broken = tmp_path / "broken"
    shutil.copytree(fake_index, broken)
    (broken / "manifest.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(IndexCorruptError):
        open_index(broken)
    shutil.rmtree(broken)
    shutil.copytree(fake_index, broken)
    (broken / "vectors.faiss").write_bytes(b"garbage")
    with pytest.raises(IndexCorruptError):
        open_index(broken, check_stale=False).search("nhà", k=2)
    with pytest.raises(EmbedderMismatchError):
        open_index(fake_index, embedder="fake:hash-32")


def test_freshness_trusts_the_recorded_fingerprint_only_while_no_corpus_file_was_written(tmp_path, monkeypatch):
    import os

    from search.ingest import corpus as corpus_mod

    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    build_index(corpus, tmp_path / "index", "fake")
    recorded = json.loads((tmp_path / "index" / "manifest.json").read_text(encoding="utf-8"))["corpus"]
    assert recorded["fingerprint"] == corpus_mod.corpus_fingerprint(corpus)
    hashed = []
    import search.indexing.layout as layout
    monkeypatch.setattr(layout, "corpus_fingerprint", lambda d: hashed.append(d) or corpus_mod.corpus_fingerprint(d))
    assert open_index(tmp_path / "index").stale is False
    assert hashed == []  # nothing written since the build: the bytes are not read again
    # the same size, another content, a new modification time: hashed, and stale
    victim = sorted(corpus.glob("*.txt"))[0]
    data = victim.read_bytes()
    victim.write_bytes(data.replace("huyện".encode(), "HUYỆN".encode(), 1))
    assert victim.stat().st_size == len(data)
    os.utime(victim, ns=(victim.stat().st_atime_ns, victim.stat().st_mtime_ns + 10**9))
    with pytest.warns(StaleIndexWarning):
        assert open_index(tmp_path / "index").stale is True
    assert len(hashed) == 1
    # touched back to the same bytes: hashed again, fresh
    victim.write_bytes(data)
    assert open_index(tmp_path / "index").stale is False
    assert len(hashed) == 2


def test_stale_index_is_flagged_and_strict_raises(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    build_index(corpus, tmp_path / "index", "fake")
    with open(corpus / "metadata.csv", "a", encoding="utf-8") as f:
        f.write("")  # unchanged content: still fresh
    assert open_index(tmp_path / "index").stale is False
    (corpus / "zz.txt").write_text("Tin mới về phong trào thi đua.\n\nNội dung bài viết mới có đủ câu.", encoding="utf-8")
    with pytest.warns(StaleIndexWarning, match="search build"):
        assert open_index(tmp_path / "index").stale is True
    with pytest.raises(StaleIndexError):
        open_index(tmp_path / "index", strict=True)


def test_query_vectors_survive_a_full_memo_evicting_them(fake_index):
    # the memo keeps the last 512 texts: a call holding a remembered text and enough new ones to
    # evict it must still answer with every vector, each the one its text gets alone
    idx = open_index(fake_index)
    first = idx.embed_queries(["nhà đại đoàn kết"])[0]
    idx.embed_queries([f"câu hỏi {i}" for i in range(511)])
    out = idx.embed_queries(["nhà đại đoàn kết", *[f"câu mới {i}" for i in range(600)]])
    assert out.shape[0] == 601 and np.allclose(out[0], first)
