"""Semantic search and comparative analysis over Vietnamese reports on studying and following
Hồ Chí Minh's thought, ethics and style (Chỉ thị 03-CT/TW, 05-CT/TW, Kết luận 01-KL/TW).

>>> from search import open_index
>>> idx = open_index("index")
>>> idx.search("which districts mobilized funds for housing", k=5)
"""

__version__ = "0.1.0"

from .errors import SearchError  # noqa: E402


def open_index(path="index", **kwargs):
    """Open a built index folder; see :func:`search.index.open_index`."""
    from .index import open_index as _open

    return _open(path, **kwargs)


__all__ = ["open_index", "SearchError", "__version__"]
