"""The one exception hierarchy of dchkit.

Every error dchkit raises derives from :class:`DchkitError`. Families group errors by
layer (config, connector, resolve, profile, store); leaves also derive from the built-in
exception a user would already catch (``ValueError``, ``LookupError``, ``OSError`` …).

Each class has a stable :attr:`DchkitError.code`; the message ends with a link to the
section of ``docs/errors.md`` that explains the code and how to fix it. Messages say
*what* went wrong, *which value* caused it, and *what to do*.

Examples:
    >>> from dchkit.errors import ConfigError, DchkitError
    >>> try:
    ...     raise ConfigError("threshold must be in (0, 1), got 1.5", fix="use e.g. 0.9")
    ... except DchkitError as err:
    ...     print(err.code)
    config-invalid
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

__all__ = [
    "BlockingError",
    "ClusteringError",
    "ComparatorError",
    "ConfigError",
    "ConnectorDependencyError",
    "ConnectorError",
    "ConnectorNotFoundError",
    "DchkitError",
    "ErrorCode",
    "MappingError",
    "NormalizationError",
    "OptionalDependencyError",
    "PluginError",
    "ProfileError",
    "ProfileNotFoundError",
    "RecordNormalizationError",
    "ResolveError",
    "SegmentError",
    "SegmentSyntaxError",
    "SourceReadError",
    "StoreError",
    "StoreIntegrityError",
    "StoreMigrationError",
    "error_classes",
]

ErrorCode = Literal[
    "dchkit-error",
    "config-invalid",
    "plugin-invalid",
    "optional-dependency-missing",
    "connector-error",
    "connector-not-found",
    "connector-dependency-missing",
    "source-read-failed",
    "mapping-invalid",
    "record-normalization-failed",
    "normalization-failed",
    "resolve-error",
    "blocking-too-many-pairs",
    "comparator-invalid",
    "clustering-failed",
    "profile-error",
    "profile-not-found",
    "segment-invalid",
    "segment-syntax",
    "store-error",
    "store-integrity",
    "store-migration",
]

DOCS_URL = "https://dchkit.readthedocs.io/en/latest/errors/"
_RESERVED = frozenset({"args", "code", "context", "fix", "message", "add_note", "with_traceback"})


class DchkitError(Exception):
    """Root of every error dchkit raises.

    Args:
        message: What went wrong, naming the offending value.
        fix: What the user should do about it; appended to the message.
        **context: Structured details (field, row, value …) kept as attributes.
    """

    code: ClassVar[ErrorCode] = "dchkit-error"

    def __init__(self, message: str, *, fix: str | None = None, **context: Any) -> None:
        self.message = message
        self.fix = fix
        self.context: dict[str, Any] = context
        for key, value in context.items():
            if key in _RESERVED:
                msg = f"{key!r} cannot be used as an error context key"
                raise TypeError(msg)
            setattr(self, key, value)
        super().__init__(message)

    def __str__(self) -> str:
        sentences = [self.message.strip()]
        if self.fix:
            sentences.append(self.fix[0].upper() + self.fix[1:])
        text = " ".join(s if s.endswith((".", "!", "?")) else s + "." for s in sentences)
        return f"{text} [{self.code}: {DOCS_URL}#{self.code}]"

    def __reduce__(self) -> tuple[Any, ...]:
        # Keep errors picklable across processes (multiprocessing, pytest-xdist).
        return (_rebuild_error, (type(self), self.message, self.fix, self.context))


def _rebuild_error(
    cls: type[DchkitError], message: str, fix: str | None, context: dict[str, Any]
) -> DchkitError:
    return cls(message, fix=fix, **context)


# ------------------------------------------------------------------------- config
class ConfigError(DchkitError, ValueError):
    """A configuration object or file is invalid (wraps pydantic's ValidationError)."""

    code: ClassVar[ErrorCode] = "config-invalid"


class PluginError(DchkitError):
    """A plug-in (connector, comparator) failed validation when it was registered."""

    code: ClassVar[ErrorCode] = "plugin-invalid"


class OptionalDependencyError(DchkitError, ImportError):
    """A feature needs a package of an optional extra that is not installed.

    The fix names the extra, e.g. ``pip install 'dchkit[notebook]'`` for charts.
    """

    code: ClassVar[ErrorCode] = "optional-dependency-missing"


# ---------------------------------------------------------------------- connector
class ConnectorError(DchkitError):
    """Family of errors raised while reading and mapping a source."""

    code: ClassVar[ErrorCode] = "connector-error"


class ConnectorNotFoundError(ConnectorError, LookupError):
    """No connector or preset is registered under the requested name."""

    code: ClassVar[ErrorCode] = "connector-not-found"


class ConnectorDependencyError(ConnectorError, OptionalDependencyError):
    """An optional dependency a connector needs is not installed."""

    code: ClassVar[ErrorCode] = "connector-dependency-missing"


class SourceReadError(ConnectorError, OSError):
    """A source cannot be opened or parsed at all (not one bad row: the whole source)."""

    code: ClassVar[ErrorCode] = "source-read-failed"


class MappingError(ConnectorError, ValueError):
    """A mapping refers to columns the source lacks, or its transforms are inconsistent."""

    code: ClassVar[ErrorCode] = "mapping-invalid"


class RecordNormalizationError(ConnectorError, ValueError):
    """One source row could not be mapped; raised only with ``on_error="raise"``."""

    code: ClassVar[ErrorCode] = "record-normalization-failed"


class NormalizationError(DchkitError, ValueError):
    """A normalizer was called with a value of the wrong kind (not a bad value: those are flagged)."""

    code: ClassVar[ErrorCode] = "normalization-failed"


# ------------------------------------------------------------------------ resolve
class ResolveError(DchkitError):
    """Family of errors raised while resolving identities."""

    code: ClassVar[ErrorCode] = "resolve-error"


class BlockingError(ResolveError):
    """A blocking configuration would generate too many candidate pairs, or none."""

    code: ClassVar[ErrorCode] = "blocking-too-many-pairs"


class ComparatorError(ResolveError):
    """A comparator is misconfigured or returned an invalid level array."""

    code: ClassVar[ErrorCode] = "comparator-invalid"


class ClusteringError(ResolveError):
    """The record graph cannot be clustered under the configured guards."""

    code: ClassVar[ErrorCode] = "clustering-failed"


# ------------------------------------------------------------------------ profile
class ProfileError(DchkitError):
    """Family of errors raised by profiles, timelines, traits and segments."""

    code: ClassVar[ErrorCode] = "profile-error"


class ProfileNotFoundError(ProfileError, KeyError):
    """No customer matches the given id or identifier."""

    code: ClassVar[ErrorCode] = "profile-not-found"

    def __str__(self) -> str:  # KeyError would quote the message otherwise
        return DchkitError.__str__(self)


class SegmentError(ProfileError, ValueError):
    """A segment definition refers to an unknown field or mixes incompatible types."""

    code: ClassVar[ErrorCode] = "segment-invalid"


class SegmentSyntaxError(SegmentError):
    """A segment rule cannot be parsed; ``.column`` points at the mistake."""

    code: ClassVar[ErrorCode] = "segment-syntax"


# -------------------------------------------------------------------------- store
class StoreError(DchkitError):
    """Family of errors raised by a persistent store."""

    code: ClassVar[ErrorCode] = "store-error"


class StoreIntegrityError(StoreError):
    """A store failed an integrity check (corrupt file, dangling references)."""

    code: ClassVar[ErrorCode] = "store-integrity"


class StoreMigrationError(StoreError):
    """A store was written by a newer dchkit, or a schema migration failed."""

    code: ClassVar[ErrorCode] = "store-migration"


def error_classes() -> list[type[DchkitError]]:
    """Return every error class of the hierarchy, root first (used by docs and tests)."""
    found: list[type[DchkitError]] = []
    pending: list[type[DchkitError]] = [DchkitError]
    while pending:
        cls = pending.pop(0)
        if cls not in found:
            found.append(cls)
            pending.extend(sorted(cls.__subclasses__(), key=lambda c: c.__name__))
    return found
