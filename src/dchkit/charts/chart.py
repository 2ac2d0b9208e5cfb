"""``Chart``: a drawn chart that a notebook shows and that saves to PNG, SVG or HTML.

A chart wraps a :class:`matplotlib.figure.Figure` made outside ``pyplot``. Notebooks show
it through ``_repr_html_`` / ``_repr_png_``; :meth:`Chart.save` writes a PNG, an SVG or a
self-contained HTML page (the image embedded as base64 PNG: no script, no network).
:attr:`Chart.figure` gives the figure itself for any further styling.
"""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from dchkit.charts._mpl import styled
from dchkit.errors import ConfigError

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["Chart"]

Format = Literal["png", "svg", "html"]
_FORMATS: tuple[Format, ...] = ("png", "svg", "html")


class Chart:
    """A chart: a matplotlib figure with a title, notes and ways to save and show it.

    Args:
        figure: The drawn figure.
        title: What the chart shows (used as the image's alternative text).
        rc: The matplotlib settings it was drawn with; applied again when it renders.
        notes: Things the reader should know (e.g. labels that could not be drawn).
    """

    def __init__(
        self,
        figure: Figure,
        *,
        title: str,
        rc: dict[str, Any],
        notes: tuple[str, ...] = (),
    ) -> None:
        self._figure = figure
        self.title = title
        self.notes = notes
        self._rc = dict(rc)

    @property
    def figure(self) -> Figure:
        """The matplotlib figure (change it freely; saving renders its current state)."""
        return self._figure

    @property
    def size(self) -> tuple[int, int]:
        """Width and height in pixels of a PNG saved at the default resolution."""
        width, height = self._figure.get_size_inches()
        dpi = float(self._rc.get("savefig.dpi", 100))
        return round(width * dpi), round(height * dpi)

    def __repr__(self) -> str:
        width, height = self.size
        return f"dchkit.charts.Chart({self.title!r}, {width}x{height} px)"

    # ------------------------------------------------------------------ render
    def _render(self, fmt: Literal["png", "svg"], dpi: float | None) -> bytes:
        buffer = io.BytesIO()
        with styled(self._rc):
            self._figure.savefig(buffer, format=fmt, dpi=dpi if dpi is not None else "figure")
        return buffer.getvalue()

    def to_png(self, *, dpi: float | None = None) -> bytes:
        """The chart as PNG bytes (``dpi`` 100 by default; 200 for high-density screens)."""
        return self._render("png", dpi)

    def to_svg(self) -> str:
        """The chart as an SVG document (text drawn as paths: no fonts needed to view it)."""
        return self._render("svg", None).decode("utf-8")

    def _img(self) -> str:
        width, height = self.size
        data = base64.b64encode(self.to_png(dpi=2 * float(self._rc.get("savefig.dpi", 100))))
        return (
            f'<img src="data:image/png;base64,{data.decode("ascii")}" '
            f'alt="{html.escape(self.title, quote=True)}" width="{width}" '
            f'style="max-width: 100%; height: auto; aspect-ratio: {width} / {height};">'
        )

    def to_html(self) -> str:
        """A self-contained HTML page: the title, the image (base64 PNG) and the notes."""
        notes = "".join(f"<p><small>{html.escape(n)}</small></p>" for n in self.notes)
        return (
            '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>{html.escape(self.title)}</title></head>"
            '<body style="margin: 16px; font-family: sans-serif;">'
            f"<figure style='margin: 0;'>{self._img()}</figure>{notes}</body></html>\n"
        )

    def save(
        self, path: str | Path, *, format: Format | None = None, dpi: float | None = None
    ) -> Path:
        """Write the chart to ``path`` as PNG, SVG or HTML (from the suffix unless ``format``).

        Returns:
            The path written.

        Raises:
            ConfigError: the format is not one of png, svg or html.
        """
        target = Path(path)
        kind = format or target.suffix.lower().lstrip(".")
        if kind not in _FORMATS:
            msg = f"cannot save a chart as {kind or 'a file without a suffix'!r}"
            raise ConfigError(msg, fix="use a .png, .svg or .html path, or pass format=")
        if kind == "png":
            target.write_bytes(self.to_png(dpi=dpi))
        elif kind == "svg":
            target.write_text(self.to_svg(), encoding="utf-8")
        else:
            target.write_text(self.to_html(), encoding="utf-8")
        return target

    # --------------------------------------------------------------- notebooks
    def _repr_png_(self) -> bytes:
        return self.to_png()

    def _repr_html_(self) -> str:
        return f"<figure style='margin: 0;'>{self._img()}</figure>"
