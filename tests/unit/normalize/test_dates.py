from __future__ import annotations

from datetime import date

import pytest

from dchkit.errors import ConfigError, NormalizationError
from dchkit.normalize import parse_date, parse_date_column


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2024-04-01", date(2024, 4, 1)),
        ("2024/4/1", date(2024, 4, 1)),
        ("2024.04.01", date(2024, 4, 1)),
        ("2024 4 1", date(2024, 4, 1)),
        ("20240401", date(2024, 4, 1)),
        ("２０２４／０４／０１", date(2024, 4, 1)),
        ("1.4.2024", date(2024, 4, 1)),
        ("04/01/2024", date(2024, 4, 1)),
        ("4-1-2024", date(2024, 4, 1)),
        ("13/04/2024", date(2024, 4, 13)),
        ("April 1, 2024", date(2024, 4, 1)),
        ("april 1st 2024", date(2024, 4, 1)),
        ("Apr. 1, 2024", date(2024, 4, 1)),
        ("1 April 2024", date(2024, 4, 1)),
        ("1st of April, 2024", date(2024, 4, 1)),
        ("01-Apr-2024", date(2024, 4, 1)),
        ("Monday, April 1, 2024", date(2024, 4, 1)),
        ("Sept 9, 1999", date(1999, 9, 9)),
        ("2024年4月1日", date(2024, 4, 1)),
        ("2024年04月01日(月)", date(2024, 4, 1)),
        ("二〇二四年四月一日", date(2024, 4, 1)),
        ("令和6年4月1日", date(2024, 4, 1)),
        ("令和元年5月1日", date(2019, 5, 1)),
        ("平成31年4月30日", date(2019, 4, 30)),
        ("平成元年1月8日", date(1989, 1, 8)),
        ("昭和64年1月7日", date(1989, 1, 7)),
        ("昭和63年4月1日生", date(1988, 4, 1)),
        ("昭和二十年八月十五日", date(1945, 8, 15)),
        ("大正12年9月1日", date(1923, 9, 1)),
        ("明治45年7月29日", date(1912, 7, 29)),
        ("S63.4.1", date(1988, 4, 1)),
        ("s63/4/1", date(1988, 4, 1)),
        ("R2.4.1", date(2020, 4, 1)),
        ("H元.1.8", date(1989, 1, 8)),
        ("H1.1.8", date(1989, 1, 8)),
        ("T15.12.24", date(1926, 12, 24)),
        ("㍻31年4月30日", date(2019, 4, 30)),
        ("2024-04-01T09:30:00+09:00", date(2024, 4, 1)),
        ("2024-04-01 23:59:59", date(2024, 4, 1)),
        ("2024-04-01T00:00:00Z", date(2024, 4, 1)),
    ],
)
def test_formats(raw, expected):
    result = parse_date(raw)
    assert (result.date, result.valid, result.reason) == (expected, True, None)


def test_day_first_option():
    assert parse_date("04/01/2024", day_first=True).date == date(2024, 1, 4)
    assert parse_date("04/13/2024", day_first=True).date == date(2024, 4, 13)


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("2023-02-29", "date_impossible"),
        ("2024-13-01", "date_impossible"),
        ("31/31/2024", "date_impossible"),
        ("平成元年1月7日", "date_impossible"),
        ("令和元年4月30日", "date_impossible"),
        ("平成31年2月30日", "date_impossible"),
        ("R999999999999999999999.1.1", "date_impossible"),
        ("0001-01-01", "date_out_of_range"),
        ("9999-12-31", "date_out_of_range"),
        ("unknown", "date_unparseable"),
        ("01/02/03", "date_unparseable"),
        ("Smarch 1, 2024", "date_unparseable"),
    ],
)
def test_bad_dates_are_flagged(raw, reason):
    result = parse_date(raw)
    assert result.date is None
    assert result.valid is False
    assert result.reason.startswith(reason)


def test_range_options():
    assert parse_date("1700-01-01", earliest=date(1600, 1, 1)).date == date(1700, 1, 1)
    assert parse_date("2030-01-01", latest=date(2025, 1, 1)).reason == "date_out_of_range"
    with pytest.raises(ConfigError):
        parse_date("2024-01-01", earliest=date(2025, 1, 1), latest=date(2024, 1, 1))
    with pytest.raises(NormalizationError):
        parse_date(20240401)  # type: ignore[arg-type]


def test_column_equals_scalar():
    values = ["2024-04-01", None, "S63.4.1", "bad", "2024-04-01", "2023-02-29"]
    cols = parse_date_column(values, day_first=True)
    for field in ("date", "valid", "reason"):
        assert getattr(cols, field).to_pylist() == [
            getattr(parse_date(v, day_first=True), field) for v in values
        ]
