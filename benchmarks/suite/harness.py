"""Orchestrate a benchmark session: prepare datasets, alternate tools, record, report."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks.suite.aggregate import read_results
from benchmarks.suite.datasets import DatasetUnavailableError, prepare_dataset
from benchmarks.suite.machine import describe_machine, package_versions
from benchmarks.suite.report import CHART_NAME, render_chart, render_page, render_terminal
from benchmarks.suite.runners import get_runner

__all__ = ["REPO_ROOT", "SuiteConfig", "append_line", "regenerate_docs", "run_suite"]

REPO_ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class SuiteConfig:
    """What to run and where to write."""

    datasets: Sequence[str]
    tools: Sequence[str] = ("dchkit", "splink")
    repeat: int = 3
    data_dir: Path = REPO_ROOT / "benchmarks" / ".data"
    results: Path = REPO_ROOT / "benchmarks" / "results" / "results.jsonl"
    docs_page: Path | None = REPO_ROOT / "docs" / "benchmarks.md"
    timeout_seconds: float = 4 * 3600
    refresh_data: bool = False
    extra_env: dict[str, str] = field(default_factory=dict)


def append_line(path: Path, line: dict[str, Any]) -> None:
    """Append one JSON line (flushed at once: an interrupted session keeps its runs)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(line, default=str) + "\n")


def _spawn(tool: str, dataset: str, config: SuiteConfig) -> dict[str, Any]:
    """Run one (tool, dataset) in a fresh interpreter and return its JSON outcome."""
    with tempfile.TemporaryDirectory(prefix="dchkit-bench-") as tmp:
        out = Path(tmp) / "result.json"
        command = [
            sys.executable,
            "-m",
            "benchmarks.suite.worker",
            f"--tool={tool}",
            f"--dataset={dataset}",
            f"--data-dir={config.data_dir}",
            f"--out={out}",
        ]
        env = {**os.environ, **config.extra_env}
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (str(REPO_ROOT), env.get("PYTHONPATH", "")) if p
        )
        try:
            completed = subprocess.run(
                command,
                cwd=REPO_ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=config.timeout_seconds,
                check=False,
            )
        except subprocess.TimeoutExpired:
            reason = f"timed out after {config.timeout_seconds:.0f} s"
            return {"tool": tool, "dataset": dataset, "status": "failed", "reason": reason}
        if completed.returncode != 0 or not out.is_file():
            tail = (completed.stderr or completed.stdout).strip().splitlines()[-5:]
            reason = f"worker exited with {completed.returncode}: {' | '.join(tail)}"
            return {"tool": tool, "dataset": dataset, "status": "failed", "reason": reason}
        outcome: dict[str, Any] = json.loads(out.read_text())
        return outcome


def regenerate_docs(results: Path, docs_page: Path) -> None:
    """Rewrite the docs page and its chart from every line of ``results``."""
    from benchmarks.suite.aggregate import latest_lines, summarize_all

    lines = read_results(results)
    assets = docs_page.parent / "assets"
    assets.mkdir(parents=True, exist_ok=True)
    latest = latest_lines(lines)
    chart = None
    if latest:
        (assets / CHART_NAME).write_text(render_chart(summarize_all(latest)), encoding="utf-8")
        chart = f"assets/{CHART_NAME}"
    docs_page.write_text(render_page(lines, chart_path=chart), encoding="utf-8")


def run_suite(config: SuiteConfig, echo: Callable[[str], None] = print) -> list[dict[str, Any]]:
    """Run every (dataset, repeat, tool) of ``config``; return this session's lines."""
    session = {
        "session": uuid.uuid4().hex[:12],
        "started": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "machine": describe_machine(),
        "versions": package_versions(),
    }
    written: list[dict[str, Any]] = []

    def record(line: dict[str, Any], repeat: int) -> None:
        full = {**session, "repeat": repeat, **line}
        append_line(config.results, full)
        written.append(full)
        status = full["status"]
        detail = (
            f"{full.get('total_seconds', 0):.2f} s, peak {full.get('peak_rss_mb')} MiB"
            if status == "ok"
            else full.get("reason")
        )
        echo(f"  {full['dataset']:<10} {full['tool']:<7} #{repeat + 1}: {status} — {detail}")

    runners = {tool: get_runner(tool) for tool in config.tools}
    unavailable = {tool: runner.unavailable_reason() for tool, runner in runners.items()}
    for dataset_name in config.datasets:
        echo(f"== {dataset_name}")
        try:
            dataset = prepare_dataset(dataset_name, config.data_dir, refresh=config.refresh_data)
        except DatasetUnavailableError as err:
            for tool, runner in runners.items():
                skip = {"tool": tool, "version": runner.version(), "dataset": dataset_name}
                record({**skip, "status": "skipped", "reason": f"dataset unavailable: {err}"}, 0)
            continue
        facts = {"size": dataset.size, "true_entities": dataset.true_entities}
        for tool, reason in unavailable.items():
            if reason is not None:
                skip = {"tool": tool, "version": runners[tool].version(), "dataset": dataset_name}
                record({**skip, **facts, "status": "skipped", "reason": reason}, 0)
        for repeat in range(config.repeat):
            for tool in config.tools:  # alternate: dchkit, splink, dchkit, splink …
                if unavailable[tool] is None:
                    record(_spawn(tool, dataset_name, config), repeat)
    if written:
        echo("")
        echo(render_terminal(written))
    if config.docs_page is not None:
        regenerate_docs(config.results, config.docs_page)
        echo(f"\nwrote {config.docs_page}")
    return written
