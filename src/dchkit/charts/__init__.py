"""Charts a user would rather look at than read, as objects that notebooks show and save.

Each function returns a :class:`Chart`: shown inline in Jupyter, saved with
``chart.save("x.png")`` (or ``.svg``, or ``.html`` — a self-contained page), and open to
further styling through ``chart.figure`` (a matplotlib figure made outside ``pyplot``).

- :func:`waterfall` — how each comparison moved a pair's match weight;
- :func:`customer_graph` — a customer's records, the matches joining them and the
  matches a guard cut;
- :func:`match_weights` and :func:`cluster_sizes` — the shape of a resolve run;
- :func:`segment_sizes` — segment membership over time, from a hub's change feed or
  materializations;
- :func:`distribution` — the outputs of :mod:`dchkit.profile.analyses`.

Charts need matplotlib (``pip install 'dchkit[notebook]'``); importing this module does
not. Japanese text is drawn with an installed font that has Japanese glyphs; without one,
labels fall back to romaji or ids and the chart says so.

Examples:
    >>> import dchkit as dch
    >>> from dchkit import charts
    >>> res = dch.resolve([{"record_id": "crm:1", "email": "taro@example.jp"},
    ...                    {"record_id": "ec:7", "email": "TARO@example.jp"}])
    >>> chart = charts.customer_graph(res, res.customer_of("crm:1"))
    >>> chart
    dchkit.charts.Chart('Customer ...', 900x600 px)
"""

from dchkit.charts.chart import Chart
from dchkit.charts.profile import distribution, segment_sizes
from dchkit.charts.resolution import cluster_sizes, customer_graph, match_weights, waterfall

__all__ = [
    "Chart",
    "cluster_sizes",
    "customer_graph",
    "distribution",
    "match_weights",
    "segment_sizes",
    "waterfall",
]
