"""Checks of user-supplied arguments shared by every layer (one place for each rule)."""

from __future__ import annotations

from numbers import Integral

from .errors import QueryError

__all__ = ["check_k", "check_optional_k", "check_text"]


def check_k(k: object, *, name: str = "k") -> int:
    """``k`` as an int ≥ 1; QueryError otherwise."""
    if isinstance(k, bool) or not isinstance(k, Integral) or k < 1:
        raise QueryError(f"{name} must be a whole number ≥ 1, not {k!r}")
    return int(k)


def check_optional_k(k: object, *, name: str = "k") -> int | None:
    """``None`` (no limit) or a valid ``k``."""
    return None if k is None else check_k(k, name=name)


def check_text(text: object, *, what: str = "query") -> str:
    """A non-empty string; QueryError naming ``what`` otherwise (the caller normalises it)."""
    if not isinstance(text, str):
        raise QueryError(f"the {what} must be text, not {type(text).__name__}")
    if not text.strip():
        raise QueryError(f"the {what} is empty")
    return text
