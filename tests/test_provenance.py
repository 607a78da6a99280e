"""Provenance: the article's URL and a readable outlet name, from the page, metadata.csv or
`search ingest --url`; never a guessed address, never a bare domain or tag as the outlet."""

import re
import shutil

import pytest

from conftest import CORPUS, FIXTURES
from search.app.cli import main
from search.errors import CorpusError
from search.ingest.clean import article_url, clean_html, clean_text, site_domain
from search.ingest.corpus import load_corpus
from search.ingest.metadata import extract_metadata, outlet_name

LONG_AN = FIXTURES / "articles" / "chau_thanh_long_an.html"
LONG_AN_URL = "https://baolongan.vn/huyen-uy-chau-thanh-so-ket-3-nam-thuc-hien-ket-luan-01-kl-tw-a170001.html"


@pytest.fixture
def corpus(tmp_path):
    shutil.copytree(CORPUS, tmp_path / "corpus")
    return tmp_path / "corpus"


def test_seed_outlets_and_urls_are_only_what_the_pages_state():
    meta = {a.doc_id: a.meta for a in load_corpus(CORPUS)}
    got = {d: (m["outlet"], m["url"]) for d, m in meta.items()}
    assert got == {
        "000_de9fd5cf185cd21c": ("Ban Tuyên giáo Tỉnh ủy An Giang", None),   # "(TGAG)-"
        "001_dc1a175334cc5c87": (None, None),                                  # the page names no one
        "002_900c90f4443c64ea": ("Báo Bắc Kạn", None),                         # a site, not an article address
        "003_c22ee129dd39878b": ("Cổng Thông tin điện tử thành phố Long Xuyên", None),
        "004_91bb1a689af458d2": (None, None),
    }
    assert meta["002_900c90f4443c64ea"]["source"] == "http://baobackan.org.vn"  # kept as written


def test_html_canonical_url_and_site_name():
    html = LONG_AN.read_text(encoding="utf-8")
    art = clean_html(html)
    assert art.url == LONG_AN_URL
    assert extract_metadata(art, "x")["outlet"] == "Báo Long An"  # not "Báo Long An Online", not "LA"
    # the address the user gives wins over the page's
    given = "https://baolongan.vn/ban-luu-a1.html"
    assert clean_html(html, url=given).url == given
    # a page that declares no address gets none: nothing is made up from the site name or domain
    bare = re.sub(r'<link rel="canonical"[^>]*>|<meta property="og:url"[^>]*>', "", html)
    assert clean_html(bare).url is None
    assert extract_metadata(clean_html(bare), "x")["outlet"] == "Báo Long An"


def test_text_byline_with_a_full_address_is_the_url():
    body = ("Huyện ủy Tân Châu sơ kết 5 năm học tập và làm theo Bác\n\n"
            "Ngày 12/5, Huyện ủy Tân Châu tổ chức sơ kết 5 năm thực hiện Chỉ thị 05-CT/TW của Bộ Chính trị "
            "về đẩy mạnh học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh trên địa bàn huyện.\n\n"
            "Qua 5 năm, toàn huyện vận động hơn 2 tỷ đồng xây dựng 40 căn nhà cho hộ nghèo có hoàn cảnh khó khăn.\n\n")
    art = clean_text(body + "Nguồn: https://www.baolongan.vn/tan-chau-a123.html\n")
    assert art.url == "https://www.baolongan.vn/tan-chau-a123.html"
    assert extract_metadata(art, "x")["outlet"] == "Báo Long An"   # www. and sub-domains match
    art = clean_text(body + "Nguồn: http://example-news.vn\n")
    assert art.url is None
    assert extract_metadata(art, "x")["outlet"] is None              # unknown site: no bare domain


@pytest.mark.parametrize("value, url, domain", [
    ("https://baolongan.vn/a-1.html", "https://baolongan.vn/a-1.html", "baolongan.vn"),
    ("https://baolongan.vn/a-1.html).", "https://baolongan.vn/a-1.html", "baolongan.vn"),
    ("http://baobackan.org.vn", None, "baobackan.org.vn"),
    ("http://www.baobackan.org.vn/", None, "baobackan.org.vn"),
    ("baobackan.org.vn", None, "baobackan.org.vn"),
    ("Cổng TTĐT TP Long Xuyên", None, None),
    ("TGAG", None, None),
    (None, None, None),
])
def test_article_url_and_site_domain(value, url, domain):
    assert article_url(value) == url
    assert site_domain(value) == domain


@pytest.mark.parametrize("value, name", [
    ("TGAG", "Ban Tuyên giáo Tỉnh ủy An Giang"),
    ("tgag", "Ban Tuyên giáo Tỉnh ủy An Giang"),
    ("http://baobackan.org.vn", "Báo Bắc Kạn"),
    ("https://tuyengiao.baobackan.org.vn/x.html", "Báo Bắc Kạn"),
    ("https://unknown-site.vn/x.html", None),
    ("XYZQ", None),
])
def test_outlet_table(value, name):
    assert outlet_name(value) == name


def _csv(corpus, header, row):
    (corpus / "metadata.csv").write_text(f"doc_id,{header}\n000_de9fd5cf185cd21c,{row}\n", encoding="utf-8")


def test_csv_url_and_outlet_win(corpus):
    _csv(corpus, "url", "https://baobackan.org.vn/bai-viet-1.html")
    meta = load_corpus(corpus)[0].meta
    assert meta["url"] == "https://baobackan.org.vn/bai-viet-1.html"
    assert meta["outlet"] == "Báo Bắc Kạn"                 # the corrected address names its outlet
    assert "csv_override:url" in meta["flags"]
    _csv(corpus, "url,outlet", "https://baobackan.org.vn/bai-viet-1.html,Báo Bắc Kạn điện tử")
    assert load_corpus(corpus)[0].meta["outlet"] == "Báo Bắc Kạn điện tử"


@pytest.mark.parametrize("bad", ["baobackan.org.vn/bai", "ftp://x.vn/a", "http://", "not a url"])
def test_csv_bad_url_names_the_line(corpus, bad):
    _csv(corpus, "url", bad)
    with pytest.raises(CorpusError, match=r"metadata.csv:2: column .url.: .* is not a web address"):
        load_corpus(corpus)


def test_ingest_with_url_fills_the_csv_cell(corpus, capsys):
    url = "https://baolongan.vn/chau-thanh-a9.html"
    src = FIXTURES / "articles" / "chau_thanh_tay_ninh.txt"
    assert main(["ingest", str(src), "--corpus", str(corpus), "--url", url]) == 0
    assert (corpus / "chau_thanh_tay_ninh.txt").read_bytes() == src.read_bytes()  # the file untouched
    arts = {a.doc_id: a for a in load_corpus(corpus)}
    assert arts["chau_thanh_tay_ninh"].meta["url"] == url
    assert arts["000_de9fd5cf185cd21c"].meta["url"] is None
    # a CSV without the column gets it, other cells kept
    (corpus / "metadata.csv").write_text("doc_id,author\n000_de9fd5cf185cd21c,H. Như\n", encoding="utf-8")
    assert main(["ingest", str(LONG_AN), "--corpus", str(corpus), "--url", LONG_AN_URL]) == 0
    lines = (corpus / "metadata.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "doc_id,author,url" and lines[1] == "000_de9fd5cf185cd21c,H. Như,"
    arts = {a.doc_id: a for a in load_corpus(corpus)}
    assert arts["chau_thanh_long_an"].meta["url"] == LONG_AN_URL
    assert arts["000_de9fd5cf185cd21c"].meta["author"] == "H. Như"
    capsys.readouterr()


@pytest.mark.parametrize("argv, needle", [
    (["--url", "https://a.vn/x.html", "A", "B"], "one article"),
    (["--url", "www.a.vn/x", "A"], "not a web address"),
])
def test_ingest_url_errors(corpus, capsys, argv, needle):
    files = {"A": str(FIXTURES / "articles" / "chau_thanh_tay_ninh.txt"), "B": str(LONG_AN)}
    before = sorted(p.name for p in corpus.iterdir())
    code = main(["ingest", *[files.get(a, a) for a in argv], "--corpus", str(corpus)])
    err = capsys.readouterr().err
    assert code == 2 and needle in err and len(err.strip().splitlines()) == 1
    assert sorted(p.name for p in corpus.iterdir()) == before  # nothing written


def test_store_has_provenance_columns(fake_index):
    from search import open_index

    idx = open_index(fake_index)
    arts = idx.articles.set_index("doc_id")
    assert arts.at["002_900c90f4443c64ea", "outlet"] == "Báo Bắc Kạn"
    assert {"url", "outlet", "author", "date"} <= set(idx.chunks.columns)
