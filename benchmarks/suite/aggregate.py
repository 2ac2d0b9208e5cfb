"""Turn result lines into per-(dataset, tool) summaries: medians with min–max, and ratios."""

from __future__ import annotations

import json
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "Stat",
    "Summary",
    "latest_lines",
    "ratio",
    "read_results",
    "summarize",
    "summarize_all",
]


@dataclass(frozen=True)
class Stat:
    """Median and range of repeated measurements."""

    median: float
    low: float
    high: float
    count: int

    @classmethod
    def of(cls, values: Iterable[float | int | None]) -> Stat | None:
        """Aggregate the non-null values; None when there are none."""
        present = [float(v) for v in values if v is not None]
        if not present:
            return None
        return cls(statistics.median(present), min(present), max(present), len(present))


@dataclass(frozen=True)
class Summary:
    """All runs of one tool on one dataset, aggregated."""

    dataset: str
    tool: str
    status: str
    """``ok`` when at least one run succeeded, else ``skipped`` or ``failed``."""
    reason: str | None = None
    version: str | None = None
    size: int | None = None
    true_entities: int | None = None
    link_only: bool = False
    description: str = ""
    runs: int = 0
    headline: str | None = None
    total: Stat | None = None
    phases: dict[str, Stat] = field(default_factory=dict)
    peak_rss_mb: Stat | None = None
    candidate_pairs: Stat | None = None
    metrics: dict[str, dict[str, Stat]] = field(default_factory=dict)
    """Threshold label → metric name → aggregated value."""

    def metric(self, name: str, label: str | None = None) -> Stat | None:
        """One metric at ``label`` (the headline clustering by default)."""
        key = label or self.headline
        return self.metrics.get(key, {}).get(name) if key else None


def read_results(path: Path) -> list[dict[str, Any]]:
    """Read a JSON-lines results file (missing file: no results); blank lines are skipped."""
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def latest_lines(lines: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Keep, per (dataset, tool), only the lines of the most recent session that ran it.

    Sessions are ordered by their ``started`` timestamp (ISO 8601 sorts as text), so a later
    run of a subset of datasets leaves the other datasets' latest results in place.
    """
    newest: dict[tuple[str, str], tuple[str, str]] = {}
    for line in lines:
        key = (line["dataset"], line["tool"])
        stamp = (line.get("started", ""), line.get("session", ""))
        if key not in newest or stamp > newest[key]:
            newest[key] = stamp
    return [
        line
        for line in lines
        if (line.get("started", ""), line.get("session", ""))
        == newest[(line["dataset"], line["tool"])]
    ]


def summarize(dataset: str, tool: str, lines: Sequence[dict[str, Any]]) -> Summary:
    """Aggregate the lines of one (dataset, tool) pair."""
    ok = [line for line in lines if line.get("status") == "ok"]
    first = (ok or list(lines) or [{}])[0]
    common: dict[str, Any] = {
        "dataset": dataset,
        "tool": tool,
        "version": first.get("version"),
        "size": first.get("size"),
        "true_entities": first.get("true_entities"),
        "link_only": bool(first.get("link_only", False)),
        "description": str(first.get("description") or ""),
    }
    if not ok:
        status = "failed" if any(line.get("status") == "failed" for line in lines) else "skipped"
        reasons = [line.get("reason") for line in lines if line.get("reason")]
        return Summary(status=status, reason=reasons[0] if reasons else None, **common)
    phase_names = list(dict.fromkeys(name for line in ok for name in line.get("phases", {})))
    labels = list(dict.fromkeys(label for line in ok for label in line.get("metrics", {})))
    metrics: dict[str, dict[str, Stat]] = {}
    for label in labels:
        names = list(
            dict.fromkeys(n for line in ok for n in line.get("metrics", {}).get(label, {}))
        )
        metrics[label] = {
            name: stat
            for name in names
            if (stat := Stat.of(line["metrics"].get(label, {}).get(name) for line in ok))
        }
    return Summary(
        status="ok",
        runs=len(ok),
        headline=first.get("headline"),
        total=Stat.of(line.get("total_seconds") for line in ok),
        phases={
            name: stat
            for name in phase_names
            if (stat := Stat.of(line.get("phases", {}).get(name) for line in ok))
        },
        peak_rss_mb=Stat.of(line.get("peak_rss_mb") for line in ok),
        candidate_pairs=Stat.of(line.get("candidate_pairs") for line in ok),
        metrics=metrics,
        **common,
    )


def summarize_all(lines: Sequence[dict[str, Any]]) -> dict[str, dict[str, Summary]]:
    """Summaries by dataset then tool, in first-seen order."""
    grouped: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for line in lines:
        grouped.setdefault(line["dataset"], {}).setdefault(line["tool"], []).append(line)
    return {
        dataset: {tool: summarize(dataset, tool, runs) for tool, runs in tools.items()}
        for dataset, tools in grouped.items()
    }


def ratio(numerator: Stat | None, denominator: Stat | None) -> float | None:
    """Ratio of two medians (e.g. dchkit / Splink); None when either is missing or 0."""
    if numerator is None or denominator is None or denominator.median == 0:
        return None
    return numerator.median / denominator.median
