"""The corpus folder: loading, metadata.csv corrections, bad input, ingest, fingerprint."""

import shutil
from pathlib import Path

import pytest

from search.errors import CorpusError
from search.ingest.clean import CleanArticle
from search.ingest.corpus import (
    CSV_COLUMNS,
    Article,
    article_text,
    corpus_fingerprint,
    ingest_files,
    load_corpus,
    read_overrides,
    slugify,
)
from search.ingest.metadata import META_KEYS

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "corpus"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SEED_IDS = ["000_de9fd5cf185cd21c", "001_dc1a175334cc5c87", "002_900c90f4443c64ea",
            "003_c22ee129dd39878b", "004_91bb1a689af458d2"]


@pytest.fixture(scope="module")
def seeds() -> list[Article]:
    return load_corpus(SEEDS)


@pytest.fixture
def corpus(tmp_path) -> Path:
    """A writable copy of the seed corpus."""
    dst = tmp_path / "corpus"
    shutil.copytree(SEEDS, dst)
    for p in dst.iterdir():
        p.chmod(0o644)
    return dst


def _write_csv(corpus: Path, text: str) -> None:
    (corpus / "metadata.csv").write_text(text, encoding="utf-8")


# --- loading the seeds ----------------------------------------------------------------------------


def test_seeds_load_sorted_with_metadata(seeds):
    assert [a.doc_id for a in seeds] == SEED_IDS
    for a in seeds:
        assert set(a.meta) == set(META_KEYS)
        assert Path(a.path).name == f"{a.doc_id}.txt"
    provinces = [a.meta["province"] for a in seeds]
    assert provinces == ["An Giang", "Quảng Ngãi", "Bắc Kạn", "An Giang", "Bến Tre"]


def test_text_is_title_and_paragraphs_with_offsets(seeds):
    for a in seeds:
        parts = a.text.split("\n\n")
        assert parts[0] == a.title == a.meta["title"]
        assert parts[1:] == a.paragraphs
        assert a.text[a.title_span[0]:a.title_span[1]] == a.title
        for (start, end), p in zip(a.paragraph_spans, a.paragraphs):
            assert a.text[start:end] == p


def test_article_text_shape():
    clean = CleanArticle(title="T", paragraphs=["a", "b"])
    assert article_text(clean) == "T\n\na\n\nb"


def test_loading_is_deterministic(seeds):
    again = load_corpus(SEEDS)
    assert [(a.doc_id, a.text, a.meta) for a in again] == [(a.doc_id, a.text, a.meta) for a in seeds]


def test_seed_metadata_csv_has_a_row_per_seed_and_no_corrections():
    assert read_overrides(SEEDS / "metadata.csv", set(SEED_IDS)) == {d: {} for d in SEED_IDS}
    header = (SEEDS / "metadata.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.split(",") == list(CSV_COLUMNS)


def test_fixture_folder_with_html_loads(tmp_path):
    dst = tmp_path / "c"
    shutil.copytree(FIXTURES / "articles", dst)
    arts = {a.doc_id: a for a in load_corpus(dst)}
    assert arts["chau_thanh_long_an"].meta["province"] == "Long An"
    assert "Trang chủ" not in arts["chau_thanh_long_an"].text


# --- metadata.csv corrections -------------------------------------------------------------------


def test_csv_wins_over_extraction(corpus):
    _write_csv(corpus, "doc_id,province,directives,title,period_start,period_end\n"
                       "002_900c90f4443c64ea,,05-CT/TW;3-ct/tw,Chợ Mới: 5 năm làm theo Bác,2016,2021\n"
                       "000_de9fd5cf185cd21c,Bến Tre,,,,\n")
    arts = {a.doc_id: a for a in load_corpus(corpus)}
    a2 = arts["002_900c90f4443c64ea"]
    assert a2.meta["province"] == "Bắc Kạn"              # empty cell: no correction
    assert a2.meta["directives"] == ["05-CT/TW", "03-CT/TW"]
    assert a2.meta["title"] == a2.title == "Chợ Mới: 5 năm làm theo Bác"
    assert a2.text.startswith("Chợ Mới: 5 năm làm theo Bác\n\n")
    assert (a2.meta["period"], a2.meta["period_years"]) == ("2016–2021", 6)
    assert "title_derived" not in a2.meta["flags"]
    assert "csv_override:directives,period_end,period_start,title" in a2.meta["flags"]
    a0 = arts["000_de9fd5cf185cd21c"]
    assert (a0.meta["province"], a0.meta["province_new"]) == ("Bến Tre", "Vĩnh Long")
    assert arts["001_dc1a175334cc5c87"].meta["flags"] == []  # no row, untouched


def test_csv_province_clears_the_ambiguity_flag(tmp_path):
    dst = tmp_path / "c"
    dst.mkdir()
    shutil.copy(FIXTURES / "articles" / "no_province.txt", dst)
    _write_csv(dst, "doc_id,province\nno_province,Long An\n")
    meta = load_corpus(dst)[0].meta
    assert (meta["province"], meta["province_new"], meta["locality"]) == ("Long An", "Tây Ninh", "Tân Phú")
    assert meta["district"] == "Đức Hòa"  # xã Tân Phú is unique within Long An
    assert meta["locality_new"]
    assert not any(f.startswith(("ambiguous", "province_candidates")) for f in meta["flags"])


@pytest.mark.parametrize("csv_text, line, message", [
    ("doc_id,provinc\n", 1, "unknown column 'provinc'"),
    ("province\nBến Tre\n", 1, "no 'doc_id' column"),
    ("doc_id,province\n000_de9fd5cf185cd21c,An Giang\nnot_there,An Giang\n", 3, "not an article"),
    ("doc_id,province\n000_de9fd5cf185cd21c,An Giang\n\n000_de9fd5cf185cd21c,Bến Tre\n", 4,
     "already has a row"),
    ("doc_id,province\n000_de9fd5cf185cd21c,An Giang,extra\n", 2, "expected 2 cells"),
    ("doc_id,period_start\n000_de9fd5cf185cd21c,hai nghìn\n", 2, "not a whole number"),
    ("doc_id,date\n000_de9fd5cf185cd21c,31/02/2020\n", 2, "not a date"),
    ("doc_id,locality_level\n000_de9fd5cf185cd21c,tỉnh\n", 2, "not one of"),
    ("doc_id,directives\n000_de9fd5cf185cd21c,Chỉ thị năm\n", 2, "not a directive"),
    ('doc_id,province\n000_de9fd5cf185cd21c,"An Giang\n', 2, "malformed CSV"),
])
def test_malformed_csv_names_file_and_line(corpus, csv_text, line, message):
    _write_csv(corpus, csv_text)
    with pytest.raises(CorpusError, match=message) as err:
        load_corpus(corpus)
    assert err.value.path.endswith("metadata.csv") and err.value.line == line
    assert f"metadata.csv:{line}:" in str(err.value)


def test_csv_not_utf8(corpus):
    # a Windows-1258 export: "Bến Tre" as ê (0xEA) + combining acute (0xEC)
    (corpus / "metadata.csv").write_bytes(b"doc_id,province\n000_de9fd5cf185cd21c,B\xea\xecn Tre\n")
    with pytest.raises(CorpusError, match="not valid UTF-8") as err:
        load_corpus(corpus)
    assert err.value.line == 2


def test_csv_with_excel_bom_is_fine(corpus):
    (corpus / "metadata.csv").write_bytes("\ufeffdoc_id,author\n000_de9fd5cf185cd21c,H. Như\n".encode())
    assert load_corpus(corpus)[0].meta["author"] == "H. Như"


# --- bad articles ---------------------------------------------------------------------------------


def test_non_utf8_article_names_file_and_line(corpus):
    (corpus / "bad.txt").write_bytes("Tiêu đề\nHuyện ủy Châu Thành\n".encode() + b"\xe0\xe1 x\n")
    with pytest.raises(CorpusError, match="not valid UTF-8") as err:
        load_corpus(corpus)
    assert err.value.path.endswith("bad.txt") and err.value.line == 3


@pytest.mark.parametrize("content", [b"", b"  \n\n\xc2\xa0\n"])
def test_empty_article(corpus, content):
    (corpus / "empty.txt").write_bytes(content)
    with pytest.raises(CorpusError, match="empty") as err:
        load_corpus(corpus)
    assert err.value.path.endswith("empty.txt")


def test_only_boilerplate_article(corpus):
    shutil.copy(FIXTURES / "bad" / "only_boilerplate.txt", corpus)
    with pytest.raises(CorpusError, match="only_boilerplate.txt: no article text"):
        load_corpus(corpus)


def test_duplicate_doc_id(corpus):
    shutil.copy(FIXTURES / "articles" / "chau_thanh_long_an.html", corpus / "000_de9fd5cf185cd21c.html")
    with pytest.raises(CorpusError, match="duplicate doc_id '000_de9fd5cf185cd21c'"):
        load_corpus(corpus)


def test_missing_corpus_folder(tmp_path):
    with pytest.raises(CorpusError, match="not found"):
        load_corpus(tmp_path / "nope")


# --- ingest ---------------------------------------------------------------------------------------


def test_ingest_copies_bytes_and_adds_a_csv_row(corpus, tmp_path):
    src = tmp_path / "Bài Châu Thành (Tây Ninh).txt"
    shutil.copy(FIXTURES / "articles" / "chau_thanh_tay_ninh.txt", src)
    html = FIXTURES / "articles" / "chau_thanh_long_an.html"
    before = (corpus / "metadata.csv").read_text(encoding="utf-8")
    ids = ingest_files([src, html], corpus)
    assert ids == ["bai-chau-thanh-tay-ninh", "chau_thanh_long_an"]
    assert (corpus / "bai-chau-thanh-tay-ninh.txt").read_bytes() == src.read_bytes()
    assert (corpus / "chau_thanh_long_an.html").read_bytes() == html.read_bytes()
    after = (corpus / "metadata.csv").read_text(encoding="utf-8")
    assert after.startswith(before)
    commas = "," * len(META_KEYS)  # one empty cell per metadata column
    assert after[len(before):] == f"bai-chau-thanh-tay-ninh{commas}\nchau_thanh_long_an{commas}\n"
    arts = {a.doc_id: a for a in load_corpus(corpus)}
    assert arts["bai-chau-thanh-tay-ninh"].meta["province"] == "Tây Ninh"
    # the same file again is accepted and changes nothing
    fp = corpus_fingerprint(corpus)
    assert ingest_files([src], corpus) == ["bai-chau-thanh-tay-ninh"]
    assert corpus_fingerprint(corpus) == fp


def test_ingest_writes_nothing_if_any_input_is_bad(corpus, tmp_path):
    good = FIXTURES / "articles" / "cho_moi_an_giang.txt"
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe")
    fp = corpus_fingerprint(corpus)
    with pytest.raises(CorpusError, match="bad.txt"):
        ingest_files([good, bad], corpus)
    assert corpus_fingerprint(corpus) == fp
    assert not (corpus / "cho_moi_an_giang.txt").exists()


@pytest.mark.parametrize("name, content, message", [
    ("000_de9fd5cf185cd21c.txt", "Tiêu đề khác\nMột bài viết khác hẳn về huyện Châu Thành, "
     "có đủ câu chữ để thành một đoạn văn.\n", "already used"),
    ("000_de9fd5cf185cd21c.html", None, "already used"),
    ("notes.pdf", "x", "not an article file"),
    ("---.txt", "Đảng ủy xã Tân Phú tổ chức hội nghị sơ kết 3 năm thực hiện Chỉ thị 05-CT/TW.", "doc_id"),
    ("boiler.txt", (FIXTURES / "bad" / "only_boilerplate.txt").read_text(encoding="utf-8"), "no article text"),
    ("empty.txt", "", "empty"),
])
def test_ingest_refuses(corpus, tmp_path, name, content, message):
    src = tmp_path / name
    if content is None:
        shutil.copy(FIXTURES / "articles" / "chau_thanh_long_an.html", src)
    else:
        src.write_text(content, encoding="utf-8")
    fp = corpus_fingerprint(corpus)
    with pytest.raises(CorpusError, match=message):
        ingest_files([src], corpus)
    assert corpus_fingerprint(corpus) == fp


def test_ingest_two_inputs_with_one_doc_id(corpus, tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    shutil.copy(FIXTURES / "articles" / "no_province.txt", tmp_path / "a" / "x.txt")
    shutil.copy(FIXTURES / "articles" / "no_place.txt", tmp_path / "b" / "x.txt")
    with pytest.raises(CorpusError, match="two different inputs"):
        ingest_files([tmp_path / "a" / "x.txt", tmp_path / "b" / "x.txt"], corpus)


def test_ingest_into_a_new_folder_creates_the_csv(tmp_path):
    ids = ingest_files([FIXTURES / "articles" / "no_place.txt"], tmp_path / "new")
    assert ids == ["no_place"]
    lines = (tmp_path / "new" / "metadata.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0].split(",") == list(CSV_COLUMNS) and lines[1].startswith("no_place,")


def test_ingest_refuses_to_extend_a_broken_csv(corpus):
    _write_csv(corpus, "doc_id,provinc\n")
    with pytest.raises(CorpusError, match="unknown column"):
        ingest_files([FIXTURES / "articles" / "no_place.txt"], corpus)
    assert not (corpus / "no_place.txt").exists()


@pytest.mark.parametrize("stem, slug", [
    ("000_de9fd5cf185cd21c", "000_de9fd5cf185cd21c"), ("Bài viết Đảng ủy (1)", "bai-viet-dang-uy-1"),
    ("  ..a b..  ", "a-b"), ("Ðổi mới", "doi-moi"),
])
def test_slugify(stem, slug):
    assert slugify(stem) == slug


# --- fingerprint ----------------------------------------------------------------------------------


def test_fingerprint_follows_articles_and_csv(corpus):
    fp = corpus_fingerprint(corpus)
    assert fp == corpus_fingerprint(corpus) and len(fp) == 64
    (corpus / "README.md").write_text("not part of the corpus", encoding="utf-8")
    assert corpus_fingerprint(corpus) == fp
    with open(corpus / "metadata.csv", "a", encoding="utf-8") as f:
        f.write("\n")
    fp2 = corpus_fingerprint(corpus)
    assert fp2 != fp
    p = corpus / "004_91bb1a689af458d2.txt"
    p.write_bytes(p.read_bytes() + b" ")
    assert corpus_fingerprint(corpus) != fp2
