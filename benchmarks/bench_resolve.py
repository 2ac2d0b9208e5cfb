"""Benchmark the batch resolver on full canonical records of a synthetic world.

The side-by-side suite (``benchmarks/run``) gives both tools the same flattened table (one
e-mail and one phone per record, no external ids), because that is what Splink's
documented setup takes. This script measures what dchkit does with the records as its
connectors read them — every e-mail and phone, furigana, external ids as hard links —
against the truth a matcher can know (:func:`dchkit.datasets.resolvable_truth`):

- wall and CPU seconds per phase and in total, peak memory (the process's ``VmHWM``);
- pairwise and B-cubed precision/recall/F1, and the share of predicted customers that mix
  two true people, at the default threshold and at others (re-scored, not re-resolved).

Each run is a fresh process (``--repeat``), the world is generated and read through the
connector presets once and cached as Parquet under ``benchmarks/.data/resolve/``.

    .venv/bin/python benchmarks/bench_resolve.py --records 100000 --locale ja --repeat 3
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

CACHE = Path(__file__).resolve().parent / ".data" / "resolve"
SEED = 20240501
THRESHOLDS = (0.9, 0.95, 0.99)


def world(records: int, locale: str, cache: Path = CACHE) -> Path:
    """Directory with the world's canonical records and truth (generated once)."""
    folder = cache / f"{locale}-{records}-{SEED}"
    if (folder / "truth.parquet").exists():
        return folder
    from dchkit.datasets import generate_world
    from dchkit.demo import read_world_records

    generated = generate_world(n_records=records, locale=locale, seed=SEED)
    with tempfile.TemporaryDirectory() as directory:
        table, truth = read_world_records(
            generated, Path(directory), default_region="JP" if locale == "ja" else "US"
        )
    folder.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, folder / "records.parquet")
    ids = table.column("record_id").to_pylist()
    pq.write_table(
        pa.table({"record_id": ids, "entity": [truth[i] for i in ids]}), folder / "truth.parquet"
    )
    return folder


def peak_memory_bytes() -> int:
    """The process's peak resident set (``VmHWM``), not inherited across fork/exec."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


def run_once(folder: Path) -> dict[str, Any]:
    """Resolve the cached world once in this process and score it."""
    from dchkit.demo import DEMO_ID_ALIASES
    from dchkit.resolution import Resolver, ResolverConfig, evaluate_clusters
    from dchkit.resolution.graph import cluster
    from dchkit.resolution.resolver import _limits

    records = pq.read_table(folder / "records.parquet")
    truth = pq.read_table(folder / "truth.parquet")
    started, cpu = time.perf_counter(), time.process_time()
    resolution = Resolver(ResolverConfig(id_type_aliases=DEMO_ID_ALIASES)).resolve(records)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    result: dict[str, Any] = {
        "records": records.num_rows,
        "candidate_pairs": len(resolution.pair_index),
        "wall_s": wall,
        "cpu_s": cpu,
        "peak_bytes": peak_memory_bytes(),
        "phases_s": {k: v for k, v in resolution.timings.items() if k != "total"},
        "load": os.getloadavg()[0],
    }
    entity = dict(zip(*(truth.column(c).to_pylist() for c in ("record_id", "entity")), strict=True))
    entities = pa.array([entity[r] for r in resolution.record_ids.to_pylist()], pa.string())
    config = resolution.config
    for threshold in THRESHOLDS:
        if threshold == config.threshold:
            labels: Any = resolution.labels
        else:
            edge = resolution.match_probabilities >= threshold
            labels = cluster(
                resolution.records.num_rows,
                resolution.pair_index[edge],
                resolution.match_probabilities[edge],
                hard_edges=resolution.hard_edges,
                limits=_limits(resolution.records, config),
                cannot_link=np.zeros((0, 2), dtype=np.int64),
                max_size=config.max_cluster_size,
            ).labels
        metrics = evaluate_clusters(np.asarray(labels), entities)
        result[f"t{threshold}"] = {
            "pairwise_f1": metrics.pairwise.f1,
            "pairwise_precision": metrics.pairwise.precision,
            "pairwise_recall": metrics.pairwise.recall,
            "bcubed_f1": metrics.bcubed.f1,
            "mixed_share": metrics.mixed_clusters / max(metrics.predicted_clusters, 1),
            "predicted": metrics.predicted_clusters,
        }
    return result


def main(argv: list[str] | None = None) -> list[dict[str, Any]]:
    """Run the benchmark; return one result per run."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--locale", default="ja", choices=["ja", "en"])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cache", type=Path, default=CACHE)
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker is not None:  # one run, in a fresh process
        print(json.dumps(run_once(args.worker)))
        return []
    started = time.perf_counter()
    folder = world(args.records, args.locale, args.cache)
    print(f"world ready in {time.perf_counter() - started:.1f}s ({folder})", flush=True)
    results = []
    for run in range(args.repeat):
        before = os.getloadavg()[0]
        output = subprocess.run(
            [sys.executable, __file__, "--worker", str(folder)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        result = json.loads(output.strip().splitlines()[-1])
        result["load_before"] = before
        results.append(result)
        default = result["t0.95"]
        print(
            f"run {run + 1}: {result['records']:,} records, {result['candidate_pairs']:,} pairs:"
            f" wall {result['wall_s']:.1f}s, CPU {result['cpu_s']:.1f}s, peak "
            f"{result['peak_bytes'] / 2**30:.2f} GiB, load {before:.1f}->{result['load']:.1f};"
            f" F1 {default['pairwise_f1']:.4f} (P {default['pairwise_precision']:.4f}"
            f" R {default['pairwise_recall']:.4f}), mixed {default['mixed_share']:.3%}",
            flush=True,
        )
        print("  phases (s): " + ", ".join(f"{k} {v:.1f}" for k, v in result["phases_s"].items()))
    wall = [r["wall_s"] for r in results]
    cpu = [r["cpu_s"] for r in results]
    print(
        f"median of {len(results)}: wall {statistics.median(wall):.1f}s "
        f"({min(wall):.1f}-{max(wall):.1f}), CPU {statistics.median(cpu):.1f}s, peak "
        f"{max(r['peak_bytes'] for r in results) / 2**30:.2f} GiB"
    )
    for threshold in THRESHOLDS:
        row = results[0][f"t{threshold}"]  # quality does not vary between runs
        print(
            f"  threshold {threshold}: pairwise F1 {row['pairwise_f1']:.4f} "
            f"(P {row['pairwise_precision']:.4f}, R {row['pairwise_recall']:.4f}), "
            f"B-cubed F1 {row['bcubed_f1']:.4f}, mixed customers {row['mixed_share']:.3%}"
        )
    return results


if __name__ == "__main__":
    main()
