"""What a reader of the notebooks sees: HTML tables, numbers the Vietnamese way, sources, fonts.

* :func:`table` — a DataFrame as an HTML table (pandas Styler): every cell escaped, numbers written
  by the one formatter (:mod:`search.text.numbers`: "15.002", "6,2"), lists joined with " | ",
  empty cells marked ("không có số liệu"), id columns hidden unless asked for, long text wrapped.
  Returned as an ``IPython.display.HTML`` object with a table id derived from its content, so a
  re-run notebook shows byte-identical output (no random ids, no memory addresses).
* :func:`sources_table` — the "sources" table under a finding: quote, place, title, outlet, date
  (:func:`search.app.compare.sources`); :func:`citation_box` — a ready citation, set off.
* :func:`billions_axis`, :func:`count_axis` — chart axes in tỷ đồng with a decimal comma, counts
  grouped with dots (matplotlib ``FuncFormatter`` over :func:`format_decimal` / :func:`format_number`).
* :func:`use_font` and :func:`check_glyphs` — charts in DejaVu Sans, which has every Vietnamese
  glyph, and a check that fails when any text of a figure has a character the font lacks or
  matplotlib warned of a missing glyph.
"""

from __future__ import annotations

import hashlib
import html
import warnings
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import pandas as pd

from ..text.numbers import format_decimal, format_number
from .compare import sources

if TYPE_CHECKING:
    from .index import Index

__all__ = ["FONT", "NO_DATA", "ID_COLUMNS", "table", "sources_table", "citation_box", "cell_text", "billions_axis",
           "count_axis", "use_font", "check_glyphs", "missing_glyphs", "GLYPH_WARNINGS"]

FONT = "DejaVu Sans"
NO_DATA = "không có số liệu"
#: columns a reader does not need to see (shown with ``ids=True``)
ID_COLUMNS = ("doc_id", "chunk_id", "figure_id", "precedent_id", "ref", "doc_ids", "row")
#: what matplotlib says when a font lacks a character
GLYPH_WARNINGS = ("missing from font", "missing from current font", "Glyph")

_CSS = [
    {"selector": "", "props": "border-collapse: collapse; font-size: 0.86em; margin: 0.3em 0 1em 0;"},
    {"selector": "caption", "props": "caption-side: top; text-align: left; font-weight: bold; padding: 0.3em 0;"},
    {"selector": "th", "props": "text-align: left; vertical-align: bottom; padding: 0.25em 0.5em; "
                                "border-bottom: 1px solid #999; background: #f4f4f4;"},
    {"selector": "td", "props": "text-align: left; vertical-align: top; padding: 0.25em 0.5em; "
                                "border-bottom: 1px solid #e4e4e4;"},
    {"selector": "td.nodata", "props": "color: #888; font-style: italic;"},
]


def cell_text(value: Any, *, no_data: str = NO_DATA, digits: int = 2) -> str:
    """One cell for a reader: numbers by the formatter, lists joined, blanks marked."""
    if isinstance(value, (list, tuple)):
        value = " | ".join(cell_text(v, no_data="", digits=digits) for v in value)
        return value or no_data
    if value is None or value is pd.NA or value is pd.NaT:
        return no_data
    if isinstance(value, bool):
        return "có" if value else "không"
    if pd.api.types.is_number(value):
        number: Any = value.item() if hasattr(value, "item") else value
        if isinstance(number, float) and number != number:
            return no_data
        return format_number(number, digits)
    text = str(value)
    return text if text.strip() else no_data


def table(df: pd.DataFrame, *, caption: str | None = None, ids: bool = False, no_data: str = NO_DATA,
          digits: int = 2, widths: dict[str, str] | None = None, index: bool = False,
          highlight: dict[str, Any] | None = None):
    """``df`` as an escaped HTML table (see the module docstring).

    ``widths`` sets column widths ("40%", "22em"); ``index=True`` shows the index (its name as the
    first header); ``highlight`` maps a column to a function ``text → html`` applied after
    escaping (it receives escaped text and must return safe HTML)."""
    from IPython.display import HTML

    shown = df.reset_index() if index else df.copy()
    if not ids:
        shown = shown[[c for c in shown.columns if c not in ID_COLUMNS]]
    text = pd.DataFrame({c: [cell_text(v, no_data=no_data, digits=digits) for v in shown[c]]
                         for c in shown.columns}, index=range(len(shown)))
    blank = text == no_data
    styler = text.style.hide(axis="index").format(escape="html")
    for col, fn in (highlight or {}).items():
        if col in text.columns:
            styler = styler.format(_escaped(fn), subset=[col])
    styler = styler.set_table_styles(_CSS)  # type: ignore[arg-type]
    styler = styler.set_td_classes(blank.replace({True: "nodata", False: ""}))
    for col, width in (widths or {}).items():
        if col in text.columns:
            styler = styler.set_properties(subset=[col], **{"width": width, "min-width": width})
    if caption:
        styler = styler.set_caption(html.escape(caption))
    digest = hashlib.sha1((caption or "").encode() + text.to_json().encode()).hexdigest()[:10]
    return HTML(styler.set_uuid(digest).to_html())


def _escaped(fn):
    return lambda v: fn(html.escape(v))


def sources_table(idx: Index, spans: pd.DataFrame | Iterable[tuple[str, int, int]], *,
                  caption: str = "Nguồn — sources", ids: bool = False):
    """The table of passages a finding rests on (quote, place, title, outlet, date)."""
    return table(sources(idx, spans), caption=caption, ids=ids,
                 widths={"quote": "46%", "title": "22%"})


def citation_box(text: str):
    """A citation (``Citation.text()``) set off as a block in a proportional font with every
    Vietnamese glyph (a monospace font would displace the tone marks), lines kept, escaped."""
    from IPython.display import HTML

    return HTML(f'<pre style="white-space: pre-wrap; font-family: {FONT!r}, sans-serif; font-size: 0.92em; '
                'background: #f6f6f0; border-left: 4px solid #4c72b0; padding: 0.8em 1em;">'
                + html.escape(text) + "</pre>")


# --- charts --------------------------------------------------------------------------------------


def use_font() -> None:
    """Charts in DejaVu Sans (every Vietnamese glyph), at a size that keeps notebooks small."""
    import matplotlib as mpl

    mpl.rcParams["font.family"] = FONT
    mpl.rcParams["figure.dpi"] = 96
    mpl.rcParams["savefig.dpi"] = 96


def billions_axis(ax, axis: str = "x", digits: int = 1) -> None:
    """Ticks of an axis whose values are tỷ đồng, written with a decimal comma ("2,5")."""
    from matplotlib.ticker import FuncFormatter

    fmt = FuncFormatter(lambda v, _pos: format_decimal(v, digits))
    (ax.xaxis if axis == "x" else ax.yaxis).set_major_formatter(fmt)


def count_axis(ax, axis: str = "x") -> None:
    """Ticks of a count axis grouped the Vietnamese way ("1.500")."""
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    target = ax.xaxis if axis == "x" else ax.yaxis
    target.set_major_locator(MaxNLocator(integer=True))
    target.set_major_formatter(FuncFormatter(lambda v, _pos: format_number(int(round(v)))))


def missing_glyphs(fig) -> dict[str, set[str]]:
    """Characters of the figure's texts that its fonts lack: {font file: characters}."""
    from matplotlib import font_manager
    from matplotlib.ft2font import FT2Font
    from matplotlib.text import Text

    out: dict[str, set[str]] = {}
    charmaps: dict[str, set[int]] = {}
    for t in fig.findobj(Text):
        s = t.get_text()
        if not s or not t.get_visible():
            continue
        path = font_manager.findfont(t.get_fontproperties())
        if path not in charmaps:
            charmaps[path] = set(FT2Font(path).get_charmap())
        lacking = {ch for ch in s if not ch.isspace() and ord(ch) not in charmaps[path]}
        if lacking:
            out.setdefault(path, set()).update(lacking)
    return out


def check_glyphs(fig) -> None:
    """Draw ``fig`` and fail (AssertionError) when a text has a character its font lacks or
    matplotlib warns of a missing glyph."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.canvas.draw()
    bad = [str(w.message) for w in caught if any(g in str(w.message) for g in GLYPH_WARNINGS)]
    lacking = missing_glyphs(fig)
    assert not bad and not lacking, f"missing glyphs: {bad or lacking}"
