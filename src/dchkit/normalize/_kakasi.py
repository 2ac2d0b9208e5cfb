"""Make pykakasi's kanji lookups indexed instead of scanned, with the same answers.

For each kanji run, pykakasi looks for the longest dictionary word the text starts with by
scanning *every* word that begins with the run's first kanji (hundreds for 山 or 田), about
1 ms per unspaced name; and it re-renders each word's three romanizations with a cache of
only 256 words. Here the lookup tries the text's own prefixes, longest first, against the
same dictionary (a dict lookup each), and the per-word rendering gets a large cache. The
answer is the one pykakasi's scan gives (``tests/property/test_normalize_columnar.py``
compares both over the whole dictionary): the longest word whose entry accepts the
preceding text, its first such reading.

This relies on pykakasi 2's internal layout; when that is not what is found, the
converter is left as it is (correct, only slower).
"""

from __future__ import annotations

import functools
from typing import Any

__all__ = ["accelerate"]


class _Lookup:
    """Longest-prefix lookup over pykakasi's kanji dictionary (``Kanwa``)."""

    def __init__(self, jconv: Any, table: dict[int, dict[str, Any]]) -> None:
        self._original = jconv.convert  # bound method, for texts with variation selectors
        self._itaiji = jconv._itaiji
        self._table = table
        self._longest: dict[int, int] = {}

    def convert(self, itext: str, btext: str) -> tuple[str, int]:
        text = self._itaiji.convert(itext)
        if len(text) != len(itext):  # variation selectors: pykakasi re-counts; let it
            return self._original(itext, btext)  # type: ignore[no-any-return]
        first = ord(text[0])
        words = self._table.get(first)
        if words is None:
            return "", 0
        longest = self._longest.get(first)
        if longest is None:
            longest = self._longest[first] = max(map(len, words), default=0)
        for length in range(min(len(text), longest), 0, -1):
            entries = words.get(text[:length])
            if entries:
                for reading, condition in entries:
                    if condition is None or btext in condition:
                        return reading, length
        return "", 0


def accelerate(converter: Any) -> Any:
    """Return ``converter`` (a ``pykakasi.kakasi()``) with the faster lookups installed."""
    inner: Any = getattr(converter, "_kakasi", None)
    jconv: Any = getattr(inner, "_jconv", None)
    iconv: Any = getattr(inner, "_iconv", None)
    table = getattr(getattr(jconv, "_kanwa", None), "_jisyo_table", None)
    render = getattr(getattr(type(iconv), "convert", None), "__wrapped__", None)
    if not (isinstance(table, dict) and hasattr(jconv, "_itaiji") and callable(render)):
        return converter
    jconv.convert = _Lookup(jconv, table).convert
    iconv.convert = functools.lru_cache(maxsize=1 << 16)(functools.partial(render, iconv))
    return converter
