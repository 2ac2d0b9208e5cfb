"""One customer from its own rows: its profile and its live traits, without a store.

A :class:`~dchkit.profile.ProfileStore` indexes every customer once, which pays off for
bulk work (segments, exports) but not for answering one request about one customer. A
persistent hub reads that customer's rows by point reads instead
(:func:`dchkit.store.customer.read_customer`), and this module turns them into the same
answers the store gives:

- :func:`profile_of` — the :class:`~dchkit.profile.Profile` (golden record, records,
  lineage, consent, traits);
- :class:`CustomerFrame` — an :class:`~dchkit.profile.traits.EventFrame` over one
  customer's events whose aggregates run in plain Python: a handful of events costs
  microseconds, where each Arrow kernel call costs a fixed few (a profile's live traits
  took ~1 ms through the bulk path, ~0.1 ms here);
- :func:`traits_of` — traits (aggregates, formulas, RFM) of one customer, as
  :func:`~dchkit.profile.compute_traits` would give its row. The timeline of rows is
  :func:`dchkit.profile.timeline.timeline_of`.

Examples:
    >>> from datetime import datetime, UTC
    >>> from dchkit.profile.single import traits_of
    >>> from dchkit.profile.traits import LIVE_TRAITS
    >>> events = [
    ...     {"event_id": "o1", "source": "ec", "type": "Order Completed", "value": 30.0,
    ...      "timestamp": datetime(2024, 1, 5, tzinfo=UTC), "channel": "web"},
    ...     {"event_id": "r1", "source": "ec", "type": "Order Refunded", "value": 10.0,
    ...      "timestamp": datetime(2024, 2, 1, tzinfo=UTC), "channel": "store"},
    ... ]
    >>> traits = traits_of(events, {"customer_id": "cus_1", "record_count": 1}, LIVE_TRAITS)
    >>> traits["lifetime_value"], traits["order_count"], traits["preferred_channel"]
    (20.0, 1, 'store')
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from types import MappingProxyType
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from dchkit.profile._time import parse_within, resolve_now, to_micros
from dchkit.profile.profile import Profile, _consent
from dchkit.profile.traits import EventFrame, Trait, TraitLike, compute_frame_traits
from dchkit.schema import (
    EVENTS_SCHEMA,
    GOLDEN_SCHEMA,
    CustomerRecord,
    GoldenRecord,
    LineageEntry,
)

__all__ = ["CustomerFrame", "profile_of", "traits_of"]

_TIMESTAMP = pa.timestamp("us", tz="UTC")
#: Arrow type of each event column, and of its aggregates that keep the column's type.
_KINDS = {f.name: f.type for f in EVENTS_SCHEMA} | {"timestamp": _TIMESTAMP}
_COUNTS = frozenset({"count", "count_distinct"})


def profile_of(
    golden: Mapping[str, Any],
    records: Iterable[Mapping[str, Any]],
    lineage: Iterable[Mapping[str, Any]],
    traits: Mapping[str, Any] | None = None,
) -> Profile:
    """The profile of one customer from its golden row, record rows and lineage rows.

    Args:
        golden: The golden row (``GOLDEN_SCHEMA`` values; maps as dicts or pairs).
        records: Its source records, in the order the profile lists them.
        lineage: Its lineage rows.
        traits: Computed traits by name, if any.
    """
    parsed = tuple(CustomerRecord.model_validate(r) for r in records)
    return Profile(
        golden=GoldenRecord.model_validate(golden),
        records=parsed,
        lineage=tuple(LineageEntry.model_validate(r) for r in lineage),
        consent=MappingProxyType(_consent(parsed)),
        traits=MappingProxyType(dict(traits or {})),
    )


def traits_of(
    events: Sequence[Mapping[str, Any]],
    golden: Mapping[str, Any],
    traits: Iterable[TraitLike],
    *,
    now: datetime | None = None,
) -> dict[str, Any]:
    """Traits of one customer as Python values: its row of :func:`~dchkit.profile.compute_traits`.

    Args:
        events: The customer's events as dicts (``EVENTS_SCHEMA`` values), any order.
        golden: Its golden row (formulas may read golden fields).
        traits: Trait declarations, computed in order.
        now: The reference instant of windows (default: the current time).
    """
    frame = CustomerFrame(events, golden, now=now)
    return {name: array[0].as_py() for name, array in compute_frame_traits(frame, traits).items()}


class CustomerFrame(EventFrame):
    """An :class:`~dchkit.profile.traits.EventFrame` over the events of one customer.

    :meth:`aggregate` computes in Python over the events (sorted by ``(timestamp,
    event_id)`` once) with the semantics of :func:`~dchkit.profile.traits.aggregate_events`:
    filters and window, events after ``now`` ignored, ``count``/``sum`` 0 and the others
    null when no event matches, ``first``/``last`` in time order, ``most_frequent`` ties
    to the smallest value. The other members (columns, codes, masks) give the bulk path
    what it needs over the same events, so both paths can be compared.

    Args:
        events: The customer's events as dicts of ``EVENTS_SCHEMA`` values.
        golden: Its golden row, for rules that read golden fields.
        now: The reference instant of windows (default: the current time).
    """

    def __init__(
        self,
        events: Sequence[Mapping[str, Any]],
        golden: Mapping[str, Any],
        *,
        now: datetime | None = None,
    ) -> None:
        # Nothing of the bulk frame's state applies: there is no store and no index.
        keyed = sorted((to_micros(e["timestamp"]), e["event_id"], i) for i, e in enumerate(events))
        self._events = [events[i] for _, _, i in keyed]
        self._micros = [m for m, _, _ in keyed]
        self._golden_row = golden
        self._golden: pa.Table | None = None
        self._columns: dict[str, pa.Array] = {}
        self._codes: dict[str, tuple[pa.Array, npt.NDArray[np.int64]]] = {}
        self.now = resolve_now(now)
        self.customers = 1
        self.rows = np.zeros(len(keyed), dtype=np.int64)
        self.micros = np.array(self._micros, dtype=np.int64)
        self.computed: dict[str, pa.Array] = {}
        self._masks: dict[tuple[object, ...], npt.NDArray[np.bool_]] = {}
        self._kept_lists: dict[tuple[object, ...], list[bool]] = {}

    @property
    def golden(self) -> pa.Table:
        """The golden row as a one-row table (built when a rule first reads a field)."""
        if self._golden is None:
            self._golden = pa.Table.from_pylist([dict(self._golden_row)], schema=GOLDEN_SCHEMA)
        return self._golden

    @property
    def stored_traits(self) -> pa.Table | None:
        """None: one customer's frame has no traits computed before."""
        return None

    @property
    def events(self) -> pa.Table:
        """The customer's events in time order."""
        return pa.Table.from_pylist(self._events, schema=EVENTS_SCHEMA)

    def column(self, name: str) -> pa.Array:
        """One event column in time order."""
        if name not in self._columns:
            values = [e.get(name) for e in self._events]
            self._columns[name] = pa.array(values, EVENTS_SCHEMA.field(name).type)
        return self._columns[name]

    def codes(self, column: str) -> tuple[pa.Array, npt.NDArray[np.int64]]:
        """Sorted distinct values of a text column and each event's code (-1: null)."""
        if column not in self._codes:
            values = [e.get(column) for e in self._events]
            distinct = sorted({v for v in values if v is not None})
            code = {v: i for i, v in enumerate(distinct)}
            codes = np.array([code.get(v, -1) for v in values], dtype=np.int64)
            self._codes[column] = (pa.array(distinct, pa.string()), codes)
        return self._codes[column]

    def mask(self, trait: Trait) -> npt.NDArray[np.bool_]:
        """Events passing a trait's filters and window (always: not after ``now``)."""
        key = (trait.types, trait.sources, trait.channels, trait.within)
        if key not in self._masks:
            self._masks[key] = np.array(self._kept(trait), dtype=bool)
        return self._masks[key]

    def _kept(self, trait: Trait) -> list[bool]:
        """:meth:`mask` as a list (the Python aggregates need no numpy array), cached."""
        key = (trait.types, trait.sources, trait.channels, trait.within)
        found = self._kept_lists.get(key)
        if found is None:
            found = self._kept_lists[key] = self._passing(trait)
        return found

    def _passing(self, trait: Trait) -> list[bool]:
        if not self._events:
            return []
        high = to_micros(self.now)
        low = None if trait.within is None else to_micros(self.now - parse_within(trait.within))
        filters = [
            (name, frozenset(wanted))
            for name, wanted in (
                ("type", trait.types),
                ("source", trait.sources),
                ("channel", trait.channels),
            )
            if wanted
        ]
        return [
            micros <= high
            and (low is None or micros >= low)
            and all(event.get(name) in wanted for name, wanted in filters)
            for micros, event in zip(self._micros, self._events, strict=True)
        ]

    def aggregate(self, trait: Trait) -> pa.Array:
        """The trait's one value, as a one-item array of the bulk path's type."""
        kept = self._kept(trait)
        column = trait.column
        aggregate = trait.aggregate
        if column is None:
            return pa.array([sum(kept)], pa.int64())
        if column == "timestamp":
            values: list[Any] = [m for m, k in zip(self._micros, kept, strict=True) if k]
        else:
            raw = [e.get(column) for e, k in zip(self._events, kept, strict=True) if k]
            values = [
                float(v) if column == "value" else v for v in raw if v is not None
            ]  # JSON may give a whole number as an int
        if aggregate in _COUNTS:
            found = len(values) if aggregate == "count" else len(set(values))
            return pa.array([found], pa.int64())
        if aggregate in ("sum", "mean"):
            total = 0.0
            for value in values:  # in time order, as the bulk path adds them
                total += float(value)
            if aggregate == "sum":
                return pa.array([total], pa.float64())
            return pa.array([total / len(values) if values else None], pa.float64())
        result = _pick(aggregate, values) if values else None
        return pa.array([result], _KINDS[column])


def _pick(aggregate: str, values: list[Any]) -> Any:
    """min, max, first, last or most_frequent (ties: the smallest) of non-empty values."""
    if aggregate == "min":
        return min(values)
    if aggregate == "max":
        return max(values)
    if aggregate == "first":
        return values[0]
    if aggregate == "last":
        return values[-1]
    counts = Counter(values)
    best = max(counts.values())
    return min(v for v, n in counts.items() if n == best)
