"""The incremental-resolution benchmark runs end to end at a small size, so it cannot rot."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

_PATH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_incremental.py"
_SPEC = importlib.util.spec_from_file_location("bench_incremental", _PATH)
assert _SPEC is not None
assert _SPEC.loader is not None
bench_incremental = importlib.util.module_from_spec(_SPEC)
sys.modules["bench_incremental"] = bench_incremental
_SPEC.loader.exec_module(bench_incremental)

pytestmark = pytest.mark.slow


def test_bench_incremental_runs_and_reports_every_figure(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--records", "1200", "--singles", "20", "--batch", "100", "--repeat", "1"]
    figures = bench_incremental.main([*argv, "--cache", str(tmp_path)])
    printed = capsys.readouterr().out
    for label in ("hub:", "single record x20", "step medians", "golden records", "micro-batch"):
        assert label in printed
    assert set(figures) == {
        "single_p50",
        "single_p99",
        "single_cpu_p50",
        "single_cpu_p99",
        "golden_p50",
        "batch",
        "batch_cpu",
    }
    assert all(value > 0 for value in figures.values())
    assert list(tmp_path.glob("ja-1200-1.parquet"))  # the records were cached where asked
