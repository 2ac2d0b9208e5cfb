"""The hub's per-request read path gives the profiles, traits and timelines of the whole hub.

``hub.profiles`` answers from one customer's rows, read by point reads
(``dchkit.store.customer``), and never builds a ``ProfileStore``. Every answer is
compared here, customer by customer, with two references on a synthetic world in a
SQLite file: the whole-hub ``hub.profile_store()`` (what segments and exports use) and
the one-customer ``ProfileStore`` the HTTP API built per request before — after the
batch resolve, after incremental ingests of records and events, after feedback and a
re-resolve (a merge leaves an alias), and after an erasure.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pytest

import dchkit as dch
import dchkit.connectors as dc
from dchkit.cli.views import customer_profile, profile_view
from dchkit.datasets import generate_world
from dchkit.demo import DEMO_ID_ALIASES
from dchkit.errors import ProfileNotFoundError
from dchkit.profile import Profile, ProfileStore, compute_traits
from dchkit.profile.traits import LIVE_TRAITS
from dchkit.resolution import ResolverConfig
from dchkit.schema import EVENTS_SCHEMA
from dchkit.store import state

NOW = datetime(2031, 1, 1, tzinfo=UTC)
PAGES: list[dict[str, Any]] = [
    {},
    {"limit": 2},
    {"limit": 3, "order": "asc"},
    {"types": ["Order Completed", "Email Opened", "Page Viewed"], "limit": 2},
    {"channels": "web", "within": "800d", "now": NOW},
    {"sources": "ma", "since": NOW - timedelta(days=3000), "limit": 1},
]


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    world = generate_world(n_people=120, locale="en", seed=5)
    return world.write(tmp_path_factory.mktemp("world"))


@pytest.fixture
def hub(tmp_path: Path, exports: Path) -> Iterator[dch.Hub]:
    config = ResolverConfig(id_type_aliases=DEMO_ID_ALIASES)
    with dch.Hub(tmp_path / "hub.db", config=config, default_region="US") as opened:
        manifest = json.loads((exports / "manifest.json").read_text(encoding="utf-8"))
        for info in manifest["tables"].values():
            path = exports / info["file"]
            if info["preset"] == "segment_events":
                opened.ingest(dc.SegmentConnector(path, source=info["source"]))
            else:
                kind = dc.CsvConnector if info["format"] == "csv" else dc.JsonLinesConnector
                opened.ingest(
                    kind(path, preset=info["preset"], source=info["source"], default_region="US")
                )
        opened.resolve()
        yield opened


def _typed(row: dict[str, Any]) -> dict[str, tuple[type, Any]]:
    return {name: (type(value), value) for name, value in row.items()}


def _one_customer_store(hub: dch.Hub, customer_id: str) -> ProfileStore:
    """The store the HTTP API built for every request before the point-read path."""
    tables = state.customer_tables(hub.store, customer_id)
    return ProfileStore(
        records=tables.records,
        clusters=tables.clusters,
        golden=tables.golden,
        lineage=tables.lineage,
        events=tables.events,
        salt=hub.salt,
        default_region=hub.default_region,
    )


def _same_profile(fast: Profile, reference: Profile) -> None:
    assert fast.golden == reference.golden
    assert fast.records == tuple(sorted(reference.records, key=lambda r: r.record_id))
    assert fast.lineage == reference.lineage
    assert fast.consent == reference.consent


def _pages(source: Any, customer_id: str, options: dict[str, Any]) -> list[tuple[Any, ...]]:
    pages, cursor = [], None
    while True:
        page = source.timeline(customer_id, cursor=cursor, **options)
        pages.append((page.customer_id, page.total, page.next_cursor, page.events.to_pylist()))
        assert page.events.schema.equals(EVENTS_SCHEMA)
        cursor = page.next_cursor
        if cursor is None:
            return pages


def assert_read_path_matches(hub: dch.Hub, *, before_too: bool = True) -> int:
    """Compare every customer's profile, traits and timeline; returns how many events.

    ``before_too`` also compares with the per-request store of before, which gave an event
    carrying identifiers of two customers to both (see the test below).
    """
    full = hub.profile_store()
    table = compute_traits(full, LIVE_TRAITS, now=NOW)
    traits = {r.pop("customer_id"): _typed(r) for r in table.to_pylist()}
    events = 0
    for customer_id in full.customer_ids.to_pylist():
        fast = hub.profiles.get(customer_id, traits=True, now=NOW)
        _same_profile(fast, full.get(customer_id))
        assert _typed(dict(fast.traits)) == traits[customer_id]
        assert _typed(hub.profiles.traits(customer_id, now=NOW)) == traits[customer_id]
        before = _one_customer_store(hub, customer_id)
        _same_profile(fast, before.get(customer_id))
        row = compute_traits(before, LIVE_TRAITS, now=NOW).to_pylist()[0]
        row.pop("customer_id")
        assert not before_too or _typed(dict(fast.traits)) == _typed(row)
        for options in PAGES:
            pages = _pages(hub.profiles, customer_id, options)
            assert pages == _pages(full, customer_id, options)
            assert not before_too or pages == _pages(before, customer_id, options)
        events += full.timeline(customer_id, limit=1).total
    return events


def test_the_read_path_matches_the_whole_hub_store_through_a_hub_s_life(hub: dch.Hub) -> None:
    assert assert_read_path_matches(hub) > 500  # events attributed by record and identifier

    # Incremental ingest: a record that joins a customer, a newcomer, and events that
    # attach by identifiers only (one by an e-mail and a phone of two different people).
    clusters = hub.store.read("clusters")
    counts = clusters.group_by("customer_id").aggregate([("record_id", "count")])
    big = counts.filter(pc.greater_equal(counts.column("record_id_count"), 2))
    customer = big.column("customer_id")[0].as_py()
    known = hub.profiles.get(customer)
    stranger = next(
        p
        for p in map(hub.profiles.get, reversed(counts.column("customer_id").to_pylist()))
        if p.phones and hub.profiles.find(phone=p.phones[0]) == (p.customer_id,)
    )
    assert known.emails
    assert stranger.customer_id != customer
    newcomers = pa.Table.from_pylist(
        [
            {
                "record_id": "pos:twin",
                "source": "pos",
                "source_record_id": "twin",
                "given_name": known.golden.given_name,
                "family_name": known.golden.family_name,
                "emails": [known.emails[0]],
            },
            {
                "record_id": "pos:new",
                "source": "pos",
                "source_record_id": "new",
                "family_name": "Zyxwvut",
                "emails": ["zyxwvut.unique@example.org"],
            },
        ]
    )
    assert hub.ingest(newcomers).resolved == 2
    at = datetime(2030, 6, 1, tzinfo=UTC)
    loose = [
        {
            "event_id": "loose:1",
            "source": "web",
            "type": "Page Viewed",
            "timestamp": at,
            "channel": "web",
            "identifiers": [("phone", stranger.phones[0]), ("email", known.emails[0])],
        },
        {
            "event_id": "loose:2",
            "source": "ec",
            "type": "Order Completed",
            "timestamp": at,
            "value": 12.5,
            "record_id": "pos:new",
        },
        {
            "event_id": "loose:3",
            "source": "ec",
            "type": "Order Completed",
            "timestamp": at + timedelta(days=1),
            "value": 3.0,
            "identifiers": [("anonymous_id", "nobody-knows"), ("phone", stranger.phones[0])],
        },
    ]
    assert hub.ingest(events=pa.Table.from_pylist(loose, schema=EVENTS_SCHEMA)).events == 3
    assert_read_path_matches(hub, before_too=False)
    # loose:1 is the e-mail holder's (e-mail outranks phone), as the whole hub says; the
    # per-request store of before showed it in the phone holder's timeline as well.
    owner = hub.profiles.customer_id_of(email=known.emails[0])

    def shown(source: Any, customer_id: str) -> list[str]:
        return source.timeline(customer_id).events.column("event_id").to_pylist()

    assert "loose:1" in shown(hub.profiles, owner)
    assert "loose:1" not in shown(hub.profiles, stranger.customer_id)
    assert "loose:1" in shown(_one_customer_store(hub, stranger.customer_id), stranger.customer_id)
    assert "loose:3" in shown(hub.profiles, stranger.customer_id)  # anonymous id: unknown

    # Feedback and a batch re-resolve: a split and a merge (the merged-away id is an alias).
    members = clusters.filter(pc.equal(clusters.column("customer_id"), customer))
    hub.feedback.split_out(members.column("record_id")[0].as_py())
    a, b = (
        hub.profiles.get(c).records[0].record_id
        for c in counts.filter(pc.equal(counts.column("record_id_count"), 1))
        .column("customer_id")[:2]
        .to_pylist()
    )
    hub.feedback.must_link(a, b)
    report = hub.resolve()
    assert report.split >= 1
    assert report.merged >= 1
    assert_read_path_matches(hub, before_too=False)
    survivor = hub.profiles.customer_id_of(record_id=a)
    assert survivor == hub.profiles.customer_id_of(record_id=b)
    aliases = hub.store.read("aliases", {"customer_id": [survivor]}).column("alias").to_pylist()
    assert aliases
    alias_profile = hub.profiles.get(aliases[0], traits=True, now=NOW)
    assert alias_profile.customer_id == survivor
    assert hub.profiles.timeline(aliases[0]).customer_id == survivor

    # Erasure: the customer is gone, everybody else reads as the whole hub says.
    everybody = hub.store.read("golden", columns=["customer_id"]).column(0).to_pylist()
    victim = max(everybody, key=lambda c: hub.profiles.timeline(c).total)
    assert hub.profiles.timeline(victim).total > 1
    # Somebody else's event that names the victim (a referral carrying their e-mail).
    victim_email = hub.profiles.get(victim).emails[0]
    bystander = hub.profiles.get(next(c for c in everybody if c != victim))
    referral = {
        "event_id": "loose:referral",
        "source": "ec",
        "type": "Referral Sent",
        "timestamp": at,
        "record_id": bystander.records[0].record_id,
        "identifiers": [("email", victim_email)],
    }
    hub.ingest(events=pa.Table.from_pylist([referral], schema=EVENTS_SCHEMA))
    assert "loose:referral" in shown(hub.profiles, bystander.customer_id)
    hub.forget(victim)
    assert "loose:referral" not in shown(hub.profiles, bystander.customer_id)
    with pytest.raises(ProfileNotFoundError):
        hub.profiles.get(victim)
    with pytest.raises(ProfileNotFoundError):
        hub.profiles.timeline(victim)
    assert_read_path_matches(hub, before_too=False)


def test_requests_never_build_a_profile_store(
    hub: dch.Hub, monkeypatch: pytest.MonkeyPatch
) -> None:
    customer_id = hub.store.read("golden", columns=["customer_id"]).column(0)[0].as_py()
    expected = profile_view(hub.profile_store().get(customer_id), {})

    def refuse(*_: Any, **__: Any) -> None:
        pytest.fail("a per-request read built a ProfileStore")

    monkeypatch.setattr(ProfileStore, "__init__", refuse)
    view = customer_profile(hub, {"customer_id": customer_id}, traits=False)
    assert {**view, "records": sorted(view["records"], key=lambda r: r["record_id"])} == {
        **expected,
        "records": sorted(expected["records"], key=lambda r: r["record_id"]),
    }
    assert customer_profile(hub, {"customer_id": customer_id})["traits"]
    hub.profiles.timeline(customer_id, limit=5)
    hub.profiles.traits(customer_id)
