"""Warnings dchkit emits, all rooted at :class:`DchkitWarning`."""

from __future__ import annotations

__all__ = [
    "DchkitDeprecationWarning",
    "DchkitWarning",
    "ExperimentalWarning",
    "PerformanceWarning",
]


class DchkitWarning(UserWarning):
    """Root of dchkit's warnings."""


class DchkitDeprecationWarning(DchkitWarning, DeprecationWarning):
    """A dchkit API is deprecated; the message names its replacement."""


class ExperimentalWarning(DchkitWarning):
    """An API is experimental and may change without a deprecation period."""


class PerformanceWarning(DchkitWarning):
    """The requested work will be slow or memory-hungry; the message says how to avoid it."""
