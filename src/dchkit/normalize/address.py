"""Postal addresses: Japanese block numbering, prefectures and US states, a comparable key.

Japanese addresses are written many ways for the same place: ``東京都千代田区千代田1丁目1番1号``,
``千代田区千代田一丁目一番一号``, ``東京都千代田区千代田１－１－１`` and ``千代田1-1-1`` all
mean one building. :func:`normalize_address` NFKC-folds the text, turns kanji numerals
before 丁目/番地/番/号/条/線/地割 (and after の) into digits, writes the block numbers with
hyphens (``1丁目1番1号`` → ``1-1-1``, ``23番地の4`` → ``23-4``), takes a leading ``〒`` postcode
out, and splits off the prefecture (all 47, also without suffix or inferred from a
designated city or Tokyo ward) and the city (市, 区, 町, 村; 郡 + 町/村; 市 + 区).

US addresses (``1600 Pennsylvania Avenue NW, Washington, DC 20500``) are split at commas
into street, city, state (name or code → USPS code, all 50 + DC) and ZIP, and street words
are abbreviated the USPS way (Avenue → AVE, North → N, Suite → STE …).

``key`` is what to compare: for JP the city and street (the prefecture is left out because
sources often omit it; compare ``region`` separately), kanji variants folded, ヶ/ケ/が
unified, 大字 dropped, no spaces; for the US the abbreviated street and city in upper case;
elsewhere the case-folded text without punctuation.

Examples:
    >>> from dchkit.normalize import normalize_address
    >>> a = normalize_address("〒100-0001 東京都千代田区千代田一丁目1番1号")
    >>> a.region, a.city, a.street, a.postcode
    ('東京都', '千代田区', '千代田1-1-1', '1000001')
    >>> a.key == normalize_address("千代田区千代田１－１－１").key
    True
    >>> normalize_address("大阪市北区梅田三丁目1番3号").region
    '大阪府'
    >>> us = normalize_address("1600 Pennsylvania Avenue Northwest, Washington, District of Columbia 20500")
    >>> us.region, us.city, us.postcode, us.key
    ('DC', 'Washington', '20500', '1600 PENNSYLVANIA AVE NW WASHINGTON')
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from dchkit.normalize._address_fast import (
    hyphenated_jp_addresses,
    unchanged_jp_addresses,
    unchanged_latin_addresses,
)
from dchkit.normalize._args import require_choice, require_text
from dchkit.normalize._vector import as_string_array, map_distinct, map_distinct_fields
from dchkit.normalize.numerals import KANJI_DIGITS, kanji_to_int
from dchkit.normalize.postcode import COUNTRY_CODES, normalize_postcode
from dchkit.normalize.reading import has_kanji
from dchkit.normalize.regions import (
    DESIGNATED_CITIES,
    JP_PREFECTURES,
    TOKYO_WARDS,
    us_state,
)
from dchkit.normalize.text import clean_text, strip_latin_accents
from dchkit.normalize.variants import fold_variants

__all__ = [
    "AddressColumns",
    "AddressResult",
    "address_text_column",
    "normalize_address",
    "normalize_address_column",
]

# ------------------------------------------------------------------------- Japan
_NUM = f"[{KANJI_DIGITS}十百千]+"
_UNITS = r"(?:丁目|番地|番(?!町|館)|号(?![室館棟])|条|線|地割)"
_ANY_NUM = re.compile(_NUM)
_KANJI_BEFORE_UNIT = re.compile(f"({_NUM})(?={_UNITS})")
_KANJI_AFTER_LINK = re.compile(f"(?<=[0-9]の)({_NUM})|(?<=[0-9]-)({_NUM})")
_DASH = re.compile(r"(?<=[0-9])\s*[-‐‑‒–—―−ーｰ－~～]\s*(?=[0-9])")
_LINK_UNIT = re.compile(r"([0-9]+)\s*(?:丁目|番地|番(?!町|館)|地割)\s*(?:の\s*)?(?=[0-9])")
_LINK_NO = re.compile(r"(?<=[0-9])\s*の\s*(?=[0-9])")
_END_UNIT = re.compile(r"([0-9]+)\s*(?:丁目|番地|番(?!町|館)|号(?![室館棟]))")
_JP_POSTCODE = re.compile(r"^〒?\s*([0-9]{3})\s*-?\s*([0-9]{4})\b\s*")
_GUN = re.compile(r"^([^市区]{1,6}?郡.{1,5}?[町村])")
_SHI_KU = re.compile(r"^(.{1,6}?市[^市区町村]{1,4}区)")
_CITY = re.compile(r"^(.{1,7}?[市区町村])")
# Cities whose name contains 市, 町 or 村 before the end, which the patterns above would cut.
_CITY_EXCEPTIONS = (
    "四日市市", "廿日市市", "野々市市", "東村山市", "武蔵村山市", "大町市", "十日町市",
    "羽村市", "大村市", "田村市", "村山市", "町田市", "市川市", "市原市", "上市町", "余市町",
)  # fmt: skip
_PREFECTURE_BY_HEAD = {(n if n == "北海道" else n[:-1]): n for n in JP_PREFECTURES}
_SUFFIXES = ("市", "府", "都", "県")
_KE = re.compile("(?<=[\u4e00-\u9fff])[ヶケがガヵ](?=[\u4e00-\u9fff])")


def _arabic(match: re.Match[str]) -> str:
    text = next(group for group in match.groups() if group)
    number = kanji_to_int(text)
    return text if number is None else str(number)


def _jp_numbering(text: str) -> str:
    """Kanji numerals → digits in block numbers, and 丁目/番地/番/号 → hyphens."""
    # Each step only rewrites text around the characters it looks for, and no step adds
    # them, so a step whose characters are absent at the start is skipped.
    numerals = _ANY_NUM.search(text) is not None
    link_no = "の" in text
    units = "丁" in text or "番" in text or "地割" in text
    if numerals:
        text = _KANJI_BEFORE_UNIT.sub(_arabic, text)
    previous = None
    while previous != text:  # 一丁目二番地の三: each step exposes the next numeral
        previous = text
        text = _DASH.sub("-", text)
        if link_no:
            text = _LINK_NO.sub("の", text)
        if numerals:
            text = _KANJI_AFTER_LINK.sub(_arabic, text)
        if units:
            text = _LINK_UNIT.sub(r"\1-", text)
        if link_no:
            text = _LINK_NO.sub("-", text)
    return _END_UNIT.sub(r"\1", text) if units or "号" in text else text


def _jp_prefecture_prefix(text: str) -> tuple[str | None, str]:
    """Split a leading prefecture (with or without its suffix) off ``text``."""
    # No prefecture name without its suffix is the start of another, so the 2- or 3-character
    # head of the text names at most one prefecture.
    name = _PREFECTURE_BY_HEAD.get(text[:2]) or _PREFECTURE_BY_HEAD.get(text[:3])
    if name is not None:
        bare = name if name == "北海道" else name[:-1]
        if text.startswith(name):
            return name, text[len(name) :]
        if text.startswith(bare) and text[len(bare) : len(bare) + 1] not in _SUFFIXES:
            return name, text[len(bare) :]
    return None, text


def _jp_split(text: str) -> tuple[str | None, str | None, str]:
    """Split a normalized Japanese address into prefecture, city and the rest."""
    region, text = _jp_prefecture_prefix(text)
    text = text.lstrip()
    city = None
    if text.startswith(_CITY_EXCEPTIONS):
        city = next(c for c in _CITY_EXCEPTIONS if text.startswith(c))
    if city is None:
        for pattern in (_GUN, _SHI_KU, _CITY):
            if match := pattern.match(text):
                city = match.group(1)
                break
    if city is not None:
        text = text[len(city) :].lstrip()
        if region is None:
            city_only = re.sub(r"(?<=市).+区$", "", city)
            region = DESIGNATED_CITIES.get(city_only) or ("東京都" if city in TOKYO_WARDS else None)
    return region, city, text


def _jp_key(city: str | None, street: str) -> str:
    text = fold_variants(f"{city or ''}{street}").replace("大字", "")
    folded = _KE.sub("ケ", re.sub(r"[\s,、，]+", "", text)).casefold()
    return unicodedata.normalize("NFKC", folded)


# ------------------------------------------------------------------------- US
_USPS: dict[str, str] = {
    "street": "ST", "str": "ST", "avenue": "AVE", "av": "AVE", "ave": "AVE", "road": "RD",
    "boulevard": "BLVD", "drive": "DR", "lane": "LN", "court": "CT", "place": "PL",
    "terrace": "TER", "circle": "CIR", "highway": "HWY", "parkway": "PKWY", "square": "SQ",
    "trail": "TRL", "expressway": "EXPY", "freeway": "FWY", "plaza": "PLZ", "point": "PT",
    "mount": "MT", "mountain": "MTN", "heights": "HTS", "center": "CTR", "centre": "CTR",
    "north": "N", "south": "S", "east": "E", "west": "W", "northeast": "NE",
    "northwest": "NW", "southeast": "SE", "southwest": "SW", "suite": "STE",
    "apartment": "APT", "apt": "APT", "unit": "UNIT", "floor": "FL", "building": "BLDG",
    "room": "RM", "department": "DEPT", "post office box": "PO BOX", "p o box": "PO BOX",
}  # fmt: skip
_US_TAIL = re.compile(
    r"^(?P<head>.*?)[,\s]+(?P<state>[A-Za-z][A-Za-z .]*?)\.?\s+(?P<zip>[0-9]{5}(?:-?[0-9]{4})?)$"
)
_COUNTRY_SUFFIX = re.compile(
    r"[,\s]+(?:USA|U\.S\.A\.?|US|U\.S\.?|United States(?: of America)?)$", re.I
)


def _usps(street: str) -> str:
    words = re.sub(r"[.,]", " ", street).split()
    return " ".join(_USPS.get(w.casefold(), w.upper()) for w in words)


def _us_split(text: str) -> tuple[str | None, str | None, str, str | None]:
    """Split a US address into state code, city, street and ZIP (any may be missing)."""
    text = _COUNTRY_SUFFIX.sub("", text)
    state = zip_code = None
    head = text
    if (match := _US_TAIL.match(text)) and (code := us_state(match["state"])):
        state, zip_code, head = code, match["zip"], match["head"]
    elif "," in text and (code := us_state(text.rsplit(",", 1)[1])):
        state, head = code, text.rsplit(",", 1)[0]
    parts = [p.strip() for p in head.split(",") if p.strip()]
    city = parts.pop() if len(parts) > 1 else None
    return state, city, ", ".join(parts), zip_code


def _looks_us(text: str) -> bool:
    tail = _US_TAIL.match(_COUNTRY_SUFFIX.sub("", text))
    return bool(tail and us_state(tail["state"])) or bool(_COUNTRY_SUFFIX.search(text))


# ------------------------------------------------------------------------- API
@dataclass(frozen=True, slots=True)
class AddressResult:
    """One normalized address; every field None when the input is blank.

    Attributes:
        address: The normalized address text (JP numbering with hyphens, postcode removed).
        key: The comparable key (see the module docs).
        country: ``JP``, ``US``, the ``country`` given, or None when unknown.
        region: Prefecture (``東京都``) or USPS state code (``CA``), when found.
        city: City, ward, town or village (``千代田区``, ``横浜市中区``, ``Springfield``).
        street: The part below the city.
        postcode: A postcode found in the address, normalized.
    """

    address: str | None
    key: str | None
    country: str | None
    region: str | None
    city: str | None
    street: str | None
    postcode: str | None


@dataclass(frozen=True, slots=True)
class AddressColumns:
    """Column form of :class:`AddressResult`."""

    address: pa.Array
    key: pa.Array
    country: pa.Array
    region: pa.Array
    city: pa.Array
    street: pa.Array
    postcode: pa.Array


_BLANK = AddressResult(None, None, None, None, None, None, None)


def _country(country: str | None) -> str | None:
    if country is None:
        return None
    code = require_choice(country, COUNTRY_CODES, "country")
    return "GB" if code == "UK" else code


def _us_result(text: str) -> AddressResult:
    region, city, street, zip_code = _us_split(text)
    postcode = normalize_postcode(zip_code, country="US").postcode if zip_code else None
    tail = " ".join(p for p in (region, postcode) if p)
    address = ", ".join(p for p in (street, city, tail) if p)
    key = " ".join(p for p in (_usps(street), (city or "").upper()) if p)
    return AddressResult(address or None, key or None, "US", region, city, street or None, postcode)


def _guess_country(text: str, country: str | None) -> str | None:
    if country is not None:
        return country
    japanese = has_kanji(text) or re.search("[\u3040-\u30ff]", text) is not None
    return "JP" if japanese else ("US" if _looks_us(text) else None)


def _jp_parts(text: str) -> tuple[str | None, str | None, str | None, str]:
    """Postcode, prefecture, city and street of a cleaned Japanese address."""
    postcode = None
    if match := _JP_POSTCODE.match(text):
        postcode, text = match[1] + match[2], text[match.end() :]
    region, city, street = _jp_split(_jp_numbering(text))
    return postcode, region, city, street


@functools.lru_cache(maxsize=1 << 16)
def _normalize(value: str | None, country: str | None) -> AddressResult:
    text = clean_text(value)
    if text is None:
        return _BLANK
    country = _guess_country(text, country)
    if country == "JP":
        postcode, region, city, street = _jp_parts(text)
        address = "".join(p for p in (region, city) if p) + street
        key = _jp_key(city, street) or None
        return AddressResult(address or None, key, country, region, city, street or None, postcode)
    if country == "US":
        return _us_result(text)
    plain = strip_latin_accents(text).casefold()
    key = unicodedata.normalize("NFKC", re.sub(r"[^\w]+", " ", plain)).strip() or None
    return AddressResult(text, key, country, None, None, text, None)


def _address_only(value: str | None, country: str | None) -> str | None:
    """``_normalize(value, country).address`` without computing the other fields."""
    text = clean_text(value)
    if text is None:
        return None
    if _guess_country(text, country) == "JP":
        _, region, city, street = _jp_parts(text)
        return ("".join(p for p in (region, city) if p) + street) or None
    return _normalize(value, country).address


def normalize_address(value: str | None, *, country: str | None = None) -> AddressResult:
    """Normalize one address and split it into region, city and street.

    Args:
        value: The address as one line of text.
        country: ISO 3166-1 alpha-2 code; None guesses JP (Japanese script), US (a state
            and ZIP at the end) or leaves it unknown.

    Raises:
        NormalizationError: ``value`` is not a ``str`` or ``None``.
        ConfigError: ``country`` is not an ISO 3166-1 alpha-2 code.
    """
    return _normalize(require_text(value, "normalize_address"), _country(country))


def normalize_address_column(values: Any, *, country: str | None = None) -> AddressColumns:
    """Column form of :func:`normalize_address`, computed once per distinct value."""
    checked = _country(country)
    names = ("address", "key", "country", "region", "city", "street", "postcode")
    arrays = map_distinct_fields(
        values,
        functools.partial(_normalize, country=checked),
        [(name, pa.string()) for name in names],
        what="normalize_address_column",
        parallel=True,
    )
    return AddressColumns(**arrays)


def address_text_column(values: Any, *, country: str | None = None) -> pa.Array:
    """``normalize_address_column(values, country=country).address``, for cleaned text.

    ``values`` must already be cleaned (:func:`~dchkit.normalize.clean_text_column`).
    Japanese addresses that normalization leaves as they are (block numbers already
    hyphenated, no prefecture or city it would add or re-space: ``博多駅前4-19-17``), and
    those whose only change is ``3丁目5番7号`` → ``3-5-7``, as well as plain ASCII street
    lines without a US state and ZIP or country at the end (``1263 River St``), are
    handled by Arrow compute over the whole column (``_address_fast``); the others are
    normalized once per distinct value, without the match key.

    Examples:
        >>> address_text_column(["博多駅前4-19-17", "錦3丁目5番7号", "千代田区1丁目1番1号"]).to_pylist()
        ['博多駅前4-19-17', '錦3-5-7', '東京都千代田区1-1-1']
    """
    checked = _country(country)
    array = as_string_array(values, what="address_text_column")
    address = functools.partial(_address_only, country=checked)
    if checked not in (None, "JP"):
        return map_distinct(array, address, pa.string(), parallel=True)
    unchanged = unchanged_jp_addresses(array)
    if checked is None:  # a Latin street line is left alone unless it is said to be in JP
        unchanged |= unchanged_latin_addresses(array)
    # Only texts with 丁目 can be hyphenated; the rest is left out of those passes.
    chome = np.flatnonzero(
        ~unchanged
        & pc.fill_null(pc.match_substring(array, "丁目"), False).to_numpy(zero_copy_only=False)
    )
    candidates = array.take(pa.array(chome, pa.int64()))
    hyphenated, rewritten = hyphenated_jp_addresses(candidates)
    result = array
    if hyphenated.any():
        mask = np.zeros(len(array), dtype=bool)
        mask[chome[hyphenated]] = True
        result = pc.replace_with_mask(array, pa.array(mask), rewritten.filter(hyphenated))
        unchanged |= mask
    if unchanged.all():
        return result
    slow = pa.array(~unchanged)
    done = map_distinct(array.filter(slow), address, pa.string(), parallel=True)
    return pc.replace_with_mask(result, slow, done)
