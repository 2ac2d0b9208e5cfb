"""Benchmark ``dchkit.connectors``: read + map + normalize synthetic exports through presets.

A world of ``--records`` source records is generated once with ``dchkit.datasets`` and
written to a cache directory as the systems export it (CSV with BOM, CP932 CRM CSV, JSON
Lines, Segment messages). Each timed run then reads every table through its preset in a
fresh subprocess, so peak RSS (the child's ``ru_maxrss``) is that run's alone. Times are
reported for the record tables (the 1M "source records") and for all tables with events.

    python benchmarks/bench_connectors.py --records 1000000 --repeat 1
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

CACHE = Path(__file__).resolve().parent / ".data" / "connectors"

_CHILD = """
import json, resource, sys, time
from pathlib import Path
import dchkit.connectors as dc

directory = Path(sys.argv[1])
manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
out = {"tables": {}}
total = 0.0
records_time = 0.0
for table, info in manifest["tables"].items():
    path = directory / info["file"]
    if info["preset"] == "segment_events":
        conn = dc.SegmentConnector(path, source=info["source"])
    elif info["format"] == "csv":
        conn = dc.CsvConnector(path, preset=info["preset"], source=info["source"])
    else:
        conn = dc.JsonLinesConnector(path, preset=info["preset"], source=info["source"])
    start = time.perf_counter()
    records = events = rejects = 0
    for batch in conn.read():  # streamed: batches are dropped as they come
        records += batch.records.num_rows
        events += batch.events.num_rows
        rejects += batch.rejects.num_rows
    elapsed = time.perf_counter() - start
    report = conn.last_report
    assert report is not None and report.balanced, (table, report)
    total += elapsed
    if info["kind"] == "records":
        records_time += elapsed
    out["tables"][table] = {"rows": report.rows_read, "records": records, "events": events,
                            "rejects": rejects, "seconds": round(elapsed, 2)}
out["seconds_records"] = round(records_time, 2)
out["seconds_all"] = round(total, 2)
out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
print(json.dumps(out))
"""


def prepare(records: int, locale: str, seed: int) -> Path:
    """Generate and write the world once; later runs reuse the cache."""
    directory = CACHE / f"{locale}-{records}-{seed}"
    if (directory / "manifest.json").exists():
        return directory
    from dchkit.datasets import generate_world

    start = time.perf_counter()
    world = generate_world(n_records=records, locale=locale, seed=seed)
    world.write(directory, cp932_crm=locale == "ja")
    print(f"generated and wrote {directory} in {time.perf_counter() - start:.1f}s", flush=True)
    return directory


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--locale", default="ja", choices=["ja", "en"])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    directory = prepare(args.records, args.locale, args.seed)
    for _ in range(args.repeat):
        result = subprocess.run(
            [sys.executable, "-c", _CHILD, str(directory)],
            check=True,
            capture_output=True,
            text=True,
        )
        data = json.loads(result.stdout)
        source_rows = sum(t["records"] for t in data["tables"].values())
        for name, row in data["tables"].items():
            print(f"  {name:20s} {row}")
        print(
            f"{args.locale} {args.records} records: record tables {data['seconds_records']}s, "
            f"all tables {data['seconds_all']}s ({source_rows} records out), "
            f"peak RSS {data['peak_rss_mb']} MB"
        )


if __name__ == "__main__":
    main()
