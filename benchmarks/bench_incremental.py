"""Benchmark incremental resolution: single new records and a micro-batch against a hub.

Generates a synthetic world (``dchkit.datasets``), reads its exports through the connector
presets, holds out ``--singles`` + ``--batch`` records, resolves the rest in batch (the
hub, in an :class:`~dchkit.resolution.InMemoryLookup`), then times

- ``--singles`` held-out records resolved one at a time against that hub (p50/p99 of the
  wall clock and of the calling thread's CPU time: on a shared machine a wall-clock p99
  includes waiting for a core), with the median of each step;
- building the golden records of one update's affected customers (done on demand);
- one micro-batch of ``--batch`` records (median of ``--repeat`` runs).

Updates are not written back, so every call sees the same hub. The load average is printed
before and after. The canonical records are cached under ``benchmarks/.data/incremental``.

    .venv/bin/python benchmarks/bench_incremental.py --records 100000 --singles 1000 --batch 10000
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from dchkit.resolution import IncrementalResolver, InMemoryLookup, Resolver, ResolverConfig

CACHE = Path(__file__).resolve().parent / ".data" / "incremental"


def canonical_records(records: int, locale: str, seed: int, cache: Path = CACHE) -> pa.Table:
    """The world's records as the connectors read them (cached as Parquet)."""
    path = cache / f"{locale}-{records}-{seed}.parquet"
    if path.exists():
        return pq.read_table(path)
    from dchkit.datasets import generate_world
    from dchkit.demo import read_world_records

    world = generate_world(n_records=records, locale=locale, seed=seed)
    with tempfile.TemporaryDirectory() as directory:
        table, _truth = read_world_records(
            world, Path(directory), default_region="JP" if locale == "ja" else "US"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path)
    return table


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q))


def main(argv: list[str] | None = None) -> dict[str, float]:
    """Run the benchmark; return its figures (seconds)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--locale", default="ja", choices=["ja", "en"])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--singles", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cache", type=Path, default=CACHE, help="where records are cached")
    args = parser.parse_args(argv)
    print(f"load average before: {os.getloadavg()}", flush=True)

    started = time.perf_counter()
    table = canonical_records(args.records, args.locale, args.seed, args.cache)
    order = np.random.default_rng(args.seed).permutation(table.num_rows)
    held = args.singles + args.batch
    hub_rows, singles, batch = order[held:], order[: args.singles], order[args.singles : held]
    print(f"{table.num_rows:,} records in {time.perf_counter() - started:.1f}s", flush=True)

    started = time.perf_counter()
    resolution = Resolver(ResolverConfig()).resolve(table.take(pa.array(hub_rows)))
    print(f"hub: {resolution!r} resolved in {time.perf_counter() - started:.1f}s", flush=True)
    started = time.perf_counter()
    resolver = IncrementalResolver.from_resolution(resolution)
    lookup = InMemoryLookup.from_resolution(resolution, resolver)
    print(f"engine and in-memory lookup built in {time.perf_counter() - started:.1f}s")

    single_table = table.take(pa.array(singles))
    wall, cpu, steps, affected = [], [], [], []
    for row in range(single_table.num_rows):
        record = single_table.slice(row, 1)
        start_wall, start_cpu = time.perf_counter(), time.thread_time()
        update = resolver.resolve(record, lookup)
        cpu.append(time.thread_time() - start_cpu)
        wall.append(time.perf_counter() - start_wall)
        steps.append(update.timings)
        affected.append(update.records.num_rows)
    ms = 1000.0
    print(
        f"single record x{len(wall)}: wall p50 {percentile(wall, 50) * ms:.1f} ms, "
        f"p99 {percentile(wall, 99) * ms:.1f} ms; thread CPU p50 {percentile(cpu, 50) * ms:.1f}"
        f" ms, p99 {percentile(cpu, 99) * ms:.1f} ms; affected records median "
        f"{statistics.median(affected):.0f}, max {max(affected)}"
    )
    print(
        "  step medians (ms): "
        + ", ".join(
            f"{name} {statistics.median(s[name] for s in steps) * ms:.2f}" for name in steps[0]
        )
    )
    golden = []
    for row in range(min(100, single_table.num_rows)):
        update = resolver.resolve(single_table.slice(row, 1), lookup)
        start_wall = time.perf_counter()
        _ = update.golden
        golden.append(time.perf_counter() - start_wall)
    print(
        f"golden records of one update x{len(golden)}: p50 {percentile(golden, 50) * ms:.1f} ms,"
        f" p99 {percentile(golden, 99) * ms:.1f} ms"
    )

    batch_table = table.take(pa.array(batch))
    runs, runs_cpu = [], []
    for _ in range(args.repeat):
        start_wall, start_cpu = time.perf_counter(), time.process_time()
        update = resolver.resolve(batch_table, lookup)
        _ = update.golden
        runs.append(time.perf_counter() - start_wall)
        runs_cpu.append(time.process_time() - start_cpu)
    print(
        f"micro-batch of {batch_table.num_rows:,}: median {statistics.median(runs):.2f}s "
        f"of {[round(r, 2) for r in runs]} incl. golden (process CPU median "
        f"{statistics.median(runs_cpu):.2f}s); affected records "
        f"{update.records.num_rows:,}; steps (s): "
        + ", ".join(f"{k} {v:.2f}" for k, v in update.timings.items())
    )
    print(f"load average after: {os.getloadavg()}")
    return {
        "single_p50": percentile(wall, 50),
        "single_p99": percentile(wall, 99),
        "single_cpu_p50": percentile(cpu, 50),
        "single_cpu_p99": percentile(cpu, 99),
        "golden_p50": percentile(golden, 50),
        "batch": statistics.median(runs),
        "batch_cpu": statistics.median(runs_cpu),
    }


if __name__ == "__main__":
    main()
