"""The timeline: every event of one customer from every source, filtered and paginated.

Events are grouped by customer in time order when the store is built, so a timeline is a
slice of one customer's rows; filters (type, source, channel, an absolute ``since`` /
``until`` or a relative ``within="90d"`` window) then apply to that slice only. Pages are
ordered by ``(timestamp, event_id)``, newest first by default, and continue from an opaque
cursor that names the last event shown — so a page does not shift when events are added.

Examples:
    >>> from datetime import datetime, UTC
    >>> import pyarrow as pa
    >>> import dchkit as dch
    >>> from dchkit.profile import ProfileStore
    >>> res = dch.resolve([{"record_id": "ec:1", "email": "taro@example.jp"}])
    >>> events = pa.table({
    ...     "event_id": ["o1", "o2", "o3"], "source": ["ec"] * 3,
    ...     "type": ["Order Completed", "Page Viewed", "Order Completed"],
    ...     "timestamp": [datetime(2024, m, 1, tzinfo=UTC) for m in (1, 2, 3)],
    ...     "record_id": ["ec:1"] * 3,
    ... })
    >>> store = ProfileStore.from_resolution(res, events)
    >>> page = store.timeline(res.customer_of("ec:1"), types="Order Completed", limit=1)
    >>> page.events.column("event_id").to_pylist(), page.total
    (['o3'], 2)
    >>> store.timeline(res.customer_of("ec:1"), types="Order Completed",
    ...                cursor=page.next_cursor).events.column("event_id").to_pylist()
    ['o1']
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from operator import itemgetter
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pyarrow as pa

from dchkit.errors import ProfileError
from dchkit.profile._time import parse_within, resolve_now, to_micros
from dchkit.schema import EVENTS_SCHEMA

if TYPE_CHECKING:
    from dchkit.profile._arrow import IntArray
    from dchkit.profile._events import EventIndex
    from dchkit.profile.store import ProfileStore

__all__ = ["TimelinePage", "timeline", "timeline_of"]

Order = Literal["desc", "asc"]


@dataclass(frozen=True)
class TimelinePage:
    """One page of a customer's timeline.

    Attributes:
        customer_id: The customer (the survivor when an alias was asked for).
        events: The page's events (``EVENTS_SCHEMA`` columns), in the requested order.
        total: How many events match the filters, over all pages.
        next_cursor: Pass as ``cursor=`` for the next page; None on the last page.
    """

    customer_id: str
    events: pa.Table
    total: int
    next_cursor: str | None

    def __len__(self) -> int:
        return int(self.events.num_rows)

    def __repr__(self) -> str:
        more = ", more pages" if self.next_cursor else ""
        return f"TimelinePage({self.customer_id!r}, events={len(self)}, total={self.total}{more})"

    def _repr_html_(self) -> str:
        from dchkit.notebook.html import timeline_html

        return timeline_html(self)

    def to_pylist(self) -> list[dict[str, Any]]:
        """The page's events as dicts."""
        rows: list[dict[str, Any]] = self.events.to_pylist()
        return rows


def _strings(value: str | Sequence[str] | None) -> list[str] | None:
    if value is None:
        return None
    return [value] if isinstance(value, str) else list(value)


def _encode(micros: int, event_id: str) -> str:
    text = json.dumps([micros, event_id], separators=(",", ":"))
    return base64.urlsafe_b64encode(text.encode("utf-8")).decode("ascii")


def _decode(cursor: str) -> tuple[int, str]:
    try:
        micros, event_id = json.loads(base64.urlsafe_b64decode(cursor.encode("ascii")))
        if isinstance(micros, int) and isinstance(event_id, str):
            return micros, event_id
    except (ValueError, TypeError, UnicodeError):
        pass
    msg = f"{cursor!r} is not a timeline cursor"
    raise ProfileError(msg, fix="pass the next_cursor of the previous page unchanged")


def timeline(
    store: ProfileStore,
    customer_id: str,
    *,
    types: str | Sequence[str] | None = None,
    sources: str | Sequence[str] | None = None,
    channels: str | Sequence[str] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    within: str | timedelta | None = None,
    now: datetime | None = None,
    limit: int = 100,
    cursor: str | None = None,
    order: Order = "desc",
) -> TimelinePage:
    """One page of a customer's events, filtered.

    Args:
        store: The profile store.
        customer_id: The customer (a merged-away id gives the survivor's timeline).
        types: Keep these event types (``"Order Completed"`` …).
        sources: Keep these sources.
        channels: Keep these channels.
        since: Keep events at or after this instant.
        until: Keep events before this instant.
        within: Keep events in this window before ``now`` (``"90d"``, ``"12h"`` …).
        now: The reference instant of ``within`` (default: the current time).
        limit: Page size.
        cursor: Continue after the page that returned it.
        order: ``"desc"`` (newest first) or ``"asc"``.

    Raises:
        ProfileNotFoundError: no such customer.
        ProfileError: an invalid window, limit, order or cursor.
    """
    _check(limit, order)
    row = store.row(customer_id)
    survivor = store.customer_ids[row].as_py()
    index = store.event_index
    start, stop = index.span(row)
    micros = index.micros[start:stop]
    low, high = _bounds(since, until, within, now)
    # Events are in (timestamp, event_id) order: a window is a binary search.
    first = 0 if low is None else int(np.searchsorted(micros, low, side="left"))
    last = len(micros) if high is None else int(np.searchsorted(micros, high, side="left"))
    positions = np.arange(first, max(first, last), dtype=np.int64)
    for column, wanted in (("type", types), ("source", sources), ("channel", channels)):
        values = _strings(wanted)
        if values is not None:
            codes = index.codes(column)[1][start:stop]
            positions = positions[index.matching(column, values)[codes[positions]]]
    total = len(positions)
    descending = order == "desc"
    if cursor is not None:
        positions = _after(index, start, micros, positions, _decode(cursor), descending)
    elif descending:
        positions = positions[::-1]
    shown = positions[:limit]
    page = index.take(start + shown)
    next_cursor = None
    if len(positions) > limit:
        next_cursor = _encode(
            int(micros[shown[-1]]), str(page.column("event_id")[len(shown) - 1].as_py())
        )
    return TimelinePage(survivor, page, total, next_cursor)


def _check(limit: int, order: str) -> None:
    if limit < 1:
        msg = f"limit must be at least 1, got {limit}"
        raise ProfileError(msg, fix="pass limit=100 or another positive page size")
    if order not in ("desc", "asc"):
        msg = f"order must be 'desc' or 'asc', got {order!r}"
        raise ProfileError(msg, fix="pass order='desc' (newest first) or order='asc'")


def _bounds(
    since: datetime | None,
    until: datetime | None,
    within: str | timedelta | None,
    now: datetime | None,
) -> tuple[int | None, int | None]:
    """The window as µs bounds: events at or after ``low`` and before ``high`` (None: open)."""
    low = to_micros(since) if since is not None else None
    high = to_micros(until) if until is not None else None
    if within is not None:
        reference = resolve_now(now)
        begin = to_micros(reference - parse_within(within))
        low = begin if low is None else max(low, begin)
        end = to_micros(reference) + 1
        high = end if high is None else min(high, end)
    return low, high


def timeline_of(
    customer_id: str,
    events: Sequence[Mapping[str, Any]],
    *,
    types: str | Sequence[str] | None = None,
    sources: str | Sequence[str] | None = None,
    channels: str | Sequence[str] | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    within: str | timedelta | None = None,
    now: datetime | None = None,
    limit: int = 100,
    cursor: str | None = None,
    order: Order = "desc",
) -> TimelinePage:
    """One page of the timeline of one customer given its events as rows.

    The page :func:`timeline` gives for the same customer and options, from the rows of
    its events alone (the hub reads them by point reads): no store to build.

    Args:
        customer_id: The customer the events belong to.
        events: Its events as dicts of ``EVENTS_SCHEMA`` values, in any order.
        types: Keep these event types.
        sources: Keep these sources.
        channels: Keep these channels.
        since: Keep events at or after this instant.
        until: Keep events before this instant.
        within: Keep events in this window before ``now``.
        now: The reference instant of ``within`` (default: the current time).
        limit: Page size.
        cursor: Continue after the page that returned it.
        order: ``"desc"`` (newest first) or ``"asc"``.

    Raises:
        ProfileError: an invalid window, limit, order or cursor.
    """
    _check(limit, order)
    low, high = _bounds(since, until, within, now)
    wanted = [
        (name, set(values))
        for name, values in (
            ("type", _strings(types)),
            ("source", _strings(sources)),
            ("channel", _strings(channels)),
        )
        if values is not None
    ]
    keyed = sorted(
        (((to_micros(e["timestamp"]), e["event_id"]), e) for e in events), key=itemgetter(0)
    )
    matching = [
        (key, event)
        for key, event in keyed
        if (low is None or key[0] >= low)
        and (high is None or key[0] < high)
        and all(event.get(name) in values for name, values in wanted)
    ]
    total = len(matching)
    descending = order == "desc"
    if cursor is not None:
        last = _decode(cursor)
        if descending:
            matching = [m for m in matching if m[0] < last][::-1]
        else:
            matching = [m for m in matching if m[0] > last]
    elif descending:
        matching = matching[::-1]
    shown = matching[:limit]
    next_cursor = _encode(*shown[-1][0]) if len(matching) > limit else None
    page = pa.Table.from_pylist([event for _, event in shown], schema=EVENTS_SCHEMA)
    return TimelinePage(customer_id, page, total, next_cursor)


def _after(
    index: EventIndex,
    start: int,
    micros: IntArray,
    positions: IntArray,
    last: tuple[int, str],
    descending: bool,
) -> IntArray:
    """The positions that come after the cursor's event, in the page order."""
    last_micros, last_id = last
    # Events sharing the cursor's timestamp are few: compare their ids in Python.
    low = int(np.searchsorted(micros, last_micros, side="left"))
    high = int(np.searchsorted(micros, last_micros, side="right"))
    ids = index.take(np.arange(start + low, start + high)).column("event_id").to_pylist()
    if descending:
        boundary = low + sum(event_id < last_id for event_id in ids)
        kept: IntArray = positions[positions < boundary][::-1]
    else:
        boundary = low + sum(event_id <= last_id for event_id in ids)
        kept = positions[positions >= boundary]
    return kept
