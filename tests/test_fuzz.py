"""Property-based fuzzing (hypothesis) of the inputs a user controls: queries, filters, article files.

Whatever the text or bytes: the library raises its own error (QueryError, CorpusError) or answers;
the CLI exits 0 or 2 with one line on stderr and never a traceback; and an answer with exit 0 is a
right one — ranks in order, scores finite and sorted, every passage exactly the article text at
its offsets; an ingested file is stored byte for byte and indexes; a refused one leaves the corpus
as it was.
"""

from __future__ import annotations

import json
import shutil
import tempfile
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from conftest import CORPUS
from search import open_index
from search.app.cli import main
from search.errors import CorpusError, QueryError, SearchWarning
from search.ingest.corpus import ingest_files, load_corpus

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# any code point, surrogates included (what Python makes of non-UTF-8 bytes on a command line)
any_text = st.text(alphabet=st.characters(blacklist_categories=()), max_size=60)
vietnamese = st.text(alphabet="aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ "
                     "0123456789,.?!-–“”()%", max_size=80)
queries = st.one_of(any_text, vietnamese, st.sampled_from(["xây nhà", "houses for poor families", "🙂", "?", "5"]))


@pytest.fixture(scope="module")
def idx(fake_index):
    return open_index(fake_index)


def assert_right_answer(idx, res, k: int) -> None:
    """An answer is well-formed and true to the index: best first, finite scores, exact passages."""
    assert len(res) <= k
    assert list(res["rank"]) == list(range(1, len(res) + 1))
    scores = res["score"].to_numpy(dtype=float)
    assert np.isfinite(scores).all() and (np.diff(scores) <= 1e-9).all()
    text = idx.articles.set_index("doc_id")["text"]
    chunks = idx.chunks.set_index("chunk_id")
    for row in res.itertuples():
        assert text[row.doc_id][row.start:row.end] == row.text == chunks.at[row.chunk_id, "text"]


@FUZZ
@given(query=queries, k=st.integers(1, 12), method=st.sampled_from(["hybrid", "dense", "lexical"]))
def test_search_answers_right_or_refuses(idx, query, k, method):
    try:
        res = idx.search(query, k=k, method=method)
    except QueryError:
        event("refused")
        return
    event("answered")
    assert_right_answer(idx, res, k)


@settings(max_examples=60, deadline=None)
@given(question=queries)
def test_ask_answers_or_refuses(idx, question):
    try:
        ans = idx.ask(question)
    except QueryError:
        event("refused")
        return
    event("answered")
    assert ans.empty or (np.diff(ans["score"].to_numpy(dtype=float)) <= 1e-9).all()
    assert set(ans["locality"]) <= set(idx.articles["locality"].dropna())


filter_values = st.one_of(st.none(), st.integers(-5, 3000), st.floats(allow_nan=True), any_text,
                          st.sampled_from(["An Giang", "an giang", "05", "Chỉ thị 05", "2012", "Bình Sơn"]),
                          st.lists(st.sampled_from(["An Giang", "Quảng Ngãi", "x"]), max_size=3))
filter_fields = st.one_of(st.sampled_from(["province", "locality", "directive", "year", "doc_id"]), any_text,
                          st.integers())
wheres = st.one_of(st.none(), st.integers(), any_text, st.binary(max_size=5),
                   st.dictionaries(filter_fields, filter_values, max_size=3),
                   st.lists(st.one_of(any_text, st.sampled_from(["province=An Giang", "year=2012", "year=20x"])),
                            max_size=3))


@FUZZ
@given(where=wheres)
def test_filters_filter_or_refuse(idx, where):
    try:
        res = idx.search("xây nhà cho hộ nghèo", k=50, where=where)
    except QueryError:
        event("refused")
        return
    event("filtered")
    assert_right_answer(idx, res, 50)
    if isinstance(where, dict) and where.get("province") in ("An Giang", "an giang"):
        assert set(res["province"]) <= {"An Giang"}


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=queries, command=st.sampled_from(["query", "ask", "precedents"]))
def test_cli_exits_0_or_2_with_one_line(capsys, fake_index, query, command):
    code = main([command, query, "--index", str(fake_index), "--format", "json"])
    out, err = capsys.readouterr()
    assert "Traceback" not in err and "unexpected error" not in err
    event(f"exit {code}")
    if code == 0:
        json.loads(out)  # a real answer
    else:
        assert code == 2 and len(err.strip().splitlines()) == 1 and out == ""


_WORDS = sorted({w for p in CORPUS.glob("*.txt") for w in p.read_text(encoding="utf-8").split() if w.isalpha()})
sentence = st.lists(st.sampled_from(_WORDS), min_size=6, max_size=30).map(lambda ws: " ".join(ws).capitalize() + ".")
junk = st.one_of(any_text, st.sampled_from(["🙂", "\x00", "\ufeff", "Huyá»‡n", "<b>", "&amp;", "\u200b", "\r\n"]))
paragraph = st.lists(st.one_of(sentence, sentence, junk), min_size=1, max_size=6).map(" ".join)
prose = st.builds(lambda title, ps: (title + "\n\n" + "\n\n".join(ps)).encode("utf-8", "surrogatepass"),
                  sentence, st.lists(paragraph, min_size=1, max_size=8))
articles = st.one_of(
    prose, prose,
    st.binary(max_size=400),
    any_text.map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.lists(vietnamese, min_size=1, max_size=12).map(lambda ps: "\n\n".join(ps).encode("utf-8")),
    st.builds(lambda head, body: (head + "\n\n" + body).encode("utf-8"), vietnamese,
              st.sampled_from([p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.txt"))])),
)


@settings(max_examples=120, deadline=None)
@given(data=articles, suffix=st.sampled_from([".txt", ".html"]), allow=st.booleans())
def test_ingest_stores_a_usable_article_or_refuses_and_writes_nothing(data, suffix, allow):
    with tempfile.TemporaryDirectory() as tmp:
        corpus = Path(tmp) / "corpus"
        shutil.copytree(CORPUS, corpus)
        before = {p.name: p.read_bytes() for p in corpus.iterdir()}
        src = Path(tmp) / f"fuzzed article{suffix}"
        src.write_bytes(data)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SearchWarning)
            try:
                ids = ingest_files([src], corpus, allow_duplicate=allow)
            except CorpusError as exc:
                event("refused: " + str(exc).split(": ", 1)[-1][:30])
                assert {p.name: p.read_bytes() for p in corpus.iterdir()} == before
                return
            event("ingested")
            assert ids == ["fuzzed-article"]
            assert (corpus / f"fuzzed-article{suffix}").read_bytes() == data
            arts = {a.doc_id: a for a in load_corpus(corpus)}  # and the build can read it
        assert arts["fuzzed-article"].text.strip()
