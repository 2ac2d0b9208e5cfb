"""Kana: hiragana ↔ katakana, half-width katakana, and a comparable reading key.

Readings (furigana) of the same name arrive as ``やまだ たろう``, ``ヤマダ　タロウ``,
``ﾔﾏﾀﾞﾀﾛｳ`` (legacy and bank systems, which also lack small kana: ``ｷﾔﾉﾝ`` for キャノン),
``サトー`` or ``サトウ``. :func:`kana_key` folds all of those together: katakana, full width,
small kana written large, ヂ/ヅ as ジ/ズ, ヰ/ヱ/ヲ as イ/エ/オ, no spaces or dots, and long
vowels folded (``ー`` dropped; オ or ウ after an o-sound, ウ after a u-sound, ア after an
a-sound, イ after an i-sound and エ after an e-sound dropped).

Examples:
    >>> from dchkit.normalize import kana_key, to_hiragana, to_katakana
    >>> to_katakana("やまだ ﾀﾛｳ")
    'ヤマダ タロウ'
    >>> to_hiragana("ヤマダ・タロウ")
    'やまだ・たろう'
    >>> kana_key("さとう"), kana_key("ｻﾄｰ"), kana_key("サト")
    ('サト', 'サト', 'サト')
    >>> kana_key("オオノ") == kana_key("おの") == kana_key("オーノ")
    True
    >>> kana_key("ｷﾔﾉﾝ") == kana_key("キャノン")
    True
"""

from __future__ import annotations

import unicodedata
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from dchkit.normalize._args import require_text
from dchkit.normalize._vector import as_string_array, map_distinct
from dchkit.normalize.text import clean_text

__all__ = [
    "is_kana",
    "kana_key",
    "kana_key_column",
    "katakana_column",
    "to_hiragana",
    "to_katakana",
]

_HIRAGANA_FIRST, _HIRAGANA_LAST = 0x3041, 0x3096  # ぁ … ゖ
_SHIFT = 0x60  # ア - あ
_TO_KATAKANA = {c: c + _SHIFT for c in range(_HIRAGANA_FIRST, _HIRAGANA_LAST + 1)}
_TO_KATAKANA |= {ord("ゝ"): ord("ヽ"), ord("ゞ"): ord("ヾ")}
_TO_HIRAGANA = {v: k for k, v in _TO_KATAKANA.items()}

_SMALL_TO_LARGE = str.maketrans("ァィゥェォッャュョヮヵヶ", "アイウエオツヤユヨワカケ")
_HOMOPHONES = str.maketrans({"ヂ": "ジ", "ヅ": "ズ", "ヰ": "イ", "ヱ": "エ", "ヲ": "オ"})

# The vowel each (large) katakana ends in; used to fold long vowels.
_VOWEL_ROWS = {
    "a": "アカガサザタダナハバパマヤラワ",
    "i": "イキギシジチヂニヒビピミリ",
    "u": "ウクグスズツヅヌフブプムユルヴ",
    "e": "エケゲセゼテデネヘベペメレ",
    "o": "オコゴソゾトドノホボポモヨロヲ",
}
_VOWEL_OF = {kana: vowel for vowel, row in _VOWEL_ROWS.items() for kana in row}
# A vowel kana dropped after a kana ending in one of these vowels (long-vowel spellings).
_LONG_AFTER = {"ア": "a", "イ": "i", "ウ": "ou", "エ": "e", "オ": "o"}


def to_katakana(text: str) -> str:
    """Return ``text`` NFKC-normalized with hiragana turned into katakana."""
    return unicodedata.normalize("NFKC", text).translate(_TO_KATAKANA)


def to_hiragana(text: str) -> str:
    """Return ``text`` NFKC-normalized with katakana turned into hiragana (where one exists)."""
    return unicodedata.normalize("NFKC", text).translate(_TO_HIRAGANA)


def is_kana(text: str) -> bool:
    """Whether every non-space character of ``text`` is kana (or ー, ・)."""
    letters = [c for c in text if not c.isspace()]
    return bool(letters) and all(_is_kana_char(c) for c in letters)


def _is_kana_char(char: str) -> bool:
    return "\u3041" <= char <= "\u30ff" or "\uff66" <= char <= "\uff9f" or char == "ー"


def kana_key(value: str | None) -> str | None:
    """Return the comparable reading key of kana text; None if it has no kana.

    Characters other than kana (kanji, latin, digits, punctuation) are dropped.

    Raises:
        NormalizationError: ``value`` is not a ``str`` or ``None``.
    """
    text = require_text(value, "kana_key")
    if text is None:
        return None
    text = to_katakana(text).translate(_SMALL_TO_LARGE).translate(_HOMOPHONES)
    out: list[str] = []
    previous_vowel = ""
    for char in text:
        if char in ("ヽ", "ヾ") and out:  # iteration marks repeat the previous kana
            voiced = unicodedata.normalize("NFC", out[-1] + "\u3099")
            char = voiced if char == "ヾ" and len(voiced) == 1 else out[-1]
        if char == "ー":
            continue
        if char in _LONG_AFTER and previous_vowel and previous_vowel in _LONG_AFTER[char]:
            continue
        if "\u30a1" <= char <= "\u30fa":
            out.append(char)
            previous_vowel = _VOWEL_OF.get(char, "")
    return "".join(out) or None


def kana_key_column(values: Any) -> pa.Array:
    """Column form of :func:`kana_key` (one call per distinct value)."""
    return map_distinct(values, kana_key, pa.string(), what="kana_key_column")


def _clean_katakana(value: str | None) -> str | None:
    text = clean_text(value)
    return None if text is None else to_katakana(text)


def katakana_column(values: Any) -> pa.Array:
    """Column of readings as katakana, one call per distinct value.

    Each value is cleaned (:func:`~dchkit.normalize.clean_text`) and then passed through
    :func:`to_katakana`; blank values become None.

    Examples:
        >>> katakana_column(["やまだ　たろう", "ﾔﾏﾀﾞ ﾀﾛｳ", " ", None]).to_pylist()
        ['ヤマダ タロウ', 'ヤマダ タロウ', None, None]
    """
    array = as_string_array(values, what="katakana_column")
    # Full-width katakana words with single spaces are what cleaning and to_katakana
    # return unchanged (NFKC-stable, not hiragana): kept by Arrow compute.
    done = pc.fill_null(pc.match_substring_regex(array, _KATAKANA_WORDS), False)
    slow = pc.invert(done)
    rest = map_distinct(array.filter(slow), _clean_katakana, pa.string(), what="katakana_column")
    return pc.replace_with_mask(array, slow, rest)


_KATAKANA_WORDS = "^[\\x{30a1}-\\x{30fc}]+(?: [\\x{30a1}-\\x{30fc}]+)*$"
