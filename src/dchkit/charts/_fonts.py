"""Fonts for chart text, and readable fallbacks for text no installed font can show.

matplotlib's default font has no Japanese glyphs: 山田 would render as empty boxes and
warn "Glyph … missing". So the charts look for an installed font that has them (Noto Sans
CJK, IPAex, Takao …) and put it after the default in the font fallback list. Every label
taken from data then goes through :meth:`Labels.text`: if some character is in none of
the fonts, the label becomes its romaji reading (for kana) or a stated fallback such as
the record id, and the chart notes it — nothing is drawn as boxes and nothing warns.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

__all__ = ["Labels", "cjk_font", "displayable", "font_families"]

DEFAULT_FONT = "DejaVu Sans"
# Fonts with Japanese glyphs, best first; any other installed font that has them also works.
_PREFERRED = (
    "Noto Sans CJK JP",
    "Noto Sans JP",
    "Source Han Sans JP",
    "IPAexGothic",
    "IPAPGothic",
    "IPAGothic",
    "TakaoPGothic",
    "TakaoGothic",
    "VL PGothic",
    "VL Gothic",
    "BIZ UDPGothic",
    "Hiragino Sans",
    "Hiragino Kaku Gothic ProN",
    "Yu Gothic",
    "Meiryo",
    "MS Gothic",
    "Noto Sans CJK SC",
    "Droid Sans Fallback",
    "WenQuanYi Zen Hei",
)
_PROBE = "山田太郎やまだヤマダ髙"
NO_FONT_NOTE = (
    "Japanese text is shown as romaji or ids: no installed font has Japanese glyphs "
    "(install one, e.g. the Debian package fonts-noto-cjk)"
)


@functools.cache
def _charmap(path: str) -> frozenset[int]:
    """Code points a font file has glyphs for (empty when it cannot be read)."""
    from matplotlib.ft2font import FT2Font

    try:
        return frozenset(FT2Font(path).get_charmap())
    except (OSError, RuntimeError, ValueError):
        return frozenset()


@functools.cache
def cjk_font() -> str | None:
    """The family name of an installed font with Japanese glyphs, or None."""
    from matplotlib import font_manager

    paths: dict[str, str] = {}
    for entry in font_manager.fontManager.ttflist:
        if entry.style == "normal":
            paths.setdefault(entry.name, entry.fname)
    ordered = [n for n in _PREFERRED if n in paths] + sorted(set(paths) - set(_PREFERRED))
    wanted = {ord(c) for c in _PROBE}
    for name in ordered:
        if wanted <= _charmap(paths[name]):
            return name
    return None


def font_families() -> tuple[str, ...]:
    """The sans-serif fallback list of the charts: the default font, then a Japanese one."""
    found = cjk_font()
    return (DEFAULT_FONT,) if found is None else (DEFAULT_FONT, found)


@functools.cache
def _covered(families: tuple[str, ...]) -> frozenset[int]:
    from matplotlib import font_manager

    points: set[int] = set()
    for family in families:
        path = font_manager.findfont(
            font_manager.FontProperties(family=family), fallback_to_default=False
        )
        points |= _charmap(path)
    return frozenset(points)


def displayable(text: str) -> bool:
    """Whether the chart fonts have a glyph for every character of ``text``."""
    if text.isascii():
        return True
    covered = _covered(font_families())
    return all(ord(c) in covered or c in "\n\t " for c in text)


@dataclass
class Labels:
    """Turns data into chart text, remembering when a fallback had to be used."""

    fallbacks: int = 0
    _notes: list[str] = field(default_factory=list)

    def text(self, value: object, fallback: str) -> str:
        """``value`` as text if the fonts can draw it, else its romaji, else ``fallback``.

        A ``$`` is escaped: data is never read as mathtext.
        """
        return self._choose("" if value is None else str(value), fallback).replace("$", r"\$")

    def _choose(self, text: str, fallback: str) -> str:
        if displayable(text):
            return text
        from dchkit.normalize.romaji import kana_to_romaji

        self.fallbacks += 1
        romaji = kana_to_romaji(text)
        if displayable(romaji):
            return romaji
        return fallback if displayable(fallback) else fallback.encode("ascii", "replace").decode()

    @property
    def notes(self) -> tuple[str, ...]:
        """What the chart should tell its reader about the labels."""
        return (NO_FONT_NOTE,) if self.fallbacks else ()
