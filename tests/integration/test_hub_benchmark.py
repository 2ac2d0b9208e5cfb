"""benchmarks/bench_hub.py runs end to end at a small size, so it cannot rot."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

_PATH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_hub.py"
_SPEC = importlib.util.spec_from_file_location("bench_hub", _PATH)
assert _SPEC is not None
assert _SPEC.loader is not None
bench_hub = importlib.util.module_from_spec(_SPEC)
sys.modules["bench_hub"] = bench_hub
_SPEC.loader.exec_module(bench_hub)

pytestmark = pytest.mark.slow


def test_bench_hub_runs_and_reports_every_figure(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--records", "600", "--singles", "5", "--batch", "40", "--lookups", "20"]
    figures = bench_hub.main([*argv, "--cache", str(tmp_path), "--locale", "en"])
    printed = capsys.readouterr().out
    for label in ("ingest", "resolve", "lookup by email", "one new record", "micro-batch"):
        assert label in printed
    assert figures["records"] > 0
    assert figures["customers"] > 0
    for name in ("ingest_s", "resolve_s", "lookup_p99_ms", "single_p99_ms", "batch_s"):
        assert figures[name] > 0
    assert figures["ingest_cpu_s"] > 0
    assert figures["resolve_cpu_s"] > 0


def test_bench_hub_can_time_the_build_alone(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [
        "--records",
        "600",
        "--singles",
        "5",
        "--batch",
        "40",
        "--lookups",
        "5",
        "--no-realtime",
    ]
    figures = bench_hub.main([*argv, "--cache", str(tmp_path), "--locale", "en"])
    printed = capsys.readouterr().out
    assert "ingest + resolve" in printed
    assert "micro-batch" not in printed
    assert figures["resolve_cpu_s"] > 0
    assert "batch_s" not in figures


def test_bench_hub_times_lookups_on_an_existing_hub(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "hub.db"
    argv = ["--records", "600", "--singles", "5", "--batch", "40", "--lookups", "10"]
    bench_hub.main([*argv, "--cache", str(tmp_path), "--locale", "en", "--path", str(path)])
    capsys.readouterr()
    figures = bench_hub.main(["--existing", str(path), "--lookups", "10"])
    printed = capsys.readouterr().out
    for label in ("existing hub", "lookup by email", "live traits", "timeline page"):
        assert label in printed
    for name in ("lookup_p99_ms", "traits_p99_ms", "timeline_p99_ms"):
        assert figures[name] > 0
