"""Any DB-API 2.0 connection (sqlite3, psycopg, mysqlclient, duckdb …) as a source.

Rows are fetched with ``cursor.fetchmany(batch_size)``, so memory stays bounded; each batch
becomes Arrow text columns and goes through the usual mapping and normalization.

Examples:
    >>> import sqlite3
    >>> db = sqlite3.connect(":memory:")
    >>> _ = db.execute("create table contacts (id integer, email text)")
    >>> _ = db.executemany("insert into contacts values (?, ?)", [(1, "A@x.jp"), (2, None)])
    >>> conn = SqlConnector(db, "select id, email from contacts order by id", source="crm",
    ...     mapping={"records": {"id": "id", "emails": "email"}})
    >>> conn.read_all().records.column("emails").to_pylist()
    [['a@x.jp'], []]
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, ClassVar

import numpy as np
import pyarrow as pa

from dchkit.connectors.arrowutil import as_text, clean_text
from dchkit.connectors.base import BaseConnector, MappingLike
from dchkit.connectors.mapper import OnError, RawBatch
from dchkit.errors import SourceReadError

__all__ = ["SqlConnector"]


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).decode("utf-8", errors="replace")
    if isinstance(value, bool):
        return "true" if value else "false"
    if hasattr(value, "isoformat"):
        text: str = value.isoformat()
        return text
    return str(value)


def _column_text(values: Sequence[Any]) -> pa.Array:
    """One fetched column as text: Arrow converts uniform columns, odd ones go value-wise."""
    try:
        return as_text(pa.array(list(values)))
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, TypeError):
        return pa.array([_text(v) for v in values], pa.string())


class SqlConnector(BaseConnector):
    """Read the result of a query on a DB-API connection (see the module docs).

    Args:
        connection: An open DB-API connection (dchkit does not close it).
        query: The SELECT to run.
        parameters: Query parameters, in the driver's paramstyle.
        location: Label for rejects (default: the query text).
        **options: See :class:`~dchkit.connectors.base.BaseConnector`.
    """

    name: ClassVar[str] = "sql"

    def __init__(
        self,
        connection: Any,
        query: str,
        *,
        parameters: Sequence[Any] | dict[str, Any] = (),
        location: str | None = None,
        source: str | None = None,
        mapping: MappingLike | None = None,
        preset: str | None = None,
        on_error: OnError = "collect",
        default_region: str | None = None,
        batch_size: int = 65_536,
    ) -> None:
        super().__init__(
            source=source,
            mapping=mapping,
            preset=preset,
            on_error=on_error,
            default_region=default_region,
            batch_size=batch_size,
        )
        self.connection = connection
        self.query = query
        self.parameters = parameters
        self.location = location or " ".join(query.split())[:120]

    def read_raw(self) -> Iterator[RawBatch]:
        """Run the query and fetch ``batch_size`` rows at a time."""
        try:
            cursor = self.connection.cursor()
            cursor.execute(self.query, self.parameters)
        except Exception as err:  # DB-API drivers raise their own Error classes
            msg = f"query failed: {err}"
            raise SourceReadError(
                msg,
                fix="check the query and the connection",
                source=self.source,
                location=self.location,
            ) from err
        names = [d[0] for d in cursor.description or ()]
        row = 1
        produced = False
        try:
            while True:
                rows = cursor.fetchmany(self.batch_size)
                if not rows and produced:
                    break
                # Column-wise conversion: one list per column, not one dict per row.
                columns = list(zip(*rows, strict=True)) if rows else [() for _ in names]
                arrays = [clean_text(_column_text(column)) for column in columns]
                data = pa.RecordBatch.from_arrays(arrays, names=names)
                numbers = pa.array(np.arange(row, row + len(rows)), pa.int64())
                row += len(rows)
                produced = True
                yield RawBatch(data=data, row_numbers=numbers, location=self.location)
                if not rows:
                    break
        finally:
            cursor.close()
