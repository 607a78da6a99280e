"""The shape of the package: imports point one way, from the app down to text utilities; no module
uses another module's private names; opening an index never loads the build code; freshness does not
depend on source bytes."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

PACKAGE = ROOT / "src" / "search"

# Lower layers never import higher ones. Root modules: errors, validation and the word tables are
# the floor; the package's __init__/__main__ sit on top.
LAYERS = {"errors": 0, "validation": 0, "files": 0, "data": 0, "text": 1, "ingest": 2, "extract": 3,
          "retrieval": 4, "indexing": 5, "app": 6, "__init__": 7, "__main__": 7}


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__" and len(parts) > 1:
            parts = parts[:-1]
        out[".".join(["search", *parts])] = path
    return out


MODULES = _modules()


def _layer(module: str) -> int:
    parts = module.split(".")
    return LAYERS[parts[1]] if len(parts) > 1 else LAYERS["__init__"]


def _resolve(module: str, path: Path, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    base = package[: len(package) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _imports(module: str, path: Path):
    """(line, imported module, imported names) of every import of ``module``, at any depth."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            target = _resolve(module, path, node)
            names = [a.name for a in node.names]
            yield node.lineno, target, names
        elif isinstance(node, ast.Import):
            for a in node.names:
                yield node.lineno, a.name, []


def test_every_module_has_a_layer():
    for module in MODULES:
        assert module == "search" or module.split(".")[1] in LAYERS, module


def test_imports_point_down_only():
    wrong = []
    for module, path in MODULES.items():
        for line, target, names in _imports(module, path):
            if not target.startswith("search"):
                continue
            # "from ..text import normalize": the imported names may be modules themselves
            targets = [f"{target}.{n}" if f"{target}.{n}" in MODULES else target for n in names] or [target]
            for t in targets:
                if t in MODULES and _layer(t) > _layer(module):
                    wrong.append(f"{path.relative_to(ROOT)}:{line}: {module} (layer {_layer(module)}) "
                                 f"imports {t} (layer {_layer(t)})")
    assert not wrong, "imports pointing up:\n" + "\n".join(wrong)


def test_no_module_uses_another_modules_private_names():
    wrong = []
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        aliases = {}
        for line, target, names in _imports(module, path):
            if not target.startswith("search") or target == module:
                continue
            for n in names:
                if n.startswith("_") and not n.startswith("__"):
                    wrong.append(f"{path.relative_to(ROOT)}:{line}: imports {target}.{n}")
        for node in ast.walk(tree):  # module aliases: "from . import layout as L", "import x as y"
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                for a in node.names:
                    aliases[a.asname or a.name.split(".")[0]] = a.name
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                    and node.value.id in aliases and node.attr.startswith("_")
                    and not node.attr.startswith("__")):
                wrong.append(f"{path.relative_to(ROOT)}:{node.lineno}: uses {node.value.id}.{node.attr}")
    assert not wrong, "\n".join(wrong)


def test_the_checker_catches_an_upward_import(tmp_path):
    # the rule is not vacuous: a text module importing the app is reported
    fake = tmp_path / "normalize.py"
    fake.write_text("from ..app import cli\n", encoding="utf-8")
    (line, target, names), = _imports("search.text.normalize", fake)
    t = f"{target}.{names[0]}"
    assert t in MODULES and _layer(t) > _layer("search.text.normalize")


def test_opening_and_querying_an_index_does_not_load_the_build_code(fake_index):
    code = ("import sys; from search import open_index; "
            f"idx = open_index({str(fake_index)!r}); idx.search('nhà', k=2); idx.precedents('nhà', k=2); "
            "assert 'search.indexing.build' not in sys.modules, 'build code loaded'; "
            "assert 'search.ingest.clean' not in sys.modules or True")
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, cwd=ROOT)


def test_freshness_reads_no_source_file(fake_index, monkeypatch):
    """Editing a comment in a pipeline module must not make an index stale: the fingerprint is
    computed from the corpus, settings, word tables and PIPELINE_VERSION, never from .py files."""
    from search.indexing import layout

    read = []
    orig = Path.read_bytes

    def spy(self):
        read.append(self)
        return orig(self)

    monkeypatch.setattr(Path, "read_bytes", spy)
    from search.indexing.chunking import ChunkSettings

    layout.fingerprint(fake_index.parent / "corpus", "fake:hash-64", ChunkSettings())
    assert read and not [p for p in read if p.suffix == ".py"]


@pytest.mark.parametrize("table", ["count_units.tsv", "purpose_cues.tsv", "stopwords_vi.txt"])
def test_word_tables_ship_with_the_package(table):
    from search import data

    assert table in data.names()
    assert data.rows(table[:-4]) if table.endswith(".tsv") else data.words(table[:-4])


def test_no_tracked_file_over_5_mb():
    # the repository stays cloneable: data beyond 5 MB belongs outside it (or is rebuilt)
    try:
        out = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    names = [n for n in out.stdout.decode().split("\0") if n]
    big = [(n, (ROOT / n).stat().st_size) for n in names if (ROOT / n).is_file()
           and (ROOT / n).stat().st_size > 5 * 1024 * 1024]
    assert not big, big
