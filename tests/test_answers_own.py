"""ask() on articles written for the tests (other places, amounts and topics), real embedder."""

import shutil

import pytest

from conftest import FIXTURES
from search import open_index
from search.app.answers import DEFAULT_ANSWERS, evidence_features
from search.indexing.build import build_index

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def own(tmp_path_factory):
    base = tmp_path_factory.mktemp("own")
    shutil.copytree(FIXTURES / "articles", base / "corpus")
    (base / "corpus" / "tinh_ha_tinh.txt").write_text(PROVINCE_REPORT, encoding="utf-8")
    (base / "corpus" / "quy_hop_nghe_an.txt").write_text(QUY_HOP, encoding="utf-8")
    (base / "corpus" / "luc_yen_yen_bai.txt").write_text(LUC_YEN, encoding="utf-8")
    (base / "corpus" / "van_yen_yen_bai.txt").write_text(VAN_YEN, encoding="utf-8")
    (base / "corpus" / "yen_binh_yen_bai.txt").write_text(YEN_BINH, encoding="utf-8")
    (base / "corpus" / "tran_yen_yen_bai.txt").write_text(TRAN_YEN, encoding="utf-8")
    (base / "corpus" / "cam_khe_phu_tho.txt").write_text(CAM_KHE, encoding="utf-8")
    build_index(base / "corpus", base / "index")
    return open_index(base / "index")


# a province-level report (no district): it answers "which places", never "which districts"
PROVINCE_REPORT = """Hà Tĩnh: 5 năm thực hiện Chỉ thị 05 của Bộ Chính trị

Ngày 12/5/2021, Ban Thường vụ Tỉnh ủy Hà Tĩnh tổ chức hội nghị tổng kết 5 năm thực hiện Chỉ thị 05-CT/TW \
của Bộ Chính trị về đẩy mạnh học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh.

Trong 5 năm, Quỹ "Vì người nghèo" các cấp trong tỉnh Hà Tĩnh đã vận động được hơn 95 tỷ đồng, hỗ trợ \
xây mới và sửa chữa 1.850 nhà đại đoàn kết cho hộ nghèo, hộ có hoàn cảnh khó khăn về nhà ở.

Tỉnh ủy khen thưởng 40 tập thể và 65 cá nhân có thành tích tiêu biểu trong học tập và làm theo Bác.

Năm 2020, lãnh đạo tỉnh tổ chức 12 cuộc đối thoại với nhân dân về đất đai, môi trường.

Năm 2021, Tỉnh ủy tổ chức 3 hội nghị học tập chuyên đề cho cán bộ chủ chốt của tỉnh.

Nhân dân trong tỉnh đã hiến hơn 2,5 ha đất để mở rộng đường giao thông nông thôn.

Một bộ phận hộ nghèo ở miền núi còn quen nhận hỗ trợ, ít chịu lao động sản xuất.

Đội ngũ báo cáo viên cấp xã phần lớn kiêm nhiệm, thường xuyên biến động.
"""


# a district report whose figures need reading in context: the year set by a paragraph's first
# sentence, district-level beside grassroots attendances, a unit named before its count
QUY_HOP = """Quỳ Hợp: làm theo Bác từ những việc cụ thể

Giai đoạn 2016–2021, Đảng bộ huyện Quỳ Hợp (Nghệ An) triển khai Chỉ thị 05-CT/TW của Bộ Chính trị gắn \
với nhiệm vụ chính trị của địa phương.

Trong 5 năm, cấp huyện tổ chức 8 hội nghị học tập chuyên đề cho 900 lượt cán bộ chủ chốt; các đảng bộ \
cơ sở tổ chức 160 hội nghị với 31.000 lượt cán bộ, đảng viên tham gia.

Năm 2019, mưa lũ kéo dài làm hư hỏng 40 căn nhà ở các bản vùng cao. Ngay sau đó, Ủy ban MTTQ huyện \
trích quỹ cứu trợ, thăm hỏi và tặng quà cho 40 hộ dân bị thiệt hại.

Qua 5 năm, huyện vận động được 2 tỷ 150 triệu đồng xây 12 cây cầu bê tông qua suối, cùng với 9,4 tỷ \
đồng nhân dân đóng góp trồng mới 380 ha rừng phòng hộ đầu nguồn.

Hưởng ứng lời kêu gọi của Bác, huyện phát động phong trào “Ngày chủ nhật xanh” đến từng bản, \
thu gom rác thải, phát quang đường làng.

Bên cạnh kết quả đạt được, Huyện ủy thẳng thắn nhìn nhận: nhiều lao động trẻ đi làm ăn xa khiến một \
số bản thiếu người nòng cốt cho phong trào.

Tại các xóm, mô hình “Xóm tự quản về môi trường” do chi hội phụ nữ làm nòng cốt được nhân rộng ra \
27 xóm; đường làng, ngõ xóm luôn sạch đẹp.

Năm 2021, Bí thư Huyện ủy chủ trì 9 buổi đối thoại với nhân dân các bản vùng cao.

Năm 2023, huyện xây mới 8 căn nhà và sửa chữa 25 căn nhà dột nát cho hộ nghèo, mỗi căn được hỗ trợ 30 triệu đồng.

Nhân dân các bản đã hiến 8.500 m2 đất, góp 12.000 ngày công để mở đường vào bản.

Sinh hoạt chi bộ ở một số bản vùng cao đơn điệu, chưa thu hút được đảng viên trẻ.

Tổng kinh phí in tài liệu học tập chuyên đề là 85 triệu đồng.

Hội Liên hiệp Phụ nữ huyện duy trì mô hình “Nói không với tảo hôn” ở 14 bản vùng cao.
"""


# a district whose land was given for schools, not roads
LUC_YEN = """Lục Yên học và làm theo Bác

Huyện ủy Lục Yên (Yên Bái) sơ kết 3 năm thực hiện Kết luận 01-KL/TW của Bộ Chính trị.

Nhân dân các xã đã hiến 4 ha đất để xây trường học, điểm trường mầm non cho con em.

Huyện tổ chức 6 lớp tập huấn kỹ thuật trồng quế cho nông dân.

Các chi bộ thôn vận động đồng bào xóa bỏ hủ tục trong việc cưới, việc tang.

Hội Cựu chiến binh huyện động viên hội viên tham gia hiến máu tình nguyện.

Ở thị trấn, 300 hộ đã phân loại rác hữu cơ tại nguồn để ủ làm phân bón.
"""


# houses counted after the verb that builds them, with no topic word after the count
VAN_YEN = """Văn Yên làm theo Bác

Huyện ủy Văn Yên (Yên Bái) sơ kết 3 năm thực hiện Kết luận 01-KL/TW của Bộ Chính trị.

Năm 2023, để hộ nghèo có nơi ở ổn định, Ủy ban MTTQ và các đoàn thể huyện vận động xây dựng 6 căn \
nhà tình thương, nhà đại đoàn kết.
"""


# households helped, counted (beside it a place that helped children, not households); the most land
# given, but for a cultural house, not roads
YEN_BINH = """Yên Bình giúp dân thoát nghèo

Huyện ủy Yên Bình (Yên Bái) sơ kết 3 năm thực hiện Kết luận 01-KL/TW của Bộ Chính trị.

Năm 2022, Hội Nông dân huyện giúp đỡ 120 hộ khó khăn vay vốn phát triển sản xuất.

Nhân dân thị trấn Yên Bình đã hiến 3 ha đất để xây dựng nhà văn hóa thôn và sân thể thao.
"""

TRAN_YEN = """Trấn Yên làm theo Bác

Huyện ủy Trấn Yên (Yên Bái) sơ kết 3 năm thực hiện Kết luận 01-KL/TW của Bộ Chính trị.

Năm 2022, Hội Liên hiệp Phụ nữ huyện giúp đỡ, nhận đỡ đầu 7 cháu mồ côi có hoàn cảnh khó khăn.

Lãnh đạo huyện thường xuyên về làm việc với cộng đồng các thôn vùng cao.
"""

# dialogues counted beside the citizens who came to them
CAM_KHE = """Cẩm Khê lắng nghe dân

Huyện ủy Cẩm Khê (Phú Thọ) sơ kết 3 năm thực hiện Kết luận 01-KL/TW của Bộ Chính trị.

Năm 2023, Bí thư Huyện ủy chủ trì 3 hội nghị đối thoại trực tiếp với hơn 1.500 công dân về đất đai, \
giải phóng mặt bằng.

Chi hội phụ nữ các thôn vận động đồng bào Dao bỏ tục thách cưới, tổ chức đám cưới tiết kiệm.
"""


def place_row(ans, locality):
    """The answer's row of one locality (an IndexError when it is not there)."""
    return ans[ans["locality"] == locality].iloc[0]


def rows(ans):
    return {(r.locality, r.province): r for r in ans.itertuples()}


def test_housing_answer_is_the_one_place_that_built_houses(own):
    ans = own.ask("which districts mobilized funds for housing")
    assert list(zip(ans["locality"], ans["province"])) == [("Châu Thành", "Long An")]
    assert 4_300_000_000 in ans["amounts_vnd"][0]


def test_a_province_report_answers_for_places_not_for_districts(own):
    places = own.ask("Những nơi nào vận động xây nhà đại đoàn kết cho hộ nghèo?")
    assert "Hà Tĩnh" in set(places["province"])
    assert 95_000_000_000 in places[places["province"] == "Hà Tĩnh"]["amounts_vnd"].iloc[0]
    districts = own.ask("Huyện nào vận động xây nhà đại đoàn kết cho hộ nghèo?")
    assert "Hà Tĩnh" not in set(districts["province"])


def test_same_name_in_two_provinces_stays_two_places(own):
    got = rows(own.ask("làm đường giao thông nông thôn"))
    assert ("Châu Thành", "Long An") in got and ("Châu Thành", "Tây Ninh") in got
    # each row cites its own article
    assert got[("Châu Thành", "Long An")].doc_ids == ["chau_thanh_long_an"]
    assert got[("Châu Thành", "Tây Ninh")].doc_ids == ["chau_thanh_tay_ninh"]


def test_gifts_in_a_city_ward_with_their_amount(own):
    got = rows(own.ask("tặng quà cho người dân khó khăn"))
    assert 1_500_000_000 in got[("Phường 5", "Hồ Chí Minh")].amounts_vnd
    assert "trên 1,5 tỷ đồng" in got[("Phường 5", "Hồ Chí Minh")].amounts


def test_a_zero_in_a_name_is_not_an_amount(own):
    for question in ("hỗ trợ người lao động nghèo", "mô hình tủ bánh mì"):
        for r in own.ask(question).itertuples():
            assert 0 not in r.amounts_vnd, (question, r.locality)


def test_nonsense_and_empty_questions(own):
    ans = own.ask("asdkj qwpoe zzzz")
    assert ans.empty and ans.attrs["reason"]
    from search.errors import QueryError

    with pytest.raises(QueryError):
        own.ask("   ")


def test_a_name_two_places_share_names_only_the_best_of_them(own):
    from search.app.answers import AnswerSettings

    q = "Châu Thành hiến đất làm đường giao thông nông thôn"
    both = rows(own.ask(q))
    assert {("Châu Thành", "Long An"), ("Châu Thành", "Tây Ninh")} <= set(both)  # each answers on its own
    # when neither would pass as an unnamed place, the name lends its allowance to one place only
    strict = own.ask(q, settings=AnswerSettings(min_logit=100.0))
    assert len(strict) == 1 and strict["locality"][0] == "Châu Thành"


def test_an_undated_sentence_takes_the_year_its_paragraph_set(own):
    # "Năm 2019, mưa lũ …. Ngay sau đó, … thăm hỏi, tặng quà": the relief is of 2019, though the
    # article covers 2016–2021 and the sentence names no year
    ans = own.ask("năm 2019 nơi nào hỗ trợ người dân bị lũ lụt")
    assert "Quỳ Hợp" in set(ans["locality"])


def test_a_superlative_reads_the_figure_of_the_clause_it_asks_about(own):
    ans = own.ask("Which locality had the fewest attendances at its district-level study conferences?")
    row = place_row(ans, "Quỳ Hợp")
    assert row["value"] == 900  # district level, not the grassroots 31.000
    assert ans["locality"].iloc[0] == "Quỳ Hợp"


def test_a_count_whose_unit_was_named_before_with_the_topic(own):
    # “Xóm tự quản …” được nhân rộng ra 27 xóm: 27 self-managed groups, though "tự quản" is
    # not among the words after the count
    ans = own.ask("Nơi nào có nhiều tổ tự quản nhất?")
    row = place_row(ans, "Quỳ Hợp")
    assert row["value"] == 27


def test_a_superlative_reads_the_amount_spent_on_what_it_asks(own):
    # "2 tỷ 150 triệu đồng xây 12 cây cầu …, cùng với 9,4 tỷ đồng … trồng mới 380 ha rừng": asked
    # about bridges, the place's figure is the first, though the second is larger and in its sentence
    ans = own.ask("Huyện nào huy động nhiều tiền nhất cho việc xây cầu?")
    row = place_row(ans, "Quỳ Hợp")
    assert row["value"] == 2_150_000_000


def test_any_place_needs_the_thing_asked_about_not_only_its_frame(own):
    # "phát động phong trào" is there; beekeeping is not: no place answers
    assert own.ask("Có địa phương nào phát động phong trào nuôi ong không?").empty
    ans = own.ask("Có địa phương nào phát động phong trào giữ gìn đường làng xanh sạch không?")
    assert "Quỳ Hợp" in set(ans["locality"])


def test_or_asks_for_either_of_two_things(own):
    # the article collects rubbish and sorts none: "sorted or collected" is answered by it,
    # "sorted and collected" is not — at most, no place saying it plainly, it comes closest
    either = own.ask("Which places sorted or collected rubbish?")
    assert "Quỳ Hợp" in set(either["locality"]) and "closest" not in either.attrs
    both = own.ask("Which places sorted and collected rubbish?")
    assert "Quỳ Hợp" not in set(both["locality"]) or both.attrs["closest"] is True


def test_a_shortcoming_admitted_in_other_words(own):
    # "thẳng thắn nhìn nhận: … thiếu người nòng cốt": no "hạn chế" or "khó khăn", still a shortcoming
    ans = own.ask("Nơi nào gặp khó khăn vì lao động trẻ đi làm ăn xa?")
    assert "Quỳ Hợp" in set(ans["locality"])


def test_a_sentence_is_read_with_the_one_before_it_in_its_paragraph(own):
    # "Năm 2019, mưa lũ … . Ngay sau đó, … tặng quà cho 40 hộ dân": the gifts are the flood's,
    # though their sentence does not say "lũ"; it is the evidence quoted first
    ans = own.ask("Nơi nào tặng quà cho người dân bị lũ?")
    row = place_row(ans, "Quỳ Hợp")
    assert row["evidence"][0].startswith("Ngay sau đó")


def test_a_place_counting_in_another_unit_still_has_its_figure(own):
    # the question counts "cuộc"; "9 buổi đối thoại" is a count of dialogues all the same
    ans = own.ask("Nơi nào tổ chức nhiều cuộc đối thoại với nhân dân nhất?")
    assert list(ans["locality"][:2]) == ["Hà Tĩnh", "Quỳ Hợp"]
    assert place_row(ans, "Quỳ Hợp")["value"] == 9


def test_the_largest_sum_of_a_place_when_only_the_sum_is_asked(own):
    # "kinh phí" names no topic: the place's figure is its largest sum, not the one of the
    # sentence that says "kinh phí" (85 triệu for handbooks beside 9,4 tỷ for forest)
    ans = own.ask("Nơi nào có khoản kinh phí lớn nhất?")
    assert place_row(ans, "Quỳ Hợp")["value"] == 9_400_000_000


def test_a_yes_no_question_with_a_word_no_article_holds(own):
    # "sáng sớm" is in no article: the question's other words and its meaning still find the
    # rubbish collection (requiring the absent word would answer "no" to any such question)
    ans = own.ask("Có nơi nào thu gom rác thải ven đường làng vào sáng sớm không?")
    assert "Quỳ Hợp" in set(ans["locality"])


def test_a_count_of_another_unit_the_question_names_is_not_its_figure(own):
    # attendances are asked for; Hà Tĩnh counts only its conferences ("3 hội nghị"): it has no
    # figure to rank by: it is not in the ranking, only named apart
    ans = own.ask("Which place had the fewest attendances at its study conferences?")
    assert ans["locality"].iloc[0] == "Quỳ Hợp"
    assert ans["value"].iloc[0] == 900
    assert ans["value"].notna().all()
    assert "Hà Tĩnh" not in set(ans["locality"]) and "Hà Tĩnh" in ans.attrs["unranked"]


def test_an_amount_for_each_unit_answers_a_question_asking_for_it(own):
    # "mỗi căn được hỗ trợ 30 triệu đồng" is an amount per house, not a sum: it answers
    # "how much for each house" in either language, with its unit
    for question in ("Quỳ Hợp hỗ trợ mỗi căn nhà dột nát bao nhiêu tiền?",
                     "How much did Quỳ Hợp give for each house it repaired?"):
        row = place_row(own.ask(question), "Quỳ Hợp")
        assert 30_000_000 in row["amounts_vnd"], question
        assert row["amounts"][row["amounts_vnd"].index(30_000_000)].endswith("/căn")


def test_land_is_ranked_by_its_area_whatever_the_unit(own):
    # "nhiều đất nhất": the area is what is ranked — 2,5 ha (25.000 m²) above 8.500 m² — never the
    # 12.000 workdays of the same sentence
    ans = own.ask("Nơi nào được người dân hiến nhiều đất nhất để làm đường?")
    # Châu Thành's people gave land too, but say no area: it cannot be ranked by one
    assert list(ans["locality"]) == ["Hà Tĩnh", "Quỳ Hợp"]
    assert place_row(ans, "Quỳ Hợp")["value"] == 8_500
    assert place_row(ans, "Hà Tĩnh")["value"] == 2.5
    assert "Châu Thành" in ans.attrs["unranked"]  # … and is named apart


def test_a_ranked_question_no_place_gives_the_figure_of_says_so(own):
    # Lục Yên's veterans give blood, but no report counts donors: nothing to rank, and the answer
    # says that, naming the place that speaks of it, rather than that nothing speaks of it
    ans = own.ask("Nơi nào có nhiều người hiến máu nhất?")
    assert ans.empty
    assert "figure" in ans.attrs["reason"]
    assert ans.attrs["unranked"] == ["Lục Yên"]


def test_a_figure_of_another_purpose_does_not_rank(own):
    # Lục Yên's 4 ha, the most land, went to schools: asked about land for roads, it has no area to
    # rank by (and is left out, as a place reporting none would be)
    ans = own.ask("Địa phương nào được dân hiến nhiều đất nhất để mở đường?")
    assert list(ans["locality"]) == ["Hà Tĩnh", "Quỳ Hợp"]
    assert place_row(ans, "Hà Tĩnh")["value"] == 2.5


@pytest.mark.parametrize("question", ["Những địa phương nào báo cáo về Chỉ thị 05?",
                                      "Which places report on Chỉ thị 05?"])
def test_a_question_asking_nothing_beyond_its_directive_lists_every_article_of_it(own, question):
    # no topic left once "which places report on" and the directive are read: every article on
    # Chỉ thị 05 answers, with the sentence that names it
    arts = own.articles
    expected = {d for d, ds in zip(arts["doc_id"], arts["directives"]) if "05-CT/TW" in list(ds)}
    ans = own.ask(question)
    assert set().union(*ans["doc_ids"]) == expected
    assert "Chỉ thị 05" in place_row(ans, "Quỳ Hợp")["evidence"][0]


def test_a_function_word_is_not_what_a_question_asks_about(own):
    # "giữa" (between) is in no sentence of the dialogues: it must not count against them
    ans = own.ask("Nơi nào tổ chức đối thoại giữa lãnh đạo và nhân dân?")
    assert {"Hà Tĩnh", "Quỳ Hợp"} <= set(ans["locality"])


def test_of_two_counts_in_a_clause_the_one_the_question_words_lead_to(own):
    # "xây mới 8 căn nhà và sửa chữa 25 căn nhà": asked what was built, the figure is 8
    ans = own.ask("Quỳ Hợp xây mới bao nhiêu căn nhà cho hộ nghèo?")
    assert place_row(ans, "Quỳ Hợp")["value"] == 8


def test_a_comparison_shows_each_place_s_figures_on_the_topic(own):
    # both places answer (a district and a province joined by "and"), each with its counts of
    # houses, though the sentences holding them are not the ones whose wording scores best
    ans = own.ask("Compare Quỳ Hợp and Hà Tĩnh on houses")
    assert {"Quỳ Hợp", "Hà Tĩnh"} <= set(ans["locality"])
    assert 1_850 in [c["value"] for c in place_row(ans, "Hà Tĩnh")["count_details"]]
    assert {8, 25} <= {c["value"] for c in place_row(ans, "Quỳ Hợp")["count_details"]}


@pytest.mark.parametrize("question,op,bound", [
    ("Which places raised more than 10 billion dong?", ">", 10e9),
    ("Những nơi nào vận động dưới 10 tỷ đồng?", "<", 10e9),
    ("Nơi nào khen thưởng từ 50 cá nhân trở lên?", ">=", 50),
])
def test_a_threshold_keeps_the_places_whose_figure_passes_it(own, question, op, bound):
    ans = own.ask(question)
    values = list(ans["value"])
    assert values, question
    assert all({">": v > bound, "<": v < bound, ">=": v >= bound}[op] for v in values)
    assert values == sorted(values, reverse=not op.startswith("<"))
    if op == ">":  # 95 tỷ đồng for houses, though its sentence scores low on "raised"
        assert "Hà Tĩnh" in set(ans["locality"])


def test_a_shortcoming_said_without_the_usual_words(own):
    # "đơn điệu, chưa thu hút được": a shortcoming, though no "hạn chế", "khó khăn" or "còn"
    for question in ("Những nơi nào nêu hạn chế trong sinh hoạt chi bộ?",
                     "Which places admit shortcomings in party cell meetings?"):
        row = place_row(own.ask(question), "Quỳ Hợp")
        assert "đơn điệu" in row["evidence"][0], question


@pytest.mark.parametrize("question", [
    "Nơi nào ngăn chặn kết hôn khi chưa đủ tuổi?",  # the report says "tảo hôn"
    "Which places campaign against child marriage?",
])
def test_a_thing_said_in_the_words_of_a_synonym_group(own, question):
    # the question's words meet the report's through synonyms_vi.tsv / the glossary: the sentence
    # saying it is the best evidence of the corpus, and holds what was asked
    _, feats = evidence_features(own, question)
    best = feats.sort_values(["coverage", "dense_z"], ascending=False).iloc[0]
    assert "tảo hôn" in best["text"] and best["coverage"] > 0


def test_a_part_of_the_people_still_falling_short_is_a_shortcoming(own):
    # "một bộ phận … còn …": no "hạn chế", "khó khăn" in the sentence, still an admitted shortcoming
    for question in ("Nơi nào gặp khó khăn vì hộ nghèo quen nhận hỗ trợ?",
                     "Which places admit that poor households are used to receiving aid?"):
        row = place_row(own.ask(question), "Hà Tĩnh")
        assert row["evidence"][0].startswith("Một bộ phận"), question


def test_staff_that_keep_changing_is_a_shortcoming(own):
    # "kiêm nhiệm, thường xuyên biến động": admitted, though no "hạn chế", "khó khăn", "còn"
    for question in ("Which places admit that their grassroots staff keep changing?",
                     "Nơi nào gặp khó khăn vì báo cáo viên thường xuyên biến động?"):
        row = place_row(own.ask(question), "Hà Tĩnh")
        assert "biến động" in row["evidence"][0], question


def test_a_syllable_without_diacritics_in_a_question_that_has_them_is_that_word(own):
    # "ban" (a board) written among words with diacritics is not "bản" (a village); typed without
    # any diacritics, it may be either
    def coverage(question):
        _, feats = evidence_features(own, question)
        return float(feats.loc[feats["text"].str.contains("nhân dân các bản vùng cao"), "coverage"].iloc[0])
    assert coverage("Nơi nào có ban chỉ đạo?") == 0
    assert coverage("noi nao co ban chi dao") > 0


def test_a_yes_no_question_asks_about_what_people_are_encouraged_to_do(own):
    # "encourage people to …" frames the question like "phát động phong trào …": what must be said
    # is giving up the customs, not "động viên" (Lục Yên's report says "vận động")
    ans = own.ask("Did any place encourage people to abandon outdated customs at weddings and funerals?")
    assert list(ans["locality"]) == ["Lục Yên"]
    assert "hủ tục" in ans["evidence"][0][0]


def test_a_synonym_group_phrase_counts_as_one_whole_concept(own):
    # "phân loại rác" (a phrase of the "rác" group) is one concept, not a pair of syllables that
    # count already: the sentence about sorting rubbish leads, well ahead of one that merely holds
    # "hộ" and "nguồn" ("rừng phòng hộ đầu nguồn")
    _, feats = evidence_features(own, "Ở đâu hộ dân phân loại rác tại nguồn?")
    def coverage(words):
        return float(feats.loc[feats["text"].str.contains(words), "coverage"].iloc[0])
    assert coverage("phân loại rác hữu cơ") == feats["coverage"].max()
    assert coverage("phân loại rác hữu cơ") - coverage("rừng phòng hộ đầu nguồn") > 0.1


def test_a_phrase_typed_without_diacritics_may_be_either_of_two_groups(own):
    # "tuyen duong" is tuyên dương (to commend) as well as tuyến đường (a road)
    _, feats = evidence_features(own, "noi nao tuyen duong tap the ca nhan")
    commended = feats.loc[feats["text"].str.contains("khen thưởng 40 tập thể"), "coverage"]
    assert float(commended.iloc[0]) == 1.0


def test_a_question_presupposing_an_answer_gets_the_closest_place_and_says_so(own):
    # Quỳ Hợp's floods and the relief that followed are told in other words than the question's: no
    # sentence passes the usual threshold. "Which places …" presupposes some place did it, so the
    # closest answers, flagged; "did any place …" does not, and stays empty
    ans = own.ask("Which places sent teams to help flood victims?")
    assert list(ans["locality"]) == ["Quỳ Hợp"]
    assert ans.attrs["closest"] is True
    assert own.ask("Did any place send teams to help flood victims?").empty
    # a place that says it plainly is no "closest" answer
    assert "closest" not in own.ask("Những nơi nào bỏ hủ tục ma chay?").attrs


def test_a_count_whose_unit_is_a_word_of_the_topic_its_verb_before_it(own):
    # "vận động xây dựng 6 căn nhà tình thương": "xây" before the count, "nhà" its unit — houses
    # built, though no word of the topic follows the count
    ans = own.ask("Nơi nào xây ít nhà nhất cho hộ nghèo?")
    assert ans["locality"].iloc[0] == "Văn Yên" and ans["value"].iloc[0] == 6


def test_a_count_of_what_a_disaster_damaged_does_not_rank_what_was_built(own):
    # Quỳ Hợp: floods "làm hư hỏng 40 căn nhà"; it built 8 ("xây mới 8 căn nhà")
    ans = own.ask("Which place built the fewest houses?")
    assert place_row(ans, "Quỳ Hợp")["value"] == 8
    # … and the damage is what a question about damage ranks by
    damaged = own.ask("Nơi nào có nhiều nhà bị hư hỏng nhất?")
    assert damaged["locality"].iloc[0] == "Quỳ Hợp" and damaged["value"].iloc[0] == 40


def test_a_count_of_another_kind_of_thing_does_not_stand_in_for_the_unit_asked(own):
    # households are asked for: Trấn Yên's 7 orphans are no count of households, so it is named
    # apart rather than ranked first as the place that helped the fewest
    ans = own.ask("Địa phương nào giúp đỡ ít hộ khó khăn nhất?")
    assert ans["locality"].iloc[0] == "Yên Bình" and ans["value"].iloc[0] == 120
    assert "Trấn Yên" not in set(ans["locality"]) and "Trấn Yên" in ans.attrs["unranked"]


def test_households_rank_by_households_whatever_purpose_the_question_is_read_as(own):
    # "helped … struggling households" reads as housing; the houses other places built (a count of
    # that purpose, of another unit) must not push the households helped out of the ranking
    ans = own.ask("Which place helped the fewest struggling households?")
    assert ans["locality"].iloc[0] == "Yên Bình" and ans["value"].iloc[0] == 120


def test_a_count_given_for_another_end_than_the_question_s_does_not_rank(own):
    # Yên Bình gave the most land, 3 ha, "để xây dựng nhà văn hóa thôn": not for roads
    for question in ("Nơi nào được người dân hiến nhiều đất nhất để làm đường?",
                     "Which place's residents gave the most land for roads?"):
        ans = own.ask(question)
        assert list(ans["locality"]) == ["Hà Tĩnh", "Quỳ Hợp"] and "Yên Bình" in ans.attrs["unranked"]


def test_money_ranked_is_money_whose_own_words_name_what_is_asked(own):
    # bridges: Quỳ Hợp's 2 tỷ 150 triệu and Chợ Mới's 2,3 tỷ; Châu Thành's 4,3 tỷ went to houses
    # ("xây dựng … nhà"), Hà Tĩnh's 95 tỷ too — they are named apart, not ranked as bridge money
    ans = own.ask("Which place raised the least money for building bridges?")
    assert list(ans["locality"]) == ["Quỳ Hợp", "Chợ Mới"]
    assert {"Châu Thành", "Hà Tĩnh"} <= set(ans.attrs["unranked"])


def test_the_places_that_come_closest_are_a_short_list(own):
    # no article speaks of storytelling contests about Uncle Ho: the answer is a flagged guess,
    # and a guess naming five places helps no one
    ans = own.ask("Những nơi nào tổ chức hội thi kể chuyện về Bác?")
    assert ans.attrs["closest"] is True and 1 <= len(ans) <= 3
    wide = own.ask("Những nơi nào tổ chức hội thi kể chuyện về Bác?",
                   settings=DEFAULT_ANSWERS.replace(presupposed_max=99))
    assert len(wide) > 3  # what the cap is for


def test_an_english_superlative_counts_the_thing_it_names_not_who_it_was_with(own):
    # "dialogues with citizens": Cẩm Khê's 3 dialogues rank it, not the 1.500 citizens who came
    ans = own.ask("Which place held the largest number of dialogues with citizens?")
    assert list(ans["locality"])[:2] == ["Hà Tĩnh", "Quỳ Hợp"]
    assert place_row(ans, "Cẩm Khê")["value"] == 3


def test_a_money_superlative_typed_without_diacritics_ranks_the_amounts(own):
    # "khoản tiền lớn nhất thuộc về địa phương nào": money asked, nothing else — "tien" is the
    # question's money, "thuoc ve" its scaffolding, not words a sentence must hold
    ans = own.ask("khoan tien lon nhat thuoc ve dia phuong nao")
    assert ans["locality"].iloc[0] == "Hà Tĩnh" and ans["value"].iloc[0] == 95_000_000_000


def test_an_ethnic_group_named_in_english_is_that_name_not_a_syllable_like_it(own):
    # "Dao" (the people) is written so in reports; "lãnh đạo" (leaders) holds no Dao:
    # "lãnh đạo tỉnh … với nhân dân" is no work among the Dao people
    ans = own.ask("Which places report work among the Dao people?")
    assert list(ans["locality"]) == ["Cẩm Khê"]
    for r in ans.itertuples():
        assert all("Dao" in e for e in r.evidence)


def test_a_place_left_out_is_not_in_the_answer_and_the_rest_are(own):
    every = rows(own.ask("làm đường giao thông nông thôn"))
    assert ("Châu Thành", "Long An") in every and ("Châu Thành", "Tây Ninh") in every
    for question in ("Ngoài Châu Thành (Long An), nơi nào làm đường giao thông nông thôn?",
                     "Apart from Long An, which places built rural roads?"):
        got = rows(own.ask(question))
        assert ("Châu Thành", "Long An") not in got, question
        assert ("Châu Thành", "Tây Ninh") in got, question


def test_ho_chi_minh_s_example_does_not_scope_a_question_to_the_city(own):
    # the corpus has a ward of Hồ Chí Minh City: the man's example is every report's subject
    got = rows(own.ask("Which places gave gifts to people in difficulty, following Hồ Chí Minh's example?"))
    assert ("Phường 5", "Hồ Chí Minh") in got and len(got) > 1
    assert set(rows(own.ask("What did Ho Chi Minh City give to people in difficulty?"))) == {("Phường 5", "Hồ Chí Minh")}


def test_a_question_asking_for_two_places_lists_the_two_best(own):
    every = own.ask("Which places built rural roads?")
    two = own.ask("Which two places built rural roads?")
    assert len(every) > 2 and list(two["locality"]) == list(every["locality"][:2])


def test_a_region_keeps_the_places_of_its_provinces(own):
    every = rows(own.ask("Which places built rural roads?"))
    delta = rows(own.ask("Which places in the Mekong Delta built rural roads?"))
    assert ("Châu Thành", "Long An") in delta and ("Châu Thành", "Long An") in every
    assert ("Châu Thành", "Tây Ninh") in every and ("Châu Thành", "Tây Ninh") not in delta  # the Southeast
    assert {province for _, province in delta} <= {"Long An", "An Giang", "Tiền Giang", "Bến Tre", "Cần Thơ"}


@pytest.mark.parametrize("question", ["In recent years, which places have built rural roads?",
                                      "Thời gian qua, những nơi nào làm đường giao thông nông thôn?"])
def test_a_vague_time_does_not_change_the_places(own, question):
    plain = "Which places built rural roads?" if question.startswith("In") else \
        "Những nơi nào làm đường giao thông nông thôn?"
    assert set(rows(own.ask(question))) == set(rows(own.ask(plain)))


@pytest.mark.parametrize("variant", [
    "Could you tell me which places built rural roads?",
    "which places built rural roads",
    "WHICH places built rural roads?",
    "According to the reports, which places built rural roads? Thanks.",
])
def test_how_a_question_is_asked_or_typed_does_not_change_its_places(own, variant):
    assert set(rows(own.ask(variant))) == set(rows(own.ask("Which places built rural roads?")))


def test_a_vietnamese_request_is_the_question_it_wraps(own):
    bare = "Những nơi nào làm đường giao thông nông thôn?"
    for variant in ("Xin hỏi, những nơi nào làm đường giao thông nông thôn?",
                    "cho toi biet nhung noi nao lam duong giao thong nong thon"):
        plain = bare if variant.startswith("Xin") else "nhung noi nao lam duong giao thong nong thon"
        assert set(rows(own.ask(variant))) == set(rows(own.ask(plain))), variant


@pytest.mark.parametrize("question", ["Which places did not build rural roads?",
                                      "Những nơi nào chưa làm đường giao thông nông thôn?"])
def test_a_negated_question_names_apart_the_reports_silent_on_it(own, question):
    ans = own.ask(question)
    assert ans.empty and "no proof" in ans.attrs["reason"]  # silence is not "did not"
    said, not_said = set(ans.attrs["said"]), set(ans.attrs["not_said"])
    assert "Châu Thành (Long An)" in said and "Châu Thành (Long An)" not in not_said
    assert "Phường 5 (Hồ Chí Minh)" in not_said and not said & not_said
    assert said | not_said == _labels(own)  # every report of a known place is in one list or the other


def _labels(idx):
    arts = idx.articles
    return {f"{loc} ({prov})" if isinstance(loc, str) and loc and isinstance(prov, str) and prov and loc != prov
            else (loc if isinstance(loc, str) and loc else prov)
            for loc, prov in zip(arts["locality"], arts["province"])
            if (isinstance(loc, str) and loc) or (isinstance(prov, str) and prov)}
