"""A large read finishes its batches in worker processes: same output, same order."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pytest

import dchkit.connectors as dc
import dchkit.normalize as nz
from dchkit.connectors import pipeline
from dchkit.connectors.mapper import Mapper, PreparedBatch, RawBatch
from dchkit.connectors.mapping import Mapping
from dchkit.connectors.report import ConnectorBatch
from dchkit.errors import NormalizationError
from dchkit.normalize import _parallel

from .conftest import assert_balanced

datasets = pytest.importorskip("dchkit.datasets")


@pytest.fixture
def parallel(monkeypatch: pytest.MonkeyPatch):
    """Two processes from the second batch of any read on."""
    monkeypatch.setattr(pipeline, "MIN_PARALLEL_ROWS", 1)
    nz.set_workers(2)
    yield
    nz.set_workers(None)


def _connector(directory: Path, info: dict, batch_size: int) -> dc.BaseConnector:
    path = directory / info["file"]
    if info["preset"] == "segment_events":
        return dc.SegmentConnector(path, source=info["source"], batch_size=batch_size)
    kind = dc.CsvConnector if info["format"] == "csv" else dc.JsonLinesConnector
    return kind(path, preset=info["preset"], source=info["source"], batch_size=batch_size)


def _read(directory: Path, info: dict) -> tuple[list[pa.RecordBatch], dc.ReadResult]:
    conn = _connector(directory, info, batch_size=97)
    batches = list(conn.read())
    assert conn.last_report is not None
    result = _connector(directory, info, batch_size=97).read_all()
    return [b.records for b in batches] + [b.events for b in batches], result


@pytest.mark.slow
def test_parallel_read_equals_serial_read(tmp_path: Path, parallel: None):
    world = datasets.generate_world(n_people=120, locale="ja", seed=11)
    directory = world.write(tmp_path, cp932_crm=True)
    manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    in_workers = []
    for table, info in manifest["tables"].items():
        nz.set_workers(2)
        parallel_batches, parallel_result = _read(directory, info)
        in_workers.append(_parallel._pool is not None)
        nz.set_workers(1)
        serial_batches, serial_result = _read(directory, info)
        assert parallel_batches == serial_batches, table  # batch by batch, in order
        assert parallel_result.records == serial_result.records, table
        assert parallel_result.events == serial_result.events, table
        assert parallel_result.rejects == serial_result.rejects, table
        assert parallel_result.report == serial_result.report, table
        assert_balanced(parallel_result)
    if _parallel._can_fork():
        assert any(in_workers)  # workers did take part


def _raws(ids: list[list[str | None]]) -> list[RawBatch]:
    raws, row = [], 1
    for chunk in ids:
        data = pa.record_batch(
            {"id": pa.array(chunk, pa.string()), "email": ["A@x.jp"] * len(chunk)}
        )
        raws.append(RawBatch(data=data, row_numbers=pa.array(range(row, row + len(chunk)))))
        row += len(chunk)
    return raws


def _mapper(on_error: str = "collect") -> Mapper:
    mapping = Mapping.model_validate({"records": {"id": "id", "emails": "email"}})
    return Mapper(mapping, source="app", on_error=on_error)  # type: ignore[arg-type]


def test_duplicates_across_batches_are_found_in_order(parallel: None):
    chunks = [[str(i) for i in range(b * 10, b * 10 + 10)] for b in range(8)]
    chunks[5][3] = "12"  # read in batch 1, row 13
    out = list(pipeline.map_batches(_mapper(), _raws(chunks)))
    assert [b.report.records for b in out] == [10, 10, 10, 10, 10, 9, 10, 10]
    reason = out[5].rejects.column("reason")[0].as_py()
    assert reason.startswith("duplicate_id: id '12' already read at row 13")
    ids = [i for b in out for i in b.records.column("source_record_id").to_pylist()]
    every = [i for chunk in chunks for i in chunk]
    assert ids == every[:53] + every[54:]  # in order, without the repeated id


def test_a_failing_batch_is_raised_after_the_batches_before_it(parallel: None):
    chunks = [[str(i) for i in range(b * 10, b * 10 + 10)] for b in range(6)]
    chunks[4][0] = None  # a missing id: rejected, and with on_error="raise" raised
    batches = pipeline.map_batches(_mapper("raise"), _raws(chunks))
    seen = [next(batches).report.records for _ in range(4)]
    assert seen == [10, 10, 10, 10]
    with pytest.raises(ExceptionGroup, match="rejected"):
        next(batches)


def test_an_error_in_a_worker_is_raised_as_itself(parallel: None, monkeypatch: pytest.MonkeyPatch):
    finish = Mapper.finish

    def failing(self: Mapper, prepared: PreparedBatch) -> ConnectorBatch:
        records = prepared.records
        if records is not None and "boom" in records.ids.to_pylist():
            msg = "boom is not an id"
            raise NormalizationError(msg, fix="do not write boom")
        return finish(self, prepared)

    monkeypatch.setattr(Mapper, "finish", failing)  # before the workers are forked
    chunks = [[str(i) for i in range(b * 10, b * 10 + 10)] for b in range(5)]
    chunks[3][5] = "boom"
    batches = pipeline.map_batches(_mapper(), _raws(chunks))
    assert [next(batches).report.records for _ in range(3)] == [10, 10, 10]
    with pytest.raises(NormalizationError, match="boom is not an id"):
        next(batches)


def test_small_reads_stay_in_this_process(monkeypatch: pytest.MonkeyPatch):
    nz.set_workers(2)
    try:
        monkeypatch.setattr(pipeline, "submit", _fail)
        out = list(pipeline.map_batches(_mapper(), _raws([["1", "2"], ["3"]])))
    finally:
        nz.set_workers(None)
    assert [b.report.records for b in out] == [2, 1]


def _fail(*_args: object) -> None:
    msg = "a small read must not use worker processes"
    raise AssertionError(msg)


def test_read_processes_default(monkeypatch: pytest.MonkeyPatch):
    nz.set_workers(None)
    monkeypatch.delenv("DCHKIT_WORKERS", raising=False)
    assert nz.read_processes() == 1  # one process unless asked for
    monkeypatch.setenv("DCHKIT_WORKERS", "auto")
    assert nz.read_processes() in (1, _parallel._available_cpus())  # 1 where no fork
    nz.set_workers(3)
    try:
        assert nz.read_processes() in (1, 3)
    finally:
        nz.set_workers(None)
