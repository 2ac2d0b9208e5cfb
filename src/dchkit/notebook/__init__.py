"""Notebook views: the HTML a notebook shows for dchkit's objects.

A :class:`~dchkit.resolution.Resolution`, a pair or customer explanation, a
:class:`~dchkit.profile.Profile`, a timeline page, a segment and a materialized
membership show as compact HTML in Jupyter (their ``_repr_html_`` delegates to
:mod:`dchkit.notebook.html`); :func:`to_html` gives the same view for a web page.
Charts are in :mod:`dchkit.charts`.
"""

from dchkit.notebook.html import to_html

__all__ = ["to_html"]
