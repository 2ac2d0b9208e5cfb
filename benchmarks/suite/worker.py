"""One benchmark run in a fresh process: ``python -m benchmarks.suite.worker``.

Loads a prepared dataset, runs one tool on it, scores every clustering the tool returned
against the truth (from contingency counts, :func:`dchkit.resolution.metrics.evaluate_clusters`)
and writes one JSON object to ``--out``. Peak memory is this process's ``ru_maxrss``: the
interpreter, the libraries, the input table and the tool's own work; ``baseline_rss_mb`` is
the same figure just before the tool starts, so the difference is the tool's share.
"""

from __future__ import annotations

import argparse
import json
import resource
import sys
import traceback
from pathlib import Path
from typing import Any

__all__ = ["main", "peak_rss_mb", "run_one"]


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far, in MiB.

    On Linux this is ``VmHWM`` from ``/proc/self/status``: the high-water mark of this
    process's own memory. ``ru_maxrss`` is not used there because Linux carries it over
    ``fork`` and ``exec``: a worker started by a parent holding 900 MiB would report
    at least 900 MiB whatever it did.
    """
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text(encoding="ascii", errors="replace").splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024 if sys.platform != "darwin" else peak / 2**20


def run_one(tool: str, dataset_name: str, data_dir: Path) -> dict[str, Any]:
    """Run ``tool`` on ``dataset_name`` and return the measurements (never raises)."""
    from benchmarks.suite.datasets import load_dataset
    from benchmarks.suite.runners import get_runner
    from dchkit.resolution.metrics import evaluate_clusters

    outcome: dict[str, Any] = {"tool": tool, "dataset": dataset_name}
    try:
        runner = get_runner(tool)
        outcome["version"] = runner.version()
        dataset = load_dataset(dataset_name, data_dir)
        outcome.update(size=dataset.size, true_entities=dataset.true_entities)
        outcome.update(link_only=dataset.link_only, description=dataset.description)
        reason = runner.unavailable_reason()
        if reason is not None:
            return {**outcome, "status": "skipped", "reason": reason}
        outcome["baseline_rss_mb"] = round(peak_rss_mb(), 1)
        result = runner.run(dataset)
        outcome["peak_rss_mb"] = round(peak_rss_mb(), 1)
        metrics = {
            label: evaluate_clusters(
                labels, dataset.truth, sources=dataset.sources, link_only=dataset.link_only
            ).as_dict()
            for label, labels in result.clusters.items()
        }
    except Exception as err:  # a broken run is a result too: record it, keep the suite going
        detail = traceback.format_exc(limit=6)
        return {
            **outcome,
            "status": "failed",
            "reason": f"{type(err).__name__}: {err}",
            "traceback": detail,
        }
    return {
        **outcome,
        "status": "ok",
        "reason": None,
        "headline": result.headline,
        "phases": {name: round(seconds, 4) for name, seconds in result.phases.items()},
        "total_seconds": round(result.total_seconds, 4),
        "candidate_pairs": result.candidate_pairs,
        "metrics": metrics,
        "notes": dict(result.notes),
    }


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, run once, write the JSON result."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--tool", required=True)
    parser.add_argument("--dataset", required=True)
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    outcome = run_one(args.tool, args.dataset, args.data_dir)
    args.out.write_text(json.dumps(outcome, default=str) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
