"""Tool runners: one small interface, one implementation per tool.

A runner resolves a :class:`~benchmarks.suite.datasets.BenchDataset` and returns a
:class:`RunResult`: the predicted cluster of each record (at one or more thresholds), its
own phase timings, end-to-end time and the number of candidate pairs it scored. Scoring
against the truth and peak memory are the harness's job, not the runner's.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from benchmarks.suite.datasets import BenchDataset

__all__ = ["RUNNERS", "RunResult", "Runner", "get_runner"]


@dataclass(frozen=True)
class RunResult:
    """What a tool produced on one dataset."""

    clusters: Mapping[str, Sequence[object]]
    """Predicted cluster of each record, aligned with ``dataset.records``, per threshold
    label (``"0.9"``, ``"default"`` …)."""
    headline: str
    """The clustering label that represents the tool (its default threshold)."""
    phases: Mapping[str, float]
    """Seconds per phase, in execution order."""
    total_seconds: float
    """End to end: from the raw input table to the headline clustering."""
    candidate_pairs: int | None = None
    notes: Mapping[str, object] = field(default_factory=dict)


class Runner(Protocol):
    """A tool under benchmark."""

    name: str

    def version(self) -> str | None:
        """Installed version of the tool, or None when it is not installed."""
        ...

    def unavailable_reason(self) -> str | None:
        """Why the tool cannot run here (``None`` when it can); checked before any run."""
        ...

    def run(self, dataset: BenchDataset) -> RunResult:
        """Resolve ``dataset`` and return the predicted clusters and timings."""
        ...


#: Runner classes by tool name, as dotted paths (imported lazily: each pulls heavy deps).
RUNNERS: dict[str, str] = {
    "dchkit": "benchmarks.suite.runners.dchkit_runner:DchkitRunner",
    "splink": "benchmarks.suite.runners.splink_runner:SplinkRunner",
}


def get_runner(name: str) -> Runner:
    """Instantiate the runner of tool ``name``.

    Raises:
        KeyError: unknown tool.
    """
    if name not in RUNNERS:
        msg = f"unknown tool {name!r}; known: {', '.join(RUNNERS)}"
        raise KeyError(msg)
    module_name, _, class_name = RUNNERS[name].partition(":")
    runner: Runner = getattr(importlib.import_module(module_name), class_name)()
    return runner
