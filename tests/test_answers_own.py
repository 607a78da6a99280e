"""ask() on articles written for the tests (other places, amounts and topics), real embedder."""

import shutil

import pytest

from conftest import FIXTURES
from search import open_index
from search.indexing.build import build_index

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def own(tmp_path_factory):
    base = tmp_path_factory.mktemp("own")
    shutil.copytree(FIXTURES / "articles", base / "corpus")
    build_index(base / "corpus", base / "index")
    return open_index(base / "index")


def rows(ans):
    return {(r.locality, r.province): r for r in ans.itertuples()}


def test_housing_answer_is_the_one_place_that_built_houses(own):
    ans = own.ask("which districts mobilized funds for housing")
    assert list(zip(ans["locality"], ans["province"])) == [("Châu Thành", "Long An")]
    assert 4_300_000_000 in ans["amounts_vnd"][0]


def test_same_name_in_two_provinces_stays_two_places(own):
    got = rows(own.ask("xây dựng đường giao thông nông thôn"))
    assert ("Châu Thành", "Tây Ninh") in got and ("Chợ Mới", "An Giang") in got
    assert 850_000_000 in got[("Châu Thành", "Tây Ninh")].amounts_vnd
    assert 2_300_000_000 in got[("Chợ Mới", "An Giang")].amounts_vnd


def test_poverty_relief_in_a_city_ward(own):
    got = rows(own.ask("hỗ trợ hộ nghèo"))
    assert 1_500_000_000 in got[("Phường 5", "Hồ Chí Minh")].amounts_vnd
    assert all(0 not in r.amounts_vnd for r in got.values())


def test_nonsense_and_empty_questions(own):
    ans = own.ask("asdkj qwpoe zzzz")
    assert ans.empty and "no passage" in ans.attrs["reason"]
    from search.errors import QueryError

    with pytest.raises(QueryError):
        own.ask("   ")
