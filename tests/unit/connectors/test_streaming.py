"""Large sources stream in bounded batches."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

import dchkit.connectors as dc

from .conftest import assert_balanced

N = 5_000
BATCH = 700


def _check(conn: dc.BaseConnector) -> None:
    sizes = []
    for batch in conn.read():
        assert batch.report.rows_read <= BATCH
        sizes.append(batch.report.rows_read)
    assert sum(sizes) == N
    assert len(sizes) >= N // BATCH
    assert conn.last_report is not None
    assert conn.last_report.balanced


def test_csv_streams(tmp_path: Path):
    path = tmp_path / "big.csv"
    lines = ["Id,Email,Note"] + [f'{i},u{i}@x.jp,"line one\nline two {i}"' for i in range(N)]
    path.write_text("\n".join(lines) + "\n")
    conn = dc.csv(
        path, source="crm", mapping={"records": {"id": "Id", "emails": "Email"}}, batch_size=BATCH
    )
    _check(conn)
    res = conn.read_all()
    assert_balanced(res)
    assert res.records["record_id"][N - 1].as_py() == f"crm:{N - 1}"


def test_jsonl_streams(tmp_path: Path):
    path = tmp_path / "big.jsonl"
    path.write_text("\n".join(json.dumps({"id": i, "email": f"u{i}@x.jp"}) for i in range(N)))
    _check(dc.jsonl(path, source="s", mapping={"records": {"id": "id"}}, batch_size=BATCH))


def test_parquet_streams(tmp_path: Path):
    path = tmp_path / "big.parquet"
    pq.write_table(pa.table({"id": list(range(N))}), path, row_group_size=1000)
    _check(dc.parquet(path, source="s", mapping={"records": {"id": "id"}}, batch_size=BATCH))


def test_memory_and_sql_stream():
    import sqlite3

    _check(
        dc.InMemoryConnector(
            pa.table({"record_id": [str(i) for i in range(N)]}), source="s", batch_size=BATCH
        )
    )
    db = sqlite3.connect(":memory:")
    db.execute("create table t (id integer)")
    db.executemany("insert into t values (?)", [(i,) for i in range(N)])
    _check(
        dc.SqlConnector(
            db, "select id from t", source="s", mapping={"records": {"id": "id"}}, batch_size=BATCH
        )
    )
