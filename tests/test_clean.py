"""Cleaning: the article without its page, on the seeds and on pages of other CMS styles."""

from pathlib import Path

import pytest

from search.errors import CorpusError
from search.ingest.clean import CleanArticle, clean_html, clean_text, derive_title, parse_date
from search.text.normalize import normalize

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "corpus"
FIXTURES = Path(__file__).resolve().parent / "fixtures"

# Page furniture of each seed, read off the raw files by hand: none of it may reach the text.
SEED_BOILERPLATE = {
    "000_de9fd5cf185cd21c": ["Truy cập hiện tại", "Đang có 53 khách và không thành viên đang online",
                             "Làm theo gương Bác Hồ", "Huỳnh Như", "Tiến tới đại hội đảng",
                             "Dua-nghi-quyet-vao-cuoc-song", "Giải phóng miền Nam",
                             "Số lần xem các bài viết", "16774545"],
    "001_dc1a175334cc5c87": ["A- A A+ | Tăng tương phản Giảm tương phản", "Lương Đức", "Tin mới",
                             "Hoạt động của UBKT trung ương", "Tài liệu - Tư liệu"],
    "002_900c90f4443c64ea": ["Tác giả: Lý Dũng", "Nguồn tin: http://baobackan.org.vn",
                             "Ý kiến bạn đọc", "Những tin mới hơn", "Những tin cũ hơn"],
    "003_c22ee129dd39878b": ["Chào mừng bạn đến với Cổng TTĐT TP Long Xuyên",
                             "Ban VHTT phường Mỹ Thạnh", "01/06/2023", "A- A A+",
                             "Chung nhan Tin Nhiem Mang"],
    "004_91bb1a689af458d2": ["Phản hồi", "Các tin khác", "Mới nhất", "Liên kết website"],
}

SEED_TITLES = {
    "000_de9fd5cf185cd21c": "Qua bốn năm làm theo gương Bác ở Đảng bộ huyện An Phú",
    "001_dc1a175334cc5c87": "Huyện Bình Sơn (Quảng Ngãi): Nhiều mô hình hay, cách làm sáng tạo "
                            "trong học tập và làm theo Bác",
    "003_c22ee129dd39878b": "Đảng ủy phường Mỹ Thạnh nâng cao hiệu quả thực hiện Chỉ thị số "
                            "05-CT/TW của Bộ Chính trị",
    "004_91bb1a689af458d2": "Châu Thành lan tỏa gương điển hình trong thực hiện Kết luận số 01-KL/TW",
}


def _seed(doc_id: str) -> CleanArticle:
    return clean_text((SEEDS / f"{doc_id}.txt").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def seeds() -> dict[str, CleanArticle]:
    return {doc_id: _seed(doc_id) for doc_id in SEED_BOILERPLATE}


@pytest.mark.parametrize("doc_id", sorted(SEED_BOILERPLATE))
def test_no_boilerplate_line_survives(seeds, doc_id):
    art = seeds[doc_id]
    lines = [art.title, *art.paragraphs]
    for junk in SEED_BOILERPLATE[doc_id]:
        assert junk not in lines
        assert all(not line.startswith(junk) for line in lines if len(junk) > 12)
    text = "\n".join(lines)
    for widget in ("A- A A+", "khách và không thành viên", "Số lần xem", "Chào mừng", "Tác giả:",
                   "Nguồn tin:", "Dua-nghi", "16774545"):
        assert widget not in text


@pytest.mark.parametrize("doc_id", sorted(SEED_BOILERPLATE))
def test_every_kept_line_comes_from_the_page(seeds, doc_id):
    raw_lines = normalize((SEEDS / f"{doc_id}.txt").read_text(encoding="utf-8")).split("\n")
    art = seeds[doc_id]
    for p in art.paragraphs:
        assert any(r == p or r.startswith(p) for r in raw_lines), p[:60]
    assert art.paragraphs, "the body must not be empty"
    assert len(art.paragraphs) == len(set(art.paragraphs))


@pytest.mark.parametrize("doc_id, title", sorted(SEED_TITLES.items()))
def test_headline_is_the_title_and_not_repeated(seeds, doc_id, title):
    art = seeds[doc_id]
    assert art.title == title
    assert not art.title_derived
    assert title not in art.paragraphs


def test_article_without_headline_gets_a_title_from_its_lead(seeds):
    art = seeds["002_900c90f4443c64ea"]
    assert art.title_derived
    assert art.title.startswith("Qua 5 năm thực hiện Chỉ thị 05-CT/TW")
    assert len(art.title) <= 200 and not art.title.endswith((",", "."))
    # the lead stays in the body
    assert art.paragraphs[0].startswith("Qua 5 năm thực hiện Chỉ thị 05-CT/TW")
    assert art.paragraphs[0].endswith("quốc phòng - an ninh.")


def test_subheadings_captions_and_quote_attributions_are_kept(seeds):
    assert "Tổ chức quán triệt, triển khai làm theo lời Bác" in seeds["000_de9fd5cf185cd21c"].paragraphs
    caption = "Đoàn viên, thanh niên HTX Nông nghiệp Thanh niên Như Cố thi đua phát triển kinh tế."
    assert caption in seeds["002_900c90f4443c64ea"].paragraphs  # the trailing "|" is gone
    p004 = seeds["004_91bb1a689af458d2"].paragraphs
    assert p004[0].startswith("Bí thư Huyện ủy Châu Thành Phan Song Toàn khen thưởng")
    assert "Trở thành việc làm thường xuyên" in p004
    assert p004[-1] == "(Bí thư huyện ủy Châu Thành Phan Song Toàn)"


def test_bylines_become_metadata(seeds):
    assert seeds["000_de9fd5cf185cd21c"].author == "Huỳnh Như"
    assert seeds["001_dc1a175334cc5c87"].author == "Lương Đức"
    s2 = seeds["002_900c90f4443c64ea"]
    assert (s2.author, s2.source) == ("Lý Dũng", "http://baobackan.org.vn")
    s3 = seeds["003_c22ee129dd39878b"]
    assert s3.date == "2023-06-01"
    assert s3.author == "Ban VHTT phường Mỹ Thạnh"
    assert "Cổng TTĐT TP Long Xuyên" in s3.hints  # the greeting's site name is kept as a hint
    assert "TGAG" in seeds["000_de9fd5cf185cd21c"].hints
    assert seeds["004_91bb1a689af458d2"].author is None


def test_everything_is_normalised(seeds):
    s3 = seeds["003_c22ee129dd39878b"]
    assert "uỷ" not in s3.title and "Đảng ủy phường Mỹ Thạnh" in s3.title
    for art in seeds.values():
        for p in art.paragraphs:
            assert p == p.strip() and "  " not in p and "\u00a0" not in p


# --- pages of other sites (not used while writing the rules) ------------------------------------


def _fixture(name: str) -> CleanArticle:
    path = FIXTURES / "articles" / name
    text = path.read_text(encoding="utf-8")
    return clean_html(text) if name.endswith(".html") else clean_text(text)


def test_provincial_newspaper_page():
    art = _fixture("chau_thanh_tay_ninh.txt")
    assert art.title == "Châu Thành: Học và làm theo Bác từ những việc làm nhỏ"
    assert art.date == "2023-07-12"
    assert art.author == "MINH HÒA"
    assert art.source == "Báo Tây Ninh" or "Báo Tây Ninh" in art.hints
    text = "\n".join(art.paragraphs)
    for junk in ("Đăng nhập", "Lượt xem", "Cỡ chữ", "Nghe bài viết", "Tin cùng chuyên mục",
                 "Tân Biên: Sơ kết", "Facebook", "Tags:", "Bản quyền", "Giấy phép", "Địa chỉ"):
        assert junk not in text
    assert "Những mô hình lan tỏa" in art.paragraphs           # sub-heading
    assert any(p.startswith("Ông Nguyễn Văn Tám") for p in art.paragraphs)  # caption


def test_district_portal_page():
    art = _fixture("cho_moi_an_giang.txt")
    assert art.title == "Đảng bộ huyện Chợ Mới: 5 năm học tập và làm theo Bác"
    assert art.date == "2021-06-18"
    assert art.author == "Thanh Tâm - Hoài Nam"
    assert "Trang thông tin điện tử huyện Chợ Mới" in art.hints
    text = "\n".join(art.paragraphs)
    for junk in ("TRANG CHỦ", "THỦ TỤC", "Tin tức - Sự kiện", "Các tin đã đưa", "Đang truy cập",
                 "Tổng lượt truy cập", "Cơ quan chủ quản", "Điện thoại"):
        assert junk not in text
    assert len(art.paragraphs) == 5


def test_small_site_page_with_pipe_menu_and_copyright():
    art = _fixture("no_province.txt")
    assert art.title == "Đảng ủy xã Tân Phú sơ kết 3 năm thực hiện Chỉ thị 05"
    assert art.date == "2019-04-25"
    assert len(art.paragraphs) == 3
    assert not any("Xem thêm" in p or "Copyright" in p or "Tin đã đưa" in p for p in art.paragraphs)


def test_html_page_main_text_and_metadata():
    art = _fixture("chau_thanh_long_an.html")
    assert art.title == "Huyện ủy Châu Thành sơ kết 3 năm thực hiện Kết luận 01-KL/TW"
    assert art.date == "2024-05-21"
    assert art.author == "Ngọc Mận"
    assert art.source.startswith("https://baolongan.vn/")
    assert "Báo Long An Online" in art.hints
    text = "\n".join(art.paragraphs)
    assert art.paragraphs[0].startswith("(LA) - Ngày 20/5, Ban Thường vụ Huyện ủy Châu Thành")
    for junk in ("Trang chủ", "Thời sự", "Đăng nhập", "Tìm kiếm", "Lượt xem", "A- A A+", "Chia sẻ",
                 "Từ khóa", "Tin mới", "Đọc nhiều", "Tân Trụ:", "Giấy phép", "Bản quyền",
                 "Ý kiến bạn đọc", "Đường dây nóng"):
        assert junk not in text
    assert any("86 căn nhà tình nghĩa" in p for p in art.paragraphs)


def test_only_boilerplate_is_an_error():
    text = (FIXTURES / "bad" / "only_boilerplate.txt").read_text(encoding="utf-8")
    with pytest.raises(CorpusError, match="no article text"):
        clean_text(text)


@pytest.mark.parametrize("text", ["", "   \n\n \u00a0 \n"])
def test_empty_text_is_an_error(text):
    with pytest.raises(CorpusError, match="empty"):
        clean_text(text)


def test_html_without_article_is_an_error():
    html = ("<html><head><title>Trang chủ</title></head><body><nav><a href='/'>Trang chủ</a>"
            "<a href='/lh'>Liên hệ</a></nav><footer>© Bản quyền</footer></body></html>")
    with pytest.raises(CorpusError):
        clean_html(html)


# --- rules on made-up lines ------------------------------------------------------------------------


def test_generic_widgets_menus_slugs_and_counters():
    page = "\n".join([
        "Trang chủ » Tin tức » Xây dựng Đảng",
        "Thứ Sáu, 03/11/2023 - 10:45",
        "Lượt đọc: 345",
        "Quận 8 nhân rộng mô hình dân vận khéo",
        "Chia sẻ",
        "(TTXVN) - Quận ủy Quận 8 vừa tổ chức hội nghị biểu dương các điển hình dân vận khéo gắn với "
        "học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh năm 2023.",
        "quan-8-nhan-rong-mo-hinh-dan-van-kheo",
        "Hội nghị đã khen thưởng 30 tập thể và 45 cá nhân có thành tích xuất sắc trong phong trào thi "
        "đua dân vận khéo trên địa bàn quận.",
        "45",
        "Bài và ảnh: Hoàng Minh",
        "Xem nhiều nhất",
        "Giá vàng hôm nay tăng mạnh, người dân đổ xô đi mua vàng tích trữ trong những ngày cuối năm.",
    ])
    art = clean_text(page)
    assert art.title == "Quận 8 nhân rộng mô hình dân vận khéo"
    assert art.date == "2023-11-03"
    assert art.author == "Hoàng Minh"
    assert len(art.paragraphs) == 2
    assert "TTXVN" in art.hints
    assert not any("Giá vàng" in p for p in art.paragraphs)


def test_category_label_above_headline_is_not_the_title():
    art = clean_text("Xây dựng Đảng\nTân Châu sơ kết 5 năm học tập và làm theo Bác\n"
                     "Ngày 12/5, Thị ủy Tân Châu tổ chức hội nghị sơ kết 5 năm thực hiện Chỉ thị 05-CT/TW "
                     "của Bộ Chính trị.\n")
    assert art.title == "Tân Châu sơ kết 5 năm học tập và làm theo Bác"
    assert "Xây dựng Đảng" in art.dropped


@pytest.mark.parametrize("text, iso", [
    ("01/06/2023", "2023-06-01"), ("Thứ Tư, 12/07/2023 | 15:20 GMT+7", "2023-07-12"),
    ("ngày 5 tháng 9 năm 2020", "2020-09-05"), ("2024-05-21T09:15:00+07:00", "2024-05-21"),
    ("31/02/2023", None), ("không có ngày", None),
])
def test_parse_date(text, iso):
    assert parse_date(text) == iso


def test_derive_title_cuts_long_first_sentences_at_a_clause():
    lead = ("Trong 5 năm qua, Đảng bộ xã đã lãnh đạo thực hiện thắng lợi nhiều chỉ tiêu quan trọng về "
            "phát triển kinh tế, văn hóa, xã hội, giữ vững quốc phòng, an ninh, xây dựng hệ thống chính "
            "trị vững mạnh, củng cố niềm tin của nhân dân đối với Đảng và chính quyền các cấp. Câu sau.")
    title = derive_title(lead)
    assert len(title) <= 200 and lead.startswith(title) and not title.endswith(",")
    assert derive_title("Ngắn gọn một câu. Câu thứ hai.") == "Ngắn gọn một câu"


def test_capitals_headline_ending_with_a_quote_is_still_the_title():
    art = clean_text("THỊ TRẤN TẦM VU: NHÂN RỘNG MÔ HÌNH “CHI BỘ 4 TỐT”\n"
                     "Đảng ủy thị trấn Tầm Vu vừa tổng kết mô hình “Chi bộ 4 tốt” sau 2 năm thực hiện "
                     "Chỉ thị 05-CT/TW của Bộ Chính trị.\n")
    assert art.title == "THỊ TRẤN TẦM VU: NHÂN RỘNG MÔ HÌNH “CHI BỘ 4 TỐT”"
    assert not art.title_derived and len(art.paragraphs) == 1


@pytest.mark.parametrize("info, author, date", [
    ("Thứ Hai, 15/05/2023 | Tác giả: Lê Na", "Lê Na", "2023-05-15"),
    ("Nguyễn Văn An - 15/05/2023", "Nguyễn Văn An", "2023-05-15"),
    ("Đăng lúc: 09:30 - 25/04/2019", None, "2019-04-25"),
])
def test_info_bar_lines_under_the_headline(info, author, date):
    art = clean_text(f"Tân Châu sơ kết 5 năm học tập và làm theo Bác\n{info}\n"
                     "Ngày 12/5, Thị ủy Tân Châu tổ chức hội nghị sơ kết 5 năm thực hiện Chỉ thị "
                     "05-CT/TW của Bộ Chính trị.\n")
    assert (art.title, art.author, art.date) == ("Tân Châu sơ kết 5 năm học tập và làm theo Bác",
                                                 author, date)
    assert info in art.dropped
