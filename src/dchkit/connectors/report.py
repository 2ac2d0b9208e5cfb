"""What a read produced: :class:`ConnectorBatch`, :class:`ReadReport`, :class:`ReadResult`.

A connector yields :class:`ConnectorBatch` objects. Each carries three Arrow record batches
in the canonical schemas — ``records`` (:data:`~dchkit.schema.RECORDS_SCHEMA`), ``events``
(:data:`~dchkit.schema.EVENTS_SCHEMA`) and ``rejects`` (:data:`~dchkit.schema.REJECTS_SCHEMA`)
— and a :class:`ReadReport` that accounts for every source row of the batch.

Every source row has exactly one *disposition*: it became a record, it became (one or more)
events, or it was rejected. Hence the identity checked by :attr:`ReadReport.balanced`::

    rows_read == records + events + rejects

Some sources also emit rows that no single source row stands for (a Segment visitor derived
from many messages, a second event from one ticket row); those are counted apart, in
``derived_records`` and ``extra_events``, so output lengths are
``records + derived_records`` and ``events + extra_events``.

Examples:
    >>> a = ReadReport(source="crm", rows_read=3, records=2, rejects=1,
    ...                rejects_by_reason={"missing_id": 1})
    >>> b = ReadReport(source="crm", rows_read=2, records=2)
    >>> total = a + b
    >>> total.rows_read, total.records, total.rejects, total.balanced
    (5, 4, 1, True)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from dchkit.schema import EVENTS_SCHEMA, RECORDS_SCHEMA, REJECTS_SCHEMA

__all__ = ["ConnectorBatch", "ReadReport", "ReadResult", "empty_batch"]


def _merge(a: Mapping[str, int], b: Mapping[str, int]) -> dict[str, int]:
    merged = Counter(a)
    merged.update(b)
    return dict(sorted(merged.items()))


@dataclass(frozen=True)
class ReadReport:
    """Counts of one read (or one batch of it).

    Attributes:
        source: Source label stamped on the rows.
        rows_read: Source rows seen (data rows, not headers or blank lines).
        records: Rows that became a customer record.
        events: Rows that became one or more events.
        rejects: Rows rejected; see ``rejects_by_reason``.
        rejects_by_reason: Reject counts by reason code (``duplicate_id``, ``encoding`` …).
        derived_records: Records derived from several rows (Segment visitors).
        extra_events: Events beyond the first that a row produced (``Ticket Solved``).
        quality: Counts of quality flags raised on records (``email_invalid`` …).
        missing_columns: Mapped columns never seen in a schema-less source (JSON).
    """

    source: str
    rows_read: int = 0
    records: int = 0
    events: int = 0
    rejects: int = 0
    rejects_by_reason: Mapping[str, int] = field(default_factory=dict)
    derived_records: int = 0
    extra_events: int = 0
    quality: Mapping[str, int] = field(default_factory=dict)
    missing_columns: tuple[str, ...] = ()

    @property
    def balanced(self) -> bool:
        """True when every row read is accounted for: ``rows_read == records + events + rejects``."""
        return self.rows_read == self.records + self.events + self.rejects

    def __add__(self, other: ReadReport) -> ReadReport:
        return ReadReport(
            source=self.source if self.source == other.source else f"{self.source}+{other.source}",
            rows_read=self.rows_read + other.rows_read,
            records=self.records + other.records,
            events=self.events + other.events,
            rejects=self.rejects + other.rejects,
            rejects_by_reason=_merge(self.rejects_by_reason, other.rejects_by_reason),
            derived_records=self.derived_records + other.derived_records,
            extra_events=self.extra_events + other.extra_events,
            quality=_merge(self.quality, other.quality),
            missing_columns=tuple(sorted(set(self.missing_columns) | set(other.missing_columns))),
        )

    @classmethod
    def total(cls, reports: Iterable[ReadReport], source: str) -> ReadReport:
        """Sum ``reports``; an empty iterable gives an all-zero report for ``source``."""
        result = cls(source=source)
        for report in reports:
            result = result + report
        return result

    def summary(self) -> str:
        """One line for logs: ``crm: 10 rows -> 8 records, 0 events, 2 rejects (…)``."""
        reasons = ", ".join(f"{k}={v}" for k, v in self.rejects_by_reason.items())
        text = (
            f"{self.source}: {self.rows_read} rows -> {self.records} records, "
            f"{self.events} events, {self.rejects} rejects"
        )
        return f"{text} ({reasons})" if reasons else text


def empty_batch(schema: pa.Schema) -> pa.RecordBatch:
    """A zero-row record batch of ``schema``."""
    return pa.RecordBatch.from_arrays([pa.array([], f.type) for f in schema], schema=schema)


@dataclass(frozen=True)
class ConnectorBatch:
    """One batch of a read: records, events and rejects in canonical schemas, plus counts."""

    records: pa.RecordBatch
    events: pa.RecordBatch
    rejects: pa.RecordBatch
    report: ReadReport

    @classmethod
    def empty(cls, source: str) -> ConnectorBatch:
        """A batch with no rows (e.g. for an empty source)."""
        return cls(
            records=empty_batch(RECORDS_SCHEMA),
            events=empty_batch(EVENTS_SCHEMA),
            rejects=empty_batch(REJECTS_SCHEMA),
            report=ReadReport(source=source),
        )

    @property
    def num_rows(self) -> int:
        """Rows across the three batches."""
        return int(self.records.num_rows + self.events.num_rows + self.rejects.num_rows)


@dataclass(frozen=True)
class ReadResult:
    """Everything one read produced, as three tables and the summed report.

    Attributes:
        records: Customer records (:data:`~dchkit.schema.RECORDS_SCHEMA`).
        events: Timeline events (:data:`~dchkit.schema.EVENTS_SCHEMA`).
        rejects: Rejected rows with reasons (:data:`~dchkit.schema.REJECTS_SCHEMA`).
        report: Counts; ``report.balanced`` holds for every built-in connector.
    """

    records: pa.Table
    events: pa.Table
    rejects: pa.Table
    report: ReadReport

    @classmethod
    def from_batches(cls, batches: Iterable[ConnectorBatch], source: str) -> ReadResult:
        """Concatenate batches into tables and sum their reports."""
        records: list[pa.RecordBatch] = []
        events: list[pa.RecordBatch] = []
        rejects: list[pa.RecordBatch] = []
        reports: list[ReadReport] = []
        for batch in batches:
            records.append(batch.records)
            events.append(batch.events)
            rejects.append(batch.rejects)
            reports.append(batch.report)
        return cls(
            records=pa.Table.from_batches(records, schema=RECORDS_SCHEMA),
            events=pa.Table.from_batches(events, schema=EVENTS_SCHEMA),
            rejects=pa.Table.from_batches(rejects, schema=REJECTS_SCHEMA),
            report=ReadReport.total(reports, source),
        )

    def __iter__(self) -> Iterator[Any]:
        """Unpack as ``records, events, rejects, report = result``."""
        return iter((self.records, self.events, self.rejects, self.report))
