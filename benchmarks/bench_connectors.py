"""Benchmark ``dchkit.connectors``: read + map + normalize synthetic exports through presets.

A world of ``--records`` source records is generated once with ``dchkit.datasets`` and
written to a cache directory as the systems export it (CSV with BOM, CP932 CRM CSV, JSON
Lines, Segment messages). Each timed run then reads every table through its preset in a
fresh subprocess, so peak RSS (the child's ``VmHWM``) is that run's alone, and CPU
seconds are reported per table beside the wall time (on a shared machine they are the
steadier figure); the
normalizers' worker processes (``dchkit.normalize.set_workers``) are reported apart, with
the sum as the run's upper bound. Times are reported for the record tables (the 1M "source
records") and for all tables with events, with the CPU seconds spent and the load average
(the machine may be shared); with ``--repeat`` the medians close the report. The ``en``
world is read with ``default_region="US"`` (the presets say JP).

    python benchmarks/bench_connectors.py --records 1250000 --repeat 3 --records-only
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

CACHE = Path(__file__).resolve().parent / ".data" / "connectors"

_CHILD = """
import json, os, resource, sys, time
from pathlib import Path
import dchkit.connectors as dc
import dchkit.normalize as nz

directory = Path(sys.argv[1])
records_only = sys.argv[2] == "records"
manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
# The presets say JP; the en world's numbers are American, as a user would tell the reader.
region = {"ja": "JP", "en": "US"}[manifest["config"]["locale"]]
# Processes a large read uses (getattr: the script also times releases from before the
# batch pipeline, or from before any worker pool).
workers = getattr(nz, "read_processes", getattr(nz, "worker_count", lambda: 1))()
out = {"tables": {}, "workers": workers, "load": os.getloadavg()[0]}
total = 0.0
records_time = 0.0
cpu = time.process_time()
for table, info in manifest["tables"].items():
    if records_only and info["kind"] != "records":
        continue
    path = directory / info["file"]
    options = {"source": info["source"], "default_region": region}
    if info["preset"] == "segment_events":
        conn = dc.SegmentConnector(path, **options)
    elif info["format"] == "csv":
        conn = dc.CsvConnector(path, preset=info["preset"], **options)
    else:
        conn = dc.JsonLinesConnector(path, preset=info["preset"], **options)
    start = time.perf_counter()
    cpu_start = time.process_time()
    records = events = rejects = 0
    for batch in conn.read():  # streamed: batches are dropped as they come
        records += batch.records.num_rows
        events += batch.events.num_rows
        rejects += batch.rejects.num_rows
    elapsed = time.perf_counter() - start
    cpu_table = time.process_time() - cpu_start
    report = conn.last_report
    assert report is not None and report.balanced, (table, report)
    total += elapsed
    if info["kind"] == "records":
        records_time += elapsed
    out["tables"][table] = {"rows": report.rows_read, "records": records, "events": events,
                            "rejects": rejects, "seconds": round(elapsed, 2),
                            "cpu_seconds": round(cpu_table, 2)}
out["seconds_records"] = round(records_time, 2)
out["cpu_records"] = round(
    sum(t["cpu_seconds"] for n, t in out["tables"].items()
        if manifest["tables"][n]["kind"] == "records"), 1
)
out["seconds_all"] = round(total, 2)
if workers > 1:  # stop the worker processes, so their peak RSS and CPU time are known
    nz.set_workers(1)
out["cpu_parent"] = round(time.process_time() - cpu, 1)
self_usage = resource.getrusage(resource.RUSAGE_SELF)
workers = resource.getrusage(resource.RUSAGE_CHILDREN)
out["cpu_seconds"] = round(
    self_usage.ru_utime + self_usage.ru_stime + workers.ru_utime + workers.ru_stime, 1
)
# VmHWM is this process's own high-water mark; ru_maxrss survives fork and exec on Linux,
# so it would report the parent's memory (e.g. the world it has just generated).
hwm = [l for l in open("/proc/self/status").read().splitlines() if l.startswith("VmHWM:")]
out["peak_rss_mb"] = round(
    int(hwm[0].split()[1]) / 1024 if hwm else self_usage.ru_maxrss / 1024, 1
)
out["worker_peak_rss_mb"] = round(workers.ru_maxrss / 1024, 1)
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
    parser.add_argument(
        "--workers", default=None, help="normalizer processes: a number or auto (default: 1)"
    )
    parser.add_argument(
        "--records-only", action="store_true", help="skip the event tables (orders, e-mail …)"
    )
    args = parser.parse_args()
    directory = prepare(args.records, args.locale, args.seed)
    env = dict(os.environ)
    if args.workers is not None:
        env["DCHKIT_WORKERS"] = args.workers
    runs = []
    for _ in range(args.repeat):
        result = subprocess.run(
            [
                sys.executable,
                "-c",
                _CHILD,
                str(directory),
                "records" if args.records_only else "all",
            ],
            check=True,
            capture_output=True,
            text=True,
            env=env,
        )
        data = json.loads(result.stdout)
        runs.append(data)
        source_rows = sum(t["records"] for t in data["tables"].values())
        for name, row in data["tables"].items():
            print(f"  {name:20s} {row}")
        print(
            f"{args.locale} {args.records} records, {data['workers']} process(es), "
            f"load {data['load']:.2f}: record tables {data['seconds_records']}s, "
            f"all tables {data['seconds_all']}s ({source_rows} records out), "
            f"CPU {data['cpu_seconds']}s (record tables {data['cpu_records']}s), peak RSS {data['peak_rss_mb']} MB "
            f"(+ worker {data['worker_peak_rss_mb']} MB)",
            flush=True,
        )
    if len(runs) > 1:
        median = {
            key: statistics.median(run[key] for run in runs)
            for key in (
                "seconds_records",
                "seconds_all",
                "cpu_seconds",
                "cpu_records",
                "peak_rss_mb",
            )
        }
        worker_rss = statistics.median(run["worker_peak_rss_mb"] for run in runs)
        print(
            f"median of {len(runs)}: record tables {median['seconds_records']}s, "
            f"all tables {median['seconds_all']}s, CPU {median['cpu_seconds']}s "
            f"(record tables {median['cpu_records']}s), "
            f"peak RSS {median['peak_rss_mb']} MB (+ worker {worker_rss} MB)"
        )


if __name__ == "__main__":
    main()
