"""Japanese names written as two words (``山田 太郎``, ``山田　太郎``), split column-wise.

Also: which Japanese names are already clean (:func:`clean_japanese_names`).

For a value that is two runs of kanji or kana separated by spaces (ASCII or U+3000),
:func:`~dchkit.normalize.split_name`'s cleaning only turns the spaces into one ASCII space
(those characters are NFKC-stable, no aside, title or suffix can be among them), unless
the name ends with an honorific (様, さん …), which goes the scalar way. Such a name is
Japanese, so it splits at the space: family name first. Arrow's regular expressions do
this for the whole column at once; ``tests/property/test_normalize_columnar.py`` checks
the result against the scalar path.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["FastNames", "clean_japanese_names", "spaced_japanese_names"]

# Hiragana (without the combining and spacing voicing marks), katakana with the long-vowel
# mark, and the CJK unified ideographs: all NFKC-stable and word characters.
_WORD = "[\\x{3041}-\\x{3096}\\x{30a1}-\\x{30fa}\\x{30fc}\\x{4e00}-\\x{9fff}]+"
_SPACE = "[ \\x{3000}]"
_TWO_WORDS = f"^{_SPACE}*(?P<family>{_WORD}){_SPACE}+(?P<given>{_WORD}){_SPACE}*$"
_CLEAN_WORDS = f"^{_WORD}(?: {_WORD})*$"


@dataclass(frozen=True)
class FastNames:
    """Family and given names of the ``rows`` the fast path answered (suffix: none)."""

    rows: np.ndarray
    family: pa.Array
    given: pa.Array


def spaced_japanese_names(values: pa.Array, honorifics: tuple[str, ...]) -> FastNames:
    """Split the two-word Japanese names of a string column.

    Args:
        values: The column (Arrow ``string``).
        honorifics: Endings the scalar cleaning strips (``name._JA_HONORIFIC``'s words);
            names ending with one of them are left to the scalar path.
    """
    match = pc.match_substring_regex(values, _TWO_WORDS)
    trimmed = pc.utf8_rtrim(values, " \u3000")
    for honorific in honorifics:
        match = pc.and_(match, pc.invert(pc.ends_with(trimmed, honorific)))
    rows = np.flatnonzero(pc.fill_null(match, False).to_numpy(zero_copy_only=False))
    parts = pc.extract_regex(values.take(pa.array(rows, pa.int64())), _TWO_WORDS)
    return FastNames(
        rows=rows,
        family=pc.struct_field(parts, "family"),
        given=pc.struct_field(parts, "given"),
    )


def clean_japanese_names(values: pa.Array, honorifics: tuple[str, ...]) -> np.ndarray:
    """Mask of the Japanese names :func:`~dchkit.normalize.clean_name` returns unchanged.

    Words of kanji or kana with one ASCII space between them and none around, not ending
    with an honorific: cleaning has nothing to fold, collapse or strip.
    """
    match = pc.match_substring_regex(values, _CLEAN_WORDS)
    for honorific in honorifics:
        match = pc.and_(match, pc.invert(pc.ends_with(values, honorific)))
    return np.asarray(pc.fill_null(match, False).to_numpy(zero_copy_only=False), dtype=bool)
