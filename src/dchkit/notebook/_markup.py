"""Small HTML building blocks for notebook views: every value is escaped unless marked safe.

Customer data is untrusted (a name can be ``<script>…``), so the builders escape whatever
they are given; only :class:`Safe` fragments — built here from escaped parts — pass as
they are. Styles are inline (notebook sanitizers drop ``<style>`` elements of untrusted
output) and use translucent colours on the inherited text colour, so a view reads the same
in light and dark themes. No script, no stylesheet, no network.
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

__all__ = [
    "NEGATIVE",
    "POSITIVE",
    "Safe",
    "badge",
    "card",
    "escape",
    "fmt",
    "key_values",
    "more",
    "table",
    "weight_bar",
]

# Translucent fills: readable under black text on white and white text on near-black.
POSITIVE = "rgba(46, 160, 67, 0.55)"
NEGATIVE = "rgba(218, 54, 51, 0.55)"
NEUTRAL = "rgba(128, 128, 128, 0.25)"
_RULE = "1px solid rgba(128, 128, 128, 0.35)"
_CELL = (
    f"padding: 2px 10px 2px 0; border-bottom: {_RULE}; text-align: left; "
    "vertical-align: top; color: inherit; background: transparent;"
)
_TABLE = (
    '<table style="border-collapse: collapse; margin: 4px 0; font-size: inherit; '
    'color: inherit; background: transparent;">'
)
_HEAD = _CELL + " font-weight: 600;"


@dataclass(frozen=True, slots=True)
class Safe:
    """A fragment of HTML built from escaped parts; inserted as it is."""

    text: str

    def __str__(self) -> str:
        return self.text


Cell = Safe | str | int | float | date | datetime | tuple[object, ...] | None


def fmt(value: object) -> str:
    """Plain text of a value: ``None`` is empty, floats are short, sequences are joined."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        return f"{value:,.4g}" if abs(value) < 1e6 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, list | tuple):
        return ", ".join(fmt(v) for v in value)
    return str(value)


def escape(value: Cell | object) -> str:
    """HTML of one value: :class:`Safe` as it is, anything else formatted and escaped."""
    if isinstance(value, Safe):
        return value.text
    return html.escape(fmt(value), quote=True)


def badge(text: object, *, fill: str = NEUTRAL) -> Safe:
    """A small rounded label (a source, a verdict)."""
    return Safe(
        f'<span style="background: {fill}; border-radius: 3px; padding: 0 5px; '
        f'white-space: nowrap;">{escape(text)}</span>'
    )


def weight_bar(weight: float, scale: float, *, width: int = 120) -> Safe:
    """A two-sided bar: green to the right for evidence for a match, red to the left against."""
    half = width // 2
    length = 0 if scale <= 0 else round(min(abs(weight) / scale, 1.0) * half)
    fill = POSITIVE if weight >= 0 else NEGATIVE
    left = half - length if weight < 0 else half
    return Safe(
        f'<span style="display: inline-block; position: relative; width: {width}px; '
        f'height: 10px; border-left: 1px dotted rgba(128,128,128,.5);">'
        f'<span style="position: absolute; left: {half}px; top: 0; bottom: 0; '
        f'border-left: 1px solid rgba(128,128,128,.8);"></span>'
        f'<span style="position: absolute; left: {left}px; top: 1px; width: {length}px; '
        f'height: 8px; background: {fill};"></span></span>'
    )


def table(
    headers: Sequence[str], rows: Iterable[Sequence[Cell]], *, numeric: Sequence[int] = ()
) -> Safe:
    """A compact table; columns listed in ``numeric`` are right-aligned."""

    def cell(tag: str, index: int, value: Cell, style: str) -> str:
        align = " text-align: right;" if index in numeric else ""
        return f'<{tag} style="{style}{align}">{escape(value)}</{tag}>'

    head = "".join(cell("th", i, h, _HEAD) for i, h in enumerate(headers))
    body = "".join(
        "<tr>" + "".join(cell("td", i, v, _CELL) for i, v in enumerate(row)) + "</tr>"
        for row in rows
    )
    return Safe(f"{_TABLE}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")


def key_values(pairs: Iterable[tuple[str, Cell]]) -> Safe:
    """A two-column table of labelled values (empty values are left out)."""
    rows = "".join(
        f'<tr><th style="{_HEAD} font-weight: 500; opacity: .75;">{escape(k)}</th>'
        f'<td style="{_CELL}">{escape(v)}</td></tr>'
        for k, v in pairs
        if v is not None and v not in ("", (), [])
    )
    return Safe(f"{_TABLE}<tbody>{rows}</tbody></table>")


def more(shown: int, total: int, what: str) -> Safe:
    """A note that a list was cut short ("… 12 more edges"); empty when nothing was."""
    if total <= shown:
        return Safe("")
    return Safe(f'<div style="opacity: .7;">… {total - shown:,} more {escape(what)}</div>')


def card(title: str, subtitle: Cell, *parts: Safe | str) -> str:
    """The frame of a view: a bold title, a subtitle, then the parts (strings are escaped)."""
    body = "".join(p.text if isinstance(p, Safe) else f"<div>{escape(p)}</div>" for p in parts if p)
    return (
        '<div class="dchkit-view" style="font-size: 13px; line-height: 1.45; '
        'max-width: 100%; overflow-x: auto; padding: 4px 0;">'
        f'<div><span style="font-weight: 700;">{escape(title)}</span> '
        f'<span style="opacity: .8;">{escape(subtitle)}</span></div>{body}</div>'
    )


def section(title: str) -> Safe:
    """A small heading between the parts of a view."""
    return Safe(f'<div style="font-weight: 600; margin-top: 8px;">{escape(title)}</div>')
