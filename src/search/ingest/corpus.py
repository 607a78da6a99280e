"""The corpus folder: article files (the raw record, never edited) plus ``metadata.csv`` overrides.

``corpus/`` holds one file per article — flattened web text (``.txt``) or a saved page (``.html``,
``.htm``) — whose stem is the article's ``doc_id``, and ``metadata.csv``, where a researcher can
correct or add any metadata field per article: the CSV wins over extraction, an empty cell means
"no correction". ``load_corpus`` cleans every file, extracts metadata, applies the CSV and returns
``Article`` records sorted by ``doc_id``. Bad input raises ``CorpusError`` naming the file and line.

Limits and damage: an article file over ``MAX_ARTICLE_BYTES`` (2 MB) is refused, by ingest and by
the build. ``ingest_files`` also refuses garbled text (mojibake, see ``text/damage.py``) and an
article that repeats one of the corpus, exactly or nearly (``ingest/duplicates.py``) unless told
to keep it; ``load_corpus`` indexes whatever the folder holds but flags such articles
(``damaged_text``, ``duplicate_of:ID``, ``near_duplicate_of:ID`` on the later doc_id) and reports
them with a ``CorpusWarning``.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from ..errors import CorpusError, CorpusWarning
from ..files import atomic_write, storage_error
from ..text.damage import damage
from ..text.normalize import fold, normalize_line
from ..validation import MAX_ARTICLE_BYTES
from .clean import CleanArticle, clean_html, clean_text, parse_date, site_domain
from .duplicates import DuplicateFinder, signature
from .metadata import (
    LOCALITY_LEVELS,
    META_KEYS,
    extract_metadata,
    find_directives,
    outlet_name,
    resolve_new_units,
)

__all__ = ["Article", "ARTICLE_SUFFIXES", "METADATA_FILE", "CSV_COLUMNS", "load_corpus",
           "read_article", "load_article", "read_overrides", "article_text", "ingest_files", "slugify",
           "corpus_fingerprint", "corpus_stat", "article_files", "article_paths", "article_bytes", "check_url",
           "duplicate_flag", "repeat_note", "corpus_note"]

ARTICLE_SUFFIXES = (".txt", ".html", ".htm")
METADATA_FILE = "metadata.csv"
CSV_COLUMNS = ("doc_id",) + META_KEYS
_LIST_FIELDS = ("directives", "flags")
_INT_FIELDS = ("period_start", "period_end", "period_years")
# Flags that a researcher's correction of these fields makes obsolete.
_OBSOLETE_FLAGS = {
    "province": ("ambiguous_province", "province_candidates:", "no_province", "province_conflict:"),
    "locality": ("no_locality", "gazetteer_level:"),
    "title": ("title_derived",),
    "directives": ("no_directive", "local_directive:"),
    "period_start": ("no_period",),
    "period_end": ("no_period",),
    "period": ("no_period",),
}


@dataclass
class Article:
    """One article of the corpus. ``text`` is what every offset in the system points into."""

    doc_id: str
    path: str
    text: str
    meta: dict
    #: (start, end) of the title and of each paragraph in ``text``
    title_span: tuple[int, int] = (0, 0)
    paragraph_spans: list[tuple[int, int]] = field(default_factory=list)

    @property
    def title(self) -> str:
        return self.text[self.title_span[0]:self.title_span[1]]

    @property
    def paragraphs(self) -> list[str]:
        return [self.text[a:b] for a, b in self.paragraph_spans]


def article_text(clean: CleanArticle) -> str:
    """Title, blank line, paragraphs separated by blank lines."""
    return "\n\n".join([clean.title, *clean.paragraphs])


def _spans(title: str, paragraphs: list[str]) -> tuple[tuple[int, int], list[tuple[int, int]]]:
    pos = len(title)
    spans = []
    for p in paragraphs:
        pos += 2
        spans.append((pos, pos + len(p)))
        pos += len(p)
    return (0, len(title)), spans


# --- reading one article ------------------------------------------------------------------------


def _decode(data: bytes, path: Path, what: str = "article") -> str:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise CorpusError(f"{what} is not valid UTF-8 (byte 0x{data[e.start]:02x}); "
                          "re-save it as UTF-8", path=str(path), line=line) from None
    return text.removeprefix("\ufeff")


def _looks_like_html(text: str, path: Path) -> bool:
    if path.suffix.lower() in (".html", ".htm"):
        return True
    head = text.lstrip()[:500].lower()
    return head.startswith("<!doctype html") or head.startswith("<html")


def _clean_bytes(data: bytes, path: Path) -> CleanArticle:
    text = _decode(data, path)
    if not text.strip():
        raise CorpusError("empty file", path=str(path))
    try:
        if _looks_like_html(text, path):
            return clean_html(text)
        return clean_text(text)
    except CorpusError as e:
        raise CorpusError(str(e), path=str(path)) from None


def _read_bytes(path: Path) -> bytes:
    """The bytes of an article file within the size limit; CorpusError naming the file otherwise."""
    try:
        size = path.stat().st_size
        if size > MAX_ARTICLE_BYTES:
            raise CorpusError(f"the article is {size / 2**20:.1f} MB, over the limit of "
                              f"{MAX_ARTICLE_BYTES // 2**20} MB; split it or leave it out", path=str(path))
        return path.read_bytes()
    except OSError as e:
        raise CorpusError(f"cannot read the file ({e.strerror or e})", path=str(path)) from None


def read_article(path: str | os.PathLike) -> CleanArticle:
    """Read and clean one article file (txt or html); CorpusError naming the file if unusable."""
    path = Path(path)
    return _clean_bytes(_read_bytes(path), path)


def _damage(data: bytes) -> str | None:
    return damage(data.decode("utf-8", errors="replace"))


def article_files(corpus_dir: str | os.PathLike) -> list[Path]:
    """Article files of a corpus folder, sorted by name (hidden files and other suffixes skipped)."""
    corpus_dir = Path(corpus_dir)
    if not corpus_dir.is_dir():
        raise CorpusError("corpus folder not found", path=str(corpus_dir))
    try:
        return sorted(p for p in corpus_dir.iterdir()
                      if p.is_file() and not p.name.startswith(".")
                      and p.suffix.lower() in ARTICLE_SUFFIXES)
    except OSError as e:
        raise CorpusError(f"cannot list the corpus folder ({e.strerror or e})", path=str(corpus_dir)) from None


def article_paths(corpus_dir: str | os.PathLike) -> dict[str, Path]:
    """{doc_id: article file} of a corpus folder, sorted by file name; CorpusError on a doc_id
    used by two files."""
    return _doc_ids(article_files(corpus_dir))


def _doc_ids(files: list[Path]) -> dict[str, Path]:
    ids: dict[str, Path] = {}
    for p in files:
        if p.stem in ids:
            raise CorpusError(f"duplicate doc_id {p.stem!r}: also {ids[p.stem].name}", path=str(p))
        ids[p.stem] = p
    return ids


# --- metadata.csv -------------------------------------------------------------------------------


_DIRECTIVE_CELL = re.compile(r"^(\d{1,3})\s*-\s*(CT|KL|NQ)\s*/\s*([A-ZĐƯ]{2,4})$", re.IGNORECASE)


def _parse_cell(column: str, value: str, path: Path, line: int):
    """Typed value of one CSV cell; CorpusError naming file and line when it is not usable."""
    def bad(why: str) -> CorpusError:
        return CorpusError(f"column {column!r}: {why}", path=str(path), line=line)

    if column in _LIST_FIELDS:
        items = [normalize_line(x) for x in value.split(";") if x.strip()]
        if column == "directives":
            out = []
            for item in items:
                m = _DIRECTIVE_CELL.match(item)
                if not m:
                    raise bad(f"{item!r} is not a directive number like 05-CT/TW")
                out += find_directives(f"{int(m.group(1)):02d}-{m.group(2)}/{m.group(3)}")
            return out
        return items
    if column in _INT_FIELDS:
        try:
            return int(value)
        except ValueError:
            raise bad(f"{value!r} is not a whole number") from None
    if column == "date":
        iso = parse_date(value)
        if iso is None:
            raise bad(f"{value!r} is not a date (use YYYY-MM-DD or dd/mm/yyyy)")
        return iso
    if column == "url":
        return check_url(value, bad)
    if column == "locality_level" and normalize_line(value).lower() not in LOCALITY_LEVELS:
        raise bad(f"{value!r} is not one of {', '.join(LOCALITY_LEVELS)}")
    value = normalize_line(value)
    return value.lower() if column == "locality_level" else value


def check_url(value: str, error=None) -> str:
    """A web address as given (http:// or https:// and a host); CorpusError otherwise."""
    url = value.strip()
    if not re.fullmatch(r"https?://[^\s/?#]+\.[^\s/?#]+(?:[/?#]\S*)?", url, re.IGNORECASE) or not site_domain(url):
        why = f"{value!r} is not a web address (http://… or https://…)"
        raise error(why) if error else CorpusError(why)
    return url


def read_overrides(path: str | os.PathLike, doc_ids: set[str] | None = None) -> dict[str, dict]:
    """Corrections from ``metadata.csv``: {doc_id: {field: value}} with only non-empty cells.

    Unknown columns, rows whose doc_id is not in ``doc_ids`` (when given), duplicate rows, rows
    with the wrong number of cells and unparsable values raise CorpusError with the line number.
    """
    path = Path(path)
    if not path.exists():
        return {}
    text = _decode(path.read_bytes(), path, what="metadata file")
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    overrides: dict[str, dict] = {}
    lines: dict[str, int] = {}
    try:
        header = next(reader, None)
        if not header:
            return {}
        header = [h.strip() for h in header]
        if "doc_id" not in header:
            raise CorpusError("header has no 'doc_id' column", path=str(path), line=1)
        for col in header:
            if col not in CSV_COLUMNS:
                raise CorpusError(f"unknown column {col!r} (known: {', '.join(CSV_COLUMNS)})",
                                  path=str(path), line=1)
            if header.count(col) > 1:
                raise CorpusError(f"column {col!r} appears twice", path=str(path), line=1)
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue  # blank line
            if len(row) != len(header):
                raise CorpusError(f"expected {len(header)} cells, found {len(row)}",
                                  path=str(path), line=line)
            cells = dict(zip(header, (c.strip() for c in row)))
            doc_id = cells.pop("doc_id")
            if not doc_id:
                raise CorpusError("empty doc_id", path=str(path), line=line)
            if doc_ids is not None and doc_id not in doc_ids:
                raise CorpusError(f"doc_id {doc_id!r} is not an article of the corpus",
                                  path=str(path), line=line)
            if doc_id in overrides:
                raise CorpusError(f"doc_id {doc_id!r} already has a row (line {lines[doc_id]})",
                                  path=str(path), line=line)
            overrides[doc_id] = {col: _parse_cell(col, v, path, line) for col, v in cells.items() if v}
            lines[doc_id] = line
    except csv.Error as e:
        raise CorpusError(f"malformed CSV ({e})", path=str(path), line=reader.line_num) from None
    return overrides


def _apply_overrides(meta: dict, row: dict) -> dict:
    """The CSV wins; dependent fields are recomputed unless the row sets them too."""
    meta = {**meta, **row}
    if "url" in row and "outlet" not in row:  # a corrected address may name the outlet
        meta["outlet"] = outlet_name(row["url"]) or meta.get("outlet")
    if ("period_start" in row or "period_end" in row) and "period" not in row:
        start, end = meta.get("period_start"), meta.get("period_end")
        meta["period"] = f"{start}–{end}" if start and end else None
        if "period_years" not in row:
            meta["period_years"] = end - start + 1 if start and end else None
    if ("province" in row or "locality" in row or "locality_level" in row):
        fixed = resolve_new_units(dict(meta))
        for key in ("district", "province_new", "locality_new"):
            if key not in row:
                meta[key] = fixed.get(key)
    if "flags" not in row:
        flags = [f for f in meta.get("flags", [])
                 if not any(f.startswith(p) for col in row for p in _OBSOLETE_FLAGS.get(col, ()))]
        meta["flags"] = flags + ["csv_override:" + ",".join(sorted(row))]
    return meta


# --- the corpus ---------------------------------------------------------------------------------


def _make_article(doc_id: str, path: Path, clean: CleanArticle, row: dict | None) -> Article:
    meta = extract_metadata(clean, doc_id)
    if row:
        meta = _apply_overrides(meta, row)
        clean = CleanArticle(**{**clean.__dict__, "title": meta["title"] or clean.title})
    text = article_text(clean)
    title_span, spans = _spans(clean.title, clean.paragraphs)
    return Article(doc_id=doc_id, path=str(path), text=text, meta=meta, title_span=title_span,
                   paragraph_spans=spans)


def load_corpus(corpus_dir: str | os.PathLike) -> list[Article]:
    """Every article of ``corpus_dir`` cleaned, with metadata and CSV corrections, sorted by doc_id.

    Damaged text and duplicates are flagged and reported (one :class:`CorpusWarning`), not refused.
    """
    corpus_dir = Path(corpus_dir)
    ids = _doc_ids(article_files(corpus_dir))
    overrides = read_overrides(corpus_dir / METADATA_FILE, set(ids))
    articles = [load_article(path, overrides.get(doc_id)) for doc_id, path in sorted(ids.items())]
    damaged = [a.doc_id for a in articles if "damaged_text" in a.meta["flags"]]
    repeats = []
    finder = DuplicateFinder()
    for art in articles:
        sig = signature(art.text)
        m = finder.match(sig)
        finder.add(art.doc_id, sig)
        if m is not None:
            art.meta["flags"] = [*art.meta["flags"], duplicate_flag(m)]
            repeats.append(repeat_note(art.doc_id, m))
    note = corpus_note(damaged, repeats)
    if note:
        warnings.warn(f"corpus {corpus_dir}: {note}", CorpusWarning, stacklevel=2)
    return articles


def load_article(path: str | os.PathLike, row: dict | None = None) -> Article:
    """One article file cleaned, with its metadata and its ``metadata.csv`` corrections ``row``
    (as :func:`read_overrides` gives them); its doc_id is the file's stem. Garbled text
    (mojibake) is flagged ``damaged_text``; a file garbled beyond reading is a CorpusError saying so.
    Duplicates are a matter of the whole corpus: see :func:`load_corpus`."""
    path = Path(path)
    data = _read_bytes(path)
    why = _damage(data)
    try:
        clean = _clean_bytes(data, path)
    except CorpusError:
        if why:  # the garbling is why nothing could be read: say so
            raise CorpusError(why, path=str(path)) from None
        raise
    art = _make_article(path.stem, path, clean, row)
    if why:
        art.meta["flags"] = [*art.meta["flags"], "damaged_text"]
    return art


def article_bytes(path: str | os.PathLike) -> bytes:
    """The bytes of an article file within the size limit; CorpusError naming the file otherwise."""
    return _read_bytes(Path(path))


def duplicate_flag(match) -> str | None:
    """The flag of an article that repeats another (``DuplicateFinder.match``), or None."""
    if match is None:
        return None
    return f"{'' if match.exact else 'near_'}duplicate_of:{match.key}"


def repeat_note(doc_id: str, match) -> str:
    return f"{doc_id} = {match.key}" if match.exact else f"{doc_id} ≈ {match.key} ({match.similarity:.0%})"


def corpus_note(damaged: list[str], repeats: list[str]) -> str:
    """What a corpus warning says of damaged and repeated articles ("" when nothing)."""
    def some(items: list[str], sep: str) -> str:
        return sep.join(items[:5]) + (f"{sep}… ({len(items) - 5} more)" if len(items) > 5 else "")

    notes = []
    if damaged:
        notes.append(f"{len(damaged)} with garbled text (mojibake), flagged damaged_text: {some(damaged, ', ')}")
    if repeats:
        notes.append(f"{len(repeats)} repeating another, flagged duplicate_of/near_duplicate_of: {some(repeats, '; ')}")
    return "; ".join(notes) + " (indexed anyway; see `search ingest`)" if notes else ""


def _fingerprinted_files(corpus_dir: Path) -> list[Path]:
    files = article_files(corpus_dir)
    meta = corpus_dir / METADATA_FILE
    if meta.is_file():
        files.append(meta)
    return sorted(files, key=lambda p: p.name)


T = TypeVar("T")


def _each_file(corpus_dir: str | os.PathLike, read: Callable[[Path], T]) -> Iterator[tuple[Path, T]]:
    """The fingerprinted files of the corpus, each with what ``read`` gets of it (an unreadable
    file is a ``CorpusError`` naming it)."""
    for p in _fingerprinted_files(Path(corpus_dir)):
        try:
            yield p, read(p)
        except OSError as e:
            raise CorpusError(f"cannot read the file ({e.strerror or e})", path=str(p)) from None


def corpus_stat(corpus_dir: str | os.PathLike) -> str:
    """sha256 over the sorted names, sizes and modification times (ns) of the files
    ``corpus_fingerprint`` reads: equal to a recorded one, nothing was written since, and the
    recorded fingerprint holds without reading 10,000 files again (git's index does the same);
    any difference (a touch, a checkout) means hashing the bytes."""
    h = hashlib.sha256()
    for p, st in _each_file(corpus_dir, Path.stat):
        h.update(f"{p.name}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
    return h.hexdigest()


def corpus_fingerprint(corpus_dir: str | os.PathLike) -> str:
    """sha256 over the sorted names and bytes of the article files and metadata.csv."""
    h = hashlib.sha256()
    for p, data in _each_file(corpus_dir, Path.read_bytes):
        h.update(p.name.encode("utf-8") + b"\0" + str(len(data)).encode() + b"\0")
        h.update(data)
    return h.hexdigest()


# --- ingest -------------------------------------------------------------------------------------


def slugify(stem: str) -> str:
    """A safe doc_id from a file stem: ASCII lower case, digits, '_' and '-' only."""
    s = fold(normalize_line(stem))
    s = re.sub(r"[^a-z0-9_-]+", "-", s)
    s = re.sub(r"-{2,}", "-", s).strip("-_")
    return s[:100].rstrip("-_")


def _csv_with_rows(csv_path: Path, new_ids: list[str]) -> bytes:
    """metadata.csv content with an empty row appended for each new doc_id."""
    if csv_path.exists():
        text = _decode(csv_path.read_bytes(), csv_path, what="metadata file")
        header = next(csv.reader(io.StringIO(text, newline="")), None) or list(CSV_COLUMNS)
    else:
        text, header = "", list(CSV_COLUMNS)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    if not text.strip():
        text = ""
        writer.writerow(header)
    elif not text.endswith("\n"):
        out.write("\n")
    doc_col = [h.strip() for h in header].index("doc_id")
    for doc_id in new_ids:
        row = [""] * len(header)
        row[doc_col] = doc_id
        writer.writerow(row)
    return (text + out.getvalue()).encode("utf-8")


def _csv_with_cells(csv_path: Path, doc_id: str, cells: dict[str, str]) -> bytes:
    """metadata.csv content with ``cells`` set in the row of ``doc_id`` (columns added when the
    header lacks them; every other cell as it was)."""
    text = _decode(csv_path.read_bytes(), csv_path, what="metadata file") if csv_path.exists() else ""
    rows = list(csv.reader(io.StringIO(text, newline=""))) or [list(CSV_COLUMNS)]
    header = [h.strip() for h in rows[0]]
    for col in cells:
        if col not in header:
            header.append(col)
    body = [r + [""] * (len(header) - len(r)) for r in rows[1:] if any(c.strip() for c in r)]
    doc_col = header.index("doc_id")
    target = next((r for r in body if r[doc_col].strip() == doc_id), None)
    if target is None:
        target = [""] * len(header)
        target[doc_col] = doc_id
        body.append(target)
    for col, value in cells.items():
        target[header.index(col)] = value
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header, *body])
    return out.getvalue().encode("utf-8")


def _corpus_signatures(existing: dict[str, Path]) -> DuplicateFinder:
    """Signatures of the articles already in the corpus (an unreadable one is skipped: the build
    reports it)."""
    finder = DuplicateFinder()
    for doc_id, path in sorted(existing.items()):
        try:
            finder.add(doc_id, signature(article_text(read_article(path))))
        except CorpusError:
            continue
    return finder


def ingest_files(paths: list[str | os.PathLike], corpus_dir: str | os.PathLike, *,
                 url: str | None = None, allow_duplicate: bool = False) -> list[str]:
    """Copy article files into the corpus byte for byte; returns their doc_ids (input order).

    Every input is validated first (readable, at most ``MAX_ARTICLE_BYTES``, UTF-8, not garbled,
    not empty, has article text, a usable and unused doc_id, and not the same article as one of
    the corpus or of the other inputs, exactly or nearly); if any is bad nothing is written. With
    ``allow_duplicate`` a repeat is kept, reported with a :class:`CorpusWarning`, and flagged by the
    build. An input identical to the file already stored under its doc_id is accepted again without
    change. Each new article gets an empty row in metadata.csv for the researcher to fill; ``url``,
    the address the one file was saved from, goes into its row's ``url`` cell (the file itself stays
    as it was). Files are written with the user's umask; a folder that cannot be written is a
    StorageError.
    """
    if url is not None:
        url = check_url(url)
        if len(paths) != 1:
            raise CorpusError(f"--url gives the address of one article, but {len(paths)} files were given")
    corpus_dir = Path(corpus_dir)
    try:
        corpus_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise storage_error(exc, "create the corpus folder", corpus_dir) from None
    existing = _doc_ids(article_files(corpus_dir))
    csv_path = corpus_dir / METADATA_FILE
    in_csv = set(read_overrides(csv_path, set(existing)))  # refuse to append to a broken CSV
    finder: DuplicateFinder | None = None

    planned: dict[str, tuple[Path, bytes]] = {}
    result: list[str] = []
    for raw in paths:
        src = Path(raw)
        if not src.is_file():
            raise CorpusError("no such file", path=str(src))
        if src.suffix.lower() not in ARTICLE_SUFFIXES:
            raise CorpusError(f"not an article file (expected {', '.join(ARTICLE_SUFFIXES)})",
                              path=str(src))
        data = _read_bytes(src)
        why = _damage(data)
        if why:
            raise CorpusError(why, path=str(src))
        clean = _clean_bytes(data, src)
        doc_id = slugify(src.stem)
        if not doc_id:
            raise CorpusError("cannot make a doc_id from this file name", path=str(src))
        target = corpus_dir / f"{doc_id}{src.suffix.lower()}"
        if doc_id in existing:
            same = existing[doc_id].read_bytes() == data and existing[doc_id].suffix.lower() == src.suffix.lower()
            if not same:
                raise CorpusError(f"doc_id {doc_id!r} is already used by {existing[doc_id].name} "
                                  "with different content; rename the file", path=str(src))
        elif doc_id in planned:
            if planned[doc_id][1] != data or planned[doc_id][0].suffix != target.suffix:
                raise CorpusError(f"doc_id {doc_id!r} would be used by two different inputs",
                                  path=str(src))
        else:
            if finder is None:
                finder = _corpus_signatures(existing)
            sig = signature(article_text(clean))
            m = finder.match(sig, ignore=doc_id)
            if m is not None:
                what = ("the same text as" if m.exact else
                        f"nearly the same text ({m.similarity:.0%} of its 5-word phrases) as")
                if not allow_duplicate:
                    raise CorpusError(f"{what} {m.key} (the same report from another outlet?); "
                                      "leave it out, or pass --allow-duplicate to keep both", path=str(src))
                warnings.warn(f"{src}: {what} {m.key}; kept as {doc_id} (--allow-duplicate), the build "
                              f"flags it {'' if m.exact else 'near_'}duplicate_of", CorpusWarning, stacklevel=2)
            finder.add(doc_id, sig)
            planned[doc_id] = (target, data)
        result.append(doc_id)

    for target, data in planned.values():
        atomic_write(target, data)
    new_rows = [d for d in dict.fromkeys(result) if d not in in_csv]
    if new_rows:
        atomic_write(csv_path, _csv_with_rows(csv_path, new_rows))
    if url is not None:
        atomic_write(csv_path, _csv_with_cells(csv_path, result[0], {"url": url}))
    return result
