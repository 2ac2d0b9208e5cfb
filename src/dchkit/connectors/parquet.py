"""Parquet files and directories of them, streamed with :mod:`pyarrow.dataset`.

Examples:
    >>> import tempfile, pathlib, pyarrow as pa, pyarrow.parquet as pq
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "customers.parquet"
    >>> pq.write_table(pa.table({"customer_id": [1, 2], "mail": ["a@x.jp", None]}), path)
    >>> conn = ParquetConnector(path, source="ec",
    ...     mapping={"records": {"id": "customer_id", "emails": "mail"}})
    >>> conn.read_all().records.column("record_id").to_pylist()
    ['ec:1', 'ec:2']
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import ClassVar

import numpy as np
import pyarrow as pa
import pyarrow.dataset as pads

from dchkit.connectors.arrowutil import as_text_batch
from dchkit.connectors.base import BaseConnector, MappingLike
from dchkit.connectors.mapper import OnError, RawBatch
from dchkit.errors import SourceReadError

__all__ = ["ParquetConnector"]


class ParquetConnector(BaseConnector):
    """Read a Parquet file or a directory of Parquet files, batch by batch.

    Only the columns the mapping reads (plus those kept as attributes) are decoded when the
    mapping names its attribute columns; ``attributes: rest`` reads every column.

    Args:
        path: A ``.parquet`` file or a directory (hive partitions are columns).
        json_columns: Struct columns to keep as JSON text instead of flattening.
        **options: See :class:`~dchkit.connectors.base.BaseConnector`.
    """

    name: ClassVar[str] = "parquet"
    read_ahead: ClassVar[bool] = True

    def __init__(
        self,
        path: str | Path,
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
        self.path = Path(path)
        self.json_columns = self._json_columns(json_columns)

    def read_raw(self) -> Iterator[RawBatch]:
        """Stream record batches of at most ``batch_size`` rows, as text."""
        location = str(self.path)
        try:
            dataset = pads.dataset(self.path, format="parquet", partitioning="hive")
        except (OSError, pa.ArrowInvalid) as err:
            msg = f"cannot open {location} as Parquet: {err}"
            raise SourceReadError(
                msg,
                fix="check the path; is it a Parquet file?",
                source=self.source,
                location=location,
            ) from err
        row = 1
        produced = False
        try:
            for batch in dataset.to_batches(batch_size=self.batch_size, use_threads=False):
                if not batch.num_rows:
                    continue
                produced = True
                numbers = pa.array(np.arange(row, row + batch.num_rows), pa.int64())
                row += batch.num_rows
                data = as_text_batch(batch, json_columns=self.json_columns)
                yield RawBatch(data=data, row_numbers=numbers, location=location)
        except (OSError, pa.ArrowInvalid) as err:
            msg = f"{location} cannot be read past row {row - 1}: {err}"
            raise SourceReadError(
                msg, fix="the file is damaged; rewrite it", source=self.source, location=location
            ) from err
        if not produced:
            empty = as_text_batch(dataset.schema.empty_table(), json_columns=self.json_columns)
            yield RawBatch(data=empty, row_numbers=pa.array([], pa.int64()), location=location)
