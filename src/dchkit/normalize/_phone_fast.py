"""Japanese phone numbers in their everyday spellings, normalized column-wise without Python.

Nearly every phone number in Japanese customer data is written ``090-1234-5678``,
``03(1234)5678``, ``0312345678``, ``+81 90-1234-5678`` or the same in full-width
characters: digits with spaces, hyphens, dots or brackets. For such a value
:func:`~dchkit.normalize.normalize_phone`'s cleaning only folds full-width characters
(NFKC) and spaces, the digits alone decide the parse (see ``phone._key``), and the parse
is the proven JP shortcut (``phone._parse_number``): E.164 is ``+81`` and the digits after
the trunk ``0`` (or after ``+81``), the region is ``JP``, and the number is possible by its
length alone. What is left, the line type, depends only on the number's first digits and
its length (``_phone_types``), so it is looked up once per distinct prefix. All of it runs
as Arrow compute over the whole column; every other value (labels, extensions, ``(0)``,
other countries …) takes the scalar path. ``tests/property/test_normalize_columnar.py``
checks both give the same.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from phonenumbers import PhoneNumber, PhoneNumberType

from dchkit.normalize._phone_types import _head_length, is_possible_number, number_type

__all__ = ["FastPhones", "PlainNumbers", "jp_fast_phones", "plain_numbers"]

# What ``phone._PLAIN`` accepts after cleaning (spaces collapsed, trimmed), spelled on the
# raw value: only spaces around it, no ``(`` after ``+`` (``+81 (0)3`` loses its trunk 0 in
# cleaning). The cleaned text is at most as long as the raw one, so raw values up to 64
# characters are within ``phone._key``'s limit.
_PLAIN_RAW = r"^ *(?:\+[0-9][0-9 .\-]*|[0-9(][0-9 ().\-]*) *$"
_MAX_LENGTH = 64
# Full-width digits and punctuation (０９０－１２３４－５６７８, ＋８１　３…): cleaning's NFKC
# turns each into its ASCII form (one character for one; the test checks Arrow's NFKC
# agrees on each), after which the value is one of the plain ones above.
_WIDE = "^[0-9０-９ ()（）+＋.．\\-－\\x{3000}]*$"
# The digits phone._parse_number reads with the JP shortcut: national (region JP, not the
# international prefix 010) and international (+81, any region).
_NATIONAL = r"^0(?:1[1-9]|[2-9][0-9])[0-9]{7,8}$"
_INTERNATIONAL = r"^81[1-9][0-9]{8,9}$"


@dataclass(frozen=True)
class FastPhones:
    """Results of the fast path: ``rows`` are the positions it answered, in order.

    The arrays hold one value per answered row, like the fields of
    :class:`~dchkit.normalize.PhoneResult`.
    """

    rows: np.ndarray
    e164: pa.Array
    valid: pa.Array
    line_type: pa.Array
    region: pa.Array
    reason: pa.Array


@dataclass(frozen=True)
class PlainNumbers:
    """The values of a column that are plainly punctuated numbers, as their digits.

    Attributes:
        rows: Positions of those values in the column, ascending.
        digits: Their digits (without the ``+``).
        international: Whether each was written with a leading ``+``.
    """

    rows: np.ndarray
    digits: pa.Array
    international: pa.Array


def plain_numbers(values: pa.Array, raw_pattern: str = _PLAIN_RAW) -> PlainNumbers:
    """Find the values that cleaning and ``phone._key`` reduce to their digits (and ``+``).

    Full-width values are folded first (see ``_WIDE``); ``raw_pattern`` is the spelling
    accepted (``_PLAIN_RAW`` or a stricter one).
    """
    wide = pc.and_(pc.invert(pc.string_is_ascii(values)), pc.match_substring_regex(values, _WIDE))
    if pc.any(wide).as_py():
        values = pc.if_else(wide, pc.utf8_normalize(values, "NFKC"), values)
    plain = pc.and_(
        pc.match_substring_regex(values, raw_pattern),
        pc.less_equal(pc.utf8_length(values), _MAX_LENGTH),
    )
    rows = np.flatnonzero(pc.fill_null(plain, False).to_numpy(zero_copy_only=False))
    text = values.take(pa.array(rows, pa.int64()))  # the plain values only, from here
    return PlainNumbers(
        rows=rows,
        digits=pc.replace_substring_regex(text, "[^0-9]", ""),
        international=pc.starts_with(pc.utf8_ltrim(text, " "), "+"),
    )


@functools.cache
def _prefix_depths() -> dict[int, list[str]] | None:
    """First digits of JP national numbers grouped by how many digits decide their type.

    None when the metadata bounds no such prefix (the fast path is then off).
    """
    depths: dict[int, list[str]] = {}
    for digit in "123456789":
        depth = _head_length(81, digit)
        if depth is None:
            return None
        depths.setdefault(max(depth, 1), []).append(digit)
    return depths


def _type_key(national: pa.Array, depths: dict[int, list[str]]) -> pa.Array:
    """``"{deciding prefix}/{length}"`` of each national number (shared by a line type)."""
    first = pc.utf8_slice_codeunits(national, 0, 1)
    prefix = pa.nulls(len(national), pa.string())
    for depth, digits in depths.items():
        starts = pc.is_in(first, value_set=pa.array(digits, pa.string()))
        prefix = pc.if_else(starts, pc.utf8_slice_codeunits(national, 0, depth), prefix)
    length = pc.utf8_length(national).cast(pa.string())
    return pc.binary_join_element_wise(prefix, length, "/")


def jp_fast_phones(
    values: pa.Array,
    region: str,
    line_types: dict[int, str],
    plain: PlainNumbers | None = None,
) -> FastPhones:
    """Normalize the values of a string column that take the JP fast path.

    Args:
        values: The column (Arrow ``string``).
        region: The default region (national spellings take the path only in ``JP``).
        line_types: Names of phonenumbers' number types (``phone._LINE_TYPES``).
        plain: ``plain_numbers(values)``, if already computed.

    Returns:
        The rows answered and their results; rows not in ``rows`` need the scalar path.
    """
    plain = plain if plain is not None else plain_numbers(values)
    candidates, digits, international = plain.rows, plain.digits, plain.international
    fast = pc.and_(international, pc.match_substring_regex(digits, _INTERNATIONAL))
    if region == "JP":
        national = pc.and_(pc.invert(international), pc.match_substring_regex(digits, _NATIONAL))
        fast = pc.or_(fast, national)
    fast_np = fast.to_numpy(zero_copy_only=False)
    rows = candidates[fast_np]
    depths = _prefix_depths()
    if not len(rows) or depths is None:
        empty = pa.array([], pa.string())
        return FastPhones(rows[:0], empty, pa.array([], pa.bool_()), empty, empty, empty)
    digits = digits.filter(fast)
    skip = pc.if_else(international.filter(fast), 2, 1)
    # The national significant number: after "81" or after the trunk "0".
    national = _drop_prefix(digits, skip)
    encoded = _type_key(national, depths).dictionary_encode()
    codes = encoded.indices.to_numpy(zero_copy_only=False)
    _, first = np.unique(codes, return_index=True)  # one representative number per key
    samples = national.take(pa.array(first, pa.int64())).to_pylist()
    possible, valid, kinds = [], [], []
    for sample in samples:
        number = PhoneNumber(country_code=81, national_number=int(sample))
        kind = number_type(number)
        possible.append(is_possible_number(number))
        valid.append(kind != PhoneNumberType.UNKNOWN)
        kinds.append(line_types.get(kind, "unknown") if kind != PhoneNumberType.UNKNOWN else None)
    possible_rows = pa.array(possible, pa.bool_()).take(encoded.indices)
    valid_rows = pa.array(valid, pa.bool_()).take(encoded.indices)
    kind_rows = pa.array(kinds, pa.string()).take(encoded.indices)
    e164 = pc.binary_join_element_wise("+81", national, "")
    null_text = pa.scalar(None, pa.string())
    return FastPhones(
        rows=rows,
        e164=pc.if_else(possible_rows, e164, null_text),
        valid=pc.if_else(possible_rows, valid_rows, False),
        line_type=pc.if_else(possible_rows, kind_rows, null_text),
        region=pc.if_else(possible_rows, "JP", null_text),
        reason=pc.if_else(
            possible_rows,
            pc.if_else(valid_rows, null_text, "phone_invalid"),
            "phone_unparseable",
        ),
    )


def _drop_prefix(digits: pa.Array, skip: pa.Array) -> pa.Array:
    """``digits[skip:]`` per row, where ``skip`` is 1 or 2."""
    one = pc.utf8_slice_codeunits(digits, 1)
    two = pc.utf8_slice_codeunits(digits, 2)
    return pc.if_else(pc.equal(skip, 2), two, one)
