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
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from dchkit.errors import StoreError, StoreIntegrityError, StoreMigrationError
from dchkit.store._checkpoint import Checkpointer
from dchkit.store._codec import (
    decode,
    encode,
    python_row,
    python_row_value,
    row_converters,
)
from dchkit.store._groups import decode_groups, encode_groups, python_group_rows
from dchkit.store._migrations import MIGRATIONS, SCHEMA_VERSION
from dchkit.store._sql import plain_table, quote, write_rows
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


class SQLiteStore:
    """The hub's tables in one SQLite database.

    Args:
        path: A database file (created when missing); None or ``":memory:"`` for an
            in-memory store that lives as long as the object.
        timeout: Seconds to wait for another process's write lock before failing.
        synchronous: SQLite's ``synchronous`` setting. ``NORMAL`` (default) with WAL
            survives a killed process; ``FULL`` also survives a power cut, slower.
        cache_mb: Page cache of the writing connection, in MiB (SQLite's default is 2).
            It fills only as pages are used; at a million records, the indexes an ingest
            writes into outgrow a small cache, and each write then goes through the
            operating system (an ingest of 1M records took ~20 % more CPU with 2 MiB).
        background_checkpoints: Copy the write-ahead log into the file on a thread of
            its own (see ``dchkit.store._checkpoint``), not inside the commit that fills
            it: keeps the occasional 20–30 ms checkpoint out of the latency of small
            writes. The writer keeps SQLite's own checkpoint at 1,000 log pages, which
            a large write still reaches (as before) and small ones no longer do, the
            thread having copied their pages already. Ignored for an in-memory store.

    Raises:
        StoreMigrationError: the file was written by a newer dchkit, or a migration failed.
        StoreError: the file is not a SQLite database or cannot be opened.
    """

    def __init__(
        self,
        path: str | Path | None = None,
        *,
        timeout: float = 30.0,
        synchronous: str = "NORMAL",
        cache_mb: int = 256,
        background_checkpoints: bool = True,
    ) -> None:
        self.path = ":memory:" if path is None else str(path)
        self._background = background_checkpoints and self.path not in _PRIVATE
        self._checkpointer: Checkpointer | None = None
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
            self._db.execute(f"PRAGMA cache_size={-int(cache_mb) * 1024}")
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
            if self._background:
                self._checkpoint_soon()

    def _checkpoint_soon(self) -> None:
        """Ask the checkpoint thread (started on the first commit) to copy the log."""
        if self._checkpointer is None:
            self._checkpointer = Checkpointer(self.path, timeout=self._timeout)
            # A store dropped without close() stops its thread too.
            weakref.finalize(self, self._checkpointer.close)
        self._checkpointer.notify()

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

    def _params(self, spec: TableSpec, rows: pa.Table) -> tuple[list[str], pa.Table]:
        """The stored columns of ``rows`` (plain columns, then the document), by name."""
        names = [f.name for f in spec.columns]
        columns = [rows.column(n) if n in rows.column_names else pa.nulls(len(rows)) for n in names]
        if spec.document is not None:
            names.append("data")
            columns.append(encode(_conform(rows, spec.schema)))
        return names, pa.table(columns, names=names)

    def upsert(self, table: str, rows: pa.Table) -> pa.Table:
        """Insert rows, replacing those with the same key; returns keys of new/changed rows."""
        spec = TABLES[table]
        if not spec.key:
            msg = f"table {table!r} has no key, so rows cannot be upserted"
            raise StoreError(msg, fix="use insert()")
        if rows.num_rows == 0:
            return spec.schema.empty_table().select(list(spec.key))
        names, stored = self._params(spec, rows)
        stored = _in_key_order(stored, spec.key)
        with self.transaction():
            seq = self._next_seq() if spec.versioned else 0
            if spec.versioned:
                names.append("seq")
                stored = stored.append_column("seq", pa.repeat(pa.scalar(seq), len(stored)))
            columns = ", ".join(map(quote, names))
            update = ", ".join(f"{quote(n)} = excluded.{quote(n)}" for n in names)
            changed = " WHERE data IS NOT excluded.data" if spec.document is not None else ""
            before = self._db.total_changes
            write_rows(
                self._db,
                f"INSERT INTO {quote(table)} ({columns})",
                stored,
                f" ON CONFLICT ({', '.join(map(quote, spec.key))}) DO UPDATE SET {update}{changed}",
            )
            keys = stored.select(list(spec.key))
            if not spec.versioned:
                return keys
            if self._db.total_changes - before == len(stored) and _distinct(keys):
                return keys.cast(pa.schema([spec.columns.field(k) for k in spec.key]))
            found = self._db.execute(
                f"SELECT {', '.join(map(quote, spec.key))} FROM {quote(table)} WHERE seq = ?",
                (seq,),
            ).fetchall()
        return plain_table([spec.columns.field(k) for k in spec.key], found)

    def insert(self, table: str, rows: pa.Table) -> int:
        """Append rows; returns the last cursor assigned (0 for a table without one)."""
        spec = TABLES[table]
        if rows.num_rows == 0:
            return 0
        if spec.versioned:
            msg = f"table {table!r} is versioned; write it with upsert()"
            raise StoreError(msg, fix="use upsert()")
        if spec.grouped:
            self._insert_groups(spec, _conform(rows, spec.schema))
            return 0
        names, stored = self._params(spec, rows)
        with self.transaction():
            write_rows(
                self._db, f"INSERT INTO {quote(table)} ({', '.join(map(quote, names))})", stored
            )
            if spec.cursor is None:
                return 0
            row = self._db.execute(f"SELECT max({quote(spec.cursor)}) FROM {quote(table)}")
            return int(row.fetchone()[0] or 0)

    def _insert_groups(self, spec: TableSpec, rows: pa.Table) -> None:
        """Append rows to their groups' documents (a group stored already is rewritten)."""
        by = spec.columns.names
        keys, texts = encode_groups(rows, by)
        with self.transaction():
            stored = self._read_groups(spec, {name: keys.column(name) for name in by}, self._db)
            if stored.num_rows:  # rows of those groups are already there: they come first
                keys, texts = encode_groups(pa.concat_tables([stored, rows]), by)
            write_rows(
                self._db,
                f"INSERT OR REPLACE INTO {quote(spec.name)} ({', '.join(map(quote, [*by, 'data']))})",
                keys.append_column("data", texts),
            )

    def _read_groups(
        self, spec: TableSpec, where: Where | None, db: sqlite3.Connection
    ) -> pa.Table:
        """The rows of the groups matching ``where`` (all when None)."""
        by = spec.columns.names
        found: list[tuple[Any, ...]] = []
        for clause, params in _where_clauses(spec, where):
            selected = ", ".join([*map(quote, by), "CAST(data AS BLOB)"])
            sql = f"SELECT {selected} FROM {quote(spec.name)}{clause}"
            found.extend(db.execute(sql, params).fetchall())
        keys = plain_table([spec.columns.field(n) for n in by], [r[:-1] for r in found])
        return decode_groups(keys, [r[-1] for r in found], spec.schema)

    def delete(self, table: str, where: Where | None = None) -> int:
        """Delete rows matching ``where`` (all rows when None); returns how many."""
        spec = TABLES[table]
        deleted = 0
        with self.transaction():
            for clause, params in _where_clauses(spec, where):
                cursor = self._db.execute(f"DELETE FROM {quote(table)}{clause}", params)
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
            readable = [*spec.columns.names, *([spec.cursor] if spec.cursor else [])]
            unknown = sorted(set(columns) - set(readable))
            if unknown:
                msg = f"table {table!r} has no plain columns {unknown}"
                raise StoreError(msg, fix=f"select among {readable}")
            fields = [
                pa.field(c, pa.int64(), nullable=False)
                if c == spec.cursor
                else spec.columns.field(c)
                for c in columns
            ]
        if spec.grouped:  # no order: ``after`` does not apply, ``limit`` cuts the rows
            with self._reading() as db:
                found = self._read_groups(spec, where, db)
            found = found.select([f.name for f in fields])
            return found if limit is None else found.slice(0, limit)
        document = spec.document is not None and columns is None
        # Documents as bytes: the JSON reader takes UTF-8, so they need no decoding here.
        selected = "CAST(data AS BLOB)" if document else ", ".join(quote(f.name) for f in fields)
        rows: list[tuple[Any, ...]] = []
        with self._reading() as db:
            for clause, params in _where_clauses(spec, where):
                sql = f"SELECT {selected} FROM {quote(table)}{clause}"
                extra: list[Any] = list(params)
                if after is not None and order is not None:
                    sql += (" AND " if clause else " WHERE ") + f"{quote(order)} > ?"
                    extra.append(after)
                if order is not None and (after is not None or limit is not None):
                    sql += f" ORDER BY {quote(order)}"
                if limit is not None:
                    sql += " LIMIT ?"
                    extra.append(limit)
                rows.extend(db.execute(sql, extra).fetchall())
        if document:
            return decode([r[0] for r in rows], spec.schema)
        return plain_table(fields, rows)

    def rows(self, table: str, where: Where) -> list[dict[str, Any]]:
        """Rows matching ``where`` as Python dicts; see ``Store.rows``."""
        spec = TABLES[table]
        select = _select(table)
        found: list[tuple[Any, ...]] = []
        with self._reading() as db:
            for clause, params in _where_clauses(spec, where):
                found.extend(db.execute(select + clause, params))
        if spec.grouped:
            by, converters = spec.columns.names, _CONVERTERS[table]
            return [
                row
                for *key, text in found
                for row in python_group_rows(text, dict(zip(by, key, strict=True)), converters)
            ]
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
        spec = TABLES[table]
        counted = "count(*)"
        if spec.grouped:  # the length of a group's lists
            first = next(f.name for f in spec.schema if f.name not in spec.columns.names)
            counted = f"coalesce(sum(json_array_length(data, '$.{first}')), 0)"
        with self._reading() as db:
            row = db.execute(f"SELECT {counted} FROM {quote(spec.name)}").fetchone()
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
        with self._lock:
            if self._checkpointer is not None:
                self._checkpointer.close()
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


#: Below this many rows a write is not worth sorting.
_SORT_FROM = 256


def _in_key_order(rows: pa.Table, key: Sequence[str]) -> pa.Table:
    """``rows`` sorted by ``key`` (already sorted ones as they are).

    A B-tree takes rows in its order much faster: each page is read and written once,
    not once per row (at a million records, B-trees far outgrow the page cache).
    """
    if rows.num_rows < _SORT_FROM:
        return rows
    if len(key) == 1:
        column = rows.column(key[0])
        if (
            not column.null_count
            and pc.all(pc.less_equal(column.slice(0, len(column) - 1), column.slice(1))).as_py()
        ):
            return rows
    return rows.take(pc.sort_indices(rows, [(k, "ascending") for k in key]))


def _distinct(keys: pa.Table) -> bool:
    """Whether no two rows of ``keys`` are equal (one column: a cheap count)."""
    if keys.num_columns != 1:
        return False
    return bool(pc.count_distinct(keys.column(0)).as_py() == keys.num_rows)


def _conform(rows: pa.Table, schema: pa.Schema) -> pa.Table:
    from dchkit.schema import conform

    extra = [c for c in rows.column_names if c not in schema.names]
    return conform(rows.drop_columns(extra) if extra else rows, schema)


@lru_cache(maxsize=64)
def _select(table: str) -> str:
    """``SELECT … FROM table`` of a point read (the document, else the plain columns)."""
    spec = TABLES[table]
    selected = "data" if spec.document is not None else ", ".join(map(quote, spec.schema.names))
    if spec.grouped:
        selected = ", ".join(map(quote, [*spec.columns.names, "data"]))
    return f"SELECT {selected} FROM {quote(table)}"


@lru_cache(maxsize=64)
def _stamps(table: str) -> tuple[str, ...]:
    """The timestamp columns of a plain table (stored as integers)."""
    return tuple(f.name for f in TABLES[table].schema if pa.types.is_timestamp(f.type))


@lru_cache(maxsize=1024)
def _in_clause(column: str, count: int) -> str:
    """`` WHERE column IN (?, ?, …)`` (built once per column and size: point reads repeat)."""
    return f" WHERE {quote(column)} IN ({', '.join('?' * count)})"


#: Up to this many tuples, a several-column ``where`` is one ``OR`` of equalities.
_FEW_TUPLES = 64


@lru_cache(maxsize=1024)
def _or_clause(columns: tuple[str, ...], count: int) -> str:
    """`` WHERE ((a = ? AND b = ?) OR …)`` of ``count`` tuples (each an index probe)."""
    one = "(" + " AND ".join(f"{quote(c)} = ?" for c in columns) + ")"
    return " WHERE (" + " OR ".join([one] * count) + ")"  # parenthesised: callers add AND …


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
    if len(tuples) <= _FEW_TUPLES:
        # A few tuples: one indexed probe each. The IN form below scans every row of
        # the first column's values (a term-frequency read of 8 values scanned ~15k rows
        # for ~4 ms; this takes ~0.04 ms).
        if tuples:
            yield _or_clause(tuple(names), len(tuples)), [v for t in tuples for v in t]
        return
    columns = ", ".join(map(quote, names))
    row = "(" + ", ".join("?" * len(names)) + ")"
    for start, stop in chunks(len(tuples), _BATCH // (len(names) + 1)):
        part = tuples[start:stop]
        firsts = sorted({t[0] for t in part})
        # The IN on the first column lets SQLite use an index that starts with it.
        yield (
            f" WHERE {quote(names[0])} IN ({', '.join('?' * len(firsts))})"
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
