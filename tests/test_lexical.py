"""Lexical (BM25) index over Vietnamese text with and without diacritics."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

import numpy as np
import pytest

from search.errors import IndexCorruptError, IndexNotFoundError, QueryError, StaleIndexError
from search.retrieval import lexical
from search.retrieval.lexical import LexicalIndex, query_tokens, query_weights, tokenize
from search.text.normalize import normalize

ROOT = Path(__file__).resolve().parents[1]

DOCS = [
    "Mô hình “Ngôi nhà cấp ủy” hỗ trợ xây mới 129 nhà cho hộ nghèo, với hơn 6,2 tỷ đồng.",  # 0
    "Huyện ủy tổ chức hội nghị học tập chuyên đề cho 1.156 lượt cán bộ chủ chốt.",  # 1
    "Chào cờ Tổ quốc, hát Quốc ca vào sáng thứ hai tuần đầu mỗi tháng.",  # 2
    "Hồ Chí Minh là tấm gương đạo đức sáng ngời.",  # 3
    "Hộ chi minh bạch các khoản thu trong năm.",  # 4: same folded syllables as 3, other diacritics
    "Nghèo về nhà ở không phải là vấn đề của hộ này, nhưng nhà văn hóa thì cần sửa.",  # 5: scattered
]


@pytest.fixture(scope="module")
def ix() -> LexicalIndex:
    return LexicalIndex.build(DOCS)


def test_tokenize_gives_exact_folded_and_bigrams():
    toks = tokenize("Nhà ở cho hộ nghèo")
    assert toks[:5] == ["nhà", "~nha", "ở", "~o", "~nha_o"]
    assert {"hộ", "~ho", "nghèo", "~ngheo", "~ho_ngheo"} <= set(toks)
    assert "~ban" in tokenize("bán") and "ban" not in tokenize("bán")  # namespaces kept apart


def test_tokenize_punctuation_numbers_and_unicode_forms():
    toks = tokenize("Hà Nội, Hải Phòng hỗ trợ 1.500.000 đồng (03-CT/TW)")
    assert "~noi_hai" not in toks  # no bigram across a comma
    assert "~ha_noi" in toks and "~hai_phong" in toks
    assert "1.500.000" in toks and "03" in toks and "ct" in toks and "tw" in toks
    decomposed = unicodedata.normalize("NFD", "Hội nghị học tập")
    assert tokenize(decomposed) == tokenize("Hội nghị học tập")
    assert tokenize("") == [] and tokenize("… — !") == []


def test_tokenize_without_bigrams():
    assert tokenize("hộ nghèo", bigrams=False) == ["hộ", "~ho", "nghèo", "~ngheo"]


def test_query_weights_prefer_exact_diacritics():
    w = query_weights("hộ nghèo")
    assert w["hộ"] == 1.0 and w["nghèo"] == 1.0
    assert w["~ho"] == lexical.FOLDED_WEIGHT < 1.0
    assert w["~ho_ngheo"] == lexical.BIGRAM_WEIGHT
    # typed without diacritics: only folded tokens, at full weight
    assert query_weights("ho ngheo") == {"~ho": 1.0, "~ngheo": 1.0, "~ho_ngheo": lexical.BIGRAM_WEIGHT}
    # old-style tone marks are normalised like the corpus
    assert "hòa" in query_weights("hoà bình")
    assert query_tokens("hộ nghèo") == list(query_weights("hộ nghèo"))


def test_build_produces_bm25s_scores(ix):
    bm25s = pytest.importorskip("bm25s")
    ref = bm25s.BM25(method="lucene")
    ref.index([tokenize(d) for d in DOCS], show_progress=False)
    for q in ("hộ nghèo", "ho ngheo", "nhà văn hóa", "Hồ Chí Minh", "1.156"):
        want = sum(w * ref.get_scores([t]) for t, w in query_weights(q).items() if t in ref.vocab_dict)
        assert np.allclose(ix.score(q), want, atol=1e-5), q


def test_search_basic(ix):
    s, r = ix.search("hội nghị học tập chuyên đề", 3)
    assert r[0] == 1 and s.dtype == np.float32 and r.dtype == np.int64
    assert (np.diff(s) <= 0).all() and (s > 0).all()
    # only matching rows come back
    s, r = ix.search("Quốc ca", 10)
    assert r.tolist() == [2]
    assert ix.search("zzzz qqqq", 5)[1].size == 0
    assert ix.search("", 5)[1].size == 0


def test_query_without_diacritics_matches(ix):
    assert ix.search("ngoi nha cap uy", 1)[1][0] == 0
    assert ix.search("chao co to quoc", 1)[1][0] == 2


def test_diacritics_decide_between_same_folded_forms(ix):
    assert ix.search("Hồ Chí Minh", 2)[1].tolist() == [3, 4]
    assert ix.search("hộ chi minh bạch", 2)[1].tolist() == [4, 3]
    s, r = ix.search("ho chi minh", 2)  # without diacritics both are candidates
    assert set(r.tolist()) == {3, 4}


def test_bigrams_reward_the_word_over_scattered_syllables(ix):
    # doc 5 has "nghèo", "nhà", "ở", "hộ" scattered; doc 0 has "hộ nghèo" as a word
    s, r = ix.search("hộ nghèo", 2)
    assert r[0] == 0
    s, r = ix.search("nha o", 1)  # "nhà ở" only in doc 5, as a word
    assert r[0] == 5


def test_allowed_filter(ix):
    allowed = np.zeros(len(DOCS), bool)
    allowed[[2, 4]] = True
    s, r = ix.search("hộ nghèo nhà", 10, allowed)
    assert set(r.tolist()) <= {2, 4}
    s, r = ix.search("hộ nghèo", 10, np.zeros(len(DOCS), bool))
    assert r.size == 0
    with pytest.raises(QueryError):
        ix.search("hộ", 3, np.ones(3, bool))
    with pytest.raises(QueryError):
        ix.search("hộ", 0)


def test_ties_are_broken_by_row():
    ix = LexicalIndex.build(["hộ nghèo", "hộ nghèo", "hộ nghèo"])
    s, r = ix.search("hộ nghèo", 2)
    assert r.tolist() == [0, 1] and s[0] == s[1]


def test_vocabulary_coverage(ix):
    assert ix.vocabulary_coverage("hội nghị học tập chuyên đề") == 1.0
    assert ix.vocabulary_coverage("hoi nghi hoc tap chuyen de") == 1.0
    assert ix.vocabulary_coverage("which conferences trained the key officials") == 0.0
    # function words do not count: "the", "of", "to" are also folded Vietnamese syllables
    assert ix.vocabulary_coverage("the flag of the nation to") == 0.0
    half = ix.vocabulary_coverage("Quốc ca anthem")
    assert half == pytest.approx(2 / 3)
    assert ix.vocabulary_coverage("") == 0.0
    assert ix.vocabulary_coverage("của các") == 1.0  # only stop words: judged on them


def test_save_load_roundtrip_and_bm25s_compatibility(ix, tmp_path):
    ix.save(tmp_path / "lex")
    back = LexicalIndex.load(tmp_path / "lex")
    for q in ("hộ nghèo", "ho ngheo", "Quốc ca"):
        assert np.array_equal(ix.score(q), back.score(q))
    assert back.vocabulary_coverage("hộ nghèo") == 1.0
    # the arrays are plain .npy (no pickle) and bm25s opens the folder
    for name in ("data.csc.index.npy", "indices.csc.index.npy", "indptr.csc.index.npy"):
        np.load(tmp_path / "lex" / name, allow_pickle=False)
    bm25s = pytest.importorskip("bm25s")
    ref = bm25s.BM25.load(tmp_path / "lex", allow_pickle=False)
    assert np.allclose(ref.get_scores(["~ngheo"]), ix.score("ngheo"))


def test_build_is_deterministic(tmp_path):
    texts = [normalize(p) for p in DOCS * 3]
    LexicalIndex.build(texts).save(tmp_path / "a")
    LexicalIndex.build(texts).save(tmp_path / "b")
    for f in sorted((tmp_path / "a").iterdir()):
        assert f.read_bytes() == (tmp_path / "b" / f.name).read_bytes(), f.name


def test_empty_corpus(tmp_path):
    ix = LexicalIndex.build([])
    assert len(ix) == 0 and ix.search("hộ nghèo", 5)[1].size == 0
    ix.save(tmp_path / "e")
    assert len(LexicalIndex.load(tmp_path / "e")) == 0
    ix = LexicalIndex.build(["", "…"])
    assert ix.search("hộ", 3)[1].size == 0 and ix.vocabulary_coverage("hộ") == 0.0
    with pytest.raises(TypeError):
        LexicalIndex.build("a string")


def test_load_errors(ix, tmp_path):
    with pytest.raises(IndexNotFoundError):
        LexicalIndex.load(tmp_path / "missing")
    ix.save(tmp_path / "lex")
    (tmp_path / "lex" / "data.csc.index.npy").write_bytes(b"not numpy")
    with pytest.raises(IndexCorruptError):
        LexicalIndex.load(tmp_path / "lex")
    ix.save(tmp_path / "old")
    meta = json.loads((tmp_path / "old" / "lexical.json").read_text())
    meta["tokenizer_version"] = 0
    (tmp_path / "old" / "lexical.json").write_text(json.dumps(meta))
    with pytest.raises(StaleIndexError, match="search build"):
        LexicalIndex.load(tmp_path / "old")


def test_seed_corpus_queries_find_their_paragraph():
    paras, docs = [], []
    for f in sorted((ROOT / "corpus").glob("*.txt")):
        for p in normalize(f.read_text(encoding="utf-8")).split("\n"):
            if len(p) >= 40:
                paras.append(p)
                docs.append(f.stem)
    ix = LexicalIndex.build(paras)
    for q, needle in [("mô hình Ngôi nhà cấp ủy", "Ngôi nhà cấp ủy"),
                      ("ngoi nha cap uy", "Ngôi nhà cấp ủy"),
                      ("phong trào Đồng khởi mới", "Đồng khởi mới"),
                      ("dong khoi moi hai chan ba mui", "Hai chân - Ba mũi")]:
        _, rows = ix.search(q, 3)
        assert any(needle in paras[r] for r in rows), q
