"""Benchmark the profile layer: traits, a segment, a profile lookup and a timeline.

Builds a synthetic hub column-wise (one record per customer, events spread over them, the
first customers with exactly 100 events each) and reports medians of several runs, and
p50/p99 for single lookups and timelines: wall-clock, and the CPU time of the calling
thread. Lookups and timelines are timed back to back, and again ``--pause-ms`` apart as
an application's requests arrive: on a shared machine a process that never sleeps is
preempted every few milliseconds, and the call that is running then waits for a core
(a wall-clock tail the CPU time does not have). The load average and CPU pressure are
printed before and after.

    .venv/bin/python benchmarks/bench_profile.py --customers 1000000 --events 5000000
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from dchkit.profile import BUILTIN_TRAITS, ProfileStore, Trait, compute_traits, evaluate_rule
from dchkit.schema import EVENTS_SCHEMA, GOLDEN_SCHEMA, LINEAGE_SCHEMA, conform

NOW = datetime(2024, 7, 1, tzinfo=UTC)
TYPES = [
    "Order Completed",
    "Page Viewed",
    "Email Opened",
    "Ticket Opened",
    "Ticket Solved",
    "Order Refunded",
]
CHANNELS = ["web", "store", "email", "app", "phone"]
HEAVY = 1000  # customers with exactly 100 events (the timeline benchmark reads them)
RULE = 'lifetime_value >= 500 and count(events, type="Order Completed", within="90d") == 0 and consent.email'


def heavy_customers(customers: int, events: int) -> int:
    """How many customers get exactly 100 events (at most half of the events)."""
    return max(1, min(HEAVY, customers - 1, events // 200))


def generate(customers: int, events: int, seed: int) -> dict[str, pa.Table]:
    """The store's input tables.

    One record per customer; the first :func:`heavy` customers have exactly 100 events
    each, the other events are spread at random over the other customers.
    """
    rng = np.random.default_rng(seed)
    ids = pc.binary_join_element_wise("cus_", pa.array(np.arange(customers)).cast(pa.string()), "")
    record_ids = pc.binary_join_element_wise(
        "ec:", pa.array(np.arange(customers)).cast(pa.string()), ""
    )
    emails = pc.binary_join_element_wise(
        "user", pa.array(np.arange(customers)).cast(pa.string()), "@example.com", ""
    )
    email_lists = pa.ListArray.from_arrays(
        pa.array(np.arange(customers + 1, dtype=np.int32)), emails
    )
    consent = pa.MapArray.from_arrays(
        pa.array(np.arange(customers + 1, dtype=np.int32)),
        pa.array(["email"] * customers),
        pa.array(rng.random(customers) < 0.6),
    )
    records = pa.table(
        {
            "record_id": record_ids,
            "source": pa.array(["ec"] * customers),
            "source_record_id": pa.array(np.arange(customers)).cast(pa.string()),
            "emails": email_lists,
        }
    )
    golden = conform(
        pa.table(
            {
                "customer_id": ids,
                "record_count": pa.array(np.ones(customers, dtype=np.int64)),
                "emails": email_lists,
                "consent": consent,
            }
        ),
        GOLDEN_SCHEMA,
    )
    heavy = heavy_customers(customers, events)
    owner = np.concatenate(
        [np.repeat(np.arange(heavy), 100), rng.integers(heavy, customers, events - heavy * 100)]
    )
    start = int(NOW.timestamp() * 1e6) - 730 * 86_400_000_000
    stamps = rng.integers(start, int(NOW.timestamp() * 1e6), len(owner))
    kind = rng.choice(len(TYPES), len(owner), p=[0.2, 0.5, 0.2, 0.05, 0.04, 0.01])
    event_table = pa.table(
        {
            "event_id": pc.binary_join_element_wise(
                "e", pa.array(np.arange(len(owner))).cast(pa.string()), ""
            ),
            "source": pa.array(["ec"] * len(owner)),
            "type": pa.array(np.array(TYPES, dtype=object)[kind]),
            "timestamp": pa.array(stamps, pa.timestamp("us", tz="UTC")),
            "record_id": record_ids.take(pa.array(owner)),
            "channel": pa.array(
                np.array(CHANNELS, dtype=object)[rng.integers(0, len(CHANNELS), len(owner))]
            ),
            "value": pa.array(np.round(rng.gamma(2.0, 60.0, len(owner)), 2)),
        }
    )
    return {
        "records": records,
        "clusters": pa.table({"record_id": record_ids, "customer_id": ids}),
        "golden": golden,
        "lineage": LINEAGE_SCHEMA.empty_table(),
        "events": conform(event_table, EVENTS_SCHEMA),
    }


def indexed(tables: dict[str, pa.Table]) -> ProfileStore:
    """A store with its identifiers and events indexed (it does that on first use)."""
    store = ProfileStore(**tables, salt=b"0" * 16)
    store.stats()
    return store


def timed(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    """Medians of wall-clock and process CPU seconds (all threads) over ``runs`` calls."""
    wall, cpu = [], []
    for _ in range(runs):
        began, began_cpu = time.perf_counter(), time.process_time()
        fn()
        cpu.append(time.process_time() - began_cpu)
        wall.append(time.perf_counter() - began)
    return statistics.median(wall), statistics.median(cpu)


def latencies(
    fn: Callable[[int], object], picks: np.ndarray, pause: float = 0.0
) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU (this thread) milliseconds of ``fn(i)`` for every pick.

    ``pause`` seconds pass between calls (not timed), as between an application's requests.
    """
    wall, cpu = [], []
    for i in picks.tolist():
        if pause:
            time.sleep(pause)
        began, began_cpu = time.perf_counter(), time.thread_time()
        fn(i)
        cpu.append((time.thread_time() - began_cpu) * 1e3)
        wall.append((time.perf_counter() - began) * 1e3)
    return wall, cpu


def percentiles(rounds: list[tuple[list[float], list[float]]]) -> dict[str, float]:
    """Medians over rounds of each round's wall and CPU p50 / p99 (ms)."""
    out = {}
    for at in (50, 99):
        out[f"p{at}"] = statistics.median(float(np.percentile(w, at)) for w, _ in rounds)
        out[f"cpu_p{at}"] = statistics.median(float(np.percentile(c, at)) for _, c in rounds)
    return out


def machine() -> str:
    """Load average and, where the kernel reports it, CPU pressure (share of time waiting)."""
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    pressure = Path("/proc/pressure/cpu")
    if pressure.exists():
        some = pressure.read_text().split("\n")[0].split()
        return f"load {load}, cpu pressure {some[1]} {some[2]}"
    return f"load {load}"


def main(argv: list[str] | None = None) -> dict[str, float]:
    """Run the benchmark, print a report and return its figures (seconds; latencies in ms)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=5_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--lookups", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--pause-ms",
        type=float,
        default=1.0,
        help="also time lookups and timelines this far apart (0: back to back only)",
    )
    args = parser.parse_args(argv)
    results: dict[str, float] = {}
    print(f"before: {machine()}")

    began = time.perf_counter()
    tables = generate(args.customers, args.events, args.seed)
    results["generate"] = time.perf_counter() - began
    built: list[ProfileStore] = []
    results["build"], results["build_cpu"] = timed(lambda: built.append(indexed(tables)), 1)
    store = built[0]
    print(
        f"build store ({args.customers:,} customers, {args.events:,} events): "
        f"{results['build']:.2f} s, CPU {results['build_cpu']:.2f} s "
        f"(generating the tables: {results['generate']:.2f} s)"
    )

    traits = [*BUILTIN_TRAITS, Trait("orders_90d", "count", types="Order Completed", within="90d"),
              Trait("spend_1y", "sum", "value", types="Order Completed", within="1y")]  # fmt: skip
    results["traits"], results["traits_cpu"] = timed(
        lambda: compute_traits(store, traits, now=NOW), args.runs
    )
    print(
        f"traits ({len(traits)} declarations, 10 columns): median {results['traits']:.2f} s, "
        f"CPU {results['traits_cpu']:.2f} s"
    )
    store.refresh_traits(now=NOW)
    results["segment"], results["segment_cpu"] = timed(
        lambda: evaluate_rule(store, RULE, now=NOW), args.runs
    )
    results["members"] = len(evaluate_rule(store, RULE, now=NOW))
    print(
        f"segment over {args.customers:,} customers ({results['members']:,} members): "
        f"median {results['segment']:.3f} s, CPU {results['segment_cpu']:.3f} s"
    )

    rng = np.random.default_rng(args.seed)
    store.lookup(email="user0@example.com")  # builds the identifier dict once
    heavy = heavy_customers(args.customers, args.events)
    for name, label, call, picks in (
        ("lookup", "profile lookup by email",
         lambda i: store.lookup(email=f"user{i}@example.com"), args.customers),
        ("timeline", "100-event timeline",
         lambda i: store.timeline(f"cus_{i}", limit=100), heavy),
    ):  # fmt: skip
        rounds = [latencies(call, rng.integers(0, picks, args.lookups)) for _ in range(args.runs)]
        found = percentiles(rounds)
        results.update({f"{name}_{k}": v for k, v in found.items()})
        print(
            f"{label}, back to back: p50 {found['p50']:.3f} ms, p99 {found['p99']:.3f} ms "
            f"(CPU time p50 {found['cpu_p50']:.3f} ms, p99 {found['cpu_p99']:.3f} ms)"
        )
        if args.pause_ms > 0:
            pause = args.pause_ms / 1e3
            paced = percentiles(
                [
                    latencies(call, rng.integers(0, picks, args.lookups), pause)
                    for _ in range(args.runs)
                ]
            )
            results.update({f"{name}_paced_{k}": v for k, v in paced.items()})
            print(
                f"{label}, {args.pause_ms:g} ms apart: p50 {paced['p50']:.3f} ms, "
                f"p99 {paced['p99']:.3f} ms (CPU time p99 {paced['cpu_p99']:.3f} ms)"
            )
    results["forget"], results["forget_cpu"] = timed(
        lambda: store.forget(email=f"user{args.customers - 1}@example.com"), 1
    )
    print(f"forget one customer: {results['forget']:.2f} s, CPU {results['forget_cpu']:.2f} s")
    print(f"after: {machine()}")
    return results


if __name__ == "__main__":
    main()
