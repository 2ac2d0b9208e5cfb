"""Bad inputs end as rejects with reasons, never silently lost."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

import dchkit.connectors as dc
from dchkit.errors import MappingError, RecordNormalizationError, SourceReadError

from .conftest import assert_balanced

CONTACTS = {"records": {"id": "Id", "emails": "Email"}}


def test_truncated_file(exports: Path):
    res = dc.csv(exports / "truncated.csv", source="crm", mapping=CONTACTS).read_all()
    assert_balanced(res)
    assert res.report.rows_read == 3
    assert res.report.rejects_by_reason == {"malformed_row": 1}
    reject = res.rejects.to_pylist()[0]
    assert reject["raw"] == "0033,Cy"
    assert "expected 4 cells, found 2" in reject["reason"]


def test_rows_with_another_delimiter(exports: Path):
    res = dc.csv(exports / "wrong_delimiter.csv", source="crm", mapping=CONTACTS).read_all()
    assert_balanced(res)
    assert res.records["record_id"].to_pylist() == ["crm:0031", "crm:0033"]  # ';' sniffed
    assert res.rejects["raw"].to_pylist() == ["0032,Bo,Kim,bo@example.com"]


def test_whole_file_with_wrong_delimiter_names_the_fix(tmp_path: Path):
    path = tmp_path / "semi.csv"
    path.write_text("Id;Email\n1;a@x.jp\n")
    with pytest.raises(MappingError) as info:
        dc.csv(path, source="crm", mapping=CONTACTS, delimiter=",").read_all()
    assert info.value.column == "Email"
    assert "delimiter" in str(info.value)


def test_mixed_encodings(exports: Path):
    res = dc.csv(exports / "mixed_encoding.csv", source="crm", mapping=CONTACTS).read_all()
    assert_balanced(res)
    assert res.report.rejects_by_reason == {"encoding": 1}
    reject = res.rejects.to_pylist()[0]
    assert reject["row_number"] == 3
    assert "\\x8d" in reject["raw"]  # the offending bytes stay visible
    assert res.records["source_record_id"].to_pylist() == ["1", "3"]


def test_cp932_detected_and_declared(exports: Path):
    auto = dc.csv(exports / "pos_transactions_cp932.csv", preset="pos_transactions").read_all()
    declared = dc.csv(
        exports / "pos_transactions_cp932.csv", preset="pos_transactions", encoding="cp932"
    ).read_all()
    assert auto.events["event_id"].to_pylist() == declared.events["event_id"].to_pylist()
    assert auto.report.rejects == 0
    # Strict Shift_JIS lacks the IBM kanji 髙 that Excel (CP932) writes: that row is rejected.
    strict = dc.csv(
        exports / "pos_transactions_cp932.csv", preset="pos_transactions", encoding="shift_jis"
    ).read_all()
    assert_balanced(strict)
    assert strict.report.rejects_by_reason == {"encoding": 1}
    assert strict.rejects["row_number"].to_pylist() == [3]


def test_unknown_column_did_you_mean(tmp_path: Path):
    path = tmp_path / "c.csv"
    path.write_text("Id,E-mail\n1,a@x.jp\n")
    with pytest.raises(MappingError) as info:
        dc.csv(path, source="crm", mapping=CONTACTS).read_all()
    message = str(info.value)
    assert "'Email'" in message
    assert "did you mean 'e-mail'" in message.lower()
    assert info.value.available == ["Id", "E-mail"]


def test_on_error_raise_gives_exception_group(exports: Path):
    conn = dc.csv(
        exports / "salesforce_contacts.csv", preset="salesforce_contacts", on_error="raise"
    )
    with pytest.raises(ExceptionGroup) as info:
        conn.read_all()
    errors = info.value.exceptions
    assert len(errors) == 2
    assert all(isinstance(e, RecordNormalizationError) for e in errors)
    assert {e.field for e in errors} == {"source_record_id"}


def test_duplicate_ids_across_batches():
    data = pa.table({"id": ["1", "2", "3", "1", "2", "4"], "email": ["a@x.jp"] * 6})
    res = dc.InMemoryConnector(
        data, source="s", mapping={"records": {"id": "id"}}, batch_size=2
    ).read_all()
    assert_balanced(res)
    assert res.records["source_record_id"].to_pylist() == ["1", "2", "3", "4"]
    assert res.rejects["row_number"].to_pylist() == [4, 5]
    assert "row 1" in res.rejects["reason"][0].as_py()


def test_unmapped_rows_are_rejected():
    data = [
        {"kind": "order", "id": "1", "at": "2024-01-01"},
        {"kind": "note", "id": "2", "at": "x"},
    ]
    mapping = {
        "events": [
            {
                "when": {"column": "kind", "values": ["order"]},
                "type": "Order Completed",
                "timestamp": "at",
                "id": "id",
            }
        ]
    }
    res = dc.InMemoryConnector(data, source="pos", mapping=mapping).read_all()
    assert_balanced(res)
    assert res.report.rejects_by_reason == {"unmapped": 1}


def test_missing_file_is_source_read_error(tmp_path: Path):
    with pytest.raises(SourceReadError):
        dc.csv(tmp_path / "nope.csv", source="crm", mapping=CONTACTS).read_all()


def test_empty_and_header_only_files(tmp_path: Path):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    header = tmp_path / "header.csv"
    header.write_text("Id,Email\n")
    for path in (empty, header):
        res = dc.csv(path, source="crm", mapping=CONTACTS).read_all()
        assert res.report.rows_read == 0
        assert_balanced(res)
