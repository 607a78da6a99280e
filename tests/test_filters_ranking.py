"""Filters, fusion and snippets tested directly, so that a filter that matches everything or a
lexical weight stuck at one value fails here, not only in a notebook."""

import numpy as np
import pytest

from search import open_index
from search.app.index import snippet
from search.errors import QueryError
from search.retrieval.filters import matching_doc_ids, parse_where
from search.retrieval.ranking import (
    DEFAULT_RANKING,
    METHODS,
    RankingSettings,
    blend,
    fuse,
    lexical_weight,
    minmax,
)

# ---------------------------------------------------------------- ranking.py


def test_lexical_weight_follows_coverage():
    assert lexical_weight(0.0) == 0.0
    assert lexical_weight(1.0) == pytest.approx(DEFAULT_RANKING.w_max)
    ws = [lexical_weight(c) for c in np.linspace(0, 1, 11)]
    assert ws == sorted(ws) and len(set(ws)) == 11  # strictly growing, not a constant
    assert lexical_weight(0.5) == pytest.approx(DEFAULT_RANKING.w_max * 0.5 ** DEFAULT_RANKING.power)
    assert lexical_weight(2.0) == lexical_weight(1.0) and lexical_weight(-1) == 0.0  # clipped
    assert lexical_weight(1.0, RankingSettings(w_max=0.4)) == pytest.approx(0.4)


def test_minmax_blend_and_fuse():
    assert minmax(np.array([2.0, 4.0, 3.0])).tolist() == [0.0, 1.0, 0.5]
    assert minmax(np.array([3.0, 3.0])).tolist() == [1.0, 1.0]
    assert minmax(np.array([0.0, 0.0])).tolist() == [0.0, 0.0]
    assert minmax(np.array([])).size == 0
    assert blend(np.array([1.0]), np.array([0.0]), 0.25).tolist() == [0.75]
    dense, lex = np.array([0.9, 0.8, 0.1]), np.array([0.0, 10.0, 5.0])
    assert fuse(dense, lex, 0.0).tolist() == minmax(dense).tolist()  # w=0: the dense ranking
    assert fuse(dense, lex, 1.0).tolist() == minmax(lex).tolist()  # w=1: the lexical ranking
    assert np.argmax(fuse(dense, lex, 0.5)) == 1


def test_methods_are_one_list():
    from search.app import cli, evaluate

    assert set(METHODS) == {"hybrid", "dense", "lexical"}
    assert evaluate.METHODS is METHODS and cli.METHODS is METHODS


def test_hybrid_weight_depends_on_the_query(fake_index):
    idx = open_index(fake_index)
    # an English question: its lexical side is its Vietnamese translation, weighted by the share of
    # its words translated; with that weight at zero, hybrid is exactly dense
    en = "which districts mobilized funds for housing"
    assert idx.lexical.vocabulary_coverage(en) == pytest.approx(0.0, abs=0.2)
    weights, w = idx.lexical_query(en)
    assert any(t in weights for t in ("nhà", "~nha_o", "kinh")) and w > 0
    no_translation = RankingSettings(w_max_translated=0.0)
    assert (list(idx.search(en, k=8, settings=no_translation)["chunk_id"])
            == list(idx.search(en, k=8, method="dense")["chunk_id"]))
    # a Vietnamese question: mostly lexical, so its best chunk is the lexical one
    vi = "mô hình Ngôi nhà cấp ủy vận động xây mới và sửa chữa nhà"
    assert idx.lexical.vocabulary_coverage(vi) > 0.9
    assert idx.search(vi, k=1)["chunk_id"][0] == idx.search(vi, k=1, method="lexical")["chunk_id"][0]
    # the weight is a setting: a zero lexical weight makes the Vietnamese question dense too
    zero = RankingSettings(w_max=0.0)
    assert list(idx.search(vi, k=8, settings=zero)["chunk_id"]) == list(idx.search(vi, k=8, method="dense")["chunk_id"])


# ---------------------------------------------------------------- filters.py


def test_parse_where_forms():
    assert parse_where("province=An Giang") == {"province": "An Giang"}
    assert parse_where(["locality=An Phú", "year=2012"]) == {"locality": "An Phú", "year": "2012"}
    assert parse_where({"directive": "05"}) == {"directive": "05"}
    assert parse_where(None) == {}
    for bad in (["colour=red"], ["province"], ["year=20x1"], ["province="]):
        with pytest.raises(QueryError):
            parse_where(bad)


def test_locality_district_and_year_filters_select_only_matching_articles(fake_index):
    idx = open_index(fake_index)
    arts = idx.articles
    an_phu = set(arts.loc[arts["locality"] == "An Phú", "doc_id"])
    assert len(an_phu) == 1
    for value in ("An Phú", "an phu", "huyện An Phú"):
        assert matching_doc_ids(arts, {"locality": value}) == an_phu, value
    assert matching_doc_ids(arts, {"locality": "Bình Sơn"}).isdisjoint(an_phu)
    assert matching_doc_ids(arts, {"locality": "Hà Đông"}) == set()
    # a ward's district is its parent: phường Mỹ Thạnh lies in TP Long Xuyên
    long_xuyen = matching_doc_ids(arts, {"district": "TP Long Xuyên"})
    assert set(arts.loc[arts["locality"] == "Mỹ Thạnh", "doc_id"]) == long_xuyen
    # a year falls in the period a report covers: only the Chỉ thị 03 report covers 2012
    assert matching_doc_ids(arts, {"year": "2012"}) == an_phu
    assert matching_doc_ids(arts, {"year": "1999"}) == set()
    both = matching_doc_ids(arts, {"year": "2012", "province": "An Giang"})
    assert both == an_phu
    res = idx.search("học tập và làm theo Bác", k=30, where={"locality": "an phu"})
    assert set(res["doc_id"]) == an_phu


def test_figures_where_filters_figures(fake_index):
    idx = open_index(fake_index)
    all_figs = idx.figures_where()
    ag = idx.figures_where({"province": "An Giang"})
    assert 0 < len(ag) < len(all_figs)
    assert set(ag["province"]) == {"An Giang"}
    assert idx.figures_where(["locality=Bình Sơn"])["locality"].eq("Bình Sơn").all()
    assert idx.figures_where({"province": "Hà Giang"}).empty


def test_figures_keep_integer_dong(fake_index):
    import sqlite3

    idx = open_index(fake_index)
    money = idx.figures[idx.figures["kind"] == "money"]
    row = money[money["expression"].str.contains("6,2 tỷ")].iloc[0]
    assert row["amount_vnd"] == 6_200_000_000 and isinstance(int(row["amount_vnd"]), int)
    assert str(money["amount_vnd"].dtype) == "Int64"
    assert row["display"] == "hơn 6,2 tỷ đồng"
    con = sqlite3.connect(fake_index / "store.sqlite")
    kinds = {r[0] for r in con.execute("select typeof(amount_vnd) from figures where kind = 'money'")}
    assert kinds == {"integer"}


# ---------------------------------------------------------------- snippet


def test_snippet_picks_the_sentence_sharing_most_words():
    text = ("Huyện tổ chức hội nghị quán triệt. Mô hình Ngôi nhà cấp ủy đã xây 129 nhà cho hộ nghèo. "
            "Các chi bộ sinh hoạt định kỳ.")
    assert snippet(text, "ngoi nha cap uy") == "Mô hình Ngôi nhà cấp ủy đã xây 129 nhà cho hộ nghèo."
    assert snippet(text, "hội nghị") == "Huyện tổ chức hội nghị quán triệt."
    assert snippet(text, "zzz") == "Huyện tổ chức hội nghị quán triệt."  # no overlap: the first
    long = "Một câu rất dài " * 60
    out = snippet(long, "câu", width=50)
    assert len(out) <= 50 and out.endswith("…")
