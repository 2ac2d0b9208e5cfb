"""The benchmark suite end to end on FEBRL1, so it cannot rot (needs the `bench` extra)."""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MISSING = [
    name for name in ("splink", "duckdb", "recordlinkage") if importlib.util.find_spec(name) is None
]

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        bool(MISSING),
        reason=f"bench extra not installed (missing {', '.join(MISSING)}): pip install -e '.[bench]'",
    ),
]


def test_suite_runs_febrl1_and_renders_the_page(tmp_path):
    results = tmp_path / "results.jsonl"
    page = tmp_path / "docs" / "benchmarks.md"
    page.parent.mkdir()
    command = [
        sys.executable,
        "-m",
        "benchmarks",
        "--datasets=febrl1",
        "--repeat=1",
        "--tools=dchkit,splink",
        f"--results={results}",
        f"--docs={page}",
        f"--data-dir={tmp_path / 'data'}",
    ]
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
    }
    completed = subprocess.run(
        command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900, check=False
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr

    lines = [json.loads(line) for line in results.read_text().splitlines()]
    splink = [line for line in lines if line["tool"] == "splink"]
    assert len(splink) == 1
    assert splink[0]["status"] == "ok"
    assert splink[0]["size"] == 1000
    assert set(splink[0]["metrics"]) == {"0.5", "0.9", "0.99"}
    assert splink[0]["peak_rss_mb"] > 0
    assert splink[0]["candidate_pairs"] > 0
    dchkit = [line for line in lines if line["tool"] == "dchkit"]
    assert len(dchkit) == 1
    assert dchkit[0]["status"] in {"ok", "skipped"}

    text = page.read_text()
    row = re.search(
        r"^\| febrl1 \| Splink 5[\d.]* \| (?P<pw>[\d.]+) \| (?P<b3>[\d.]+) \|", text, re.M
    )
    assert row is not None, text
    assert float(row["pw"]) > 0.8
    assert float(row["b3"]) > 0.8
    assert "| febrl1 | dchkit" in text
    assert (page.parent / "assets" / "benchmarks.svg").is_file()
