"""Computed traits: per-customer aggregates over events, declared once, computed for all.

A :class:`Trait` names an aggregate (count, sum, min, max, mean, first, last,
most_frequent, count_distinct) of an event column, with filters on type, source and
channel and an optional relative window (``within="90d"``). :func:`compute_traits`
computes every trait for every customer at once with numpy/Arrow kernels over the events
grouped by customer — no Python loop per customer — and returns one table: ``customer_id``
plus one column per trait, in the store's customer order.

A :class:`Formula` is a trait written in the segment rule language over other traits,
golden fields and event aggregates (``lifetime_value`` is one); :class:`RfmScores` adds
recency / frequency / monetary quintile scores. :data:`BUILTIN_TRAITS` holds lifetime
value, order count, last seen, open tickets, preferred channel and RFM scores.

Windows are relative to ``now`` (injectable for deterministic results); events after
``now`` are ignored, so traits are always *as of* ``now``.

Examples:
    >>> from datetime import datetime, UTC
    >>> import pyarrow as pa
    >>> import dchkit as dch
    >>> from dchkit.profile import ProfileStore, Trait, compute_traits
    >>> res = dch.resolve([{"record_id": "ec:1", "email": "a@example.com"},
    ...                    {"record_id": "ec:2", "email": "b@example.com"}])
    >>> events = pa.table({
    ...     "event_id": ["o1", "o2", "o3"], "source": ["ec"] * 3,
    ...     "type": ["Order Completed"] * 3,
    ...     "timestamp": [datetime(2024, 1, 5, tzinfo=UTC), datetime(2024, 3, 1, tzinfo=UTC),
    ...                   datetime(2024, 3, 2, tzinfo=UTC)],
    ...     "record_id": ["ec:1", "ec:1", "ec:2"], "value": [10.0, 20.0, 5.0],
    ... })
    >>> store = ProfileStore.from_resolution(res, events)
    >>> spend = Trait("spend_30d", "sum", "value", types="Order Completed", within="30d")
    >>> table = compute_traits(store, [spend], now=datetime(2024, 3, 10, tzinfo=UTC))
    >>> dict(zip(table["customer_id"].to_pylist(), table["spend_30d"].to_pylist())) == {
    ...     res.customer_of("ec:1"): 20.0, res.customer_of("ec:2"): 5.0}
    True
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Literal, Protocol

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from dchkit.errors import ConfigError
from dchkit.profile._arrow import IntArray, scatter, to_array
from dchkit.profile._time import parse_within, resolve_now, to_micros

if TYPE_CHECKING:
    from dchkit.profile.rules.ast import Expr
    from dchkit.profile.store import ProfileStore

__all__ = [
    "AGGREGATES",
    "BUILTIN_TRAITS",
    "LIVE_TRAITS",
    "Aggregate",
    "EventFrame",
    "Formula",
    "RfmScores",
    "Trait",
    "TraitLike",
    "aggregate_events",
    "compute_frame_traits",
    "compute_traits",
]

Aggregate = Literal[
    "count", "sum", "min", "max", "mean", "first", "last", "most_frequent", "count_distinct"
]
AGGREGATES: tuple[Aggregate, ...] = (
    "count",
    "sum",
    "min",
    "max",
    "mean",
    "first",
    "last",
    "most_frequent",
    "count_distinct",
)
_NUMERIC_COLUMNS = frozenset({"value", "timestamp"})
_STRING_COLUMNS = frozenset({"type", "source", "channel", "currency", "event_id", "record_id"})
_NUMERIC_ONLY = frozenset({"sum", "min", "max", "mean"})
_TIMESTAMP = pa.timestamp("us", tz="UTC")
FloatArray = npt.NDArray[np.float64]
#: Largest customer × code table counted densely by ``most_frequent`` / ``count_distinct``.
_DENSE_CELLS = 16_000_000


def _names(value: str | Sequence[str]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


class TraitLike(Protocol):
    """Anything :func:`compute_traits` can compute: names columns and computes them."""

    @property
    def names(self) -> tuple[str, ...]:
        """The columns it produces."""
        ...

    def compute(self, frame: EventFrame) -> dict[str, pa.Array]:
        """One array per name, aligned with the store's customers."""
        ...


@dataclass(frozen=True)
class Trait:
    """An aggregate of an event column per customer.

    Args:
        name: Column name of the result.
        aggregate: One of :data:`AGGREGATES`.
        column: The event column (``value``, ``timestamp``, ``type``, ``source``,
            ``channel``, ``currency``, ``event_id``, ``record_id``); None counts events.
        types: Keep only these event types.
        sources: Keep only these sources.
        channels: Keep only these channels.
        within: Keep only events in this window before ``now`` (``"90d"``).

    Raises:
        ConfigError: an unknown aggregate or column, or a numeric aggregate of text.
    """

    name: str
    aggregate: Aggregate
    column: str | None = None
    types: str | Sequence[str] = ()
    sources: str | Sequence[str] = ()
    channels: str | Sequence[str] = ()
    within: str | None = None
    _filters: tuple[tuple[str, ...], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "types", _names(self.types))
        object.__setattr__(self, "sources", _names(self.sources))
        object.__setattr__(self, "channels", _names(self.channels))
        object.__setattr__(self, "_filters", (self.types, self.sources, self.channels))
        if self.aggregate not in AGGREGATES:
            msg = f"trait {self.name!r}: unknown aggregate {self.aggregate!r}"
            raise ConfigError(msg, fix=f"use one of {list(AGGREGATES)}")
        known = _NUMERIC_COLUMNS | _STRING_COLUMNS
        if self.column is None and self.aggregate != "count":
            msg = f"trait {self.name!r}: aggregate {self.aggregate!r} needs a column"
            raise ConfigError(msg, fix="pass column='value' (or timestamp, channel …)")
        if self.column is not None and self.column not in known:
            msg = f"trait {self.name!r}: unknown event column {self.column!r}"
            raise ConfigError(msg, fix=f"use one of {sorted(known)}")
        if self.aggregate in _NUMERIC_ONLY and self.column in _STRING_COLUMNS:
            msg = (
                f"trait {self.name!r}: {self.aggregate} needs a numeric column, not {self.column!r}"
            )
            raise ConfigError(msg, fix="use value or timestamp, or count / most_frequent")
        if self.aggregate == "sum" and self.column == "timestamp":
            msg = f"trait {self.name!r}: timestamps cannot be summed"
            raise ConfigError(msg, fix="use min, max, first or last of timestamp")
        if self.within is not None:
            try:
                parse_within(self.within)
            except Exception as err:
                msg = f"trait {self.name!r}: cannot read within={self.within!r}"
                raise ConfigError(msg, fix="write e.g. within='90d'") from err

    @property
    def names(self) -> tuple[str, ...]:
        """The single column this trait produces."""
        return (self.name,)

    def compute(self, frame: EventFrame) -> dict[str, pa.Array]:
        """The trait for every customer."""
        return {self.name: frame.aggregate(self)}


@lru_cache(maxsize=256)
def _parsed(expression: str) -> Expr:
    """The tree of a formula's expression (parsed once: trees are immutable)."""
    from dchkit.profile.rules import parse

    return parse(expression)


@dataclass(frozen=True)
class Formula:
    """A trait computed by an expression of the segment rule language.

    The expression may use golden fields, traits computed before it, event aggregates
    (``sum(events.value, type="Order Completed", within="1y")``) and arithmetic.
    """

    name: str
    expression: str

    def __post_init__(self) -> None:
        _parsed(self.expression)

    @property
    def names(self) -> tuple[str, ...]:
        """The single column this trait produces."""
        return (self.name,)

    def compute(self, frame: EventFrame) -> dict[str, pa.Array]:
        """The expression's value for every customer."""
        from dchkit.profile.rules import evaluate

        return {self.name: evaluate(_parsed(self.expression), frame)}


@dataclass(frozen=True)
class RfmScores:
    """Recency, frequency and monetary quintile scores (1–5, 5 best) of order events.

    Produces ``{prefix}_recency``, ``{prefix}_frequency``, ``{prefix}_monetary`` and
    ``{prefix}_score`` (the three digits, e.g. ``"545"``); null for customers without
    orders. Ties get the same score.
    """

    prefix: str = "rfm"
    order_types: tuple[str, ...] = ("Order Completed",)
    bins: int = 5

    @property
    def names(self) -> tuple[str, ...]:
        """The four columns it produces."""
        p = self.prefix
        return (f"{p}_recency", f"{p}_frequency", f"{p}_monetary", f"{p}_score")

    def compute(self, frame: EventFrame) -> dict[str, pa.Array]:
        """Scores for every customer."""
        last = frame.aggregate(Trait("_last", "max", "timestamp", types=self.order_types))
        count = frame.aggregate(Trait("_count", "count", types=self.order_types))
        money = frame.aggregate(Trait("_sum", "sum", "value", types=self.order_types))
        buyers = np.asarray(count.to_numpy(zero_copy_only=False)) > 0
        recency = pc.cast(last, pa.int64()).to_numpy(zero_copy_only=False)
        scores = [
            self._score(np.nan_to_num(np.asarray(recency, dtype=np.float64)), buyers),
            self._score(np.asarray(count.to_numpy(zero_copy_only=False), dtype=np.float64), buyers),
            self._score(np.asarray(money.to_numpy(zero_copy_only=False), dtype=np.float64), buyers),
        ]
        arrays = [pa.array(s, mask=~buyers) for s in scores]
        code = pc.binary_join_element_wise(*[pc.cast(a, pa.string()) for a in arrays], "")
        return dict(zip(self.names, [*arrays, code], strict=True))

    def _score(self, values: FloatArray, buyers: npt.NDArray[np.bool_]) -> IntArray:
        """Scores of the buyers (0 for the others, who are masked)."""
        scores = np.zeros(len(values), dtype=np.int64)
        chosen = values[buyers]
        if len(chosen) == 0:
            return scores
        order = np.argsort(chosen)
        ranked = chosen[order]
        at_most = np.empty(len(chosen), dtype=np.int64)
        # Searching the sorted values for themselves walks memory in order (3x faster).
        at_most[order] = np.searchsorted(ranked, ranked, side="right")
        score = -((-self.bins * at_most) // len(chosen))  # ceil(bins · share at or below)
        scores[buyers] = np.clip(score, 1, self.bins)
        return scores


BUILTIN_TRAITS: tuple[TraitLike, ...] = (
    Formula(
        "lifetime_value",
        'sum(events.value, type="Order Completed") - sum(events.value, type="Order Refunded")',
    ),
    Trait("order_count", "count", types="Order Completed"),
    Trait("last_seen", "max", "timestamp"),
    Formula(
        "open_tickets",
        'count(events, type="Ticket Opened") - count(events, type="Ticket Solved")',
    ),
    Trait("preferred_channel", "most_frequent", "channel"),
    RfmScores(),
)
"""Lifetime value (orders minus refunds), order count, last seen, open tickets (opened
minus solved), preferred channel (most frequent) and RFM scores."""

#: The built-in traits that depend on one customer's events only (RFM scores rank a
#: customer against everybody, so they come with exports, not with one profile).
LIVE_TRAITS: tuple[TraitLike, ...] = tuple(
    t for t in BUILTIN_TRAITS if not isinstance(t, RfmScores)
)


class EventFrame:
    """The events of a store, grouped by customer, prepared once for many aggregates.

    Caches the dictionary codes of text columns and the masks of filters, so a rule or a
    trait set that filters on the same types twice pays once. ``computed`` holds the
    traits computed so far (formulas and rules can refer to them).
    """

    def __init__(self, store: ProfileStore, now: datetime | None = None) -> None:
        self.store = store
        self.now = resolve_now(now)
        self.index = store.event_index
        self.rows, self.micros = self.index.rows, self.index.micros
        self.customers = len(store)
        self.computed: dict[str, pa.Array] = {}
        self._masks: dict[tuple[object, ...], npt.NDArray[np.bool_]] = {}

    @property
    def golden(self) -> pa.Table:
        """The golden records, one row per customer (rules read golden fields here)."""
        return self.store.golden

    @property
    def stored_traits(self) -> pa.Table | None:
        """Traits the store computed before (rules read them by name), or None."""
        return self.store.traits

    def aggregate(self, trait: Trait) -> pa.Array:
        """One aggregate per customer: :func:`aggregate_events` over this frame."""
        return aggregate_events(self, trait)

    @property
    def events(self) -> pa.Table:
        """Every attributed event, grouped by customer in time order (a full copy)."""
        return self.index.table()

    def column(self, name: str) -> pa.Array:
        """One event column aligned with :attr:`rows` (the store computes it once)."""
        return self.index.column(name)

    def codes(self, column: str) -> tuple[pa.Array, npt.NDArray[np.int64]]:
        """Sorted distinct values of a text column and each event's code (-1: null)."""
        return self.index.codes(column)

    def mask(self, trait: Trait) -> npt.NDArray[np.bool_]:
        """Events passing a trait's filters and window (always: not after ``now``)."""
        key = (trait.types, trait.sources, trait.channels, trait.within)
        if key not in self._masks:
            keep = self.micros <= to_micros(self.now)
            if trait.within is not None:
                keep &= self.micros >= to_micros(self.now - parse_within(trait.within))
            for column, wanted in (
                ("type", trait.types),
                ("source", trait.sources),
                ("channel", trait.channels),
            ):
                if wanted:
                    keep &= self.index.matching(column, wanted)[self.codes(column)[1]]
            self._masks[key] = keep
        return self._masks[key]


def _group_bounds(groups: IntArray) -> tuple[IntArray, IntArray]:
    """Start of each run of equal (sorted) group numbers, and the group of each run."""
    if len(groups) == 0:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    starts = np.flatnonzero(np.concatenate(([True], groups[1:] != groups[:-1])))
    return starts, groups[starts]


def aggregate_events(frame: EventFrame, trait: Trait) -> pa.Array:
    """One aggregate over the events of every customer (nulls where a customer has none).

    ``count`` and ``sum`` give 0 for customers without matching events.
    """
    keep = frame.mask(trait)
    n = frame.customers
    column = trait.column
    if column is None:
        return pa.array(np.bincount(frame.rows[keep], minlength=n).astype(np.int64))
    if column in _NUMERIC_COLUMNS:
        source = frame.column(column)
        valid = pc.is_valid(source).to_numpy(zero_copy_only=False)
        raw = pc.cast(source, pa.int64()) if column == "timestamp" else source
        numbers = np.asarray(pc.fill_null(to_array(raw), 0).to_numpy(zero_copy_only=False))
        keep = keep & valid
        codes = None
    else:
        dictionary, codes = frame.codes(column)
        keep = keep & (codes >= 0)
        numbers = codes
    groups = frame.rows[keep]
    values = numbers[keep]
    aggregate = trait.aggregate
    if aggregate == "count":
        return pa.array(np.bincount(groups, minlength=n).astype(np.int64))
    if aggregate == "sum":
        # Always float64: numpy's bincount gives int64 zeros when there are no weights.
        weights = values.astype(np.float64)
        return pa.array(np.bincount(groups, weights=weights, minlength=n).astype(np.float64))
    starts, owners = _group_bounds(groups)
    if aggregate in ("count_distinct", "most_frequent"):
        distinct = None if codes is None else len(dictionary)
        result = _by_frequency(groups, values, aggregate, n, distinct)
    elif aggregate == "mean":
        total = np.bincount(groups, weights=values.astype(np.float64), minlength=n)
        count = np.bincount(groups, minlength=n)
        return pa.array(total / np.maximum(count, 1), mask=count == 0)
    elif aggregate in ("min", "max"):
        ufunc = np.minimum if aggregate == "min" else np.maximum
        reduced = ufunc.reduceat(values, starts) if len(values) else values
        result = (owners, reduced)
    else:  # first / last: events are in time order within a customer
        ends = np.append(starts[1:], len(values))[: len(starts)] - 1  # none: no ends
        result = (owners, values[starts] if aggregate == "first" else values[ends])
    owners, picked = result
    if aggregate == "count_distinct":
        counts = np.zeros(n, dtype=np.int64)
        counts[owners] = picked
        return pa.array(counts)
    if codes is not None:
        return scatter(owners, dictionary.take(pa.array(picked)), n)
    if column == "timestamp":
        return scatter(owners, pa.array(picked, pa.int64()).cast(_TIMESTAMP), n)
    return scatter(owners, pa.array(picked), n)


def _by_frequency(
    groups: IntArray,
    values: npt.NDArray[np.generic],
    aggregate: str,
    n: int,
    distinct: int | None = None,
) -> tuple[IntArray, npt.NDArray[np.generic]]:
    """Per customer: the number of distinct values, or the most frequent (ties: smallest).

    ``distinct`` is the number of codes when ``values`` are dictionary codes: few codes
    (channels, types) are counted in one customer × code table, without a sort.
    """
    if len(groups) == 0:
        return np.zeros(0, dtype=np.int64), values[:0]
    if distinct is not None and n * distinct <= _DENSE_CELLS:
        table = np.bincount(groups * distinct + values.astype(np.int64), minlength=n * distinct)
        counts = table.reshape(n, distinct)
        owners = np.flatnonzero(counts.any(axis=1))
        if aggregate == "count_distinct":
            return owners, np.count_nonzero(counts[owners], axis=1)
        return owners, counts[owners].argmax(axis=1)  # the first maximum: the smallest code
    order = np.lexsort((values, groups))
    g, v = groups[order], values[order]
    new = np.concatenate(([True], (g[1:] != g[:-1]) | (v[1:] != v[:-1])))
    run_starts = np.flatnonzero(new)
    run_counts = np.diff(np.append(run_starts, len(g)))
    run_groups, run_values = g[run_starts], v[run_starts]
    if aggregate == "count_distinct":
        owners = _group_bounds(run_groups)[1]
        return owners, np.bincount(run_groups, minlength=n)[owners]
    best = np.lexsort((run_values, -run_counts, run_groups))
    bg = run_groups[best]
    first = np.concatenate(([True], bg[1:] != bg[:-1]))
    return bg[first], run_values[best][first]


def compute_traits(
    store: ProfileStore, traits: Iterable[TraitLike], *, now: datetime | None = None
) -> pa.Table:
    """Compute traits for every customer of a store.

    Args:
        store: The profile store.
        traits: Trait declarations, computed in order (a formula may use earlier ones).
        now: The reference instant of windows (default: the current time).

    Returns:
        ``customer_id`` plus one column per trait, in the store's customer order.

    Raises:
        ConfigError: two traits produce the same column.
    """
    columns = compute_frame_traits(EventFrame(store, now), traits)
    return pa.table({"customer_id": store.customer_ids, **columns})


def compute_frame_traits(frame: EventFrame, traits: Iterable[TraitLike]) -> dict[str, pa.Array]:
    """Compute traits over a frame, in order: one array per trait column, by name.

    Raises:
        ConfigError: two traits produce the same column (or one named ``customer_id``).
    """
    columns: dict[str, pa.Array] = {}
    for trait in traits:
        for name, array in trait.compute(frame).items():
            if name in columns or name == "customer_id":
                msg = f"two traits produce the column {name!r}"
                raise ConfigError(msg, fix="give every trait its own name")
            columns[name] = array
            frame.computed[name] = array
    return columns
