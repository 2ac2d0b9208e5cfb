"""The full-record resolve benchmark runs end to end at a small size, so it cannot rot."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

_PATH = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_resolve.py"
_SPEC = importlib.util.spec_from_file_location("bench_resolve", _PATH)
assert _SPEC is not None
assert _SPEC.loader is not None
bench_resolve = importlib.util.module_from_spec(_SPEC)
sys.modules["bench_resolve"] = bench_resolve
_SPEC.loader.exec_module(bench_resolve)

pytestmark = pytest.mark.slow


def test_bench_resolve_runs_and_scores(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    results = bench_resolve.main(
        ["--records", "1500", "--locale", "en", "--repeat", "1", "--cache", str(tmp_path)]
    )
    printed = capsys.readouterr().out
    assert "run 1:" in printed
    assert "threshold 0.99" in printed
    (result,) = results
    assert result["records"] >= 1500
    assert result["peak_bytes"] > 0
    assert 0.5 < result["t0.95"]["pairwise_f1"] <= 1.0
    assert set(result["phases_s"]) >= {"features", "blocking", "comparing", "scoring"}
