from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pyarrow as pa
import pytest

from dchkit.errors import ConfigError
from dchkit.schema import (
    CLUSTERS_SCHEMA,
    EVENTS_SCHEMA,
    GOLDEN_SCHEMA,
    LINEAGE_SCHEMA,
    RECORDS_SCHEMA,
    REJECTS_SCHEMA,
    ClusterAssignment,
    CustomerRecord,
    Event,
    GoldenRecord,
    LineageEntry,
    Reject,
    conform,
    from_arrow,
    to_arrow,
)

JST = timezone(timedelta(hours=9))

EXAMPLES = [
    CustomerRecord(
        source="crm",
        source_record_id="0035g00000AbCdE",
        given_name="太郎",
        family_name="髙橋",
        full_name="髙橋 太郎",
        name_kana="タカハシ タロウ",
        emails=("taro.takahashi@example.jp", "t.taka@gmail.com"),
        phones=("+81312345678",),
        birth_date=date(1988, 4, 1),
        postcode="1000001",
        country="JP",
        region="東京都",
        city="千代田区",
        street="千代田1-1",
        company="株式会社サンプル",
        external_ids={"salesforce_contact_id": "0035g00000AbCdE"},
        consent={"email": True, "sms": False},
        attributes={"LeadSource": "Web"},
        updated_at=datetime(2024, 5, 1, 9, 30, tzinfo=JST),
        quality=("phone_landline",),
    ),
    Event(
        event_id="ec:order:1001",
        source="ec",
        type="Order Completed",
        timestamp=datetime(2024, 5, 2, 12, 0, tzinfo=UTC),
        record_id="ec:7001",
        identifiers={"email": "taro.takahashi@example.jp"},
        channel="web",
        value=12800.0,
        currency="JPY",
        properties='{"order_number": "#1001"}',
    ),
    ClusterAssignment(record_id="crm:0035g00000AbCdE", customer_id="C-000001", run_id="r1"),
    GoldenRecord(
        customer_id="C-000001",
        family_name="髙橋",
        emails=("taro.takahashi@example.jp",),
        record_count=2,
        sources=("crm", "ec"),
        first_seen=datetime(2020, 1, 1, tzinfo=UTC),
    ),
    LineageEntry(
        customer_id="C-000001",
        field="phones",
        value="+81312345678",
        record_id="crm:0035g00000AbCdE",
        source="crm",
        rule="most_recent",
    ),
    Reject(
        source="crm",
        location="contacts.csv",
        row_number=7,
        raw="a,b",
        reason="2 columns, expected 9",
    ),
]
SCHEMAS = [
    RECORDS_SCHEMA,
    EVENTS_SCHEMA,
    CLUSTERS_SCHEMA,
    GOLDEN_SCHEMA,
    LINEAGE_SCHEMA,
    REJECTS_SCHEMA,
]


@pytest.mark.parametrize(("instance", "schema"), list(zip(EXAMPLES, SCHEMAS, strict=True)))
def test_model_arrow_model_round_trip(instance, schema):
    table = to_arrow([instance])
    assert table.schema.equals(schema)
    assert from_arrow(table, type(instance)) == [instance]


def test_record_id_defaults_to_source_and_source_id():
    rec = CustomerRecord(source="ec", source_record_id="7001")
    assert rec.record_id == "ec:7001"


def test_timestamps_are_stored_in_utc():
    rec = EXAMPLES[0]
    assert rec.updated_at == datetime(2024, 5, 1, 0, 30, tzinfo=UTC)
    column = to_arrow([rec]).column("updated_at")
    assert column.type == pa.timestamp("us", tz="UTC")


def test_required_fields_are_non_nullable_and_the_rest_nullable():
    assert not RECORDS_SCHEMA.field("record_id").nullable
    assert RECORDS_SCHEMA.field("emails").nullable
    assert RECORDS_SCHEMA.field("emails").type == pa.list_(pa.string())
    assert RECORDS_SCHEMA.field("external_ids").type == pa.map_(pa.string(), pa.string())
    assert EVENTS_SCHEMA.field("timestamp").type == pa.timestamp("us", tz="UTC")


def test_conform_orders_casts_and_fills_missing_columns():
    raw = pa.table(
        {
            "source": ["crm"],
            "record_id": ["crm:1"],
            "source_record_id": ["1"],
            "birth_date": ["1990-02-03"],
        }
    )
    table = conform(raw, RECORDS_SCHEMA)
    assert table.schema.equals(RECORDS_SCHEMA)
    assert table.column("birth_date").to_pylist() == [date(1990, 2, 3)]
    assert table.column("emails").to_pylist() == [None]


def test_conform_names_unknown_and_missing_columns():
    with pytest.raises(ConfigError, match="'nickname'"):
        conform(pa.table({"record_id": ["a"], "nickname": ["Bob"]}), RECORDS_SCHEMA)
    with pytest.raises(ConfigError, match="required column 'source'"):
        conform(pa.table({"record_id": ["a"]}), RECORDS_SCHEMA)
    with pytest.raises(ConfigError, match="2 null value"):
        conform(
            pa.table(
                {"record_id": [None, None], "source": ["a", "b"], "source_record_id": ["1", "2"]}
            ),
            RECORDS_SCHEMA,
        )


def test_conform_of_a_table_already_in_the_schema_keeps_it_and_its_checks():
    raw = pa.table({"record_id": ["a"], "source": ["crm"], "source_record_id": ["1"]})
    table = conform(raw, RECORDS_SCHEMA)
    assert conform(table, RECORDS_SCHEMA) is table  # nothing to do
    bare = table.replace_schema_metadata(None)  # as a store reads it back
    again = conform(bare, RECORDS_SCHEMA)
    assert again.schema.equals(RECORDS_SCHEMA, check_metadata=True)
    assert again.column("record_id").to_pylist() == ["a"]
    holes = pa.Table.from_arrays(
        [pa.nulls(1, f.type) if f.name == "source" else table.column(f.name) for f in table.schema],
        schema=RECORDS_SCHEMA,
    )
    with pytest.raises(ConfigError, match="'source' has 1 null value"):
        conform(holes, RECORDS_SCHEMA)


def test_unknown_fields_are_rejected_at_the_api_edge():
    with pytest.raises(ValueError, match="extra"):
        CustomerRecord(source="crm", source_record_id="1", nick="Bob")  # type: ignore[call-arg]


def test_conform_reads_python_dicts_as_maps():
    # pa.Table.from_pylist makes structs of dicts, with the union of every row's keys.
    events = pa.Table.from_pylist(
        [
            {"event_id": "1", "source": "ec", "type": "x", "timestamp": "2024-05-01T10:00:00Z",
             "identifiers": {"email": "a@x.jp"}},
            {"event_id": "2", "source": "ec", "type": "x", "timestamp": "2024-05-01T10:00:00Z",
             "identifiers": {"user_id": "u1"}},
            {"event_id": "3", "source": "ec", "type": "x", "timestamp": "2024-05-01T10:00:00Z",
             "identifiers": None},
        ]
    )  # fmt: skip
    assert pa.types.is_struct(events.schema.field("identifiers").type)
    conformed = conform(events, EVENTS_SCHEMA, what="events")
    assert conformed.column("identifiers").to_pylist() == [
        [("email", "a@x.jp")],
        [("user_id", "u1")],
        None,
    ]
    records = pa.Table.from_pylist(
        [
            {"record_id": "crm:1", "source": "crm", "source_record_id": "1",
             "consent": {"email": True, "sms": None}, "external_ids": {}},
        ]
    )  # fmt: skip
    row = conform(records, RECORDS_SCHEMA).to_pylist()[0]
    assert (row["consent"], row["external_ids"]) == ([("email", True)], [])
