"""Dates in the formats customer data really holds, including Japanese era dates.

Read: ISO (``2024-04-01``, with a time and zone too — the date is taken as written),
``2024/4/1``, ``2024.4.1``, ``20240401``, ``2024年4月1日`` (also ``二〇二四年四月一日``),
numeric dates with the year last (``04/01/2024`` is month-first unless ``day_first=True``;
when only one reading is possible, that one is used; dotted ``1.4.2024`` is always day-first,
the European convention), month names (``April 1, 2024``, ``1 Apr 2024``, ``1-Apr-2024``,
an optional weekday in front), and Japanese eras 明治/大正/昭和/平成/令和 with 元年 and the
one-letter abbreviations (``S63.4.1``, ``R2.4.1``, ``H元.1.8``, ``㍻31年4月30日``).

An era date before the era began (平成元年1月7日) is impossible. A later date in an era is
accepted (平成32年 is still written on forms printed before 令和). Two-digit years are
not guessed. An impossible or unreadable date gives ``date=None`` with a reason; a date
outside ``[earliest, latest]`` (default 1800-01-01 to 2200-12-31) is flagged
``date_out_of_range``.

Examples:
    >>> from dchkit.normalize import parse_date
    >>> parse_date("昭和63年4月1日").date, parse_date("H元.1.8").date
    (datetime.date(1988, 4, 1), datetime.date(1989, 1, 8))
    >>> parse_date("04/01/2024").date, parse_date("04/01/2024", day_first=True).date
    (datetime.date(2024, 4, 1), datetime.date(2024, 1, 4))
    >>> parse_date("April 1st, 2024").date
    datetime.date(2024, 4, 1)
    >>> parse_date("2023-02-29")
    DateResult(date=None, valid=False, reason='date_impossible: day is out of range for month')
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from dchkit.errors import ConfigError
from dchkit.normalize._args import require_text
from dchkit.normalize._vector import as_string_array, map_rest_fields
from dchkit.normalize.numerals import KANJI_DIGITS, kanji_to_int
from dchkit.normalize.text import clean_text

__all__ = [
    "DEFAULT_EARLIEST",
    "DEFAULT_LATEST",
    "ERAS",
    "DateColumns",
    "DateResult",
    "parse_date",
    "parse_date_column",
]

DEFAULT_EARLIEST = date(1800, 1, 1)
DEFAULT_LATEST = date(2200, 12, 31)

#: Japanese era → (abbreviation, first day).
ERAS: dict[str, tuple[str, date]] = {
    "明治": ("M", date(1868, 10, 23)),
    "大正": ("T", date(1912, 7, 30)),
    "昭和": ("S", date(1926, 12, 25)),
    "平成": ("H", date(1989, 1, 8)),
    "令和": ("R", date(2019, 5, 1)),
}
_ERA_BY_NAME = {name: start for name, (_, start) in ERAS.items()}
_ERA_BY_NAME |= {abbr: start for _, (abbr, start) in ERAS.items()}

_MONTHS: dict[str, int] = {}
for _month, _name in enumerate(
    [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ],
    start=1,
):
    _MONTHS[_name] = _MONTHS[_name[:3]] = _month
_MONTHS["sept"] = 9

_N = rf"[0-9{KANJI_DIGITS}十]+"
_ERA = re.compile(
    rf"^(?P<era>明治|大正|昭和|平成|令和|[MTSHR])\.?\s*(?P<y>元|{_N})\s*(?:年|[./-])\s*"
    rf"(?P<m>{_N})\s*(?:月|[./-])\s*(?P<d>{_N})\s*日?$",
    re.I,
)
_YMD = re.compile(
    rf"^(?P<y>[0-9{KANJI_DIGITS}]{{4}})\s*(?:年|[-/.\s])\s*(?P<m>{_N})\s*(?:月|[-/.\s])\s*(?P<d>{_N})\s*日?$"
)
_COMPACT = re.compile(r"^(?P<y>[0-9]{4})(?P<m>[0-9]{2})(?P<d>[0-9]{2})$")
_YEAR_LAST = re.compile(
    r"^(?P<a>[0-9]{1,2})(?P<sep>[-/.\s])\s*(?P<b>[0-9]{1,2})(?P=sep)\s*(?P<y>[0-9]{4})$"
)
_MONTH_FIRST = re.compile(
    r"^(?P<mon>[a-z]+)\.?[\s-]+(?P<d>[0-9]{1,2})(?:st|nd|rd|th)?,?[\s-]+(?P<y>[0-9]{4})$"
)
_DAY_FIRST = re.compile(
    r"^(?P<d>[0-9]{1,2})(?:st|nd|rd|th)?(?:\s+of)?[\s-]+(?P<mon>[a-z]+)\.?,?[\s-]+(?P<y>[0-9]{4})$"
)
_ISO_TIME = re.compile(r"^([0-9]{4}-[0-9]{1,2}-[0-9]{1,2})[T\s][0-9:.]+(?:Z|[+-][0-9:]+)?$", re.I)
_WEEKDAY = re.compile(
    r"^(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*\.?,?\s+|\s*[(（][月火水木金土日](?:曜日?)?[)）]\s*|\s*(?:生まれ|生)$",
    re.I,
)


@dataclass(frozen=True, slots=True)
class DateResult:
    """One parsed date.

    Attributes:
        date: The date; None when blank, unreadable, impossible or out of range.
        valid: Whether a date was read; None when blank.
        reason: ``date_unparseable``, ``date_impossible: …`` or ``date_out_of_range``.
    """

    date: date | None
    valid: bool | None
    reason: str | None


@dataclass(frozen=True, slots=True)
class DateColumns:
    """Column form of :class:`DateResult` (``date`` is a ``date32`` array)."""

    date: pa.Array
    valid: pa.Array
    reason: pa.Array


_BLANK = DateResult(None, None, None)
_UNPARSEABLE = DateResult(None, False, "date_unparseable")


def _number(text: str) -> int:
    value = 1 if text == "元" else kanji_to_int(text)
    if value is None:  # the patterns only let numerals through
        msg = f"not a number: {text!r}"
        raise ValueError(msg)
    return value


def _make(year: int, month: int, day: int) -> DateResult:
    try:
        return DateResult(date(year, month, day), True, None)
    except (ValueError, OverflowError) as err:
        return DateResult(None, False, f"date_impossible: {err}")


def _read(text: str, day_first: bool) -> DateResult:
    text = _WEEKDAY.sub("", _WEEKDAY.sub("", text.casefold())).strip()
    if match := _ISO_TIME.match(text):
        text = match[1]
    if match := _ERA.match(text):
        start = _ERA_BY_NAME[match["era"] if len(match["era"]) > 1 else match["era"].upper()]
        year = start.year + _number(match["y"]) - 1
        result = _make(year, _number(match["m"]), _number(match["d"]))
        if result.date is not None and result.date < start:
            return DateResult(None, False, f"date_impossible: {match['era']} began on {start}")
        return result
    if match := (_YMD.match(text) or _COMPACT.match(text)):
        return _make(_number(match["y"]), _number(match["m"]), _number(match["d"]))
    if match := _YEAR_LAST.match(text):
        first, second, year = int(match["a"]), int(match["b"]), int(match["y"])
        if match["sep"] == ".":
            return _make(year, second, first)
        if day_first:
            first, second = second, first  # now (month, day)
        if first > 12 >= second:  # only the other reading is possible
            first, second = second, first
        return _make(year, first, second)
    if match := (_MONTH_FIRST.match(text) or _DAY_FIRST.match(text)):
        month = _MONTHS.get(match["mon"])
        if month is None:
            return _UNPARSEABLE
        return _make(int(match["y"]), month, int(match["d"]))
    return _UNPARSEABLE


@functools.lru_cache(maxsize=1 << 16)
def _parse(value: str | None, day_first: bool, earliest: date, latest: date) -> DateResult:
    text = clean_text(value)
    if text is None:
        return _BLANK
    result = _read(text, day_first)
    if result.date is not None and not earliest <= result.date <= latest:
        return DateResult(None, False, "date_out_of_range")
    return result


def _check_range(earliest: date, latest: date) -> None:
    bounds: tuple[Any, Any] = (earliest, latest)
    if not all(isinstance(b, date) for b in bounds) or earliest > latest:
        msg = f"earliest ({earliest!r}) must be a date on or before latest ({latest!r})"
        raise ConfigError(msg, fix="pass two datetime.date values in order")


def parse_date(
    value: str | None,
    *,
    day_first: bool = False,
    earliest: date = DEFAULT_EARLIEST,
    latest: date = DEFAULT_LATEST,
) -> DateResult:
    """Parse one date (see the module docs).

    Args:
        value: The date as written.
        day_first: Read ``01/04/2024`` as 1 April (day first) instead of January 4.
        earliest: Dates before this are flagged ``date_out_of_range``.
        latest: Dates after this are flagged ``date_out_of_range``.

    Raises:
        NormalizationError: ``value`` is not a ``str`` or ``None``.
        ConfigError: ``earliest``/``latest`` are not dates in order.
    """
    text = require_text(value, "parse_date")
    _check_range(earliest, latest)
    return _parse(text, bool(day_first), earliest, latest)


def parse_date_column(
    values: Any,
    *,
    day_first: bool = False,
    earliest: date = DEFAULT_EARLIEST,
    latest: date = DEFAULT_LATEST,
) -> DateColumns:
    """Column form of :func:`parse_date`, computed once per distinct value.

    ISO dates (``1988-07-10``) are parsed by Arrow compute over the whole column (and
    checked by writing them back); the others once per distinct value.

    Examples:
        >>> parse_date_column(["1988-07-10", "昭和63年7月10日", "2023-02-30"]).date.to_pylist()
        [datetime.date(1988, 7, 10), datetime.date(1988, 7, 10), None]
    """
    _check_range(earliest, latest)
    array = as_string_array(values, what="parse_date_column")
    rows, parsed = _iso_dates(array, earliest, latest)
    known = {
        "date": parsed,
        "valid": pa.array(np.ones(len(rows), dtype=bool)),
        "reason": pa.nulls(len(rows), pa.string()),
    }
    arrays = map_rest_fields(
        array,
        rows,
        known,
        lambda v: _parse(v, bool(day_first), earliest, latest),
        [("date", pa.date32()), ("valid", pa.bool_()), ("reason", pa.string())],
        what="parse_date_column",
    )
    return DateColumns(**arrays)


def _iso_dates(values: pa.Array, earliest: date, latest: date) -> tuple[np.ndarray, pa.Array]:
    """Rows holding a valid, in-range ``YYYY-MM-DD`` date, and those dates.

    For such text the scalar path reads year, month and day with ``_YMD`` and nothing else
    applies; Arrow's parse is accepted only where writing the date back gives the text.
    """
    iso = pc.fill_null(pc.match_substring_regex(values, _ISO_DATE), False)
    candidates = np.flatnonzero(iso.to_numpy(zero_copy_only=False))
    text = values.take(pa.array(candidates, pa.int64()))
    stamps = pc.strptime(text, format="%Y-%m-%d", unit="s", error_is_null=True)
    dates = stamps.cast(pa.date32())
    same = pc.equal(pc.strftime(stamps, format="%Y-%m-%d"), text)
    inside = pc.and_(
        pc.greater_equal(dates, pa.scalar(earliest, pa.date32())),
        pc.less_equal(dates, pa.scalar(latest, pa.date32())),
    )
    keep = pc.fill_null(pc.and_(same, inside), False)
    return candidates[keep.to_numpy(zero_copy_only=False)], dates.filter(keep)


_ISO_DATE = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
