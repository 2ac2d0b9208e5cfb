"""Benchmark the profile layer: traits, a segment, a profile lookup and a timeline.

Builds a synthetic hub column-wise (one record per customer, events spread over them, the
first customers with exactly 100 events each) and reports medians of several runs, and
p50/p99 for single lookups and timelines.

    .venv/bin/python benchmarks/bench_profile.py --customers 1000000 --events 5000000
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import UTC, datetime

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
RULE = 'lifetime_value >= 500 and count(events, type="Order Completed", within="90d") == 0 and consent.email'


def build(customers: int, events: int, seed: int) -> ProfileStore:
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
    heavy = min(1000, customers)
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
    return ProfileStore(
        records=records,
        clusters=pa.table({"record_id": record_ids, "customer_id": ids}),
        golden=golden,
        lineage=LINEAGE_SCHEMA.empty_table(),
        events=conform(event_table, EVENTS_SCHEMA),
        salt=b"0" * 16,
    )


def timed(fn: object, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        began = time.perf_counter()
        fn()  # type: ignore[operator]
        out.append(time.perf_counter() - began)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=5_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--lookups", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    began = time.perf_counter()
    store = build(args.customers, args.events, args.seed)
    print(
        f"build store ({args.customers:,} customers, {args.events:,} events): {time.perf_counter() - began:.2f} s"
    )

    traits = [*BUILTIN_TRAITS, Trait("orders_90d", "count", types="Order Completed", within="90d"),
              Trait("spend_1y", "sum", "value", types="Order Completed", within="1y")]  # fmt: skip
    trait_times = timed(lambda: compute_traits(store, traits, now=NOW), args.runs)
    print(
        f"traits ({len(traits)} declarations, 10 columns): median {statistics.median(trait_times):.2f} s"
    )
    store.refresh_traits(now=NOW)
    segment_times = timed(lambda: evaluate_rule(store, RULE, now=NOW), args.runs)
    members = len(evaluate_rule(store, RULE, now=NOW))
    print(
        f"segment over {args.customers:,} customers ({members:,} members): median {statistics.median(segment_times):.3f} s"
    )

    rng = np.random.default_rng(args.seed)
    store.lookup(email="user0@example.com")  # builds the identifier dict once
    picks = rng.integers(0, args.customers, args.lookups)
    lookups = [
        t * 1e3
        for t in (
            timed(lambda i=int(i): store.lookup(email=f"user{i}@example.com"), 1)[0] for i in picks
        )
    ]
    print(
        f"profile lookup by email: p50 {np.percentile(lookups, 50):.3f} ms, p99 {np.percentile(lookups, 99):.3f} ms"
    )
    heavy = rng.integers(0, min(1000, args.customers), args.lookups)
    timelines = [
        t * 1e3
        for t in (
            timed(lambda i=int(i): store.timeline(f"cus_{i}", limit=100), 1)[0] for i in heavy
        )
    ]
    print(
        f"100-event timeline: p50 {np.percentile(timelines, 50):.3f} ms, p99 {np.percentile(timelines, 99):.3f} ms"
    )


if __name__ == "__main__":
    main()
