"""Argument checks shared by the normalizers: wrong *kinds* of argument raise, bad values don't."""

from __future__ import annotations

import difflib
from collections.abc import Collection
from typing import Any

from dchkit.errors import ConfigError, NormalizationError

__all__ = ["require_choice", "require_text"]


def require_text(value: Any, function: str) -> str | None:
    """Return ``value`` if it is a ``str`` or ``None``.

    Raises:
        NormalizationError: ``value`` is of another type (an int phone number, bytes …).
    """
    if value is None or isinstance(value, str):
        return value
    shown = repr(value)
    if len(shown) > 60:
        shown = shown[:57] + "..."
    msg = f"{function}() takes a str or None, got {type(value).__name__} {shown}"
    fix = "convert it to text first (e.g. str(value)); use the *_column function for columns"
    raise NormalizationError(msg, fix=fix, value=value)


def require_choice(value: Any, choices: Collection[str], option: str) -> str:
    """Return ``value`` upper-cased if it names one of ``choices`` (case-insensitive).

    Raises:
        ConfigError: ``value`` is not a string or not one of ``choices``; the message
            suggests the closest valid choices.
    """
    if isinstance(value, str) and value.upper() in choices:
        return value.upper()
    close = difflib.get_close_matches(str(value).upper(), sorted(choices), n=3)
    hint = (
        f"did you mean {', '.join(map(repr, close))}?"
        if close
        else "use an ISO 3166-1 alpha-2 code"
    )
    msg = f"unknown {option} {value!r}"
    raise ConfigError(msg, fix=hint, option=option, value=value)
