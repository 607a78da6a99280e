"""Checks of user-supplied arguments shared by every layer (one place for each rule)."""

from __future__ import annotations

from numbers import Integral

from .errors import QueryError

__all__ = ["check_k", "check_optional_k", "check_text", "MAX_ARTICLE_BYTES", "MAX_QUERY_CHARS"]

#: largest article file accepted by ingest and build (bytes): 2 MB is ~40 times the longest report
#: seen; a bigger file is a site dump or a mistake, and would hold a build for minutes
MAX_ARTICLE_BYTES = 2 * 1024 * 1024
#: longest query or question (characters): a long paragraph; longer ones are refused, not cut
MAX_QUERY_CHARS = 2000


def check_k(k: object, *, name: str = "k") -> int:
    """``k`` as an int ≥ 1; QueryError otherwise."""
    if isinstance(k, bool) or not isinstance(k, Integral) or k < 1:
        raise QueryError(f"{name} must be a whole number ≥ 1, not {k!r}")
    return int(k)


def check_optional_k(k: object, *, name: str = "k") -> int | None:
    """``None`` (no limit) or a valid ``k``."""
    return None if k is None else check_k(k, name=name)


def check_text(text: object, *, what: str = "query", max_chars: int | None = None,
               words: bool = False) -> str:
    """A non-empty string; QueryError naming ``what`` otherwise (the caller normalises it).

    Also refused: lone surrogates (bytes that were not UTF-8, as Python decodes a command line),
    more than ``max_chars`` characters, and with ``words=True`` a text without a single letter or
    digit (only punctuation, symbols, emoji or control characters: nothing to search for).
    """
    if not isinstance(text, str):
        raise QueryError(f"the {what} must be text, not {type(text).__name__}")
    bad = next((ch for ch in text if "\ud800" <= ch <= "\udfff"), None)
    if bad is not None:
        raise QueryError(f"the {what} holds bytes that are not UTF-8 text (U+{ord(bad):04X}); "
                         "type it again or re-save it as UTF-8")
    if not text.strip():
        raise QueryError(f"the {what} is empty")
    if max_chars is not None and len(text) > max_chars:
        raise QueryError(f"the {what} is {len(text)} characters long, over the limit of {max_chars}; "
                         "ask about one thing at a time")
    if words and not any(ch.isalnum() for ch in text):
        raise QueryError(f"the {what} has no letters or digits: nothing to search for")
    return text
