r"""Generic text cleaning: Unicode NFKC, invisible characters, every kind of space.

NFKC folds full-width latin and digits (``ＡＢＣ１２３`` → ``ABC123``), half-width katakana
(``ﾔﾏﾀﾞ`` → ``ヤマダ``), the ideographic space U+3000 and compatibility characters (``㈱`` →
``(株)``, ``㍻`` → ``平成``). Zero-width characters, variation selectors (kanji IVS such as
the one-dot 辻) and control characters are removed, and runs of whitespace collapse into
one ASCII space.

Examples:
    >>> from dchkit.normalize import clean_text, strip_latin_accents
    >>> clean_text("　ＹＡＭＡＤＡ\u3000　Ｔａｒｏ ")
    'YAMADA Taro'
    >>> clean_text("ﾔﾏﾀﾞ ﾀﾛｳ")
    'ヤマダ タロウ'
    >>> clean_text(" \t ") is None
    True
    >>> strip_latin_accents("José Müller ガ")
    'Jose Muller ガ'
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from dchkit.normalize._args import require_text
from dchkit.normalize._vector import as_string_array, map_distinct

__all__ = ["clean_text", "clean_text_column", "strip_latin_accents"]

_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff\uffa0\U000e0000-\U000e0fff]"
)
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SPACES = re.compile(r"\s+")


def clean_text(value: str | None) -> str | None:
    """Return ``value`` NFKC-normalized, invisibles removed, spaces collapsed; None if blank.

    Raises:
        NormalizationError: ``value`` is not a ``str`` or ``None``.
    """
    text = require_text(value, "clean_text")
    if text is None:
        return None
    if text.isascii() and text.isprintable():
        # NFKC, invisibles and controls leave printable ASCII as it is; only spaces remain.
        return " ".join(text.split()) or None
    text = _CONTROL.sub(" ", _INVISIBLE.sub("", text))
    text = unicodedata.normalize("NFKC", text)
    text = _SPACES.sub(" ", _INVISIBLE.sub("", text)).strip()
    return text or None


def strip_latin_accents(text: str) -> str:
    """Remove accents from latin letters only (``é`` → ``e``), never kana voicing marks.

    A blanket "remove combining marks" would turn ``ガ`` into ``カ``; here a mark is dropped
    only when the letter it decorates is latin.
    """
    if text.isascii():
        return text
    out: list[str] = []
    for char in unicodedata.normalize("NFD", text):
        if unicodedata.combining(char) and out and _is_latin(out[-1]):
            continue
        out.append(char)
    return unicodedata.normalize("NFC", "".join(out))


def _is_latin(char: str) -> bool:
    return char.isascii() or "LATIN" in unicodedata.name(char, "")


# Text that clean_text returns as it is: words of printable ASCII, hiragana, katakana or
# CJK unified ideographs (none has an NFKC decomposition that changes it, none is
# invisible, a control or a space), one ASCII space between words, none around them.
_CLEAN_CHAR = "[\\x{21}-\\x{7e}\\x{3041}-\\x{3096}\\x{30a1}-\\x{30fc}\\x{4e00}-\\x{9fff}]"
_ALREADY_CLEAN = f"^{_CLEAN_CHAR}+(?: {_CLEAN_CHAR}+)*$"


def clean_text_column(values: Any) -> pa.Array:
    r"""Column form of :func:`clean_text` (one call per distinct value).

    Values that are already clean (common words and scripts, single spaces) are recognized
    by Arrow compute and kept as they are, those that only need their spaces collapsed
    (line breaks, U+3000) are collapsed there; only the others are cleaned in Python.

    Examples:
        >>> clean_text_column(["山田 太郎", "錦9-5-7\nハイツ", "ＡＢＣ", "  ", None]).to_pylist()
        ['山田 太郎', '錦9-5-7 ハイツ', 'ABC', None, None]
    """
    array = as_string_array(values, what="clean_text_column")
    clean = pc.fill_null(pc.match_substring_regex(array, _ALREADY_CLEAN), False)
    if pc.all(clean).as_py():
        return array
    result = array
    # The same words with other spacing (line breaks, tabs, U+3000, runs, around): cleaning
    # only collapses the spaces (NFKC turns U+3000 into a space).
    spaced = pc.and_(pc.invert(clean), pc.match_substring_regex(array, _SPACED))
    positions = np.flatnonzero(pc.fill_null(spaced, False).to_numpy(zero_copy_only=False))
    if len(positions):
        collapsed = pc.utf8_trim(
            pc.replace_substring_regex(
                array.take(pa.array(positions, pa.int64())), _SPACE_RUN, " "
            ),
            " ",
        )
        ok = pc.fill_null(pc.match_substring_regex(collapsed, _ALREADY_CLEAN), False)
        done_np = np.zeros(len(array), dtype=bool)
        done_np[positions[ok.to_numpy(zero_copy_only=False)]] = True
        if done_np.any():
            done = pa.array(done_np)
            result = pc.replace_with_mask(array, done, collapsed.filter(ok))
            clean = pc.or_(clean, done)
    slow = pc.invert(clean)
    rest = map_distinct(array.filter(slow), clean_text, pa.string(), what="clean_text_column")
    return pc.replace_with_mask(result, slow, rest)


_SPACE_CHARS = "\\t\\n\\r \\x{3000}"
_SPACED = f"^(?:{_CLEAN_CHAR}|[{_SPACE_CHARS}])*$"
_SPACE_RUN = f"[{_SPACE_CHARS}]+"
