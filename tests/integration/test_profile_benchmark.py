"""The profile benchmark runs end to end at a small size, so it cannot rot."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from dchkit.profile import ProfileStore, evaluate_rule

_PATH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_profile.py"
_SPEC = importlib.util.spec_from_file_location("bench_profile", _PATH)
assert _SPEC is not None
assert _SPEC.loader is not None
bench_profile = importlib.util.module_from_spec(_SPEC)
sys.modules["bench_profile"] = bench_profile
_SPEC.loader.exec_module(bench_profile)

pytestmark = pytest.mark.slow


def test_bench_profile_runs_and_reports_every_figure(capsys: pytest.CaptureFixture[str]) -> None:
    figures = bench_profile.main(
        ["--customers", "3000", "--events", "30000", "--runs", "1", "--lookups", "50"]
    )
    printed = capsys.readouterr().out
    for label in ("build store", "traits", "segment over", "lookup", "timeline", "forget", "load"):
        assert label in printed
    for name in (
        "build",
        "traits",
        "segment",
        "lookup_p99",
        "lookup_cpu_p99",
        "timeline_p99",
        "lookup_paced_p99",
        "timeline_paced_p99",
        "forget",
    ):
        assert figures[name] > 0, name
    store = ProfileStore(**bench_profile.generate(3000, 30000, 7))
    store.refresh_traits(now=bench_profile.NOW)
    assert figures["members"] == len(
        evaluate_rule(store, bench_profile.RULE, now=bench_profile.NOW)
    )
    assert figures["members"] > 0


def test_the_heavy_customers_have_exactly_100_events() -> None:
    heavy = bench_profile.heavy_customers(3000, 30000)
    store = ProfileStore(**bench_profile.generate(3000, 30000, 7))
    for i in (0, heavy - 1):
        assert store.timeline(f"cus_{i}", limit=1).total == 100
    assert store.timeline(f"cus_{heavy}", limit=1).total < 100
