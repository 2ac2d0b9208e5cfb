"""The ``Store`` protocol: the few table operations the hub needs from a database.

The hub keeps its state in named logical tables (:data:`TABLES`): source records and
events, clusters, golden records, indexes of identifiers and blocking keys, feedback, the
change feed, segments, suppressions and the audit log. A store implements six verbs over
them — ``upsert``, ``insert``, ``read``, ``delete``, ``count`` and a ``transaction`` —
plus a small key/value ``meta`` area. Tables go in and out as Arrow tables, so a store
for another database (PostgreSQL) is one class, and the layers never see SQL.

Each :class:`TableSpec` names its plain columns (stored as database columns, usable in
``where``), its primary key and indexes, and optionally a *document* schema: the whole
row of a canonical table (``RECORDS_SCHEMA`` …) kept as one JSON value, so list and map
columns need no side tables.

Examples:
    >>> from dchkit.store.base import TABLES
    >>> TABLES["records"].key, TABLES["clusters"].indexes
    (('record_id',), (('customer_id',),))
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Protocol, runtime_checkable

import pyarrow as pa

from dchkit.schema import EVENTS_SCHEMA, GOLDEN_SCHEMA, LINEAGE_SCHEMA, RECORDS_SCHEMA
from dchkit.schema import REJECTS_SCHEMA as _REJECTS

__all__ = ["TABLES", "Store", "TableSpec", "Where"]

#: Rows to match: column name → values; several columns match as tuples, row by row.
Where = Mapping[str, pa.Array | Sequence[object]]

_S, _I = pa.string(), pa.int64()
_TS = pa.timestamp("us", tz="UTC")


@dataclass(frozen=True)
class TableSpec:
    """One logical table of the hub.

    Attributes:
        name: Table name.
        columns: Plain columns (queryable, indexable).
        key: Primary key columns; empty for an append-only log with a ``cursor``.
        indexes: Secondary indexes (tuples of column names).
        document: Schema of the row kept as one JSON document, or None.
        versioned: Rows carry the ``seq`` of the write that inserted or changed them, so
            a store can tell which rows of an upsert are new or changed.
        cursor: Name of a monotonic integer column the store assigns on insert.
        clustered: Rows are kept in key order, with no separate row id: for a table
            that is only ever read by ranges of its key (SQLite's ``WITHOUT ROWID``).
        grouped: The rows sharing the values of the plain columns are kept together as
            one document (each other column a list): for a table whose rows are always
            written, read and deleted by those columns. ``insert`` appends to a group.
    """

    name: str
    columns: pa.Schema
    key: tuple[str, ...] = ()
    indexes: tuple[tuple[str, ...], ...] = ()
    document: pa.Schema | None = None
    versioned: bool = False
    cursor: str | None = None
    clustered: bool = False
    grouped: bool = False

    @cached_property
    def schema(self) -> pa.Schema:
        """What :meth:`Store.read` returns: the document's schema, else the plain columns."""
        if self.document is not None:
            return self.document.remove_metadata()
        fields = list(self.columns)
        if self.cursor is not None:
            fields.insert(0, pa.field(self.cursor, _I, nullable=False))
        return pa.schema(fields)


def _schema(*fields: tuple[str, pa.DataType]) -> pa.Schema:
    return pa.schema([pa.field(n, t) for n, t in fields])


_SPECS = (
    TableSpec(
        "records",
        _schema(("record_id", _S), ("source", _S), ("source_record_id", _S)),
        key=("record_id",),
        indexes=(("source",),),
        document=RECORDS_SCHEMA,
        versioned=True,
    ),
    TableSpec(
        "events",
        _schema(("event_id", _S), ("record_id", _S)),
        key=("event_id",),
        indexes=(("record_id",),),
        document=EVENTS_SCHEMA,
        versioned=True,
    ),
    TableSpec("rejects", _schema(("source", _S)), document=_REJECTS, cursor="reject_id"),
    TableSpec(
        "clusters",
        _schema(("record_id", _S), ("customer_id", _S)),
        key=("record_id",),
        indexes=(("customer_id",),),
    ),
    TableSpec(
        "aliases",
        _schema(("alias", _S), ("customer_id", _S)),
        key=("alias",),
        indexes=(("customer_id",),),
    ),
    TableSpec(
        "golden",
        _schema(("customer_id", _S)),
        key=("customer_id",),
        document=GOLDEN_SCHEMA,
        versioned=True,
    ),
    TableSpec("lineage", _schema(("customer_id", _S)), document=LINEAGE_SCHEMA, grouped=True),
    # The blocking-key index (see dchkit.store.lookup): each indexed record gets a number
    # and the 64-bit hashes of its (rule, key) pairs; blocking_keys lists the records of
    # each hash, blocking_counts how many there are.
    TableSpec(
        "blocking_records",
        _schema(("record_num", _I), ("record_id", _S), ("key_hashes", pa.binary())),
        key=("record_num",),
        indexes=(("record_id",),),
    ),
    TableSpec(
        "blocking_keys",
        _schema(("key_hash", _I), ("record_num", _I)),
        key=("key_hash", "record_num"),
        clustered=True,
    ),
    TableSpec("blocking_counts", _schema(("key_hash", _I), ("count", _I)), key=("key_hash",)),
    TableSpec(
        "identifiers",
        _schema(("key", _S), ("record_id", _S)),
        indexes=(("key",), ("record_id",)),
    ),
    TableSpec(
        "event_keys",
        _schema(("key", _S), ("event_id", _S)),
        indexes=(("key",), ("event_id",)),
    ),
    TableSpec(
        "term_frequencies",
        _schema(("column", _S), ("value", _S), ("count", _I)),
        key=("column", "value"),
    ),
    TableSpec(
        "feedback",
        _schema(("kind", _S), ("left", _S), ("right", _S), ("created_at", _TS), ("note", _S)),
        indexes=(("left",), ("right",)),
        cursor="feedback_id",
    ),
    TableSpec(
        "changes",
        _schema(
            ("at", _TS),
            ("kind", _S),
            ("customer_id", _S),
            ("other_id", _S),
            ("segment", _S),
            ("detail", _S),
        ),
        cursor="cursor",
    ),
    TableSpec(
        "segments",
        _schema(("name", _S), ("rule", _S), ("description", _S)),
        key=("name",),
    ),
    TableSpec(
        "segment_members",
        _schema(("segment", _S), ("customer_id", _S)),
        key=("segment", "customer_id"),
        indexes=(("customer_id",),),
    ),
    TableSpec("suppressions", _schema(("key_hash", _S), ("erased_at", _TS)), key=("key_hash",)),
    TableSpec(
        "audit",
        _schema(("timestamp", _TS), ("action", _S), ("customer_id", _S), ("detail", _S)),
        cursor="audit_id",
    ),
)

#: Every logical table of a hub, by name.
TABLES: dict[str, TableSpec] = {spec.name: spec for spec in _SPECS}


@runtime_checkable
class Store(Protocol):
    """What the hub needs from a database (SQLite by default; others can be added).

    Writes outside :meth:`transaction` commit on their own; inside it, all or nothing.
    """

    @property
    def nonblocking_reads(self) -> bool:
        """Whether a read outside a transaction never waits for another thread's writes.

        True when such a read sees the last committed state at once and is a quick local
        read (not a network call): a server may then run point reads on its event loop
        instead of handing each to a worker thread.
        """
        ...

    def transaction(self) -> AbstractContextManager[None]:
        """All writes inside commit together, or none does (re-entrant: inner blocks join)."""
        ...

    def upsert(self, table: str, rows: pa.Table) -> pa.Table:
        """Insert rows, replacing those with the same key.

        Returns:
            The key columns of rows that were inserted or whose content changed (for a
            versioned table; every row otherwise). Unchanged rows are left as they were.
        """
        ...

    def insert(self, table: str, rows: pa.Table) -> int:
        """Append rows (cursor tables number them); returns the last cursor, else 0."""
        ...

    def read(
        self,
        table: str,
        where: Where | None = None,
        *,
        after: int | None = None,
        limit: int | None = None,
        columns: Sequence[str] | None = None,
    ) -> pa.Table:
        """Rows matching ``where`` (all rows when None), in the table's :attr:`~TableSpec.schema`.

        ``after`` keeps rows whose cursor (or, for a versioned table, ``seq``) is greater,
        in that order; ``limit`` caps the count; ``columns`` reads only those plain
        columns, or the cursor (cheap: no document is decoded).
        """
        ...

    def rows(self, table: str, where: Where) -> list[dict[str, Any]]:
        """Rows matching ``where`` as Python dicts (for reading one object: no Arrow trip).

        Values take the types ``read`` would give as Python objects (maps as lists of
        ``(key, value)`` pairs, timestamps as aware datetimes).
        """
        ...

    def delete(self, table: str, where: Where | None = None) -> int:
        """Delete rows matching ``where`` (all rows when None); returns how many."""
        ...

    def count(self, table: str) -> int:
        """Number of rows of a table."""
        ...

    def get_meta(self, key: str) -> str | None:
        """A value of the key/value area, or None."""
        ...

    def set_meta(self, key: str, value: str) -> None:
        """Set a value of the key/value area."""
        ...

    def check(self) -> list[str]:
        """Integrity problems found (empty when the store is sound)."""
        ...

    def close(self) -> None:
        """Release the connection; the object cannot be used afterwards."""
        ...


def spec_of(name: str) -> TableSpec:
    """The spec of a logical table (a typo is a programming error: KeyError)."""
    return TABLES[name]


def chunks(length: int, size: int) -> Iterator[tuple[int, int]]:
    """``(start, stop)`` ranges covering ``length`` items in steps of ``size``."""
    for start in range(0, length, size):
        yield start, min(start + size, length)
