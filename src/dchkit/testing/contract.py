"""Conformance suite every connector must pass; plug-in authors subclass it.

Examples:
    A plug-in's test module (collected by pytest)::

        import pytest
        from dchkit.testing import ConnectorContract
        from my_plugin import MyConnector

        class TestMyConnector(ConnectorContract):
            @pytest.fixture
            def connector(self, tmp_path):
                return MyConnector(..., source="mine")

            @pytest.fixture
            def empty_connector(self, tmp_path):
                return MyConnector(...)  # a source with no rows
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from dchkit.connectors.base import Connector
from dchkit.connectors.report import ConnectorBatch, ReadResult
from dchkit.schema import EVENTS_SCHEMA, RECORDS_SCHEMA, REJECTS_SCHEMA

__all__ = ["ConnectorContract"]


def _read(connector: Connector) -> tuple[list[ConnectorBatch], ReadResult]:
    batches = list(connector.read())
    return batches, ReadResult.from_batches(batches, connector.source)


class ConnectorContract:
    """Tests every connector must pass. Subclass it and provide two fixtures.

    - ``connector``: a connector over a small source with at least one record or event;
    - ``empty_connector``: a connector over a source without rows.
    """

    @pytest.fixture
    def connector(self) -> Any:
        """Override: the connector under test."""
        pytest.skip("the subclass provides no 'connector' fixture")

    @pytest.fixture
    def empty_connector(self) -> Any:
        """Override: the connector over an empty source."""
        pytest.skip("the subclass provides no 'empty_connector' fixture")

    def test_satisfies_protocol(self, connector: Connector) -> None:
        """The connector meets the runtime-checkable protocol and names itself."""
        assert isinstance(connector, Connector)
        assert isinstance(connector.name, str)
        assert connector.name
        assert isinstance(connector.source, str)
        assert connector.source

    def test_batches_match_canonical_schemas(self, connector: Connector) -> None:
        """Every batch carries records, events and rejects in the canonical schemas."""
        batches, result = _read(connector)
        assert batches
        for batch in batches:
            assert batch.records.schema.equals(RECORDS_SCHEMA)
            assert batch.events.schema.equals(EVENTS_SCHEMA)
            assert batch.rejects.schema.equals(REJECTS_SCHEMA)
        assert result.records.num_rows + result.events.num_rows > 0

    def test_source_is_stamped(self, connector: Connector) -> None:
        """Every output row carries the connector's source label."""
        _, result = _read(connector)
        for table in (result.records, result.events, result.rejects):
            assert set(table.column("source").to_pylist()) <= {connector.source}

    def test_record_ids_unique_and_stable(self, connector: Connector) -> None:
        """Record and event ids are unique within a read and the same on a second read."""
        _, first = _read(connector)
        _, second = _read(connector)
        for table, other, column in (
            (first.records, second.records, "record_id"),
            (first.events, second.events, "event_id"),
        ):
            ids = table.column(column)
            assert pc.count_distinct(ids).as_py() == len(ids)
            assert sorted(ids.to_pylist()) == sorted(other.column(column).to_pylist())
        prefix = f"{connector.source}:"
        assert all(r.startswith(prefix) for r in first.records.column("record_id").to_pylist())

    def test_every_row_is_accounted_for(self, connector: Connector) -> None:
        """rows_read == records + events + rejects, and the tables agree with the report."""
        _, result = _read(connector)
        report = result.report
        assert report.balanced
        assert result.rejects.num_rows == report.rejects
        assert sum(report.rejects_by_reason.values()) == report.rejects
        assert result.records.num_rows == report.records + report.derived_records
        assert result.events.num_rows == report.events + report.extra_events

    def test_rejects_explain_themselves(self, connector: Connector) -> None:
        """Rejects carry a reason that starts with a reason code."""
        _, result = _read(connector)
        for reason in result.rejects.column("reason").to_pylist():
            code, _, text = reason.partition(": ")
            assert code.replace("_", "").isalpha()
            assert text

    def test_empty_source_yields_no_rows(self, empty_connector: Connector) -> None:
        """An empty source reads without error and yields zero rows."""
        _, result = _read(empty_connector)
        assert result.records.num_rows == 0
        assert result.events.num_rows == 0
        assert result.report.rows_read == 0
        assert result.report.balanced

    def test_batches_are_arrow(self, connector: Connector) -> None:
        """Batches are Arrow record batches (no Python row objects in the hot path)."""
        for batch in connector.read():
            assert isinstance(batch.records, pa.RecordBatch)
            assert isinstance(batch.events, pa.RecordBatch)
