"""A writer killed with SIGKILL at random moments never leaves a broken or rolled-back hub.

A subprocess ingests a small synthetic world in slices (one commit each), resolves it in
batch, then ingests changed records (incremental resolution), printing a line after every
call returns — so every printed line is committed. The test kills it at a random moment
after a random line, opens the file, runs SQLite's integrity check and the hub's own,
checks that everything the writer reported as done is there and that no resolve is half
written, and re-runs the ingest, which must complete it.
"""

from __future__ import annotations

import random
import selectors
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

import dchkit as dch

pytestmark = pytest.mark.slow

SLICE = 25
_PATIENCE = 120.0  # seconds without a line from the writer before the test gives up

WRITER = textwrap.dedent(
    f"""
    import time
    started = time.monotonic()
    import sys
    import pyarrow as pa
    import pyarrow.parquet as pq
    import dchkit as dch

    def say(*words):
        print(*words, round(time.monotonic() - started, 3), flush=True)

    path, data = sys.argv[1], sys.argv[2]
    records = pq.read_table(data + "/records.parquet")
    events = pq.read_table(data + "/events.parquet")
    hub = dch.Hub(path, default_region="US")
    say("open")
    for start in range(0, records.num_rows, {SLICE}):
        hub.ingest(records.slice(start, {SLICE}))
        say("ingested", start)
    hub.ingest(events=events)
    say("events")
    hub.resolve()
    say("resolved")
    for i in range(0, 12, 4):
        part = records.slice(i, 4)
        renamed = pa.array([f"Changed {{i}}"] * part.num_rows)
        part = part.set_column(part.schema.get_field_index("company"), "company", renamed)
        hub.ingest(part)
        say("changed", i)
    hub.close()
    say("done")
    """
)


def _run(script: Path, db: Path, data: Path, kill: tuple[int, float] | None) -> list[str]:
    """Run the writer; with ``kill=(k, delay)``, SIGKILL it ``delay`` s after its k-th line."""
    errors = script.with_suffix(".err")
    lines: list[str] = []
    with (
        errors.open("w") as stderr,
        subprocess.Popen(
            [sys.executable, str(script), str(db), str(data)],
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        ) as process,
        selectors.DefaultSelector() as selector,
    ):
        assert process.stdout is not None
        selector.register(process.stdout, selectors.EVENT_READ)
        deadline = time.monotonic() + _PATIENCE
        while kill is None or len(lines) <= kill[0]:
            if not selector.select(timeout=max(deadline - time.monotonic(), 0)):
                process.kill()
                pytest.fail(f"writer silent for {_PATIENCE} s after {lines}: {errors.read_text()}")
            line = process.stdout.readline()
            if not line:
                break
            lines.append(line.strip())
        if kill is not None:
            time.sleep(kill[1])
            process.send_signal(signal.SIGKILL)
        lines.extend(line.strip() for line in process.stdout)
    if kill is None:
        assert process.returncode == 0, errors.read_text()
    return lines


def _check(db: Path, done: list[str], records: pa.Table) -> None:
    with dch.Hub(db, default_region="US") as hub:
        assert hub.store.check() == []
        stored = hub.store.read("records")
        have = set(stored.column("record_id").to_pylist())
        ids = records.column("record_id").to_pylist()
        for line in done:
            if line.startswith("ingested"):
                start = int(line.split()[1])
                assert set(ids[start : start + SLICE]) <= have, line
        clusters = hub.store.read("clusters")
        if any(line.startswith("resolved") for line in done):
            assert clusters.num_rows == stored.num_rows
        if clusters.num_rows:  # golden records match clusters: no half-written resolve
            customers = pc.count_distinct(clusters.column("customer_id")).as_py()
            assert hub.store.count("golden") == customers
        changed = [int(line.split()[1]) for line in done if line.startswith("changed")]
        if changed:
            assert f"Changed {max(changed)}" in stored.column("company").to_pylist()


def _phase(done: list[str]) -> str:
    """Where the writer was when killed: ingest, resolve (batch) or incremental."""
    last = done[-1] if done else "open"
    if last.startswith(("resolved", "changed")):
        return "incremental"
    if last.startswith("events"):
        return "resolve"
    return "ingest"


def test_sigkill_during_ingest_and_resolve_loses_nothing_committed(tmp_path: Path) -> None:
    from dchkit.datasets import generate_world

    exports = generate_world(n_people=30, locale="en", seed=3).write(tmp_path / "world")
    records, events = _read(exports)
    data = tmp_path / "data"
    data.mkdir()
    pq.write_table(records, data / "records.parquet")
    pq.write_table(events, data / "events.parquet")
    script = tmp_path / "writer.py"
    script.write_text(WRITER, encoding="utf-8")

    lines = _run(script, tmp_path / "reference.db", data, None)
    assert lines[-1].startswith("done")
    times = [float(line.split()[-1]) for line in lines]
    resolve_line = next(i for i, line in enumerate(lines) if line.startswith("events"))
    rng = random.Random(7)
    db = tmp_path / "crash.db"
    kills = attempts = 0
    phases: set[str] = set()
    while kills < 20:
        attempts += 1
        assert attempts <= 30, "the writer finished before the kill too often"
        # Even attempts start afresh; odd ones continue from the last crash. The kill comes
        # a random time after a random line (every third time: during the batch resolve),
        # within the gap the reference run had there.
        if attempts % 2 == 0:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)
        line = resolve_line if attempts % 3 == 0 else rng.randrange(len(lines) - 1)
        done = _run(script, db, data, (line, rng.uniform(0, times[line + 1] - times[line])))
        if not (done and done[-1].startswith("done")):
            kills += 1
            phases.add(_phase(done))
        _check(db, done, records)
        with dch.Hub(db, default_region="US") as hub:  # re-running the ingest completes it
            hub.ingest(records, resolve="never")
            hub.ingest(events=events, resolve="never")
            assert hub.store.count("records") == records.num_rows
            assert hub.store.count("events") == events.num_rows
            assert hub.store.check() == []
    assert {"ingest", "resolve", "incremental"} <= phases, phases


def _read(directory: Path) -> tuple[pa.Table, pa.Table]:
    """The world's records and events, read through the connector presets."""
    import json

    import dchkit.connectors as dc

    manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    records, events = [], []
    for info in manifest["tables"].values():
        path = directory / info["file"]
        if info["preset"] == "segment_events":
            connector = dc.SegmentConnector(path, source=info["source"])
        else:
            kind = dc.CsvConnector if info["format"] == "csv" else dc.JsonLinesConnector
            connector = kind(
                path, preset=info["preset"], source=info["source"], default_region="US"
            )
        result = connector.read_all()
        records.append(result.records)
        events.append(result.events)
    return pa.concat_tables(records), pa.concat_tables(events)
