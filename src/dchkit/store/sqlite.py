"""``SQLiteStore``: the embedded default store — one SQLite file (or memory), WAL mode.

Write-ahead logging lets readers in other processes read while one writer writes; every
write runs in an explicit ``BEGIN IMMEDIATE`` transaction, so a process killed at any
moment leaves the file at its last commit. The schema is versioned: ``schema_version``
records the migrations applied, :data:`MIGRATIONS` lists them in order, and opening a
file written by a newer dchkit fails with :class:`~dchkit.errors.StoreMigrationError`
instead of guessing.

Rows of canonical tables (records, events, golden, lineage, rejects) are kept as one JSON
document each beside their key columns (see ``dchkit.store._codec``); index tables
(clusters, identifiers, blocking keys …) are plain indexed columns.

Examples:
    >>> import pyarrow as pa
    >>> from dchkit.store import SQLiteStore
    >>> store = SQLiteStore()  # in memory
    >>> rows = pa.table({"alias": ["cus_2"], "customer_id": ["cus_1"]})
    >>> store.upsert("aliases", rows).num_rows
    1
    >>> store.read("aliases", {"customer_id": ["cus_1"]}).to_pylist()
    [{'alias': 'cus_2', 'customer_id': 'cus_1'}]
    >>> store.check()
    []
"""

from __future__ import annotations

import sqlite3
import threading
import weakref
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from dchkit.errors import StoreError, StoreIntegrityError, StoreMigrationError
from dchkit.store._codec import (
    decode,
    encode,
    python_row,
    python_row_value,
    row_converters,
)
from dchkit.store.base import TABLES, TableSpec, Where, chunks

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "SQLiteStore"]

#: Per document table, the fields whose JSON form needs converting on a point read.
_CONVERTERS = {
    name: row_converters(spec.schema) for name, spec in TABLES.items() if spec.document is not None
}
#: Paths of databases that live in one connection only (no separate read connections).
_PRIVATE = frozenset({":memory:", ""})
#: Bound parameters per statement (SQLite allows 32766; smaller keeps statements cheap).
_BATCH = 4000


def _sql_type(kind: pa.DataType) -> str:
    if pa.types.is_integer(kind) or pa.types.is_timestamp(kind) or pa.types.is_boolean(kind):
        return "INTEGER"
    if pa.types.is_binary(kind):
        return "BLOB"
    return "TEXT"


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _create_table(spec: TableSpec) -> list[str]:
    parts = []
    if spec.cursor is not None:
        parts.append(f"{_quote(spec.cursor)} INTEGER PRIMARY KEY AUTOINCREMENT")
    parts.extend(f"{_quote(f.name)} {_sql_type(f.type)}" for f in spec.columns)
    if spec.versioned:
        parts.append("seq INTEGER NOT NULL")
    if spec.document is not None:
        parts.append("data TEXT NOT NULL")
    if spec.key:
        parts.append(f"PRIMARY KEY ({', '.join(map(_quote, spec.key))})")
    statements = [f"CREATE TABLE {_quote(spec.name)} ({', '.join(parts)})"]
    indexes = list(spec.indexes) + ([("seq",)] if spec.versioned else [])
    for columns in indexes:
        index = f"ix_{spec.name}_{'_'.join(columns)}"
        statements.append(
            f"CREATE INDEX {_quote(index)} ON {_quote(spec.name)} ({', '.join(map(_quote, columns))})"
        )
    return statements


#: Tables that later migrations add (migration 1 creates every other table).
_ADDED_LATER = frozenset({"term_frequencies", "blocking_counts"})


def _migration_1(connection: sqlite3.Connection) -> None:
    """Create the hub tables, their indexes and the meta area."""
    connection.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT)")
    for spec in TABLES.values():
        if spec.name not in _ADDED_LATER:
            for statement in _create_table(spec):
                connection.execute(statement)


def _migration_2(connection: sqlite3.Connection) -> None:
    """Term frequencies become a keyed table (were an Arrow blob); drop unused tables."""
    for statement in _create_table(TABLES["term_frequencies"]):
        connection.execute(statement)
    connection.execute("DROP TABLE IF EXISTS documents")
    connection.execute("DROP TABLE IF EXISTS blobs")


def _migration_3(connection: sqlite3.Connection) -> None:
    """Blocking keys indexed by key first; per-key record counts kept in their own table."""
    connection.execute('DROP INDEX IF EXISTS "ix_blocking_keys_rule_key"')
    connection.execute(
        'CREATE INDEX IF NOT EXISTS "ix_blocking_keys_key_rule" ON "blocking_keys" ("key", "rule")'
    )
    for statement in _create_table(TABLES["blocking_counts"]):
        connection.execute(statement)
    connection.execute(
        'INSERT INTO "blocking_counts" SELECT "key", "rule", count(*) FROM "blocking_keys" '
        'GROUP BY "key", "rule"'
    )


#: Ordered schema migrations: (version, what it does, function). Append, never edit.
MIGRATIONS: tuple[tuple[int, str, Callable[[sqlite3.Connection], None]], ...] = (
    (1, "hub tables, indexes and the meta area", _migration_1),
    (2, "term frequencies table", _migration_2),
    (3, "blocking keys by key, and their counts", _migration_3),
)
#: The schema version this dchkit writes.
SCHEMA_VERSION = MIGRATIONS[-1][0]


class SQLiteStore:
    """The hub's tables in one SQLite database.

    Args:
        path: A database file (created when missing); None or ``":memory:"`` for an
            in-memory store that lives as long as the object.
        timeout: Seconds to wait for another process's write lock before failing.
        synchronous: SQLite's ``synchronous`` setting. ``NORMAL`` (default) with WAL
            survives a killed process; ``FULL`` also survives a power cut, slower.

    Raises:
        StoreMigrationError: the file was written by a newer dchkit, or a migration failed.
        StoreError: the file is not a SQLite database or cannot be opened.
    """

    def __init__(
        self, path: str | Path | None = None, *, timeout: float = 30.0, synchronous: str = "NORMAL"
    ) -> None:
        self.path = ":memory:" if path is None else str(path)
        self._lock = threading.RLock()
        self._depth = 0
        self._timeout = timeout
        self._owner: int | None = None  # the thread inside a transaction
        self._local = threading.local()
        self._readers: list[sqlite3.Connection] = []
        self._readers_lock = threading.Lock()  # not the write lock: a writer holds that
        self._closed = False
        try:
            self._db = sqlite3.connect(
                self.path, timeout=timeout, isolation_level=None, check_same_thread=False
            )
        except sqlite3.DatabaseError as err:
            msg = f"cannot open {self.path!r} as a dchkit store: {err}"
            raise StoreError(msg, fix="check that the directory exists and is writable") from err
        try:
            if self.path != ":memory:":
                self._db.execute("PRAGMA journal_mode=WAL")
            if synchronous.upper() not in ("OFF", "NORMAL", "FULL", "EXTRA"):
                msg = f"synchronous must be OFF, NORMAL, FULL or EXTRA, got {synchronous!r}"
                raise StoreError(msg, fix="use NORMAL (default) or FULL")
            self._db.execute(f"PRAGMA synchronous={synchronous.upper()}")
            self._db.execute(f"PRAGMA busy_timeout={int(timeout * 1000)}")
            self._migrate()
        except StoreError:
            self._db.close()
            raise
        except sqlite3.DatabaseError as err:
            self._db.close()
            msg = f"cannot open {self.path!r} as a dchkit store: {err}"
            raise StoreError(msg, fix="check the path; a dchkit hub is a SQLite file") from err

    def __repr__(self) -> str:
        return f"dchkit.SQLiteStore({self.path!r})"

    @property
    def nonblocking_reads(self) -> bool:
        """True for a file: each thread reads on its own connection, never behind a writer.

        An in-memory store has one connection, so its reads wait for a writing thread.
        """
        return self.path not in _PRIVATE

    # --------------------------------------------------------------- schema
    def _migrate(self) -> None:
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS schema_version "
            "(version INTEGER PRIMARY KEY, description TEXT, applied_at TEXT)"
        )
        current = self.schema_version
        if current > SCHEMA_VERSION:
            msg = f"{self.path} has schema version {current}; this dchkit knows up to {SCHEMA_VERSION}"
            raise StoreMigrationError(msg, fix="upgrade dchkit to open this hub")
        for version, description, apply in MIGRATIONS:
            if version <= current:
                continue
            try:
                with self.transaction():
                    if self.schema_version >= version:  # another process migrated meanwhile
                        continue
                    apply(self._db)
                    self._db.execute(
                        "INSERT INTO schema_version VALUES (?, ?, datetime('now'))",
                        (version, description),
                    )
            except sqlite3.DatabaseError as err:
                msg = f"migration {version} ({description}) of {self.path} failed: {err}"
                raise StoreMigrationError(msg, fix="restore the file from a backup") from err

    @property
    def schema_version(self) -> int:
        """The last migration applied to this database (0 for a new one)."""
        row = self._db.execute("SELECT max(version) FROM schema_version").fetchone()
        return int(row[0] or 0)

    # ---------------------------------------------------------- transactions
    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All writes inside commit together, or none does; inner blocks join the outer."""
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield
                finally:
                    self._depth -= 1
                return
            self._db.execute("BEGIN IMMEDIATE")
            self._depth = 1
            self._owner = threading.get_ident()
            try:
                yield
            except BaseException:
                self._depth, self._owner = 0, None
                self._db.execute("ROLLBACK")
                raise
            self._depth, self._owner = 0, None
            self._db.execute("COMMIT")

    @contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        """The connection one read runs on.

        A thread outside a transaction of this store reads on a read-only connection of
        its own: in WAL mode it sees the last commit at once instead of waiting for
        another thread's transaction to end (a server's profile reads during an ingest).
        The thread inside a transaction, which must see its own uncommitted writes, and
        an in-memory store read on the main connection.
        """
        if self._closed:
            msg = f"{self} is closed"
            raise StoreError(msg, fix="open the hub again")
        if self.path in _PRIVATE or self._owner == threading.get_ident():
            with self._lock:
                yield self._db
            return
        held: _Reader | None = getattr(self._local, "reader", None)
        if held is None:
            held = self._open_reader()
        yield held.db

    def _open_reader(self) -> _Reader:
        try:
            db = sqlite3.connect(
                self.path,
                timeout=self._timeout,
                isolation_level=None,
                check_same_thread=False,  # close() may run on another thread
                cached_statements=256,
            )
            db.execute("PRAGMA query_only=1")
        except sqlite3.DatabaseError as err:
            msg = f"cannot open {self.path!r} for reading: {err}"
            raise StoreError(msg, fix="check that the file still exists and is readable") from err
        with self._readers_lock:
            self._readers.append(db)
        held = _Reader(db)
        # The thread's locals go when it ends: its connection is closed then, not leaked.
        weakref.finalize(held, _close_reader, db, self._readers, self._readers_lock)
        self._local.reader = held
        return held

    # ---------------------------------------------------------------- writes
    def _next_seq(self) -> int:
        row = self._db.execute("SELECT value FROM meta WHERE key = 'seq'").fetchone()
        seq = int(row[0]) + 1 if row else 1
        self._db.execute("INSERT OR REPLACE INTO meta VALUES ('seq', ?)", (str(seq),))
        return seq

    def _params(self, spec: TableSpec, rows: pa.Table) -> tuple[list[str], list[tuple[Any, ...]]]:
        names = [f.name for f in spec.columns]
        columns: list[list[Any]] = []
        for f in spec.columns:
            column = rows.column(f.name) if f.name in rows.column_names else pa.nulls(len(rows))
            if pa.types.is_timestamp(column.type) or pa.types.is_boolean(column.type):
                column = column.cast(pa.int64())
            columns.append(column.to_pylist())
        if spec.document is not None:
            names.append("data")
            columns.append(encode(_conform(rows, spec.schema)).to_pylist())
        return names, list(zip(*columns, strict=True)) if columns else []

    def upsert(self, table: str, rows: pa.Table) -> pa.Table:
        """Insert rows, replacing those with the same key; returns keys of new/changed rows."""
        spec = TABLES[table]
        if not spec.key:
            msg = f"table {table!r} has no key, so rows cannot be upserted"
            raise StoreError(msg, fix="use insert()")
        if rows.num_rows == 0:
            return spec.schema.empty_table().select(list(spec.key))
        names, params = self._params(spec, rows)
        with self.transaction():
            if spec.versioned:
                seq = self._next_seq()
                names.append("seq")
                params = [(*p, seq) for p in params]
            columns = ", ".join(map(_quote, names))
            marks = ", ".join("?" * len(names))
            update = ", ".join(f"{_quote(n)} = excluded.{_quote(n)}" for n in names)
            changed = " WHERE data IS NOT excluded.data" if spec.document is not None else ""
            self._db.executemany(
                f"INSERT INTO {_quote(table)} ({columns}) VALUES ({marks}) "
                f"ON CONFLICT ({', '.join(map(_quote, spec.key))}) DO UPDATE SET {update}{changed}",
                params,
            )
            if not spec.versioned:
                return rows.select(list(spec.key))
            found = self._db.execute(
                f"SELECT {', '.join(map(_quote, spec.key))} FROM {_quote(table)} WHERE seq = ?",
                (seq,),
            ).fetchall()
        return _plain_table([spec.columns.field(k) for k in spec.key], found)

    def insert(self, table: str, rows: pa.Table) -> int:
        """Append rows; returns the last cursor assigned (0 for a table without one)."""
        spec = TABLES[table]
        if rows.num_rows == 0:
            return 0
        names, params = self._params(spec, rows)
        if spec.versioned:
            msg = f"table {table!r} is versioned; write it with upsert()"
            raise StoreError(msg, fix="use upsert()")
        with self.transaction():
            self._db.executemany(
                f"INSERT INTO {_quote(table)} ({', '.join(map(_quote, names))}) "
                f"VALUES ({', '.join('?' * len(names))})",
                params,
            )
            if spec.cursor is None:
                return 0
            row = self._db.execute(f"SELECT max({_quote(spec.cursor)}) FROM {_quote(table)}")
            return int(row.fetchone()[0] or 0)

    def delete(self, table: str, where: Where | None = None) -> int:
        """Delete rows matching ``where`` (all rows when None); returns how many."""
        spec = TABLES[table]
        deleted = 0
        with self.transaction():
            for clause, params in _where_clauses(spec, where):
                cursor = self._db.execute(f"DELETE FROM {_quote(table)}{clause}", params)
                deleted += cursor.rowcount
        return deleted

    # ----------------------------------------------------------------- reads
    def read(
        self,
        table: str,
        where: Where | None = None,
        *,
        after: int | None = None,
        limit: int | None = None,
        columns: Sequence[str] | None = None,
    ) -> pa.Table:
        """Rows matching ``where`` (all when None) in the table's schema; see ``Store.read``."""
        spec = TABLES[table]
        order = spec.cursor or ("seq" if spec.versioned else None)
        fields = list(spec.schema)
        if columns is not None:
            unknown = sorted(set(columns) - set(spec.columns.names))
            if unknown:
                msg = f"table {table!r} has no plain columns {unknown}"
                raise StoreError(msg, fix=f"select among {spec.columns.names}")
            fields = [spec.columns.field(c) for c in columns]
        document = spec.document is not None and columns is None
        selected = "data" if document else ", ".join(_quote(f.name) for f in fields)
        rows: list[tuple[Any, ...]] = []
        with self._reading() as db:
            for clause, params in _where_clauses(spec, where):
                sql = f"SELECT {selected} FROM {_quote(table)}{clause}"
                extra: list[Any] = list(params)
                if after is not None and order is not None:
                    sql += (" AND " if clause else " WHERE ") + f"{_quote(order)} > ?"
                    extra.append(after)
                if order is not None and (after is not None or limit is not None):
                    sql += f" ORDER BY {_quote(order)}"
                if limit is not None:
                    sql += " LIMIT ?"
                    extra.append(limit)
                rows.extend(db.execute(sql, extra).fetchall())
        if document:
            return decode([r[0] for r in rows], spec.schema)
        return _plain_table(fields, rows)

    def rows(self, table: str, where: Where) -> list[dict[str, Any]]:
        """Rows matching ``where`` as Python dicts; see ``Store.rows``."""
        spec = TABLES[table]
        select = _select(table)
        found: list[tuple[Any, ...]] = []
        with self._reading() as db:
            for clause, params in _where_clauses(spec, where):
                found.extend(db.execute(select + clause, params))
        if spec.document is not None:
            converters = _CONVERTERS[table]
            return [python_row(text, converters) for (text,) in found]
        names = spec.schema.names
        result = [dict(zip(names, values, strict=True)) for values in found]
        for name in _stamps(table):
            kind = spec.schema.field(name).type
            for row in result:
                row[name] = python_row_value(row[name], kind)
        return result

    def count(self, table: str) -> int:
        """Number of rows of a table."""
        with self._reading() as db:
            row = db.execute(f"SELECT count(*) FROM {_quote(TABLES[table].name)}").fetchone()
        return int(row[0])

    def execute(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Run one SQL statement and return its rows (for SQLite-specific fast paths)."""
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    # ------------------------------------------------------------------ meta
    def get_meta(self, key: str) -> str | None:
        """A value of the key/value area, or None."""
        with self._reading() as db:
            row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        """Set a value of the key/value area."""
        with self.transaction():
            self._db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))

    # ----------------------------------------------------------- maintenance
    def check(self) -> list[str]:
        """``PRAGMA integrity_check`` plus the hub's own references; empty when sound."""
        with self._lock:
            found = [r[0] for r in self._db.execute("PRAGMA integrity_check").fetchall()]
            problems = [] if found == ["ok"] else found
            dangling = self._db.execute(
                "SELECT count(*) FROM clusters c LEFT JOIN records r USING (record_id) "
                "WHERE r.record_id IS NULL"
            ).fetchone()[0]
        if dangling:
            problems.append(f"{dangling} cluster row(s) name records that do not exist")
        return problems

    def verify(self) -> None:
        """Raise :class:`~dchkit.errors.StoreIntegrityError` when :meth:`check` finds problems."""
        problems = self.check()
        if problems:
            msg = f"{self.path} failed its integrity check: {problems[:5]}"
            raise StoreIntegrityError(msg, fix="restore the file from a backup", problems=problems)

    def close(self) -> None:
        """Close the connection and every thread's read connection."""
        with self._lock, self._readers_lock:
            self._closed = True
            for reader in self._readers:
                reader.close()
            self._readers.clear()
            self._db.close()


class _Reader:
    """A thread's read connection (held in a thread-local, so it ends with the thread)."""

    __slots__ = ("__weakref__", "db")

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db


def _close_reader(
    db: sqlite3.Connection, readers: list[sqlite3.Connection], lock: threading.Lock
) -> None:
    with lock:
        if db in readers:
            readers.remove(db)
    db.close()


def _conform(rows: pa.Table, schema: pa.Schema) -> pa.Table:
    from dchkit.schema import conform

    extra = [c for c in rows.column_names if c not in schema.names]
    return conform(rows.drop_columns(extra) if extra else rows, schema)


def _plain_table(fields: Sequence[pa.Field], rows: list[tuple[Any, ...]]) -> pa.Table:
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in fields]
    arrays = []
    for f, values in zip(fields, columns, strict=True):
        if pa.types.is_timestamp(f.type):
            arrays.append(pa.array(values, pa.int64()).cast(f.type))
        else:
            arrays.append(pa.array(values, f.type))
    return pa.Table.from_arrays(
        arrays, schema=pa.schema([pa.field(f.name, f.type) for f in fields])
    )


@lru_cache(maxsize=64)
def _select(table: str) -> str:
    """``SELECT … FROM table`` of a point read (the document, else the plain columns)."""
    spec = TABLES[table]
    selected = "data" if spec.document is not None else ", ".join(map(_quote, spec.schema.names))
    return f"SELECT {selected} FROM {_quote(table)}"


@lru_cache(maxsize=64)
def _stamps(table: str) -> tuple[str, ...]:
    """The timestamp columns of a plain table (stored as integers)."""
    return tuple(f.name for f in TABLES[table].schema if pa.types.is_timestamp(f.type))


@lru_cache(maxsize=1024)
def _in_clause(column: str, count: int) -> str:
    """`` WHERE column IN (?, ?, …)`` (built once per column and size: point reads repeat)."""
    return f" WHERE {_quote(column)} IN ({', '.join('?' * count)})"


def _where_clauses(spec: TableSpec, where: Where | None) -> Iterator[tuple[str, list[Any]]]:
    """SQL ``WHERE`` clauses (chunked) matching rows of ``where``; nothing for zero rows."""
    if where is None:
        yield "", []
        return
    names = list(where)
    unknown = [n for n in names if n not in spec.columns.names and n != spec.cursor]
    if unknown or not names:
        msg = f"table {spec.name!r} cannot be filtered by {unknown or 'nothing'}"
        raise StoreError(msg, fix=f"filter by its columns: {spec.columns.names}")
    values = [_values(where[n]) for n in names]
    length = len(values[0])
    if any(len(v) != length for v in values):
        msg = f"where columns of {spec.name!r} have different lengths"
        raise StoreError(msg, fix="give one value per row in every where column")
    if len(names) == 1:
        distinct = sorted({v for v in values[0] if v is not None})
        for start, stop in chunks(len(distinct), _BATCH):
            part = distinct[start:stop]
            yield _in_clause(names[0], len(part)), part
        return
    tuples = sorted({t for t in zip(*values, strict=True) if None not in t})
    columns = ", ".join(map(_quote, names))
    row = "(" + ", ".join("?" * len(names)) + ")"
    for start, stop in chunks(len(tuples), _BATCH // (len(names) + 1)):
        part = tuples[start:stop]
        firsts = sorted({t[0] for t in part})
        # The IN on the first column lets SQLite use an index that starts with it.
        yield (
            f" WHERE {_quote(names[0])} IN ({', '.join('?' * len(firsts))})"
            f" AND ({columns}) IN (VALUES {', '.join([row] * len(part))})",
            [*firsts, *(v for t in part for v in t)],
        )


def _values(column: pa.Array | pa.ChunkedArray | Sequence[object]) -> list[Any]:
    if isinstance(column, pa.ChunkedArray | pa.Array):
        if pa.types.is_timestamp(column.type):
            column = pc.cast(column, pa.int64())
        values: list[Any] = column.to_pylist()
        return values
    return list(column)
