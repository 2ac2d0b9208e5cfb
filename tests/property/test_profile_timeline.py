"""Properties of the profile store's event index: timelines, traits and lookups.

Every expected value is computed here with plain Python over the input rows, never with
the profile layer, on random hubs with many equal timestamps (the tie-break by event id
is the part that is easy to get wrong).
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dchkit.profile import ProfileStore, RfmScores, Trait, compute_traits
from dchkit.profile import traits as traits_module
from dchkit.schema import EVENTS_SCHEMA, GOLDEN_SCHEMA, LINEAGE_SCHEMA, conform

NOW = datetime(2024, 7, 1, tzinfo=UTC)
CUSTOMERS = ("c0", "c1", "c2", "c3")
TYPES = ("Order Completed", "Page Viewed", "Ticket Opened")
CHANNELS = ("web", "email", None)

events = st.lists(
    st.tuples(
        st.sampled_from(CUSTOMERS),
        st.integers(min_value=0, max_value=6),  # days before NOW: many equal timestamps
        st.sampled_from(TYPES),
        st.sampled_from(CHANNELS),
        st.one_of(st.none(), st.integers(min_value=0, max_value=50).map(float)),
    ),
    max_size=40,
)


def _store(rows: list[tuple[str, int, str, str | None, float | None]]) -> ProfileStore:
    record_ids = [f"ec:{c}" for c in CUSTOMERS]
    # Event ids in a random-looking order, so id order differs from insertion order.
    ids = [f"e{(i * 7919) % 1009:04d}" for i in range(len(rows))]
    table = pa.table(
        {
            "event_id": pa.array(ids, pa.string()),
            "source": pa.array(["ec"] * len(rows), pa.string()),
            "type": pa.array([r[2] for r in rows], pa.string()),
            "timestamp": pa.array(
                [NOW - timedelta(days=r[1]) for r in rows], pa.timestamp("us", tz="UTC")
            ),
            "record_id": pa.array([f"ec:{r[0]}" for r in rows], pa.string()),
            "channel": pa.array([r[3] for r in rows], pa.string()),
            "value": pa.array([r[4] for r in rows], pa.float64()),
        }
    )
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
        events=conform(table, EVENTS_SCHEMA),
        salt=b"0" * 16,
    )


def _expected(store: ProfileStore, customer: str) -> list[dict[str, Any]]:
    rows = [e for e in store.events.to_pylist() if e["record_id"] == f"ec:{customer}"]
    return sorted(rows, key=lambda e: (e["timestamp"], e["event_id"]))


@settings(max_examples=60, deadline=None)
@given(
    events,
    st.sampled_from(CUSTOMERS),
    st.one_of(st.none(), st.sets(st.sampled_from(TYPES), min_size=1)),
    st.one_of(st.none(), st.sampled_from(["web", "email"])),
    st.one_of(st.none(), st.integers(min_value=0, max_value=7)),
    st.sampled_from(["asc", "desc"]),
    st.integers(min_value=1, max_value=5),
)
def test_paging_through_a_timeline_gives_every_matching_event_once_in_order(
    rows: list[tuple[str, int, str, str | None, float | None]],
    customer: str,
    types: set[str] | None,
    channel: str | None,
    within_days: int | None,
    order: str,
    limit: int,
) -> None:
    store = _store(rows)
    expected = [
        e["event_id"]
        for e in _expected(store, customer)
        if (types is None or e["type"] in types)
        and (channel is None or e["channel"] == channel)
        and (within_days is None or e["timestamp"] >= NOW - timedelta(days=within_days))
    ]
    if order == "desc":
        expected.reverse()
    options: dict[str, Any] = {"types": sorted(types) if types else None, "channels": channel}
    if within_days is not None:
        options.update(within=f"{within_days}d", now=NOW)
    seen: list[str] = []
    cursor = None
    while True:
        page = store.timeline(customer, order=order, limit=limit, cursor=cursor, **options)  # type: ignore[arg-type]
        assert page.total == len(expected)
        assert len(page) <= limit
        seen += page.events["event_id"].to_pylist()
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == expected


@settings(max_examples=60, deadline=None)
@given(events, st.booleans())
def test_frequency_traits_match_plain_python(
    rows: list[tuple[str, int, str, str | None, float | None]], dense: bool
) -> None:
    store = _store(rows)
    declared = [
        Trait("top_type", "most_frequent", "type"),
        Trait("types", "count_distinct", "type"),
        Trait("top_value", "most_frequent", "value"),
        Trait("last_channel", "last", "channel"),
    ]
    with pytest.MonkeyPatch.context() as patch:
        if not dense:  # force the sort-based path that large hubs with many values take
            patch.setattr(traits_module, "_DENSE_CELLS", 0)
        table = compute_traits(store, declared, now=NOW)
    got = {r["customer_id"]: r for r in table.to_pylist()}
    for customer in CUSTOMERS:
        mine = _expected(store, customer)
        kinds = Counter(e["type"] for e in mine)
        values = Counter(e["value"] for e in mine if e["value"] is not None)
        channels = [e["channel"] for e in mine if e["channel"] is not None]
        top = max(kinds.values(), default=0)
        top_value = max(values.values(), default=0)
        assert got[customer]["top_type"] == min(
            (k for k, n in kinds.items() if n == top), default=None
        )
        assert got[customer]["types"] == len(kinds)
        assert got[customer]["top_value"] == min(
            (v for v, n in values.items() if n == top_value), default=None
        )
        assert got[customer]["last_channel"] == (channels[-1] if channels else None)


@settings(max_examples=60, deadline=None)
@given(events)
def test_rfm_scores_are_ceiled_quintiles_of_buyers(
    rows: list[tuple[str, int, str, str | None, float | None]],
) -> None:
    store = _store(rows)
    table = compute_traits(store, [RfmScores()], now=NOW)
    got = {r["customer_id"]: r for r in table.to_pylist()}
    orders = {
        c: [e for e in _expected(store, c) if e["type"] == "Order Completed"] for c in CUSTOMERS
    }
    buyers = {c: o for c, o in orders.items() if o}
    measures = {
        "rfm_recency": {c: max(e["timestamp"] for e in o) for c, o in buyers.items()},
        "rfm_frequency": {c: len(o) for c, o in buyers.items()},
        "rfm_monetary": {c: sum(e["value"] or 0.0 for e in o) for c, o in buyers.items()},
    }
    for customer in CUSTOMERS:
        if customer not in buyers:
            assert got[customer]["rfm_score"] is None
            continue
        digits = ""
        for name, by_customer in measures.items():
            mine = by_customer[customer]
            at_most = sum(v <= mine for v in by_customer.values())
            score = max(1, min(5, -(-5 * at_most // len(buyers))))
            assert got[customer][name] == score, name
            digits += str(score)
        assert got[customer]["rfm_score"] == digits
