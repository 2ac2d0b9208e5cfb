"""Phone numbers: any local or international spelling → E.164, with line type.

Before phonenumbers parses a value, the noise seen in real customer data is removed:
full-width digits and brackets (NFKC), every dash look-alike (``ー－―‐−～``), ``TEL:``/``電話``
labels, Japanese extensions (``内線 12``), a trunk ``(0)`` after the country code
(``+81 (0)3 …``), and an international ``00``/``010`` prefix. Numbers without a country
code are read in the ``region`` given (an ISO 3166-1 alpha-2 code, default ``"JP"``).

``e164`` is set for every number phonenumbers can parse into a *possible* number;
``valid`` says whether it is also a valid, assigned range (``phone_invalid`` otherwise).
Unparseable input gives ``e164=None`` and ``reason`` starting with ``phone_unparseable``.

Examples:
    >>> from dchkit.normalize import normalize_phone
    >>> r = normalize_phone("０９０－１２３４－５６７８")
    >>> r.e164, r.line_type, r.region, r.valid
    ('+819012345678', 'mobile', 'JP', True)
    >>> normalize_phone("+81 (0)3-1234-5678").e164
    '+81312345678'
    >>> normalize_phone("(212) 555-0123", region="US").e164
    '+12125550123'
    >>> normalize_phone("03-1234-5678 内線 201").line_type
    'fixed_line'
    >>> normalize_phone("unknown").reason
    'phone_unparseable'
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import phonenumbers
import pyarrow as pa
from phonenumbers import (
    COUNTRY_CODE_TO_REGION_CODE,
    NumberParseException,
    PhoneNumber,
    PhoneNumberFormat,
    PhoneNumberType,
)
from phonenumbers.phonemetadata import PhoneMetadata

from dchkit.normalize._args import require_choice, require_text
from dchkit.normalize._phone_fast import FastPhones, jp_fast_phones, plain_numbers
from dchkit.normalize._phone_nanp import nanp_fast_phones
from dchkit.normalize._phone_types import is_possible_number, number_type
from dchkit.normalize._vector import as_string_array, map_rest_fields
from dchkit.normalize.text import clean_text

__all__ = [
    "PhoneColumns",
    "PhoneResult",
    "normalize_phone",
    "normalize_phone_column",
]

_LINE_TYPES: dict[int, str] = {
    PhoneNumberType.FIXED_LINE: "fixed_line",
    PhoneNumberType.MOBILE: "mobile",
    PhoneNumberType.FIXED_LINE_OR_MOBILE: "fixed_line_or_mobile",
    PhoneNumberType.TOLL_FREE: "toll_free",
    PhoneNumberType.PREMIUM_RATE: "premium_rate",
    PhoneNumberType.SHARED_COST: "shared_cost",
    PhoneNumberType.VOIP: "voip",
    PhoneNumberType.PERSONAL_NUMBER: "personal_number",
    PhoneNumberType.PAGER: "pager",
    PhoneNumberType.UAN: "uan",
    PhoneNumberType.VOICEMAIL: "voicemail",
    PhoneNumberType.UNKNOWN: "unknown",
}
_DASHES = str.maketrans(dict.fromkeys("ー－―‐‑‒–—−～〜ｰ・/", "-"))
_LABEL = re.compile(r"^\s*(?:tel|phone|mobile|fax|携帯|電話番号|電話|℡|tel\.)\s*[:.：]?\s*", re.I)
_EXTENSION = re.compile(r"\s*(?:内線|\(内\)|ext\.?|x|#)\s*\d+\s*$", re.I)
_TRUNK_ZERO = re.compile(r"^(\+\d{1,3})[\s-]*\(0\)[\s-]*")
_INTERNATIONAL = re.compile(r"^(?:00|010)(?=[1-9])")
_DIGITS = re.compile(r"\d")
_PLAIN = re.compile(r"\+?[0-9(][0-9 ().\-]*")
_NOT_DIGIT = re.compile(r"[^0-9]")
# A Japanese number in national format: the trunk 0, then 9 or 10 digits (not 010, the
# international prefix); and in international format, +81 and the same 9 or 10 digits.
_JP_NATIONAL = re.compile(r"0[1-9][0-9]{8,9}")
_JP_INTERNATIONAL = re.compile(r"\+81[1-9][0-9]{8,9}")


@dataclass(frozen=True, slots=True)
class PhoneResult:
    """One normalized phone number.

    Attributes:
        e164: The number in E.164 form (``+819012345678``); None when it cannot be parsed.
        valid: Whether phonenumbers considers it a valid number; None when blank.
        line_type: ``mobile``, ``fixed_line``, ``toll_free``, ``voip`` … (None if unparsed).
        region: ISO region of the number (``JP``, ``US`` …), if known.
        reason: ``phone_unparseable`` or ``phone_invalid`` with details; None when valid.
    """

    e164: str | None
    valid: bool | None
    line_type: str | None
    region: str | None
    reason: str | None


@dataclass(frozen=True, slots=True)
class PhoneColumns:
    """Column form of :class:`PhoneResult`: one Arrow array per field, one row per input."""

    e164: pa.Array
    valid: pa.Array
    line_type: pa.Array
    region: pa.Array
    reason: pa.Array


_BLANK = PhoneResult(None, None, None, None, None)
_UNPARSEABLE = PhoneResult(None, False, None, None, "phone_unparseable")


def normalize_phone(value: str | None, *, region: str = "JP") -> PhoneResult:
    """Parse one phone number into E.164 (see the module docs).

    Args:
        value: The number as written.
        region: Region whose national format applies to numbers without a country code.

    Raises:
        NormalizationError: ``value`` is not a ``str`` or ``None``.
        ConfigError: ``region`` is not a region phonenumbers knows.
    """
    text = require_text(value, "normalize_phone")
    return _normalize(text, _region(region))


def _region(region: str) -> str:
    return require_choice(region, phonenumbers.SUPPORTED_REGIONS, "phone region")


def _clean(value: str) -> str | None:
    text = clean_text(value)
    if text is None:
        return None
    text = _LABEL.sub("", text.translate(_DASHES))
    text = _EXTENSION.sub("", text)
    text = _TRUNK_ZERO.sub(r"\1 ", text.strip())
    return _INTERNATIONAL.sub("+", text) or None


@functools.lru_cache(maxsize=1 << 16)
def _normalize(value: str | None, region: str) -> PhoneResult:
    text = None if value is None else _clean(value)
    if text is None:
        return _BLANK
    return _parse(_key(text), region)


def _key(text: str) -> str:
    """Collapse a plainly punctuated number to its digits (and leading ``+``).

    phonenumbers reads such a number from its digits alone (spaces, hyphens, dots and
    brackets are punctuation to it; none of them starts an extension), so
    ``03-1234-5678``, ``(03)1234-5678`` and ``0312345678`` share one parse. Anything else
    is returned as it is.
    """
    if len(text) > 64 or not _PLAIN.fullmatch(text):
        return text
    return ("+" if text[0] == "+" else "") + _NOT_DIGIT.sub("", text)


@functools.cache
def _jp_shortcut_holds() -> bool:
    """Whether phonenumbers' JP metadata is the one :func:`_parse_number`'s shortcut assumes.

    phonenumbers.parse reads ``0`` + 9 or 10 digits (``0[1-9]…``, not ``010``) in JP as:
    no international prefix (it is ``010``); no country code (the text starts with 0, not
    81); then the leading 0 matches the national-prefix pattern through its last, plain
    ``0`` branch, the text with its 0 does not fit the general number pattern (which
    never starts ``0[1-9]``), and 9 or 10 digits are a possible, not local-only, length, so
    the 0 is stripped: +81 and the digits after it, nothing else set. ``+81`` + 9 or 10
    digits starting 1–9 (in any region) reads as country code 81 (8 alone is no country
    code) and a national number that no national-prefix branch matches (each needs a
    leading 0). Each of those facts comes from the metadata checked here; with other
    metadata, parse decides.
    """
    metadata = PhoneMetadata.metadata_for_region("JP")
    if metadata is None or metadata.general_desc is None:
        return False
    general = metadata.general_desc
    return (
        metadata.country_code == 81
        and metadata.international_prefix == "010"
        and metadata.national_prefix_for_parsing == r"(000[2569]\d{4,6})$|(?:(?:003768)0?)|0"
        and general.national_number_pattern == r"00[1-9]\d{6,14}|[25-9]\d{9}|(?:00|[1-9]\d\d)\d{6}"
        and {9, 10} <= set(general.possible_length)
        and not {9, 10} & set(general.possible_length_local_only or ())
        and 8 not in COUNTRY_CODE_TO_REGION_CODE
        and tuple(COUNTRY_CODE_TO_REGION_CODE.get(81, ())) == ("JP",)
    )


def _parse_number(text: str, region: str) -> PhoneNumber:
    """``phonenumbers.parse(text, region)``, without its cost for a plain JP national number."""
    if text[0] == "+":
        if _JP_INTERNATIONAL.fullmatch(text) and _jp_shortcut_holds():
            return PhoneNumber(country_code=81, national_number=int(text[3:]))
    elif (
        region == "JP"
        and _JP_NATIONAL.fullmatch(text)
        and not text.startswith("010")
        and _jp_shortcut_holds()
    ):
        return PhoneNumber(country_code=81, national_number=int(text[1:]))
    return phonenumbers.parse(text, region)


@functools.lru_cache(maxsize=1 << 17)
def _parse(text: str, region: str) -> PhoneResult:
    if len(_DIGITS.findall(text)) < 3:
        return _UNPARSEABLE
    try:
        number = _parse_number(text, region)
    except NumberParseException:
        return _UNPARSEABLE
    if not is_possible_number(number):
        return _UNPARSEABLE
    e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    number_region = phonenumbers.region_code_for_number(number)
    # number_type is UNKNOWN exactly when is_valid_number is False (both match the national
    # number against the same region's metadata), so one call answers both; it is computed
    # once per deciding prefix (see _phone_types).
    kind = number_type(number)
    if kind == PhoneNumberType.UNKNOWN:
        return PhoneResult(e164, False, None, number_region, "phone_invalid")
    return PhoneResult(e164, True, _LINE_TYPES.get(kind, "unknown"), number_region, None)


def normalize_phone_column(values: Any, *, region: str = "JP") -> PhoneColumns:
    """Column form of :func:`normalize_phone`, computed once per distinct value.

    Plainly punctuated Japanese numbers (``090-1234-5678``, ``+81 3 1234 5678``) and North
    American ones (``(212) 555-0123``, ``+1 212 555 0123``) are normalized by Arrow compute
    over the whole column (``_phone_fast``, ``_phone_nanp``); the others once per distinct
    value.

    Examples:
        >>> cols = normalize_phone_column(["03-1234-5678", "03(1234)5678", None])
        >>> cols.e164.to_pylist()
        ['+81312345678', '+81312345678', None]
    """
    checked = _region(region)
    array = as_string_array(values, what="normalize_phone_column")
    plain = plain_numbers(array)
    paths = [nanp_fast_phones(array, checked, _LINE_TYPES, plain)]
    if _jp_shortcut_holds():
        paths.append(jp_fast_phones(array, checked, _LINE_TYPES, plain))
    answered, known = _merge(paths)
    arrays = map_rest_fields(
        array,
        answered,
        known,
        functools.partial(_normalize, region=checked),
        _FIELDS,
        what="normalize_phone_column",
    )
    return PhoneColumns(**arrays)


def _merge(paths: list[FastPhones]) -> tuple[np.ndarray, dict[str, pa.Array]]:
    """The rows the fast paths answered (ascending) and their results (disjoint paths)."""
    rows = np.concatenate([path.rows for path in paths])
    order = np.argsort(rows, kind="stable")
    index = pa.array(order, pa.int64())
    known = {
        name: pa.concat_arrays([getattr(path, name).cast(kind) for path in paths]).take(index)
        for name, kind in _FIELDS
    }
    return rows[order], known


_FIELDS = (
    ("e164", pa.string()),
    ("valid", pa.bool_()),
    ("line_type", pa.string()),
    ("region", pa.string()),
    ("reason", pa.string()),
)
