"""Every built-in connector passes dchkit.testing.ConnectorContract."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import dchkit.connectors as dc
from dchkit.testing import ConnectorContract

EXPORTS = Path(__file__).resolve().parents[1] / "fixtures" / "exports"
CONTACTS = {"records": {"id": "Id", "emails": "Email"}}


class TestCsvConnector(ConnectorContract):
    @pytest.fixture
    def connector(self):
        return dc.csv(EXPORTS / "salesforce_contacts.csv", preset="salesforce_contacts")

    @pytest.fixture
    def empty_connector(self, tmp_path: Path):
        path = tmp_path / "empty.csv"
        path.write_text("Id,Email\n")
        return dc.csv(path, source="crm", mapping=CONTACTS)


class TestJsonLinesConnector(ConnectorContract):
    @pytest.fixture
    def connector(self):
        return dc.jsonl(EXPORTS / "zendesk_tickets.jsonl", preset="zendesk_tickets")

    @pytest.fixture
    def empty_connector(self, tmp_path: Path):
        path = tmp_path / "empty.jsonl"
        path.write_text("\n")
        return dc.jsonl(path, preset="zendesk_users")


class TestJsonConnector(ConnectorContract):
    @pytest.fixture
    def connector(self):
        return dc.JsonConnector(
            EXPORTS / "zendesk_tickets.json", records_path="tickets", preset="zendesk_tickets"
        )

    @pytest.fixture
    def empty_connector(self, tmp_path: Path):
        path = tmp_path / "empty.json"
        path.write_text("[]")
        return dc.JsonConnector(path, preset="zendesk_users")


class TestParquetConnector(ConnectorContract):
    @pytest.fixture
    def connector(self, tmp_path: Path):
        path = tmp_path / "c.parquet"
        pq.write_table(
            pa.table({"Id": ["1", "2", "2"], "Email": ["a@x.jp", "b@x.jp", "c@x.jp"]}), path
        )
        return dc.parquet(path, source="crm", mapping=CONTACTS)

    @pytest.fixture
    def empty_connector(self, tmp_path: Path):
        path = tmp_path / "e.parquet"
        pq.write_table(
            pa.table({"Id": pa.array([], pa.string()), "Email": pa.array([], pa.string())}), path
        )
        return dc.parquet(path, source="crm", mapping=CONTACTS)


class TestInMemoryConnector(ConnectorContract):
    @pytest.fixture
    def connector(self):
        return dc.InMemoryConnector(
            [{"record_id": "1", "email": "a@x.jp"}, {"record_id": None}], source="app"
        )

    @pytest.fixture
    def empty_connector(self):
        return dc.InMemoryConnector(
            pa.table({"record_id": pa.array([], pa.string())}), source="app"
        )


class TestSqlConnector(ConnectorContract):
    @pytest.fixture
    def db(self):
        db = sqlite3.connect(":memory:")
        db.execute('create table c ("Id" text, "Email" text)')
        db.executemany(
            "insert into c values (?, ?)", [("1", "A@x.jp"), ("2", None), ("2", "dup@x.jp")]
        )
        return db

    @pytest.fixture
    def connector(self, db):
        return dc.SqlConnector(db, "select * from c", source="crm", mapping=CONTACTS)

    @pytest.fixture
    def empty_connector(self, db):
        return dc.SqlConnector(db, "select * from c where 0", source="crm", mapping=CONTACTS)


class TestSegmentConnector(ConnectorContract):
    @pytest.fixture
    def connector(self):
        return dc.SegmentConnector(EXPORTS / "segment_events.jsonl")

    @pytest.fixture
    def empty_connector(self, tmp_path: Path):
        path = tmp_path / "empty.jsonl"
        path.write_text("")
        return dc.SegmentConnector(path)
