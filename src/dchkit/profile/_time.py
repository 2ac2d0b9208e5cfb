"""Relative windows (``"90d"``) and UTC instants shared by timelines, traits and rules."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from dchkit.errors import ProfileError

__all__ = ["UNITS", "as_utc", "parse_within", "resolve_now", "to_micros"]

#: Duration units: seconds, minutes, hours, days, weeks, 30-day months and 365-day years.
UNITS: dict[str, timedelta] = {
    "s": timedelta(seconds=1),
    "min": timedelta(minutes=1),
    "h": timedelta(hours=1),
    "d": timedelta(days=1),
    "w": timedelta(weeks=1),
    "mo": timedelta(days=30),
    "y": timedelta(days=365),
}
_WITHIN = re.compile(r"^\s*(\d{1,9})\s*(s|min|h|d|w|mo|y)\s*$")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def parse_within(text: str | timedelta) -> timedelta:
    """Parse a relative window such as ``"90d"`` or ``"12h"`` into a timedelta.

    Raises:
        ProfileError: the text is not a count followed by one of :data:`UNITS`.
    """
    if isinstance(text, timedelta):
        return text
    match = _WITHIN.match(str(text))
    if match is None:
        msg = f"cannot read {text!r} as a time window"
        raise ProfileError(msg, fix=f"write a count and a unit, e.g. '90d'; units: {list(UNITS)}")
    return int(match[1]) * UNITS[match[2]]


def as_utc(value: datetime) -> datetime:
    """Return ``value`` in UTC; a naive datetime is taken to be UTC already."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def resolve_now(now: datetime | None) -> datetime:
    """The reference instant of relative windows: ``now`` if given, else the current time."""
    return datetime.now(UTC) if now is None else as_utc(now)


def to_micros(value: datetime) -> int:
    """Microseconds since the Unix epoch (the unit of canonical timestamps)."""
    return (as_utc(value) - _EPOCH) // timedelta(microseconds=1)
