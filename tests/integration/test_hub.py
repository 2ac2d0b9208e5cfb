"""The persistent hub end to end on a small synthetic world, through a SQLite file."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

import dchkit as dch
import dchkit.connectors as dc
from dchkit.datasets import generate_world
from dchkit.demo import DEMO_ID_ALIASES
from dchkit.errors import ConfigError, ProfileNotFoundError
from dchkit.resolution import ResolverConfig
from dchkit.schema import RECORDS_SCHEMA

CONFIG = ResolverConfig(id_type_aliases=DEMO_ID_ALIASES)


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    world = generate_world(n_people=150, locale="en", seed=21)
    return world.write(tmp_path_factory.mktemp("world"))


def connectors(directory: Path) -> Iterator[Any]:
    manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    for info in manifest["tables"].values():
        path = directory / info["file"]
        if info["preset"] == "segment_events":
            yield dc.SegmentConnector(path, source=info["source"])
        else:
            kind = dc.CsvConnector if info["format"] == "csv" else dc.JsonLinesConnector
            yield kind(path, preset=info["preset"], source=info["source"], default_region="US")


def ingest_all(hub: dch.Hub, directory: Path) -> Any:
    reports = [hub.ingest(c) for c in connectors(directory)]
    return sum(reports[1:], start=reports[0])


@pytest.fixture
def hub(tmp_path: Path, exports: Path) -> Iterator[dch.Hub]:
    with dch.Hub(tmp_path / "hub.db", config=CONFIG, default_region="US") as opened:
        ingest_all(opened, exports)
        opened.resolve()
        yield opened


def _multi_record_customer(hub: dch.Hub) -> tuple[str, list[str]]:
    clusters = hub.store.read("clusters")
    counts = clusters.group_by("customer_id").aggregate([("record_id", "count")])
    big = counts.filter(pc.greater_equal(counts.column("record_id_count"), 2))
    customer = big.column("customer_id")[0].as_py()
    members = clusters.filter(pc.equal(clusters.column("customer_id"), customer))
    return customer, sorted(members.column("record_id").to_pylist())


def test_reingest_is_idempotent_and_updates_changed_records(hub: dch.Hub, exports: Path) -> None:
    records = hub.store.count("records")
    events = hub.store.count("events")
    again = ingest_all(hub, exports)
    assert (again.inserted, again.updated, again.events) == (0, 0, 0)
    assert again.unchanged == records
    assert (hub.store.count("records"), hub.store.count("events")) == (records, events)
    assert hub.pending == 0

    one = hub.store.read("records").slice(0, 1)
    changed = one.set_column(
        one.schema.get_field_index("company"), "company", pa.array(["Renamed Ltd"])
    )
    report = hub.ingest(changed)  # resolved incrementally: the hub has a model
    assert (report.inserted, report.updated, report.unchanged, report.resolved) == (0, 1, 0, 1)
    assert hub.store.count("records") == records
    assert hub.pending == 0
    cid = hub.profiles.customer_id_of(record_id=one.column("record_id")[0].as_py())
    assert hub.profiles.get(cid).golden.company == "Renamed Ltd"
    assert [c.kind for c in hub.changes() if c.customer_id == cid][-1] == "updated"

    again_changed = changed.set_column(
        one.schema.get_field_index("company"), "company", pa.array(["Later Ltd"])
    )
    report = hub.ingest(again_changed, resolve="never")
    assert (report.updated, report.resolved, hub.pending) == (1, 0, 1)
    hub.resolve()
    assert hub.pending == 0
    assert hub.profiles.get(cid).golden.company == "Later Ltd"


def test_rejects_are_kept_and_counted(tmp_path: Path) -> None:
    hub = dch.Hub()
    report = hub.ingest([{"id": "1", "email": "a@example.com"}, {"id": "1", "email": "b@x.jp"}])
    assert report.inserted == 1
    assert report.rejects == 1
    assert report.rejects_by_reason == {"duplicate_id": 1}
    assert hub.rejects().column("reason").to_pylist()[0]


def _owners(hub: dch.Hub) -> dict[str, str]:
    table = hub.store.read("clusters")
    return dict(
        zip(*[table.column(c).to_pylist() for c in ("record_id", "customer_id")], strict=True)
    )


def test_ids_are_stable_across_batch_incremental_batch(hub: dch.Hub) -> None:
    batch = _owners(hub)
    _, members = _multi_record_customer(hub)
    known = hub.store.read("records", {"record_id": [members[0]]}).to_pylist()[0]
    twin = {k: known[k] for k in ("given_name", "family_name", "full_name", "emails", "phones")}
    stranger = dict.fromkeys(twin) | {
        "family_name": "Zyxwvut", "emails": ["zyxwvut.unique@example.org"]
    }  # fmt: skip
    newcomers = pa.Table.from_pylist(
        [
            {"record_id": "pos:twin", "source": "pos", "source_record_id": "twin", **twin},
            {"record_id": "pos:new-1", "source": "pos", "source_record_id": "new-1", **stranger},
        ]
    )  # fmt: skip
    report = hub.ingest(newcomers)
    assert report.resolved == 2
    incremental = _owners(hub)
    assert incremental["pos:twin"] == incremental[members[0]]  # attached, not a new customer
    created = [c for c in hub.changes() if c.kind == "created"]
    assert created[-1].customer_id == incremental["pos:new-1"]
    merges = {(c.other_id, c.customer_id) for c in hub.changes() if c.kind == "merged"}
    # a record keeps its id unless the twin merged its customer into another (logged)
    assert all(incremental[r] == c or (c, incremental[r]) in merges for r, c in batch.items())

    report = hub.resolve()  # a batch rerun keeps every id the incremental step gave
    assert not report.trained  # the stored model was reused
    assert (report.created, report.merged, report.split) == (0, 0, 0)
    assert _owners(hub) == incremental

    assert hub.resolve(retrain=True).trained
    again = _owners(hub)
    moved = sum(1 for r, c in incremental.items() if again[r] != c)
    assert moved <= len(incremental) * 0.02  # retraining may shift a few borderline records


def test_split_out_feedback_sticks_through_full_reruns(hub: dch.Hub) -> None:
    customer, members = _multi_record_customer(hub)
    outcast = members[-1]
    hub.feedback.split_out(outcast, note="different person")
    assert hub.feedback.table().num_rows == len(members) - 1
    hub.resolve()
    hub.resolve(retrain=True)
    ids = hub.store.read("clusters", {"record_id": members})
    owner = dict(
        zip(ids.column("record_id").to_pylist(), ids.column("customer_id").to_pylist(), strict=True)
    )
    assert all(owner[outcast] != owner[m] for m in members if m != outcast)
    assert any(c.kind == "split" and c.other_id == customer for c in hub.changes())
    with pytest.raises(ConfigError, match="own"):
        hub.feedback.split_out(outcast)


def test_must_link_merges_and_the_alias_leads_to_the_survivor(hub: dch.Hub) -> None:
    clusters = hub.store.read("clusters")
    a, b = clusters.column("record_id")[0].as_py(), clusters.column("record_id")[-1].as_py()
    ca, cb = hub.profiles.customer_id_of(record_id=a), hub.profiles.customer_id_of(record_id=b)
    assert ca != cb
    hub.feedback.must_link(a, b)
    report = hub.resolve(retrain=True)
    assert report.merged >= 1
    survivor = hub.profiles.customer_id_of(record_id=a)
    assert survivor == hub.profiles.customer_id_of(record_id=b)
    merged_away = cb if survivor == ca else ca
    assert hub.profiles.get(merged_away).customer_id == survivor
    merges = [c for c in hub.changes() if c.kind == "merged" and c.other_id == merged_away]
    assert merges
    assert merges[0].customer_id == survivor
    assert "merged" in hub.audit().column("action").to_pylist()
    with pytest.raises(ProfileNotFoundError):
        hub.feedback.must_link(a, "crm:does-not-exist")


def test_change_feed_is_ordered_and_its_cursor_survives_reopening(
    tmp_path: Path, exports: Path
) -> None:
    path = tmp_path / "feed.db"
    with dch.Hub(path, config=CONFIG, default_region="US") as hub:
        ingest_all(hub, exports)
        hub.resolve()
        first = hub.changes()
        customers = hub.store.count("golden")
    cursors = [c.cursor for c in first]
    assert cursors == sorted(set(cursors))
    assert sum(c.kind == "created" for c in first) == customers
    last = cursors[-1]
    with dch.Hub(path) as hub:
        assert hub.changes(since=last) == []
        victim = first[0].customer_id
        assert victim is not None
        hub.forget(victim)
        page = hub.changes(since=last)
        assert [(c.kind, c.customer_id) for c in page] == [("erased", victim)]
        assert page[0].cursor > last
        assert len(hub.changes(since=0, limit=3)) == 3


def test_forget_erases_and_reingest_does_not_bring_the_person_back(
    hub: dch.Hub, exports: Path
) -> None:
    customer, members = _multi_record_customer(hub)
    profile = hub.profiles.get(customer)
    emails = list(profile.golden.emails)
    erasure = hub.forget(customer)
    assert erasure.records == len(members)
    with pytest.raises(ProfileNotFoundError):
        hub.profiles.get(customer)
    assert hub.store.read("records", {"record_id": members}).num_rows == 0
    keys = [f"email={e}" for e in emails]
    left = hub.store.read("identifiers", {"key": keys})  # only other people's (a family e-mail)
    assert not set(left.column("record_id").to_pylist()) & set(members)
    shared = set(left.column("key").to_pylist())
    report = ingest_all(hub, exports)
    assert report.suppressed >= len(members)
    hub.resolve()
    assert hub.store.read("records", {"record_id": members}).num_rows == 0
    for email in emails:
        if f"email={email}" not in shared:
            assert hub.profiles.find(email=email) == ()
    assert hub.audit().column("action").to_pylist()[-1] == "erased"
    assert hub.store.check() == []


def test_forget_erases_the_rejects_that_hold_the_person_and_keeps_the_others(
    hub: dch.Hub, tmp_path: Path
) -> None:
    customer, members = _multi_record_customer(hub)
    records = hub.store.read("records", {"record_id": members})
    email = next(e for row in records.column("emails").to_pylist() for e in row or [])
    stored = hub.store.read("identifiers", {"key": [f"email={email}"]})
    assert set(stored.column("record_id").to_pylist()) <= set(members)  # not a family e-mail
    source, source_id = (
        records.column("source")[0].as_py(),
        records.column("source_record_id")[0].as_py(),
    )
    local = email.upper()  # as a person types it
    rows = [
        {"id": "", "full_name": "Someone", "email": local},  # missing_id: holds the e-mail
        {"id": "", "full_name": "Other Person", "email": "other.person@example.org"},
    ]
    first = hub.ingest(rows, source="support")
    broken = tmp_path / "broken.jsonl"
    # invalid_json: the person's own source id, in the source that issued it
    lines = ['{"id": "fresh-1", "email": "fresh@example.org"}']
    lines += [f'{{"id": "{source_id}", "email": ', f'{{"id": "{source_id}9"']
    broken.write_text("\n".join(lines) + "\n", "utf-8")
    second = hub.ingest(dc.JsonLinesConnector(broken, source=source))
    assert (first.rejects, second.rejects) == (2, 2)
    before = hub.rejects()

    erasure = hub.forget(customer)

    left = hub.rejects()
    assert erasure.rejects == 2 == before.num_rows - left.num_rows
    raws = left.column("raw").to_pylist()
    assert not any(local in r or f'"{source_id}"' in r for r in raws)
    assert any("other.person@example.org" in r for r in raws)
    assert any(f'"{source_id}9"' in r for r in raws)  # a longer id is another record's
    assert "1 rejects" not in hub.audit().column("detail").to_pylist()[-1]
    assert "2 rejects" in hub.audit().column("detail").to_pylist()[-1]

    again = hub.ingest(rows, source="support")  # the next export carries the row again
    assert (again.rejects, again.suppressed) == (1, 1)
    assert again.rejects_by_reason == {"missing_id": 1}
    assert hub.rejects().num_rows == left.num_rows + 1
    assert hub.store.check() == []


def test_profiles_lookups_timeline_and_explain(hub: dch.Hub) -> None:
    customer, members = _multi_record_customer(hub)
    profile = hub.profiles.get(customer)
    assert sorted(r.record_id for r in profile.records) == members
    assert hub.profiles.lookup(record_id=members[0]).customer_id == customer
    for email in profile.golden.emails:
        assert customer in hub.profiles.find(email=email.upper())
    with pytest.raises(ProfileNotFoundError):
        hub.profiles.lookup(email="nobody@nowhere.example")
    page = hub.profiles.timeline(customer, limit=5)
    assert page.customer_id == customer
    times = page.events.column("timestamp").to_pylist()
    assert times == sorted(times, reverse=True)
    explanation = hub.explain(members[0], members[1])
    assert explanation.verdict == "same customer"
    assert hub.explain_customer(customer).record_ids == tuple(members)


def test_segments_materialize_into_the_change_feed_and_export(hub: dch.Hub, tmp_path: Path) -> None:
    hub.segments.define("buyers", "order_count > 0", description="bought once")
    first = hub.segments.materialize()[0]
    assert len(first.entered) == len(first.members) > 0
    entered = [c for c in hub.changes() if c.kind == "segment_entered"]
    assert sorted(c.customer_id for c in entered) == first.members.to_pylist()
    assert hub.segments.materialize("buyers")[0].entered.to_pylist() == []
    assert hub.segments.stored_members("buyers").equals(first.members)
    table = hub.export(tmp_path / "buyers.parquet", segment="buyers")
    assert (
        pq.read_table(tmp_path / "buyers.parquet").num_rows == table.num_rows == len(first.members)
    )
    hub.segments.remove("buyers")
    assert [s.name for s in hub.segments] == []


def test_canonical_tables_go_in_as_they_are() -> None:
    hub = dch.Hub()
    table = pa.table(
        {
            "record_id": ["crm:1"],
            "source": ["crm"],
            "source_record_id": ["1"],
            "emails": [["a@example.com"]],
        }
    )
    assert hub.ingest(table).inserted == 1
    stored = hub.store.read("records")
    assert stored.schema.names == RECORDS_SCHEMA.names
    assert hub.resolve().customers == 1
    assert hub.profiles.find(email="a@example.com") == (
        hub.profiles.customer_id_of(record_id="crm:1"),
    )


def test_events_attach_by_identifiers_in_any_spelling() -> None:
    hub = dch.Hub()
    taro = {"id": "1", "email": "taro@example.jp", "phone": "+81 3 1234 5678"}
    hub.ingest([taro], source="crm")
    hub.resolve()
    events = [
        {
            "event_id": f"o-{n}",
            "source": "ec",
            "type": "Order Completed",
            "timestamp": f"2024-05-0{n}T10:00:00Z",
            "identifiers": identifiers,  # Python dicts, as an application writes them
        }
        for n, identifiers in enumerate(
            ({"email": "TARO@Example.jp"}, {"phone": "03-1234-5678"}), start=1
        )
    ]
    assert hub.ingest(events=events).events == 2
    page = hub.profiles.timeline(hub.profiles.customer_id_of(email="taro@example.jp"))
    assert page.events.column("event_id").to_pylist() == ["o-2", "o-1"]


def test_feedback_is_honoured_by_incremental_resolution(hub: dch.Hub) -> None:
    customer, members = _multi_record_customer(hub)
    outcast = members[-1]
    hub.feedback.split_out(outcast)
    stored = hub.store.read("records", {"record_id": [outcast]})
    touched = stored.set_column(
        stored.schema.get_field_index("company"), "company", pa.array(["Touched Ltd"])
    )
    report = hub.ingest(touched)  # the incremental engine re-resolves its neighbourhood
    assert report.resolved == 1
    owners = _owners(hub)
    assert all(owners[outcast] != owners[m] for m in members if m != outcast)
    assert customer in {owners[m] for m in members}


def test_connectors_without_a_region_read_phones_in_the_hubs_region(tmp_path: Path) -> None:
    export = tmp_path / "contacts.csv"
    export.write_text(
        "id,first_name,last_name,email,phone\n1,Jane,Doe,jane@example.com,(415) 555-2671\n"
    )
    unset = dc.CsvConnector(export, source="crm")
    tokyo = dc.CsvConnector(tmp_path / "contacts.csv", source="shop", default_region="JP")
    with dch.Hub(tmp_path / "hub.db", default_region="US") as hub:
        hub.ingest(unset)
        hub.ingest(tokyo)
        phones = dict(
            zip(
                hub.store.read("records").column("record_id").to_pylist(),
                hub.store.read("records").column("phones").to_pylist(),
                strict=True,
            )
        )
    assert phones["crm:1"] == ["+14155552671"]
    assert phones["shop:1"] in ([], None)  # (415) 555-2671 is no Japanese number
    assert unset.default_region is None  # the caller's connector is not changed


def test_lifting_a_suppression_lets_the_person_back_in(hub: dch.Hub, exports: Path) -> None:
    customer, members = _multi_record_customer(hub)
    records = hub.store.read("records", {"record_id": members})
    emails = sorted({e for row in records.column("emails").to_pylist() for e in row or []})
    phones = sorted({p for row in records.column("phones").to_pylist() for p in row or []})
    ids = sorted(
        {
            (kind, value)
            for row in records.column("external_ids").to_pylist()
            for kind, value in row or []
        }
    )
    erasure = hub.forget(customer)
    with pytest.raises(ConfigError):
        hub.lift_suppression()
    assert hub.lift_suppression(email="nobody@example.org") == 0

    lifted = sum(hub.lift_suppression(record_id=r) for r in members)
    assert lifted == len(members)
    assert ingest_all(hub, exports).suppressed > 0  # their e-mails and phones still hold them
    lifted += sum(hub.lift_suppression(email=e) for e in emails)
    lifted += sum(hub.lift_suppression(phone=p) for p in phones)
    lifted += sum(hub.lift_suppression(**{kind: value}) for kind, value in ids)
    assert lifted == erasure.identifiers
    assert hub.store.count("suppressions") == 0
    again = ingest_all(hub, exports)
    assert again.suppressed == 0
    assert hub.store.read("records", {"record_id": members}).num_rows == len(members)
    assert "suppression_lifted" in hub.audit().column("action").to_pylist()
    assert not any(e in str(hub.audit().to_pylist()) for e in emails)


def test_an_erased_person_stays_out_and_others_come_in() -> None:
    # Ingest checks only the suppressions of the rows' own identifiers, not the whole
    # table: the erased person's record and event are dropped, the others are written.
    hub = dch.Hub()
    people = [
        {"id": "1", "email": "taro@example.jp", "family_name": "山田"},
        {"id": "2", "email": "hanako@example.jp", "family_name": "佐藤"},
    ]
    hub.ingest(people, source="crm")
    hub.resolve()
    hub.forget(email="taro@example.jp")
    again = hub.ingest(
        [{**people[0], "id": "1b"}, {"id": "3", "email": "jiro@example.jp"}], source="crm"
    )
    assert (again.inserted, again.suppressed) == (1, 1)

    def event(n: int, email: str) -> dict[str, Any]:
        at = f"2024-05-0{n}T10:00:00Z"
        return {"event_id": f"e{n}", "source": "ec", "type": "x", "timestamp": at,
                "identifiers": {"email": email}}  # fmt: skip

    report = hub.ingest(events=[event(1, "TARO@example.jp"), event(2, "jiro@example.jp")])
    assert (report.events, report.suppressed) == (1, 1)
    assert hub.profiles.find(email="taro@example.jp") == ()
    assert hub.profiles.find(email="jiro@example.jp")
