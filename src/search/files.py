"""Writing files and folders the way the user expects: with their umask, atomically, and cleaning up.

``tempfile.mkstemp``/``mkdtemp`` create private files (0600) and folders (0700) whatever the umask;
a corpus or an index shared by a research group must get the modes every other tool gives it
(0644/0755 under the usual umask 022). Errors of the operating system become one
:class:`~search.errors.StorageError` naming the path.
"""

from __future__ import annotations

import os
import secrets
import shutil
import stat
from pathlib import Path

from .errors import StorageError

__all__ = ["umask", "file_mode", "atomic_write", "make_temp_dir", "remove_tree", "storage_error", "apply_umask"]


def umask() -> int:
    """The process's umask, read without changing it where the system allows (Linux)."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    old = os.umask(0o022)  # elsewhere: set and restore (not thread-safe, but only a fallback)
    os.umask(old)
    return old


def file_mode() -> int:
    """Mode of a new regular file: 0666 less the umask (what ``open(path, "w")`` gives)."""
    return 0o666 & ~umask()


def storage_error(exc: OSError, doing: str, path: str | os.PathLike | None = None) -> StorageError:
    """One line for an error of the operating system: what we were doing, on which path, and why."""
    where = path if path is not None else exc.filename
    why = exc.strerror or type(exc).__name__
    return StorageError(f"cannot {doing} {where}: {why}" if where is not None else f"cannot {doing}: {why}")


def atomic_write(path: str | os.PathLike, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder and a rename.

    A new file gets the umask's mode; a replaced file keeps its own mode. StorageError on failure
    (the temporary file is removed).
    """
    path = Path(path)
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        mode = file_mode()
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.fchmod(fd, mode)
            with os.fdopen(fd, "wb") as f:
                f.write(data)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise storage_error(exc, "write", path) from None


def apply_umask(folder: str | os.PathLike) -> None:
    """Give ``folder`` and everything in it the modes the umask gives new files and folders (SQLite,
    for one, creates its files 0644 whatever the umask)."""
    mask = umask()
    for root, _dirs, files in os.walk(os.fspath(folder)):
        os.chmod(root, 0o777 & ~mask)
        for name in files:
            path = os.path.join(root, name)
            if not os.path.islink(path):
                os.chmod(path, 0o666 & ~mask)


def make_temp_dir(parent: str | os.PathLike, prefix: str) -> Path:
    """A new, empty folder ``parent/prefix<pid>-<random>`` with the umask's mode (not 0700)."""
    parent = Path(parent)
    for _ in range(100):
        path = parent / f"{prefix}{os.getpid()}-{secrets.token_hex(4)}"
        try:
            os.mkdir(path)  # mode 0777 less the umask
            return path
        except FileExistsError:
            continue
        except OSError as exc:
            raise storage_error(exc, "create a folder in", parent) from None
    raise StorageError(f"cannot create a temporary folder in {parent}")


def remove_tree(path: str | os.PathLike) -> bool:
    """Remove a folder and everything in it, write-protected sub-folders included (they are made
    writable first: the folder is ours to delete). True when it is gone."""
    path = Path(path)

    def retry(func, name, _exc):
        parent = os.path.dirname(name)
        try:
            for p in (parent, name):
                if os.path.isdir(p) and not os.path.islink(p):
                    os.chmod(p, stat.S_IMODE(os.lstat(p).st_mode) | stat.S_IRWXU)
            func(name)
        except OSError:
            pass

    if not path.exists() and not path.is_symlink():
        return True
    try:
        os.chmod(path, stat.S_IMODE(os.lstat(path).st_mode) | stat.S_IRWXU)
    except OSError:
        pass
    for _ in range(2):  # a second pass reaches what an unreadable folder hid from the first
        shutil.rmtree(path, onerror=retry)
        if not path.exists():
            return True
    return False
