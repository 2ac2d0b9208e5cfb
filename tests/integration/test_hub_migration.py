"""A hub file of schema 3 (text key index, lineage row by row) opens, migrates and works."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest

import dchkit as dch
from dchkit.datasets import generate_world
from dchkit.demo import read_world_records
from dchkit.store._codec import encode
from dchkit.store.lookup import StoreLookup

# The blocking-key tables as schema 3 wrote them (text keys), frozen here on purpose.
_SCHEMA_3 = [
    'CREATE TABLE "blocking_keys" ("rule" TEXT, "key" TEXT, "record_id" TEXT)',
    'CREATE INDEX "ix_blocking_keys_record_id" ON "blocking_keys" ("record_id")',
    'CREATE INDEX "ix_blocking_keys_key_rule" ON "blocking_keys" ("key", "rule")',
    'CREATE TABLE "blocking_counts" ("key" TEXT, "rule" TEXT, "count" INTEGER, '
    'PRIMARY KEY ("key", "rule"))',
    'CREATE TABLE "lineage" ("customer_id" TEXT, "data" TEXT NOT NULL)',
    'CREATE INDEX "ix_lineage_customer_id" ON "lineage" ("customer_id")',
]
_INDEX_TABLES = ("blocking_records", "blocking_keys", "blocking_counts")


def _index(path: Path) -> dict[str, list[tuple[object, ...]]]:
    db = sqlite3.connect(path)
    try:
        return {t: sorted(db.execute(f'SELECT * FROM "{t}"').fetchall()) for t in _INDEX_TABLES}
    finally:
        db.close()


def _downgrade(path: Path, keys: pa.Table, lineage: pa.Table) -> None:
    """Turn the key index and the lineage of a hub file back into schema 3's tables."""
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("BEGIN")
    for table in (*_INDEX_TABLES, "lineage"):
        db.execute(f'DROP TABLE "{table}"')
    for statement in _SCHEMA_3:
        db.execute(statement)
    rows = list(
        zip(*(keys.column(c).to_pylist() for c in ("rule", "key", "record_id")), strict=True)
    )
    db.executemany('INSERT INTO "blocking_keys" VALUES (?, ?, ?)', rows)
    db.execute(
        'INSERT INTO "blocking_counts" SELECT "key", "rule", count(*) FROM "blocking_keys" '
        'GROUP BY "key", "rule"'
    )
    documents = encode(lineage).to_pylist()  # one JSON document per row, as schema 3 kept
    db.executemany(
        'INSERT INTO "lineage" VALUES (?, ?)',
        zip(lineage.column("customer_id").to_pylist(), documents, strict=True),
    )
    db.execute("DELETE FROM schema_version WHERE version > 3")
    db.execute("DELETE FROM meta WHERE key = 'key_index_next'")
    db.execute("COMMIT")
    db.close()


@pytest.mark.slow
def test_a_schema_3_hub_migrates_its_key_index_and_keeps_resolving(tmp_path: Path) -> None:
    world = generate_world(n_people=200, locale="ja", seed=5)
    records, _ = read_world_records(world, tmp_path / "world", default_region="JP")
    held_out, stored = records.slice(0, 3), records.slice(3)
    path = tmp_path / "hub.db"
    with dch.Hub(path) as hub:
        hub.ingest(stored)
        hub.resolve()
        engine = hub._engine()
        assert engine is not None
        keys = engine.blocking_keys(hub.store.read("records"))
        lineage = hub.store.read("lineage")
        customer = lineage.column("customer_id")[0].as_py()
        profile = hub.profiles.get(customer)
    expected = _index(path)
    _downgrade(path, keys, lineage)

    with dch.Hub(path) as hub:  # migration 4 hashes the text keys
        assert hub.store.schema_version == dch.store.SCHEMA_VERSION
        assert hub.store.check() == []
        assert _index(path) == expected
        assert hub.store.read("lineage").to_pylist() == lineage.to_pylist()
        assert hub.store.count("lineage") == lineage.num_rows
        assert hub.profiles.get(customer) == profile
        lookup = StoreLookup(hub.store)
        sample = keys.slice(0, 50)
        counts = lookup.key_counts(sample).to_pylist()
        for row, count in zip(sample.to_pylist(), counts, strict=True):
            holders = keys.filter(
                pc.and_(pc.equal(keys["rule"], row["rule"]), pc.equal(keys["key"], row["key"]))
            )
            assert count == holders.num_rows
        report = hub.ingest(held_out)  # resolved incrementally against the migrated index
        assert report.resolved == 3
        ids = held_out.column("record_id")
        assert hub.store.read("clusters", {"record_id": ids}).num_rows == 3
        assert hub.store.read("blocking_records", {"record_id": ids}).num_rows == 3
