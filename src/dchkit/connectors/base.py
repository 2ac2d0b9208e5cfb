"""The connector contract and the optional base class most connectors build on.

A connector is anything with a ``name``, a ``source`` label and a ``read()`` method that
yields :class:`~dchkit.connectors.report.ConnectorBatch` objects (records, events and
rejects in the canonical schemas, plus counts). :class:`BaseConnector` implements
``read()`` from ``read_raw()`` — "how to fetch rows as text" — and a
:class:`~dchkit.connectors.mapping.Mapping`, so a new connector is mostly ``read_raw()``.

Examples:
    >>> import pyarrow as pa
    >>> class Rows(BaseConnector):
    ...     name = "rows"
    ...     def __init__(self, rows, **options):
    ...         super().__init__(**options)
    ...         self.rows = rows
    ...     def read_raw(self):
    ...         data = pa.RecordBatch.from_pylist(self.rows)
    ...         yield RawBatch(data=data, row_numbers=pa.array(range(1, len(self.rows) + 1)))
    >>> conn = Rows([{"id": "1", "email": "A@x.jp"}], source="demo",
    ...             mapping={"records": {"id": "id", "emails": "email"}})
    >>> isinstance(conn, Connector)
    True
    >>> result = conn.read_all()
    >>> result.records.column("emails").to_pylist(), result.report.balanced
    ([['a@x.jp']], True)
"""

from __future__ import annotations

import itertools
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, ClassVar, Protocol, runtime_checkable

from dchkit.connectors.mapper import Mapper, OnError, RawBatch
from dchkit.connectors.mapping import Mapping, load_mapping
from dchkit.connectors.normalizing import NormalizeOptions
from dchkit.connectors.pipeline import map_batches, prefetched
from dchkit.connectors.report import ConnectorBatch, ReadReport, ReadResult
from dchkit.errors import ConfigError

__all__ = [
    "BaseConnector",
    "Connector",
    "MappingLike",
    "RawBatch",
    "canonical_mapping",
    "read_all",
]

#: Anything :func:`~dchkit.connectors.mapping.load_mapping` accepts.
MappingLike = Mapping | dict[str, Any] | str | Path

_CANONICAL_TEXT = (
    "given_name", "family_name", "full_name", "name_kana", "postcode", "country", "region",
    "city", "street", "company",
)  # fmt: skip


_LIST_SPLIT = r"\s*[,;\n]\s*"


@runtime_checkable
class Connector(Protocol):
    """What the hub reads from: a named source yielding canonical batches.

    Attributes:
        name: Registry name of the connector kind (``csv``, ``jsonl`` …).
        source: Source-system label stamped on every row (``crm``, ``ec`` …).
    """

    name: str
    source: str

    def read(self) -> Iterator[ConnectorBatch]:
        """Yield batches of records, events and rejects in the canonical schemas."""
        ...


def read_all(connector: Connector) -> ReadResult:
    """Read a whole connector into three tables and one report.

    Examples:
        >>> from dchkit.connectors import InMemoryConnector
        >>> res = read_all(InMemoryConnector([{"record_id": "1", "email": "a@x.jp"}], source="app"))
        >>> res.records.num_rows, res.report.summary()
        (1, 'app: 1 rows -> 1 records, 0 events, 0 rejects')
    """
    return ReadResult.from_batches(connector.read(), connector.source)


def canonical_mapping(columns: list[str]) -> Mapping:
    """The mapping of a table whose columns already carry canonical names.

    The id comes from ``source_record_id``, ``id`` or ``record_id`` (in that order);
    ``email``/``emails`` and ``phone``/``phones`` feed the lists; every other column
    becomes an attribute. Raises :class:`~dchkit.errors.MappingError` without an id column.

    Examples:
        >>> m = canonical_mapping(["record_id", "email", "family_name", "tier"])
        >>> m.records.id.column, [e.column for e in m.records.emails], m.records.family_name.column
        ('record_id', ['email'], 'family_name')
    """
    id_column = next((c for c in ("source_record_id", "id", "record_id") if c in columns), None)
    if id_column is None:
        from dchkit.errors import MappingError

        msg = f"the table has no id column (source_record_id, id or record_id); it has {columns}"
        raise MappingError(
            msg, fix="add a record_id column, or pass mapping=… naming the id column"
        )
    spec: dict[str, Any] = {"id": id_column}
    spec.update(
        {name: name for name in (*_CANONICAL_TEXT, "birth_date", "updated_at") if name in columns}
    )
    for kind in ("email", "phone"):
        # A plural column holds several values (a list, read as JSON text, or "a; b").
        spec[f"{kind}s"] = [{"column": kind}] if kind in columns else []
        if f"{kind}s" in columns:
            spec[f"{kind}s"].append({"column": f"{kind}s", "split": _LIST_SPLIT})
    return Mapping.model_validate({"name": "canonical", "records": spec})


class BaseConnector(ABC):
    """Optional base class: implement :meth:`read_raw`, get :meth:`read` for free.

    Args:
        source: Source label; defaults to the mapping's ``source``, else the connector name.
        mapping: A :class:`~dchkit.connectors.mapping.Mapping`, a dict, or a JSON/YAML path.
        preset: Name of a shipped mapping (``salesforce_contacts``); excludes ``mapping``.
        on_error: ``"collect"`` (default) keeps bad rows in ``rejects``; ``"raise"`` raises
            an :class:`ExceptionGroup` of :class:`~dchkit.errors.RecordNormalizationError`
            for the first batch with rejected rows.
        default_region: Region for phone numbers without a country code.
        batch_size: Target rows per batch (memory stays bounded by it).

    Raises:
        ConfigError: both ``mapping`` and ``preset`` were given, or ``batch_size`` < 1.
    """

    name: ClassVar[str] = "base"
    #: Whether :meth:`read_raw` may run in another thread, a batch ahead (file readers:
    #: yes; a DB-API connection may be tied to the thread that opened it: no).
    read_ahead: ClassVar[bool] = False
    source: str

    def __init__(
        self,
        *,
        source: str | None = None,
        mapping: MappingLike | None = None,
        preset: str | None = None,
        on_error: OnError = "collect",
        default_region: str | None = None,
        batch_size: int = 65_536,
    ) -> None:
        if mapping is not None and preset is not None:
            msg = "pass either mapping= or preset=, not both"
            raise ConfigError(msg, fix="drop one of them")
        if batch_size < 1:
            msg = f"batch_size must be at least 1, got {batch_size}"
            raise ConfigError(msg, fix="use e.g. 65536")
        if on_error not in ("collect", "raise"):
            msg = f"on_error must be 'collect' or 'raise', got {on_error!r}"
            raise ConfigError(msg, fix='use on_error="collect" to get a rejects table')
        if preset is not None:
            from dchkit.connectors.presets import load_preset

            mapping = load_preset(preset)
        self.mapping: Mapping | None = load_mapping(mapping) if mapping is not None else None
        self.source: str = source or (self.mapping.source if self.mapping else None) or self.name
        self.on_error: OnError = on_error
        self.default_region = default_region
        self.batch_size = batch_size
        self.last_report: ReadReport | None = None

    def _json_columns(self, given: Sequence[str]) -> tuple[str, ...]:
        """Nested columns to keep as JSON text: those given, else the mapping's."""
        return tuple(given) or (self.mapping.json_columns if self.mapping else ())

    def __repr__(self) -> str:
        mapping = self.mapping.name if self.mapping and self.mapping.name else None
        return f"{type(self).__name__}(source={self.source!r}, mapping={mapping!r})"

    @abstractmethod
    def read_raw(self) -> Iterator[RawBatch]:
        """Yield the source's rows as text batches (see :class:`RawBatch`)."""

    def _mapper(self, mapping: Mapping) -> Mapper:
        region = self.default_region or mapping.default_region or "JP"
        return Mapper(
            mapping,
            source=self.source,
            options=NormalizeOptions(default_region=region),
            on_error=self.on_error,
        )

    def read(self) -> Iterator[ConnectorBatch]:
        """Read the source: map, normalize and yield one batch per raw batch.

        A large read uses several processes (see :mod:`dchkit.connectors.pipeline`).
        After the read, :attr:`last_report` holds the summed report.
        """
        raws = prefetched(self.read_raw()) if self.read_ahead else self.read_raw()
        first = next(raws, None)
        total = ReadReport(source=self.source)
        if first is None:
            self.last_report = total
            return
        mapping = self.mapping or canonical_mapping(first.data.schema.names)
        mapper = self._mapper(mapping)
        for batch in map_batches(mapper, itertools.chain([first], raws)):
            total = total + batch.report
            yield batch
        self.last_report = replace(total, missing_columns=mapper.missing_columns())

    def read_all(self) -> ReadResult:
        """Read everything into three tables and one report (see :func:`read_all`)."""
        result = ReadResult.from_batches(self.read(), self.source)
        if self.last_report is not None:
            result = replace(result, report=self.last_report)
        return result
