from __future__ import annotations

import json
from pathlib import Path

import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from dchkit.datasets import TABLES, World


def test_write_produces_readable_exports(ja_world: World, tmp_path: Path):
    out = ja_world.write(tmp_path)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert set(manifest["tables"]) == set(TABLES)
    for name, entry in manifest["tables"].items():
        path = out / entry["file"]
        assert entry["preset"]
        assert entry["source"]
        if entry["format"] == "csv":
            raw = path.read_bytes()
            assert raw.startswith(b"\xef\xbb\xbf")
            table = pacsv.read_csv(path, read_options=pacsv.ReadOptions(encoding="utf-8"))
            assert table.num_rows == ja_world.tables[name].num_rows
            assert table.column_names[0].lstrip("\ufeff") == ja_world.tables[name].column_names[0]
        else:
            lines = path.read_text(encoding="utf-8").splitlines()
            assert len(lines) == ja_world.tables[name].num_rows
            first = json.loads(lines[0])
            assert list(first)[:2] == ja_world.tables[name].column_names[:2]
    assert pq.read_table(out / "truth.parquet").equals(ja_world.truth)
    assert pq.read_table(out / "event_truth.parquet").num_rows == ja_world.event_truth.num_rows


def test_cp932_crm_export_keeps_halfwidth_kana(ja_world: World, tmp_path: Path):
    ja_world.write(tmp_path, cp932_crm=True)
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["tables"]["crm_contacts"]["encoding"] == "cp932"
    raw = (tmp_path / "crm_contacts.csv").read_bytes()
    text = raw.decode("cp932")
    assert any("\uff61" <= ch <= "\uff9f" for ch in text), "no half-width katakana in the export"
    table = pacsv.read_csv(
        tmp_path / "crm_contacts.csv", read_options=pacsv.ReadOptions(encoding="cp932")
    )
    assert table.num_rows == ja_world.tables["crm_contacts"].num_rows


def test_web_events_json_has_segment_shape(en_world: World, tmp_path: Path):
    en_world.write(tmp_path)
    messages = [
        json.loads(line)
        for line in (tmp_path / "web_events.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    kinds = {m["type"] for m in messages}
    assert {"page", "track", "identify"} <= kinds
    identify = next(m for m in messages if m["type"] == "identify")
    assert "traits" in identify
    assert isinstance(identify["traits"], dict)
    page = next(m for m in messages if m["type"] == "page")
    assert "product_id" not in page["properties"]  # absent members are dropped, not null
    assert page["userId"] is None or isinstance(page["userId"], str)
