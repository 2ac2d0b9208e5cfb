"""Benchmark the persistent hub on a SQLite file: ingest + resolve, lookups, real-time records.

Generates a synthetic world (cached as canonical records, as ``bench_incremental`` does),
holds out ``--singles`` + ``--batch`` records, and times on a fresh SQLite file:

- the full ingest of the other records (in slices of ``--slice`` rows, one commit each)
  and the batch resolve that follows (trains the model, writes every table);
- ``--lookups`` profile lookups by e-mail (p50/p99 wall clock and calling-thread CPU),
  then the same customers' profiles with live traits and their first timeline page;
- the held-out singles ingested one at a time, each resolved incrementally and committed
  (p50/p99);
- one micro-batch of ``--batch`` records ingested and resolved incrementally
  (``--no-realtime`` skips the singles and the micro-batch).

Ingest and resolve are timed in wall clock and process CPU (all threads). The load
average is printed before, between and after (the machine may be shared).

    .venv/bin/python benchmarks/bench_hub.py --records 100000 --singles 200 --batch 10000

``--existing hub.db`` times only the lookups, on a hub file built before (bench_http's
cached hubs of one record per customer reach 1M customers in minutes).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

import dchkit as dch

sys.path.insert(0, str(Path(__file__).resolve().parent))  # the sibling benchmark's data cache
from bench_incremental import CACHE, canonical_records


def percentiles(samples: list[float]) -> str:
    """p50 / p99 / max of seconds, in milliseconds."""
    ms = np.asarray(samples) * 1000
    return f"p50 {np.percentile(ms, 50):.2f} ms, p99 {np.percentile(ms, 99):.2f} ms, max {ms.max():.2f} ms"


def timed(call: Callable[[], Any]) -> tuple[float, float]:
    """Wall-clock and calling-thread CPU seconds of one call."""
    wall, cpu = time.perf_counter(), time.thread_time()
    call()
    return time.perf_counter() - wall, time.thread_time() - cpu


def load() -> str:
    """The 1/5/15-minute load averages."""
    return "load average " + " ".join(f"{x:.2f}" for x in os.getloadavg())


def time_lookups(hub: dch.Hub, emails: list[str], lookups: int, seed: int) -> dict[str, Any]:
    """Time ``lookups`` profile lookups by e-mail (each held by one customer), then the
    same customers' profiles with live traits and their first timeline page."""
    rng = np.random.default_rng(seed)
    picked = [emails[i] for i in rng.permutation(len(emails))[: lookups * 2]]
    unique = [e for e in picked if len(hub.profiles.find(email=e)) == 1][:lookups]
    customers = [hub.profiles.customer_id_of(email=e) for e in unique]
    results: dict[str, Any] = {}
    for label, key, calls in (
        ("lookup by email", "lookup", [lambda e=e: hub.profiles.lookup(email=e) for e in unique]),
        (
            "profile with live traits",
            "traits",
            [lambda c=c: hub.profiles.get(c, traits=True) for c in customers],
        ),
        ("timeline page", "timeline", [lambda c=c: hub.profiles.timeline(c) for c in customers]),
    ):
        walls, cpus = [], []
        for call in calls:
            wall, cpu = timed(call)
            walls.append(wall)
            cpus.append(cpu)
        results[f"{key}_p50_ms"] = float(np.percentile(walls, 50) * 1000)
        results[f"{key}_p99_ms"] = float(np.percentile(walls, 99) * 1000)
        results[f"{key}_cpu_p99_ms"] = float(np.percentile(cpus, 99) * 1000)
        print(f"{label} ({len(calls)}): wall {percentiles(walls)}; cpu {percentiles(cpus)}")
    return results


def existing(path: Path, lookups: int, seed: int) -> dict[str, Any]:
    """Only the lookups, on a hub file built before (e.g. by bench_http at 1M customers)."""
    with dch.Hub(path) as hub:
        golden = hub.store.read("golden")
        emails = pc.list_flatten(golden.column("emails")).unique().to_pylist()
        print(
            f"existing hub {path}: {hub.store.count('records'):,} records, "
            f"{golden.num_rows:,} customers, {os.path.getsize(path) / 2**20:.0f} MiB"
        )
        del golden
        results = time_lookups(hub, emails, lookups, seed)
    print(load())
    return results


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run the benchmark and print (and return) the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--singles", type=int, default=200)
    parser.add_argument("--batch", type=int, default=10_000)
    parser.add_argument("--lookups", type=int, default=1000)
    parser.add_argument("--slice", type=int, default=65_536)
    parser.add_argument("--locale", default="ja")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--path", type=Path, default=None, help="hub file (default: a temp dir)")
    parser.add_argument("--cache", type=Path, default=CACHE, help="canonical records cache")
    parser.add_argument(
        "--existing", type=Path, default=None, help="only time lookups on this hub file"
    )
    parser.add_argument(
        "--no-realtime",
        action="store_true",
        help="skip the single records and the micro-batch (time the build and lookups only)",
    )
    args = parser.parse_args(argv)

    print(load())
    if args.existing is not None:
        return existing(args.existing, args.lookups, args.seed)
    records = canonical_records(args.records, args.locale, args.seed, args.cache)
    order = np.random.default_rng(args.seed).permutation(records.num_rows)
    held = args.singles + args.batch
    records = records.take(pa.array(order))
    base, singles = records.slice(held), records.slice(0, args.singles)
    batch = records.slice(args.singles, args.batch)
    region = "JP" if args.locale == "ja" else "US"
    results: dict[str, Any] = {"records": base.num_rows}
    with tempfile.TemporaryDirectory() as scratch:
        path = args.path or Path(scratch) / "hub.db"
        hub = dch.Hub(path, default_region=region)
        started, cpu = time.perf_counter(), time.process_time()
        for start in range(0, base.num_rows, args.slice):
            hub.ingest(base.slice(start, args.slice))
        results["ingest_s"] = time.perf_counter() - started
        results["ingest_cpu_s"] = time.process_time() - cpu
        print(f"ingested; {load()}", flush=True)
        started, cpu = time.perf_counter(), time.process_time()
        report = hub.resolve()
        results["resolve_s"] = time.perf_counter() - started
        results["resolve_cpu_s"] = time.process_time() - cpu
        results["resolver_s"] = report.timings.get("total", 0.0)
        results["customers"] = report.customers
        print(
            f"ingest {base.num_rows:,} records: {results['ingest_s']:.1f} s "
            f"(cpu {results['ingest_cpu_s']:.1f} s); "
            f"resolve: {results['resolve_s']:.1f} s (cpu {results['resolve_cpu_s']:.1f} s; "
            f"{report.customers:,} customers; resolver {results['resolver_s']:.1f} s, "
            f"the rest is reading and writing); "
            f"ingest + resolve {results['ingest_s'] + results['resolve_s']:.1f} s; "
            f"file {os.path.getsize(path) / 2**20:.0f} MiB; {load()}",
            flush=True,
        )

        emails = pc.list_flatten(base.column("emails")).unique().to_pylist()
        results |= time_lookups(hub, emails, args.lookups, args.seed)

        if args.no_realtime:
            hub.close()
            print(load())
            return results
        walls, cpus = [], []
        for i in range(singles.num_rows):
            wall, cpu = timed(lambda i=i: hub.ingest(singles.slice(i, 1)))
            walls.append(wall)
            cpus.append(cpu)
        results["single_p99_ms"] = float(np.percentile(walls, 99) * 1000)
        print(
            f"one new record, resolved and committed ({len(walls)}): wall {percentiles(walls)}; "
            f"cpu {percentiles(cpus)}"
        )

        wall, cpu = timed(lambda: hub.ingest(batch))
        results["batch_s"] = wall
        print(f"micro-batch of {batch.num_rows:,} records: {wall:.2f} s (thread cpu {cpu:.2f} s)")
        assert hub.store.check() == []
        hub.close()
    results["single_p50_ms"] = statistics.median(walls) * 1000
    print(load())
    return results


if __name__ == "__main__":
    main()
