"""Command line of the benchmark suite (``python -m benchmarks`` / ``benchmarks/run``)."""

from __future__ import annotations

import argparse
import functools
from collections.abc import Mapping
from pathlib import Path

from benchmarks.suite.datasets import DATASETS
from benchmarks.suite.harness import REPO_ROOT, SuiteConfig, regenerate_docs, run_suite
from benchmarks.suite.runners import RUNNERS

__all__ = ["QUICK_DATASETS", "build_parser", "main"]

QUICK_DATASETS = ("febrl1", "ja-10k", "en-10k")


def _names(text: str, known: Mapping[str, object], what: str) -> list[str]:
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in known]
    if unknown:
        msg = f"unknown {what}: {', '.join(unknown)} (known: {', '.join(known)})"
        raise argparse.ArgumentTypeError(msg)
    return names


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (kept separate so tests can exercise it)."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description=(
            "Benchmark dchkit against Splink on FEBRL and the synthetic worlds; append "
            "JSON lines to the results file and regenerate docs/benchmarks.md."
        ),
    )
    parser.add_argument(
        "--datasets",
        type=lambda t: _names(t, DATASETS, "dataset"),
        default=None,
        help=f"comma-separated, default all: {','.join(DATASETS)}",
    )
    parser.add_argument(
        "--tools",
        type=lambda t: _names(t, RUNNERS, "tool"),
        default=list(RUNNERS),
        help="comma-separated, default dchkit,splink",
    )
    parser.add_argument("--repeat", type=int, default=None, help="runs per tool (default 3)")
    parser.add_argument(
        "--quick", action="store_true", help=f"{','.join(QUICK_DATASETS)}, one repeat"
    )
    parser.add_argument(
        "--results",
        type=Path,
        default=REPO_ROOT / "benchmarks" / "results" / "results.jsonl",
        help="JSON-lines file to append to",
    )
    parser.add_argument(
        "--docs",
        type=Path,
        default=REPO_ROOT / "docs" / "benchmarks.md",
        help="page to regenerate (its chart goes to assets/ next to it)",
    )
    parser.add_argument("--no-docs", action="store_true", help="do not regenerate the page")
    parser.add_argument(
        "--report-only", action="store_true", help="only regenerate the page from the results"
    )
    parser.add_argument(
        "--data-dir", type=Path, default=REPO_ROOT / "benchmarks" / ".data", help="dataset cache"
    )
    parser.add_argument("--refresh-data", action="store_true", help="rebuild cached datasets")
    parser.add_argument(
        "--timeout", type=float, default=4 * 3600, help="seconds allowed per run (default 4 h)"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the suite (or just the report) and return the exit status."""
    args = build_parser().parse_args(argv)
    if args.report_only:
        regenerate_docs(args.results, args.docs)
        print(f"wrote {args.docs}")
        return 0
    datasets = args.datasets or (list(QUICK_DATASETS) if args.quick else list(DATASETS))
    repeat = args.repeat if args.repeat is not None else (1 if args.quick else 3)
    if repeat < 1:
        print("--repeat must be at least 1")
        return 2
    config = SuiteConfig(
        datasets=datasets,
        tools=args.tools,
        repeat=repeat,
        data_dir=args.data_dir,
        results=args.results,
        docs_page=None if args.no_docs else args.docs,
        timeout_seconds=args.timeout,
        refresh_data=args.refresh_data,
    )
    lines = run_suite(config, echo=functools.partial(print, flush=True))
    failed = [line for line in lines if line.get("status") == "failed"]
    return 1 if failed else 0
