"""Word tables of the pipeline: reviewed text files shipped with the package, one loader.

Every vocabulary the pipeline matches against (qualifiers, counted units, purpose cues, kind words of
initiatives, stop words …) lives in a file of this folder rather than in code, so that it can be read
and reviewed like code. Two formats, both UTF-8:

* ``NAME.txt``: one entry per line;
* ``NAME.tsv``: tab-separated, the first non-comment line is the header.

Lines starting with ``#`` and blank lines are comments. Entries are NFC-normalised on reading, so a
table typed with decomposed accents still matches normalised text.

The tables decide what the index contains, so :func:`digest` (a hash of every file here) is part of
the index fingerprint: editing a table makes a built index stale until it is rebuilt.
"""

from __future__ import annotations

import hashlib
import unicodedata
from functools import cache, lru_cache
from importlib import resources

__all__ = ["words", "rows", "mapping", "digest", "names"]

_PACKAGE = __name__


def _lines(name: str) -> list[str]:
    try:
        raw = resources.files(_PACKAGE).joinpath(name).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FileNotFoundError(f"no word table {name!r} in {_PACKAGE}") from None
    out = []
    for line in raw.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        out.append(unicodedata.normalize("NFC", line.rstrip("\r")))
    return out


@cache
def words(name: str) -> tuple[str, ...]:
    """Entries of ``NAME.txt`` (stripped), in file order."""
    return tuple(line.strip() for line in _lines(f"{name}.txt"))


@cache
def rows(name: str) -> tuple[dict[str, str], ...]:
    """Rows of ``NAME.tsv`` as dicts keyed by the header (cells stripped; a short row is padded
    with empty cells, a long one is an error)."""
    lines = _lines(f"{name}.tsv")
    if not lines:
        return ()
    header = [h.strip() for h in lines[0].split("\t")]
    out = []
    for n, line in enumerate(lines[1:], start=2):
        cells = [c.strip() for c in line.split("\t")]
        if len(cells) > len(header):
            raise ValueError(f"{name}.tsv: data line {n} has {len(cells)} cells for {len(header)} columns")
        cells += [""] * (len(header) - len(cells))
        out.append(dict(zip(header, cells)))
    return tuple(out)


def mapping(name: str, key: str, value: str) -> dict[str, str]:
    """``{row[key]: row[value]}`` of ``NAME.tsv`` (a later row wins)."""
    return {r[key]: r[value] for r in rows(name)}


def names() -> list[str]:
    """File names of every table, sorted."""
    return sorted(p.name for p in resources.files(_PACKAGE).iterdir()
                  if p.name.endswith((".txt", ".tsv")))


@lru_cache(maxsize=1)
def digest() -> str:
    """sha256 over the names and bytes of every table (part of the index fingerprint)."""
    h = hashlib.sha256()
    base = resources.files(_PACKAGE)
    for name in names():
        data = base.joinpath(name).read_bytes()
        h.update(name.encode("utf-8") + b"\0" + str(len(data)).encode() + b"\0" + data)
    return h.hexdigest()[:16]
