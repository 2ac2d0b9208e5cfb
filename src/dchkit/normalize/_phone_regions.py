r"""phonenumbers' ``region_code_for_number`` and ``number_type`` over a column, in Arrow.

For a country code shared by several regions (``+1``: the US, Canada and 23 others) the
line type cannot be cached per number prefix (``_phone_types``): which region a number
belongs to is decided by matching it against each region's patterns in turn. This module
does exactly what phonenumbers does, step by step (``_region_code_for_number_from_list``,
``_number_type_helper``, ``_is_number_matching_desc``), but each step matches the whole
column at once with Arrow's regular expressions (RE2) instead of one number at a time with
Python's ``re``.

The two engines agree here because every pattern used is checked to be *plain* (digits,
digit classes, groups, alternatives and bounded repeats: ``_phone_types._plain``): such a
pattern denotes a regular language, and whether a string of ASCII digits is in it (a full
match) or starts with a member (``re.match``) does not depend on the engine. Metadata with
any other construct turns the column path off for its country code, and
``tests/property/test_normalize_columnar.py`` compares both paths number by number.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
from phonenumbers import COUNTRY_CODE_TO_REGION_CODE, PhoneNumberType
from phonenumbers.phonemetadata import PhoneMetadata

from dchkit.normalize._phone_types import _plain, sre_parse

__all__ = ["regions_and_types"]

# _number_type_helper's order of the special types, after the general description.
_SPECIAL = (
    ("premium_rate", PhoneNumberType.PREMIUM_RATE),
    ("toll_free", PhoneNumberType.TOLL_FREE),
    ("shared_cost", PhoneNumberType.SHARED_COST),
    ("voip", PhoneNumberType.VOIP),
    ("personal_number", PhoneNumberType.PERSONAL_NUMBER),
    ("pager", PhoneNumberType.PAGER),
    ("uan", PhoneNumberType.UAN),
    ("voicemail", PhoneNumberType.VOICEMAIL),
)
_DESCS = ("general_desc", *(name for name, _ in _SPECIAL), "fixed_line", "mobile")
_NON_GEO = "001"


def _is_plain(pattern: str) -> bool:
    try:
        return bool(_plain(list(sre_parse.parse(pattern))))
    except Exception:  # a pattern Python's parser rejects is not plain either
        return False


@functools.cache
def _regions(country_code: int) -> tuple[tuple[str, Any], ...] | None:
    """The regions of ``country_code`` with their metadata, in phonenumbers' order.

    None when a region is the non-geographic entity or uses a pattern that is not plain.
    """
    found = []
    for region in COUNTRY_CODE_TO_REGION_CODE.get(country_code, ()):
        if region == _NON_GEO:
            return None
        metadata = PhoneMetadata.metadata_for_region(region.upper(), None)
        if metadata is None:
            continue
        patterns = [metadata.leading_digits] if metadata.leading_digits is not None else []
        for name in _DESCS:
            desc = getattr(metadata, name)
            if desc is not None and desc.national_number_pattern:
                patterns.append(desc.national_number_pattern)
        if not all(_is_plain(pattern) for pattern in patterns):
            return None
        found.append((region, metadata))
    return tuple(found)


def _matching(numbers: pa.Array, lengths: np.ndarray, desc: Any) -> np.ndarray:
    """``_is_number_matching_desc`` for each number (ASCII digits)."""
    if desc is None or not desc.national_number_pattern:
        return np.zeros(len(numbers), dtype=bool)
    ok = np.ones(len(numbers), dtype=bool)
    if len(desc.possible_length) > 0:
        ok = np.isin(lengths, np.asarray(desc.possible_length))
    rows = np.flatnonzero(ok)
    if len(rows):
        subset = numbers if len(rows) == len(numbers) else numbers.take(pa.array(rows))
        hit = pc.match_substring_regex(subset, f"^(?:{desc.national_number_pattern})$")
        ok[rows] = pc.fill_null(hit, False).to_numpy(zero_copy_only=False)
    return ok


def _types(numbers: pa.Array, lengths: np.ndarray, metadata: Any) -> np.ndarray:
    """``_number_type_helper`` for each number."""
    kinds = np.full(len(numbers), int(PhoneNumberType.UNKNOWN), dtype=np.int64)
    open_rows = np.flatnonzero(_matching(numbers, lengths, metadata.general_desc))
    for name, kind in _SPECIAL:
        if not len(open_rows):
            return kinds
        hit = _matching(
            numbers.take(pa.array(open_rows)), lengths[open_rows], getattr(metadata, name)
        )
        kinds[open_rows[hit]] = int(kind)
        open_rows = open_rows[~hit]
    if not len(open_rows):
        return kinds
    rest, rest_lengths = numbers.take(pa.array(open_rows)), lengths[open_rows]
    fixed = _matching(rest, rest_lengths, metadata.fixed_line)
    if metadata.same_mobile_and_fixed_line_pattern:
        kinds[open_rows[fixed]] = int(PhoneNumberType.FIXED_LINE_OR_MOBILE)
        return kinds
    mobile = _matching(rest, rest_lengths, metadata.mobile)
    kinds[open_rows[fixed & mobile]] = int(PhoneNumberType.FIXED_LINE_OR_MOBILE)
    kinds[open_rows[fixed & ~mobile]] = int(PhoneNumberType.FIXED_LINE)
    kinds[open_rows[~fixed & mobile]] = int(PhoneNumberType.MOBILE)
    return kinds


def regions_and_types(national: pa.Array, country_code: int) -> tuple[pa.Array, np.ndarray] | None:
    """Region code and ``number_type`` of numbers of ``country_code``, as phonenumbers gives them.

    Args:
        national: National significant numbers (ASCII digits, no nulls).
        country_code: Their country calling code.

    Returns:
        The region of each number (null where none matches) and its
        :class:`phonenumbers.PhoneNumberType`; None when the metadata is not plain.
    """
    regions = _regions(country_code)
    if regions is None or not regions:
        return None
    count = len(national)
    lengths = pc.utf8_length(national).to_numpy(zero_copy_only=False).astype(np.int64)
    which = np.full(count, -1, dtype=np.int64)
    kinds = np.full(count, int(PhoneNumberType.UNKNOWN), dtype=np.int64)
    if len(regions) == 1:  # region_code_for_number answers without looking at the number
        which[:] = 0
        kinds = _types(national, lengths, regions[0][1])
    else:  # _region_code_for_number_from_list: the first region that takes the number
        open_rows = np.arange(count)
        for index, (_region, metadata) in enumerate(regions):
            if not len(open_rows):
                break
            subset = national.take(pa.array(open_rows))
            if metadata.leading_digits is not None:
                taken = pc.match_substring_regex(subset, f"^(?:{metadata.leading_digits})")
                hit = pc.fill_null(taken, False).to_numpy(zero_copy_only=False)
                # number_type then uses this region's metadata
                kinds[open_rows[hit]] = _types(
                    subset.filter(pa.array(hit)), lengths[open_rows[hit]], metadata
                )
            else:
                found = _types(subset, lengths[open_rows], metadata)
                hit = found != int(PhoneNumberType.UNKNOWN)
                kinds[open_rows[hit]] = found[hit]
            which[open_rows[hit]] = index
            open_rows = open_rows[~hit]
    names = pa.array([region for region, _ in regions], pa.string())
    region_of = names.take(pa.array(which, pa.int64(), mask=which < 0))
    return region_of, kinds
