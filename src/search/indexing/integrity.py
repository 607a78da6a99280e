"""An index that proves its own integrity: what the manifest records about the files, and the checks.

The build records in the manifest, for every file of the folder (the embedding cache aside: it only
saves time, and each vector is validated when reused), its size in bytes and its sha256, and the
row counts (articles, chunks, sentences, figures, precedents, vectors). Opening an index compares
the sizes (a ``stat`` per file: always); each part checks its row count and shape when it is first
loaded, and vectors are checked finite and of unit length. ``search verify`` /
``open_index(verify=True)`` also recompute every checksum. Any mismatch is an
:class:`~search.errors.IndexCorruptError` naming the file.

The *generation* of an index is the hash of its manifest: since the manifest holds every file's
checksum and the build time, two builds never share one unless their files are identical. An
opened ``Index`` compares it before and after each lazy load to never mix two builds' files.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import IndexCorruptError
from . import layout as L

__all__ = ["file_records", "check_files", "check_store_counts", "generation", "check_count", "check_matrix",
           "REBUILD", "UNIT_TOLERANCE"]

REBUILD = "rebuild with `search build --force`"
#: largest accepted deviation of a stored vector's length from 1
UNIT_TOLERANCE = 1e-3
_NOT_RECORDED = {L.MANIFEST, L.CACHE, L.CACHE + "-journal", L.CACHE + "-wal", L.CACHE + "-shm"}


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def file_records(index_dir: str | os.PathLike) -> dict[str, dict[str, Any]]:
    """{relative path: {"bytes": size, "sha256": hex}} of every file of a built index folder but the
    manifest and the embedding cache, sorted by path (for the manifest)."""
    index_dir = Path(index_dir)
    out: dict[str, dict[str, Any]] = {}
    for path in sorted(index_dir.rglob("*")):
        rel = path.relative_to(index_dir).as_posix()
        if path.is_file() and rel not in _NOT_RECORDED:
            out[rel] = {"bytes": path.stat().st_size, "sha256": _sha256(path)}
    return out


def check_files(index_dir: str | os.PathLike, manifest: dict[str, Any], *, checksums: bool = False) -> int:
    """IndexCorruptError naming the first file that is missing, of another size than the manifest
    records or (with ``checksums``) of another content. Returns the number of files checked."""
    index_dir = Path(index_dir)
    records = manifest["files"]  # their form was checked by layout.validate_manifest
    for rel, rec in records.items():
        path = index_dir / rel
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            raise IndexCorruptError(f"{path} is missing; {REBUILD}") from None
        except OSError as exc:
            raise IndexCorruptError(f"{path}: cannot read ({exc.strerror}); {REBUILD}") from None
        if size != rec["bytes"]:
            raise IndexCorruptError(f"{path} has {size} bytes where the manifest records {rec['bytes']}: "
                                    f"it is not the file this index was built with; {REBUILD}")
    if checksums:
        for rel, rec in records.items():
            path = index_dir / rel
            try:
                digest = _sha256(path)
            except OSError as exc:
                raise IndexCorruptError(f"{path}: cannot read ({exc.strerror}); {REBUILD}") from None
            if digest != rec["sha256"]:
                raise IndexCorruptError(f"{path}: checksum differs from the manifest's (the file was "
                                        f"changed after the build); {REBUILD}")
    return len(records)


#: table of store.sqlite → key of manifest["counts"]
STORE_COUNTS = {"articles": "articles", "chunks": "chunks", "sentences": "sentences", "figures": "figures",
                "precedents": "precedents"}


def check_store_counts(index_dir: str | os.PathLike, manifest: dict[str, Any]) -> None:
    """IndexCorruptError unless every table of store.sqlite has the manifest's row count (SQLite
    files grow by whole pages, so a store of another index often has the same size: the counts
    tell them apart). The build appends rows and never deletes one, so a table's last rowid is its
    row count: read from the B-tree's edge in microseconds, where COUNT(*) scans the table (0.5 s
    for the 870k rows of a 10k-article store). The exact count is checked when a table is loaded."""
    path = Path(index_dir) / L.STORE
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            found = {t: con.execute(f'SELECT max(rowid) FROM "{t}"').fetchone()[0] or 0 for t in STORE_COUNTS}
        finally:
            con.close()
    except sqlite3.Error as exc:
        raise IndexCorruptError(f"{path}: cannot read ({exc}); {REBUILD}") from None
    for table, key in STORE_COUNTS.items():
        check_count(f"{path} (table {table})", found[table], manifest, key)


def generation(manifest: dict[str, Any]) -> str:
    """Identity of one build of an index: the hash of its manifest (which holds every checksum)."""
    text = json.dumps(manifest, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def check_count(path: str | os.PathLike, found: int, manifest: dict[str, Any], key: str) -> None:
    """IndexCorruptError when ``path`` holds ``found`` rows where the manifest counts another number."""
    want = manifest["counts"][key]
    if found != want:
        raise IndexCorruptError(f"{path} holds {found} {key} where the manifest counts {want}: the "
                                f"index files do not belong together; {REBUILD}")


def check_matrix(path: str | os.PathLike, x: np.ndarray, rows: int, dim: int) -> np.ndarray:
    """``x`` unchanged when it is a float (rows, dim) matrix of finite unit-length vectors;
    IndexCorruptError naming ``path`` otherwise."""
    if x.ndim != 2 or x.shape != (rows, dim) or x.dtype.kind != "f":
        raise IndexCorruptError(f"{path} holds an array of shape {x.shape} ({x.dtype}) where ({rows}, {dim}) "
                                f"float vectors were expected; {REBUILD}")
    if rows:
        finite = np.isfinite(x).all(axis=1)
        if not finite.all():
            raise IndexCorruptError(f"{path}: {int((~finite).sum())} vectors hold NaN or infinite values "
                                    f"(first at row {int(np.flatnonzero(~finite)[0])}); {REBUILD}")
        norms = np.linalg.norm(x, axis=1)
        off = np.abs(norms - 1.0) > UNIT_TOLERANCE
        if off.any():
            raise IndexCorruptError(f"{path}: {int(off.sum())} vectors are not of unit length (first at row "
                                    f"{int(np.flatnonzero(off)[0])}, length {norms[off][0]:.3g}); {REBUILD}")
    return x
