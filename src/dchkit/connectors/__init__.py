"""Where customer data enters the hub: read a source, map it, normalize it, account for it.

A connector reads one source system's export and yields
:class:`~dchkit.connectors.report.ConnectorBatch` objects — ``records``, ``events`` and
``rejects`` in the canonical Arrow schemas plus a :class:`ReadReport`. Every row read is
accounted for: ``rows_read == records + events + rejects``.

With ``DCHKIT_WORKERS=2`` (or ``auto``, or :func:`dchkit.normalize.set_workers`), a large
read (past its first batch and 50,000 rows) builds and normalizes batches in forked worker
processes while this one reads and checks ids; they come out in order, the same as from
one process (:mod:`dchkit.connectors.pipeline`). That pays on idle cores; on busy ones it
only costs more CPU time, so a read uses one process unless asked.

Examples:
    >>> import dchkit.connectors as dc
    >>> conn = dc.connect("memory", data=[{"Id": "003A", "Mail": "Taro@Example.JP"},
    ...                                   {"Id": "003A", "Mail": "dup@example.jp"}],
    ...                   source="crm", mapping={"records": {"id": "Id", "emails": "Mail"}})
    >>> records, events, rejects, report = conn.read_all()
    >>> records.column("emails").to_pylist(), report.rejects_by_reason, report.balanced
    ([['taro@example.jp']], {'duplicate_id': 1}, True)
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dchkit.connectors.base import (
    BaseConnector,
    Connector,
    MappingLike,
    canonical_mapping,
    read_all,
)
from dchkit.connectors.delimited import CsvConnector
from dchkit.connectors.jsonlines import JsonConnector, JsonLinesConnector
from dchkit.connectors.mapper import RawBatch
from dchkit.connectors.mapping import (
    ConsentSpec,
    EventMapping,
    EventTypeSpec,
    FieldSpec,
    Mapping,
    RecordMapping,
    RowFilter,
    SplitName,
    load_mapping,
)
from dchkit.connectors.memory import InMemoryConnector
from dchkit.connectors.normalizing import NormalizeOptions, normalize_records
from dchkit.connectors.parquet import ParquetConnector
from dchkit.connectors.presets import available_presets, load_preset, register_preset
from dchkit.connectors.registry import (
    ENTRY_POINT_GROUP,
    available_connectors,
    connect,
    get_connector,
    register_connector,
    registry,
)
from dchkit.connectors.report import ConnectorBatch, ReadReport, ReadResult
from dchkit.connectors.segment import SegmentConnector
from dchkit.connectors.sql import SqlConnector

__all__ = [
    "ENTRY_POINT_GROUP",
    "BaseConnector",
    "Connector",
    "ConnectorBatch",
    "ConsentSpec",
    "CsvConnector",
    "EventMapping",
    "EventTypeSpec",
    "FieldSpec",
    "InMemoryConnector",
    "JsonConnector",
    "JsonLinesConnector",
    "Mapping",
    "MappingLike",
    "NormalizeOptions",
    "ParquetConnector",
    "RawBatch",
    "ReadReport",
    "ReadResult",
    "RecordMapping",
    "RowFilter",
    "SegmentConnector",
    "SplitName",
    "SqlConnector",
    "available_connectors",
    "available_presets",
    "canonical_mapping",
    "connect",
    "csv",
    "get_connector",
    "jsonl",
    "load_mapping",
    "load_preset",
    "normalize_records",
    "parquet",
    "read_all",
    "register_connector",
    "register_preset",
    "registry",
]


def csv(path: str | Path, **options: Any) -> CsvConnector:
    """Shortcut for :class:`CsvConnector`: ``csv("contacts.csv", preset="salesforce_contacts")``."""
    return CsvConnector(path, **options)


def jsonl(path: str | Path, **options: Any) -> JsonLinesConnector:
    """Shortcut for :class:`JsonLinesConnector`: ``jsonl("tickets.jsonl", preset="zendesk_tickets")``."""
    return JsonLinesConnector(path, **options)


def parquet(path: str | Path, **options: Any) -> ParquetConnector:
    """Shortcut for :class:`ParquetConnector`."""
    return ParquetConnector(path, **options)
