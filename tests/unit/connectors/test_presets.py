"""One test per preset, on export files shaped like the real systems' exports."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow.compute as pc
import pytest

import dchkit.connectors as dc

from .conftest import assert_balanced


def rows(table, key="record_id"):
    return {r[key]: r for r in table.to_pylist()}


def test_every_preset_loads():
    names = dc.available_presets()
    assert len(names) >= 11
    for name in names:
        assert dc.load_preset(name).name == name


def test_salesforce_contacts(exports: Path):
    res = dc.csv(exports / "salesforce_contacts.csv", preset="salesforce_contacts").read_all()
    assert_balanced(res)
    assert res.report.rows_read == 5
    assert res.report.rejects_by_reason == {"duplicate_id": 1, "missing_id": 1}
    recs = rows(res.records)
    taro = recs["crm:0035g00000AbCdEAAV"]
    assert taro["emails"] == ["taro.yamada@example.co.jp"]
    assert taro["phones"] == ["+81312345678", "+819012345678"]
    assert taro["name_kana"] == "ヤマダ タロウ"  # half-width kana folded
    assert taro["postcode"] == "1000001"
    assert taro["street"] == "千代田1-1-1"
    assert taro["country"] == "JP"
    assert dict(taro["consent"]) == {"email": True}  # HasOptedOutOfEmail=false inverted
    assert dict(taro["external_ids"]) == {"salesforce_contact_id": "0035g00000AbCdEAAV"}
    assert taro["updated_at"] == dt.datetime(2024, 5, 1, 9, 30, tzinfo=dt.UTC)
    mary = recs["crm:0035g00000AbCdFAAV"]
    assert mary["phones"] == []  # a US number read with the JP default region
    assert dict(mary["consent"]) == {"email": False}
    assert mary["company"] == "Acme, Inc."
    hanako = recs["crm:0035g00000AbCdGAAV"]
    assert hanako["birth_date"] == dt.date(1985, 5, 1)  # 昭和60年5月1日
    assert {"email_invalid", "phone_unparseable", "consent_email_unrecognized"} <= set(
        hanako["quality"]
    )
    assert dict(hanako["attributes"])["emails_invalid"] == "not-an-email"
    dup = res.rejects.filter(pc.starts_with(res.rejects["reason"], "duplicate_id")).to_pylist()[0]
    assert dup["row_number"] == 4
    assert "row 2" in dup["reason"]


def test_salesforce_contacts_us_region(exports: Path):
    res = dc.csv(
        exports / "salesforce_contacts.csv", preset="salesforce_contacts", default_region="US"
    ).read_all()
    assert rows(res.records)["crm:0035g00000AbCdFAAV"]["phones"] == ["+14155550134"]


def test_salesforce_leads(exports: Path):
    res = dc.csv(exports / "salesforce_leads.csv", preset="salesforce_leads").read_all()
    assert_balanced(res)
    ken = rows(res.records)["crm:00Q5g00000XyZaBEAV"]
    assert ken["region"] == "大阪府"
    assert dict(ken["external_ids"]) == {"salesforce_lead_id": "00Q5g00000XyZaBEAV"}


def test_shopify_customers(exports: Path):
    res = dc.csv(exports / "shopify_customers.csv", preset="shopify_customers").read_all()
    assert_balanced(res)
    assert res.report.records == 3
    recs = rows(res.records)
    mai = recs["ec:6200000045733"]
    assert dict(mai["consent"]) == {"email": True, "sms": False}
    assert dict(mai["attributes"])["Note"] == "VIP customer,\nprefers evening delivery"
    assert mai["street"] == "丸の内1-1-7"
    john = recs["ec:6200000045734"]
    assert john["emails"] == ["john.doe@example.com"]
    assert john["street"] == "500 Main Street Apt 2"
    ken = recs["ec:6200000045735"]
    assert "consent_email_unrecognized" in ken["quality"]  # "maybe" is no consent word
    assert dict(ken["attributes"])["consent_email_raw"] == "maybe"


def test_shopify_orders(exports: Path):
    res = dc.csv(exports / "shopify_orders.csv", preset="shopify_orders").read_all()
    assert_balanced(res)
    assert res.report.rejects_by_reason == {"bad_timestamp": 1}
    events = rows(res.events, "event_id")
    first = events["ec:5100000004529"]
    assert first["type"] == "Order Completed"
    assert first["record_id"] == "ec:6200000045733"
    assert first["timestamp"] == dt.datetime(2023, 1, 8, 19, 18, 5, tzinfo=dt.UTC)
    assert first["channel"] == "store"
    assert first["value"] == 3630.0
    guest = events["ec:5100000004530"]
    assert guest["type"] == "Order Refunded"
    assert guest["record_id"] is None
    assert dict(guest["identifiers"]) == {"email": "guest@example.com"}
    assert guest["value"] == 1010.5


def test_hubspot_contacts(exports: Path):
    res = dc.csv(exports / "hubspot_contacts.csv", preset="hubspot_contacts").read_all()
    assert_balanced(res)
    maka = rows(res.records)["ma:51056"]
    assert maka["emails"] == ["maka_nagamura@gmail.com"]
    assert maka["name_kana"] == "ナガムラ マカ"
    assert maka["country"] == "JP"
    bob = rows(res.records)["ma:51057"]
    assert bob["region"] == "TX"
    assert bob["country"] == "US"


def test_hubspot_email_events(exports: Path):
    res = dc.jsonl(exports / "hubspot_email_events.jsonl", preset="hubspot_email_events").read_all()
    assert_balanced(res)
    assert res.report.rows_read == 5  # the blank line is not a row
    assert res.report.rejects_by_reason == {"invalid_json": 2}
    assert sorted(res.rejects["row_number"].to_pylist()) == [5, 6]
    assert res.events["type"].to_pylist() == ["Email Sent", "Email Opened", "Email Clicked"]
    sent = res.events.to_pylist()[0]
    assert dict(sent["identifiers"]) == {"email": "maka_nagamura@gmail.com"}
    assert sent["timestamp"] == dt.datetime(2023, 1, 17, 8, 53, 1, 648000, tzinfo=dt.UTC)


def test_marketo_email_activity(exports: Path):
    res = dc.csv(exports / "marketo_email_activity.csv", preset="marketo_email_activity").read_all()
    assert_balanced(res)
    assert res.events["type"].to_pylist() == ["Email Sent", "Email Opened", "Email Clicked"]


def test_zendesk_users(exports: Path):
    res = dc.jsonl(exports / "zendesk_users.jsonl", preset="zendesk_users").read_all()
    assert_balanced(res)
    recs = rows(res.records)
    morita = recs["support:360000855341"]
    assert (morita["family_name"], morita["given_name"]) == ("森田", "実")
    assert morita["phones"] == ["+818094896165"]  # full-width digits and spaces
    assert dict(morita["attributes"])["user_fields.member_rank"] == "silver"
    taro = recs["support:360000855342"]
    assert (taro["family_name"], taro["given_name"]) == ("Yamada", "Taro")
    assert dict(taro["external_ids"])["zendesk_external_id"] == "6200000045733"
    assert dict(taro["attributes"])["tags"] == '["vip","ja"]'


@pytest.mark.parametrize("kind", ["jsonl", "json"])
def test_zendesk_tickets(exports: Path, kind: str):
    if kind == "jsonl":
        conn = dc.jsonl(exports / "zendesk_tickets.jsonl", preset="zendesk_tickets")
    else:
        conn = dc.JsonConnector(
            exports / "zendesk_tickets.json", records_path="tickets", preset="zendesk_tickets"
        )
    res = conn.read_all()
    assert_balanced(res)
    assert (res.report.events, res.report.extra_events, res.report.rejects) == (2, 1, 1)
    events = rows(res.events, "event_id")
    assert events["support:1001"]["type"] == "Ticket Opened"
    assert events["support:1001:solved"]["type"] == "Ticket Solved"
    assert events["support:1001"]["record_id"] == "support:360000855341"
    assert events["support:1002"]["channel"] == "web"
    assert "is empty" in res.rejects["reason"][0].as_py()


def test_segment_events(exports: Path):
    res = dc.SegmentConnector(exports / "segment_events.jsonl").read_all()
    assert_balanced(res)
    assert res.report.rejects_by_reason == {"bad_timestamp": 1, "duplicate_id": 1}
    recs = rows(res.records)
    user = recs["web:6200000045733"]
    assert user["emails"] == ["mai@example.jp"]
    assert dict(user["external_ids"]) == {"user_id": "6200000045733"}
    # Every anonymous id of the user keeps a record hard-linked by user_id.
    for anon in ("anon-1", "anon-2", "anon-4"):
        assert dict(recs[f"web:{anon}"]["external_ids"]) == {
            "anonymous_id": anon,
            "user_id": "6200000045733",
        }
    assert dict(recs["web:anon-3"]["external_ids"]) == {"anonymous_id": "anon-3"}
    shared = recs["web:shared"]
    assert dict(shared["external_ids"]) == {"anonymous_id": "shared"}
    assert "anonymous_id_shared" in shared["quality"]
    assert "web:anon-5" not in recs  # its only message was rejected
    events = rows(res.events, "event_id")
    assert events["web:m1"]["type"] == "Page Viewed"
    assert events["web:m1"]["record_id"] == "web:anon-1"
    assert events["web:m3"]["record_id"] == "web:6200000045733"
    assert events["web:m3"]["value"] == 3630.0
    assert events["web:m4"]["type"] == "Screen Viewed"
    assert events["web:m5"]["type"] == "Aliased"


def test_pos_transactions_cp932(exports: Path):
    res = dc.csv(exports / "pos_transactions_cp932.csv", preset="pos_transactions").read_all()
    assert_balanced(res)
    events = rows(res.events, "event_id")
    first = events["pos:T0001"]
    assert dict(first["identifiers"]) == {"pos_member_no": "M00123", "phone": "+819012345678"}
    assert first["value"] == 1200.0
    assert first["timestamp"] == dt.datetime(2024, 5, 1, 1, 15, tzinfo=dt.UTC)  # JST
    assert "ﾔﾏﾀﾞ ﾀﾛｳ" in first["properties"]
    assert events["pos:T0002"]["value"] == 980.0
