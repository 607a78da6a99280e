"""Normalisation: one canonical form for storage, one folded form for matching."""

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from search.text.normalize import fix_tone_marks, fold, normalize, normalize_line

# Vietnamese letters (precomposed and decomposed), look-alikes and the whitespace met in web text.
_VI = ("aăâbcdđeêghiklmnoôơpqrstuưvxyAĂÂBCDĐEÊGHIKLMNOÔƠPQRSTUƯVXY"
       "àáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ"
       "ÀÁẢÃẠÈÉÌÍÒÓÙÚỲÝĐÐð\u0300\u0301\u0309\u0303\u0323")
_SPACE = " \n\r\t\u00a0\u2009\u202f\u200b\ufeff\u2028"
vietnamese_text = st.text(alphabet=st.sampled_from(list(_VI + _SPACE + ".,;:-/0123456789“”\"'()")),
                          max_size=80)
any_text = st.one_of(st.text(max_size=80), vietnamese_text)


@given(any_text)
@settings(max_examples=300, deadline=None)
def test_normalize_is_idempotent(text):
    once = normalize(text)
    assert normalize(once) == once


@given(any_text)
@settings(max_examples=300, deadline=None)
def test_normalize_line_is_idempotent_and_single_line(text):
    once = normalize_line(text)
    assert normalize_line(once) == once
    assert "\n" not in once and "  " not in once and once == once.strip()


@given(any_text)
@settings(max_examples=300, deadline=None)
def test_fold_keeps_length_and_is_idempotent(text):
    folded = fold(text)
    assert len(folded) == len(text)
    assert fold(folded) == folded


@given(vietnamese_text)
@settings(max_examples=300, deadline=None)
def test_fold_of_normalised_vietnamese_has_no_diacritics(text):
    folded = fold(normalize(text))
    assert "đ" not in folded and "Đ" not in folded
    # every letter is plain ASCII (a stray combining mark with no base letter is kept as is,
    # since folding must keep the length)
    assert all(c.isascii() for c in folded if c.isalpha())


@given(any_text)
@settings(max_examples=200, deadline=None)
def test_normalize_gives_nfc(text):
    once = normalize(text)
    assert unicodedata.normalize("NFC", once) == once


@pytest.mark.parametrize("old, new", [
    ("hoà", "hòa"), ("Hoà Bình", "Hòa Bình"), ("uỷ", "ủy"), ("Huyện uỷ", "Huyện ủy"),
    ("thuỷ", "thủy"), ("hoá", "hóa"), ("khoẻ", "khỏe"), ("loà", "lòa"), ("tuỳ", "tùy"),
    ("Thuỷ", "Thủy"), ("HOÀ", "HÒA"),
])
def test_old_style_tone_marks_move_to_the_first_vowel(old, new):
    assert normalize(old) == new
    assert fix_tone_marks(new) == new


@pytest.mark.parametrize("word", ["quý", "quỳnh", "hoàn", "huỳnh", "khoảng", "thuyền", "hòa",
                                  "ủy", "quá", "Quảng", "tuyết", "giá"])
def test_words_already_canonical_are_untouched(word):
    assert normalize(word) == word


def test_decomposed_input_becomes_precomposed():
    nfd = unicodedata.normalize("NFD", "Tỉnh ủy An Giang")
    assert nfd != "Tỉnh ủy An Giang"
    assert normalize(nfd) == "Tỉnh ủy An Giang"


def test_eth_lookalike_becomes_d_with_stroke():
    assert normalize("Ðảng bộ") == "Đảng bộ"
    assert fold("Ðảng bộ") == fold("Đảng bộ") == "dang bo"


def test_whitespace_and_invisible_characters():
    assert normalize_line("Bình\u00a0Sơn\u200b  (Quảng\tNgãi) ") == "Bình Sơn (Quảng Ngãi)"
    assert normalize("a\r\nb\n\n\n\nc\n") == "a\nb\n\nc"


def test_fold_examples():
    assert fold("Đảng ủy phường Mỹ Thạnh") == "dang uy phuong my thanh"
    assert fold("Ứ") == "u"
