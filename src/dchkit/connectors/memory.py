"""In-memory tables as a source: pyarrow, pandas, polars, or a list of dicts.

The connector every test reaches for first (httpx's ``MockTransport`` of dchkit). Anything
that speaks the Arrow PyCapsule stream interface (``__arrow_c_stream__``: polars, pandas
≥ 2.2, duckdb, …) or that :func:`pyarrow.table` accepts is read without a copy where
possible; values become text and go through the same mapping and normalization as files.

Examples:
    >>> import pyarrow as pa
    >>> table = pa.table({"Id": ["1", "2"], "Mail": ["a@x.jp", "b@x.jp"]})
    >>> conn = InMemoryConnector(table, source="crm",
    ...                          mapping={"records": {"id": "Id", "emails": "Mail"}})
    >>> conn.read_all().records.column("record_id").to_pylist()
    ['crm:1', 'crm:2']
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, ClassVar

import numpy as np
import pyarrow as pa

from dchkit.connectors.arrowutil import as_text_batch
from dchkit.connectors.base import BaseConnector, MappingLike
from dchkit.connectors.mapper import OnError, RawBatch
from dchkit.errors import ConfigError

__all__ = ["InMemoryConnector", "as_arrow_table"]


def as_arrow_table(data: Any) -> pa.Table:
    """Return ``data`` (Arrow, pandas, polars, list of dicts, dict of lists) as an Arrow table.

    Raises:
        ConfigError: ``data`` is not table-like.
    """
    if isinstance(data, pa.Table):
        return data
    if isinstance(data, pa.RecordBatch):
        return pa.Table.from_batches([data])
    if isinstance(data, list):
        return pa.Table.from_pylist(data)
    if hasattr(data, "__arrow_c_stream__"):
        return pa.table(data)
    try:
        return pa.table(data)
    except (TypeError, ValueError, pa.ArrowInvalid) as err:
        msg = f"cannot read a {type(data).__name__} as a table"
        raise ConfigError(
            msg, fix="pass a pyarrow/pandas/polars table, a list of dicts or a dict of lists"
        ) from err


class InMemoryConnector(BaseConnector):
    """Read an in-memory table (see the module docs).

    Args:
        data: The table. Without a mapping its columns must carry canonical names
            (``record_id``, ``email``, ``family_name`` …; see
            :func:`~dchkit.connectors.base.canonical_mapping`).
        json_columns: Nested (struct) columns to keep as JSON text instead of flattening.
        **options: See :class:`~dchkit.connectors.base.BaseConnector`.
    """

    name: ClassVar[str] = "memory"

    def __init__(
        self,
        data: Any,
        *,
        source: str | None = None,
        mapping: MappingLike | None = None,
        preset: str | None = None,
        on_error: OnError = "collect",
        default_region: str | None = None,
        batch_size: int = 65_536,
        json_columns: Sequence[str] = (),
    ) -> None:
        super().__init__(
            source=source,
            mapping=mapping,
            preset=preset,
            on_error=on_error,
            default_region=default_region,
            batch_size=batch_size,
        )
        self.table = as_arrow_table(data)
        self.json_columns = self._json_columns(json_columns)

    def read_raw(self) -> Iterator[RawBatch]:
        """Yield the table in slices of ``batch_size`` rows, as text."""
        start = 0
        total = self.table.num_rows
        while True:
            piece = self.table.slice(start, self.batch_size)
            data = as_text_batch(piece, json_columns=self.json_columns)
            numbers = pa.array(np.arange(start + 1, start + piece.num_rows + 1), pa.int64())
            yield RawBatch(data=data, row_numbers=numbers, location="table")
            start += self.batch_size
            if start >= total:
                break
