"""Address match keys for a whole column, with Arrow compute where the key is plain.

The resolver compares addresses by ``normalize_address(text).key``. Computing it once per
distinct address costs ~150 µs in Python (cleaning, the prefecture and city split, block
numbering, variant folding), which is most of a million-record resolve's feature time.
For most addresses the key is a simple function of the cleaned text:

- Japanese text whose block numbers are already written with hyphens (no kanji numeral
  before a unit, no 丁目/番/号 units or の links after a number, no leading postcode) and
  that does not start with a prefecture: the key is the text without spaces, commas and 大字, lower-cased — the
  prefecture/city split only moves spaces, which the key drops;
- other ASCII text that does not look like a US address with state and ZIP: the key is
  the text lower-cased with runs of non-word characters turned into one space.

Anything else — kanji variants (髙), ケ between kanji, characters outside kana, kanji and
ASCII, a leading prefecture — is left to :func:`~dchkit.normalize.normalize_address`, once
per distinct value. ``tests/property/test_feature_fastpaths.py`` checks the two agree.
"""

from __future__ import annotations

import functools
import re

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from dchkit.normalize.address import normalize_address_column
from dchkit.normalize.numerals import KANJI_DIGITS
from dchkit.normalize.regions import JP_PREFECTURES
from dchkit.normalize.text import clean_text_column
from dchkit.normalize.variants import KANJI_VARIANTS

__all__ = ["address_key_column"]

_JAPANESE = "[\\x{3040}-\\x{30ff}\\x{4e00}-\\x{9fff}]"
# Printable ASCII, the ideographic iteration mark, kana without the combining voicing marks
# (which would join a kana once a space between them is dropped) and unified kanji:
# characters whose lower-casing equals case-folding and that NFKC leaves alone.
_SAFE_JP = "^[\\x{20}-\\x{7e}\\x{3005}\\x{3041}-\\x{3096}\\x{309d}-\\x{30ff}\\x{4e00}-\\x{9fff}]*$"
# What block numbering or the postcode split would rewrite (address._jp_numbering,
# _JP_POSTCODE): each pattern is a superset of what one of its steps changes.
_KANJI_NUMBER = f"[{KANJI_DIGITS}十百千]"
_NUMBERING = "|".join(
    (
        "^〒|^[0-9]{3}",  # a leading postcode
        f"{_KANJI_NUMBER}(?:丁|番|号|条|線|地割)",  # 三丁目 -> 3丁目
        f"[0-9] *[の-] *{_KANJI_NUMBER}",  # 3の五, 3-五 -> 3-5
        "[0-9] *(?:丁目|番|地割)",  # units after a number -> hyphens
        "[0-9] *号(?:[^室館棟]|$)",  # 7号 -> 7 (but 205号室 stays)
        "[0-9] *の *[0-9]",  # 3の5 -> 3-5
        "[0-9] *[‐‑‒–—―−ーｰ－~～] *[0-9]",  # other dashes -> -
        "[0-9] +- *[0-9]",  # spaces around a hyphen
        "[0-9]- +[0-9]",
    )
)
_VARIANTS = "[" + "".join(re.escape(char) for char in KANJI_VARIANTS) + "]"
_KE_CONTEXT = "[\\x{4e00}-\\x{9fff}][ヶケがガヵ][\\x{4e00}-\\x{9fff}]"
_KEY_DROPS = "大字|[\\s,、，]+"
# What makes a plain ASCII text a US address for the scalar path (address._looks_us).
_US_LIKE = (
    "(?i)[0-9]{5}(?:-?[0-9]{4})?$|[,\\s]+(?:USA|U\\.S\\.A\\.?|US|U\\.S\\.?"
    "|United States(?: of America)?)$"
)


@functools.cache
def _prefecture_heads() -> tuple[dict[int, pa.Array], dict[int, pa.Array]]:
    """Prefecture names, and those without their suffix, grouped by length."""
    full: dict[int, list[str]] = {}
    bare: dict[int, list[str]] = {}
    for name in JP_PREFECTURES:
        full.setdefault(len(name), []).append(name)
        if name != "北海道":
            bare.setdefault(len(name) - 1, []).append(name[:-1])
    return (
        {n: pa.array(sorted(group), pa.string()) for n, group in full.items()},
        {n: pa.array(sorted(group), pa.string()) for n, group in bare.items()},
    )


def _starts_with_prefecture(cleaned: pa.Array) -> np.ndarray:
    """Texts the split would take a prefecture off (address._jp_prefecture_prefix).

    A full name always; a name without its suffix unless a suffix follows (京都市 is a
    city, 京都 左京区 names the prefecture).
    """
    full, bare = _prefecture_heads()
    found = np.zeros(len(cleaned), dtype=bool)
    for length, names in full.items():
        head = pc.utf8_slice_codeunits(cleaned, 0, length)
        found |= _in(head, names)
    suffixes = pa.array(["市", "府", "都", "県"], pa.string())
    for length, names in bare.items():
        head = pc.utf8_slice_codeunits(cleaned, 0, length)
        after = pc.utf8_slice_codeunits(cleaned, length, length + 1)
        found |= _in(head, names) & ~_in(after, suffixes)
    return found


def _in(values: pa.Array, names: pa.Array) -> np.ndarray:
    hit = pc.fill_null(pc.is_in(values, value_set=names), False)
    return np.asarray(hit.to_numpy(zero_copy_only=False), dtype=bool)


def _matches(values: pa.Array, pattern: str) -> np.ndarray:
    found = pc.fill_null(pc.match_substring_regex(values, pattern), False)
    return np.asarray(found.to_numpy(zero_copy_only=False), dtype=bool)


def _plain_japanese(cleaned: pa.Array) -> tuple[np.ndarray, pa.Array]:
    """Rows whose Japanese key is the compacted text, and that compacted text."""
    plain = (
        _matches(cleaned, _JAPANESE)
        & _matches(cleaned, _SAFE_JP)
        & ~_matches(cleaned, _NUMBERING)
        & ~_matches(cleaned, _VARIANTS)
    )
    plain &= ~_starts_with_prefecture(cleaned)
    compact = pc.replace_substring_regex(cleaned, _KEY_DROPS, "")
    plain &= ~_matches(compact, _KE_CONTEXT)
    return plain, pc.utf8_lower(compact)


def _plain_other(cleaned: pa.Array) -> tuple[np.ndarray, pa.Array]:
    """Rows of printable ASCII that the scalar path keys generically, and their keys."""
    ascii_text = pc.fill_null(pc.string_is_ascii(cleaned), False).to_numpy(zero_copy_only=False)
    plain = np.asarray(ascii_text, dtype=bool) & _matches(cleaned, "^[\\x{20}-\\x{7e}]*$")
    plain &= ~_matches(cleaned, _US_LIKE)
    spaced = pc.replace_substring_regex(pc.utf8_lower(cleaned), "[^a-z0-9_]+", " ")
    return plain, pc.utf8_trim_whitespace(spaced)


def address_key_column(values: pa.Array) -> pa.Array:
    """``normalize_address_column(values).key``, with Arrow compute for plain addresses.

    Examples:
        >>> address_key_column(pa.array(["世田谷区 若林2-27-9", "Chicago 1945 Sunset St."])).to_pylist()
        ['世田谷区若林2-27-9', 'chicago 1945 sunset st']
    """
    cleaned = clean_text_column(values)
    japanese, japanese_key = _plain_japanese(cleaned)
    other, other_key = _plain_other(cleaned)
    other &= ~japanese
    key = pc.if_else(pa.array(japanese), japanese_key, other_key)
    fast = japanese | other
    key = pc.if_else(pc.equal(key, ""), pa.scalar(None, pa.string()), key)
    if fast.all():
        return key
    slow = pa.array(~fast & np.asarray(pc.is_valid(cleaned).to_numpy(zero_copy_only=False)))
    if not pc.any(slow).as_py():
        return pc.if_else(pa.array(fast), key, pa.scalar(None, pa.string()))
    rest = normalize_address_column(cleaned.filter(slow)).key
    filled = pc.replace_with_mask(key, slow, rest)
    return pc.if_else(pc.is_valid(cleaned), filled, pa.scalar(None, pa.string()))
