from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pyarrow as pa
import pytest
from benchmarks.suite import datasets
from benchmarks.suite.datasets import (
    BenchDataset,
    DatasetUnavailableError,
    febrl_entity,
    load_dataset,
    parse_febrl_date,
    prepare_dataset,
)


@pytest.mark.parametrize(
    ("rec_id", "entity"),
    [("rec-123-dup-0", "123"), ("rec-123-org", "123"), (" rec-7-dup-12 ", "7"), ("rec-0-org", "0")],
)
def test_febrl_entity(rec_id, entity):
    assert febrl_entity(rec_id) == entity


@pytest.mark.parametrize("rec_id", ["123", "rec-abc-org", "rec-1-copy-0", "rec-1-dup-", ""])
def test_febrl_entity_rejects_other_ids(rec_id):
    with pytest.raises(ValueError, match="not a FEBRL record id"):
        febrl_entity(rec_id)


@pytest.mark.parametrize(
    ("raw", "iso"),
    [
        ("19560409", "1956-04-09"),
        (19081209, "1908-12-09"),
        ("19561309", None),  # month 13
        ("19560231", None),  # 31 February
        ("1956049", None),  # a digit short
        ("1956-04-09", None),
        (None, None),
    ],
)
def test_parse_febrl_date(raw, iso):
    assert parse_febrl_date(raw) == iso


def test_febrl_frame_becomes_input_table_and_truth():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(
        {
            "given_name": ["lachlan", None],
            "surname": ["berry", "berry "],
            "street_number": ["69", None],
            "address_1": ["giblin street", "giblin  st"],
            "address_2": ["killarney", None],
            "suburb": ["bittern", "bittern"],
            "postcode": ["4814", "4841"],
            "state": ["qld", ""],
            "date_of_birth": ["19990219", "19991319"],
            "soc_sec_id": ["7364009", "7364009"],
        },
        index=pd.Index(["rec-122-org", "rec-122-dup-0"], name="rec_id"),
    )
    table, truth = datasets._febrl_table(frame, "febrl9")
    assert truth.to_pylist() == ["122", "122"]
    rows = table.to_pylist()
    assert rows[0] == {
        "record_id": "febrl9:rec-122-org",
        "source": "febrl9",
        "source_record_id": "rec-122-org",
        "given_name": "lachlan",
        "family_name": "berry",
        "birth_date": dt.date(1999, 2, 19),
        "street": "69 giblin street",
        "city": "bittern",
        "region": "qld",
        "postcode": "4814",
        "country": "AU",
        "soc_sec_id": "7364009",
    }
    assert rows[1]["given_name"] is None
    assert rows[1]["family_name"] == "berry"
    assert rows[1]["street"] == "giblin st"
    assert rows[1]["birth_date"] is None
    assert rows[1]["region"] is None
    assert "email" not in table.column_names  # columns without any value are left out


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


def test_synthetic_world_says_why_it_is_unavailable(monkeypatch):
    import dchkit.datasets as dch_datasets

    monkeypatch.delattr(dch_datasets, "generate_world", raising=False)
    with pytest.raises(DatasetUnavailableError, match="generate_world is not available"):
        datasets.DATASETS["ja-10k"]()


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


def test_synthetic_world_refuses_records_without_truth(monkeypatch):
    import dchkit.datasets as dch_datasets

    canonical = pa.table({"record_id": ["crm:1"], "source": ["crm"]})
    world = SimpleNamespace(
        tables={"crm_contacts": canonical}, truth=pa.table({"record_id": ["x"], "person_id": ["P"]})
    )
    monkeypatch.setattr(dch_datasets, "generate_world", lambda **_: world, raising=False)
    monkeypatch.setattr(
        "dchkit.demo.read_world_records", lambda world, directory, **_: (canonical, {"x": "P"})
    )
    with pytest.raises(DatasetUnavailableError, match="no true person"):
        datasets.DATASETS["ja-10k"]()
