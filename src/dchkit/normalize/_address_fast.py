"""Find the Japanese addresses that normalization leaves as they are, column-wise.

Most street lines in Japanese exports are already written the way
:func:`~dchkit.normalize.normalize_address` writes them (``博多駅前4-19-17 コーポ 307``):
no kanji numerals before a unit or after ``3-``, no 丁目/番地/番/号 units, no の links, hyphens between block numbers, no
leading postcode, no prefecture, and no city whose prefecture would be added. For such a
cleaned text every step of the Japanese path is the identity, so its ``address`` is the
text itself. Each condition below is what one step needs to change something, checked with
Arrow's regular expressions over the whole column instead of once per value in Python;
anything that might change goes the scalar way.

Street lines in plain ASCII (``1263 River St``) with no US state and ZIP or country name
at the end are neither Japanese nor recognisably American to :func:`normalize_address`, so
their ``address`` is the text as well (:func:`unchanged_latin_addresses`).

The most common change, block numbers with units (``錦3丁目5番7号``, ``錦3丁目5-7``,
``錦四丁目5番地7``), is made here too (:func:`hyphenated_jp_addresses`): numbering rewrites exactly those units
to hyphens when the rest of the text is of the unchanged kind, so the rewritten text must
pass the same test. ``tests/property/test_normalize_columnar.py``
checks the two agree.
"""

from __future__ import annotations

import functools

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from dchkit.normalize.numerals import KANJI_DIGITS
from dchkit.normalize.regions import DESIGNATED_CITIES, JP_PREFECTURES, TOKYO_WARDS

__all__ = ["hyphenated_jp_addresses", "unchanged_jp_addresses", "unchanged_latin_addresses"]

# Japanese script (a subset of what address._normalize takes as Japanese: kana, kanji).
_JAPANESE = "[\\x{3040}-\\x{30ff}\\x{3005}-\\x{3007}\\x{3400}-\\x{4dbf}\\x{4e00}-\\x{9fff}]"
# Whitespace other than the ASCII space (cleaned text has none; if it does, go slow).
_OTHER_SPACE = "[\\t\\n\\x{0b}\\x{0c}\\r\\x{1c}-\\x{1f}\\x{85}\\x{a0}\\x{1680}\\x{2000}-\\x{200a}\\x{2028}\\x{2029}\\x{202f}\\x{205f}\\x{3000}]"
_MAY_CHANGE = "|".join(
    (
        # a leading postcode, or a leading space (address._JP_POSTCODE, lstrip)
        "^[〒0-9 ]",
        # units and の links (_LINK_UNIT, _LINK_NO, _END_UNIT; and the numerals before them)
        "[丁番割の]",
        # kanji numerals before the other units or after a number and a hyphen
        # (_KANJI_BEFORE_UNIT, _KANJI_AFTER_LINK); elsewhere (三軒茶屋, 六本木) they stay
        f"[{KANJI_DIGITS}十百千](?:号|条|線)",
        f"[0-9]-[{KANJI_DIGITS}十百千]",
        # a kanji numeral against a digit: what is left of 十三丁目 once 三丁目 is rewritten
        # (hyphenated_jp_addresses rewrites single numerals only)
        f"[{KANJI_DIGITS}十百千][0-9]",
        # a number followed by 号 other than 号室/号館/号棟 (_END_UNIT)
        "[0-9] *号(?:[^室館棟]|$)",
        # a dash between numbers that is not a bare ASCII hyphen (_DASH)
        "[0-9] *[‐‑‒–—―−ーｰ－~～] *[0-9]",
        "[0-9] +- *[0-9]",
        "[0-9]- +[0-9]",
        # a space after a city name, which the split would drop (_jp_split's lstrip)
        "[市区町村] ",
        _OTHER_SPACE,
    )
)


@functools.cache
def _heads() -> dict[int, pa.Array]:
    """Text starts that make the split add a prefecture, grouped by length.

    Prefecture names with or without their suffix, designated cities and Tokyo wards (the
    city the split finds is a prefix of the text, and so is the name it looks up).
    """
    names = set(JP_PREFECTURES) | set(DESIGNATED_CITIES) | set(TOKYO_WARDS)
    names |= {name[:-1] for name in JP_PREFECTURES if name != "北海道"}
    by_length: dict[int, list[str]] = {}
    for name in names:
        by_length.setdefault(len(name), []).append(name)
    return {length: pa.array(sorted(group), pa.string()) for length, group in by_length.items()}


def unchanged_jp_addresses(values: pa.Array) -> np.ndarray:
    """Mask of the cleaned texts whose normalized Japanese ``address`` is the text itself."""
    ok = pc.and_(
        pc.match_substring_regex(values, _JAPANESE),
        pc.invert(pc.match_substring_regex(values, _MAY_CHANGE)),
    )
    for length, names in _heads().items():
        head = pc.utf8_slice_codeunits(values, 0, length)
        ok = pc.and_(ok, pc.invert(pc.is_in(head, value_set=names)))
    return np.asarray(pc.fill_null(ok, False).to_numpy(zero_copy_only=False), dtype=bool)


# ``{no digits}3丁目5番7号{rest}`` and ``{no digits}3丁目5-7{rest}``: _LINK_UNIT turns 丁目 and
# 番 (each followed by a digit) into hyphens and _END_UNIT drops the 号 (unless 室/館/棟
# follows, which keeps it); everything else is left to the unchanged-text test below.
_UNITS_FULL = "^([^0-9]*)([0-9]+)丁目([0-9]+)番([0-9]+)号((?:[^室館棟].*)?)$"
_UNITS_HYPHEN = "^([^0-9]*)([0-9]+)丁目([0-9]+)-([0-9]+)(.*)$"
# ``3丁目5番地7``: _LINK_UNIT turns 番地 before a digit into a hyphen as well.
_UNITS_CHIBAN = "^([^0-9]*)([0-9]+)丁目([0-9]+)番地([0-9]+)(.*)$"
# ``四丁目``: _KANJI_BEFORE_UNIT writes a kanji numeral before a unit in digits; a single
# digit is rewritten here (a longer numeral such as 十四 leaves a kanji the test rejects).
_KANJI_CHOME = {
    f"{kanji}丁目": f"{digit}丁目" for digit, kanji in enumerate("一二三四五六七八九", 1)
}


def hyphenated_jp_addresses(values: pa.Array) -> tuple[np.ndarray, pa.Array]:
    """Mask of the cleaned texts whose ``address`` is their block numbers hyphenated.

    Returns:
        The mask, and the addresses (only the masked rows' values are meaningful).
    """
    for kanji, digits in _KANJI_CHOME.items():
        values = pc.replace_substring(values, kanji, digits)
    candidate = pa.array(np.zeros(len(values), dtype=bool))
    rewritten = values
    for pattern in (_UNITS_FULL, _UNITS_HYPHEN, _UNITS_CHIBAN):  # at most one matches
        candidate = pc.or_(candidate, pc.match_substring_regex(values, pattern))
        rewritten = pc.replace_substring_regex(rewritten, pattern, "\\1\\2-\\3-\\4\\5")
    candidate = pc.fill_null(candidate, False).to_numpy(zero_copy_only=False)
    return np.logical_and(candidate, unchanged_jp_addresses(rewritten)), rewritten


# What address._looks_us needs to say yes, spelled wider (so a miss here is a miss there):
# _US_TAIL's end (a separator, a word, whitespace, a ZIP) and _COUNTRY_SUFFIX. On ASCII
# text Python's \s is [\t\n\v\f\r\x1c-\x1f ] and its re.I folds ASCII letters only.
_ASCII_SPACE = r"[\t\n\x0b\x0c\r\x1c-\x1f ]"
_US_END = (
    r"[,\t\n\x0b\x0c\r\x1c-\x1f ][A-Za-z][A-Za-z .]*\.?"
    + _ASCII_SPACE
    + r"+[0-9]{5}(?:-?[0-9]{4})?$"
)
_COUNTRY_END = (
    r"(?i)[,\t\n\x0b\x0c\r\x1c-\x1f ]+(?:USA|U\.S\.A\.?|US|U\.S\.?|United States(?: of America)?)$"
)


def unchanged_latin_addresses(values: pa.Array) -> np.ndarray:
    """Mask of the cleaned ASCII texts whose ``address`` (country unknown) is the text itself.

    Without Japanese script the country is not JP, and without a state and ZIP or a
    country name at the end it is not US either, so the text is returned as it is.
    """
    ok = pc.and_(
        pc.string_is_ascii(values),
        pc.invert(
            pc.or_(
                pc.match_substring_regex(values, _US_END),
                pc.match_substring_regex(values, _COUNTRY_END),
            )
        ),
    )
    return np.asarray(pc.fill_null(ok, False).to_numpy(zero_copy_only=False), dtype=bool)
