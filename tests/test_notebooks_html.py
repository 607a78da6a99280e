"""The notebooks as a reader gets them: rendered to HTML, every glyph there, outputs that re-run
byte for byte, files small enough to open.

The slow test executes each notebook (as `make test`'s nbval does) and renders it to HTML with
nbconvert; it fails when matplotlib warned of a glyph missing from the font, when the HTML holds a
replacement character, or when a chart is missing. The fast tests read the committed notebooks:
executed, no glyph warnings or memory addresses in their outputs, each well under 5 MB.
"""

import re
import unicodedata
from pathlib import Path

import nbformat
import pytest

from search.app.report import GLYPH_WARNINGS

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))
NAMES = [p.name for p in NOTEBOOKS]
MAX_BYTES = 2_000_000  # "well under 5 MB"
ADDRESS = re.compile(r"\bat 0x[0-9a-f]{6,}")


def _texts(nb) -> list[str]:
    """Every text an output shows: streams, errors, text/plain and text/html."""
    out = []
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            if o.get("output_type") == "stream":
                out.append(o.get("text", ""))
            elif o.get("output_type") == "error":
                out.append("\n".join(o.get("traceback", [])))
            for key in ("text/plain", "text/html"):
                value = o.get("data", {}).get(key)
                if value:
                    out.append(value if isinstance(value, str) else "".join(value))
    return out


def _glyph_problems(texts: list[str]) -> list[str]:
    return [t[:200] for t in texts if any(g in t for g in GLYPH_WARNINGS) and "font" in t]


def test_there_are_five_notebooks():
    assert NAMES == ["01_corpus.ipynb", "02_searching.ipynb", "03_comparative_findings.ipynb",
                     "04_evaluation.ipynb", "05_precedents_for_writers.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_committed_notebook_is_executed_small_and_clean(path):
    assert path.stat().st_size < MAX_BYTES, f"{path.name}: {path.stat().st_size} bytes"
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(c.get("execution_count") for c in code), "re-execute the notebook and commit it"
    assert not [o for c in code for o in c.get("outputs", []) if o.get("output_type") == "error"]
    texts = _texts(nb)
    assert not _glyph_problems(texts)
    assert not [t for t in texts if ADDRESS.search(t)], "a memory address in an output: not reproducible"
    assert not [t for t in texts if "Styler at" in t or "<pandas.io.formats.style" in t]


def test_glyph_check_catches_a_missing_glyph():
    """The detector the rendering test relies on: matplotlib's warning text is recognised."""
    import warnings

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.set_title("一")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig.canvas.draw()
    plt.close(fig)
    assert _glyph_problems([str(w.message) for w in caught])


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=NAMES)
def test_notebook_renders_to_html_with_every_glyph(path):
    from nbclient import NotebookClient
    from nbconvert import HTMLExporter

    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=900, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    problems = _glyph_problems(_texts(nb))
    assert not problems, f"{path.name}: {problems}"
    html, _ = HTMLExporter().from_notebook_node(nb)
    assert "\ufffd" not in html
    charts = sum(1 for c in nb.cells for o in c.get("outputs", []) if "image/png" in o.get("data", {}))
    assert html.count("data:image/png;base64") >= charts
    if path.name.startswith(("01", "03")):
        assert charts >= 1
    # the Vietnamese reaches the page intact: composed (NFC), as the fonts expect it
    assert unicodedata.is_normalized("NFC", html)
    assert "tiếng Việt" in html or "Quảng Ngãi" in html
