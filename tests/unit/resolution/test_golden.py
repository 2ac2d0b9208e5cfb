from __future__ import annotations

from datetime import UTC, datetime

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from dchkit.errors import ConfigError
from dchkit.resolution import golden
from dchkit.resolution.golden import build_golden

T = pa.timestamp("us", tz="UTC")


@pytest.fixture(autouse=True, params=["python", "columns"])
def path(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every test on both paths: a few records in Python, and the column path."""
    if request.param == "columns":
        monkeypatch.setattr(golden, "SMALL_ROWS", -1)
    return str(request.param)


def records() -> pa.Table:
    return pa.table(
        {
            "record_id": ["crm:1", "ec:1", "ma:1", "crm:2"],
            "source": ["crm", "ec", "ma", "crm"],
            "source_record_id": ["1", "1", "1", "2"],
            "given_name": ["Bob", "Robert", "Bob", "Ann"],
            "family_name": ["Smith", "Smith", None, "Lee"],
            "emails": [["bob@x.com"], ["robert@x.com", "bob@x.com"], [], ["ann@y.com"]],
            "phones": [["+14155550101"], [], ["+14155550199"], None],
            "postcode": ["94105", "10001", None, "60601"],
            "city": ["San Francisco", "New York", "Boston", "Chicago"],
            "street": ["1 Main St", "2 Broadway", None, "3 Lake St"],
            "external_ids": pa.array(
                [[("salesforce_contact_id", "003A")], [("shopify_customer_id", "9")], [], []],
                pa.map_(pa.string(), pa.string()),
            ),
            "consent": pa.array(
                [[("email", True)], [("email", False)], [("sms", True)], []],
                pa.map_(pa.string(), pa.bool_()),
            ),
            "updated_at": pa.array(
                [
                    datetime(2023, 1, 1, tzinfo=UTC),
                    datetime(2024, 6, 1, tzinfo=UTC),
                    datetime(2022, 1, 1, tzinfo=UTC),
                    None,
                ],
                T,
            ),
            "quality": [[], ["phone_unparseable"], [], []],
        }
    )


CLUSTERS = pa.table(
    {"record_id": ["crm:1", "ec:1", "ma:1", "crm:2"], "customer_id": ["c1", "c1", "c1", "c2"]}
)


def golden_row(result, customer="c1"):
    return result.golden.filter(pc.equal(result.golden["customer_id"], customer)).to_pylist()[0]


def test_default_rules_keep_all_values_and_move_the_address_together():
    g = golden_row(build_golden(records(), CLUSTERS))
    assert g["given_name"] == "Bob"  # most frequent
    assert g["family_name"] == "Smith"
    assert g["emails"] == ["bob@x.com", "robert@x.com"]  # all values, most frequent first
    assert sorted(g["phones"]) == ["+14155550101", "+14155550199"]
    # the most recent record with an address supplies every address field
    assert (g["postcode"], g["city"], g["street"]) == ("10001", "New York", "2 Broadway")
    assert dict(g["external_ids"]) == {"salesforce_contact_id": "003A", "shopify_customer_id": "9"}
    assert dict(g["consent"]) == {"email": False, "sms": True}  # latest wins per key
    assert (g["record_count"], g["sources"]) == (3, ["crm", "ec", "ma"])
    assert g["updated_at"] == datetime(2024, 6, 1, tzinfo=UTC)


def test_rules_source_priority_most_complete_and_callables():
    by_source = golden_row(
        build_golden(
            records(),
            CLUSTERS,
            rules={"given_name": "source_priority"},
            source_priority=("ec", "crm"),
        )
    )
    assert by_source["given_name"] == "Robert"
    complete = golden_row(build_golden(records(), CLUSTERS, rules={"given_name": "most_complete"}))
    assert complete["given_name"] == "Robert"

    def prefer_short(candidates: pa.Table) -> pa.Array:
        return pc.negate(pc.utf8_length(candidates["value"]))

    custom = build_golden(records(), CLUSTERS, rules={"given_name": prefer_short})
    assert golden_row(custom)["given_name"] == "Bob"
    assert "prefer_short" in custom.lineage["rule"].to_pylist()


def test_lineage_says_where_each_value_came_from():
    lineage = build_golden(records(), CLUSTERS).lineage
    rows = lineage.filter(
        pc.and_(pc.equal(lineage["customer_id"], "c1"), pc.equal(lineage["field"], "emails"))
    ).to_pylist()
    origin = {r["value"]: r["record_id"] for r in rows}
    assert origin == {"bob@x.com": "ec:1", "robert@x.com": "ec:1"}  # the latest supplier
    street = lineage.filter(pc.equal(lineage["field"], "street")).to_pylist()
    assert {(r["customer_id"], r["record_id"]) for r in street} == {("c1", "ec:1"), ("c2", "crm:2")}


def test_bad_rules_and_missing_clusters_are_refused():
    with pytest.raises(ConfigError, match="unknown survivorship rule"):
        build_golden(records(), CLUSTERS, rules={"given_name": "newest"})
    with pytest.raises(ConfigError, match="not single-valued"):
        build_golden(records(), CLUSTERS, rules={"emails": "most_recent"})
    with pytest.raises(ConfigError, match="no customer"):
        build_golden(records(), CLUSTERS.slice(0, 2))
