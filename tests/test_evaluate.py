"""Metrics, judging and loading of the evaluation module, and the shipped query set itself."""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from pathlib import Path

import pandas as pd
import pytest

from search.app.evaluate import (
    EvalQuery,
    Relevant,
    check_quotes,
    dcg_at_k,
    evaluate,
    evaluate_per_query,
    judge,
    load_queries,
    match_passages,
    mrr_at_k,
    ndcg_at_k,
    passage_gains,
    recall_at_k,
    score_query,
)
from search.errors import InputError, SearchError
from search.text.normalize import normalize

ROOT = Path(__file__).resolve().parents[1]
QUERIES = ROOT / "eval" / "queries.jsonl"
CORPUS = ROOT / "corpus"


def _q(*rel: tuple[str, str, int], qid: str = "q1", lang: str = "en") -> EvalQuery:
    return EvalQuery(
        id=qid, lang=lang, query="test", relevant=tuple(Relevant(d, normalize(t), g) for d, t, g in rel)
    )


# --------------------------------------------------------------------------------------------
# metrics against hand-computed values


def test_mrr_first_relevant_at_rank_3():
    assert mrr_at_k([0, 0, 2, 1, 0], 10) == pytest.approx(1 / 3)
    assert mrr_at_k([0, 0, 1], 10) == pytest.approx(1 / 3)  # grade 1 counts as relevant
    assert mrr_at_k([2, 0, 0], 10) == 1.0
    assert mrr_at_k([0, 0, 2], 2) == 0.0  # outside the cut-off
    assert mrr_at_k([], 10) == 0.0


def test_recall_counts_each_passage_once():
    # 3 relevant passages; chunk 1 holds passage 0, chunk 3 holds 0 again, chunk 4 holds 2
    matches = [(0,), (), (0,), (2,), (1,)]
    assert recall_at_k(matches, 3, 5) == 1.0
    assert recall_at_k(matches, 3, 4) == pytest.approx(2 / 3)
    assert recall_at_k(matches, 3, 3) == pytest.approx(1 / 3)
    assert recall_at_k([(0, 1)], 2, 5) == 1.0  # one chunk holding both
    assert recall_at_k([], 2, 5) == 0.0
    with pytest.raises(ValueError):
        recall_at_k([(0,)], 0, 5)


def test_perfect_ranking_scores_one():
    grades = [2, 2, 1]
    matches = [(0,), (1,), (2,), (), ()]
    gains = passage_gains(matches, grades, 10)
    assert gains == [2, 2, 1, 0, 0]
    assert ndcg_at_k(gains, grades, 10) == pytest.approx(1.0)
    assert recall_at_k(matches, 3, 5) == 1.0
    assert mrr_at_k([2, 2, 1, 0, 0], 10) == 1.0


def test_ndcg_graded_by_hand():
    # relevant passages graded 2 and 1; retrieved: nothing, the grade-1 passage, nothing, grade-2
    gains = [0, 1, 0, 2]
    dcg = 1 / math.log2(3) + 2 / math.log2(5)  # 0.63093 + 0.86135
    idcg = 2 / math.log2(2) + 1 / math.log2(3)  # 2 + 0.63093
    assert dcg_at_k(gains, 10) == pytest.approx(dcg)
    assert ndcg_at_k(gains, [2, 1], 10) == pytest.approx(dcg / idcg)
    assert ndcg_at_k(gains, [2, 1], 10) == pytest.approx(0.567207, abs=1e-6)  # 1.49228 / 2.63093
    # cut-off at 3 drops the grade-2 chunk
    assert ndcg_at_k(gains, [2, 1], 3) == pytest.approx((1 / math.log2(3)) / idcg)
    # wrong order: grade 1 first, then grade 2 = (1 + 2/log2 3) / (2 + 1/log2 3)
    assert ndcg_at_k([1, 2], [2, 1], 10) == pytest.approx((1 + 2 / math.log2(3)) / idcg)
    assert ndcg_at_k([0, 0], [2], 10) == 0.0
    with pytest.raises(ValueError):
        ndcg_at_k([1], [], 10)


def test_ideal_dcg_uses_all_relevant_passages_up_to_k():
    # 12 relevant passages, cut-off 10: the ideal has 10 of them
    grades = [2] * 12
    assert ndcg_at_k([2] * 10, grades, 10) == pytest.approx(1.0)
    # one passage found at rank 1 out of two relevant: 2 / (2 + 2/log2 3)
    assert ndcg_at_k([2], [2, 2], 10) == pytest.approx(2 / (2 + 2 / math.log2(3)))


def test_passage_gains_duplicates_and_multi_passage_chunks():
    grades = [2, 1, 2]
    # chunk 1 holds passages 1 and 0, chunk 2 repeats passage 0, chunk 3 holds passage 2
    gains = passage_gains([(1, 0), (0,), (2,)], grades, 10)
    assert gains == [2, 1, 0, 2]
    # never above 1, even when every chunk repeats the same answer
    assert ndcg_at_k(passage_gains([(0,)] * 10, [2], 10), [2], 10) == 1.0
    # truncated at k positions
    assert passage_gains([(0, 1, 2)], grades, 2) == [2, 2]
    # one chunk containing both answers is a perfect ranking
    assert ndcg_at_k(passage_gains([(0, 1)], [2, 2], 10), [2, 2], 10) == pytest.approx(1.0)


def test_metrics_reject_bad_k():
    for k in (0, -1, 1.5, True):
        with pytest.raises(ValueError):
            mrr_at_k([1], k)
        with pytest.raises(ValueError):
            dcg_at_k([1], k)


# --------------------------------------------------------------------------------------------
# judging


def test_judge_max_grade_doc_and_normalisation():
    q = _q(
        ("A", "đã vận động được hơn 6,2 tỷ đồng", 2),
        ("A", "hỗ trợ xây mới và sửa chữa 129 nhà", 1),
        ("B", "khám và cấp thuốc miễn phí", 1),
    )
    texts = [
        "Mô hình “Ngôi nhà cấp ủy”, qua 4 năm đã vận động được hơn 6,2 tỷ đồng,\nhỗ trợ xây mới",
        "Sau đó   hỗ trợ xây mới và sửa chữa 129 nhà cho gia đình",  # extra spaces collapse
        "khám và cấp thuốc miễn phí cho 2.620 người",  # right text, wrong article
        "khám và cấp thuốc miễn phí cho 2.620 người",
        "đã vận động được hơn 6,2 tỷ đồng; hỗ trợ xây mới và sửa chữa 129 nhà",
        "nothing here",
    ]
    docs = ["A", "A", "A", "B", "A", "B"]
    assert judge(texts, docs, q) == [2, 1, 0, 1, 2, 0]
    assert match_passages(texts, docs, q) == [(0,), (1,), (), (2,), (0, 1), ()]


def test_judge_matches_old_style_tone_marks_and_nfd():
    import unicodedata

    q = _q(("A", "Đảng ủy xã Phú Hữu", 2))
    old_style = unicodedata.normalize("NFD", "Đảng uỷ xã Phú Hữu gây quỹ")
    assert judge([old_style], ["A"], q) == [2]


def test_judge_with_duplicate_chunks_counts_once_for_recall():
    q = _q(("A", "khu nghĩa địa vượt lũ", 2), ("B", "đường Nguyễn Hữu Cảnh", 2))
    texts = ["xây dựng khu nghĩa địa vượt lũ", "xây dựng khu nghĩa địa vượt lũ", "không liên quan"]
    docs = ["A", "A", "B"]
    assert judge(texts, docs, q) == [2, 2, 0]
    row = score_query(texts, docs, q, k=10, recall_k=5)
    assert row["recall@5"] == 0.5
    assert row["found@5"] == 1
    assert row["mrr@10"] == 1.0
    # the duplicate earns nothing: gains [2, 0, 0] against ideal [2, 2]
    assert row["ndcg@10"] == pytest.approx(2 / (2 + 2 / math.log2(3)))
    assert row["missed"] == ["B: đường Nguyễn Hữu Cảnh"]
    assert row["first_rank"] == 1


def test_judge_length_mismatch():
    with pytest.raises(ValueError):
        judge(["a", "b"], ["A"], _q(("A", "some quote here", 2)))


# --------------------------------------------------------------------------------------------
# loading


def _write(tmp_path: Path, lines: list[str]) -> Path:
    p = tmp_path / "q.jsonl"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p


def _line(**kw) -> str:
    obj = {
        "id": "en-01",
        "lang": "en",
        "query": "free health checks",
        "relevant": [{"doc_id": "d1", "quote": "khám và cấp thuốc miễn phí", "grade": 2}],
        "note": "",
    }
    obj.update(kw)
    return json.dumps(obj, ensure_ascii=False)


def test_load_queries_ok(tmp_path):
    p = _write(tmp_path, [_line(), "", _line(id="vi-01", lang="vi", topic="health", extra_field=1)])
    qs = load_queries(p)
    assert [q.id for q in qs] == ["en-01", "vi-01"]
    assert qs[0].relevant[0] == Relevant("d1", "khám và cấp thuốc miễn phí", 2)
    assert qs[1].topic == "health" and qs[1].extra == {"extra_field": 1}


@pytest.mark.parametrize(
    "bad, fragment",
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "expected a JSON object"),
        (_line(lang="fr"), "'lang' must be one of"),
        (_line(query="  "), "'query' must be a non-empty string"),
        (_line(relevant=[]), "'relevant' must be a non-empty list"),
        (_line(relevant="x"), "'relevant' must be a non-empty list"),
        (_line(relevant=[{"doc_id": "d1", "quote": "abc", "grade": 3}]), "'grade' must be 1 or 2"),
        (_line(relevant=[{"doc_id": "d1", "quote": "abc", "grade": True}]), "'grade' must be 1 or 2"),
        (_line(relevant=[{"doc_id": "d1", "quote": "", "grade": 2}]), "'quote' must be a non-empty"),
        (_line(relevant=[{"quote": "abc", "grade": 2}]), "'doc_id' must be a non-empty"),
        (
            _line(relevant=[{"doc_id": "d", "quote": "abc", "grade": 2}, {"doc_id": "d", "quote": "abc", "grade": 1}]),
            "listed twice",
        ),
        (_line(id="en-01"), "duplicate query id 'en-01' (first on line 1)"),
    ],
)
def test_load_queries_errors_name_file_and_line(tmp_path, bad, fragment):
    p = _write(tmp_path, [_line(), bad])
    with pytest.raises(InputError) as exc:
        load_queries(p)
    msg = str(exc.value)
    assert msg.startswith(f"{p}:2: "), msg
    assert fragment in msg
    assert exc.value.line == 2 and exc.value.path == str(p)
    assert exc.value.exit_code == 2


def test_load_queries_file_errors(tmp_path):
    with pytest.raises(InputError, match="not found"):
        load_queries(tmp_path / "missing.jsonl")
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n\n", encoding="utf-8")
    with pytest.raises(InputError, match="no queries"):
        load_queries(empty)
    latin = tmp_path / "latin.jsonl"
    latin.write_bytes((_line() + "\n").encode() + '{"id": "kh\xe1m"}\n'.encode("latin-1"))
    with pytest.raises(InputError, match=r":2: not valid UTF-8"):
        load_queries(latin)
    with pytest.raises(InputError, match="directory"):
        load_queries(tmp_path)


# --------------------------------------------------------------------------------------------
# evaluate with a fake search function


def _fake_search(corpus: dict[str, list[str]], table: dict[tuple[str, str], list[tuple[str, int]]]):
    def search_fn(query: str, method: str, k: int) -> pd.DataFrame:
        rows = [
            {"chunk_id": f"{d}#{i}", "doc_id": d, "text": corpus[d][i]} for d, i in table[(query, method)]
        ]
        return pd.DataFrame(rows[:k], columns=["chunk_id", "doc_id", "text"])

    return search_fn


def test_evaluate_rows_and_values():
    corpus = {"A": ["nhà cho hộ nghèo", "không liên quan", "khám bệnh miễn phí"], "B": ["trẻ mồ côi", "khác"]}
    q1 = EvalQuery("en-1", "en", "housing", (Relevant("A", "nhà cho hộ nghèo", 2),))
    q2 = EvalQuery("vi-1", "vi", "mồ côi", (Relevant("B", "trẻ mồ côi", 2),))
    table = {
        ("housing", "lexical"): [("A", 1), ("B", 1), ("A", 0)],  # rank 3
        ("housing", "dense"): [("A", 0)],
        ("mồ côi", "lexical"): [("B", 0)],
        ("mồ côi", "dense"): [("A", 2)] * 6 + [("B", 0)],  # rank 7: outside recall@5
    }
    fn = _fake_search(corpus, table)
    summary = evaluate(fn, [q1, q2], k=10, methods=("lexical", "dense"))
    assert list(summary.columns) == ["method", "lang", "n", "recall@5", "mrr@10", "ndcg@10"]
    assert list(zip(summary["method"], summary["lang"])) == [
        ("lexical", "en"), ("lexical", "vi"), ("lexical", "all"),
        ("dense", "en"), ("dense", "vi"), ("dense", "all"),
    ]
    s = summary.set_index(["method", "lang"])
    assert s.loc[("lexical", "en"), "mrr@10"] == pytest.approx(1 / 3)
    assert s.loc[("lexical", "en"), "ndcg@10"] == pytest.approx(1 / math.log2(4))
    assert s.loc[("lexical", "all"), "mrr@10"] == pytest.approx((1 / 3 + 1) / 2)
    assert s.loc[("lexical", "all"), "n"] == 2
    assert s.loc[("dense", "vi"), "recall@5"] == 0.0
    assert s.loc[("dense", "vi"), "mrr@10"] == pytest.approx(1 / 7)
    assert s.loc[("dense", "all"), "recall@5"] == 0.5

    per = evaluate_per_query(fn, [q1, q2], methods=("dense",))
    assert list(per["id"]) == ["en-1", "vi-1"]
    assert per.loc[1, "first_rank"] == 7
    assert per.loc[1, "grades"] == [0] * 6 + [2]


def test_evaluate_rejects_bad_search_results():
    q = EvalQuery("en-1", "en", "x", (Relevant("A", "quote text", 2),))
    with pytest.raises(SearchError, match="no column"):
        evaluate(lambda t, m, k: pd.DataFrame({"doc_id": ["A"]}), [q], methods=("lexical",))
    with pytest.raises(SearchError, match="expected a DataFrame"):
        evaluate(lambda t, m, k: None, [q], methods=("lexical",))
    with pytest.raises(ValueError):
        evaluate(lambda t, m, k: None, [], methods=("lexical",))


def test_evaluate_asks_for_at_least_recall_depth():
    asked = []

    def fn(text, method, k):
        asked.append(k)
        return pd.DataFrame(columns=["chunk_id", "doc_id", "text"])

    q = EvalQuery("en-1", "en", "x", (Relevant("A", "quote text", 2),))
    evaluate(fn, [q], k=3, methods=("hybrid",))
    assert asked == [5]


# --------------------------------------------------------------------------------------------
# the shipped query set


@pytest.fixture(scope="module")
def shipped():
    return load_queries(QUERIES)


@pytest.fixture(scope="module")
def seed_texts():
    return {p.stem: normalize(p.read_text(encoding="utf-8")) for p in sorted(CORPUS.glob("*.txt"))}


def test_shipped_quotes_are_in_their_seed_articles(shipped, seed_texts):
    assert check_quotes(shipped, seed_texts) == []
    # and, as raw lines, each quote lies inside one paragraph (line) of the normalised file
    raw = [json.loads(ln) for ln in QUERIES.read_text(encoding="utf-8").splitlines() if ln.strip()]
    for obj in raw:
        for r in obj["relevant"]:
            quote = normalize(r["quote"])
            text = seed_texts[r["doc_id"]]
            assert quote in text, (obj["id"], quote)
            assert sum(quote in line for line in text.split("\n")) == 1, (obj["id"], quote)
            assert 20 <= len(quote) <= 120, (obj["id"], len(quote))
            # inside one sentence / clause, so a sentence-aware chunker cannot cut through it
            assert not re.search(r"[.!?…;]\s", quote) and ";" not in quote, (obj["id"], quote)
            assert r["grade"] in (1, 2)


def test_shipped_language_counts(shipped):
    counts = Counter(q.lang for q in shipped)
    assert len(shipped) >= 40
    assert counts["en"] >= 14
    assert counts["vi"] >= 14
    assert counts["vi-nodiac"] >= 12
    for q in shipped:
        if q.lang == "vi-nodiac":
            assert q.query.isascii(), q.id
        if q.lang == "en":
            assert q.query.isascii(), q.id
    # every query has at least one passage that answers it
    assert all(max(q.grades) == 2 for q in shipped)


def test_shipped_file_is_plain_utf8_jsonl():
    text = QUERIES.read_text(encoding="utf-8")
    assert "\\u" not in text  # written with ensure_ascii=False
    assert text.endswith("\n")
