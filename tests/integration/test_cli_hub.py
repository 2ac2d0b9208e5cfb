"""The command line drives a SQLite hub over the synthetic world, command by command."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from dchkit.cli import app
from dchkit.datasets import generate_world
from dchkit.demo import DEMO_ID_ALIASES
from dchkit.resolution import ResolverConfig

pytestmark = pytest.mark.slow


def run(*args: str, code: int = 0, hub: Path | None = None, input: str | None = None):
    argv = [*args, *(["--hub", str(hub)] if hub is not None else [])]
    result = CliRunner().invoke(app, argv, input=input)
    assert result.exit_code == code, (argv, result.exit_code, result.output)
    return result


def run_json(*args: str, hub: Path, code: int = 0):
    return json.loads(run(*args, "--json", hub=hub, code=code).stdout)


@pytest.fixture(scope="module")
def world_dir(tmp_path_factory) -> Path:
    world = generate_world(n_people=150, locale="en", seed=11)
    return world.write(tmp_path_factory.mktemp("world"))


@pytest.fixture(scope="module")
def built(world_dir: Path, tmp_path_factory) -> tuple[Path, dict, dict]:
    """A hub with the whole world ingested and resolved (shared; copy it to change it)."""
    hub = tmp_path_factory.mktemp("hub") / "customers.db"
    config = hub.parent / "config.json"
    config.write_text(ResolverConfig(id_type_aliases=DEMO_ID_ALIASES).model_dump_json())
    created = run_json("init", "--config", str(config), "--region", "us", hub=hub)
    assert created["created"] is True
    assert created["region"] == "US"
    ingested = run_json("ingest", str(world_dir), hub=hub)
    resolved = run_json("resolve", hub=hub)
    return hub, ingested, resolved


@pytest.fixture
def hub(built, tmp_path: Path) -> Path:
    """A private copy of the built hub."""
    copy = tmp_path / "copy.db"
    for suffix in ("", "-wal", "-shm"):
        source = Path(str(built[0]) + suffix)
        if source.exists():
            shutil.copy(source, str(copy) + suffix)
    return copy


def _profiles(hub: Path) -> list[dict]:
    exported = hub.parent / "all.parquet"
    run("export", str(exported), hub=hub)
    return pq.read_table(exported).to_pylist()


def _customer_with_records(hub: Path, at_least: int, source: str = "crm") -> dict:
    rows = _profiles(hub)
    rows.sort(key=lambda r: (-r["record_count"], r["customer_id"]))
    chosen = next(
        r for r in rows if r["record_count"] >= at_least and r["emails"] and source in r["sources"]
    )
    return run_json("profile", "show", chosen["customer_id"], hub=hub)


def test_ingest_reports_every_table_and_resolve_links_them(built, world_dir: Path):
    _, ingested, resolved = built
    manifest = json.loads((world_dir / "manifest.json").read_text())["tables"]
    assert [f["file"] for f in ingested["files"]] == [t["file"] for t in manifest.values()]
    for file in ingested["files"]:
        table = next(t for t in manifest.values() if t["file"] == file["file"])
        assert file["rows"] == table["rows"]
        assert file["preset"] == table["preset"]
    records = sum(f["records"] for f in ingested["files"])
    assert ingested["inserted"] == records == ingested["pending"]
    assert ingested["events"] == sum(f["events"] for f in ingested["files"]) > 0
    assert ingested["rejects"] == 0
    assert resolved["records"] == records
    assert 140 <= resolved["customers"] < records
    assert resolved["created"] == resolved["customers"]
    assert resolved["trained"] is True
    assert {"blocking", "scoring", "clustering"} <= set(resolved["timings"])


def test_reingest_is_idempotent_and_resolves_at_once(hub: Path, world_dir: Path):
    again = run_json(
        "ingest", str(world_dir / "crm_contacts.csv"), "--preset", "salesforce_contacts",
        "--source", "crm", hub=hub,
    )  # fmt: skip
    assert again["inserted"] == again["updated"] == 0
    assert again["unchanged"] == again["files"][0]["records"] > 0
    assert again["pending"] == 0


def test_ingest_counts_rejects_by_reason_and_resolves_new_records(hub: Path, world_dir: Path):
    lines = (world_dir / "crm_contacts.csv").read_text(encoding="utf-8-sig").splitlines()
    extra = hub.parent / "more.txt"  # .txt reads as CSV
    new_row = (
        '"0035NEW","Quinn","Newman","quinn.newman@example.com",,,,,,,,,,,,,"2024-01-01T00:00:00Z"'
    )
    # the header, one new contact, and the same contact twice more: duplicate ids.
    extra.write_text("\n".join([lines[0], new_row, new_row, new_row]) + "\n", encoding="utf-8")
    report = run_json("ingest", str(extra), "--preset", "salesforce_contacts", hub=hub)
    assert report["inserted"] == 1
    assert report["rejects"] == 2
    assert report["rejects_by_reason"] == {"duplicate_id": 2}
    assert report["resolved"] == 1
    assert report["pending"] == 0
    found = run_json("profile", "lookup", "--email", "Quinn.Newman@example.com", hub=hub)
    assert [r["record_id"] for r in found["records"]] == ["crm:0035NEW"]
    rejects = run_json("rejects", hub=hub)
    assert rejects["total"] == 2
    assert all(r["reason"].startswith("duplicate_id: ") for r in rejects["rows"])
    human = run("ingest", str(extra), "--preset", "salesforce_contacts", hub=hub).stdout
    assert "duplicate_id (2)" in human


def test_ingest_errors_say_what_to_do(hub: Path, tmp_path: Path):
    odd = tmp_path / "contacts.xlsx"
    odd.write_text("x")
    result = run("ingest", str(odd), hub=hub, code=2)
    assert "Pass --format" in result.stderr
    missing = run("ingest", str(tmp_path / "nope.csv"), hub=hub, code=2)
    assert "no file at" in missing.stderr
    unknown = run("ingest", str(odd), "--format", "csv", "--preset", "salesforse", hub=hub, code=2)
    assert "salesforce_contacts" in unknown.stderr  # did you mean …
    no_hub = run("resolve", hub=tmp_path / "absent.db", code=2)
    assert "dchkit init --hub" in no_hub.stderr
    assert not (tmp_path / "absent.db").exists()
    usage = run("resolve", "--bogus", hub=hub, code=2)
    assert "No such option" in usage.output


def test_lookup_by_every_identifier_gives_the_same_customer(hub: Path):
    profile = _customer_with_records(hub, 3)
    cid = profile["customer_id"]
    assert profile["traits"]["order_count"] >= 0
    record = profile["records"][0]
    email = profile["golden"]["emails"][0]
    assert run_json("profile", "lookup", "--email", email.upper(), hub=hub)["customer_id"] == cid
    by_record = run_json("profile", "lookup", "--record-id", record["record_id"], hub=hub)
    assert by_record["customer_id"] == cid
    id_type, id_value = next(iter(profile["golden"]["external_ids"].items()))
    typed = run_json("profile", "lookup", "--id", f"{id_type}={id_value}", hub=hub)
    assert typed["customer_id"] == cid
    if profile["golden"]["phones"]:
        phone = profile["golden"]["phones"][0]
        assert run_json("profile", "lookup", "--phone", phone, hub=hub)["customer_id"] == cid
    shown = run("profile", "show", cid, hub=hub).stdout
    assert cid in shown
    assert record["record_id"] in shown


def test_lookup_errors_have_exit_codes(hub: Path):
    nobody = run("profile", "lookup", "--email", "nobody@nowhere.invalid", hub=hub, code=1)
    assert "no customer has email" in nobody.stderr
    error = json.loads(
        run("profile", "show", "cus_missing", "--json", hub=hub, code=1).stdout.splitlines()[0]
    )
    assert error["error"] == "profile-not-found"
    two = run("profile", "lookup", "--email", "a@b.jp", "--phone", "1", hub=hub, code=2)
    assert "exactly one identifier" in two.stderr
    bad_id = run("profile", "lookup", "--id", "user_id", hub=hub, code=2)
    assert "TYPE=VALUE" in bad_id.stderr


def test_timeline_pages_with_a_cursor(hub: Path):
    rows = _profiles(hub)
    cid = max(rows, key=lambda r: (r["order_count"] or 0, r["customer_id"]))["customer_id"]
    first = run_json("profile", "timeline", cid, "--limit", "2", hub=hub)
    assert first["total"] >= 3
    assert len(first["events"]) == 2
    seen = [e["event_id"] for e in first["events"]]
    cursor = first["next_cursor"]
    while cursor:
        page = run_json("profile", "timeline", cid, "--limit", "2", "--cursor", cursor, hub=hub)
        seen += [e["event_id"] for e in page["events"]]
        cursor = page["next_cursor"]
    assert len(seen) == len(set(seen)) == first["total"]
    orders = run_json("profile", "timeline", cid, "--type", "Order Completed", hub=hub)
    assert {e["type"] for e in orders["events"]} == {"Order Completed"}
    assert run("profile", "timeline", cid, "--cursor", "garbage", hub=hub, code=2)


def test_segments_define_list_members_materialize_export(hub: Path):
    defined = run_json("segment", "define", "buyers", "order_count >= 1", hub=hub)
    assert defined["members"] > 0
    tree = json.dumps({"op": ">=", "args": [{"field": "order_count"}, {"value": 2}]})
    assert run_json("segment", "define", "repeat", tree, hub=hub)["rule"] == "order_count >= 2"
    listed = run_json("segment", "list", hub=hub)
    assert [s["name"] for s in listed] == ["buyers", "repeat"]
    assert listed[0]["stored_members"] == 0
    members = run_json("segment", "members", "buyers", hub=hub)
    assert members["total"] == defined["members"] == len(members["members"])
    materialized = run_json("segment", "materialize", hub=hub)
    assert {m["segment"]: len(m["entered"]) for m in materialized}["buyers"] == members["total"]
    assert run_json("segment", "list", hub=hub)[0]["stored_members"] == members["total"]
    out = hub.parent / "buyers.csv"
    exported = run_json("segment", "export", "buyers", str(out), hub=hub)
    assert exported["rows"] == members["total"]
    assert out.read_text(encoding="utf-8").count("\n") == members["total"] + 1
    entered = run_json("changes", hub=hub)["changes"]
    assert (
        sum(c["kind"] == "segment_entered" and c["segment"] == "buyers" for c in entered)
        == (members["total"])
    )
    bad = run("segment", "define", "broken", "order_count >=", hub=hub, code=2)
    assert "segment-syntax" in bad.stderr
    run("segment", "members", "nosuch", hub=hub, code=2)


def test_explain_pair_and_customer(hub: Path):
    profile = _customer_with_records(hub, 3)
    ids = [r["record_id"] for r in profile["records"]]
    pair = run_json("explain", ids[0], ids[1], hub=hub)
    assert pair["kind"] == "pair"
    assert pair["verdict"]
    assert pair["steps"]
    assert pair["match_probability"] >= 0
    customer = run_json("explain", profile["customer_id"], hub=hub)
    assert sorted(customer["record_ids"]) == sorted(ids)
    assert customer["edges"]
    by_record = run_json("explain", ids[0], hub=hub)
    assert by_record["customer_id"] == profile["customer_id"]
    assert "vs" in run("explain", ids[0], ids[1], hub=hub).stdout
    run("explain", "crm:none", ids[0], hub=hub, code=1)


def test_feedback_sticks_and_the_change_feed_reports_it(hub: Path):
    profile = _customer_with_records(hub, 3)
    # A crm record (web records can be hard-linked by user id, which a cut cannot undo).
    ids = sorted(r["record_id"] for r in profile["records"])
    ids.sort(key=lambda i: i.startswith("crm:"))
    start = run_json("changes", hub=hub)["cursor"]
    split = run_json("feedback", "split-out", ids[-1], "--note", "not her", "--resolve", hub=hub)
    assert split["resolved"] is True
    assert split["split"] >= 1
    after = run_json("changes", "--since", str(start), hub=hub)
    assert "split" in {c["kind"] for c in after["changes"]}
    assert all(c["cursor"] > start for c in after["changes"])
    moved = run_json("profile", "lookup", "--record-id", ids[-1], hub=hub)
    assert moved["customer_id"] != profile["customer_id"]
    relinked = run_json("feedback", "cannot-link", ids[0], ids[1], "--resolve", hub=hub)
    assert relinked["resolved"] is True
    a = run_json("profile", "lookup", "--record-id", ids[0], hub=hub)["customer_id"]
    assert run_json("profile", "lookup", "--record-id", ids[1], hub=hub)["customer_id"] != a
    other = next(r for r in _profiles(hub) if r["customer_id"] not in (a, moved["customer_id"]))
    other_record = run_json("profile", "show", other["customer_id"], hub=hub)["records"][0]
    note = run("feedback", "must-link", ids[-1], other_record["record_id"], hub=hub).stdout
    assert "next" in note
    merged = run_json(
        "feedback", "must-link", ids[-1], other_record["record_id"], "--resolve", hub=hub
    )
    assert merged["merged"] == 1
    joined = run_json("profile", "lookup", "--record-id", ids[-1], hub=hub)
    assert other_record["record_id"] in [r["record_id"] for r in joined["records"]]
    run("feedback", "must-link", ids[0], "crm:none", hub=hub, code=1)


def test_changes_continue_from_a_cursor(hub: Path):
    everything = run_json("changes", hub=hub)
    assert everything["changes"]
    assert everything["changes"][0]["kind"] == "created"
    first = run_json("changes", "--limit", "5", hub=hub)
    rest = run_json("changes", "--since", str(first["cursor"]), hub=hub)
    assert [c["cursor"] for c in first["changes"] + rest["changes"]] == [
        c["cursor"] for c in everything["changes"]
    ]
    assert run_json("changes", "--since", str(everything["cursor"]), hub=hub)["changes"] == []


def test_forget_erases_and_asks_first(hub: Path):
    profile = _customer_with_records(hub, 2)
    email = profile["golden"]["emails"][0]
    run("forget", "--email", email, hub=hub, input="n\n", code=1)
    assert run_json("profile", "lookup", "--email", email, hub=hub)["customer_id"]
    erased = run_json("forget", "--email", email, "--yes", hub=hub)
    assert erased["customer_id"] == profile["customer_id"]
    assert erased["records"] == len(profile["records"])
    run("profile", "lookup", "--email", email, hub=hub, code=1)
    assert run_json("changes", hub=hub)["changes"][-1]["kind"] == "erased"
    assert erased["rejects"] >= 0

    # They sign up again: lifting their record ids (and e-mail) lets those rows back in.
    records = [r["record_id"] for r in profile["records"]]
    lifted = run_json("lift-suppression", "--record-id", records[0], "--email", email, hub=hub)
    assert lifted["given"] == 2
    assert lifted["lifted"] >= 1  # the record id; the e-mail too unless a family shares it
    assert run_json("lift-suppression", "--email", email, hub=hub)["lifted"] == 0
    run("lift-suppression", hub=hub, code=2)
    again = run("lift-suppression", "--record-id", records[1], hub=hub)
    assert "1 of 1 identifiers" in again.output


def test_export_writes_every_profile(hub: Path, built):
    out = hub.parent / "profiles.jsonl"
    exported = run_json("export", str(out), hub=hub)
    assert exported["rows"] == built[2]["customers"]
    assert len(out.read_text(encoding="utf-8").splitlines()) == exported["rows"]
    assert "customer_id" in exported["columns"]
    run("export", str(out), "--format", "xlsx", hub=hub, code=2)


def test_the_hub_comes_from_the_environment(hub: Path, monkeypatch):
    monkeypatch.setenv("DCHKIT_HUB", str(hub))
    result = CliRunner().invoke(app, ["init", "--json"])
    assert result.exit_code == 0, result.output
    opened = json.loads(result.stdout)
    assert opened["created"] is False
    assert opened["records"] > 0
    assert opened["region"] == "US"


def test_keys_are_shown_once_and_stored_hashed(hub: Path):
    from dchkit import Hub
    from dchkit.server.keys import verify_key

    created = run_json("keys", "create", "--scope", "write", "--name", "shop", hub=hub)
    assert created["key"].startswith("dch_")
    assert created["scope"] == "write"
    listed = run_json("keys", "list", hub=hub)
    assert [k["key_id"] for k in listed] == [created["key_id"]]
    assert created["key"] not in json.dumps(listed)
    assert created["key"] not in run("keys", "list", hub=hub).stdout
    with Hub(hub) as opened:
        assert opened.store.get_meta("server.api_keys").count(created["key"]) == 0
        assert verify_key(opened, created["key"]).name == "shop"
    revoked = run_json("keys", "revoke", created["key_id"], hub=hub)
    assert revoked["revoked_at"]
    with Hub(hub) as opened:
        assert verify_key(opened, created["key"]) is None
    run("keys", "create", "--scope", "root", hub=hub, code=2)
    run("keys", "revoke", "nosuchkey", hub=hub, code=1)


def test_serve_runs_uvicorn_without_its_access_log(hub: Path, monkeypatch):
    pytest.importorskip("uvicorn")
    seen = {}

    def fake_run(app, **options):
        seen["app"], seen["options"] = app, options

    monkeypatch.setattr("uvicorn.run", fake_run)
    run("serve", "--port", "8123", "--host", "127.0.0.1", hub=hub)
    assert seen["options"]["port"] == 8123
    assert seen["options"]["access_log"] is False
    assert "/v1/customers/{customer_id}" in seen["app"].openapi()["paths"]


def test_serve_with_workers_builds_each_app_from_the_environment(hub: Path, monkeypatch):
    pytest.importorskip("uvicorn")
    from dchkit.errors import StoreError
    from dchkit.server.app import HUB_ENV, app_from_environment

    seen = {}
    monkeypatch.setattr("uvicorn.run", lambda app, **options: seen.update(app=app, **options))
    monkeypatch.delenv(HUB_ENV, raising=False)
    with pytest.raises(StoreError, match=HUB_ENV):
        app_from_environment()
    run("serve", "--workers", "2", "--max-body", "4096", hub=hub)
    assert seen["app"] == "dchkit.server.app:app_from_environment"
    assert seen["factory"] is True
    assert seen["workers"] == 2
    assert "/v1/changes" in app_from_environment().openapi()["paths"]
    monkeypatch.delenv(HUB_ENV)
    run("serve", "--workers", "2", hub=hub.parent / "absent.db", code=2)
