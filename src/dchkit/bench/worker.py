"""One measured run of ``dch.resolve`` in a fresh process: ``python -m dchkit.bench.worker``.

A fresh interpreter per run keeps runs independent: no warm normalizer caches from the
previous repeat, and a peak memory (``VmHWM`` on Linux) that is this run's alone. The run
loads a prepared dataset, resolves it with dchkit's defaults, scores the clusters against
the truth from contingency counts and writes one JSON object: wall and CPU seconds (all
threads), phases, candidate pairs, peak memory and the load average before and after.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
import traceback
from pathlib import Path
from typing import Any

__all__ = ["main", "peak_rss_mb", "run_dchkit"]


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MiB.

    On Linux ``VmHWM`` from ``/proc/self/status``: ``ru_maxrss`` survives ``fork`` and
    ``exec`` there, so a worker started by a large parent would report the parent's peak.
    """
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text(encoding="ascii", errors="replace").splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 1024


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _load() -> float | None:
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:  # not every platform has a load average
        return None


def run_dchkit(dataset_name: str, data_dir: Path) -> dict[str, Any]:
    """Resolve a prepared dataset with ``dch.resolve`` and measure it (never raises)."""
    from dchkit._version import __version__

    outcome: dict[str, Any] = {"tool": "dchkit", "version": __version__, "dataset": dataset_name}
    try:
        from dchkit.bench.datasets import load_dataset
        from dchkit.resolution.metrics import evaluate_clusters
        from dchkit.resolution.oneshot import resolve

        dataset = load_dataset(dataset_name, data_dir)
        outcome.update(size=dataset.size, true_entities=dataset.true_entities)
        outcome.update(link_only=dataset.link_only, description=dataset.description)
        inputs, ids = dataset.inputs(), dataset.ids
        outcome["baseline_rss_mb"] = round(peak_rss_mb(), 1)
        outcome["load_before"] = _load()
        cpu, started = _cpu_seconds(), time.perf_counter()
        resolution = resolve(*inputs, ids=ids)
        clusters = resolution.clusters
        total, cpu = time.perf_counter() - started, _cpu_seconds() - cpu
        outcome["load_after"] = _load()
        outcome["peak_rss_mb"] = round(peak_rss_mb(), 1)
        customer = dict(
            zip(
                clusters.column("record_id").to_pylist(),
                clusters.column("customer_id").to_pylist(),
                strict=True,
            )
        )
        predicted = [customer[r] for r in dataset.records.column("record_id").to_pylist()]
        metrics = evaluate_clusters(
            predicted, dataset.truth, sources=dataset.sources, link_only=dataset.link_only
        ).as_dict()
    except Exception as error:  # a broken run is a result too: report it, keep going
        return {
            **outcome,
            "status": "failed",
            "reason": f"{type(error).__name__}: {error}",
            "traceback": traceback.format_exc(limit=6),
        }
    return {
        **outcome,
        "status": "ok",
        "reason": None,
        "headline": "default",
        "total_seconds": round(total, 4),
        "cpu_seconds": round(cpu, 4),
        "phases": {k: round(v, 4) for k, v in resolution.timings.items() if k != "total"},
        "candidate_pairs": len(resolution.pair_index),
        "customers": resolution.customer_count,
        "metrics": {"default": metrics},
    }


def main(argv: list[str] | None = None) -> int:
    """Run once and write the JSON result to ``--out``."""
    parser = argparse.ArgumentParser(prog="python -m dchkit.bench.worker")
    parser.add_argument("--dataset", required=True)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    outcome = run_dchkit(args.dataset, args.data_dir)
    args.out.write_text(json.dumps(outcome, default=str) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
