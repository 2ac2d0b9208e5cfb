"""JSON-document rows round-trip every canonical type, in bulk and for a few rows."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pyarrow as pa
import pytest

from dchkit.schema import EVENTS_SCHEMA, GOLDEN_SCHEMA, RECORDS_SCHEMA, CustomerRecord, to_arrow
from dchkit.store._codec import decode, encode


def _records(n: int) -> pa.Table:
    rows = [
        CustomerRecord(
            source="crm",
            source_record_id=str(i),
            family_name=None if i % 3 else f'山田 "{i}"\\n',
            emails=() if i % 2 else (f"u{i}@example.jp", f"v{i}@example.jp"),
            birth_date=date(1980, 1, 1 + i % 28) if i % 4 else None,
            external_ids={"salesforce_contact_id": f"003{i}"} if i % 5 else {},
            consent={"email": bool(i % 2), "sms": False},
            attributes={"note": "tab\there\nline"} if i % 7 == 0 else {},
            updated_at=datetime(2024, 1, 1, 12, 0, 0, i, tzinfo=UTC),
        )
        for i in range(n)
    ]
    return to_arrow(rows)


@pytest.mark.parametrize("n", [1, 5, 40, 300])
def test_records_round_trip(n: int) -> None:
    table = _records(n)
    back = decode(encode(table), RECORDS_SCHEMA)
    assert back.to_pylist() == table.to_pylist()


def test_null_and_empty_collections_stay_distinct() -> None:
    table = pa.table(
        {"record_id": ["a", "b"], "source": ["s", "s"], "source_record_id": ["1", "2"],
         "emails": pa.array([None, []], pa.list_(pa.string()))}
    )  # fmt: skip
    back = decode(encode(table), RECORDS_SCHEMA)
    assert back.column("emails").to_pylist() == [None, []]


def test_empty_input_gives_an_empty_table_of_the_schema() -> None:
    assert decode([], GOLDEN_SCHEMA).num_rows == 0
    assert encode(EVENTS_SCHEMA.empty_table()).to_pylist() == []


def test_events_round_trip_with_identifiers_map() -> None:
    events = pa.table(
        {
            "event_id": ["e1", "e2"],
            "source": ["web", "web"],
            "type": ["Page Viewed", "Order Completed"],
            "timestamp": pa.array(
                [datetime(2024, 5, 1, tzinfo=UTC), datetime(2024, 5, 2, tzinfo=UTC)],
                pa.timestamp("us", tz="UTC"),
            ),
            "identifiers": pa.array([[("email", "a@x.jp")], []], pa.map_(pa.string(), pa.string())),
            "value": [None, 12.5],
        }
    )
    from dchkit.schema import conform

    table = conform(events, EVENTS_SCHEMA)
    assert decode(encode(table), EVENTS_SCHEMA).to_pylist() == table.to_pylist()


def test_few_rows_encode_to_the_same_text_as_many() -> None:
    """Point writes use Python's json; the text must equal the column-wise writer's, or a
    re-ingest in another batch size would look like a change."""
    from dchkit.store import _codec

    table = _records(60)
    weird = table.slice(0, 1).set_column(
        table.schema.get_field_index("company"), "company", pa.array(['a\x01b\x1fc\\"d\te'])
    )
    table = pa.concat_tables([table, weird])
    many = _codec.encode(table).to_pylist()
    few = [_codec.encode(table.slice(i, 1)).to_pylist()[0] for i in range(table.num_rows)]
    assert few == many
    assert "\ufffd" in few[-1]  # controls JSON cannot keep column-wise become U+FFFD either way
