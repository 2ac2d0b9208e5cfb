"""Property: after erasures, a store answers exactly as a store built afresh from its tables.

``forget`` updates the store's indexes in place instead of rebuilding them; a store built
from the tables it is left with is the reference. Hubs are random, with identifiers shared
between customers (a family phone) and events attached by identifiers only.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from dchkit.profile import ProfileStore, Trait, compute_traits
from dchkit.schema import EVENTS_SCHEMA, GOLDEN_SCHEMA, LINEAGE_SCHEMA, RECORDS_SCHEMA, conform

NOW = datetime(2024, 7, 1, tzinfo=UTC)
MAP = pa.map_(pa.string(), pa.string())
PHONES = ("+81300000001", "+81300000002", "+81300000003")

customers = st.lists(
    st.tuples(
        st.integers(min_value=1, max_value=2),  # records
        st.sampled_from((None, *PHONES)),  # a phone, maybe shared with others
    ),
    min_size=1,
    max_size=6,
)
events = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=5),  # whose (modulo the customers)
        st.sampled_from(("record", "email", "phone", "nobody")),  # attached by what
        st.integers(min_value=0, max_value=4),  # days before NOW
    ),
    max_size=30,
)


def _store(
    people: list[tuple[int, str | None]], happenings: list[tuple[int, str, int]]
) -> ProfileStore:
    record_rows, cluster_rows = [], []
    for c, (count, phone) in enumerate(people):
        for r in range(count):
            record_rows.append(
                {
                    "record_id": f"crm:{c}-{r}",
                    "source": "crm",
                    "source_record_id": f"{c}-{r}",
                    "emails": [f"p{c}@example.com"],
                    "phones": [phone] if phone else [],
                }
            )
            cluster_rows.append({"record_id": f"crm:{c}-{r}", "customer_id": f"c{c}"})
    event_rows = []
    for i, (who, how, days) in enumerate(happenings):
        c = who % len(people)
        phone = people[c][1] or PHONES[0]
        identifiers = {
            "record": [],
            "email": [("email", f"p{c}@example.com")],
            "phone": [("phone", phone)],
            "nobody": [("email", "nobody@example.com")],
        }[how]
        event_rows.append(
            {
                "event_id": f"e{i:03d}",
                "source": "web",
                "type": "Page Viewed",
                "timestamp": NOW - timedelta(days=days),
                "record_id": f"crm:{c}-0" if how == "record" else None,
                "identifiers": identifiers,
            }
        )
    records = pa.Table.from_pylist(
        record_rows,
        schema=pa.schema([RECORDS_SCHEMA.field(n) for n in record_rows[0]]),
    )
    golden = pa.table(
        {
            "customer_id": [f"c{c}" for c in range(len(people))],
            "record_count": [count for count, _ in people],
        }
    )
    table = pa.Table.from_pylist(
        event_rows,
        schema=pa.schema(
            [
                EVENTS_SCHEMA.field(n)
                for n in ("event_id", "source", "type", "timestamp", "record_id", "identifiers")
            ]
        ),
    )
    return ProfileStore(
        records=records,
        clusters=pa.Table.from_pylist(cluster_rows),
        golden=conform(golden, GOLDEN_SCHEMA),
        lineage=LINEAGE_SCHEMA.empty_table(),
        events=conform(table, EVENTS_SCHEMA),
        salt=b"0" * 16,
    )


def _answers(store: ProfileStore, people: int) -> dict[str, object]:
    """Everything a user can ask the store, as plain values."""
    found = {}
    for c in range(people):
        found[f"email {c}"] = store.find(email=f"p{c}@example.com")
        found[f"record {c}"] = store.find(record_id=f"crm:{c}-0")
        found[f"id {c}"] = store.find(customer_id=f"c{c}")
    for phone in PHONES:
        found[phone] = store.find(phone=phone)
    for customer in store.customer_ids.to_pylist():
        page = store.timeline(customer, order="asc", limit=1000)
        found[f"timeline {customer}"] = page.events["event_id"].to_pylist()
        found[f"records {customer}"] = sorted(r.record_id for r in store.get(customer).records)
    found["unattributed"] = sorted(store.unattributed["event_id"].to_pylist())
    found["stats"] = store.stats()
    identifiers = store.tables()["identifiers"]
    found["identifiers"] = sorted(
        zip(identifiers["key"].to_pylist(), identifiers["customer_id"].to_pylist(), strict=True)
    )
    found["traits"] = compute_traits(store, [Trait("n", "count")], now=NOW).to_pylist()
    return found


@settings(max_examples=80, deadline=None)
@given(customers, events, st.lists(st.integers(min_value=0, max_value=5), max_size=3))
def test_a_store_after_erasures_answers_as_one_built_afresh(
    people: list[tuple[int, str | None]],
    happenings: list[tuple[int, str, int]],
    erase: list[int],
) -> None:
    store = _store(people, happenings)
    for who in erase:
        alive = store.customer_ids.to_pylist()
        if alive:
            store.forget(alive[who % len(alive)])
    fresh = ProfileStore(
        records=store.records,
        clusters=store.clusters,
        golden=store.golden,
        lineage=store.lineage,
        events=store.events,
        aliases=store.aliases,
        salt=store.salt,
    )
    assert _answers(store, len(people)) == _answers(fresh, len(people))
