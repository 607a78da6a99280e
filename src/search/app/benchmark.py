"""The answer benchmark's corpora and their indexes (``eval/answers.jsonl``).

Questions over the shipped articles run on the project's index; every other corpus of the benchmark
is a folder of articles written for it, indexed into a folder of its own beside it, built the first
time and refreshed when stale (the embedding cache makes that cheap).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .index import Index

__all__ = ["OWN_CORPORA", "benchmark_indexes"]

#: corpus name → (articles folder, index folder), relative to the benchmark's folder (``eval/``):
#: ``eval``, articles written with the benchmark; ``fresh_a`` … ``fresh_h``, articles and questions
#: written later by readers who had not seen the code (each judged over its own five articles)
OWN_CORPORA: dict[str, tuple[str, str]] = {
    "eval": ("answers_corpus", ".index"),
    "fresh_a": ("fresh_a_corpus", ".index-fresh_a"),
    "fresh_b": ("fresh_b_corpus", ".index-fresh_b"),
    "fresh_c": ("fresh_c_corpus", ".index-fresh_c"),
    "fresh_d": ("fresh_d_corpus", ".index-fresh_d"),
    "fresh_e": ("fresh_e_corpus", ".index-fresh_e"),
    "fresh_f": ("fresh_f_corpus", ".index-fresh_f"),
    "fresh_g": ("fresh_g_corpus", ".index-fresh_g"),
    "fresh_h": ("fresh_h_corpus", ".index-fresh_h"),
}


def benchmark_indexes(shipped: Index, folder: str | Path, *, only: set[str] | None = None,
                      paths: dict[str, tuple[str | Path, str | Path]] | None = None,
                      log=None) -> dict[str, Index]:
    """``{"shipped": shipped, name: index of the corpus}`` for the benchmark in ``folder``.

    ``only``: the corpora wanted (default: all); ``paths``: (articles, index) folders overriding
    ``OWN_CORPORA`` for some corpora; ``log``: called with a build's summary when one ran."""
    from ..indexing.build import build_index  # building stays out of the search path
    from .index import open_index

    out: dict[str, Index] = {"shipped": shipped}
    for name, (articles, index) in OWN_CORPORA.items():
        if only is not None and name not in only:
            continue
        articles_path, index_path = (paths or {}).get(name, (Path(folder) / articles, Path(folder) / index))
        report = build_index(articles_path, index_path, progress=False)
        if not report.skipped and log is not None:
            log(f"{name}: {report.summary()}")
        out[name] = open_index(index_path)
    return out
