from __future__ import annotations

from pathlib import Path

import pytest

from dchkit.connectors import ReadResult

EXPORTS = Path(__file__).resolve().parents[2] / "fixtures" / "exports"


def assert_balanced(result: ReadResult) -> None:
    """The count identity every read must satisfy."""
    report = result.report
    assert report.rows_read == report.records + report.events + report.rejects
    assert report.balanced
    assert result.rejects.num_rows == report.rejects
    assert result.records.num_rows == report.records + report.derived_records
    assert result.events.num_rows == report.events + report.extra_events


@pytest.fixture
def exports() -> Path:
    return EXPORTS
