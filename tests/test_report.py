"""What a notebook reader sees (app/report.py): escaped HTML tables in Vietnamese number style,
charts in a font with every Vietnamese glyph."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from search.app import report


def test_table_escapes_formats_and_marks_missing_values():
    df = pd.DataFrame({"place": ["Bình Sơn <script>", "Chợ Mới"], "vnd": pd.array([6_200_000_000, None], "Int64"),
                       "share": [140.43, float("nan")], "words": [["a", "b"], []], "doc_id": ["x1", "x2"]})
    html = report.table(df, caption="Tiền").data
    assert "&lt;script&gt;" in html and "<script>" not in html
    assert "6.200.000.000" in html and "140,43" in html and "a | b" in html
    assert html.count(report.NO_DATA) == 3
    assert "x1" not in html and "doc_id" not in html          # ids hidden by default
    assert "x1" in report.table(df, ids=True).data
    assert report.table(df, caption="Tiền").data == html     # same content, same ids: re-runs are identical


def test_axes_write_numbers_the_vietnamese_way():
    fig, ax = plt.subplots()
    ax.plot([0, 2.5], [0, 15000])
    report.billions_axis(ax, "x")
    report.count_axis(ax, "y")
    fig.canvas.draw()
    assert "2,5" in [t.get_text() for t in ax.get_xticklabels()]
    assert "10.000" in [t.get_text() for t in ax.get_yticklabels()]
    plt.close(fig)


def test_check_glyphs_fails_on_a_character_the_font_lacks():
    report.use_font()
    fig, ax = plt.subplots()
    ax.set_title("Kinh phí vận động — tỷ đồng, Thái Nguyên, Quảng Ngãi")
    report.check_glyphs(fig)
    ax.set_xlabel("一")  # not in DejaVu Sans
    with pytest.raises(AssertionError, match="missing glyphs"):
        report.check_glyphs(fig)
    plt.close(fig)


def test_citation_box_escapes_and_keeps_lines():
    box = report.citation_box("“<b>trên 860 triệu đồng</b>”\n— Huỳnh Như").data
    assert "&lt;b&gt;" in box and "<b>" not in box and "pre-wrap" in box and "DejaVu Sans" in box
