"""Exceptions raised by the library. The CLI turns each into one line on stderr.

Exit codes: 2 when what the user gave cannot be used — an argument, a query, an article, a corpus,
or an index folder (missing, corrupt, stale under ``strict``, built with another embedder): fixing
the input or rebuilding the index is the remedy (an embedder that cannot be loaded counts too). 1 for
the rest: a file the system will not let us write, another build running, a bug.
"""

from __future__ import annotations


class SearchError(Exception):
    """Base class of every error this package raises on purpose."""

    #: exit code the CLI uses for this kind of error (2 = bad input or a bad index, 1 = the rest)
    exit_code = 1


class InputError(SearchError):
    """Bad input from the user: a file, a CSV row, an argument."""

    exit_code = 2

    def __init__(self, message: str, *, path: str | None = None, line: int | None = None):
        self.path = path
        self.line = line
        where = ""
        if path is not None:
            where = f"{path}:{line}: " if line is not None else f"{path}: "
        super().__init__(where + message)


class CorpusError(InputError):
    """An article or the metadata file cannot be used (encoding, empty, duplicate id …)."""


class QueryError(InputError, ValueError):
    """A query, a filter or a parameter of a search is not usable (also a ValueError: a bad value)."""


class SearchIndexError(SearchError):
    """An index folder is missing, unreadable, corrupt or built for something else (bad input:
    exit 2; the remedy is another path or `search build --force`)."""

    exit_code = 2


class IndexNotFoundError(SearchIndexError):
    pass


class IndexCorruptError(SearchIndexError):
    pass


class EmbedderMismatchError(SearchIndexError):
    exit_code = 2


class StaleIndexError(SearchIndexError):
    """The index was built from another corpus or pipeline than the one on disk, or (for an
    opened ``Index``) it was rebuilt since it was opened: open it again."""


class IndexLockedError(SearchIndexError):
    """Another build of the same index is running."""

    exit_code = 1


class StorageError(SearchError):
    """A file or folder cannot be written or read for a reason outside the input: permission
    denied, disk full, read-only file system."""

    exit_code = 1


class SearchWarning(UserWarning):
    """Base class of the warnings this package issues; the CLI prints each as one line."""


class StaleIndexWarning(SearchWarning):
    """The index is older than its corpus or the pipeline (``idx.stale`` is True)."""


class CorpusWarning(SearchWarning):
    """Articles a build indexes but you should look at: duplicates, damaged (mojibake) text."""


class CleanupWarning(SearchWarning):
    """A folder left by an earlier build could not be removed."""


class CacheWarning(SearchWarning):
    """The embedding cache was unreadable or held unusable vectors; they are embedded again."""


class EmbedderError(SearchError):
    """An embedding backend cannot be loaded or used."""

    exit_code = 2
