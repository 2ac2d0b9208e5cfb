"""Mappings: loading, validation, transforms."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pyarrow as pa
import pytest

import dchkit.connectors as dc
from dchkit.connectors.mapping import load_mapping
from dchkit.errors import ConfigError, MappingError

from .conftest import assert_balanced

SPEC = {
    "source": "crm",
    "records": {
        "id": "ID",
        "split_name": {"column": "Name"},
        "emails": "Mail",
        "street": {"columns": ["Addr1", "Addr2"], "join": " "},
        "birth_date": {"column": "DOB", "format": "%d/%m/%Y"},
        "country": {"constant": "jp"},
        "external_ids": {"member_no": "ID"},
        "consent": {"newsletter": {"column": "Opt", "true_values": ["Y"], "false_values": ["N"]}},
        "attributes": ["Tier"],
    },
}


def test_load_from_dict_json_yaml(tmp_path: Path):
    import yaml

    as_json = tmp_path / "m.json"
    as_json.write_text(json.dumps(SPEC))
    as_yaml = tmp_path / "m.yaml"
    as_yaml.write_text(yaml.safe_dump(SPEC))
    mappings = [
        load_mapping(SPEC),
        load_mapping(as_json),
        load_mapping(as_yaml),
        load_mapping(json.dumps(SPEC)),
    ]
    assert all(m == mappings[0] for m in mappings)


def test_mapping_is_frozen_and_strict():
    mapping = load_mapping(SPEC)
    with pytest.raises(Exception, match="frozen"):
        mapping.source = "x"  # type: ignore[misc]
    with pytest.raises(MappingError, match=r"records\.idd"):
        load_mapping({"records": {"id": "x", "idd": "y"}})
    with pytest.raises(MappingError):
        load_mapping({"records": {"id": {"column": "a", "constant": "b"}}})
    with pytest.raises(
        ConfigError
    ):  # MappingError is a ValueError like ConfigError? no: check both
        dc.CsvConnector("x.csv", mapping=SPEC, preset="salesforce_contacts")


def test_transforms():
    data = [
        {
            "ID": "7",
            "Name": "山田 太郎",
            "Mail": "T@x.jp",
            "Addr1": "1 Main St",
            "Addr2": None,
            "DOB": "01/05/1985",
            "Opt": "Y",
            "Tier": "gold",
            "Other": "dropped",
        },
        {
            "ID": "8",
            "Name": "Taro Yamada",
            "Mail": None,
            "Addr1": None,
            "Addr2": "Apt 2",
            "DOB": "bad",
            "Opt": "?",
            "Tier": None,
            "Other": "x",
        },
    ]
    res = dc.InMemoryConnector(data, mapping=SPEC).read_all()
    assert_balanced(res)
    first, second = res.records.to_pylist()
    assert (first["family_name"], first["given_name"]) == ("山田", "太郎")
    assert (second["family_name"], second["given_name"]) == ("Yamada", "Taro")
    assert first["street"] == "1 Main St"
    assert second["street"] == "Apt 2"
    assert first["birth_date"] == dt.date(1985, 5, 1)
    assert "birth_date_unparseable" in second["quality"]
    assert dict(second["attributes"])["birth_date_raw"] == "bad"
    assert first["country"] == "JP"
    assert dict(first["consent"]) == {"newsletter": True}
    assert dict(first["attributes"]) == {"Tier": "gold"}
    assert dict(first["external_ids"]) == {"member_no": "7"}


def test_canonical_table_needs_no_mapping():
    import pandas as pd
    import polars as pl

    frame = {"record_id": ["a", "b"], "email": ["A@x.jp", None], "family_name": ["山田", "Smith"]}
    for data in (pd.DataFrame(frame), pl.DataFrame(frame), pa.table(frame)):
        res = dc.InMemoryConnector(data, source="app").read_all()
        assert res.records["record_id"].to_pylist() == ["app:a", "app:b"]
        assert res.records["emails"].to_pylist() == [["a@x.jp"], []]


def test_event_value_map_and_identifiers():
    mapping = {
        "events": [
            {
                "type": {
                    "column": "kind",
                    "value_map": {"o": "Order Completed"},
                    "default": "Other",
                },
                "timestamp": {"column": "at", "format": "%Y%m%d"},
                "record": "cust",
                "record_source": "ec",
                "identifiers": {"email": "mail", "phone": "tel"},
                "value": "amount",
                "properties": ["note"],
            }
        ]
    }
    data = [
        {
            "kind": "o",
            "at": "20240501",
            "cust": "9",
            "mail": "A@X.JP",
            "tel": "03-1234-5678",
            "amount": "¥1,200",
            "note": "hi",
        },
        {
            "kind": "z",
            "at": "20240502",
            "cust": None,
            "mail": None,
            "tel": None,
            "amount": None,
            "note": None,
        },
    ]
    res = dc.InMemoryConnector(data, source="pos", mapping=mapping).read_all()
    assert_balanced(res)
    first, second = res.events.to_pylist()
    assert first["type"] == "Order Completed"
    assert second["type"] == "Other"
    assert first["record_id"] == "ec:9"
    assert dict(first["identifiers"]) == {"email": "a@x.jp", "phone": "+81312345678"}
    assert first["value"] == 1200.0
    assert json.loads(first["properties"]) == {"note": "hi"}
    assert first["event_id"] == "pos:table:1"


def test_yaml_missing_is_dependency_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    import builtins

    from dchkit.errors import ConnectorDependencyError

    real_import = builtins.__import__

    def no_yaml(name, *args, **kwargs):
        if name == "yaml":
            raise ImportError("no yaml")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_yaml)
    path = tmp_path / "m.yaml"
    path.write_text("records: {id: x}\n")
    with pytest.raises(ConnectorDependencyError):
        load_mapping(path)
