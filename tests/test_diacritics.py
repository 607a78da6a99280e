"""Diacritics put back on Vietnamese typed without them, for the embedder."""

import pytest

from search.retrieval.diacritics import DiacriticRestorer, needs_restoring

TEXTS = [
    "Huyện đã vận động được hơn 6,2 tỷ đồng xây nhà cho hộ nghèo.",
    "Xã tổ chức khám bệnh, cấp thuốc miễn phí cho người dân; nhiều hộ được hỗ trợ.",
    "Các bạn trẻ đi học bài, nhưng cây bàng bên đường vẫn xanh.",
]


@pytest.fixture(scope="module")
def restorer():
    return DiacriticRestorer.from_texts(TEXTS)


@pytest.mark.parametrize("typed,restored", [
    ("dia phuong nao van dong bao nhieu tien xay nha", "địa phương nào vận động bao nhiêu tiền xây nhà"),
    ("kham benh cap thuoc mien phi cho nguoi dan", "khám bệnh cấp thuốc miễn phí cho người dân"),
    ("nhung noi nao ho tro ho ngheo?", "những nơi nào hỗ trợ hộ nghèo?"),
    # "khi" (when) of a question, though the word lists say "vũ khí", "không khí" often
    ("kho khan khi thuc hien chi thi", "khó khăn khi thực hiện chỉ thị"),
])
def test_words_get_the_accents_their_neighbours_make_likely(restorer, typed, restored):
    assert restorer.restore(typed) == restored


def test_context_decides_between_forms(restorer):
    # "ban" is "bạn" before "trẻ" and "bàn"-like forms elsewhere; "bao nhieu" is not "bào nhiều"
    assert restorer.restore("cac ban tre") == "các bạn trẻ"
    assert restorer.restore("bao nhieu ho") == "bao nhiêu hộ"


def test_what_it_cannot_know_stays_as_typed(restorer):
    assert restorer.restore("Huyen Xyzabc, nha 2019, 45%") == "Huyện Xyzabc, nhà 2019, 45%"
    assert restorer.restore("") == ""
    # accented input is kept as written, word for word
    assert restorer.restore("Địa phương nào xây nhà") == "Địa phương nào xây nhà"


def test_case_is_kept(restorer):
    assert restorer.restore("Dia Phuong NAO") == "Địa Phương NÀO"


def test_deterministic():
    a = DiacriticRestorer.from_texts(TEXTS).restore("nhung noi nao ho tro ban tre")
    b = DiacriticRestorer.from_texts(list(TEXTS)).restore("nhung noi nao ho tro ban tre")
    assert a == b


@pytest.mark.parametrize("text,expected", [
    ("dia phuong nao xay nha", True),
    ("which districts mobilized funds", True),   # ASCII: the caller tells English apart
    ("địa phương nào", False),
    ("2019 45%", False),
])
def test_needs_restoring(text, expected):
    assert needs_restoring(text) is expected


@pytest.mark.slow
def test_unaccented_query_finds_its_passage_by_meaning(real_index):
    q = "kham benh cap thuoc mien phi cho nguoi dan"
    assert real_index.for_embedder(q) == "khám bệnh cấp thuốc miễn phí cho người dân"
    assert real_index.for_embedder("which districts mobilized funds") == "which districts mobilized funds"
    top = real_index.search(q, k=1, method="dense")
    assert "cấp thuốc miễn phí" in top["text"][0]
    try:  # without restoring, the embedder misses it: the restorer is what finds it
        real_index.restore_diacritics = False
        assert "cấp thuốc miễn phí" not in real_index.search(q, k=1, method="dense")["text"][0]
    finally:
        real_index.restore_diacritics = True
