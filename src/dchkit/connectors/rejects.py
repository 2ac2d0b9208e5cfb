"""Rejected rows: collect them column-wise, count them by reason, or raise them.

A reject's ``reason`` starts with a short code (``duplicate_id: …``) followed by what went
wrong and what to do; :attr:`~dchkit.connectors.report.ReadReport.rejects_by_reason` counts
the codes. The codes are:

=================  =====================================================================
``encoding``       bytes not valid in the file's encoding (mixed encodings)
``malformed_row``  wrong number of columns, an unterminated quote, a truncated last line
``invalid_json``   a JSON line that does not parse, or is not an object
``missing_id``     the record (or event) id is empty
``duplicate_id``   the id was already read earlier in the same read
``bad_timestamp``  an event's timestamp is empty or cannot be parsed
``unmapped``       no record or event rule of the mapping applies to the row
``no_event``       an event rule applied but all its optional timestamps are empty
=================  =====================================================================

Examples:
    >>> import pyarrow as pa
    >>> builder = RejectBuilder("crm")
    >>> builder.add(pa.array([False, True]), pa.array([2, 3]), pa.array(["a", "b"]),
    ...             "missing_id", lambda i: "the id is empty", location="c.csv")
    >>> builder.by_reason()
    {'missing_id': 1}
    >>> builder.build().to_pylist()[0]["reason"]
    'missing_id: the id is empty'
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import NoReturn

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from dchkit.connectors.arrowutil import to_json_text
from dchkit.errors import RecordNormalizationError
from dchkit.schema import REJECTS_SCHEMA

__all__ = ["MAX_RAISED", "RawRows", "RejectBuilder", "raise_rejects", "reject_batch"]

#: At most this many errors go into one raised ExceptionGroup (a note says how many more).
MAX_RAISED = 100


def reject_batch(
    source: str,
    *,
    location: str | None,
    row_numbers: list[int | None],
    raw: list[str | None],
    reasons: list[str],
    fields: list[str | None] | None = None,
) -> pa.RecordBatch:
    """Build a rejects batch from Python lists (for readers that reject before mapping)."""
    count = len(reasons)
    return pa.RecordBatch.from_pydict(
        {
            "source": [source] * count,
            "location": [location] * count,
            "row_number": row_numbers,
            "raw": raw,
            "reason": reasons,
            "field": fields if fields is not None else [None] * count,
        },
        schema=REJECTS_SCHEMA,
    )


@dataclass(frozen=True)
class RawRows:
    """The raw content of a batch's rows, rendered only for the rows that are rejected.

    Readers that keep each row's text (JSON Lines) pass it as ``text``; for the others the
    row is rendered as a JSON object of its columns (``data``). Rendering a million rows
    that are then kept would cost more than the whole mapping, so :meth:`take` renders
    just the rows asked for: the same text as rendering all rows and taking those.

    Examples:
        >>> import pyarrow as pa
        >>> rows = RawRows(data=pa.record_batch({"id": ["1", None], "name": ["a", "b"]}))
        >>> rows.take(pa.array([1])).to_pylist()
        ['{"name":"b"}']
    """

    data: pa.RecordBatch | None = None
    text: pa.Array | None = None
    #: Rows of ``data``/``text`` this view holds (None: all); filters compose it, so no
    #: rows are copied until some are rejected.
    index: np.ndarray | None = None

    def __len__(self) -> int:
        if self.index is not None:
            return len(self.index)
        if self.text is not None:
            return len(self.text)
        return self.data.num_rows if self.data is not None else 0

    def filter(self, mask: pa.Array) -> RawRows:
        """The rows where ``mask`` is true."""
        positions = np.flatnonzero(pc.fill_null(mask, False).to_numpy(zero_copy_only=False))
        index = positions if self.index is None else self.index[positions]
        return RawRows(data=self.data, text=self.text, index=index)

    def take(self, index: pa.Array) -> pa.Array:
        """Raw text of the rows at ``index`` (null where a row has no columns)."""
        if self.index is not None:
            index = pa.array(self.index[index.to_numpy(zero_copy_only=False)], pa.int64())
        if self.text is not None:
            return self.text.take(index).cast(pa.string())
        data = self.data
        if data is None or not data.num_columns:
            return pa.nulls(len(index), pa.string())
        rows = data.take(index)
        return to_json_text(pa.StructArray.from_arrays(rows.columns, names=rows.schema.names))


class RejectBuilder:
    """Accumulates the rejects of one batch; messages are built only for rejected rows."""

    def __init__(self, source: str) -> None:
        self.source = source
        self._parts: list[pa.RecordBatch] = []
        self._codes: Counter[str] = Counter()

    @property
    def count(self) -> int:
        """Rows rejected so far."""
        return sum(self._codes.values())

    def add(
        self,
        mask: pa.Array,
        numbers: pa.Array,
        raw: pa.Array | RawRows,
        code: str,
        message: Callable[[int], str],
        *,
        field: str | None = None,
        location: str | None = None,
    ) -> None:
        """Reject the rows where ``mask`` is true; ``message(i)`` explains row ``i``.

        ``raw`` is each row's raw text, or a :class:`RawRows` that renders only the
        rejected ones.
        """
        positions = np.flatnonzero(pc.fill_null(mask, False).to_numpy(zero_copy_only=False))
        if not len(positions):
            return
        index = pa.array(positions, pa.int64())
        reasons = [f"{code}: {message(int(i))}" for i in positions]
        self._parts.append(
            pa.RecordBatch.from_arrays(
                [
                    pa.array([self.source] * len(positions), pa.string()),
                    pa.array([location] * len(positions), pa.string()),
                    numbers.take(index).cast(pa.int64()),
                    raw.take(index).cast(pa.string()),
                    pa.array(reasons, pa.string()),
                    pa.array([field] * len(positions), pa.string()),
                ],
                schema=REJECTS_SCHEMA,
            )
        )
        self._codes[code] += len(positions)

    def extend(self, batch: pa.RecordBatch) -> None:
        """Add rejects already built by a reader."""
        if batch.num_rows:
            self._parts.append(batch)
            codes = pc.utf8_slice_codeunits(batch.column("reason"), 0, 40)
            for reason in codes.to_pylist():
                self._codes[str(reason).split(":", 1)[0]] += 1

    def mask_for(self, numbers: pa.Array) -> pa.Array:
        """True for each row number already rejected in this batch."""
        if not self._parts:
            return pa.array(np.zeros(len(numbers), dtype=bool))
        rejected = pa.concat_arrays([p.column("row_number") for p in self._parts])
        return pc.fill_null(pc.is_in(numbers, value_set=rejected.drop_null()), False)

    def by_reason(self) -> dict[str, int]:
        """Reject counts by reason code."""
        return dict(sorted(self._codes.items()))

    def build(self) -> pa.RecordBatch:
        """All rejects of the batch, in :data:`~dchkit.schema.REJECTS_SCHEMA`."""
        if not self._parts:
            return pa.RecordBatch.from_arrays(
                [pa.array([], f.type) for f in REJECTS_SCHEMA], schema=REJECTS_SCHEMA
            )
        if len(self._parts) == 1:
            return self._parts[0]
        return pa.concat_batches(self._parts)


def raise_rejects(rejects: pa.RecordBatch) -> NoReturn:
    """Raise an :class:`ExceptionGroup` of :class:`~dchkit.errors.RecordNormalizationError`.

    One error per rejected row (at most :data:`MAX_RAISED`; a note tells how many more).
    """
    rows = rejects.slice(0, MAX_RAISED).to_pylist()
    errors = []
    for row in rows:
        where = f"{row['location'] or 'rows'}:{row['row_number'] if row['row_number'] is not None else '?'}"
        errors.append(
            RecordNormalizationError(
                f"{row['source']} row {where} rejected: {row['reason']}",
                fix='fix the row, or read with on_error="collect" to get a rejects table',
                source=row["source"],
                record_key=where,
                field=row["field"],
                value=row["raw"],
                reason=row["reason"],
            )
        )
    source = rows[0]["source"] if rows else "source"
    group = ExceptionGroup(f"{rejects.num_rows} row(s) of {source} rejected", errors)
    if rejects.num_rows > MAX_RAISED:
        group.add_note(f"only the first {MAX_RAISED} of {rejects.num_rows} are included")
    raise group
