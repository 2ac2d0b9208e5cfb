"""SQL text and values for the SQLite store: table definitions, parameters, results.

What every part of the SQLite store shares — the ``CREATE`` statements of a
:class:`~dchkit.store.base.TableSpec`, rows of an Arrow table as statement parameters (a
slice at a time, so a write of millions of rows holds only a slice as Python objects) and
result rows back as an Arrow table.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from itertools import chain
from typing import Any

import pyarrow as pa

from dchkit.store.base import TableSpec

__all__ = [
    "create_table",
    "plain_table",
    "quote",
    "sql_type",
    "sql_values",
    "write_rows",
]


def sql_type(kind: pa.DataType) -> str:
    """The SQLite column type of an Arrow type."""
    if pa.types.is_integer(kind) or pa.types.is_timestamp(kind) or pa.types.is_boolean(kind):
        return "INTEGER"
    if pa.types.is_binary(kind):
        return "BLOB"
    return "TEXT"


def quote(name: str) -> str:
    """An identifier, quoted."""
    return '"' + name.replace('"', '""') + '"'


def create_table(spec: TableSpec) -> list[str]:
    """The ``CREATE TABLE`` and ``CREATE INDEX`` statements of a table."""
    parts = []
    if spec.cursor is not None:
        parts.append(f"{quote(spec.cursor)} INTEGER PRIMARY KEY AUTOINCREMENT")
    parts.extend(f"{quote(f.name)} {sql_type(f.type)}" for f in spec.columns)
    if spec.versioned:
        parts.append("seq INTEGER NOT NULL")
    if spec.document is not None:
        parts.append("data TEXT NOT NULL")
    key = spec.columns.names if spec.grouped else spec.key  # one row per group
    if key:
        parts.append(f"PRIMARY KEY ({', '.join(map(quote, key))})")
    rowid = " WITHOUT ROWID" if spec.clustered else ""
    statements = [f"CREATE TABLE {quote(spec.name)} ({', '.join(parts)}){rowid}"]
    indexes = [] if spec.grouped else list(spec.indexes) + ([("seq",)] if spec.versioned else [])
    for columns in indexes:
        index = f"ix_{spec.name}_{'_'.join(columns)}"
        statements.append(
            f"CREATE INDEX {quote(index)} ON {quote(spec.name)} ({', '.join(map(quote, columns))})"
        )
    return statements


#: Rows turned into Python values at a time (bounds the memory of a large write).
_SLICE = 65_536
#: Rows per ``INSERT … VALUES (…), (…), …`` statement, and the parameters it may bind.
_ROWS_PER_STATEMENT = 512
_PARAMETERS = 32_000


def write_rows(db: sqlite3.Connection, head: str, rows: pa.Table, tail: str = "") -> None:
    """Run ``{head} VALUES (…), (…), … {tail}`` over ``rows``, many rows per statement.

    One statement per row costs a step and a reset per row: a statement of a few hundred
    rows wrote two million integer pairs three times faster (0.7 s against 2.5 s).
    """
    width = rows.num_columns
    if rows.num_rows == 0 or width == 0:
        return
    per = max(1, min(_ROWS_PER_STATEMENT, _PARAMETERS // width))
    values = f"({', '.join('?' * width)})"

    def statement(count: int) -> str:
        return f"{head} VALUES {', '.join([values] * count)}{tail}"

    def groups() -> Iterator[list[Any]]:
        step = per * width
        for start in range(0, rows.num_rows - rows.num_rows % per, _SLICE - _SLICE % per):
            stop = min(start + _SLICE - _SLICE % per, rows.num_rows - rows.num_rows % per)
            part = rows.slice(start, stop - start)
            flat = list(chain.from_iterable(zip(*map(sql_values, part.columns), strict=True)))
            for at in range(0, len(flat), step):
                yield flat[at : at + step]

    db.executemany(statement(per), groups())
    left = rows.num_rows % per
    if left:
        last = rows.slice(rows.num_rows - left)
        flat = list(chain.from_iterable(zip(*map(sql_values, last.columns), strict=True)))
        db.execute(statement(left), flat)


def sql_values(column: pa.ChunkedArray) -> list[Any]:
    """A column as Python values SQLite takes (timestamps and booleans as integers)."""
    kind = column.type
    if pa.types.is_timestamp(kind) or pa.types.is_boolean(kind):
        column, kind = column.cast(pa.int64()), pa.int64()
    if pa.types.is_integer(kind) and not column.null_count:
        values: list[Any] = column.to_numpy().tolist()  # ~3x faster than to_pylist
        return values
    python: list[Any] = column.to_pylist()
    return python


def plain_table(fields: Sequence[pa.Field], rows: list[tuple[Any, ...]]) -> pa.Table:
    """Result rows (tuples of SQLite values) as a table of ``fields``."""
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
