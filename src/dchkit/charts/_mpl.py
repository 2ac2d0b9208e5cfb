"""matplotlib, loaded only when a chart is drawn, and the one style every chart uses.

Charts draw on a :class:`matplotlib.figure.Figure` made directly — never through
``pyplot`` — so a chart opens no window, registers no global figure and leaves the
notebook's own plotting state alone. Style settings apply through
``matplotlib.rc_context`` only while a chart is built and rendered, and are restored after.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, cast

from dchkit.errors import OptionalDependencyError

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["COLORS", "figure", "require_matplotlib", "style", "styled"]

INSTALL_HINT = "pip install 'dchkit[notebook]'"

#: Colours with meaning, shared by every chart (colour-blind safe pairs).
COLORS = {
    "positive": "#2e8b57",
    "negative": "#c8423b",
    "neutral": "#8c8c8c",
    "total": "#3b5b92",
    "threshold": "#d08c12",
    "cut": "#c8423b",
    "hard": "#333333",
    "text": "#222222",
    "muted": "#6b6b6b",
}


def require_matplotlib() -> None:
    """Import matplotlib, or say which extra to install.

    Raises:
        OptionalDependencyError: matplotlib is not installed.
    """
    try:
        importlib.import_module("matplotlib")
    except ImportError as err:
        msg = "dchkit.charts draws with matplotlib, which is not installed"
        raise OptionalDependencyError(msg, fix=INSTALL_HINT, package="matplotlib") from err


def style() -> dict[str, Any]:
    """The rc settings of every chart: a white card, plain text, and a font for Japanese."""
    from dchkit.charts._fonts import font_families

    return {
        # Named families, not "sans-serif": only a list of names is a per-glyph fallback.
        "font.family": list(font_families()),
        "svg.fonttype": "path",  # SVG shows the same glyphs without the fonts installed
        "figure.facecolor": "white",
        "axes.facecolor": "white",
        "savefig.facecolor": "white",
        "text.color": COLORS["text"],
        "axes.labelcolor": COLORS["text"],
        "axes.edgecolor": "#b0b0b0",
        "xtick.color": COLORS["muted"],
        "ytick.color": COLORS["muted"],
        "xtick.labelcolor": COLORS["text"],
        "ytick.labelcolor": COLORS["text"],
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.titlesize": 13,
        "axes.titleweight": "bold",
        "axes.titlelocation": "left",
        "axes.titlepad": 12,
        "axes.labelsize": 10.5,
        "xtick.labelsize": 9.5,
        "ytick.labelsize": 9.5,
        "legend.fontsize": 9,
        "legend.frameon": False,
        "grid.color": "#dddddd",
        "grid.linewidth": 0.8,
        "figure.dpi": 100,
        "savefig.dpi": 100,
    }


class _NoBoldFallbackNotice(logging.Filter):
    """Drop matplotlib's notice that a Japanese fallback font has no bold face.

    It falls back to the regular face, which is what a bold Japanese label should get.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("findfont: Failed to find font weight")


@contextmanager
def styled(rc: dict[str, Any]) -> Iterator[None]:
    """Apply ``rc`` while building or rendering a chart; restore the settings afterwards."""
    import matplotlib

    logger = logging.getLogger("matplotlib.font_manager")
    notice = _NoBoldFallbackNotice()
    logger.addFilter(notice)
    try:
        with matplotlib.rc_context(cast(Any, rc)):
            yield
    finally:
        logger.removeFilter(notice)


def figure(width: float, height: float) -> Figure:
    """A new figure of ``width`` × ``height`` inches, outside pyplot, laid out on save."""
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")
