"""Readers in other processes read profiles while one writer ingests (SQLite WAL)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pyarrow as pa
import pytest

import dchkit as dch

pytestmark = pytest.mark.slow

READER = textwrap.dedent(
    """
    import json, sys, time
    import dchkit as dch

    path, ids, seconds = sys.argv[1], json.loads(sys.argv[2]), float(sys.argv[3])
    hub = dch.Hub(path)
    reads = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for record_id in ids:
            profile = hub.profiles.lookup(record_id=record_id)
            assert record_id in [r.record_id for r in profile.records]
            reads += 1
    print(json.dumps({"reads": reads, "records": hub.store.count("records")}))
    """
)

WRITER = textwrap.dedent(
    """
    import sys
    import pyarrow as pa
    import dchkit as dch

    hub = dch.Hub(sys.argv[1])
    for batch in range(int(sys.argv[2])):
        rows = [{"record_id": f"app:{batch}-{i}", "source": "app",
                 "source_record_id": f"{batch}-{i}", "family_name": f"Writer{batch}",
                 "given_name": f"N{i}", "emails": [f"w{batch}.{i}@example.org"]}
                for i in range(20)]
        report = hub.ingest(pa.Table.from_pylist(rows))
        assert report.inserted == 20 and report.resolved == 20, report
    print("done", flush=True)
    """
)


def test_readers_read_profiles_while_a_writer_ingests(tmp_path: Path) -> None:
    db = tmp_path / "hub.db"
    base = pa.Table.from_pylist(
        [
            {"record_id": f"crm:{i}", "source": "crm", "source_record_id": str(i),
             "family_name": f"Reader{i}", "emails": [f"r{i}@example.org"]}
            for i in range(300)
        ]
    )  # fmt: skip
    with dch.Hub(db) as hub:
        hub.ingest(base)
        hub.resolve()
    ids = json.dumps([f"crm:{i}" for i in range(0, 300, 30)])
    reader_script = tmp_path / "reader.py"
    reader_script.write_text(READER, encoding="utf-8")
    writer_script = tmp_path / "writer.py"
    writer_script.write_text(WRITER, encoding="utf-8")
    readers = [
        subprocess.Popen(
            [sys.executable, str(reader_script), str(db), ids, "5"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    writer = subprocess.run(
        [sys.executable, str(writer_script), str(db), "10"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert writer.returncode == 0, writer.stderr
    results = []
    for reader in readers:
        out, err = reader.communicate(timeout=300)
        assert reader.returncode == 0, err
        results.append(json.loads(out))
    assert all(r["reads"] > 0 for r in results)
    with dch.Hub(db) as hub:
        assert hub.store.count("records") == 300 + 10 * 20
        assert hub.store.check() == []
        assert hub.profiles.lookup(email="w9.19@example.org").records[0].record_id == "app:9-19"
