"""Kanji numerals → integers (一 → 1, 二十三 → 23, 千二百 → 1200, 二〇二四 → 2024).

Both styles are read: with the multipliers 十/百/千/万 (``二十三``) and digit by digit
(``二〇二四``, common in dates). Arabic digits mixed in are accepted (``2十`` is rare but
harmless).

Examples:
    >>> from dchkit.normalize import kanji_to_int
    >>> kanji_to_int("二十三"), kanji_to_int("百五"), kanji_to_int("二〇二四"), kanji_to_int("十")
    (23, 105, 2024, 10)
    >>> kanji_to_int("山") is None
    True
"""

from __future__ import annotations

__all__ = ["KANJI_DIGITS", "kanji_to_int"]

#: Kanji digits 0–9 (〇 and 零 for zero).
KANJI_DIGITS = "〇零一二三四五六七八九"
_DIGIT_VALUE = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0}
_DIGIT_VALUE |= {str(i): i for i in range(10)}
_SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
_LARGE_UNITS = {"万": 10_000, "億": 100_000_000}


def kanji_to_int(text: str) -> int | None:
    """Return the value of a kanji numeral, or None if ``text`` is not one."""
    if not text or any(
        c not in _DIGIT_VALUE and c not in _SMALL_UNITS and c not in _LARGE_UNITS for c in text
    ):
        return None
    if not any(c in _SMALL_UNITS or c in _LARGE_UNITS for c in text):
        return int("".join(str(_DIGIT_VALUE[c]) for c in text))
    total = section = 0
    digit: int | None = None
    for char in text:
        if char in _DIGIT_VALUE:
            digit = _DIGIT_VALUE[char] if digit is None else digit * 10 + _DIGIT_VALUE[char]
        elif char in _SMALL_UNITS:
            section += (1 if digit is None else digit) * _SMALL_UNITS[char]
            digit = None
        else:
            section += digit or 0
            total += (section or 1) * _LARGE_UNITS[char]
            section, digit = 0, None
    return total + section + (digit or 0)
