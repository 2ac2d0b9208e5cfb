"""Unit tests of the profile layer on a small hand-made hub built from plain tables."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pyarrow as pa
import pytest

from dchkit.errors import (
    ConfigError,
    ProfileError,
    ProfileNotFoundError,
    SegmentError,
    SegmentSyntaxError,
)
from dchkit.profile import (
    Formula,
    ProfileStore,
    SegmentRegistry,
    Trait,
    campaign_conversions,
    channel_mix,
    compute_traits,
    evaluate_rule,
    lifetime_value_distribution,
    parse,
    profile_table,
    salesforce_upsert,
    stale_leads,
    support_issues,
    write_table,
)
from dchkit.resolution.golden import build_golden
from dchkit.schema import EVENTS_SCHEMA, RECORDS_SCHEMA

NOW = datetime(2024, 6, 30, tzinfo=UTC)
MAP = pa.map_(pa.string(), pa.string())


def _day(n: int) -> datetime:
    return NOW - timedelta(days=n)


@pytest.fixture
def store() -> ProfileStore:
    records = pa.table(
        {
            "record_id": ["crm:1", "ec:1", "ma:1", "ec:2", "crm:3"],
            "source": ["crm", "ec", "ma", "ec", "crm"],
            "source_record_id": ["1", "1", "1", "2", "3"],
            "given_name": ["Taro", "Taro", None, "Hanako", "Jiro"],
            "family_name": ["Yamada", "Yamada", None, "Sato", "Yamada"],
            "emails": [
                ["taro@example.jp"],
                ["taro@example.jp"],
                ["taro@example.jp"],
                ["hanako@example.jp"],
                [],
            ],
            "phones": [["+81312345678"], [], [], ["+81312345678"], ["+81312345678"]],
            "external_ids": pa.array(
                [
                    [("salesforce_contact_id", "003A")],
                    [("shopify_customer_id", "9")],
                    [],
                    [("anonymous_id", "anon-h")],
                    [],
                ],
                MAP,
            ),
            "consent": pa.array(
                [[("email", True)], [("email", False), ("sms", True)], [], [("email", True)], []],
                pa.map_(pa.string(), pa.bool_()),
            ),
            "attributes": pa.array([[], [], [("Create Date", "2024-05-01 10:00")], [], []], MAP),
            "updated_at": [_day(100), _day(10), _day(60), _day(5), _day(1)],
        }
    )
    records = records.cast(pa.schema([RECORDS_SCHEMA.field(n) for n in records.column_names]))
    clusters = pa.table(
        {
            "record_id": ["crm:1", "ec:1", "ma:1", "ec:2", "crm:3"],
            "customer_id": ["c1", "c1", "c1", "c2", "c3"],
        }
    )
    built = build_golden(records, clusters)
    events = pa.table(
        {
            "event_id": ["o1", "o2", "r1", "t1", "t1:solved", "m1", "p1", "p2", "x1", "o3"],
            "source": ["ec", "ec", "ec", "support", "support", "ma", "web", "web", "web", "ec"],
            "type": [
                "Order Completed",
                "Order Completed",
                "Order Refunded",
                "Ticket Opened",
                "Ticket Solved",
                "Email Opened",
                "Page Viewed",
                "Page Viewed",
                "Page Viewed",
                "Order Completed",
            ],
            "timestamp": [
                _day(200),
                _day(20),
                _day(19),
                _day(15),
                _day(14),
                _day(40),
                _day(3),
                _day(2),
                _day(1),
                _day(30),
            ],
            "record_id": ["ec:1", "ec:1", "ec:1", None, None, None, None, None, None, "ec:2"],
            "identifiers": pa.array(
                [
                    [],
                    [],
                    [],
                    [("email", "taro@example.jp")],
                    [("email", "taro@example.jp")],
                    [("email", "taro@example.jp")],
                    [("anonymous_id", "anon-h")],
                    [("anonymous_id", "anon-h")],
                    [("anonymous_id", "nobody")],
                    [],
                ],
                MAP,
            ),
            "channel": [
                "web",
                "store",
                "store",
                "email",
                "email",
                "email",
                "web",
                "web",
                "web",
                "web",
            ],
            "value": [100.0, 50.0, 50.0, None, None, None, None, None, None, 30.0],
            "properties": [
                None,
                None,
                None,
                '{"subject": "Login"}',
                '{"subject": "Login"}',
                '{"campaignName": "spring"}',
                None,
                None,
                None,
                None,
            ],
        }
    ).cast(EVENTS_SCHEMA.remove(EVENTS_SCHEMA.get_field_index("currency")))
    return ProfileStore(
        records=records,
        clusters=clusters,
        golden=built.golden,
        lineage=built.lineage,
        events=events,
        aliases={"c0": "c1"},
        salt=b"0" * 16,
    )


def test_lookup_by_every_kind_of_identifier(store: ProfileStore) -> None:
    assert store.lookup(email="TARO@example.jp").customer_id == "c1"
    assert store.lookup(salesforce_contact_id="003A").customer_id == "c1"
    assert store.lookup(record_id="ma:1").customer_id == "c1"
    assert store.lookup(anonymous_id="anon-h").customer_id == "c2"
    assert store.lookup("c0").customer_id == "c1"  # merged alias → survivor
    assert store.find(phone="03-1234-5678") == ("c1", "c2", "c3")
    with pytest.raises(ProfileError, match="shared by 3 customers"):
        store.lookup(phone="+81312345678")
    with pytest.raises(ProfileNotFoundError):
        store.lookup(email="nobody@example.jp")
    with pytest.raises(ProfileError, match="exactly one"):
        store.lookup(email="a", phone="b")


def test_profile_consent_is_latest_wins_with_source(store: ProfileStore) -> None:
    profile = store.get("c1")
    assert profile.consent["email"].granted is False
    assert profile.consent["email"].record_id == "ec:1"
    assert profile.consent["sms"].source == "ec"
    assert not profile.consents_to("email")
    assert profile.consents_to("sms")
    assert "Profile('c1', name='Taro Yamada'" in repr(profile)


def test_events_attach_by_record_then_identifiers(store: ProfileStore) -> None:
    assert store.stats()["unattributed_events"] == 1
    assert store.unattributed["event_id"].to_pylist() == ["x1"]
    ids = store.timeline("c2", order="asc").events["event_id"].to_pylist()
    assert ids == ["o3", "p1", "p2"]


def test_timeline_filters_and_cursor(store: ProfileStore) -> None:
    page = store.timeline("c1", within="30d", now=NOW)
    assert page.events["event_id"].to_pylist() == ["t1:solved", "t1", "r1", "o2"]
    assert store.timeline("c1", channels=["store"]).total == 2
    assert store.timeline("c1", sources="support", since=_day(14)).events[
        "event_id"
    ].to_pylist() == ["t1:solved"]
    with pytest.raises(ProfileError, match="cursor"):
        store.timeline("c1", cursor="garbage!")
    with pytest.raises(ProfileError, match="limit"):
        store.timeline("c1", limit=0)


def test_trait_aggregates(store: ProfileStore) -> None:
    traits = [
        Trait("n", "count"),
        Trait("spend_90d", "sum", "value", types="Order Completed", within="90d"),
        Trait("first_order", "min", "timestamp", types="Order Completed"),
        Trait("avg_order", "mean", "value", types="Order Completed"),
        Trait("first_channel", "first", "channel"),
        Trait("last_type", "last", "type"),
        Trait("top_channel", "most_frequent", "channel"),
        Trait("channels", "count_distinct", "channel"),
        Formula("net", "spend_90d - 10"),
    ]
    table = compute_traits(store, traits, now=NOW)
    rows = {r["customer_id"]: r for r in table.to_pylist()}
    c1 = rows["c1"]
    assert (c1["n"], c1["spend_90d"], c1["avg_order"], c1["channels"]) == (6, 50.0, 75.0, 3)
    assert c1["first_order"] == _day(200)
    assert (c1["first_channel"], c1["last_type"], c1["top_channel"]) == (
        "web",
        "Ticket Solved",
        "email",
    )
    assert c1["net"] == 40.0
    assert rows["c3"]["n"] == 0
    assert rows["c3"]["first_order"] is None
    with pytest.raises(ConfigError):
        Trait("bad", "sum", "channel")
    with pytest.raises(ConfigError):
        Trait("bad", "median", "value")  # type: ignore[arg-type]


def test_builtin_traits(store: ProfileStore) -> None:
    table = store.refresh_traits(now=NOW)
    rows = {r["customer_id"]: r for r in table.to_pylist()}
    assert rows["c1"]["lifetime_value"] == 100.0  # 150 of orders − 50 refunded
    assert rows["c1"]["order_count"] == 2
    assert rows["c1"]["open_tickets"] == 0
    assert rows["c1"]["preferred_channel"] == "email"
    assert rows["c2"]["last_seen"] == _day(2)
    assert rows["c3"]["rfm_score"] is None
    assert rows["c1"]["rfm_frequency"] == 5
    assert store.get("c1").traits["order_count"] == 2


def test_rules_evaluate_with_windows_consent_and_strings(store: ProfileStore) -> None:
    def members(rule: str) -> list[str]:
        return evaluate_rule(store, rule, now=NOW).to_pylist()

    assert members(
        'lifetime_value >= 50 and count(events, type="Order Completed", within="10d") == 0'
    ) == ["c1"]
    assert members("consent.email") == ["c2"]
    assert members('family_name == "Yamada" and not consent.email') == ["c1", "c3"]
    assert members('given_name in ["Jiro", "Hanako"]') == ["c2", "c3"]
    assert members('emails contains "hanako@example.jp"') == ["c2"]
    assert members('given_name starts_with "Ta" or given_name matches "^J"') == ["c1", "c3"]
    assert members("last_seen >= now() - 2d") == ["c2"]
    assert members("days_since(last_seen) < 3") == ["c2"]
    assert members('updated_at > timestamp("2024-06-20T00:00:00")') == ["c2", "c3"]
    assert members("birth_date is null") == ["c1", "c2", "c3"]
    assert evaluate_rule(store, "true", now=NOW, require_consent="email").to_pylist() == ["c2"]


def test_rule_errors_point_at_the_mistake(store: ProfileStore) -> None:
    with pytest.raises(SegmentSyntaxError) as caught:
        parse("order_count >= 1 and and consent.email")
    assert caught.value.column == 22
    assert "^" in str(caught.value)
    with pytest.raises(SegmentError, match=r"(?i)did you mean 'lifetime_value'"):
        evaluate_rule(store, "lifetime_valu > 3", now=NOW)
    with pytest.raises(SegmentError, match="cannot compare"):
        evaluate_rule(store, 'order_count > "3"', now=NOW)
    with pytest.raises(SegmentError, match="not a condition"):
        evaluate_rule(store, "order_count + 1", now=NOW)
    with pytest.raises(SegmentError, match="unknown function"):
        evaluate_rule(store, "cuont(events) > 1", now=NOW)


def test_segments_materialize_changes_and_json_rules(store: ProfileStore) -> None:
    segments = SegmentRegistry(store)
    rule = {
        "op": "and",
        "args": [
            {"op": ">=", "args": [{"field": "order_count"}, {"value": 1}]},
            {"field": "consent.email"},
        ],
    }
    segments.define("buyers_ok", rule)
    assert str(segments.get("buyers_ok").rule) == "order_count >= 1 and consent.email"
    first = segments.materialize("buyers_ok", now=NOW)
    assert first.entered.to_pylist() == ["c2"]
    segments.define("buyers_ok", "order_count >= 1")
    second = segments.materialize("buyers_ok", now=NOW)
    assert (second.entered.to_pylist(), second.exited.to_pylist()) == (["c1"], [])
    third = segments.define("buyers_ok", "order_count >= 2") and segments.materialize(
        "buyers_ok", now=NOW
    )
    assert third.exited.to_pylist() == ["c2"]
    assert third.to_table().to_pylist() == [{"customer_id": "c2", "change": "exited"}]
    with pytest.raises(SegmentError, match="no segment"):
        segments.members("nope")


def test_forget_removes_and_suppresses(store: ProfileStore) -> None:
    erasure = store.forget(salesforce_contact_id="003A")
    assert (erasure.customer_id, erasure.records, erasure.events) == ("c1", 3, 6)
    assert store.find(email="taro@example.jp") == ()
    assert store.find(phone="+81312345678") == ("c2", "c3")  # the shared number stays theirs
    again = store.suppress(
        pa.table({"record_id": ["crm:1", "crm:9"], "emails": [[], ["taro@example.jp"]]})
    )
    assert again.kept.num_rows == 0
    assert again.dropped.num_rows == 2
    assert store.audit["action"].to_pylist()[-1] == "erased"


def test_exports_and_salesforce_shape(store: ProfileStore, tmp_path: Path) -> None:
    store.refresh_traits(now=NOW)
    table = profile_table(store, require_consent="email")
    assert table["customer_id"].to_pylist() == ["c2"]
    assert "lifetime_value" in table.column_names
    sf = {r["Dchkit_Customer_Id__c"]: r for r in salesforce_upsert(store).to_pylist()}
    assert sf["c1"]["Id"] == "003A"
    assert sf["c1"]["HasOptedOutOfEmail"] is True
    assert sf["c3"]["Email"] is None
    for suffix in ("parquet", "csv", "jsonl"):
        path = write_table(profile_table(store), tmp_path / f"profiles.{suffix}")
        assert path.stat().st_size > 0
    lines = (tmp_path / "profiles.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["customer_id"] for line in lines] == ["c1", "c2", "c3"]
    with pytest.raises(ProfileError, match="file format"):
        write_table(table, tmp_path / "profiles.xlsx")


def test_analyses(store: ProfileStore) -> None:
    issues = support_issues(store).to_pylist()
    assert issues[0]["category"] == "Login"
    assert issues[0]["median_hours_to_resolve"] == pytest.approx(24.0)
    conversions = campaign_conversions(store, within="30d").to_pylist()
    assert conversions == [
        {
            "campaign": "spring",
            "customers": 1,
            "converted": 1,
            "conversion_rate": 1.0,
            "revenue": 50.0,
        }
    ]
    stale = stale_leads(store, days=7, follow_ups=("Call Logged",), now=NOW).to_pylist()
    assert [r["record_id"] for r in stale] == ["ma:1"]
    assert stale[0]["first_follow_up"] is None
    distribution = lifetime_value_distribution(store, bands=(0, 60), now=NOW).to_pylist()
    assert [d["customers"] for d in distribution] == [2, 1]
    mix = (
        channel_mix(store)
        .filter(pa.compute.equal(channel_mix(store)["customer_id"], "c2"))
        .to_pylist()
    )
    assert [(m["channel"], m["events"]) for m in mix] == [("web", 3)]


def test_events_with_equal_timestamps_are_ordered_by_event_id(store: ProfileStore) -> None:
    events = pa.table(
        {
            "event_id": ["e3", "e1", "e2", "e0"],
            "source": ["ec"] * 4,
            "type": ["Page Viewed"] * 4,
            "timestamp": [_day(1), _day(1), _day(1), _day(2)],
            "record_id": ["ec:2"] * 4,
        }
    )
    tied = ProfileStore(
        records=store.records,
        clusters=store.clusters,
        golden=store.golden,
        lineage=store.lineage,
        events=events,
    )
    ids = tied.timeline("c2", order="asc").events["event_id"].to_pylist()
    assert ids == ["e0", "e1", "e2", "e3"]
    first = tied.timeline("c2", limit=2)
    assert first.events["event_id"].to_pylist() == ["e3", "e2"]
    rest = tied.timeline("c2", limit=2, cursor=first.next_cursor)
    assert rest.events["event_id"].to_pylist() == ["e1", "e0"]
    assert rest.next_cursor is None


def test_map_value_matches_arrow_map_lookup() -> None:
    from dchkit.profile._arrow import map_value

    maps = pa.array(
        [[("email", True), ("sms", False)], None, [], [("sms", True), ("sms", False)]],
        pa.map_(pa.string(), pa.bool_()),
    )
    for array in (maps, maps.slice(1)):
        for key in ("email", "sms", "post"):
            expected = pa.compute.map_lookup(array, pa.scalar(key), "first")
            assert map_value(array, key).to_pylist() == expected.to_pylist()


def test_profiles_keep_their_own_traits_after_an_erasure(store: ProfileStore) -> None:
    store.refresh_traits(now=NOW)
    before = dict(store.get("c2").traits)
    assert before["order_count"] == 1
    store.forget("c1")
    assert dict(store.get("c2").traits) == before
    assert store.get("c3").traits["order_count"] == 0
    assert store.stats()["customers"] == 2


def test_merges_of_a_resolution_start_the_audit_log_and_aliases_resolve() -> None:
    from dchkit.resolution import Resolver

    records = pa.table(
        {
            "record_id": ["crm:1", "ec:9"],
            "source": ["crm", "ec"],
            "source_record_id": ["1", "9"],
            "family_name": ["Yamada", "Yamada"],
            "emails": [["taro@example.jp"], ["taro@example.jp"]],
        }
    )
    res = Resolver().resolve(records, previous={"crm:1": "cus_a", "ec:9": "cus_b"})
    store = ProfileStore.from_resolution(res)
    survivor = res.customer_of("crm:1")
    merged_away = ({"cus_a", "cus_b"} - {survivor}).pop()
    log = store.audit.to_pylist()
    assert [(r["action"], r["customer_id"]) for r in log] == [("merged", survivor)]
    assert merged_away in log[0]["detail"]
    assert store.lookup(merged_away).customer_id == survivor


def test_splits_of_a_resolution_are_audited() -> None:
    from dchkit.resolution import Resolver

    records = pa.table(
        {
            "record_id": ["crm:1", "ec:9"],
            "source": ["crm", "ec"],
            "source_record_id": ["1", "9"],
            "family_name": ["Yamada", "Sato"],
            "emails": [["taro@example.jp"], ["hanako@example.jp"]],
        }
    )
    res = Resolver().resolve(records, previous={"crm:1": "cus_a", "ec:9": "cus_a"})
    store = ProfileStore.from_resolution(res)
    assert res.customer_of("crm:1") != res.customer_of("ec:9")
    log = store.audit.to_pylist()
    assert [r["action"] for r in log] == ["split"]
    assert "cus_a" in log[0]["detail"]


def test_json_lines_and_csv_are_written_column_wise_as_json(tmp_path: Path) -> None:
    table = pa.table(
        {
            "s": ["a", 'q"uo\\te\nnl', None, "日本語\t"],
            "f": [1.5, float("nan"), None, -0.25],
            "b": [True, False, None, True],
            "ts": pa.array(
                [datetime(2024, 6, 30, 1, 2, 3, 456789, tzinfo=UTC), None, None, _day(0)],
                pa.timestamp("us", tz="UTC"),
            ),
            "l": [["x", None], None, [], ['"']],
            "m": pa.array(
                [[("email", True), ("sms", None)], None, [], [('k"', False)]],
                pa.map_(pa.string(), pa.bool_()),
            ),
            "lm": pa.array(
                [[[("a", "1")]], None, [[]], []], pa.list_(pa.map_(pa.string(), pa.string()))
            ),
        }
    ).slice(0)
    lines = write_table(table, tmp_path / "t.jsonl").read_text(encoding="utf-8").splitlines()
    rows = [json.loads(line) for line in lines]
    assert rows[0] == {
        "s": "a",
        "f": 1.5,
        "b": True,
        "ts": "2024-06-30T01:02:03.456789Z",
        "l": ["x", None],
        "m": {"email": True, "sms": None},
        "lm": [{"a": "1"}],
    }
    assert rows[1] == dict.fromkeys(table.column_names) | {"s": 'q"uo\\te\nnl', "b": False}
    assert (rows[2]["l"], rows[2]["m"], rows[2]["lm"]) == ([], {}, [{}])
    assert (rows[3]["s"], rows[3]["m"], rows[3]["l"]) == ("日本語\t", {'k"': False}, ['"'])
    import pyarrow.csv as pacsv

    read = pacsv.read_csv(write_table(table, tmp_path / "t.csv"))
    assert [json.loads(v) if v else None for v in read["m"].to_pylist()] == [r["m"] for r in rows]
    assert [json.loads(v) if v else None for v in read["lm"].to_pylist()] == [r["lm"] for r in rows]


def test_parse_properties_reads_every_row_in_order() -> None:
    from dchkit.profile.analyses import parse_properties

    events = pa.table({"properties": ['{"a": 1,\n "b": "x"}', None, '{"a": 2, "c": [1]}']})
    assert parse_properties(events).to_pylist() == [
        {"a": 1, "b": "x", "c": None},
        {"a": None, "b": None, "c": None},
        {"a": 2, "b": None, "c": [1]},
    ]
    assert parse_properties(events.slice(2)).to_pylist() == [{"a": 2, "c": [1]}]
    assert parse_properties(events.slice(0, 0)).num_rows == 0


def test_display_names_read_family_first_in_japanese() -> None:
    from dchkit.profile import Profile
    from dchkit.schema import GoldenRecord

    def name(**fields: str) -> str | None:
        golden = GoldenRecord(customer_id="c", record_count=1, sources=("crm",), **fields)
        return Profile(golden=golden, records=(), lineage=()).name

    assert name(family_name="山田", given_name="花子") == "山田 花子"
    assert name(family_name="ヤマダ", given_name="ハナコ") == "ヤマダ ハナコ"
    assert name(family_name="Yamada", given_name="Hanako") == "Hanako Yamada"
    assert name(family_name="山田") == "山田"
    assert name(full_name="Hanako Yamada", family_name="山田") == "Hanako Yamada"
    assert name() is None
