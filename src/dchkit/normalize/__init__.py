"""Normalization pack: pure functions that make messy customer values comparable.

Every normalizer has a scalar function (``normalize_email(value)``) and a column function
(``normalize_email_column(values)``) that takes an Arrow array (or any sequence of strings),
normalizes each *distinct* value once and maps the results back, so a million rows with
heavy repetition cost only as many Python calls as there are distinct values.

The costly normalizers also skip work their libraries would do in vain, each shortcut
proven to give the library's answer (see ``tests/property/test_normalize_fastpaths.py``):
plain e-mail addresses skip email-validator, spellings of one phone number share one
parse, plain Japanese numbers skip ``phonenumbers.parse``, and a number's line type is
computed once per deciding prefix. The column functions go further where values have an
everyday shape the scalar path is proven to treat in a way Arrow compute can write: plain
JP phone numbers (also full-width), plain e-mail addresses, two-word Japanese names,
already-clean text, names and katakana readings, ISO dates, and street lines that are
already hyphenated or written ``3丁目5番7号`` are handled over the whole column at once,
without a Python call per value (``tests/property/test_normalize_columnar.py`` checks each
against the scalar path). A large connector read can build and normalize its batches in
several processes (:func:`read_processes`), and columns with many distinct values can be
spread over worker processes (:func:`set_workers`, ``DCHKIT_WORKERS``; off by default).

Bad values are flagged, never raised (``valid=False`` with a ``reason``). Only a wrong kind
of argument (an ``int`` where a ``str`` is expected, an unknown region code) raises a
:class:`~dchkit.errors.NormalizationError` or :class:`~dchkit.errors.ConfigError`.

Examples:
    >>> import dchkit.normalize as nz
    >>> nz.normalize_email("Taro.Yamada+x@gmail.com").match_key
    'taroyamada@gmail.com'
    >>> nz.normalize_phone("03-1234-5678").e164
    '+81312345678'
    >>> nz.normalize_name("山田　太郎 様").romaji == nz.normalize_name("Taro YAMADA").romaji
    True
    >>> nz.country_code("日本"), nz.jp_prefecture("JP-13")
    ('JP', '東京都')
"""

from __future__ import annotations

from dchkit.normalize._parallel import read_processes, set_workers, worker_count
from dchkit.normalize._vector import map_distinct, map_distinct_fields
from dchkit.normalize.address import (
    AddressColumns,
    AddressResult,
    normalize_address,
    normalize_address_column,
)
from dchkit.normalize.countries import country_code, country_code_column
from dchkit.normalize.dates import DateColumns, DateResult, parse_date, parse_date_column
from dchkit.normalize.email import (
    EmailColumns,
    EmailResult,
    email_match_key,
    normalize_email,
    normalize_email_column,
)
from dchkit.normalize.kana import (
    is_kana,
    kana_key,
    kana_key_column,
    katakana_column,
    to_hiragana,
    to_katakana,
)
from dchkit.normalize.name import (
    NameColumns,
    NameParts,
    NamePartsColumns,
    NameResult,
    clean_name,
    name_key,
    normalize_name,
    normalize_name_column,
    sorted_name_key,
    split_name,
    split_name_column,
)
from dchkit.normalize.nicknames import NICKNAMES, given_name_key, given_name_key_column
from dchkit.normalize.numerals import kanji_to_int
from dchkit.normalize.phone import (
    PhoneColumns,
    PhoneResult,
    normalize_phone,
    normalize_phone_column,
)
from dchkit.normalize.postcode import (
    PostcodeColumns,
    PostcodeResult,
    normalize_postcode,
    normalize_postcode_column,
)
from dchkit.normalize.reading import has_kanji, kanji_reading, pykakasi_available
from dchkit.normalize.regions import jp_prefecture, us_state
from dchkit.normalize.romaji import kana_to_romaji, romaji_key, romaji_key_column
from dchkit.normalize.text import clean_text, clean_text_column, strip_latin_accents
from dchkit.normalize.variants import KANJI_VARIANTS, fold_variants

__all__ = [
    "KANJI_VARIANTS",
    "NICKNAMES",
    "AddressColumns",
    "AddressResult",
    "DateColumns",
    "DateResult",
    "EmailColumns",
    "EmailResult",
    "NameColumns",
    "NameParts",
    "NamePartsColumns",
    "NameResult",
    "PhoneColumns",
    "PhoneResult",
    "PostcodeColumns",
    "PostcodeResult",
    "clean_name",
    "clean_text",
    "clean_text_column",
    "country_code",
    "country_code_column",
    "email_match_key",
    "fold_variants",
    "given_name_key",
    "given_name_key_column",
    "has_kanji",
    "is_kana",
    "jp_prefecture",
    "kana_key",
    "kana_key_column",
    "kana_to_romaji",
    "kanji_reading",
    "kanji_to_int",
    "katakana_column",
    "map_distinct",
    "map_distinct_fields",
    "name_key",
    "normalize_address",
    "normalize_address_column",
    "normalize_email",
    "normalize_email_column",
    "normalize_name",
    "normalize_name_column",
    "normalize_phone",
    "normalize_phone_column",
    "normalize_postcode",
    "normalize_postcode_column",
    "parse_date",
    "parse_date_column",
    "pykakasi_available",
    "read_processes",
    "romaji_key",
    "romaji_key_column",
    "set_workers",
    "sorted_name_key",
    "split_name",
    "split_name_column",
    "strip_latin_accents",
    "to_hiragana",
    "to_katakana",
    "us_state",
    "worker_count",
]
