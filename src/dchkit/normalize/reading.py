"""Kanji → katakana readings with pykakasi (the optional ``ja`` extra), imported lazily.

pykakasi's dictionary reads common family and given names well (山田 → ヤマダ, 東海林 →
ショウジ) and splits an unspaced full name into words (佐藤健 → 佐藤 / 健). Kanji variants are
folded first (髙橋 → 高橋), because pykakasi does not know the rare forms.

Its dictionary lookups are indexed (``_kakasi``: same answers, ~3x faster per name).
Without pykakasi installed (``pip install "dchkit[ja]"``), :func:`kanji_reading` returns
None and names written only in kanji get no reading or romaji key; nothing fails.
A reading is also None when any kanji in the text has no reading, rather than a partial,
misleading one.

Examples:
    >>> from dchkit.normalize import kanji_reading
    >>> kanji_reading("髙橋 ひろみ")
    (('高橋', 'タカハシ'), ('ひろみ', 'ヒロミ'))
    >>> kanji_reading("佐藤健")
    (('佐藤', 'サトウ'), ('健', 'タケシ'))
"""

from __future__ import annotations

import functools
import re
from typing import Any

from dchkit.normalize._kakasi import accelerate
from dchkit.normalize.variants import fold_variants

__all__ = ["has_kanji", "kanji_reading", "pykakasi_available"]

_KANJI = re.compile(
    "[\u3005\u3006\u3007\u303b\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003ffff]"
)


def has_kanji(text: str) -> bool:
    """Whether ``text`` contains a kanji (CJK ideograph, 々 or 〆)."""
    return _KANJI.search(text) is not None


@functools.cache
def _converter() -> Any:
    try:
        import pykakasi  # optional dependency (the ja extra), imported on first use
    except ImportError:
        return None
    return accelerate(pykakasi.kakasi())  # type: ignore[no-untyped-call]


def pykakasi_available() -> bool:
    """Whether pykakasi is installed, so kanji names get readings."""
    return _converter() is not None


@functools.lru_cache(maxsize=1 << 16)
def kanji_reading(text: str) -> tuple[tuple[str, str], ...] | None:
    """Split ``text`` into words, each with its katakana reading; spaces are dropped.

    Returns:
        ``((word, reading), …)``; None when pykakasi is missing or a kanji has no reading.
    """
    converter = _converter()
    if converter is None:
        return None
    words: list[tuple[str, str]] = []
    for part in converter.convert(fold_variants(text)):
        original, kana = str(part["orig"]), str(part["kana"])
        if not original.strip():
            continue
        if has_kanji(kana) or (has_kanji(original) and not kana):
            return None
        words.append((original, kana.strip()))
    return tuple(words)
