"""The SQLite store's schema migrations, in order.

A hub file records in ``schema_version`` the migrations applied to it; opening it applies
the missing ones, each in its own transaction (see :class:`~dchkit.store.SQLiteStore`).
A migration is never edited once released: a later shape of a table is a new migration,
and the shapes earlier migrations created are kept here (``_V1`` …) so that a new file
goes through the same steps as an old one.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

import numpy as np
import pyarrow as pa

from dchkit.schema import LINEAGE_SCHEMA
from dchkit.store._codec import decode
from dchkit.store._groups import encode_groups
from dchkit.store._sql import create_table, plain_table, quote, write_rows
from dchkit.store.base import TABLES, TableSpec

__all__ = ["MIGRATIONS", "SCHEMA_VERSION"]

#: Tables that later migrations add (migration 1 creates every other table).
_ADDED_LATER = frozenset({"term_frequencies", "blocking_counts", "blocking_records"})
#: Tables as earlier migrations created them, where a later migration changed them.
_V1_BLOCKING_KEYS = TableSpec(
    "blocking_keys",
    pa.schema([("rule", pa.string()), ("key", pa.string()), ("record_id", pa.string())]),
    indexes=(("rule", "key"), ("record_id",)),
)
_V3_BLOCKING_COUNTS = TableSpec(
    "blocking_counts",
    pa.schema([("key", pa.string()), ("rule", pa.string()), ("count", pa.int64())]),
    key=("key", "rule"),
)
_V1_LINEAGE = TableSpec(
    "lineage",
    pa.schema([("customer_id", pa.string())]),
    indexes=(("customer_id",),),
    document=LINEAGE_SCHEMA,
)
_V1 = {spec.name: spec for spec in (_V1_BLOCKING_KEYS, _V1_LINEAGE)}


def _migration_1(connection: sqlite3.Connection) -> None:
    """Create the hub tables, their indexes and the meta area."""
    connection.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
    for spec in TABLES.values():
        if spec.name not in _ADDED_LATER:
            for statement in create_table(_V1.get(spec.name, spec)):
                connection.execute(statement)


def _migration_2(connection: sqlite3.Connection) -> None:
    """Term frequencies become a keyed table (were an Arrow blob); drop unused tables."""
    for statement in create_table(TABLES["term_frequencies"]):
        connection.execute(statement)
    connection.execute("DROP TABLE IF EXISTS documents")
    connection.execute("DROP TABLE IF EXISTS blobs")


def _migration_3(connection: sqlite3.Connection) -> None:
    """Blocking keys indexed by key first; per-key record counts kept in their own table."""
    connection.execute('DROP INDEX IF EXISTS "ix_blocking_keys_rule_key"')
    connection.execute(
        'CREATE INDEX IF NOT EXISTS "ix_blocking_keys_key_rule" ON "blocking_keys" ("key", "rule")'
    )
    for statement in create_table(_V3_BLOCKING_COUNTS):
        connection.execute(statement)
    connection.execute(
        'INSERT INTO "blocking_counts" SELECT "key", "rule", count(*) FROM "blocking_keys" '
        'GROUP BY "key", "rule"'
    )


def _migration_4(connection: sqlite3.Connection) -> None:
    """The blocking-key index keeps 64-bit hashes of (rule, key) pairs, by record number.

    The stored keys are read and hashed a slice at a time, then written to the new
    tables (``dchkit.store.lookup`` describes them); the text tables go.
    """
    from dchkit.store.lookup import NEXT_RECORD_NUM, index_rows, key_hashes

    ids: list[pa.Array] = []
    hashes = []
    cursor = connection.execute('SELECT "record_id", "rule", "key" FROM "blocking_keys"')
    while rows := cursor.fetchmany(100_000):
        part = plain_table(list(_V1_BLOCKING_KEYS.columns), [(r[1], r[2], r[0]) for r in rows])
        ids.append(part.column("record_id").combine_chunks())
        hashes.append(key_hashes(part))
    connection.execute('DROP TABLE "blocking_keys"')
    connection.execute('DROP TABLE "blocking_counts"')
    for name in ("blocking_records", "blocking_keys", "blocking_counts"):
        for statement in create_table(TABLES[name]):
            connection.execute(statement)
    if not ids:
        return
    index = index_rows(pa.concat_arrays(ids), np.concatenate(hashes), 1)
    for name, table in (
        ("blocking_records", index.records),
        ("blocking_keys", index.keys),
        ("blocking_counts", index.stored_counts),
    ):
        names = table.column_names
        write_rows(connection, f"INSERT INTO {quote(name)} ({', '.join(map(quote, names))})", table)
    connection.execute(
        "INSERT OR REPLACE INTO meta VALUES (?, ?)",
        (NEXT_RECORD_NUM, str(index.records.num_rows + 1)),
    )


def _migration_5(connection: sqlite3.Connection) -> None:
    """Lineage is kept as one document per customer (was one row per golden value)."""
    spec = TABLES["lineage"]
    parts = []
    cursor = connection.execute('SELECT "data" FROM "lineage" ORDER BY "customer_id", rowid')
    while rows := cursor.fetchmany(100_000):
        parts.append(decode([r[0] for r in rows], spec.schema))
    connection.execute('DROP TABLE "lineage"')
    for statement in create_table(spec):
        connection.execute(statement)
    if not parts:
        return
    keys, texts = encode_groups(pa.concat_tables(parts), spec.columns.names)
    write_rows(
        connection,
        'INSERT INTO "lineage" ("customer_id", "data")',
        keys.append_column("data", texts),
    )


#: Ordered schema migrations: (version, what it does, function). Append, never edit.
MIGRATIONS: tuple[tuple[int, str, Callable[[sqlite3.Connection], None]], ...] = (
    (1, "hub tables, indexes and the meta area", _migration_1),
    (2, "term frequencies table", _migration_2),
    (3, "blocking keys by key, and their counts", _migration_3),
    (4, "blocking keys as 64-bit hashes", _migration_4),
    (5, "lineage as one document per customer", _migration_5),
)
#: The schema version this dchkit writes.
SCHEMA_VERSION = MIGRATIONS[-1][0]
