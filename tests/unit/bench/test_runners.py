from __future__ import annotations

import importlib.util
from types import SimpleNamespace

import pyarrow as pa
import pytest
from benchmarks.suite.datasets import BenchDataset
from benchmarks.suite.runners import RUNNERS, get_runner
from benchmarks.suite.runners.dchkit_runner import UNAVAILABLE, DchkitRunner, resolve_function

import dchkit


def _dataset(link_only: bool = False) -> BenchDataset:
    records = pa.table(
        {
            "record_id": ["a:1", "a:2", "b:1"],
            "source": ["a", "a", "b"],
            "given_name": ["x", "y", "x"],
        }
    )
    return BenchDataset("t", records, pa.array(["p1", "p2", "p1"]), link_only=link_only)


def test_registry_knows_both_tools_and_rejects_others():
    assert set(RUNNERS) == {"dchkit", "splink"}
    assert get_runner("dchkit").name == "dchkit"
    with pytest.raises(KeyError, match="unknown tool"):
        get_runner("dedupe")


def test_dchkit_runner_is_skipped_while_resolve_is_missing(monkeypatch):
    monkeypatch.setattr(dchkit, "resolve", None)
    runner = DchkitRunner()
    assert resolve_function() is None
    assert runner.unavailable_reason() == UNAVAILABLE == "dchkit.resolve not available yet"
    assert runner.version()
    with pytest.raises(RuntimeError, match="not available yet"):
        runner.run(_dataset())


@pytest.mark.parametrize("link_only", [False, True])
def test_dchkit_runner_calls_resolve_and_aligns_clusters(monkeypatch, link_only):
    calls = []

    def fake_resolve(*tables):
        calls.append([t.column("record_id").to_pylist() for t in tables])
        clusters = pa.table({"record_id": ["b:1", "a:2", "a:1"], "customer_id": ["C1", "C2", "C1"]})
        return SimpleNamespace(clusters=clusters, timings={"block": 0.1, "score": 0.2})

    monkeypatch.setattr(dchkit, "resolve", fake_resolve, raising=False)
    runner = DchkitRunner()
    assert runner.unavailable_reason() is None
    result = runner.run(_dataset(link_only))
    expected_inputs = [["a:1", "a:2"], ["b:1"]] if link_only else [["a:1", "a:2", "b:1"]]
    assert calls == [expected_inputs]
    assert result.clusters == {"default": ["C1", "C2", "C1"]}
    assert result.headline == "default"
    assert result.phases == {"block": 0.1, "score": 0.2}
    assert result.total_seconds >= 0
    assert result.candidate_pairs is None


def test_dchkit_runner_refuses_a_clustering_that_misses_records(monkeypatch):
    clusters = pa.table({"record_id": ["a:1"], "customer_id": ["C1"]})
    monkeypatch.setattr(
        dchkit, "resolve", lambda *_: SimpleNamespace(clusters=clusters), raising=False
    )
    with pytest.raises(RuntimeError, match="no customer for 2 record"):
        DchkitRunner().run(_dataset())


needs_splink = pytest.mark.skipif(
    importlib.util.find_spec("splink") is None, reason="the bench extra (splink) is not installed"
)


@needs_splink
def test_splink_rules_use_only_the_columns_a_dataset_has():
    from benchmarks.suite.runners import splink_runner as sr

    febrl = {"given_name", "family_name", "birth_date", "postcode", "soc_sec_id", "street", "city"}
    sqls = [
        r.get_blocking_rule("duckdb").blocking_rule_sql for r in sr.prediction_blocking_rules(febrl)
    ]
    assert len(sqls) == 6
    assert any("soc_sec_id" in s for s in sqls)
    assert not any("email" in s for s in sqls)
    assert len(sr.em_blocking_rules(febrl)) == 2
    names = [c.get_comparison("duckdb").output_column_name for c in sr.comparisons(febrl)]
    assert names == [
        "given_name",
        "family_name",
        "birth_date",
        "soc_sec_id",
        "street",
        "city",
        "postcode",
    ]
    only_names = {"full_name", "email"}
    assert len(sr.prediction_blocking_rules(only_names)) == 2
    assert len(sr.em_blocking_rules(only_names)) == 1


def test_resolve_function_looks_inside_the_resolve_subpackage(monkeypatch):
    import types

    package = types.ModuleType("dchkit.resolve")
    monkeypatch.setattr(dchkit, "resolve", package, raising=False)
    assert resolve_function() is None  # a module is not the resolver

    def resolve(*tables):
        return tables

    package.resolve = resolve  # type: ignore[attr-defined]
    assert resolve_function() is resolve
