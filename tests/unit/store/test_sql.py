"""Rows go to SQLite many per statement, in order, whatever the slice and group sizes."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime

import pyarrow as pa
import pytest

from dchkit.store import _sql


@pytest.mark.parametrize("count", [0, 1, 2, 3, 5, 6, 7, 13, 20])
def test_write_rows_writes_every_row_in_order(count: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_sql, "_ROWS_PER_STATEMENT", 3)
    monkeypatch.setattr(_sql, "_SLICE", 7)  # slices of 6 rows: two statements each
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE t (n INTEGER, s TEXT, at INTEGER, b BLOB)")
    rows = pa.table(
        {
            "n": pa.array(range(count), pa.int64()),
            "s": pa.array([None if i % 4 == 0 else f"v{i}" for i in range(count)]),
            "at": pa.array([datetime(2024, 1, 1, tzinfo=UTC)] * count, pa.timestamp("us", "UTC")),
            "b": pa.array([bytes([i % 256]) for i in range(count)], pa.binary()),
        }
    )
    _sql.write_rows(db, "INSERT INTO t (n, s, at, b)", rows)
    found = db.execute("SELECT n, s, at, b FROM t ORDER BY rowid").fetchall()
    assert found == [
        (i, None if i % 4 == 0 else f"v{i}", 1_704_067_200_000_000, bytes([i % 256]))
        for i in range(count)
    ]


def test_write_rows_keeps_a_statement_within_the_parameter_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(_sql, "_PARAMETERS", 10)  # 4 columns: 2 rows a statement
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE t (a, b, c, d, PRIMARY KEY (a))")
    rows = pa.table({name: pa.array(range(5), pa.int64()) for name in "abcd"})
    _sql.write_rows(db, "INSERT INTO t (a, b, c, d)", rows, " ON CONFLICT (a) DO NOTHING")
    assert db.execute("SELECT count(*) FROM t").fetchone()[0] == 5
