"""Postal codes: 〒, hyphens and full-width digits removed; JP, US and other countries.

- JP: 7 digits (``〒１００－０００１`` → ``1000001``), match key the same;
- US: ZIP (5 digits) or ZIP+4, written ``12345-6789``; the match key is always the 5-digit
  ZIP so a ZIP and a ZIP+4 of the same address meet;
- other countries: upper-case letters and digits without spaces or dashes (``sw1a 1aa`` →
  ``SW1A1AA``).

With ``country=None`` the country is guessed from the shape: 〒 or 7 digits → JP, 5 or 9
digits → US. A value that does not fit gives ``postcode=None``, ``valid=False`` and a
``postcode_invalid`` reason.

Examples:
    >>> from dchkit.normalize import normalize_postcode
    >>> normalize_postcode("〒１００－０００１")
    PostcodeResult(postcode='1000001', match_key='1000001', country='JP', valid=True, reason=None)
    >>> r = normalize_postcode("20500-0003", country="US")
    >>> r.postcode, r.match_key
    ('20500-0003', '20500')
    >>> normalize_postcode("sw1a 1aa", country="GB").postcode
    'SW1A1AA'
    >>> normalize_postcode("100-001", country="JP").reason
    'postcode_invalid: JP postcodes have 7 digits'
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from dchkit.normalize._args import require_choice, require_text
from dchkit.normalize._vector import map_distinct_fields
from dchkit.normalize.text import clean_text

__all__ = [
    "COUNTRY_CODES",
    "PostcodeColumns",
    "PostcodeResult",
    "normalize_postcode",
    "normalize_postcode_column",
]

#: ISO 3166-1 alpha-2 codes accepted as ``country`` (UK is accepted for GB).
COUNTRY_CODES = frozenset(
    [
        "AD",
        "AE",
        "AF",
        "AG",
        "AI",
        "AL",
        "AM",
        "AO",
        "AQ",
        "AR",
        "AS",
        "AT",
        "AU",
        "AW",
        "AX",
        "AZ",
        "BA",
        "BB",
        "BD",
        "BE",
        "BF",
        "BG",
        "BH",
        "BI",
        "BJ",
        "BL",
        "BM",
        "BN",
        "BO",
        "BQ",
        "BR",
        "BS",
        "BT",
        "BV",
        "BW",
        "BY",
        "BZ",
        "CA",
        "CC",
        "CD",
        "CF",
        "CG",
        "CH",
        "CI",
        "CK",
        "CL",
        "CM",
        "CN",
        "CO",
        "CR",
        "CU",
        "CV",
        "CW",
        "CX",
        "CY",
        "CZ",
        "DE",
        "DJ",
        "DK",
        "DM",
        "DO",
        "DZ",
        "EC",
        "EE",
        "EG",
        "EH",
        "ER",
        "ES",
        "ET",
        "FI",
        "FJ",
        "FK",
        "FM",
        "FO",
        "FR",
        "GA",
        "GB",
        "GD",
        "GE",
        "GF",
        "GG",
        "GH",
        "GI",
        "GL",
        "GM",
        "GN",
        "GP",
        "GQ",
        "GR",
        "GS",
        "GT",
        "GU",
        "GW",
        "GY",
        "HK",
        "HM",
        "HN",
        "HR",
        "HT",
        "HU",
        "ID",
        "IE",
        "IL",
        "IM",
        "IN",
        "IO",
        "IQ",
        "IR",
        "IS",
        "IT",
        "JE",
        "JM",
        "JO",
        "JP",
        "KE",
        "KG",
        "KH",
        "KI",
        "KM",
        "KN",
        "KP",
        "KR",
        "KW",
        "KY",
        "KZ",
        "LA",
        "LB",
        "LC",
        "LI",
        "LK",
        "LR",
        "LS",
        "LT",
        "LU",
        "LV",
        "LY",
        "MA",
        "MC",
        "MD",
        "ME",
        "MF",
        "MG",
        "MH",
        "MK",
        "ML",
        "MM",
        "MN",
        "MO",
        "MP",
        "MQ",
        "MR",
        "MS",
        "MT",
        "MU",
        "MV",
        "MW",
        "MX",
        "MY",
        "MZ",
        "NA",
        "NC",
        "NE",
        "NF",
        "NG",
        "NI",
        "NL",
        "NO",
        "NP",
        "NR",
        "NU",
        "NZ",
        "OM",
        "PA",
        "PE",
        "PF",
        "PG",
        "PH",
        "PK",
        "PL",
        "PM",
        "PN",
        "PR",
        "PS",
        "PT",
        "PW",
        "PY",
        "QA",
        "RE",
        "RO",
        "RS",
        "RU",
        "RW",
        "SA",
        "SB",
        "SC",
        "SD",
        "SE",
        "SG",
        "SH",
        "SI",
        "SJ",
        "SK",
        "SL",
        "SM",
        "SN",
        "SO",
        "SR",
        "SS",
        "ST",
        "SV",
        "SX",
        "SY",
        "SZ",
        "TC",
        "TD",
        "TF",
        "TG",
        "TH",
        "TJ",
        "TK",
        "TL",
        "TM",
        "TN",
        "TO",
        "TR",
        "TT",
        "TV",
        "TW",
        "TZ",
        "UA",
        "UG",
        "UM",
        "US",
        "UY",
        "UZ",
        "VA",
        "VC",
        "VE",
        "VG",
        "VI",
        "VN",
        "VU",
        "WF",
        "WS",
        "YE",
        "YT",
        "ZA",
        "ZM",
        "ZW",
        "UK",
    ]
)

_NOISE = re.compile(
    r"[\s\-‐‑‒–—―−ー－〒〶.・]|^(?:zip|postcode|post code|postal code|〒)[:：]?", re.I
)
_DIGITS7 = re.compile(r"[0-9]{7}")
_US = re.compile(r"([0-9]{5})([0-9]{4})?")
_ALNUM = re.compile(r"[A-Z0-9]+")


@dataclass(frozen=True, slots=True)
class PostcodeResult:
    """One normalized postal code.

    Attributes:
        postcode: The normalized form (JP ``1000001``, US ``12345`` or ``12345-6789``); None
            when blank or invalid.
        match_key: What to compare on (US: the 5-digit ZIP); None when blank or invalid.
        country: The country the code was read for (given or guessed), if known.
        valid: Whether the value fits that country's format; None when blank.
        reason: ``postcode_invalid: …`` when it does not.
    """

    postcode: str | None
    match_key: str | None
    country: str | None
    valid: bool | None
    reason: str | None


@dataclass(frozen=True, slots=True)
class PostcodeColumns:
    """Column form of :class:`PostcodeResult`."""

    postcode: pa.Array
    match_key: pa.Array
    country: pa.Array
    valid: pa.Array
    reason: pa.Array


def _country(country: str | None) -> str | None:
    if country is None:
        return None
    code = require_choice(country, COUNTRY_CODES, "country")
    return "GB" if code == "UK" else code


def normalize_postcode(value: str | None, *, country: str | None = None) -> PostcodeResult:
    """Normalize one postal code (see the module docs).

    Args:
        value: The code as written.
        country: ISO 3166-1 alpha-2 code of the country, or None to guess JP/US by shape.

    Raises:
        NormalizationError: ``value`` is not a ``str`` or ``None``.
        ConfigError: ``country`` is not an ISO 3166-1 alpha-2 code.
    """
    return _normalize(require_text(value, "normalize_postcode"), _country(country))


def _invalid(country: str | None, why: str) -> PostcodeResult:
    return PostcodeResult(None, None, country, False, f"postcode_invalid: {why}")


@functools.lru_cache(maxsize=1 << 16)
def _normalize(value: str | None, country: str | None) -> PostcodeResult:
    text = clean_text(value)
    if text is None:
        return PostcodeResult(None, None, country, None, None)
    compact = _NOISE.sub("", text).upper()
    if not compact:
        return _invalid(country, "no digits or letters")
    if country is None:
        if text.lstrip().startswith("〒") or _DIGITS7.fullmatch(compact):
            country = "JP"
        elif _US.fullmatch(compact):
            country = "US"
    if country == "JP":
        if not _DIGITS7.fullmatch(compact):
            return _invalid(country, "JP postcodes have 7 digits")
        return PostcodeResult(compact, compact, country, True, None)
    if country == "US":
        match = _US.fullmatch(compact)
        if match is None:
            return _invalid(country, "US ZIP codes have 5 or 9 digits")
        zip5, plus4 = match.groups()
        full = f"{zip5}-{plus4}" if plus4 else zip5
        return PostcodeResult(full, zip5, country, True, None)
    if not _ALNUM.fullmatch(compact) or len(compact) > 10:
        return _invalid(country, "postcodes have at most 10 letters and digits")
    return PostcodeResult(compact, compact, country, True, None)


def normalize_postcode_column(values: Any, *, country: str | None = None) -> PostcodeColumns:
    """Column form of :func:`normalize_postcode`, computed once per distinct value."""
    checked = _country(country)
    arrays = map_distinct_fields(
        values,
        lambda v: _normalize(v, checked),
        [
            ("postcode", pa.string()),
            ("match_key", pa.string()),
            ("country", pa.string()),
            ("valid", pa.bool_()),
            ("reason", pa.string()),
        ],
        what="normalize_postcode_column",
    )
    return PostcodeColumns(**arrays)
