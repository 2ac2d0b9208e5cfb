"""The HTTP API over a SQLite hub of the synthetic world: every endpoint, auth, problems."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import pytest

pytest.importorskip("fastapi")

from fastapi.testclient import TestClient

import dchkit as dch
from dchkit.cli.ingest import connector_for
from dchkit.datasets import generate_world
from dchkit.demo import DEMO_ID_ALIASES
from dchkit.resolution import ResolverConfig
from dchkit.server import create_app, create_key, revoke_key

pytestmark = pytest.mark.slow
PROBLEM = "application/problem+json"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("http")
    world = generate_world(n_people=120, locale="en", seed=5).write(out / "world")
    manifest = json.loads((world / "manifest.json").read_text())["tables"].values()
    path = out / "customers.db"
    with dch.Hub(path, config=ResolverConfig(id_type_aliases=DEMO_ID_ALIASES)) as hub:
        hub.default_region = "US"
        for table in manifest:
            file = world / table["file"]
            hub.ingest(connector_for(file, preset=table["preset"], source=table["source"]))
        hub.resolve()
    return path


@pytest.fixture
def hub(built: Path, tmp_path: Path):
    copy = tmp_path / "hub.db"
    for suffix in ("", "-wal", "-shm"):
        if Path(str(built) + suffix).exists():
            shutil.copy(str(built) + suffix, str(copy) + suffix)
    with dch.Hub(copy) as opened:
        opened.default_region = "US"
        yield opened


@pytest.fixture
def keys(hub) -> dict[str, dict[str, str]]:
    return {
        scope: {"Authorization": f"Bearer {create_key(hub, scope, name=scope)[1]}"}
        for scope in ("read", "write", "admin")
    }


@pytest.fixture
def client(hub) -> TestClient:
    return TestClient(create_app(hub, max_body=200_000))


def problem_of(response, status: int) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["status"] == status
    assert body["detail"]
    return body


def a_customer(hub, at_least: int = 3, source: str = "crm"):
    golden = hub.store.read("golden").to_pylist()
    golden.sort(key=lambda g: (-g["record_count"], g["customer_id"]))
    return next(
        g
        for g in golden
        if g["record_count"] >= at_least and g["emails"] and source in g["sources"]
    )


def test_health_needs_no_key_and_openapi_lists_every_route(client):
    assert client.get("/v1/health").json()["status"] == "ok"
    paths = set(client.get("/openapi.json").json()["paths"])
    assert {
        "/v1/records", "/v1/events", "/v1/customers", "/v1/customers/lookup",
        "/v1/customers/{customer_id}", "/v1/customers/{customer_id}/timeline",
        "/v1/customers/{customer_id}/traits", "/v1/customers/{customer_id}/explain",
        "/v1/explain", "/v1/segments", "/v1/segments/{name}", "/v1/segments/{name}/members",
        "/v1/feedback", "/v1/changes", "/v1/resolve",
    } <= paths  # fmt: skip


def test_no_key_bad_key_revoked_key_are_401(client, hub, keys):
    cid = a_customer(hub)["customer_id"]
    missing = client.get(f"/v1/customers/{cid}")
    assert problem_of(missing, 401)["code"] == "unauthorized"
    assert missing.headers["www-authenticate"].startswith("Bearer")
    problem_of(client.get(f"/v1/customers/{cid}", headers={"Authorization": "Bearer dch_x_y"}), 401)
    problem_of(client.get(f"/v1/customers/{cid}", headers={"Authorization": "Basic abc"}), 401)
    info, token = create_key(hub, "read")
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get(f"/v1/customers/{cid}", headers=headers).status_code == 200
    revoke_key(hub, info.key_id)
    assert client.get(f"/v1/customers/{cid}", headers=headers).status_code == 200  # cached
    fresh = TestClient(create_app(hub, key_ttl=0))
    problem_of(fresh.get(f"/v1/customers/{cid}", headers=headers), 401)


def test_a_read_key_cannot_write_and_nothing_is_written(client, hub, keys):
    before = hub.store.count("records")
    body = {"source": "app", "records": [{"id": "1", "email": "new@example.com"}]}
    assert (
        problem_of(client.post("/v1/records", json=body, headers=keys["read"]), 403)["code"]
        == "forbidden"
    )
    cid = a_customer(hub)["customer_id"]
    problem_of(client.delete(f"/v1/customers/{cid}", headers=keys["write"]), 403)
    problem_of(client.post("/v1/resolve", headers=keys["write"]), 403)
    assert hub.store.count("records") == before


def test_profile_by_id_and_by_every_identifier(client, hub, keys):
    golden = a_customer(hub)
    cid, email = golden["customer_id"], golden["emails"][0]
    profile = client.get(f"/v1/customers/{cid}", headers=keys["read"]).json()
    assert profile["customer_id"] == cid
    assert len(profile["records"]) == golden["record_count"]
    assert "lifetime_value" in profile["traits"]
    record_id = profile["records"][0]["record_id"]
    id_type, id_value = next(iter(golden["external_ids"]))
    queries = [
        {"email": email.upper()},
        {"record_id": record_id},
        {"id_type": id_type, "id_value": id_value},
    ]
    for query in queries:
        found = client.get("/v1/customers", params=query, headers=keys["read"])
        assert found.json()["customer_id"] == cid, (query, found.text)
        posted = client.post("/v1/customers/lookup", json=query, headers=keys["read"])
        assert posted.json()["customer_id"] == cid
    nobody = client.post(
        "/v1/customers/lookup", json={"email": "no@x.invalid"}, headers=keys["read"]
    )
    assert problem_of(nobody, 404)["code"] == "profile-not-found"
    assert problem_of(client.get("/v1/customers/cus_nobody", headers=keys["read"]), 404)
    two = client.get("/v1/customers", params={"email": email, "phone": "1"}, headers=keys["read"])
    assert problem_of(two, 422)["code"] == "request-invalid"
    assert problem_of(client.get("/v1/customers", headers=keys["read"]), 422)
    traits = client.get(f"/v1/customers/{cid}/traits", headers=keys["read"]).json()
    assert traits == profile["traits"]
    lean = client.get(f"/v1/customers/{cid}", params={"traits": "false"}, headers=keys["read"])
    assert lean.json()["traits"] == {}
    assert lean.json()["golden"] == profile["golden"]
    typo = client.get("/v1/customers", params={"emial": email}, headers=keys["read"])
    assert problem_of(typo, 422)["errors"] == [
        {"loc": ["query", "emial"], "msg": "unknown query parameter", "type": "extra_forbidden"}
    ]
    not_allowed = client.put(f"/v1/customers/{cid}", headers=keys["admin"])
    assert problem_of(not_allowed, 405)
    assert not_allowed.headers["allow"] == "DELETE, GET"


def test_timeline_pages_follow_the_cursor(client, hub, keys):
    events = hub.store.read("events", columns=["record_id"]).column("record_id").to_pylist()
    busiest = max(set(events) - {None}, key=lambda r: (events.count(r), r))
    cid = hub.profiles.lookup(record_id=busiest).customer_id
    first = client.get(f"/v1/customers/{cid}/timeline", params={"limit": 2}, headers=keys["read"])
    page = first.json()
    seen = [e["event_id"] for e in page["events"]]
    while page["next_cursor"]:
        params = {"limit": 2, "cursor": page["next_cursor"]}
        page = client.get(
            f"/v1/customers/{cid}/timeline", params=params, headers=keys["read"]
        ).json()
        seen += [e["event_id"] for e in page["events"]]
    assert len(seen) == len(set(seen)) == first.json()["total"] >= 3
    bad = client.get(f"/v1/customers/{cid}/timeline", params={"cursor": "zz"}, headers=keys["read"])
    problem_of(bad, 422)
    problem_of(
        client.get(f"/v1/customers/{cid}/timeline", params={"limit": 0}, headers=keys["read"]), 422
    )


def test_ingest_records_resolves_in_real_time_and_is_idempotent(client, hub, keys):
    golden = a_customer(hub)
    body = {
        "source": "app",
        "records": [
            {"id": "u1", "email": golden["emails"][0].upper(), "given_name": golden["given_name"],
             "family_name": golden["family_name"], "phones": list(golden["phones"][:1])},
            {"id": "u2", "email": "brand.new@example.com", "given_name": "Brand",
             "family_name": "New", "external_ids": {"app_user_id": "A2"}, "consent": {"email": True}},
        ],
    }  # fmt: skip
    written = client.post("/v1/records", json=body, headers=keys["write"])
    assert written.status_code == 200, written.text
    out = written.json()
    assert out["inserted"] == 2
    assert out["resolved"] == 2
    assert out["pending"] == 0
    assert out["customers"]["app:u1"] == golden["customer_id"]
    assert out["customers"]["app:u2"] != golden["customer_id"]
    again = client.post("/v1/records", json=body, headers=keys["write"]).json()
    assert again["unchanged"] == 2
    assert again["inserted"] == 0
    new = client.get(
        "/v1/customers", params={"id_type": "app_user_id", "id_value": "A2"}, headers=keys["read"]
    )
    assert new.json()["consent"]["email"]["granted"] is True


def test_ingest_rows_through_a_preset_keeps_or_fails_on_rejects(client, hub, keys):
    rows = [
        {"Id": "003NEW1", "FirstName": "Ann", "LastName": "Lee", "Email": "ann.lee@example.com"},
        {"Id": "003NEW1", "FirstName": "Ann", "LastName": "Lee", "Email": "dup@example.com"},
    ]
    before = hub.store.count("records")
    body = {"source": "crm", "preset": "salesforce_contacts", "rows": rows, "on_reject": "fail"}
    failed = client.post("/v1/records", json=body, headers=keys["write"])
    assert problem_of(failed, 422)["code"] == "record-normalization-failed"
    assert hub.store.count("records") == before
    kept = client.post(
        "/v1/records", json=body | {"on_reject": "keep"}, headers=keys["write"]
    ).json()
    assert kept["inserted"] == 1
    assert kept["rejects_by_reason"] == {"duplicate_id": 1}
    assert kept["reject_rows"][0]["row_number"] == 2
    assert "dup@example.com" not in json.dumps(kept)
    assert set(kept["customers"]) == {"crm:003NEW1"}
    assert hub.store.count("records") == before + 1


@pytest.mark.parametrize(
    "body",
    [
        {"records": [{"id": "1"}]},  # no source
        {"source": "app", "records": [{"id": "1", "shoe_size": 9}]},  # unknown field
        {"source": "app", "records": [{"id": "1"}], "rows": [{"a": "b"}], "preset": "x"},
        {"source": "app", "rows": [{"a": "b"}]},  # rows without a preset
        {"source": "bad source!", "records": [{"id": "1"}]},
        {"source": "app", "records": [{"id": "1"}, {"id": "1"}]},  # the same id twice
        {"source": "app", "records": [{"id": "1", "birth_date": "not a date"}]},
        {"source": "crm", "preset": "salesforse_contacts", "rows": [{"Id": "1"}]},
        {"source": "app", "records": []} | {"records": [{"id": ""}]},
    ],
)
def test_bad_input_is_a_problem_and_writes_nothing(client, hub, keys, body):
    before = (hub.store.count("records"), hub.store.count("changes"))
    response = client.post("/v1/records", json=body, headers=keys["write"])
    assert 400 <= response.status_code < 500
    problem_of(response, response.status_code)
    assert (hub.store.count("records"), hub.store.count("changes")) == before


def test_malformed_and_oversized_bodies_are_refused(client, hub, keys):
    before = hub.store.count("records")
    raw = client.post(
        "/v1/records",
        content=b"{not json",
        headers=keys["write"] | {"content-type": "application/json"},
    )
    problem_of(raw, 422)
    records = [{"id": str(i), "full_name": "x" * 100} for i in range(3000)]
    big = client.post(
        "/v1/records", json={"source": "app", "records": records}, headers=keys["write"]
    )
    assert problem_of(big, 413)["code"] == "too-large"
    assert hub.store.count("records") == before


def test_events_join_the_timeline(client, hub, keys):
    golden = a_customer(hub)
    cid = golden["customer_id"]
    before = client.get(f"/v1/customers/{cid}/timeline", headers=keys["read"]).json()["total"]
    events = {
        "events": [
            {"event_id": "e1", "source": "app", "type": "Order Completed", "value": 12.5,
             "timestamp": "2024-05-01T10:00:00Z", "identifiers": {"email": golden["emails"][0]},
             "properties": {"sku": "A1"}},
            {"event_id": "e2", "source": "app", "type": "Page Viewed",
             "timestamp": "2024-05-02T10:00:00Z", "record_id": f"{golden['sources'][0]}:nope"},
        ]
    }  # fmt: skip
    written = client.post("/v1/events", json=events, headers=keys["write"])
    assert written.json()["events"] == 2, written.text
    after = client.get(f"/v1/customers/{cid}/timeline", headers=keys["read"]).json()
    assert after["total"] == before + 1
    assert any(e["event_id"] == "e1" for e in after["events"])
    unattached = {
        "events": [
            {"event_id": "e3", "source": "app", "type": "X", "timestamp": "2024-01-01T00:00:00Z"}
        ]
    }
    problem_of(client.post("/v1/events", json=unattached, headers=keys["write"]), 422)


def test_segments_define_list_page_and_delete(client, hub, keys):
    put = client.put(
        "/v1/segments/buyers", json={"rule": "order_count >= 1"}, headers=keys["write"]
    )
    assert put.json()["rule"] == "order_count >= 1", put.text
    tree = {"op": ">=", "args": [{"field": "order_count"}, {"value": 2}]}
    assert (
        client.put("/v1/segments/repeat", json={"rule": tree}, headers=keys["write"]).json()[
            "condition"
        ]
        == tree
    )
    listed = client.get("/v1/segments", headers=keys["read"]).json()
    assert [s["name"] for s in listed] == ["buyers", "repeat"]
    everyone = client.get("/v1/segments/buyers/members", headers=keys["read"]).json()
    assert everyone["total"] == len(everyone["members"]) > 3
    paged, cursor = [], None
    while True:
        params = {"limit": 3} | ({"cursor": cursor} if cursor else {})
        page = client.get("/v1/segments/buyers/members", params=params, headers=keys["read"]).json()
        paged += page["members"]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert paged == everyone["members"]
    bad = client.put("/v1/segments/bad", json={"rule": "order_count >="}, headers=keys["write"])
    assert problem_of(bad, 422)["code"] == "segment-syntax"
    problem_of(
        client.put("/v1/segments/x", json={"rule": "nosuchfield > 1"}, headers=keys["write"]), 422
    )
    problem_of(client.put("/v1/segments/buyers", json={"rule": "x"}, headers=keys["read"]), 403)
    assert client.delete("/v1/segments/repeat", headers=keys["write"]).status_code == 204
    assert [s["name"] for s in client.get("/v1/segments", headers=keys["read"]).json()] == [
        "buyers"
    ]
    problem_of(client.get("/v1/segments/repeat/members", headers=keys["read"]), 422)


def test_feedback_changes_explain_resolve_and_erasure(client, hub, keys):
    golden = a_customer(hub)
    cid = golden["customer_id"]
    ids = sorted(r.record_id for r in hub.profiles.get(cid).records)
    crm = next(i for i in ids if i.startswith("crm:"))
    cursor = client.get("/v1/changes", headers=keys["read"]).json()["next_cursor"]
    explained = client.get(
        "/v1/explain", params={"left": ids[0], "right": ids[1]}, headers=keys["read"]
    )
    assert explained.json()["steps"], explained.text
    edges = client.get(f"/v1/customers/{cid}/explain", headers=keys["read"]).json()
    assert sorted(edges["record_ids"]) == ids
    split = client.post(
        "/v1/feedback", json={"kind": "split_out", "left": crm}, headers=keys["write"]
    )
    assert split.status_code == 201, split.text
    bad_pair = {"kind": "must_link", "left": crm}
    problem_of(client.post("/v1/feedback", json=bad_pair, headers=keys["write"]), 422)
    unknown = {"kind": "cannot_link", "left": crm, "right": "crm:none"}
    problem_of(client.post("/v1/feedback", json=unknown, headers=keys["write"]), 404)
    resolved = client.post("/v1/resolve", headers=keys["admin"]).json()
    assert resolved["split"] >= 1
    changes = client.get("/v1/changes", params={"since": cursor}, headers=keys["read"]).json()
    assert "split" in {c["kind"] for c in changes["changes"]}
    assert changes["next_cursor"] > cursor
    assert (
        client.get(
            "/v1/changes", params={"since": changes["next_cursor"]}, headers=keys["read"]
        ).json()["changes"]
        == []
    )
    members = sorted(r.record_id for r in hub.profiles.get(cid).records)
    erased = client.delete(f"/v1/customers/{cid}", headers=keys["admin"])
    assert erased.json()["customer_id"] == cid, erased.text
    problem_of(client.get(f"/v1/customers/{cid}", headers=keys["read"]), 404)
    last = client.get(
        "/v1/changes", params={"since": changes["next_cursor"]}, headers=keys["read"]
    ).json()
    assert last["changes"][-1]["kind"] == "erased"
    # The person signs up again: an admin lifts the suppression of a record of theirs.
    lift = {"identifiers": {"record_id": members[0]}}
    problem_of(client.post("/v1/suppressions/lift", json=lift, headers=keys["write"]), 403)
    problem_of(
        client.post("/v1/suppressions/lift", json={"identifiers": {}}, headers=keys["admin"]), 422
    )
    lifted = client.post("/v1/suppressions/lift", json=lift, headers=keys["admin"])
    assert lifted.status_code == 200, lifted.text
    assert lifted.json() == {"lifted": 1}
    again = client.post("/v1/suppressions/lift", json=lift, headers=keys["admin"])
    assert again.json() == {"lifted": 0}


def test_logs_carry_no_personal_data(client, hub, keys, caplog):
    golden = a_customer(hub)
    email, cid = golden["emails"][0], golden["customer_id"]
    caplog.set_level(logging.DEBUG)
    client.get("/v1/customers", params={"email": email}, headers=keys["read"])
    client.get(f"/v1/customers/{cid}/timeline", headers=keys["read"])
    client.post("/v1/customers/lookup", json={"email": "nobody@example.com"}, headers=keys["read"])
    access = [r.getMessage() for r in caplog.records if r.name == "dchkit.server.access"]
    assert access == [
        "GET /v1/customers 200" + access[0].split("200", 1)[1],
        "GET /v1/customers/{customer_id}/timeline 200" + access[1].split("200", 1)[1],
        "POST /v1/customers/lookup 404" + access[2].split("404", 1)[1],
    ]
    # Everything the server side logged (the test client's own request log aside).
    text = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith("httpx"))
    for secret in (email, cid, "nobody@example.com", keys["read"]["Authorization"][7:]):
        assert secret not in text


def test_profile_reads_run_on_the_event_loop_for_a_file_and_in_a_thread_for_memory(
    hub, keys, monkeypatch
):
    """A file store reads without waiting for writers: no worker thread per request."""
    import asyncio

    from dchkit.server import routes_customers

    on_loop: list[bool] = []
    real = routes_customers.customer_profile

    def spy(*args, **kwargs):
        try:
            asyncio.get_running_loop()
            on_loop.append(True)
        except RuntimeError:  # a worker thread runs no event loop
            on_loop.append(False)
        return real(*args, **kwargs)

    monkeypatch.setattr(routes_customers, "customer_profile", spy)
    customer = a_customer(hub)["customer_id"]
    client = TestClient(create_app(hub))
    assert client.get(f"/v1/customers/{customer}", headers=keys["read"]).status_code == 200
    memory = dch.Hub()
    memory.ingest([{"id": "1", "email": "taro@example.jp"}], source="crm")
    memory.resolve()
    token = create_key(memory, "read")[1]
    in_memory = TestClient(create_app(memory))
    found = in_memory.get(
        "/v1/customers?email=taro@example.jp", headers={"Authorization": f"Bearer {token}"}
    )
    assert found.status_code == 200
    assert on_loop == [True, False]  # the in-memory store's read went to a worker thread
    assert hub.store.nonblocking_reads
    assert not memory.store.nonblocking_reads


def test_a_serving_process_freezes_its_heap_at_startup(hub, monkeypatch):
    import gc

    frozen: list[bool] = []
    monkeypatch.setattr(gc, "freeze", lambda: frozen.append(True))
    with TestClient(create_app(hub)) as client:
        assert client.get("/v1/health").status_code == 200
    assert frozen == []
    with TestClient(create_app(hub, settle=True)) as client:
        assert client.get("/v1/health").status_code == 200
    assert frozen == [True]
