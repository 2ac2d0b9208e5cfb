"""``dchkit bench`` on a small synthetic world, through the command line."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dchkit.cli import app

pytestmark = pytest.mark.slow

HAVE_SPLINK = all(
    importlib.util.find_spec(name) is not None for name in ("splink", "duckdb", "recordlinkage")
)


def run(*args: str, code: int = 0):
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == code, (args, result.exit_code, result.output)
    return result


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("bench-data")


def test_bench_times_and_scores_repeated_runs(data_dir: Path, tmp_path: Path):
    results = tmp_path / "runs.jsonl"
    found = run(
        "bench", "-d", "en-300", "--repeat", "2", "--data-dir", str(data_dir),
        "--results", str(results), "--json",
    )  # fmt: skip
    answer = json.loads(found.stdout)
    assert answer["mode"] == "package"
    assert answer["machine"]["cores"] >= 1
    assert len(answer["machine"]["load_average"]) == 3
    runs = answer["runs"]
    assert [r["status"] for r in runs] == ["ok", "ok"]
    assert [r["repeat"] for r in runs] == [0, 1]
    for r in runs:
        assert r["tool"] == "dchkit"
        assert r["total_seconds"] > 0
        assert r["cpu_seconds"] > 0
        assert r["peak_rss_mb"] > r["baseline_rss_mb"] > 0
        assert r["candidate_pairs"] > 0
        assert {"blocking", "scoring", "clustering"} <= set(r["phases"])
    (row,) = answer["summary"]
    assert row["dataset"] == "en-300"
    assert row["records"] == runs[0]["size"] >= 300
    assert row["runs"] == 2
    assert row["seconds"]["min"] <= row["seconds"]["median"] <= row["seconds"]["max"]
    assert row["records_per_second"] > 0
    # A small English world: precise, and most true links found.
    assert row["pairwise_precision"] >= 0.9
    assert row["pairwise_f1"] >= 0.6
    assert row["bcubed_f1"] >= 0.8
    assert [json.loads(line)["repeat"] for line in results.read_text().splitlines()] == [0, 1]
    assert (data_dir / "en-300" / "meta.json").is_file()
    assert "en-300" in found.stderr  # progress goes to standard error


def test_bench_prints_a_table_for_people(data_dir: Path):
    found = run("bench", "-d", "en-300", "--repeat", "1", "--data-dir", str(data_dir))
    assert "records/s" in found.stdout
    assert "en-300" in found.stdout
    assert "load average" in found.stdout
    assert "pairwise F1" in found.stdout


def test_bench_errors_say_what_to_do(data_dir: Path, monkeypatch):
    unknown = run("bench", "-d", "ja-10x", "--data-dir", str(data_dir), code=2)
    assert "unknown dataset 'ja-10x'" in unknown.stderr
    assert "febrl1" in unknown.stderr
    tool = run("bench", "--tools", "dchkit,spark", code=2)
    assert "--tools dchkit,splink" in tool.stderr
    monkeypatch.setitem(__import__("sys").modules, "recordlinkage", None)
    febrl = run("bench", "-d", "febrl2", "--data-dir", str(data_dir), code=2)
    assert "install 'dchkit[bench]'" in febrl.stderr
    monkeypatch.setattr("dchkit.bench.runs.checkout_root", lambda: None)
    wheel = run("bench", "-d", "febrl1", "--tools", "dchkit,splink", code=2)
    assert "the dchkit repository" in wheel.stderr
    assert "runs" not in wheel.stderr.split("error")[0]  # refused before any progress


def test_a_failed_run_is_reported_and_exits_2(tmp_path: Path, monkeypatch):
    import dchkit.bench.datasets as datasets

    prepare = datasets.prepare_dataset

    def prepare_then_break(name, data_dir, **options):
        dataset = prepare(name, data_dir, **options)
        (data_dir / name / "records.parquet").write_bytes(b"not parquet")  # the run will fail
        return dataset

    monkeypatch.setattr(datasets, "prepare_dataset", prepare_then_break)
    broken = run(
        "bench", "-d", "en-120", "--repeat", "1", "--data-dir", str(tmp_path), "--json", code=2
    )
    answer = json.loads(broken.stdout)  # the answer is still there for scripts
    assert answer["runs"][0]["status"] == "failed"
    assert "Parquet" in answer["runs"][0]["reason"]
    assert "1 of 1 runs failed" in broken.stderr


@pytest.mark.skipif(not HAVE_SPLINK, reason="needs the bench extra: pip install -e '.[bench]'")
def test_splink_side_by_side_runs_the_repository_suite(tmp_path: Path):
    found = run(
        "bench", "-d", "febrl1", "--tools", "dchkit,splink", "--repeat", "1",
        "--data-dir", str(tmp_path), "--json",
    )  # fmt: skip
    answer = json.loads(found.stdout)
    assert answer["mode"] == "suite"
    rows = {row["tool"]: row for row in answer["summary"]}
    assert set(rows) == {"dchkit", "splink"}
    for row in rows.values():
        assert row["status"] == "ok"
        assert row["records"] == 1000
        assert row["pairwise_f1"] > 0.9
    assert {r["headline"] for r in answer["runs"]} == {"default", "0.9"}
