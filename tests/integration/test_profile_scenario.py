"""The profile layer on a synthetic world, checked against its ground truth.

Expected values are computed here with plain Python from the connector output and the
world's truth (which record each event belongs to), never from the profile layer.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

import dchkit.connectors as dc
from dchkit.datasets import TABLES, generate_world
from dchkit.demo import DEMO_ID_ALIASES
from dchkit.errors import ProfileNotFoundError
from dchkit.profile import ProfileStore, SegmentRegistry, Trait, compute_traits
from dchkit.resolution import Resolver, ResolverConfig

NOW = datetime(2024, 7, 1, tzinfo=UTC)


def _read(directory: Path) -> tuple[pa.Table, pa.Table]:
    manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    records, events = [], []
    for info in manifest["tables"].values():
        path = directory / info["file"]
        if info["preset"] == "segment_events":
            connector: Any = dc.SegmentConnector(path, source=info["source"])
        else:
            kind = dc.CsvConnector if info["format"] == "csv" else dc.JsonLinesConnector
            connector = kind(
                path, preset=info["preset"], source=info["source"], default_region="US"
            )
        result = connector.read_all()
        records.append(result.records)
        events.append(result.events)
    return pa.concat_tables(records), pa.concat_tables(events)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    generated = generate_world(n_people=300, locale="en", seed=11)
    records, events = _read(generated.write(tmp_path_factory.mktemp("world")))
    resolution = Resolver(ResolverConfig(id_type_aliases=DEMO_ID_ALIASES)).resolve(records)
    customer_of = dict(
        zip(
            resolution.clusters["record_id"].to_pylist(),
            resolution.clusters["customer_id"].to_pylist(),
            strict=True,
        )
    )
    person_of = dict(
        zip(
            generated.truth["record_id"].to_pylist(),
            generated.truth["person_id"].to_pylist(),
            strict=True,
        )
    )
    # The true record of every event: event ids are "{source}:{event key}".
    source_of_table = {name: spec[2] for name, spec in TABLES.items()}
    true_record = {
        f"{source_of_table[t]}:{k}": r
        for t, k, r in zip(
            generated.event_truth["table"].to_pylist(),
            generated.event_truth["event_key"].to_pylist(),
            generated.event_truth["record_id"].to_pylist(),
            strict=True,
        )
    }
    expected_events: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for event in events.to_pylist():
        record = true_record.get(event["event_id"].removesuffix(":solved"))
        if record in customer_of:
            expected_events[customer_of[record]].append(event)
    return {
        "world": generated,
        "records": records,
        "events": events,
        "resolution": resolution,
        "customer_of": customer_of,
        "person_of": person_of,
        "expected_events": expected_events,
    }


def _store(world: dict[str, Any]) -> ProfileStore:
    return ProfileStore.from_resolution(world["resolution"], world["events"], default_region="US")


def _pick(world: dict[str, Any], store: ProfileStore) -> str:
    """A perfectly resolved customer with orders, tickets and e-mail engagement."""
    members: dict[str, list[str]] = defaultdict(list)
    for record, customer in world["customer_of"].items():
        members[customer].append(record)
    for customer in sorted(members):
        records = members[customer]
        people = {world["person_of"].get(r, r) for r in records}
        events = world["expected_events"][customer]
        sources = {e["source"] for e in events}
        emails = store.get(customer).emails
        if (
            len(people) == 1
            and {"ec", "support", "ma"} <= sources
            and all(store.find(email=e) == (customer,) for e in emails)
        ):
            return customer
    pytest.fail("the world has no fully resolved customer with orders, tickets and e-mails")


def _order_key(event: dict[str, Any]) -> tuple[datetime, str]:
    return event["timestamp"], event["event_id"]


def test_profile_lineage_matches_the_source_records(world: dict[str, Any]) -> None:
    store = _store(world)
    customer = _pick(world, store)
    profile = store.lookup(email=store.get(customer).emails[0])
    assert profile.customer_id == customer
    records = {r["record_id"]: r for r in world["records"].to_pylist()}
    own = sorted(r for r, c in world["customer_of"].items() if c == customer)
    assert sorted(r.record_id for r in profile.records) == own
    assert {world["person_of"][e.record_id] for e in profile.lineage} == {
        world["person_of"][own[0]]
    }
    for entry in profile.lineage:
        source = records[entry.record_id]
        held = source[entry.field]
        values = [str(v) for v in held] if isinstance(held, list) else [str(held)]
        assert entry.value in values, entry
        assert entry.source == source["source"]
    every_email = {e for r in own for e in records[r]["emails"]}
    assert set(profile.emails) == every_email
    for email in profile.emails:
        holders = {e.record_id for e in profile.where("emails", email)}
        assert holders
        assert holders <= {r for r in own if email in records[r]["emails"]}


def test_timeline_order_and_content(world: dict[str, Any]) -> None:
    store = _store(world)
    customer = _pick(world, store)
    expected = sorted(world["expected_events"][customer], key=_order_key)
    page = store.timeline(customer, order="asc", limit=1000)
    assert page.events["event_id"].to_pylist() == [e["event_id"] for e in expected]
    newest = store.timeline(customer, limit=3)
    assert newest.events["event_id"].to_pylist() == [e["event_id"] for e in expected[::-1][:3]]
    orders = store.timeline(customer, types="Order Completed", order="asc")
    assert orders.events["event_id"].to_pylist() == [
        e["event_id"] for e in expected if e["type"] == "Order Completed"
    ]
    # Paging through with the cursor gives every event once, in order.
    seen: list[str] = []
    cursor = None
    while True:
        part = store.timeline(customer, order="asc", limit=4, cursor=cursor)
        seen += part.events["event_id"].to_pylist()
        cursor = part.next_cursor
        if cursor is None:
            break
    assert seen == [e["event_id"] for e in expected]


def _expected_traits(world: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for customer in set(world["customer_of"].values()):
        events = [e for e in world["expected_events"][customer] if e["timestamp"] <= NOW]
        orders = [e for e in events if e["type"] == "Order Completed"]
        refunds = [e for e in events if e["type"] == "Order Refunded"]
        recent_web = [
            e for e in events if e["source"] == "web" and (NOW - e["timestamp"]).days < 180
        ]
        found[customer] = {
            "order_count": len(orders),
            "lifetime_value": sum(e["value"] or 0 for e in orders)
            - sum(e["value"] or 0 for e in refunds),
            "tickets": sum(e["type"] == "Ticket Opened" for e in events),
            "recent_web": len(recent_web),
        }
    return found


def test_three_traits_match_the_truth(world: dict[str, Any]) -> None:
    store = _store(world)
    store.refresh_traits(now=NOW)
    tickets = compute_traits(store, [Trait("tickets", "count", types="Ticket Opened")], now=NOW)
    expected = _expected_traits(world)
    traits = store.traits
    assert traits is not None
    got = {row["customer_id"]: row for row in traits.to_pylist()}
    got_tickets = dict(
        zip(tickets["customer_id"].to_pylist(), tickets["tickets"].to_pylist(), strict=True)
    )
    assert set(got) == set(expected)
    for customer, values in expected.items():
        assert got[customer]["order_count"] == values["order_count"], customer
        assert got[customer]["lifetime_value"] == pytest.approx(values["lifetime_value"]), customer
        assert got_tickets[customer] == values["tickets"], customer
    assert sum(v["order_count"] for v in expected.values()) > 50


def test_two_segments_match_the_truth(world: dict[str, Any]) -> None:
    store = _store(world)
    segments = SegmentRegistry(store)
    expected = _expected_traits(world)
    segments.define("repeat_buyers", "order_count >= 2 and lifetime_value >= 100")
    segments.define(
        "browsing_not_buying",
        'count(events, source="web", within="180d") > 2 and not (order_count > 0)',
    )
    repeat = segments.materialize("repeat_buyers", now=NOW)
    browsing = segments.materialize("browsing_not_buying", now=NOW)
    assert repeat.members.to_pylist() == sorted(
        c for c, v in expected.items() if v["order_count"] >= 2 and v["lifetime_value"] >= 100
    )
    assert browsing.members.to_pylist() == sorted(
        c for c, v in expected.items() if v["recent_web"] > 2 and v["order_count"] == 0
    )
    assert len(repeat.members) > 5
    assert len(browsing.members) > 0
    assert repeat.entered.to_pylist() == repeat.members.to_pylist()


def test_forget_erases_the_person_and_reingest_does_not_bring_them_back(
    world: dict[str, Any],
) -> None:
    store = _store(world)
    segments = SegmentRegistry(store)
    segments.define("everyone", "record_count >= 1")
    segments.materialize("everyone", now=NOW)
    store.refresh_traits(now=NOW)
    customer = _pick(world, store)
    profile = store.get(customer)
    own_records = [
        r for r in world["records"].to_pylist() if world["customer_of"][r["record_id"]] == customer
    ]
    identifiers = {r["record_id"] for r in own_records}
    for record in own_records:
        identifiers |= set(record["emails"]) | {v for _, v in record["external_ids"] or []}
        identifiers |= {p for p in record["phones"] if store.find(phone=p) == (customer,)}
    event_ids = {e["event_id"] for e in world["expected_events"][customer]}

    erasure = store.forget(email=profile.emails[0])

    assert erasure.customer_id == customer
    assert erasure.records == len(own_records)
    after = {
        **store.tables(),
        "memberships": segments.memberships(),
        "unattributed": store.unattributed,
        "customer_events": store.customer_events,
    }
    assert "traits" in after
    for name, table in after.items():
        text = json.dumps(table.to_pylist(), default=str, ensure_ascii=False)
        leaked = sorted(i for i in identifiers | event_ids | {customer} if f'"{i}"' in text)
        if name == "audit":  # the log names the erased (pseudonymous) id and nothing else
            leaked = [i for i in leaked if i != customer]
        assert not leaked, f"{name} still holds {leaked[:5]}"
    with pytest.raises(ProfileNotFoundError):
        store.lookup(email=profile.emails[0])
    assert store.audit.filter(pa.compute.equal(store.audit["action"], "erased")).num_rows == 1

    # Re-ingest the same source rows: the person's rows are dropped and reported.
    split = store.suppress(world["records"])
    assert set(split.dropped["record_id"].to_pylist()) == {r["record_id"] for r in own_records}
    again = Resolver(ResolverConfig(id_type_aliases=DEMO_ID_ALIASES)).resolve(world["records"])
    reborn = ProfileStore.from_resolution(
        again,
        world["events"],
        suppressions=store.suppressions,
        salt=store.salt,
        default_region="US",
    )
    assert reborn.suppressed["records"] == len(own_records)
    assert reborn.suppressed["events"] >= len(event_ids)
    for email in profile.emails:
        assert reborn.find(email=email) == ()
    assert not set(reborn.events["event_id"].to_pylist()) & event_ids
