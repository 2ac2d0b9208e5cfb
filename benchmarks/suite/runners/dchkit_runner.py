"""dchkit with its defaults: ``dchkit.resolve(...)`` on the input table(s).

Until the resolver lands, :meth:`DchkitRunner.unavailable_reason` says so and the harness
records a *skipped* result — never a failure, never a number.
"""

from __future__ import annotations

import importlib.metadata
import time
import types
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from benchmarks.suite.runners import RunResult

if TYPE_CHECKING:
    from benchmarks.suite.datasets import BenchDataset

__all__ = ["DchkitRunner", "resolve_function"]

UNAVAILABLE = "dchkit.resolve not available yet"
#: Dataset columns that hold a person identifier (Splink's FEBRL setup compares them too).
IDENTIFIER_COLUMNS = ("soc_sec_id",)


def resolve_function() -> Callable[..., Any] | None:
    """Return ``dchkit.resolve`` if this dchkit has it, else None (the one import check).

    ``dchkit.resolve`` is also the name of a subpackage: importing ``dchkit.resolution.metrics``
    rebinds the attribute to that module, so a module is searched for its ``resolve``.
    """
    try:
        import dchkit
    except ImportError:
        return None
    candidate: Any = getattr(dchkit, "resolve", None)
    if isinstance(candidate, types.ModuleType):
        candidate = getattr(candidate, "resolve", None)
    return candidate if callable(candidate) else None


class DchkitRunner:
    """Runs ``dchkit.resolve`` with default settings."""

    name = "dchkit"

    def version(self) -> str | None:
        try:
            return importlib.metadata.version("dchkit")
        except importlib.metadata.PackageNotFoundError:
            return None

    def unavailable_reason(self) -> str | None:
        return None if resolve_function() is not None else UNAVAILABLE

    def run(self, dataset: BenchDataset) -> RunResult:
        resolve = resolve_function()
        if resolve is None:
            raise RuntimeError(UNAVAILABLE)
        # One table per source for a linkage task (dch.resolve(a, b) links across them);
        # otherwise the whole table, whose `source` column says where each record came from.
        inputs = (
            list(dataset.tables_by_source().values()) if dataset.link_only else [dataset.records]
        )
        # The column mapping, like Splink's configuration, names the identifier columns.
        ids = [column for column in IDENTIFIER_COLUMNS if column in dataset.records.column_names]
        started = time.perf_counter()
        resolution = resolve(*inputs, ids=ids) if ids else resolve(*inputs)
        clusters = resolution.clusters
        total = time.perf_counter() - started

        predicted = _align(clusters, dataset.records.column("record_id"))
        phases = _phase_seconds(resolution)
        return RunResult(
            clusters={"default": predicted},
            headline="default",
            phases=phases or {"resolve": total},
            total_seconds=total,
            candidate_pairs=_candidate_pairs(resolution),
        )


def _align(clusters: Any, record_ids: pa.ChunkedArray) -> list[object]:
    """Customer id of each input record, in input order (from a record_id → customer_id table)."""
    table = clusters if isinstance(clusters, pa.Table) else pa.table(clusters)
    lookup = dict(
        zip(
            table.column("record_id").to_pylist(),
            table.column("customer_id").to_pylist(),
            strict=True,
        )
    )
    ids = record_ids.to_pylist()
    missing = [rid for rid in ids if rid not in lookup]
    if missing:
        msg = (
            f"dchkit.resolve returned no customer for {len(missing)} record(s), e.g. {missing[:3]}"
        )
        raise RuntimeError(msg)
    return [lookup[rid] for rid in ids]


def _phase_seconds(resolution: Any) -> dict[str, float]:
    """Per-phase timings if the resolution reports them (``.timings`` mapping)."""
    timings = getattr(resolution, "timings", None)
    if isinstance(timings, dict):
        return {str(k): float(v) for k, v in timings.items()}
    return {}


def _candidate_pairs(resolution: Any) -> int | None:
    """Number of scored candidate pairs, if the resolution reports it."""
    for owner in (resolution, getattr(resolution, "stats", None)):
        value = getattr(owner, "candidate_pairs", None) if owner is not None else None
        if isinstance(value, int):
            return int(value)
        if isinstance(value, pa.Table | pa.ChunkedArray | pa.Array):
            return len(value)
    pairs = getattr(resolution, "pairs", None)
    if isinstance(pairs, pa.Table):
        return int(pairs.num_rows)
    return None
