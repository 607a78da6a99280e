"""Reading a question: its kind, what it counts, the places, directive and years it names, its topic."""

import re

import pandas as pd
import pytest

from search.app.question import OPEN_YEAR, PlaceIndex, directives_named, parse
from search.text.normalize import fold


@pytest.fixture(scope="module")
def places():
    articles = pd.DataFrame([
        {"doc_id": "a", "locality": "Châu Thành", "district": "Châu Thành", "province": "Tiền Giang",
         "province_new": "Đồng Tháp", "text": "Đảng ủy xã Long Hưng vận động làm đường."},
        {"doc_id": "b", "locality": "Châu Thành", "district": "Châu Thành", "province": "Trà Vinh",
         "province_new": "Vĩnh Long", "text": "Chi bộ ấp Phước Thạnh đỡ đầu trẻ mồ côi."},
        {"doc_id": "c", "locality": "Bảo Lâm", "district": "Bảo Lâm", "province": "Lâm Đồng",
         "province_new": "Lâm Đồng", "text": "Trao học bổng."},
        {"doc_id": "d", "locality": None, "district": None, "province": "Ninh Bình",
         "province_new": "Ninh Bình", "text": "Tỉnh ủy khen thưởng."},
        {"doc_id": "e", "locality": "Hải Hậu", "district": "Hải Hậu", "province": "Nam Định",
         "province_new": "Ninh Bình", "text": "Xây nhà đại đoàn kết."},
    ])
    return PlaceIndex.from_articles(articles)


@pytest.mark.parametrize("question,kind,money,count", [
    ("How much did Binh Son raise for housing?", "how_much", True, False),
    ("chau thanh tien giang van dong bao nhieu tien xay nha", "how_much", True, False),
    ("How many houses were built?", "how_many", False, True),
    ("Khu Đại đoàn kết có bao nhiêu nền nhà?", "how_many", False, True),
    ("Which locality collected the most blood?", "most", False, True),
    ("huyen nao to chuc nhieu cuoc doi thoai voi dan nhat", "most", False, True),
    # the ranked words far apart
    ("noi nao co it luot can bo dang vien du hoc tap chuyen de nhat", "least", False, True),
    ("Trong các địa phương làm nước sạch, nơi nào chi ít tiền nhất?", "least", True, False),
    ("Compare the scholarship programmes of Bảo Lâm and Châu Thành", "compare", False, False),
    ("Does any place sponsor orphans?", "any", False, False),
    ("co noi nao ho tro nguoi dan mua xe may dien khong", "any", False, False),
    ("Were village elders among the people honoured anywhere?", "any", False, False),
    ("Which district organised more study conferences than any other?", "most", False, True),
    ("Where was attendance at the study sessions thinnest?", "least", False, True),
    ("noi nao co so nguoi tham du dong nhat", "most", False, True),
    ("Which places helped the poorest households?", "which", False, False),  # poorest: no ranking
    ("Has anyone set up a rice bank for the poor?", "any", False, False),
    # asked without its verb, or of "any of the districts": still "does any place", which may be none
    ("Anywhere giving poor people free health insurance cards?", "any", False, False),
    ("Any local campaign promoting beekeeping?", "any", False, False),
    ("Has a metro line been built by any of the districts?", "any", False, False),
    ("Which districts, if any, built a metro line?", "any", False, False),
    ("which districts mobilized funds for housing", "how_much", True, False),
    ("Địa phương nào phát động trồng cây xanh?", "which", False, False),  # "phát động" is not "đồng"
    ("nhung noi nao ho tro nguoi dan bi lu lut, dong bao", "which", False, False),  # đồng bào, not VND
    ("Which place settled the most complaints raised by residents?", "most", False, True),  # not money
    ("Which places raised money for bridges?", "how_much", True, False),
    ("How much land did residents donate for roads?", "how_many", False, True),  # m², not money
    # góp tiền asks for money typed with or without diacritics alike
    ("Địa phương nào vận động nhân dân góp tiền làm đường?", "how_much", True, False),
    ("dia phuong nao van dong nhan dan gop tien lam duong", "how_much", True, False),
    ("huyen nao tien hanh lam duong", "which", False, False),  # "tien hanh": tiến hành, no money
    # spent ("bỏ ra bao nhiêu"), a sum of money ("khoản tiền"), savings totalled: money
    ("thi xa da bo ra bao nhieu de sua nha cho nguoi ngheo", "how_much", True, False),
    ("khoan tien lon nhat thuoc ve dia phuong nao", "most", True, False),
    ("What were the total savings put aside by the women's union?", "how_much", True, False),
    ("What were the main difficulties?", "which", False, False),
    # "bao nhiêu" with a thing after it counts that thing, even after a verb of raising money …
    ("Xã vận động được bao nhiêu hộ tham gia?", "how_many", False, True),
    ("Hội Chữ thập đỏ ủng hộ được bao nhiêu tấn gạo?", "how_many", False, True),
    ("huyen huy dong duoc bao nhieu nguoi hien mau", "how_many", False, True),
    # … and with nothing counted after it asks the amount: the verb's, or the money noun's
    ("Huyện đã huy động được bao nhiêu cho nhà ở?", "how_much", True, False),
    ("xa duoc ho tro bao nhieu sau tran lu", "how_much", True, False),
    ("Mỗi hộ được hỗ trợ bao nhiêu?", "how_much", True, False),
    ("Tổng giá trị quà tặng dịp Tết là bao nhiêu?", "how_much", True, False),
    ("muc ho tro moi can nha la bao nhieu", "how_much", True, False),
    ("What was the value of the gifts handed out at Tet?", "how_much", True, False),
    # the biggest donation is of money; a donation of blood or land is not
    ("Where was the biggest donation made?", "most", True, False),
    ("Which places held blood donation drives?", "which", False, False),
    ("Which district received donations of rice after the flood?", "which", False, False),
    # yes or no: "… đã … chưa?", "ở đâu có … không?", "did a single district …"; "where is there" asks where
    ("Có địa phương nào đã từng xây nhà văn hóa cho đồng bào chưa?", "any", False, False),
    ("o dau co mo hinh cho khong rac thai nhua khong", "any", False, False),
    ("Did a single district offer free bus rides to pupils?", "any", False, False),
    ("Where is there a model of self-managed roads?", "which", False, False),
    # a total number ("tổng số … là bao nhiêu") counts; a list topped is a ranking
    ("Tổng số suất học bổng đã trao là bao nhiêu?", "how_many", False, True),
    ("Tổng số tiền vận động là bao nhiêu?", "how_much", True, False),
    ("Which locality topped the list for scholarships awarded?", "most", False, True),
    ("How many billion-dong projects were there?", "how_many", False, True),
])
def test_kind_and_what_is_counted(question, kind, money, count):
    q = parse(question)
    assert (q.kind, q.money, q.count) == (kind, money, count)


@pytest.mark.parametrize("question,per_unit", [
    ("Mộc Châu hỗ trợ mỗi căn nhà bao nhiêu tiền?", True),
    ("moc chau moi can nha duoc ho tro bao nhieu tien", True),
    ("How much did each household receive?", True),
    ("How much was given per house?", True),
    ("huyen xay moi bao nhieu tien nha", False),  # "moi" here is mới (new)
    ("Mộc Châu vận động bao nhiêu tiền xây nhà?", False),
    ("Mỗi năm có bao nhiêu căn nhà được xây?", False),  # a count, not an amount
])
def test_an_amount_for_each_unit(question, per_unit):
    assert parse(question).per_unit is per_unit


def test_a_total_value_asks_for_money():
    assert parse("What was the total value of the health insurance cards given out?").money


def test_difficulties_and_lessons_are_read_in_both_languages():
    assert parse("What shortcomings did the party committee admit?").difficulties
    assert parse("Những nơi nào còn hạn chế về phân loại rác?").difficulties
    assert not parse("hỗ trợ hộ có hoàn cảnh khó khăn").difficulties  # families in hardship
    assert parse("lessons learned by the district").lessons


def test_a_province_after_a_locality_narrows_it_and_localities_add_up(places):
    assert parse("chau thanh tien giang van dong bao nhieu tien", places).doc_ids == {"a"}
    q = parse("Compare Châu Thành (Trà Vinh) and Bảo Lâm", places)
    assert q.doc_ids == {"b", "c"}
    assert parse("Châu Thành làm đường thế nào?", places).doc_ids == {"a", "b"}  # no province: both
    assert parse("Tỉnh ủy Ninh Bình khen thưởng bao nhiêu tập thể?", places).doc_ids == {"d"}  # legacy name first
    assert parse("xa Long Hung lam duong het bao nhieu", places).doc_ids == {"a"}  # a commune the text names
    assert parse("Which districts built houses?", places).doc_ids is None


@pytest.mark.parametrize("question", ["How much did Châu Thành district, Trà Vinh raise?",
                                      "How much did Châu Thành district in Trà Vinh raise?",
                                      "How much did Châu Thành in the province of Trà Vinh raise?",
                                      "How much did Châu Thành district (Trà Vinh) raise?",
                                      "huyen chau thanh, tinh tra vinh van dong bao nhieu tien"])
def test_a_province_narrows_the_locality_across_a_level_word(places, question):
    q = parse(question, places)
    assert q.doc_ids == {"b"}
    assert "district" not in q.topic


def test_directive_years_and_topic():
    q = parse("Under Directive 03 (2011–2016), which places housed poor households?")
    assert q.directive == "03-CT/TW" and q.years == (2011, 2016)
    assert q.topic == "housed poor households"
    assert parse("ket luan 01 nhung noi nao khen thuong").directive == "01-KL/TW"
    q = parse("Năm 2020, xã nào trao học bổng cho học sinh?")
    assert q.years == (2020, 2020) and "học bổng" in q.topic and "nào" not in q.topic
    assert parse("Did any district build a metro line?").topic == "build a metro line"


@pytest.mark.parametrize("question,years,topic", [
    ("Trong giai đoạn 2016-2021, địa phương nào xây nhà cho hộ nghèo?", (2016, 2021), "xây nhà cho hộ nghèo"),
    ("từ năm 2012 đến năm 2016 huyện nào làm đường", (2012, 2016), "làm đường"),
    ("Between 2011 and 2016, which places housed poor households?", (2011, 2016), "housed poor households"),
    ("nam 2022 dia phuong nao ho tro nguoi dan bi thien tai", (2022, 2022), "ho tro nguoi dan bi thien tai"),
    # the word naming the period goes with its years; two years joined by "or" are both asked
    ("Which districts built houses during the 2021–2025 term?", (2021, 2025), "built houses"),
    ("Trong nhiệm kỳ 2020-2025, huyện nào xây nhà?", (2020, 2025), "xây nhà"),
    ("Which places built houses in 2019 or 2020?", (2019, 2020), "built houses"),
])
def test_years_and_the_words_that_lead_to_them_leave_the_topic(question, years, topic):
    # "giai đoạn", "năm", "between" only say when: left in the topic they become concepts
    q = parse(question)
    assert q.years == years and q.topic == topic


@pytest.mark.parametrize("question,topic", [
    ("Which places built houses for poor households in recent years?", "built houses for poor households"),
    ("So far, which places have recently built houses?", "have built houses"),
    ("Which places built roads over the past 5 years?", "built roads"),
    ("Những năm gần đây, những nơi nào xây nhà cho hộ nghèo?", "xây nhà cho hộ nghèo"),
    ("thoi gian qua nhung noi nao xay nha cho ho ngheo", "xay nha cho ho ngheo"),
    ("ho tro nguoi dan vuot qua kho khan", "ho tro nguoi dan vuot qua kho khan"),  # "qua" alone stays
])
def test_a_vague_time_is_no_topic(question, topic):
    q = parse(question)
    assert (q.topic, q.years) == (topic, None)


@pytest.mark.parametrize("framed,bare", [
    ("Xin hỏi, có nơi nào tặng thẻ bảo hiểm y tế không?", "Có nơi nào tặng thẻ bảo hiểm y tế không?"),
    ("cho toi biet co noi nao tang the bao hiem y te khong", "co noi nao tang the bao hiem y te khong"),
    ("Hãy cho biết huyện nào xây nhà nhiều nhất? Cảm ơn.", "Huyện nào xây nhà nhiều nhất?"),
    ("Could you tell me whether any place hands out free meals?", "Does any place hand out free meals?"),
    ("According to the reports, which places collected blood?", "Which places collected blood?"),
    ("Hi, could you list the places that built houses? Thanks!", "Which places built houses?"),
    ("Theo các bài báo, nơi nào làm đường?", "Nơi nào làm đường?"),
])
def test_a_request_around_a_question_is_not_read_as_part_of_it(framed, bare):
    a, b = parse(framed), parse(bare)
    assert (a.kind, a.money, a.count, a.difficulties) == (b.kind, b.money, b.count, b.difficulties)
    assert fold(a.topic).split()[-2:] == fold(b.topic).split()[-2:] and len(a.topic) <= len(b.topic) + 2


@pytest.mark.parametrize("question,topic", [
    ("Which areas built or repaired bridges?", "built or repaired bridges"),
    ("Những đâu gặp khó khăn vì người cao tuổi chưa quen dịch vụ công?",
     "gặp khó khăn vì người cao tuổi chưa quen dịch vụ công"),
    ("Any place hands out free meals?", "hands out free meals"),
])
def test_other_words_asking_for_places_are_not_the_topic(question, topic):
    assert parse(question).topic == topic


@pytest.mark.parametrize("question,kind,topic,below", [
    # search-style requests: a table, examples, reports about, a list of places
    ("Give me a table of the amounts raised for housing by district", "how_much", "The amounts raised for housing", False),
    ("List all places that built houses and their amounts", "how_much", "built houses", False),
    ("What is the total number of houses built?", "how_many", "houses built", False),
    ("Find reports about rice banks", "which", "Rice banks", False),
    ("Where can I find examples of the Ngôi nhà cấp ủy model?", "which", "the Ngôi nhà cấp ủy model", False),
    ("tim cac bai viet ve quy khuyen hoc", "which", "quy khuyen hoc", False),
    ("Kể tên các huyện đã tặng học bổng", "which", "tặng học bổng", True),
    ("Tìm nơi có mô hình tủ sách", "which", "mô hình tủ sách", False),
    # … and words that only look like one: "tìm hiểu" (learn about), "nơi ở" (housing), "huyện ủy"
    ("Tìm hiểu về quỹ khuyến học", "which", "Tìm hiểu về quỹ khuyến học", False),
    ("Nơi ở cho hộ nghèo", "which", "Nơi ở cho hộ nghèo", False),
    ("Các huyện ủy chỉ đạo gì?", "which", "Các huyện ủy chỉ đạo gì", False),
])
def test_a_search_style_request_asks_for_places(question, kind, topic, below):
    q = parse(question)
    assert (q.kind, q.topic, q.below_province) == (kind, topic, below)


@pytest.mark.parametrize("question,asked", [
    ("I'm writing about housing for the poor. Which districts mobilized funds for housing?",
     "Which districts mobilized funds for housing?"),
    ("Which districts mobilized funds for housing? I need the amounts for an article.",
     "Which districts mobilized funds for housing?"),
    ("toi dang viet bai ve nha o. huyen nao van dong tien xay nha", "huyen nao van dong tien xay nha"),
    ("Tôi cần số liệu cho tạp chí. So sánh Bảo Lâm và Hải Hậu về nhà ở", "So sánh Bảo Lâm và Hải Hậu về nhà ở"),
    # one sentence, whatever its full stops: "TP. Hồ Chí Minh", "No. 05", "e.g."
    ("What did TP. Hồ Chí Minh do for the poor?", "What did TP. Hồ Chí Minh do for the poor?"),
    ("Which places, e.g. in the delta, built houses?", "Which places, e.g. in the delta, built houses?"),
])
def test_a_sentence_of_context_is_not_the_question(question, asked):
    assert parse(question).text == asked


def test_the_context_scopes_a_question_that_names_no_place_or_year(places):
    q = parse("I am writing about Bảo Lâm in 2020. How much did it raise for scholarships?", places)
    assert (q.doc_ids, q.years, q.money) == ({"c"}, (2020, 2020), True)
    assert "Bảo Lâm" not in q.topic and "writing" not in q.topic
    # a place the question names wins over the context's
    assert parse("I am writing about Bảo Lâm. What did Hải Hậu build?", places).doc_ids == {"e"}


@pytest.mark.parametrize("question", ["Hỏi đáp về nhà ở cho hộ nghèo", "Biết ơn các anh hùng liệt sĩ ở đâu?",
                                      "Tell me", "List"])
def test_words_that_only_look_like_a_request_stay(question):
    assert parse(question).text == question


@pytest.mark.parametrize("question,positive", [
    ("Which districts didn't build houses?", "Which districts build houses?"),
    ("Which places have not yet set up a rice bank?", "Which places have set up a rice bank?"),
    ("Huyện nào chưa xây nhà cho hộ nghèo?", "Huyện nào xây nhà cho hộ nghèo?"),
    ("huyen nao khong to chuc doi thoai", "huyen nao to chuc doi thoai"),
    ("Where haven't party members been honoured?", "Where have party members been honoured?"),
    # a "not" inside the topic, "không chỉ" (not only), a ranking: not a negated question
    ("Which places helped families who did not have a house?", ""),
    ("Nơi nào không chỉ xây nhà mà còn sửa đường?", ""),
    ("Có nơi nào không rác thải nhựa không?", ""),
    ("What did not work in the campaign?", ""),  # asks for difficulties
])
def test_a_negated_question_and_the_question_it_negates(question, positive):
    q = parse(question)
    assert (q.negated, q.positive) == (bool(positive), positive)
    if positive:  # the topic is the positive question's, without its "not"
        assert parse(positive).topic.endswith(q.topic) and q.topic


@pytest.mark.parametrize("question,directive,topic", [
    ("Những gì đã làm theo Chỉ thị số 05-CT/TW về nhà ở?", "05-CT/TW", "đã làm theo về nhà ở"),
    ("What was done on housing under Directive No. 05-CT/TW?", "05-CT/TW", "was done on housing under"),
    ("Kết luận 01-KL/TW được thực hiện thế nào?", "01-KL/TW", "được thực hiện"),
    ("ket luan so 01 kl/tw", "01-KL/TW", ""),
])
def test_a_directive_written_in_full_leaves_nothing_of_it_in_the_topic(question, directive, topic):
    q = parse(question)
    assert (q.directive, q.topic) == (directive, topic)


@pytest.mark.parametrize("question,top_n,kind,topic", [
    ("Which three districts raised the most money?", 3, "most", "raised money"),
    ("Top 3 places by houses built?", 3, "most", "by houses built"),
    ("Ba huyện nào vận động được nhiều tiền nhất?", 3, "most", "vận động được tiền"),
    ("Which two districts built houses?", 2, "which", "built houses"),
    ("Which places built houses for 3 families?", None, "which", "built houses for 3 families"),
    ("What did the top leaders say?", None, "which", "did the top leaders"),
    ("Trách nhiệm người đứng đầu được thực hiện thế nào?", None, "which", "Trách nhiệm người đứng đầu được thực hiện"),
])
def test_how_many_places_a_question_asks_for(question, top_n, kind, topic):
    q = parse(question)
    assert (q.top_n, q.kind, q.topic) == (top_n, kind, topic)


def test_names_the_evidence_must_hold(places):
    assert parse("Có nơi nào làm mô hình “Dân vận khéo” không?", places).names == ["Dân vận khéo"]
    # Vietnamese words in an English question are a name, unless they are a place
    q = parse("How much did Bảo Lâm raise for the Ngôi nhà cấp ủy model?", places)
    assert q.names == ["Ngôi nhà cấp ủy"] and q.doc_ids == {"c"}


@pytest.mark.parametrize("question,difficulties", [
    ("which places built houses for party members in difficulty?", False),
    ("which places helped households in difficult circumstances", False),
    ("Nơi nào hỗ trợ các hộ khó khăn?", False),
    ("Nơi nào hỗ trợ hộ còn khó khăn về nhà ở?", False),
    ("What difficulties did the district face?", True),
    ("Which places say they rely too much on sponsors or donated funds?", True),
    ("huyen nao con gap nhieu kho khan", True),
    ("Nơi nào còn những khó khăn gì?", True),
    ("Which places say staff keep changing, which holds the work back?", True),
    ("Where do officials complain that rules are slow to change?", True),
    ("Where do officials grumble that rules handed down are out of touch?", True),
    ("Nơi nào thừa nhận còn cán bộ cửa quyền?", True),
    ("Which places held a conference on Uncle Ho's ethics?", False),  # "held", not "held back"
    ("Which reports concede that study sessions were held just for show?", True),
    ("Which reports acknowledge a shortage of outreach materials?", True),
    ("Which localities are struggling because young workers move away?", True),
    ("Which people were acknowledged for their work on roads?", False),  # an honour
    ("Which locality helped the largest number of struggling households?", False),  # families in hardship
    ("Did any place build homes for Party members who are struggling?", False),
    ("Which places report shortfalls in funding or lag behind on digital work?", True),
    ("Which places failed to keep the clubs going?", True),
])
def test_shortcomings_are_not_people_in_difficulty(question, difficulties):
    q = parse(question)
    assert q.difficulties is difficulties
    assert not (difficulties and q.money)  # "rely on donated funds" asks no amount


@pytest.mark.parametrize("question,below", [
    ("Huyện nào huy động nhiều tiền nhất cho việc xây nhà?", True),
    ("which districts mobilized funds for housing", True),
    ("xa nao trao hoc bong cho hoc sinh", True),
    ("Which places held dialogues with residents?", False),
    ("Những nơi nào hỗ trợ hộ nghèo?", False),
    ("Nơi nào xây nhiều nhà nhất (không tính cấp tỉnh)?", True),
    ("Which place spent the most on roads, excluding provincial reports?", True),
    ("Địa phương nào khen thưởng nhiều cá nhân nhất?", False),  # địa phương, not phường
    ("dia phuong nao ho tro ba con bi lu", False),
    ("Phường nào có nhiều tổ tự quản nhất?", True),
    ("Cơ quan nào tổ chức hội nghị?", False),  # cơ quan (agency), not quận
])
def test_asking_for_districts_or_communes_leaves_provinces_out(question, below):
    assert parse(question).below_province is below


@pytest.mark.parametrize("question,topic", [
    ("Leaving provincial-level figures aside, which place raised the largest sum for house building?",
     "raised sum for house building"),
    ("Excluding provinces, which place built the most houses?", "built houses"),
    ("Apart from provincial totals, which locality built the most houses?", "built houses"),
    ("Nơi nào xây nhiều nhà nhất (ngoại trừ cấp tỉnh)?", "xây nhà"),
])
def test_leaving_provinces_out_is_scope_not_topic(question, topic):
    # "provincial", "level", "aside" are no concept a sentence must hold
    q = parse(question)
    assert q.below_province and q.topic == topic


@pytest.mark.parametrize("question,topic", [
    # the two words of a split superlative go, what lies between them stays
    ("Huyện nào huy động nhiều tiền nhất cho việc xây nhà (không tính cấp tỉnh)?", "huy động tiền cho việc xây nhà"),
    ("noi nao xay it nha nhat cho ho ngheo", "xay nha cho ho ngheo"),
    ("Trong các địa phương làm nước sạch, nơi nào chi ít tiền nhất?", "làm nước sạch, chi tiền"),
    ("Trong giai đoạn thực hiện Chỉ thị 03, những địa phương nào khen thưởng tập thể?", "khen thưởng tập thể"),
    ("During the implementation of Directive 05, which districts built houses?", "built houses"),
    ("Nơi nào có nhiều nhất tổ tự quản?", "có tổ tự quản"),
    # the theme every report shares tells no place from another, in any wording of it
    ("Which locality honoured the most individuals for following Uncle Ho's example?", "honoured individuals"),
    ("Which places studied and followed Uncle Ho's example by building roads?", "by building roads"),
    ("Huyện nào khen thưởng nhiều cá nhân làm theo Bác nhất?", "khen thưởng cá nhân"),
    ("noi nao co it luot nguoi tham gia hoc chuyen de ve bac ho nhat", "co luot nguoi tham gia hoc chuyen de"),
])
def test_scaffolding_of_superlatives_exclusions_and_periods_leaves_the_topic(question, topic):
    assert parse(question).topic == topic


def test_a_superlative_word_pair_is_left_alone_when_nothing_is_ranked():
    # "nhiều … nhất" only goes when the question ranks; "thống nhất" is a word of the topic
    q = parse("Nơi nào tổ chức hội nghị thống nhất cách làm?")
    assert q.rank is None and "thống nhất" in q.topic



def test_a_question_asking_only_for_its_directive_has_no_topic_and_no_name(places):
    # ("Kết luận" is Vietnamese in an English question, yet no name the evidence must hold)
    for text in ("Những địa phương nào báo cáo về Kết luận 01?", "Which places report on Kết luận 01?"):
        q = parse(text, places)
        assert q.directive == "01-KL/TW"
        assert q.topic in ("", "on")
        assert q.names == []


def test_the_directives_a_text_names():
    assert directives_named("trien khai chi thi 05-ct/tw va ket luan so 01-kl/tw") == {"05-CT/TW", "01-KL/TW"}


def test_an_apostrophe_inside_a_word_quotes_nothing():
    assert parse("How much did Thanh Hà's women's union lend to members?").names == []
    assert parse("Does any place run a 'Dân vận khéo' model?").names == ["Dân vận khéo"]
    assert parse("Có nơi nào làm mô hình “Ngôi nhà cấp ủy” không?").names == ["Ngôi nhà cấp ủy"]
    # quoted in English, a name is a translation: read as the topic, not required as written
    q = parse("How much was raised for 'Great Solidarity' houses under the 'Đền ơn đáp nghĩa' fund?")
    assert q.names == ["Đền ơn đáp nghĩa"] and "Great Solidarity" in q.topic


@pytest.mark.parametrize("question,years,topic", [
    ("Under Conclusion 01 (from 2021 on), which places held dialogues?", (2021, OPEN_YEAR), "held dialogues"),
    ("Since 2021, which places held dialogues?", (2021, OPEN_YEAR), "held dialogues"),
    ("tu nam 2021 den nay noi nao doi thoai", (2021, OPEN_YEAR), "doi thoai"),
    ("After 2020, which places built houses?", (2021, OPEN_YEAR), "built houses"),
    ("Trước năm 2016 nơi nào xây nhà?", (0, 2015), "xây nhà"),
    ("Từ 2016 đến 2021, nơi nào xây nhà?", (2016, 2021), "xây nhà"),
    ("In 2023, which places held dialogues?", (2023, 2023), "held dialogues"),
])
def test_a_period_open_at_one_end(question, years, topic):
    q = parse(question)
    assert (q.years, q.topic) == (years, topic)


@pytest.mark.parametrize("question,topic", [
    ("Which reports acknowledged a shortage of outreach materials?", "a shortage of outreach materials"),
    ("Which localities pointed out shortcomings in rubbish collection?", "shortcomings in rubbish collection"),
    ("While implementing Directive 05, which districts held dialogues?", "held dialogues"),
    ("Over the Directive 03 period, which places commended individuals?", "commended individuals"),
    ("Which places sorted waste as part of Conclusion 01?", "sorted waste"),
    # "recognised as" is what was done, not the report saying it
    ("Which places have Party cells recognised as clean and strong?", "have Party cells recognised as clean and strong"),
    # the subject of every report is no topic; stories about Uncle Ho are one
    ("Which places held study sessions on Ho Chi Minh's example?", "held study sessions"),
    ("Which places held study sessions on Hồ Chí Minh's example?", "held study sessions"),
    ("Did any Party cell tell stories about Uncle Ho?", "tell stories about Uncle Ho"),
])
def test_the_verbs_of_a_report_saying_something_are_not_the_topic(question, topic):
    q = parse(question, PlaceIndex.from_articles(pd.DataFrame(columns=["doc_id", "locality", "district",
                                                                        "province", "province_new", "text"])))
    assert q.topic == topic and q.names == []


def test_a_province_joined_to_a_place_is_a_place_of_its_own(places):
    # "Bảo Lâm và Ninh Bình": two places compared, not Bảo Lâm narrowed to a province it is not in
    assert parse("So sánh Bảo Lâm và Ninh Bình về khen thưởng", places).doc_ids == {"c", "d"}
    assert parse("Compare Bảo Lâm with the province of Ninh Bình", places).doc_ids == {"c", "d"}
    assert parse("Châu Thành, Tiền Giang làm đường thế nào?", places).doc_ids == {"a"}  # still narrows


@pytest.mark.parametrize("question,asked,left_out", [
    ("Apart from Bảo Lâm, which places gave scholarships?", None, {"c"}),
    ("Ngoài Bảo Lâm, còn nơi nào trao học bổng?", None, {"c"}),
    ("ngoai bao lam con noi nao trao hoc bong", None, {"c"}),
    ("Những nơi nào trừ huyện Hải Hậu xây nhà đại đoàn kết?", None, {"e"}),
    ("Which places except Bảo Lâm and Hải Hậu built houses?", None, {"c", "e"}),
    # left out of a province it names: asked about the rest of the province
    ("Apart from Hải Hậu, what did Nam Định do?", {"e"}, {"e"}),
    # "cư trú tại" (resides in) is no "trừ": the place is asked about
    ("nguoi dan cu tru tai bao lam duoc ho tro gi", {"c"}, set()),
])
def test_a_place_left_out_is_not_the_place_asked_about(places, question, asked, left_out):
    q = parse(question, places)
    assert (q.doc_ids, q.excluded_doc_ids) == (asked, left_out)
    assert not any(fold(p) in fold(q.topic) for p in q.places)  # nor is it the topic


def test_other_spellings_of_a_province_name_it():
    articles = pd.DataFrame([
        {"doc_id": "h", "locality": "Quận 1", "district": "Quận 1", "province": "Hồ Chí Minh", "text": ""},
        {"doc_id": "n", "locality": "Ba Đình", "district": "Ba Đình", "province": "Hà Nội", "text": ""},
        {"doc_id": "u", "locality": "Hương Thủy", "district": "Hương Thủy", "province": "Huế", "text": ""},
    ])
    places = PlaceIndex.from_articles(articles)
    for question, docs in [("What did Hanoi do for the elderly?", {"n"}), ("TP.HCM đã làm gì?", {"h"}),
                           ("What did Saigon do?", {"h"}), ("Thừa Thiên Huế làm gì?", {"u"}),
                           ("What did Ho Chi Minh City do?", {"h"}), ("thanh pho ho chi minh lam gi", {"h"})]:
        assert parse(question, places).doc_ids == docs, question
    # Hồ Chí Minh's thought, the subject of every report, is no place: the question is not scoped
    for question in ["Which places studied Hồ Chí Minh's thought?",
                     "Những nơi nào làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh?"]:
        assert parse(question, places).doc_ids is None, question


@pytest.mark.parametrize("question,docs", [
    ("Which places in the Mekong Delta built bridges?", {"a", "b"}),  # Tiền Giang, Trà Vinh
    ("nhung huyen nao o mien tay xay cau", {"a", "b"}),
    ("Các tỉnh Tây Nguyên làm gì cho đồng bào?", {"c"}),  # Lâm Đồng
    ("Which districts in the Red River Delta region built houses?", {"d", "e"}),  # Ninh Bình, Nam Định
    ("Compare the Central Highlands with the Red River Delta", {"c", "d", "e"}),
    ("Ở miền Trung, nơi nào hỗ trợ ngư dân?", set()),  # a region the corpus has no article of
])
def test_a_region_stands_for_the_articles_of_its_provinces(places, question, docs):
    q = parse(question, places)
    assert q.doc_ids == docs
    assert not re.search(r"(?i)delta|tây nguyên|mien tay|highlands|region", q.topic)


@pytest.mark.parametrize("question,threshold,money", [
    ("Which districts raised more than 1 tỷ đồng for housing?", (">", 1e9), True),
    ("Which places raised over 1.5 billion dong?", (">", 1.5e9), True),
    ("Những nơi nào vận động trên 2 tỷ đồng xây nhà?", (">", 2e9), True),
    ("huyen nao xay hon 50 can nha", (">", 50), False),
    ("Which places honoured fewer than 30 individuals?", ("<", 30), False),
    ("Nơi nào khen thưởng ít nhất 50 cá nhân?", (">=", 50), False),
    ("Nơi nào trao từ 200 suất học bổng trở lên?", (">=", 200), False),
    ("Những nơi nào làm đường từ 2019?", None, False),  # a year
    ("Nơi nào trên địa bàn xây nhà?", None, False),  # "trên" without a number: "in"
    ("How many people were honoured over 5 years?", None, False),  # a span of time
    ("Nơi nào xây nhà trong hơn 3 năm qua?", None, False),
])
def test_a_threshold_the_figures_must_pass(question, threshold, money):
    q = parse(question)
    assert q.threshold == threshold
    if threshold:
        assert q.money is money and q.count is not money
        assert not re.search(r"\d", q.topic)  # the threshold is no topic word


def test_a_threshold_keeps_what_it_counts_in_the_topic(places):
    assert "suất học bổng" in parse("Nơi nào trao từ 200 suất học bổng trở lên?").topic
    assert parse("Which places raised more than 100 tỷ đồng?", places).names == []


@pytest.mark.parametrize("question,difficulties", [
    ("Which places say funds are limited?", True),
    ("Which places are short of money for propaganda?", True),
    ("Which places lack staff?", True),
    ("Which places mention a lack of funding?", True),
    ("Which places helped households lacking houses?", False),  # who was helped, no shortcoming
])
def test_a_shortage_is_a_shortcoming_not_an_amount(question, difficulties):
    q = parse(question)
    assert q.difficulties is difficulties
    assert not (difficulties and q.money)


def test_naming_is_scaffolding_but_setting_an_example_is_a_topic():
    assert not parse("Những nơi nào nêu kinh nghiệm hay?").topic.startswith("nêu")
    assert parse("Những nơi nào nêu gương người tốt việc tốt?").topic.startswith("nêu gương")


@pytest.mark.parametrize("question,counted", [
    ("Which district held the largest number of dialogues with citizens?", "dialogues"),
    ("Which locality had the fewest attendances at its district-level study conferences?", "attendances"),
    ("Which place paved the greatest length of rural roads?", "rural roads"),
    ("Which places held dialogues with citizens?", ""),  # nothing ranked, nothing counted
    ("Nơi nào tổ chức nhiều cuộc đối thoại nhất?", ""),  # Vietnamese names its unit ("cuộc")
])
def test_an_english_superlative_says_what_it_counts(question, counted):
    assert parse(question).counted == counted


def test_what_is_counted_is_matched_by_whole_words():
    q = parse("Which place trained the largest number of women farmers?")
    assert q.is_counted("women") and q.is_counted("farmers") and not q.is_counted("men")
    assert not parse("Which places trained women?").is_counted("women")  # nothing ranked
