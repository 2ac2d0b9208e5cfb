"""Identifier keys in the raw text of rejected rows (dchkit.profile.reject_keys)."""

from __future__ import annotations

import pyarrow as pa
import pytest

from dchkit.profile.privacy import hash_keys, suppression_table
from dchkit.profile.reject_keys import reject_keys, rejects_holding, suppressed_rejects


def _rejects(*rows: tuple[str, str | None]) -> pa.Table:
    return pa.table({"source": [r[0] for r in rows], "raw": [r[1] for r in rows]})


def _keys_of(table: pa.Table, **options: object) -> list[set[str]]:
    keys, rows = reject_keys(table, **options)  # type: ignore[arg-type]
    found: list[set[str]] = [set() for _ in range(table.num_rows)]
    for key, row in zip(keys, rows, strict=True):
        found[row].add(key)
    return found


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # a CP932 CSV export as decoded: national format with hyphens
        (
            "003A,山田,太郎,Taro.Yamada@Example.JP,03-1234-5678",
            {"email=taro.yamada@example.jp", "phone=+81312345678"},
        ),
        # a malformed JSON line
        (
            '{"Email": "hanako@example.jp", "Phone": "+81 90 1111 2222", "Birthdate": ',
            {"email=hanako@example.jp", "phone=+819011112222"},
        ),
        # prose in a support ticket, with brackets and a full stop after the address
        (
            "Call me (090) 1111-2222 or write to <taro@example.jp>.",
            {"email=taro@example.jp", "phone=+819011112222"},
        ),
        # dates, amounts and invalid addresses are not identifiers
        ("2024-05-01,12000,not-an-email@,@handle", set()),
    ],
)
def test_emails_and_phones_are_found_in_every_raw_form(raw: str, expected: set[str]) -> None:
    (found,) = _keys_of(_rejects(("crm", raw)))
    assert {k for k in found if not k.startswith("record_id=")} == expected


def test_source_ids_match_whole_tokens_of_the_same_source_only() -> None:
    table = _rejects(
        ("crm", "0035g000038Z8yV,bad date"), ("ec", "0035g000038Z8yV"), ("crm", "0035g000038Z8yVX")
    )
    flags = rejects_holding(table, ["record_id=crm:0035g000038Z8yV"])
    assert flags.tolist() == [True, False, False]


def test_external_ids_are_tried_for_the_types_asked() -> None:
    table = _rejects(("pos", "loyalty L-88812,12000"))
    assert rejects_holding(table, ["loyalty_id=L-88812"]).tolist() == [False]
    assert rejects_holding(table, ["loyalty_id=L-88812"], id_types=["loyalty_id"]).tolist() == [
        True
    ]


def test_us_numbers_need_the_us_region() -> None:
    table = _rejects(("web", "Jane,(415) 555-2671"))
    assert rejects_holding(table, ["phone=+14155552671"], region="US").tolist() == [True]
    assert rejects_holding(table, ["phone=+14155552671"], region="JP").tolist() == [False]


def test_blank_raw_rows_hold_nothing() -> None:
    table = _rejects(("crm", None), ("crm", ""))
    assert reject_keys(table) == ([], [])
    assert rejects_holding(table, ["email=a@example.jp"]).tolist() == [False, False]


def test_suppressed_rejects_match_salted_hashes() -> None:
    salt = b"0123456789abcdef"
    erased = suppression_table(hash_keys(["email=taro@example.jp", "record_id=crm:003A"], salt))
    table = _rejects(
        ("web", '{"email": "TARO@example.jp",'),
        ("crm", "003A,,,"),
        ("crm", "003B,hanako@example.jp"),
    )
    assert suppressed_rejects(table, erased, salt).tolist() == [True, True, False]
    assert suppressed_rejects(table, erased, b"another-salt-000").tolist() == [False] * 3
    assert suppressed_rejects(table, erased.slice(0, 0), salt).tolist() == [False] * 3
