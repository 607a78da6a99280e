"""The per-place comparison table (app/compare.py) and its export (app/export.py, `search export`)."""

import csv
import io
from pathlib import Path

import pytest

from search.app import compare
from search.app.cli import main

INDEX = str(Path(__file__).resolve().parent.parent / "index")
BINH_SON = "001_dc1a175334cc5c87"


@pytest.fixture(scope="module")
def facts(real_index):
    return compare.figure_facts(real_index)


@pytest.fixture(scope="module")
def table(real_index):
    return compare.comparison_table(real_index).set_index("place")


# --- what the text states ----------------------------------------------------------------------


def test_stated_purpose_needs_a_strong_cue_word():
    text = "tổ chức ra quân thực hiện 231 công trình, phần việc với khoảng hơn 132 tỷ đồng"
    assert compare.stated_purposes(text, 0, len(text)) == {}  # "công trình" only suggests roads
    text = "vận động xây mới và sửa chữa 129 nhà cho gia đình khó khăn về nhà ở với 6,2 tỷ đồng"
    assert list(compare.stated_purposes(text, 0, len(text))) == ["housing"]
    text = "đường Cái Sao (từ nhà máy Việt Ngư đến cầu Mương) với 3,7 tỷ đồng"
    assert list(compare.stated_purposes(text, 0, len(text))) == ["infrastructure"]  # "nhà máy" is no house


def test_money_purpose_shown_only_where_the_text_states_it(facts):
    money = facts[facts["kind"] == "money"].set_index("display")
    works = money.loc["khoảng hơn 132 tỷ đồng"]
    assert works["purpose"] == "infrastructure"          # the classifier's guess …
    assert not works["purpose_stated"] and works["purpose_shown"] == compare.UNKNOWN  # … not the text's
    assert money.loc["hơn 6,2 tỷ đồng", "purpose_shown"] == "housing"
    assert money.loc["trên 240 triệu đồng", "purpose_words"] == ["hiến đất", "mặt đường"]
    # An Phú's 860 triệu is shared with a flood-safe cemetery: both purposes are named
    shared = money.loc["trên 860 triệu đồng"]
    assert shared["purpose_shown"] == "housing" and shared["also_stated"] == ["infrastructure"]
    assert shared["stated_words"]["infrastructure"] == ["nghĩa địa"]


def test_action_year_reads_the_clause_before_the_figure():
    text = "Qua 4 năm, huyện có 348 tập thể, tính riêng trong năm 2014 có 70 tập thể được biểu dương."
    assert compare.action_year(text, 0, text.index("348")) is None
    assert compare.action_year(text, 0, text.index("70")) == "năm 2014"
    text = "đặc biệt ngay đầu năm 2019, Huyện ủy gặp 38 công dân"
    assert compare.action_year(text, 0, text.index("38")) == "đầu năm 2019"
    text = "Năm 2023, đề xuất khen thưởng 01 tập thể"
    assert compare.action_year(text, 0, text.index("01")) == "năm 2023"
    text = "phong trào hai năm 2024 - 2025 với 5 tổ; nhiệm kỳ 2020-2025 có 3 người"
    assert compare.action_year(text, 0, len(text)) is None


def test_dated_figures_of_the_shipped_reports(facts):
    dated = facts[facts["year"].notna()].groupby("locality")["year"].apply(set).to_dict()
    assert dated == {"An Phú": {"năm 2014"}, "Bình Sơn": {"đầu năm 2019"}, "Chợ Mới": {"năm 2020"},
                     "Mỹ Thạnh": {"năm 2023"}, "Châu Thành": {"năm 2023", "năm 2024"}}
    undated = facts[(facts["locality"] == "Bình Sơn") & facts["year"].isna()]
    assert set(undated["when"]) == {"2016–2020"}  # else the report's period


def test_recognitions_tell_awards_from_praise(real_index):
    rec = compare.recognitions(real_index)
    kind = {(r.locality, r.display, r.when): r.kind for r in rec[~rec["repeat"]].itertuples()}
    assert kind[("Bình Sơn", "56 tập thể", "2016–2020")] == "award"
    assert kind[("An Phú", "348 tập thể, cá nhân", "2011–2015")] == "exemplary"
    assert kind[("An Phú", "70 tập thể, cá nhân", "năm 2014")] == "mixed"
    assert kind[("Chợ Mới", "46 cá nhân", "năm 2020")] == "model"
    assert kind[("Chợ Mới", "6 tập thể", "năm 2020")] == "roll"
    assert kind[("Mỹ Thạnh", "4 cá nhân", "2021–2023")] == "award"
    assert kind[("Mỹ Thạnh", "2 cá nhân", "năm 2023")] == "proposed"  # "đề xuất … khen thưởng"
    assert kind[("Châu Thành", "1.525 cá nhân", "2021–2024")] == "praise"
    assert kind[("Châu Thành", "294 cá nhân", "2021–2024")] == "award"
    # An Phú gives its 348 twice; Mỹ Thạnh's two single individuals are different people
    repeats = rec[rec["repeat"]]
    assert repeats["display"].tolist() == ["348 tập thể, cá nhân"]


def test_admitted_difficulties(real_index):
    diff = compare.admitted_difficulties(real_index)
    assert diff["locality"].tolist() == ["An Phú", "Bình Sơn"]


def test_comparison_table_one_row_per_place(table):
    assert list(table.index) == ["An Phú", "Bình Sơn", "Chợ Mới", "Mỹ Thạnh", "Châu Thành"]
    assert list(table.columns) == list(compare.COLUMNS)[1:]
    bs = table.loc["Bình Sơn"]
    assert bs["money_housing_vnd"] == 6_200_000_000 and bs["money_housing"] == "hơn 6,2 tỷ đồng"
    assert bs["money_unknown_vnd"] == 132_000_000_000
    assert bs["money_infrastructure"] == "" and bs["houses_n"] == 129
    assert bs["dated_actions"] == "đầu năm 2019: 38 công dân, 30 vụ việc, hơn 90%"
    assert "Ngôi nhà cấp ủy (mô hình; hơn 6,2 tỷ đồng, 129 nhà)" in bs["named_initiatives"]
    cm = table.loc["Chợ Mới"]
    assert cm["province"] == "Bắc Kạn" and cm["province_new"] == "Thái Nguyên"
    assert cm["trainings_n"] == 92 and cm["attendances_n"] == 16_158
    assert cm["awarded_individuals_n"] is table["awarded_individuals_n"].dtype.na_value  # none formal
    mt = table.loc["Mỹ Thạnh"]
    assert mt["money_infrastructure_vnd"] == 5_495_000_000 and mt["house_plots_n"] == 29
    assert mt["awarded_collectives_n"] == 1 and mt["awarded_individuals_n"] == 5
    assert table.loc["Châu Thành", "local_directives"] == "01-CT/TU"
    assert table.loc["Châu Thành", "rates"] == "50.000 đồng/đảng viên | 1,2 triệu đồng/quý"


def test_sources_quote_the_sentence_and_name_the_article(real_index, facts):
    fig = facts[facts["display"] == "trên 860 triệu đồng"]
    src = compare.sources(real_index, fig)
    assert len(src) == 1
    row = src.iloc[0]
    assert "trên 860 triệu đồng" in row["quote"] and row["outlet"] == "Ban Tuyên giáo Tỉnh ủy An Giang"
    assert row["date"] == "không rõ ngày đăng" and row["place"].startswith("xã Phú Hữu")


# --- the export, through the command line ----------------------------------------------------------


def test_export_csv_to_stdout(capsysbinary):
    assert main(["export", "--index", INDEX]) == 0
    raw = capsysbinary.readouterr().out
    assert raw.startswith("\ufeff".encode())
    text = raw.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["place"] for r in rows] == ["An Phú", "Bình Sơn", "Chợ Mới", "Mỹ Thạnh", "Châu Thành"]
    bs = rows[1]
    assert bs["money_housing_vnd"] == "6200000000" and bs["money_housing"] == "hơn 6,2 tỷ đồng"
    assert bs["households_n"] == "678" and bs["money_infrastructure_vnd"] == ""
    assert " | " in bs["named_initiatives"] and "[" not in bs["named_initiatives"]
    assert rows[0]["title"] == "Qua bốn năm làm theo gương Bác ở Đảng bộ huyện An Phú"
    assert rows[3]["date"] == "01/06/2023" and rows[4]["province_new"] == "Vĩnh Long"


def test_export_csv_and_xlsx_files(tmp_path, capsys):
    out = tmp_path / "so sánh.csv"
    assert main(["export", "--index", INDEX, "--out", str(out)]) == 0
    assert out.read_bytes()[:3] == b"\xef\xbb\xbf"
    assert "Mỹ Thạnh" in out.read_text(encoding="utf-8-sig")

    from openpyxl import load_workbook

    xlsx = tmp_path / "so sánh.xlsx"
    assert main(["export", "--format", "xlsx", "--index", INDEX, "--out", str(xlsx)]) == 0
    assert "wrote" in capsys.readouterr().err
    book = load_workbook(xlsx)
    sheet = book.worksheets[0]
    header = [c.value for c in sheet[1]]
    assert header == list(compare.COLUMNS)
    rows = {r[0]: dict(zip(header, r)) for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert set(rows) == {"An Phú", "Bình Sơn", "Chợ Mới", "Mỹ Thạnh", "Châu Thành"}
    assert rows["Bình Sơn"]["money_housing_vnd"] == 6_200_000_000  # a number, not text
    assert rows["Bình Sơn"]["money_housing"] == "hơn 6,2 tỷ đồng"
    assert rows["Chợ Mới"]["province_new"] == "Thái Nguyên"
    docs = {r[0]: r[1] for r in book.worksheets[1].iter_rows(min_row=2, values_only=True)}
    assert set(docs) == set(compare.COLUMNS) and "đồng" in docs["money_housing_vnd"]


def test_export_bad_output_is_one_line_exit_2(tmp_path, capsys):
    assert main(["export", "--index", INDEX, "--out", str(tmp_path / "no" / "x.csv")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "does not exist" in err
    assert main(["export", "--format", "pdf", "--index", INDEX]) == 2
    assert main(["export", "--index", INDEX, "--out", str(tmp_path)]) == 2
