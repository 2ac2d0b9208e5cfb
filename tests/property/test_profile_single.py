"""The one-customer read path gives what the whole-hub profile store gives.

A persistent hub answers a profile, its live traits or a timeline page from one
customer's rows (``dchkit.profile.single``, ``timeline_of``) instead of building a
``ProfileStore``. These properties compare both on random hubs with many equal
timestamps, windows, filters, nulls and whole-number values (JSON may read ``12.0`` back
as ``12``).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from dchkit.profile import Formula, ProfileStore, Trait, compute_traits
from dchkit.profile.single import CustomerFrame, traits_of
from dchkit.profile.timeline import timeline_of
from dchkit.profile.traits import AGGREGATES, LIVE_TRAITS, TraitLike, aggregate_events
from dchkit.schema import EVENTS_SCHEMA, GOLDEN_SCHEMA, LINEAGE_SCHEMA, conform

NOW = datetime(2024, 7, 1, tzinfo=UTC)
CUSTOMERS = ("c0", "c1", "c2")
TYPES = ("Order Completed", "Order Refunded", "Ticket Opened", "Ticket Solved")
CHANNELS = ("web", "email", "store", None)
SOURCES = ("ec", "support")

Row = tuple[str, int, str, str | None, float | None, str]

events = st.lists(
    st.tuples(
        st.sampled_from(CUSTOMERS),
        st.integers(min_value=-2, max_value=8),  # days before NOW; negative: in the future
        st.sampled_from(TYPES),
        st.sampled_from(CHANNELS),
        st.one_of(st.none(), st.integers(min_value=0, max_value=9).map(float)),
        st.sampled_from(SOURCES),
    ),
    max_size=30,
)


def _rows(rows: list[Row]) -> list[dict[str, Any]]:
    """Events as the store hands them back: dicts without null members."""
    found = []
    for i, (customer, days, kind, channel, value, source) in enumerate(rows):
        event: dict[str, Any] = {
            "event_id": f"e{(i * 7919) % 1009:04d}",  # id order differs from insertion order
            "source": source,
            "type": kind,
            "timestamp": NOW - timedelta(days=days),
            "record_id": f"ec:{customer}",
        }
        if channel is not None:
            event["channel"] = channel
        if value is not None:
            event["value"] = int(value) if i % 2 else value  # JSON may give 3 for 3.0
        found.append(event)
    return found


def _store(rows: list[dict[str, Any]]) -> ProfileStore:
    record_ids = [f"ec:{c}" for c in CUSTOMERS]
    golden = pa.table({"customer_id": list(CUSTOMERS), "record_count": [1] * len(CUSTOMERS)})
    return ProfileStore(
        records=pa.table(
            {
                "record_id": record_ids,
                "source": ["ec"] * len(CUSTOMERS),
                "source_record_id": list(CUSTOMERS),
            }
        ),
        clusters=pa.table({"record_id": record_ids, "customer_id": list(CUSTOMERS)}),
        golden=conform(golden, GOLDEN_SCHEMA),
        lineage=LINEAGE_SCHEMA.empty_table(),
        events=pa.Table.from_pylist(rows, schema=EVENTS_SCHEMA),
        salt=b"0" * 16,
    )


def _of(rows: list[dict[str, Any]], customer: str) -> list[dict[str, Any]]:
    return [e for e in rows if e["record_id"] == f"ec:{customer}"]


TRAITS: list[TraitLike] = [
    *LIVE_TRAITS,
    *(Trait(f"{a}_value", a, "value") for a in AGGREGATES if a != "count_distinct"),
    *(Trait(f"{a}_ts", a, "timestamp") for a in ("min", "max", "first", "last", "mean")),
    *(Trait(f"{a}_channel", a, "channel") for a in ("first", "last", "count", "most_frequent")),
    Trait("distinct_types", "count_distinct", "type"),
    Trait("web_orders_3d", "count", types="Order Completed", channels="web", within="3d"),
    Trait("support_sum", "sum", "value", sources="support"),
    Formula("net", 'sum(events.value, type="Order Completed", within="5d") - count(events)'),
    Formula("both", "web_orders_3d + distinct_types"),
]


@settings(max_examples=80, deadline=None)
@given(events)
def test_traits_of_one_customer_are_its_row_of_the_whole_store(rows: list[Row]) -> None:
    stored = _rows(rows)
    table = compute_traits(_store(stored), TRAITS, now=NOW)
    expected = {r.pop("customer_id"): _typed(r) for r in table.to_pylist()}
    for customer in CUSTOMERS:
        golden = {"customer_id": customer, "record_count": 1}
        got = traits_of(_of(stored, customer), golden, TRAITS, now=NOW)
        assert _typed(got) == expected[customer]


def _typed(row: dict[str, Any]) -> dict[str, tuple[type, Any]]:
    """Values with their types: 0 and 0.0 differ in a JSON response."""
    return {name: (type(value), value) for name, value in row.items()}


@settings(max_examples=80, deadline=None)
@given(events, st.sampled_from(CUSTOMERS))
def test_the_python_aggregates_match_the_bulk_kernels_on_the_same_frame(
    rows: list[Row], customer: str
) -> None:
    frame = CustomerFrame(_of(_rows(rows), customer), {"customer_id": customer}, now=NOW)
    for trait in TRAITS:
        if isinstance(trait, Trait):
            assert frame.aggregate(trait).equals(aggregate_events(frame, trait)), trait.name
    assert frame.events.column("event_id").to_pylist() == frame.column("event_id").to_pylist()


@settings(max_examples=80, deadline=None)
@given(
    events,
    st.sampled_from(CUSTOMERS),
    st.one_of(st.none(), st.sets(st.sampled_from(TYPES), min_size=1)),
    st.one_of(st.none(), st.sampled_from(["web", "email", "nowhere"])),
    st.one_of(st.none(), st.sampled_from(SOURCES)),
    st.one_of(st.none(), st.integers(min_value=0, max_value=9)),
    st.one_of(st.none(), st.integers(min_value=-1, max_value=9)),
    st.sampled_from(["asc", "desc"]),
    st.integers(min_value=1, max_value=4),
)
def test_timeline_pages_of_rows_are_the_store_pages(
    rows: list[Row],
    customer: str,
    types: set[str] | None,
    channel: str | None,
    source: str | None,
    within_days: int | None,
    since_days: int | None,
    order: str,
    limit: int,
) -> None:
    stored = _rows(rows)
    store = _store(stored)
    options: dict[str, Any] = {
        "types": sorted(types) if types else None,
        "channels": channel,
        "sources": source,
        "order": order,
        "limit": limit,
    }
    if within_days is not None:
        options.update(within=f"{within_days}d", now=NOW)
    if since_days is not None:
        options.update(since=NOW - timedelta(days=since_days))
    cursor = None
    while True:
        want = store.timeline(customer, cursor=cursor, **options)
        got = timeline_of(customer, _of(stored, customer), cursor=cursor, **options)
        assert (got.customer_id, got.total, got.next_cursor) == (
            want.customer_id,
            want.total,
            want.next_cursor,
        )
        assert got.events.equals(want.events)
        cursor = want.next_cursor
        if cursor is None:
            break
