"""Match features: the comparable keys derived from canonical records, one row per record.

Blocking rules and comparisons read these columns, never the raw record fields. Every key
comes from :mod:`dchkit.normalize` column functions, computed once per distinct value, and
the table is assembled with Arrow compute: no per-record Python loop.

Columns (all nullable; list columns may be empty):

========================  =====================================================================
``family_key``            family name, kanji variants folded, kana as katakana, latin folded
``family_kanji``          the key, only for names written with kanji
``family_reading``        katakana reading from kana: the name itself or its furigana
``family_romaji``         romaji key from latin, kana or furigana (reliable)
``family_any_romaji``     that, else the romaji of a dictionary reading of the kanji (a guess)
``given_key`` …           the same five for the given name
``family_chars`` …        the distinct characters of a kanji or kana name, sorted: meets a
                          name typed with two characters swapped or one doubled (恵広 / 広恵,
                          花子子 / 花子); ``given_chars`` the same for the given name
``given_nickname``        list: canonical formal forms of the given name (Bob → robert)
``name_compact``          list: romaji of family+given and given+family, no spaces — meets
                          swapped order and unspaced kana names (ヤマダタロウ)
``name_guess_compact``    the same from the ``*_any_romaji`` keys (kanji read by dictionary)
``name_reading_compact``  list: the same with readings
``emails``                list: e-mail addresses as normalized by the connector
``email_keys``            list: provider-aware match keys (gmail dots and +tags dropped)
``phones``                list: E.164 numbers
``mobile_phones``         list: those that are mobile numbers — personal, unlike a family
                          landline, so a household does not share them
``birth_date``            date; ``birth_text`` the same as YYYYMMDD for typo comparisons
``postcode``              postcode match key (JP 7 digits, US 5-digit ZIP)
``address_key``           comparable street + city key
``city_key``              city, cleaned and case-folded
``link_keys``             list: ``type=value`` of every external id (hard links)
========================  =====================================================================

Examples:
    >>> import pyarrow as pa
    >>> from dchkit.resolution.features import build_features
    >>> records = pa.table({
    ...     "full_name": ["山田 太郎", None, "Bob Smith"],
    ...     "name_kana": [None, "ヤマダタロウ", None],
    ...     "given_name": [None, None, None],
    ...     "family_name": [None, None, None],
    ... })
    >>> f = build_features(records)
    >>> f.column("family_any_romaji").to_pylist()
    ['yamada', 'yamadataro', 'smith']
    >>> f.column("family_romaji").to_pylist()  # kanji readings are guesses, kept apart
    [None, 'yamadataro', 'smith']
    >>> f.column("name_guess_compact").to_pylist()[:2]
    [['yamadataro', 'taroyamada'], ['yamadataro']]
    >>> f.column("given_nickname").to_pylist()[2]
    ['robert']
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
from phonenumbers import COUNTRY_CODE_TO_REGION_CODE, PhoneNumber, PhoneNumberType

from dchkit.normalize import (
    clean_text_column,
    normalize_email_column,
    normalize_name_column,
    split_name_column,
)
from dchkit.normalize._address_key import address_key_column
from dchkit.normalize._phone_types import _head_length, number_type
from dchkit.normalize.nicknames import given_name_key_column
from dchkit.normalize.postcode import normalize_postcode_column

__all__ = ["FEATURE_COLUMNS", "build_features"]

FEATURE_COLUMNS = (
    "family_key",
    "family_kanji",
    "family_reading",
    "family_romaji",
    "family_any_romaji",
    "given_key",
    "given_kanji",
    "given_reading",
    "given_romaji",
    "given_any_romaji",
    "family_chars",
    "given_chars",
    "given_nickname",
    "name_compact",
    "name_guess_compact",
    "name_reading_compact",
    "emails",
    "email_keys",
    "phones",
    "mobile_phones",
    "birth_date",
    "birth_text",
    "postcode",
    "address_key",
    "city_key",
    "link_keys",
)


def _column(records: pa.Table, name: str, kind: pa.DataType) -> pa.Array:
    if name in records.column_names:
        column = records.column(name).combine_chunks()
        return column if column.type.equals(kind) else column.cast(kind)
    return pa.nulls(records.num_rows, kind)


def _no_spaces(values: pa.Array) -> pa.Array:
    return pc.replace_substring(values, " ", "")


def _pair_list(first: pa.Array, second: pa.Array) -> pa.Array:
    """A list column holding the non-null of ``first[i]``, ``second[i]`` per row."""
    n = len(first)
    order = np.empty(2 * n, dtype=np.int64)
    order[0::2] = np.arange(n)
    order[1::2] = np.arange(n) + n
    values = pa.concat_arrays([first, second]).take(pa.array(order))
    offsets = pa.array(np.arange(0, 2 * n + 1, 2, dtype=np.int32))
    return _drop_null_items(pa.ListArray.from_arrays(offsets, values))


def _map_list(column: pa.Array, function: Any) -> pa.Array:
    """Apply a column function to every element of a list column, keeping the lists."""
    flat = pc.list_flatten(column)
    mapped = function(flat)
    offsets = column.offsets
    if column.null_count:
        offsets = pc.fill_null(offsets, 0)
    return pa.ListArray.from_arrays(offsets, mapped)


def _has_kanji(values: pa.Array) -> pa.Array:
    return pc.fill_null(pc.match_substring_regex(values, r"\p{Han}"), False)


def _unless(mask: pa.Array, values: pa.Array) -> pa.Array:
    """``values`` where ``mask`` is false, null where it is true."""
    return pc.if_else(mask, pa.scalar(None, values.type), values)


def _only(mask: pa.Array, values: pa.Array) -> pa.Array:
    """``values`` where ``mask`` is true, null elsewhere."""
    return pc.if_else(mask, values, pa.scalar(None, values.type))


def _compact(family: pa.Array, given: pa.Array, no_given: pa.Array) -> pa.Array:
    """``[family+given, given+family]`` without spaces, or ``[family]`` when no given name.

    ``[family]`` alone stands for a whole name written as one word (ヤマダタロウ), so only
    for records without a given name in any script (``no_given``): a family name read from
    furigana beside a kanji given name is not a whole name, and two members of a household
    would meet on it.
    """
    family, given = _no_spaces(family), _no_spaces(given)
    forward = pc.coalesce(pc.binary_join_element_wise(family, given, ""), _only(no_given, family))
    backward = pc.binary_join_element_wise(given, family, "")
    return _pair_list(forward, backward)


def _char_set(values: pa.Array) -> pa.Array:
    """Sorted distinct characters of each value (of two or more), by distinct value."""
    encoded = values.dictionary_encode()
    keys = [
        "".join(sorted(set(v))) if v is not None and len(v) > 1 else None
        for v in encoded.dictionary.to_pylist()
    ]
    return pa.array(keys, pa.string()).take(encoded.indices)


def _is_mobile(e164: str | None) -> bool:
    """Whether an E.164 number is a mobile number (phonenumbers' type, cached by prefix)."""
    if not e164 or e164[0] != "+" or not e164[1:].isdigit() or len(e164) < 6:
        return False
    for width in (1, 2, 3):
        code = int(e164[1 : 1 + width])
        if code in COUNTRY_CODE_TO_REGION_CODE:
            number = PhoneNumber(country_code=code, national_number=int(e164[1 + width :]))
            return number_type(number) == PhoneNumberType.MOBILE
    return False


def _mobile_flags(numbers: pa.Array) -> npt.NDArray[np.bool_]:
    """:func:`_is_mobile` of each (distinct) E.164 number, once per deciding prefix.

    phonenumbers decides a number's type from its country code, its first few national
    digits (how many depends on the country and first digit: ``_head_length``) and its
    length; numbers that share those share the answer, so one representative of each is
    asked. Numbers the prefix rule does not cover (a country without a bounded head, a
    national part starting with 0, text that is not E.164) are asked one by one.
    """
    n = len(numbers)
    flags = np.zeros(n, dtype=bool)
    if n == 0:
        return flags
    text = numbers.cast(pa.string())
    lengths = pc.utf8_length(text).to_numpy(zero_copy_only=False)
    plain = pc.fill_null(pc.match_substring_regex(text, r"^\+[1-9][0-9]{4,}$"), False)
    plain = plain.to_numpy(zero_copy_only=False)
    width = np.zeros(n, dtype=np.int64)  # digits of the country code (codes are prefix-free)
    codes = np.zeros(n, dtype=np.int64)
    for digits in (1, 2, 3):
        head = pc.utf8_slice_codeunits(text, 1, 1 + digits)
        value = pc.cast(pc.if_else(pa.array(plain), head, "0"), pa.int64()).to_numpy(
            zero_copy_only=False
        )
        known = np.isin(value, np.fromiter(COUNTRY_CODE_TO_REGION_CODE, dtype=np.int64))
        found = plain & (width == 0) & known
        width[found], codes[found] = digits, value[found]
    first = np.zeros(n, dtype=np.int64)
    for digits in (1, 2, 3):
        rows = width == digits
        if rows.any():
            first_digit = pc.utf8_slice_codeunits(text, 1 + digits, 2 + digits)
            first[rows] = pc.cast(
                pc.if_else(pa.array(rows), first_digit, "0"), pa.int64()
            ).to_numpy(zero_copy_only=False)[rows]
    depth = np.full(n, -1, dtype=np.int64)
    coded = width > 0
    for combined in np.unique(codes[coded] * 10 + first[coded]):
        code, digit = divmod(int(combined), 10)
        head = _head_length(code, str(digit)) if digit != 0 else None
        if head is not None:
            depth[coded & (codes == code) & (first == digit)] = head
    keyed = depth >= 0
    slow = np.flatnonzero(~keyed)
    if slow.size:
        values = text.take(pa.array(slow)).to_pylist()
        flags[slow] = [_is_mobile(v) for v in values]
    if keyed.any():
        # One integer per (deciding digits, their count, length): numbers sharing it share
        # the type, so the first of each is asked.
        key = np.zeros(n, dtype=np.int64)
        stops = 1 + width + depth
        for stop in np.unique(stops[keyed]):
            rows = keyed & (stops == stop)
            digits = pc.utf8_slice_codeunits(text, 1, int(stop))
            prefix = pc.cast(pc.if_else(pa.array(rows), digits, "0"), pa.int64())
            key[rows] = prefix.to_numpy(zero_copy_only=False)[rows] * 16 + stop
        key = key * 64 + np.minimum(lengths, 63)
        rows = np.flatnonzero(keyed)
        _, first_row, group = np.unique(key[rows], return_index=True, return_inverse=True)
        representatives = text.take(pa.array(rows[first_row])).to_pylist()
        answers = np.array([_is_mobile(v) for v in representatives], dtype=bool)
        flags[rows] = answers[group.reshape(-1)]
    return flags


def _mobile_only(phones: pa.Array) -> pa.Array:
    """Keep the mobile numbers of each list of E.164 numbers (by distinct number)."""
    flat = pc.list_flatten(phones)
    encoded = flat.dictionary_encode()
    mobile = pa.array(_mobile_flags(encoded.dictionary), pa.bool_())
    keep = mobile.take(encoded.indices) if len(flat) else pa.array([], pa.bool_())
    parents = pc.list_parent_indices(phones)
    kept = flat.filter(keep)
    offsets = np.concatenate(
        [[0], np.cumsum(np.bincount(parents.filter(keep).to_numpy(), minlength=len(phones)))]
    ).astype(np.int32)
    return pa.ListArray.from_arrays(pa.array(offsets), kept, mask=pc.is_null(phones))


def _link_keys(
    external: pa.Array, id_type_aliases: Mapping[str, str], link_id_types: Collection[str] | None
) -> pa.Array:
    """``type=value`` of each external id, types renamed by the aliases and filtered."""
    offsets = pc.fill_null(external.offsets, 0) if external.null_count else external.offsets
    types, values = external.keys, external.items
    if id_type_aliases:
        encoded = types.dictionary_encode()
        renamed = [id_type_aliases.get(t, t) for t in encoded.dictionary.to_pylist()]
        types = pa.array(renamed, type=pa.string()).take(encoded.indices)
    items = pc.binary_join_element_wise(types, values, "=")
    if link_id_types is not None:
        wanted = pc.is_in(types, value_set=pa.array(sorted(link_id_types), type=pa.string()))
        items = pc.if_else(wanted, items, pa.scalar(None, pa.string()))
    lists = pa.ListArray.from_arrays(offsets, items)
    return _drop_null_items(lists)


def _drop_null_items(lists: pa.Array) -> pa.Array:
    """Remove null elements from every list of a list column."""
    flat = pc.list_flatten(lists)
    rows = pc.list_parent_indices(lists).to_numpy().astype(np.int64)
    present = pc.is_valid(flat)
    counts = np.bincount(rows[present.to_numpy(zero_copy_only=False)], minlength=len(lists))
    offsets = np.zeros(len(lists) + 1, dtype=np.int32)
    np.cumsum(counts, out=offsets[1:])
    return pa.ListArray.from_arrays(pa.array(offsets), flat.filter(present))


def build_features(
    records: pa.Table,
    *,
    id_type_aliases: Mapping[str, str] | None = None,
    link_id_types: Collection[str] | None = None,
) -> pa.Table:
    """Derive the match features of every record (see the module docs for the columns).

    Args:
        records: Canonical records (``dchkit.schema.RECORDS_SCHEMA`` or any subset of its
            person columns).
        id_type_aliases: External id types that share one id space (``user_id`` →
            ``shopify_customer_id``), so their values meet in ``link_keys``.
        link_id_types: External id types (after aliasing) that make hard links; None: all.

    Returns:
        A table with one row per input row and the columns of :data:`FEATURE_COLUMNS`.
    """
    string = pa.string()
    full = split_name_column(_column(records, "full_name", string))
    family_raw = pc.coalesce(_column(records, "family_name", string), full.family)
    given_raw = pc.coalesce(_column(records, "given_name", string), full.given)
    kana = split_name_column(_column(records, "name_kana", string))
    family = normalize_name_column(family_raw)
    given = normalize_name_column(given_raw)
    family_kana = normalize_name_column(kana.family)
    given_kana = normalize_name_column(kana.given)

    family_kanji = _has_kanji(family_raw)
    given_kanji = _has_kanji(given_raw)
    # Readings and romaji from kana (the name itself or its furigana) are reliable; those
    # read from kanji by a dictionary are guesses (names have many readings), kept apart.
    family_reading = pc.coalesce(family_kana.reading, _unless(family_kanji, family.reading))
    given_reading = pc.coalesce(given_kana.reading, _unless(given_kanji, given.reading))
    family_romaji = pc.coalesce(family_kana.romaji, _unless(family_kanji, family.romaji))
    given_romaji = pc.coalesce(given_kana.romaji, _unless(given_kanji, given.romaji))
    family_any = pc.coalesce(family_romaji, family.romaji)
    no_given = pc.fill_null(pc.and_(pc.is_null(given_raw), pc.is_null(kana.given)), False)
    given_any = pc.coalesce(given_romaji, given.romaji)

    emails = _column(records, "emails", pa.list_(string))
    phones = _column(records, "phones", pa.list_(string))
    email_keys = _map_list(emails, lambda flat: normalize_email_column(flat).match_key)

    birth_date = _column(records, "birth_date", pa.date32())
    postcode = normalize_postcode_column(_column(records, "postcode", string)).match_key
    street = _column(records, "street", string)
    city = _column(records, "city", string)
    address = address_key_column(
        pc.binary_join_element_wise(pc.coalesce(city, pa.scalar("", string)), street, " ")
    )

    external = _column(records, "external_ids", pa.map_(string, string))
    link_keys = _link_keys(external, id_type_aliases or {}, link_id_types)

    return pa.table(
        {
            "family_key": family.key,
            "family_kanji": _only(family_kanji, family.key),
            "family_reading": family_reading,
            "family_romaji": family_romaji,
            "family_any_romaji": family_any,
            "given_key": given.key,
            "given_kanji": _only(given_kanji, given.key),
            "given_reading": given_reading,
            "given_romaji": given_romaji,
            "given_any_romaji": given_any,
            "family_chars": _char_set(pc.coalesce(_only(family_kanji, family.key), family_reading)),
            "given_chars": _char_set(pc.coalesce(_only(given_kanji, given.key), given_reading)),
            "given_nickname": given_name_key_column(given_raw),
            "name_compact": _compact(family_romaji, given_romaji, no_given),
            "name_guess_compact": _compact(family_any, given_any, no_given),
            "name_reading_compact": _compact(family_reading, given_reading, no_given),
            "emails": emails,
            "email_keys": email_keys,
            "phones": phones,
            "mobile_phones": _mobile_only(phones),
            "birth_date": birth_date,
            "birth_text": pc.strftime(birth_date.cast(pa.timestamp("s")), "%Y%m%d"),
            "postcode": postcode,
            "address_key": address,
            "city_key": pc.utf8_lower(clean_text_column(city)),
            "link_keys": link_keys,
        }
    )
