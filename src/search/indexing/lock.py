"""One build at a time per index folder, the swap that puts a new index in place, and the clean-up
of what killed builds leave behind.

A build of ``NAME`` writes ``.NAME.tmp-<pid>-<random>`` beside it, then swaps it in with two renames
(``NAME`` → ``NAME.old-<pid>``, temporary → ``NAME``) and deletes the old folder. It holds an
exclusive ``fcntl.flock`` on ``.NAME.lock`` (beside the folder) from before it creates the temporary
folder until the old one is gone; the kernel drops the lock when the process ends, even by SIGKILL.
So whoever holds the lock knows that every ``.NAME.tmp-*`` and ``NAME.old-*`` is debris of a dead
build: :func:`building` removes them first (and when a build died between its two renames, puts the
old index back instead of deleting it). A second build of the same folder while one runs is refused
(:class:`~search.errors.IndexLockedError`), never allowed to delete the first one's work.

Readers take no lock; :func:`recover` only finishes an interrupted swap, and waits instead when a
live build is between its renames. Folders and the lock file get the user's umask.
"""

from __future__ import annotations

import os
import re
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import CleanupWarning, IndexLockedError
from ..files import apply_umask, make_temp_dir, remove_tree, storage_error

try:  # POSIX; elsewhere builds are not locked (and leftovers are left alone)
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

__all__ = ["BuildLock", "building", "swap_in", "recover", "clean_leftovers", "lock_path", "leftovers",
           "build_running"]

#: how long a build waits for the lock before saying another build is running (a reader's
#: :func:`recover` probes it for an instant)
LOCK_WAIT_S = 1.0
#: how long a reader waits for a running build to finish its two renames
SWAP_WAIT_S = 10.0


def lock_path(index_dir: str | os.PathLike) -> Path:
    index_dir = Path(index_dir)
    return index_dir.parent / f".{index_dir.name}.lock"


def leftovers(index_dir: str | os.PathLike) -> tuple[list[Path], list[Path]]:
    """(temporary folders, old folders) of ``index_dir`` that builds create, oldest first."""
    index_dir = Path(index_dir)
    name = re.escape(index_dir.name)
    tmp_re = re.compile(rf"\.{name}\.tmp-[A-Za-z0-9_-]+")
    old_re = re.compile(rf"{name}\.old-\d+")
    tmps, olds = [], []
    try:
        entries = list(index_dir.parent.iterdir())
    except OSError:
        return [], []
    for p in entries:
        if not p.is_dir() or p.is_symlink():
            continue
        if tmp_re.fullmatch(p.name):
            tmps.append(p)
        elif old_re.fullmatch(p.name):
            olds.append(p)

    def changed(p: Path) -> int:
        try:
            return p.stat().st_ctime_ns  # a rename updates ctime: the last one renamed is newest
        except OSError:
            return 0

    return sorted(tmps, key=changed), sorted(olds, key=changed)


class BuildLock:
    """Exclusive lock of the builds of one index folder (``with BuildLock(path): ...``)."""

    def __init__(self, index_dir: str | os.PathLike, *, wait: float = LOCK_WAIT_S):
        self.index_dir = Path(index_dir)
        self.path = lock_path(index_dir)
        self.wait = wait
        self._fd: int | None = None

    def acquire(self) -> None:
        if fcntl is None:  # pragma: no cover
            return
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)  # umask applies
        except OSError as exc:
            raise storage_error(exc, "create the lock file", self.path) from None
        deadline = time.monotonic() + self.wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "?"
                    os.close(fd)
                    raise IndexLockedError(
                        f"another build of {self.index_dir} is running (process {holder}); "
                        "wait for it to finish") from None
                time.sleep(0.05)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        self._fd = fd

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> BuildLock:
        self.acquire()
        return self

    def __exit__(self, *exc) -> None:
        self.release()


def build_running(index_dir: str | os.PathLike) -> bool | None:
    """True when a build holds the lock, False when none does, None when we cannot tell."""
    if fcntl is None:  # pragma: no cover
        return None
    try:
        fd = os.open(lock_path(index_dir), os.O_RDONLY)
    except FileNotFoundError:
        return False
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        fcntl.flock(fd, fcntl.LOCK_UN)
        return False
    except BlockingIOError:
        return True
    finally:
        os.close(fd)


def _restore_newest_old(index_dir: Path, olds: list[Path]) -> list[Path]:
    """Put the newest ``NAME.old-*`` back as ``NAME`` (a build died between its renames)."""
    if index_dir.exists() or not olds:
        return olds
    try:
        os.rename(olds[-1], index_dir)
    except OSError:
        return olds
    return olds[:-1]


def clean_leftovers(index_dir: str | os.PathLike) -> list[Path]:
    """Remove the temporary and old folders of dead builds of ``index_dir`` (call it holding the
    :class:`BuildLock`); returns what was removed. One that cannot be removed is reported with a
    :class:`CleanupWarning`."""
    index_dir = Path(index_dir)
    tmps, olds = leftovers(index_dir)
    olds = _restore_newest_old(index_dir, olds)
    removed = []
    for p in tmps + olds:
        if remove_tree(p):
            removed.append(p)
        else:
            warnings.warn(f"cannot remove {p}, left by an interrupted build; delete it by hand",
                          CleanupWarning, stacklevel=2)
    return removed


def swap_in(tmp: str | os.PathLike, target: str | os.PathLike) -> None:
    """Replace ``target`` with the folder ``tmp`` (two renames), then delete the old folder, even
    when it was write-protected; a failure to delete it is a :class:`CleanupWarning`."""
    tmp, target = Path(tmp), Path(target)
    old = None
    try:
        if target.exists():
            old = target.with_name(f"{target.name}.old-{os.getpid()}")
            os.rename(target, old)
        os.rename(tmp, target)
    except OSError as exc:
        if old is not None and not target.exists():
            os.rename(old, target)  # put the previous index back
        raise storage_error(exc, "put the new index in place at", target) from None
    if old is not None and not remove_tree(old):
        warnings.warn(f"cannot remove the previous index {old}; delete it by hand (the next build "
                      "tries again)", CleanupWarning, stacklevel=2)


def recover(index_dir: str | os.PathLike) -> None:
    """For readers: when ``index_dir`` is missing because a build died between its two renames,
    put the previous index back; when a live build is between them, wait for it instead."""
    index_dir = Path(index_dir)
    deadline = time.monotonic() + SWAP_WAIT_S
    while not index_dir.exists():
        _, olds = leftovers(index_dir)
        if not olds:
            return
        if build_running(index_dir) and time.monotonic() < deadline:
            time.sleep(0.02)
            continue
        _restore_newest_old(index_dir, olds)
        return


@contextmanager
def building(index_dir: str | os.PathLike) -> Iterator[Path]:
    """``with building(index) as tmp:`` write the new index into ``tmp``; on success it is swapped
    in, on any failure ``tmp`` is removed. Holds the :class:`BuildLock` throughout and first removes
    what killed builds left. Errors of the operating system become StorageError."""
    index_dir = Path(index_dir)
    try:
        index_dir.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise storage_error(exc, "create the folder", index_dir.parent) from None
    with BuildLock(index_dir):
        clean_leftovers(index_dir)
        tmp = make_temp_dir(index_dir.parent, f".{index_dir.name}.tmp-")
        try:
            yield tmp
            apply_umask(tmp)
        except OSError as exc:
            remove_tree(tmp)
            raise storage_error(exc, "write the new index in", tmp) from None
        except BaseException:
            remove_tree(tmp)
            raise
        try:
            swap_in(tmp, index_dir)
        finally:
            remove_tree(tmp)  # gone already after a successful swap
