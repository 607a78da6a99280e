"""Metadata: locality, province from context, directives, period — and the gazetteer under them."""

import dataclasses
from pathlib import Path

import pytest

from search.ingest import gazetteer as gz
from search.ingest.clean import CleanArticle, clean_html, clean_text
from search.ingest.metadata import META_KEYS, directive_scope, extract_metadata, find_directives, infer_period

ROOT = Path(__file__).resolve().parent.parent
ARTICLES = Path(__file__).resolve().parent / "fixtures" / "articles"


def _clean(path: Path) -> CleanArticle:
    text = path.read_text(encoding="utf-8")
    return clean_html(text) if path.suffix == ".html" else clean_text(text)


def _meta(path: Path) -> dict:
    return extract_metadata(_clean(path), path.stem)


# doc_id: (locality, level, district, province, directives)
SEEDS = {
    "000_de9fd5cf185cd21c": ("An Phú", "huyện", "An Phú", "An Giang", ["03-CT/TW"]),
    "001_dc1a175334cc5c87": ("Bình Sơn", "huyện", "Bình Sơn", "Quảng Ngãi", ["05-CT/TW"]),
    "002_900c90f4443c64ea": ("Chợ Mới", "huyện", "Chợ Mới", "Bắc Kạn", ["05-CT/TW"]),
    "003_c22ee129dd39878b": ("Mỹ Thạnh", "phường", "Long Xuyên", "An Giang", ["05-CT/TW", "01-KL/TW"]),
    "004_91bb1a689af458d2": ("Châu Thành", "huyện", "Châu Thành", "Bến Tre",
                             ["01-KL/TW", "21-KL/TW", "01-CT/TU"]),
}

# Articles written for the tests, in other sites' styles, never used to tune the rules.
FIXTURES = {
    "chau_thanh_tay_ninh.txt": ("Châu Thành", "huyện", "Châu Thành", "Tây Ninh", ["01-KL/TW"]),
    "chau_thanh_long_an.html": ("Châu Thành", "huyện", "Châu Thành", "Long An", ["01-KL/TW", "05-CT/TW"]),
    "cho_moi_an_giang.txt": ("Chợ Mới", "huyện", "Chợ Mới", "An Giang", ["05-CT/TW"]),
    "phuong_5_quan_3.txt": ("Phường 5", "phường", "Quận 3", "Hồ Chí Minh", ["05-CT/TW"]),
    "no_province.txt": ("Tân Phú", "xã", None, None, ["05-CT/TW"]),
    "no_place.txt": (None, None, None, None, ["01-KL/TW"]),
}


@pytest.fixture(scope="module")
def seed_meta() -> dict[str, dict]:
    return {d: _meta(ROOT / "corpus" / f"{d}.txt") for d in SEEDS}


@pytest.mark.parametrize("doc_id", sorted(SEEDS))
def test_seed_locality_province_directives(seed_meta, doc_id):
    meta = seed_meta[doc_id]
    assert tuple(meta[k] for k in ("locality", "locality_level", "district", "province",
                                   "directives")) == SEEDS[doc_id]
    assert set(meta) == set(META_KEYS)
    assert not any(f.startswith(("ambiguous", "no_locality", "no_province")) for f in meta["flags"])


@pytest.mark.parametrize("name", sorted(FIXTURES))
def test_fixture_locality_province_directives(name):
    meta = _meta(ARTICLES / name)
    assert tuple(meta[k] for k in ("locality", "locality_level", "district", "province",
                                   "directives")) == FIXTURES[name]


def test_post_2025_units(seed_meta):
    assert seed_meta["002_900c90f4443c64ea"]["province_new"] == "Thái Nguyên"   # Bắc Kạn merged
    assert seed_meta["004_91bb1a689af458d2"]["province_new"] == "Vĩnh Long"     # Bến Tre merged
    m3 = seed_meta["003_c22ee129dd39878b"]
    assert (m3["province_new"], m3["locality_new"]) == ("An Giang", "Mỹ Thới")
    assert seed_meta["000_de9fd5cf185cd21c"]["locality_new"] is None            # districts are gone


def test_seed_periods_dates_bylines(seed_meta):
    got = {d: (m["period"], m["period_years"], m["date"], m["author"], m["source"])
           for d, m in seed_meta.items()}
    assert got["000_de9fd5cf185cd21c"] == ("2011–2015", 4, None, "Huỳnh Như", "TGAG")
    assert got["001_dc1a175334cc5c87"][:2] == ("2016–2020", 4)
    assert got["002_900c90f4443c64ea"] == ("2016–2020", 5, None, "Lý Dũng", "http://baobackan.org.vn")
    assert got["003_c22ee129dd39878b"] == ("2021–2023", 3, "2023-06-01", "Ban VHTT phường Mỹ Thạnh",
                                           "Cổng TTĐT TP Long Xuyên")
    assert got["004_91bb1a689af458d2"][:2] == ("2021–2024", 3)
    assert seed_meta["003_c22ee129dd39878b"]["period_start"] == 2021
    assert seed_meta["003_c22ee129dd39878b"]["period_end"] == 2023
    assert "title_derived" in seed_meta["002_900c90f4443c64ea"]["flags"]
    assert "local_directive:01-CT/TU" in seed_meta["004_91bb1a689af458d2"]["flags"]


def test_ambiguous_name_without_context_is_not_guessed():
    meta = _meta(ARTICLES / "no_province.txt")
    assert meta["province"] is None and meta["province_new"] is None
    assert "ambiguous_province" in meta["flags"]
    cands = next(f for f in meta["flags"] if f.startswith("province_candidates:"))
    assert {"An Giang", "Long An", "Vĩnh Phúc"} <= set(cands.split(":", 1)[1].split("|"))


def test_article_with_no_place_at_all():
    meta = _meta(ARTICLES / "no_place.txt")
    assert meta["locality"] is None and meta["province"] is None
    assert {"no_locality", "no_province"} <= set(meta["flags"])


def _without_context(article: CleanArticle, drop: tuple[str, ...] = ()) -> CleanArticle:
    """The same article without its site hints, source and the paragraphs containing ``drop``."""
    paragraphs = [p for p in article.paragraphs if not any(d in p for d in drop)]
    return dataclasses.replace(article, paragraphs=paragraphs, hints=[], source=None)


def test_cho_moi_needs_context_to_be_bac_kan():
    art = _clean(ROOT / "corpus" / "002_900c90f4443c64ea.txt")
    # without the site, the text's "Bắc Kạn học tập và làm theo lời Bác" still decides
    assert extract_metadata(_without_context(art), "x")["province"] == "Bắc Kạn"
    # without that too, nothing decides between An Giang and Bắc Kạn
    meta = extract_metadata(_without_context(art, drop=("Bắc Kạn",)), "x")
    assert meta["province"] is None
    assert "province_candidates:An Giang|Bắc Kạn" in meta["flags"]


def test_site_alone_decides_the_province():
    art = _clean(ARTICLES / "chau_thanh_long_an.html")
    assert "Long An" not in "\n".join([art.title, *art.paragraphs])  # the text never says it
    assert extract_metadata(art, "x")["province"] == "Long An"
    assert extract_metadata(_without_context(art), "x")["province"] is None


def test_communes_named_in_the_text_decide_the_province():
    art = _clean(ARTICLES / "chau_thanh_tay_ninh.txt")
    bare = _without_context(art, drop=("Tây Ninh",))
    assert "Tây Ninh" not in "\n".join(bare.paragraphs)
    assert extract_metadata(bare, "x")["province"] == "Tây Ninh"  # xã Hảo Đước, Ninh Điền …


def test_parent_city_decides_a_ward():
    art = CleanArticle(title="Phường Mỹ Thạnh ra mắt mô hình dân vận khéo",
                       paragraphs=["Đảng ủy phường Mỹ Thạnh tổ chức ra mắt mô hình dân vận khéo."],
                       hints=["Cổng TTĐT TP Long Xuyên"])
    meta = extract_metadata(art, "x")
    assert (meta["locality"], meta["district"], meta["province"]) == ("Mỹ Thạnh", "Long Xuyên", "An Giang")
    # a commune of the same name: several provinces, and the site settles it
    art2 = CleanArticle(title="Xã Mỹ Thạnh ra mắt mô hình dân vận khéo",
                        paragraphs=["Đảng ủy xã Mỹ Thạnh tổ chức ra mắt mô hình dân vận khéo."])
    assert "ambiguous_province" in extract_metadata(art2, "x")["flags"]
    art2.hints.append("Trang thông tin điện tử huyện Giồng Trôm")
    assert extract_metadata(art2, "x")["province"] == "Bến Tre"
    # or the parent district written next to it without its level word
    art3 = CleanArticle(title="Xã Mỹ Thạnh (Thủ Thừa) ra mắt mô hình dân vận khéo",
                        paragraphs=["Đảng ủy xã Mỹ Thạnh tổ chức ra mắt mô hình dân vận khéo."])
    meta3 = extract_metadata(art3, "x")
    assert (meta3["district"], meta3["province"]) == ("Thủ Thừa", "Long An")


def test_title_and_lead_outweigh_passing_mentions():
    art = CleanArticle(
        title="Thị xã Tân Châu: Học và làm theo Bác gắn với cải cách hành chính",
        paragraphs=["Thị ủy Tân Châu vừa sơ kết việc thực hiện Chỉ thị 05-CT/TW.",
                    "Đoàn công tác của huyện An Phú và huyện Phú Tân đến tham quan, học tập kinh "
                    "nghiệm; huyện An Phú cũng đăng ký mô hình tương tự."])
    meta = extract_metadata(art, "x")
    assert (meta["locality"], meta["locality_level"], meta["province"]) == ("Tân Châu", "thị xã", "An Giang")


# --- directives ---------------------------------------------------------------------------------


@pytest.mark.parametrize("text, codes", [
    ("Thực hiện Chỉ thị 05 của Bộ Chính trị", ["05-CT/TW"]),
    ("Chỉ thị số 05-CT/TW ngày 15/5/2016", ["05-CT/TW"]),
    ("thực hiện kết luận 01 –KL/TW của Bộ Chính trị", ["01-KL/TW"]),
    ("sơ kết Chỉ thị 03 và Kết luận số 21-KL/TW", ["03-CT/TW", "21-KL/TW"]),
    ("Chỉ thị số 01-CT/TU của Ban Thường vụ Tỉnh ủy", ["01-CT/TU"]),
    ("Chỉ thị 05 của Ban Thường vụ Tỉnh ủy về …", ["05-CT/TU"]),
    ("theo Chỉ thị 5-CT/TƯ", ["05-CT/TW"]),
    ("Kết luận số 01 của Bộ Chính trị", ["01-KL/TW"]),
    ("phát biểu kết luận 2 vấn đề; kết luận 3 năm qua", []),
    ("Chỉ thị 03 trong thời gian tới, Huyện ủy An Phú", ["03-CT/TW"]),
])
def test_directives_are_normalised(text, codes):
    assert find_directives(text) == codes


def test_directive_scopes():
    assert directive_scope("05-CT/TW") == "central"
    assert directive_scope("01-CT/TU") == "provincial"
    assert directive_scope("09-CT/HU") == "district"


# --- period -------------------------------------------------------------------------------------


@pytest.mark.parametrize("text, date, period, years", [
    ("Qua 4 năm triển khai thực hiện Chỉ thị 03-CT/TW", None, "2011–2015", 4),
    ("Qua bốn năm thực hiện Chỉ thị 03", None, "2011–2015", 4),
    ("Qua 3 năm triển khai và thực hiện kết luận 01 –KL/TW", "2023-06-01", "2021–2023", 3),
    ("Qua 3 năm thực hiện Kết luận 01-KL/TW", None, "2021–2024", 3),
    ("thực hiện Chỉ thị 05-CT/TW, giai đoạn 2016-2020", None, "2016–2020", 5),
    ("Chỉ thị 05-CT/TW từ năm 2016 đến năm 2021", None, "2016–2021", 6),
    ("Sau 2 năm thực hiện Chỉ thị 05-CT/TW ngày 15/5/2016", None, "2016–2018", 2),
    ("Chỉ thị 05-CT/TW, chủ đề năm 2022", None, None, None),
    ("Kênh Lò Men giai đoạn 2; nhiệm kỳ 2020-2025", None, None, None),
])
def test_period_rules(text, date, period, years):
    got = infer_period(text, date)
    assert (got["period"], got["period_years"]) == (period, years)


# --- gazetteer ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["TP Long Xuyên", "TP. Long Xuyên", "thành phố Long Xuyên",
                                  "Tp.Long Xuyên", "Thành phố Long Xuyên", "tp long xuyen"])
def test_gazetteer_city_variants(name):
    units = gz.lookup(name)
    assert [(u.name, u.level, u.province) for u in units] == [("Long Xuyên", "thành phố", "An Giang")]


@pytest.mark.parametrize("name", ["Tp.HCM", "TP.HCM", "TP HCM", "TPHCM", "TP Hồ Chí Minh",
                                  "thành phố Hồ Chí Minh"])
def test_gazetteer_hcm_variants(name):
    units = gz.lookup(name)
    assert [(u.name, u.tier) for u in units] == [("Hồ Chí Minh", "province")]


def test_gazetteer_numbered_units_and_levels():
    q1 = gz.lookup("Quận 1")
    assert [(u.name, u.level, u.province) for u in q1] == [("Quận 1", "quận", "Hồ Chí Minh")]
    p5 = gz.lookup("phường 05")
    assert len(p5) > 10 and all(u.name == "Phường 5" and u.level == "phường" for u in p5)
    assert [u.province for u in gz.lookup("Phường 5") if u.district == "Quận 3"] == ["Hồ Chí Minh"]


def test_gazetteer_ambiguous_names_list_every_candidate():
    cho_moi = gz.lookup("huyện Chợ Mới")
    assert sorted(u.province for u in cho_moi) == ["An Giang", "Bắc Kạn"]
    assert len(gz.lookup("huyện Châu Thành")) == 10
    assert {u.level for u in gz.lookup("Chợ Mới")} == {"huyện", "thị trấn"}
    my_thanh = gz.lookup("phường Mỹ Thạnh")
    assert [(u.district, u.province) for u in my_thanh] == [("Long Xuyên", "An Giang")]
    assert len(gz.lookup("xã Mỹ Thạnh")) >= 4


def test_gazetteer_tone_styles_spelling_and_folding():
    assert gz.find_province("Hoà Bình").name == "Hòa Bình"          # old-style tone mark
    assert gz.find_province("tỉnh Hòa Bình").name == "Hòa Bình"
    assert gz.find_province("Bắc Cạn").name == "Bắc Kạn"            # k/c spelling
    assert gz.find_province("Thừa Thiên Huế").name == "Huế"
    assert [u.province for u in gz.lookup("cho moi", level="huyện")] == ["Bắc Kạn", "An Giang"]
    assert gz.lookup("Mỹ Thành", level="phường", fuzzy=False) == []  # no folding in running text
    assert gz.parse_name("Tịnh Biên") == (None, "Tịnh Biên")       # "tịnh" is not "tỉnh"
    assert gz.parse_name("TX. Tân Châu") == ("thị xã", "Tân Châu")


def test_gazetteer_post_2025_mapping():
    ward = gz.lookup("phường Mỹ Thạnh")[0]
    assert ward.province_new == "An Giang" and ward.wards_new == ("Mỹ Thới",)
    assert gz.find_province("Bắc Kạn").province_new == "Thái Nguyên"
    assert gz.lookup("huyện Châu Thành", province="Long An")[0].province_new == "Tây Ninh"


def test_gazetteer_domains():
    assert [p.name for p in gz.provinces_in_domain("http://baobackan.org.vn")] == ["Bắc Kạn"]
    assert [p.name for p in gz.provinces_in_domain("longxuyen.angiang.gov.vn")] == ["An Giang"]
    assert [p.name for p in gz.provinces_in_domain("baobariavungtau.com.vn")] == ["Bà Rịa - Vũng Tàu"]
    assert gz.provinces_in_domain("tuyengiao.vn") == []


def test_heavy_packages_are_imported_lazily():
    import subprocess
    import sys

    code = ("import sys, search.ingest.corpus, search.ingest.metadata, search.ingest.clean, search.ingest.gazetteer; "
            "print(any(m.startswith(('trafilatura', 'vietnam_provinces')) for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_article_about_a_province_has_no_locality():
    art = clean_text("Tỉnh ủy Bắc Kạn tổng kết 5 năm thực hiện Chỉ thị 05-CT/TW\n"
                     "Ngày 20/5/2021, Ban Thường vụ Tỉnh ủy Bắc Kạn tổ chức hội nghị tổng kết 5 năm thực "
                     "hiện Chỉ thị 05-CT/TW của Bộ Chính trị.\n"
                     "Các huyện Chợ Mới, Chợ Đồn, Ba Bể và thành phố Bắc Kạn đã có nhiều cách làm hay.\n")
    meta = extract_metadata(art, "x")
    assert (meta["locality"], meta["province"], meta["period"]) == (None, "Bắc Kạn", "2016–2021")
    assert "province_level" in meta["flags"]


def test_the_man_is_not_the_city():
    art = clean_text("Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh ở huyện Châu Thành\n"
                     "Huyện ủy Châu Thành phối hợp Đoàn TNCS Hồ Chí Minh tổ chức hội nghị học tập chuyên "
                     "đề về tư tưởng, đạo đức, phong cách Hồ Chí Minh cho cán bộ chủ chốt.\n")
    meta = extract_metadata(art, "x")
    assert meta["province"] is None and "ambiguous_province" in meta["flags"]
    assert "Hồ Chí Minh" not in next(f for f in meta["flags"] if f.startswith("province_candidates"))


def test_descriptor_between_level_word_and_name():
    text = ("Học và làm theo Bác nơi biên cương\n\n"
            "Giai đoạn 2016–2021, Đảng bộ huyện biên giới Mường Khương đã triển khai Chỉ thị 05-CT/TW "
            "gắn với xây dựng khu vực biên giới vững mạnh. Huyện ủy ban hành kế hoạch thực hiện.")
    m = extract_metadata(clean_text(text), "x")
    assert (m["locality"], m["locality_level"], m["province"]) == ("Mường Khương", "huyện", "Lào Cai")


def test_bare_name_with_its_province_in_brackets():
    text = ("Châu Thành (Trà Vinh): lan tỏa việc học và làm theo Bác\n\n"
            "Qua 3 năm thực hiện Kết luận 01-KL/TW, nhiều chi bộ đã có cách làm hay, được nhân rộng "
            "trong toàn Đảng bộ, góp phần hoàn thành nhiệm vụ chính trị.")
    m = extract_metadata(clean_text(text), "x")
    assert (m["locality"], m["province"]) == ("Châu Thành", "Trà Vinh")
    assert "ambiguous_province" not in m["flags"]
