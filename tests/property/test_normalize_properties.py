"""Properties of every normalizer in dchkit.normalize, on arbitrary and realistic text."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from dchkit.errors import DchkitError
from dchkit.normalize import (
    clean_name,
    clean_text,
    clean_text_column,
    given_name_key,
    given_name_key_column,
    kana_key,
    kana_key_column,
    name_key,
    normalize_address,
    normalize_address_column,
    normalize_email,
    normalize_email_column,
    normalize_name,
    normalize_name_column,
    normalize_phone,
    normalize_phone_column,
    normalize_postcode,
    normalize_postcode_column,
    parse_date,
    parse_date_column,
    romaji_key,
    romaji_key_column,
    sorted_name_key,
    split_name,
    split_name_column,
)

JA = "山田太郎髙橋﨑齋藤渡邊辺澤濱櫻様さんやまだヤマダﾀﾛｳーッャ一二三十丁目番地号の区市町村都県〒"
EN = "abcxyzABCXYZ.@+-_ ,'()0123456789"
NOISE = "\u3000\u200b\ufe00\t\n－（）＠．１２"
text = st.one_of(
    st.text(),
    st.text(alphabet=JA + EN + NOISE, max_size=30),
    st.from_regex(r"[a-z.+]{1,10}@(gmail|outlook|example)\.(com|jp)", fullmatch=True),
    st.from_regex(r"\+?[0-9０-９()（）\- ]{3,16}", fullmatch=True),
    st.from_regex(
        r"(明治|大正|昭和|平成|令和|[MTSHR])(元|[0-9]{1,2})[./年][0-9]{1,2}[./月][0-9]{1,2}日?",
        fullmatch=True,
    ),
)
maybe_text = st.one_of(st.none(), text)

E164 = re.compile(r"^\+[1-9][0-9]{1,14}$")  # ITU-T E.164: at most 15 digits


def nfkc_stable(value: str | None) -> bool:
    return value is None or unicodedata.normalize("NFKC", value) == value


SCALARS: list[tuple[str, Callable[[Any], Any]]] = [
    ("clean_text", clean_text),
    ("clean_name", clean_name),
    ("name_key", name_key),
    ("sorted_name_key", sorted_name_key),
    ("normalize_name", normalize_name),
    ("split_name", split_name),
    ("given_name_key", given_name_key),
    ("kana_key", kana_key),
    ("romaji_key", romaji_key),
    ("normalize_email", normalize_email),
    ("normalize_phone", normalize_phone),
    ("normalize_phone_us", lambda v: normalize_phone(v, region="US")),
    ("normalize_postcode", normalize_postcode),
    ("normalize_address", normalize_address),
    ("parse_date", parse_date),
    ("parse_date_day_first", lambda v: parse_date(v, day_first=True)),
]


@pytest.mark.parametrize(("name", "function"), SCALARS, ids=[n for n, _ in SCALARS])
@given(value=maybe_text)
def test_never_raises_on_text(name, function, value):
    function(value)


@pytest.mark.parametrize(("name", "function"), SCALARS, ids=[n for n, _ in SCALARS])
@given(value=st.one_of(st.integers(), st.floats(), st.binary(), st.lists(st.text(), max_size=2)))
def test_wrong_kind_raises_only_dchkit_errors(name, function, value):
    with pytest.raises(DchkitError):
        function(value)


# ---------------------------------------------------------------- idempotence + invariants
@given(value=maybe_text)
def test_text_and_keys_are_idempotent_and_nfkc_stable(value):
    for function in (clean_text, clean_name, name_key, kana_key, romaji_key):
        once = function(value)
        assert function(once) == once
        assert nfkc_stable(once)
    key = sorted_name_key(value)
    assert sorted_name_key(key) == key
    assert key is None or key.split() == sorted(key.split())


@given(value=maybe_text)
def test_name_keys_are_stable_under_cleaning(value):
    result = normalize_name(value)
    again = normalize_name(result.name)
    assert again == result
    if result.romaji is not None:
        assert re.fullmatch(r"[a-z]+( [a-z]+)*", result.romaji)
        assert result.romaji.split() == sorted(result.romaji.split())
    if result.reading is not None:
        assert re.fullmatch("[\u30a1-\u30fa]+", result.reading)
    parts = split_name(value)
    assert parts.suffix in (None, "jr", "sr", "ii", "iii", "iv")


@given(value=maybe_text)
def test_given_name_key_is_canonical(value):
    key = given_name_key(value)
    if key is not None:
        assert key == tuple(sorted(key))
        assert all(given_name_key(k) == (k,) for k in key)


@given(value=maybe_text)
@example(value="0.+@outlook.com")  # the tag gone, "0.@" would be no address
@example(value="a.-shop@yahoo.com")
def test_email(value):
    result = normalize_email(value)
    assert normalize_email(result.email) == result
    if result.valid:
        assert result.match_key is not None
        assert result.email == result.email.lower()
        assert normalize_email(result.match_key).match_key == result.match_key
    else:
        assert result.match_key is None
        assert (result.reason is None) == (result.valid is None)


@given(value=maybe_text, region=st.sampled_from(["JP", "US", "GB"]))
def test_phone(value, region):
    result = normalize_phone(value, region=region)
    if result.e164 is not None:
        assert E164.match(result.e164)
        assert normalize_phone(result.e164, region=region) == result
    assert (result.valid is True) == (result.reason is None and result.e164 is not None)


@given(value=maybe_text, country=st.sampled_from([None, "JP", "US", "GB"]))
def test_postcode(value, country):
    result = normalize_postcode(value, country=country)
    if result.postcode is None:
        return
    assert normalize_postcode(result.postcode, country=result.country) == result
    if result.country == "JP":
        assert re.fullmatch(r"[0-9]{7}", result.postcode)
    elif result.country == "US":
        assert re.fullmatch(r"[0-9]{5}(-[0-9]{4})?", result.postcode)
        assert result.match_key == result.postcode[:5]
    else:
        assert re.fullmatch(r"[A-Z0-9]{1,10}", result.postcode)


@given(value=maybe_text, country=st.sampled_from([None, "JP", "US"]))
def test_address(value, country):
    result = normalize_address(value, country=country)
    again = normalize_address(result.address, country=result.country)
    assert again.key == result.key
    assert again.address == result.address
    assert nfkc_stable(result.key)


@given(value=maybe_text, day_first=st.booleans())
def test_dates(value, day_first):
    result = parse_date(value, day_first=day_first)
    if result.date is not None:
        assert date(1800, 1, 1) <= result.date <= date(2200, 12, 31)
        assert parse_date(result.date.isoformat()).date == result.date
    assert (result.valid is True) == (result.date is not None)


@given(year=st.integers(1900, 2100), month=st.integers(1, 12), day=st.integers(1, 28))
def test_dates_round_trip_all_formats(year, month, day):
    expected = date(year, month, day)
    for written in (
        f"{year}-{month:02}-{day:02}",
        f"{year}/{month}/{day}",
        f"{year}{month:02}{day:02}",
        f"{year}年{month}月{day}日",
        f"{day}.{month}.{year}",
        expected.strftime("%B %d, %Y"),
    ):
        assert parse_date(written).date == expected


# ---------------------------------------------------------------- column == map(scalar)
COLUMNS: list[tuple[Callable[[Any], Any], Callable[[Any], Any], tuple[str, ...]]] = [
    (clean_text_column, clean_text, ()),
    (kana_key_column, kana_key, ()),
    (romaji_key_column, romaji_key, ()),
    (normalize_name_column, normalize_name, ("name", "key", "sorted_key", "reading", "romaji")),
    (split_name_column, split_name, ("family", "given", "suffix")),
    (normalize_email_column, normalize_email, ("email", "match_key", "valid", "reason")),
    (normalize_phone_column, normalize_phone, ("e164", "valid", "line_type", "region", "reason")),
    (
        normalize_postcode_column,
        normalize_postcode,
        ("postcode", "match_key", "country", "valid", "reason"),
    ),
    (
        normalize_address_column,
        normalize_address,
        ("address", "key", "country", "region", "city", "street", "postcode"),
    ),
    (parse_date_column, parse_date, ("date", "valid", "reason")),
]


@pytest.mark.parametrize(
    ("column", "scalar", "fields"), COLUMNS, ids=[c.__name__ for c, _, _ in COLUMNS]
)
@given(values=st.lists(maybe_text, max_size=12))
def test_column_equals_mapping_the_scalar(column, scalar, fields, values):
    values = values + values[:3]  # repetition, as in real columns
    result = column(values)
    if not fields:
        assert result.to_pylist() == [scalar(v) for v in values]
        return
    for field in fields:
        assert getattr(result, field).to_pylist() == [getattr(scalar(v), field) for v in values]


@given(values=st.lists(maybe_text, max_size=12))
def test_given_name_key_column_equals_scalar(values):
    expected = [None if (k := given_name_key(v)) is None else list(k) for v in values]
    assert given_name_key_column(values).to_pylist() == expected
