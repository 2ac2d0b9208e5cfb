"""Match features: the comparable keys derived from canonical records, one row per record.

Blocking rules and comparisons read these columns, never the raw record fields. Every key
comes from :mod:`dchkit.normalize`: for many records from its column functions (computed
once per distinct value, or by Arrow compute where proven equal) with the table assembled
by Arrow compute, no per-record Python loop; for a few records (at most ``SMALL_ROWS``, an
incremental resolve's new records) row by row from the same normalizers' one-value
functions and their caches, since a column pass costs ~260 Arrow calls whatever the row
count. Both paths give the same table (``tests/property/test_small_paths.py``); the
combining steps are written once per row (``_chars``, ``_compact_of``, ``_link_keys_of``)
and once per column beside each other.

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

from collections.abc import Collection, Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
from phonenumbers import COUNTRY_CODE_TO_REGION_CODE, PhoneNumber, PhoneNumberType

from dchkit.normalize import (
    clean_text,
    clean_text_column,
    normalize_address,
    normalize_email,
    normalize_email_column,
    normalize_name,
    normalize_name_column,
    normalize_postcode,
    split_name,
    split_name_column,
)
from dchkit.normalize._address_key import address_key_column
from dchkit.normalize._phone_types import _head_length, number_type
from dchkit.normalize.nicknames import given_name_key, given_name_key_column
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
_LIST_COLUMNS = frozenset(
    {
        "given_nickname",
        "name_compact",
        "name_guess_compact",
        "name_reading_compact",
        "emails",
        "email_keys",
        "phones",
        "mobile_phones",
        "link_keys",
    }
)
#: The schema of :func:`build_features`' table.
_SCHEMA = pa.schema(
    [
        (
            name,
            pa.list_(pa.string())
            if name in _LIST_COLUMNS
            else pa.date32()
            if name == "birth_date"
            else pa.string(),
        )
        for name in FEATURE_COLUMNS
    ]
)
#: At most this many records are featured row by row (see the module docs): the column
#: path's fixed cost (~5–8 ms) is that of several hundred rows in Python with warm
#: normalizer caches, fewer with cold ones.
SMALL_ROWS = 128
_HAN = r"\p{Han}"  # what makes a name a kanji name (RE2's Unicode script class)


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
    return pc.fill_null(pc.match_substring_regex(values, _HAN), False)


_han_chars: dict[str, bool] = {}  # characters RE2 was asked about: whether they match _HAN


def _has_kanji_each(values: Sequence[str | None]) -> list[bool]:
    """:func:`_has_kanji` of a few values, asking RE2 once about each character not seen yet.

    A one-character class matches somewhere in a text exactly when one of its characters
    is in the class, so per-character answers give RE2's answer for every text.
    """
    unseen = {c for v in values if v and not v.isascii() for c in v if c not in _han_chars}
    if unseen:
        chars = sorted(unseen)
        answers = pc.match_substring_regex(pa.array(chars, pa.string()), _HAN).to_pylist()
        _han_chars.update(zip(chars, answers, strict=True))
    return [v is not None and not v.isascii() and any(_han_chars[c] for c in v) for v in values]


def _unless(mask: pa.Array, values: pa.Array) -> pa.Array:
    """``values`` where ``mask`` is false, null where it is true."""
    return pc.if_else(mask, pa.scalar(None, values.type), values)


def _only(mask: pa.Array, values: pa.Array) -> pa.Array:
    """``values`` where ``mask`` is true, null elsewhere."""
    return pc.if_else(mask, values, pa.scalar(None, values.type))


def _compact_of(family: str | None, given: str | None, no_given: bool) -> list[str]:
    """``[family+given, given+family]`` without spaces, or ``[family]`` when no given name.

    ``[family]`` alone stands for a whole name written as one word (ヤマダタロウ), so only
    for records without a given name in any script (``no_given``): a family name read from
    furigana beside a kanji given name is not a whole name, and two members of a household
    would meet on it. (:func:`_compact` is the column form.)
    """
    family = None if family is None else family.replace(" ", "")
    given = None if given is None else given.replace(" ", "")
    if family is None:
        return []
    if given is None:
        return [family] if no_given else []
    return [family + given, given + family]


def _compact(family: pa.Array, given: pa.Array, no_given: pa.Array) -> pa.Array:
    """:func:`_compact_of` of every row."""
    family, given = _no_spaces(family), _no_spaces(given)
    forward = pc.coalesce(pc.binary_join_element_wise(family, given, ""), _only(no_given, family))
    backward = pc.binary_join_element_wise(given, family, "")
    return _pair_list(forward, backward)


def _chars(value: str | None) -> str | None:
    """Sorted distinct characters of a value of two or more characters."""
    return "".join(sorted(set(value))) if value is not None and len(value) > 1 else None


def _char_set(values: pa.Array) -> pa.Array:
    """:func:`_chars` of each value, by distinct value."""
    encoded = values.dictionary_encode()
    keys = [_chars(v) for v in encoded.dictionary.to_pylist()]
    return pa.array(keys, pa.string()).take(encoded.indices)


def _birth_text(birth_date: pa.Array) -> pa.Array:
    """Birth dates as ``YYYYMMDD`` text (for typo comparisons)."""
    return pc.strftime(birth_date.cast(pa.timestamp("s")), "%Y%m%d")


def _city_key(cleaned: pa.Array) -> pa.Array:
    """The city key of cleaned city names (Arrow's lower-casing: one definition)."""
    return pc.utf8_lower(cleaned)


def _address_text(city: str | None, street: str | None) -> str | None:
    """What the address key is computed from: city and street, none without a street."""
    return None if street is None else f"{'' if city is None else city} {street}"


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


def _link_keys_of(
    external: Sequence[tuple[str, str | None]] | None,
    id_type_aliases: Mapping[str, str],
    link_id_types: Collection[str] | None,
) -> list[str]:
    """``type=value`` of each external id, types renamed by the aliases and filtered."""
    keys = []
    for kind, value in external or ():
        renamed = id_type_aliases.get(kind, kind)
        if value is not None and (link_id_types is None or renamed in link_id_types):
            keys.append(f"{renamed}={value}")
    return keys


def _link_keys(
    external: pa.Array, id_type_aliases: Mapping[str, str], link_id_types: Collection[str] | None
) -> pa.Array:
    """:func:`_link_keys_of` of every row."""
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
    if records.num_rows <= SMALL_ROWS:
        return _row_features(records, id_type_aliases or {}, link_id_types)
    return _column_features(records, id_type_aliases or {}, link_id_types)


def _column_features(
    records: pa.Table, id_type_aliases: Mapping[str, str], link_id_types: Collection[str] | None
) -> pa.Table:
    """:func:`build_features` with column functions and Arrow compute (many records)."""
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
    address = address_key_column(  # _address_text of every row
        pc.binary_join_element_wise(pc.coalesce(city, pa.scalar("", string)), street, " ")
    )

    external = _column(records, "external_ids", pa.map_(string, string))
    link_keys = _link_keys(external, id_type_aliases, link_id_types)

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
            "birth_text": _birth_text(birth_date),
            "postcode": postcode,
            "address_key": address,
            "city_key": _city_key(clean_text_column(city)),
            "link_keys": link_keys,
        }
    )


def _values(records: pa.Table, name: str, kind: pa.DataType) -> list[Any]:
    """A column's Python values, as :func:`_column` would give them."""
    if name not in records.column_names:
        return [None] * records.num_rows
    column = records.column(name)
    values: list[Any] = (column if column.type.equals(kind) else column.cast(kind)).to_pylist()
    return values


def _first(*values: str | None) -> str | None:
    """The first value that is not None (``coalesce``)."""
    return next((value for value in values if value is not None), None)


def _row_features(
    records: pa.Table, id_type_aliases: Mapping[str, str], link_id_types: Collection[str] | None
) -> pa.Table:
    """:func:`build_features` row by row, for a few records (see the module docs).

    The same steps as :func:`_column_features`, in the same order, with the normalizers'
    one-value functions (which their column functions are proven to equal).
    """
    string = pa.string()
    n = records.num_rows

    def text(name: str) -> list[str | None]:
        return _values(records, name, string)

    full = [split_name(v) for v in text("full_name")]
    kana = [split_name(v) for v in text("name_kana")]
    family_raw = [_first(v, f.family) for v, f in zip(text("family_name"), full, strict=True)]
    given_raw = [_first(v, f.given) for v, f in zip(text("given_name"), full, strict=True)]
    kanji = _has_kanji_each(family_raw + given_raw)

    out: dict[str, list[Any]] = {name: [] for name in FEATURE_COLUMNS}
    for row in range(n):
        family, given = normalize_name(family_raw[row]), normalize_name(given_raw[row])
        family_kana = normalize_name(kana[row].family)
        given_kana = normalize_name(kana[row].given)
        family_kanji, given_kanji = kanji[row], kanji[n + row]
        family_reading = _first(family_kana.reading, None if family_kanji else family.reading)
        given_reading = _first(given_kana.reading, None if given_kanji else given.reading)
        family_romaji = _first(family_kana.romaji, None if family_kanji else family.romaji)
        given_romaji = _first(given_kana.romaji, None if given_kanji else given.romaji)
        family_any = _first(family_romaji, family.romaji)
        given_any = _first(given_romaji, given.romaji)
        no_given = given_raw[row] is None and kana[row].given is None
        nickname = given_name_key(given_raw[row])
        for name, value in (
            ("family_key", family.key),
            ("family_kanji", family.key if family_kanji else None),
            ("family_reading", family_reading),
            ("family_romaji", family_romaji),
            ("family_any_romaji", family_any),
            ("given_key", given.key),
            ("given_kanji", given.key if given_kanji else None),
            ("given_reading", given_reading),
            ("given_romaji", given_romaji),
            ("given_any_romaji", given_any),
            ("family_chars", _chars(_first(family.key if family_kanji else None, family_reading))),
            ("given_chars", _chars(_first(given.key if given_kanji else None, given_reading))),
            ("given_nickname", None if nickname is None else list(nickname)),
            ("name_compact", _compact_of(family_romaji, given_romaji, no_given)),
            ("name_guess_compact", _compact_of(family_any, given_any, no_given)),
            ("name_reading_compact", _compact_of(family_reading, given_reading, no_given)),
        ):
            out[name].append(value)

    emails = _column(records, "emails", pa.list_(string))
    phones = _column(records, "phones", pa.list_(string))
    out["email_keys"] = [
        [normalize_email(e).match_key for e in values or ()] for values in emails.to_pylist()
    ]
    out["mobile_phones"] = [
        None if values is None else [p for p in values if _is_mobile(p)]
        for values in phones.to_pylist()
    ]
    out["postcode"] = [normalize_postcode(v).match_key for v in text("postcode")]
    city = text("city")
    out["address_key"] = [
        normalize_address(_address_text(c, s)).key
        for c, s in zip(city, text("street"), strict=True)
    ]
    out["city_key"] = [clean_text(c) for c in city]
    external = _values(records, "external_ids", pa.map_(string, string))
    out["link_keys"] = [_link_keys_of(e, id_type_aliases, link_id_types) for e in external]
    birth_date = _column(records, "birth_date", pa.date32())
    given_columns = {
        "emails": emails,
        "phones": phones,
        "birth_date": birth_date,
        "birth_text": _birth_text(birth_date),
    }
    given_columns["city_key"] = _city_key(pa.array(out["city_key"], string))
    return pa.table(
        {
            field.name: given_columns[field.name]
            if field.name in given_columns
            else pa.array(out[field.name], field.type)
            for field in _SCHEMA
        }
    )
