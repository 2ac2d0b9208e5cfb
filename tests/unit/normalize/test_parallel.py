from __future__ import annotations

import functools

import pyarrow as pa
import pytest

import dchkit.normalize as nz
from dchkit.errors import ConfigError, NormalizationError
from dchkit.normalize import _parallel


@pytest.fixture
def two_workers(monkeypatch):
    monkeypatch.setattr(_parallel, "MIN_PARALLEL", 8)
    nz.set_workers(2)
    yield
    nz.set_workers(None)


def _phones(n):
    return [f"0{3 + i % 7}-{1000 + i % 9000:04d}-{i % 10000:04d}" for i in range(n)] + [None]


def _shout(value, suffix):
    if value == "boom":
        msg = "boom is not a value"
        raise NormalizationError(msg, fix="do not write boom")
    return None if value is None else value.upper() + suffix


def test_parallel_columns_equal_serial(two_workers):
    phones = _phones(300)
    emails = [f"User{i}@Example{i % 13}.JP" for i in range(300)] + ["not an email", None]
    parallel_phone = nz.normalize_phone_column(phones)
    parallel_email = nz.normalize_email_column(emails)
    nz.set_workers(1)
    assert nz.normalize_phone_column(phones) == parallel_phone
    assert nz.normalize_email_column(emails) == parallel_email


def test_results_keep_input_order(two_workers):
    values = [str(i) for i in range(1000)]
    out = nz.map_distinct(values, functools.partial(_shout, suffix="!"), pa.string(), parallel=True)
    assert out.to_pylist() == [f"{i}!" for i in range(1000)]
    assert _parallel._pool is not None  # a worker did take part


def test_unpicklable_function_runs_here(two_workers):
    values = [str(i) for i in range(100)]
    out = nz.map_distinct(values, lambda v: v, pa.string(), parallel=True)
    assert out.to_pylist() == values


def test_worker_errors_are_raised_as_themselves(two_workers):
    values = ["boom"] + [str(i) for i in range(100)]  # the front goes to a worker
    with pytest.raises(NormalizationError, match="boom is not a value"):
        nz.map_distinct(values, functools.partial(_shout, suffix=""), pa.string(), parallel=True)


def test_set_workers():
    nz.set_workers(1)
    assert nz.worker_count() == 1
    nz.set_workers(None)
    assert nz.worker_count() >= 1
    for bad in (0, -1, 1.5, True, "2"):
        with pytest.raises(ConfigError):
            nz.set_workers(bad)


def test_environment_sets_workers(monkeypatch):
    nz.set_workers(None)
    monkeypatch.delenv("DCHKIT_WORKERS", raising=False)
    assert nz.worker_count() == 1  # off unless asked for
    monkeypatch.setenv("DCHKIT_WORKERS", "3")
    assert nz.worker_count() in (1, 3)  # 1 where processes cannot be forked
    monkeypatch.setenv("DCHKIT_WORKERS", "auto")
    assert nz.worker_count() >= 1
