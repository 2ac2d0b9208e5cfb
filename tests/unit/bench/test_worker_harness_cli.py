from __future__ import annotations

import json

import pyarrow as pa
import pytest
from benchmarks.suite import harness, worker
from benchmarks.suite import runners as runners_module
from benchmarks.suite.cli import build_parser, main
from benchmarks.suite.datasets import BenchDataset, DatasetUnavailableError
from benchmarks.suite.runners import RunResult


class PerfectRunner:
    name = "perfect"

    def __init__(self, reason: str | None = None, fail: bool = False) -> None:
        self.reason, self.fail = reason, fail

    def version(self) -> str | None:
        return "1.0"

    def unavailable_reason(self) -> str | None:
        return self.reason

    def run(self, dataset: BenchDataset) -> RunResult:
        if self.fail:
            raise ValueError("boom")
        truth = dataset.truth.to_pylist()
        merged = ["all"] * len(truth)
        return RunResult(
            clusters={"0.9": truth, "0.5": merged},
            headline="0.9",
            phases={"train": 0.5, "predict": 0.25},
            total_seconds=0.75,
            candidate_pairs=3,
        )


def _dataset() -> BenchDataset:
    records = pa.table({"record_id": ["s:1", "s:2", "s:3"], "source": ["s", "s", "s"]})
    return BenchDataset("tiny", records, pa.array(["p1", "p1", "p2"]))


@pytest.fixture
def tiny(monkeypatch):
    monkeypatch.setattr("benchmarks.suite.datasets.load_dataset", lambda name, data_dir: _dataset())


def test_worker_scores_every_clustering(monkeypatch, tiny):
    monkeypatch.setattr(runners_module, "get_runner", lambda name: PerfectRunner())
    outcome = worker.run_one("perfect", "tiny", None)  # type: ignore[arg-type]
    assert outcome["status"] == "ok"
    assert outcome["metrics"]["0.9"]["pairwise_f1"] == 1.0
    assert outcome["metrics"]["0.9"]["mixed_clusters"] == 0
    # one cluster of 3 records holding 2 people: 1 of 3 predicted pairs is true
    assert outcome["metrics"]["0.5"]["pairwise_precision"] == pytest.approx(1 / 3)
    assert outcome["metrics"]["0.5"]["mixed_clusters"] == 1
    assert outcome["phases"] == {"train": 0.5, "predict": 0.25}
    assert (outcome["size"], outcome["true_entities"], outcome["candidate_pairs"]) == (3, 2, 3)
    assert outcome["peak_rss_mb"] >= outcome["baseline_rss_mb"] > 0


def test_worker_reports_skips_and_failures_without_raising(monkeypatch, tiny):
    monkeypatch.setattr(runners_module, "get_runner", lambda name: PerfectRunner(reason="nope"))
    skipped = worker.run_one("perfect", "tiny", None)  # type: ignore[arg-type]
    assert (skipped["status"], skipped["reason"]) == ("skipped", "nope")
    assert "metrics" not in skipped
    monkeypatch.setattr(runners_module, "get_runner", lambda name: PerfectRunner(fail=True))
    failed = worker.run_one("perfect", "tiny", None)  # type: ignore[arg-type]
    assert failed["status"] == "failed"
    assert failed["reason"] == "ValueError: boom"


def test_worker_main_writes_json(monkeypatch, tmp_path, tiny):
    monkeypatch.setattr(runners_module, "get_runner", lambda name: PerfectRunner())
    out = tmp_path / "r.json"
    assert (
        worker.main(["--tool=perfect", "--dataset=tiny", f"--data-dir={tmp_path}", f"--out={out}"])
        == 0
    )
    assert json.loads(out.read_text())["status"] == "ok"


def test_harness_alternates_tools_and_records_skips(monkeypatch, tmp_path):
    spawned = []

    def fake_spawn(tool, dataset, config):
        spawned.append((dataset, tool))
        return {
            "tool": tool,
            "dataset": dataset,
            "status": "ok",
            "total_seconds": 1.0,
            "peak_rss_mb": 1.0,
        }

    def fake_prepare(name, data_dir, refresh=False):
        if name == "missing":
            raise DatasetUnavailableError("no generator")
        return _dataset()

    tools = {"a": PerfectRunner(), "b": PerfectRunner(), "c": PerfectRunner(reason="not yet")}
    monkeypatch.setattr(harness, "_spawn", fake_spawn)
    monkeypatch.setattr(harness, "prepare_dataset", fake_prepare)
    monkeypatch.setattr(harness, "get_runner", tools.__getitem__)
    results = tmp_path / "results.jsonl"
    config = harness.SuiteConfig(
        datasets=["d1", "missing"], tools=["a", "c", "b"], repeat=2, results=results, docs_page=None
    )
    lines = harness.run_suite(config, echo=lambda _: None)
    assert spawned == [("d1", "a"), ("d1", "b"), ("d1", "a"), ("d1", "b")]
    assert [line["repeat"] for line in lines if line["status"] == "ok"] == [0, 0, 1, 1]
    skips = [(x["dataset"], x["tool"], x["reason"]) for x in lines if x["status"] == "skipped"]
    assert skips == [
        ("d1", "c", "not yet"),
        ("missing", "a", "dataset unavailable: no generator"),
        ("missing", "c", "dataset unavailable: no generator"),
        ("missing", "b", "dataset unavailable: no generator"),
    ]
    written = [json.loads(t) for t in results.read_text().splitlines()]
    assert written == lines
    assert len({line["session"] for line in written}) == 1
    assert all(line["machine"]["cpu"] and "versions" in line for line in written)


def test_cli_rejects_unknown_names(capsys):
    parser = build_parser()
    with pytest.raises(SystemExit):
        parser.parse_args(["--datasets", "febrl1,febrl9"])
    assert "unknown dataset: febrl9" in capsys.readouterr().err
    assert parser.parse_args(["--tools", "splink"]).tools == ["splink"]


def test_cli_report_only_regenerates_page_and_chart(tmp_path):
    results = tmp_path / "results.jsonl"
    fixture = (harness.REPO_ROOT / "tests" / "unit" / "bench" / "results_fixture.jsonl").read_text()
    results.write_text(fixture)
    page = tmp_path / "docs" / "benchmarks.md"
    page.parent.mkdir()
    assert main(["--report-only", f"--results={results}", f"--docs={page}"]) == 0
    assert "| febrl3 | Splink 5.0.0 | 0.9900 |" in page.read_text()
    assert (tmp_path / "docs" / "assets" / "benchmarks.svg").read_text().startswith("<svg")
