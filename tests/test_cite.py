"""Citations (search.app.cite, `search cite`) and the reader's view of `ask` (search.app.present)."""

import json

import pandas as pd
import pytest

from search import open_index
from search.app.cite import MAX_QUOTE, Citation, cite, cite_span, format_date, parse_ref, place_name
from search.app.cli import main
from search.app.present import answer_rows, ask_table
from search.errors import QueryError

AN_PHU = "000_de9fd5cf185cd21c"
MY_THANH = "003_c22ee129dd39878b"


@pytest.fixture(scope="module")
def idx(fake_index):
    return open_index(fake_index)


def _unquoted(c: Citation) -> str:
    return c.quote.strip("…")


def test_every_qualified_figure_is_quoted_with_its_qualifier(idx):
    figs = idx.figures[idx.figures["qualifier_vi"].notna()]
    assert len(figs) >= 5
    texts = idx.articles.set_index("doc_id")["text"]
    for f in figs.itertuples():
        number_at = f.start + len(f.qualifier_vi) + 1  # the passage begins at the number itself
        for start in (f.start, number_at):
            c = cite_span(idx, f.doc_id, start, f.end)
            assert f.expression in c.quote, (f.expression, c.quote)
            assert len(c.quote) <= MAX_QUOTE + 2
            assert _unquoted(c) in " ".join(texts[f.doc_id][c.quote_start:c.quote_end].split())


def test_citation_text_has_provenance_and_the_quote(idx):
    fig = idx.figures[(idx.figures["doc_id"] == AN_PHU) & (idx.figures["amount_vnd"] == 860_000_000)].iloc[0]
    c = cite(idx, f"{AN_PHU}:{fig.start}-{fig.end}")
    text = c.text()
    # the sentence lists three works; the quote is the clause of the 860 million, not the others
    assert "trên 860 triệu đồng" in c.quote and "Quốc Thái" not in c.quote and "240 triệu" not in c.quote
    assert c.quote.startswith("…")                        # cut marked
    assert "Ban Tuyên giáo Tỉnh ủy An Giang" in text      # outlet, not "TGAG"
    assert "“Qua bốn năm làm theo gương Bác ở Đảng bộ huyện An Phú”" in text
    assert "Huỳnh Như" in text
    assert c.place == "xã Phú Hữu, huyện An Phú, An Giang"  # the commune of the initiative quoted
    assert "không rõ ngày đăng" in text                    # a missing date is said, not hidden
    assert text.endswith(f"[{AN_PHU}:{fig.start}-{fig.end}]")
    for junk in ("None", "nan", "TGAG", "<NA>"):
        assert junk not in text
    c3 = cite(idx, f"{MY_THANH}:0-10")
    assert "01/06/2023" in c3.text() and "Cổng Thông tin điện tử thành phố Long Xuyên" in c3.text()
    assert c3.place == "phường Mỹ Thạnh, An Giang"


def test_url_and_sublocality_in_text():
    c = Citation(doc_id="d", start=0, end=5, quote="Câu trích.", quote_start=0, quote_end=5, title="Tựa",
                 outlet="Báo Long An", author=None, date="2024-05-21", url="https://baolongan.vn/a-1.html",
                 locality="Châu Thành", locality_level="huyện", province="Long An", sublocality="xã An Lục Long")
    assert c.text() == ("“Câu trích.”\n— “Tựa”, Báo Long An, 21/05/2024, https://baolongan.vn/a-1.html. "
                        "Địa bàn: xã An Lục Long, huyện Châu Thành, Long An.\n[d:0-5]")
    assert c.as_dict()["ref"] == "d:0-5" and c.as_dict()["text"] == c.text()


def test_chunk_ref_quotes_a_sentence_of_the_chunk(idx):
    ch = idx.chunks.iloc[7]
    c = cite(idx, ch.chunk_id)
    assert c.chunk_id == ch.chunk_id and ch.start <= c.start < c.end <= ch.end
    assert _unquoted(c)[:40] in " ".join(ch.text.split())


@pytest.mark.slow
def test_chunk_with_query_quotes_the_answering_clause(real_index):
    for q in ("Ngôi nhà cấp ủy", "which districts mobilized funds for housing"):
        c = cite(real_index, "001_dc1a175334cc5c87#004", query=q)
        assert "Ngôi nhà cấp ủy" in c.quote and "hơn 6,2 tỷ đồng" in c.quote, (q, c.quote)
        assert "chào cờ" not in c.quote


@pytest.mark.parametrize("ref", ["", "  ", "nonsense", "doc:5-2", "doc:5", "doc#", "a b:1-2"])
def test_bad_refs(ref):
    with pytest.raises(QueryError):
        parse_ref(ref)


@pytest.mark.parametrize("ref", ["nope:0-10", "nope#001", f"{AN_PHU}:0-999999", f"{AN_PHU}#999"])
def test_unknown_passages(idx, ref):
    with pytest.raises(QueryError):
        cite(idx, ref)


def test_formatting_helpers():
    assert format_date("2023-06-01") == "01/06/2023" and format_date(None) is None
    assert place_name("An Phú", "huyện", "An Giang") == "huyện An Phú, An Giang"
    assert place_name("Mỹ Thạnh", "phường", None) == "phường Mỹ Thạnh"
    assert place_name(None, None, "Bến Tre") == "Bến Tre"


def test_cli_cite(capsys, fake_index):
    fig = open_index(fake_index).figures.query("amount_vnd == 860000000").iloc[0]
    ref = f"{AN_PHU}:{fig.start}-{fig.end}"
    assert main(["cite", ref, "--index", str(fake_index)]) == 0
    out = capsys.readouterr().out
    assert "trên 860 triệu đồng" in out and out.strip().endswith(f"[{ref}]")
    assert main(["cite", f"{AN_PHU}#005", "--index", str(fake_index), "--format", "json"]) == 0
    d = json.loads(capsys.readouterr().out)
    assert d["chunk_id"] == f"{AN_PHU}#005" and d["outlet"] == "Ban Tuyên giáo Tỉnh ủy An Giang"
    assert main(["cite", "what?", "--index", str(fake_index)]) == 2
    err = capsys.readouterr().err
    assert "chunk id" in err and len(err.strip().splitlines()) == 1


# --- ask as a reader sees it ----------------------------------------------------------------------


def _old_ask_frame(idx) -> pd.DataFrame:
    """A row shaped like today's ask: evidence sentences, clauses, amounts_vnd (no qualifiers)."""
    fig = idx.figures.query("amount_vnd == 860000000").iloc[0]
    text = idx.articles.set_index("doc_id").at[AN_PHU, "text"]
    c = cite_span(idx, AN_PHU, fig.start, fig.end)
    clause = text[c.quote_start:c.quote_end]
    return pd.DataFrame([{"locality": "An Phú", "province": "An Giang", "locality_level": "huyện",
                          "score": 0.76, "evidence": [fig.sentence], "amounts_vnd": [860_000_000],
                          "figures": ["trên 860 triệu đồng"], "doc_ids": [AN_PHU], "purpose": "housing",
                          "clauses": [clause]}])


def test_answer_rows_from_todays_columns(idx):
    (row,) = answer_rows(idx, _old_ask_frame(idx))
    assert row.amounts == ["trên 860 triệu đồng"]           # qualifier from the figure, not "860 triệu đồng"
    assert row.amounts_vnd == [860_000_000]
    assert row.actor == "Đảng ủy xã Phú Hữu"                 # from the initiative in the clause
    assert row.place == "huyện An Phú, An Giang"
    (c,) = row.citations
    assert "trên 860 triệu đồng" in c.quote and c.place == "xã Phú Hữu, huyện An Phú, An Giang"


def test_answer_rows_prefer_the_new_columns(idx):
    df = _old_ask_frame(idx)
    fig = idx.figures.query("amount_vnd == 860000000").iloc[0]
    df = df.drop(columns=["clauses", "figures"]).assign(
        actor=["xã Phú Hữu"], amounts=[["trên 860 triệu đồng"]], counts=[["3 căn"]],
        evidence=[["gây quỹ, cất mới và sửa chữa nhà"]],
        citations=[[{"doc_id": AN_PHU, "chunk_id": f"{AN_PHU}#005", "start": int(fig.start),
                     "end": int(fig.end), "quote": "…"}]])
    (row,) = answer_rows(idx, df)
    assert (row.actor, row.amounts, row.counts) == ("xã Phú Hữu", ["trên 860 triệu đồng"], ["3 căn"])
    assert row.evidence == ["gây quỹ, cất mới và sửa chữa nhà"]
    assert row.citations[0].chunk_id == f"{AN_PHU}#005"
    assert row.citations[0].place.startswith("xã Phú Hữu, huyện An Phú")
    table = ask_table(idx, df)
    assert table.loc[0, "amounts"] == "trên 860 triệu đồng" and table.loc[0, "actor"] == "xã Phú Hữu"
    assert table.loc[0, "outlet"] == "Ban Tuyên giáo Tỉnh ủy An Giang"


def test_cli_tables_show_no_python_lists(capsys, fake_index):
    assert main(["precedents", "nhà ở", "-k", "5", "--index", str(fake_index)]) == 0
    out = capsys.readouterr().out
    assert "['" not in out and "outlet" in out
    assert main(["query", "xây nhà", "-k", "3", "--index", str(fake_index)]) == 0
    assert "outlet" in capsys.readouterr().out


def test_window_of_a_long_clause_keeps_the_qualifier():
    from search.app.cite import quote_span

    filler = "cán bộ, đảng viên và nhân dân cùng tham gia xây dựng nông thôn mới, " * 6
    text = f"Huyện đã vận động {filler}với kinh phí trên 860 triệu đồng, {filler}được nhân dân đồng tình."
    start = text.index("860")
    a, b = quote_span(text, start, start + len("860 triệu đồng"))
    assert "trên 860 triệu đồng" in text[a:b] and b - a <= MAX_QUOTE
    assert a > 0 and b < len(text)


def test_precedent_figures_are_written_by_the_formatter(capsys, fake_index):
    assert main(["precedents", "-k", "50", "--index", str(fake_index)]) == 0
    out = capsys.readouterr().out
    assert "gần 1 tỷ đồng" in out and "gần 01 tỷ" not in out          # as a reader writes it
    assert "3,7 tỷ đồng" in out and "3.700.000.000" not in out
    assert main(["precedents", "-k", "50", "--index", str(fake_index), "--format", "json"]) == 0
    assert "gần 01 tỷ đồng" in capsys.readouterr().out                # machines get the record as stored


def test_cli_ask_with_not_prints_the_two_lists(capsys, fake_index):
    assert main(["ask", "Which districts did not build houses?", "--index", str(fake_index)]) == 0
    out = capsys.readouterr().out
    assert "no proof it was not done" in out
    assert "Reports that do not say “Which districts build houses?”:" in out and "Reports that say it:" in out
