"""What every chart function does around its drawing: style, fonts, notes, the Chart."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from dchkit.charts._fonts import Labels
from dchkit.charts._mpl import COLORS, figure, require_matplotlib, style, styled
from dchkit.charts.chart import Chart

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["draw"]


def draw(width: float, height: float, title: str, body: Callable[[Figure, Labels], None]) -> Chart:
    """Make a figure in the chart style, let ``body`` draw on it, and wrap it in a Chart.

    Labels that fell back (no font for their characters) add a note under the figure.
    """
    require_matplotlib()
    rc = style()
    labels = Labels()
    with styled(rc):
        fig = figure(width, height)
        body(fig, labels)
        notes = labels.notes
        if notes:
            engine: Any = fig.get_layout_engine()
            engine.set(rect=(0, 0.05, 1, 0.95))
            fig.text(0.01, 0.01, notes[0], fontsize=8, color=COLORS["muted"], va="bottom")
    return Chart(fig, title=title, rc=rc, notes=notes)
