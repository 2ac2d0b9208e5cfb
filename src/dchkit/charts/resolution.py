r"""Charts of a resolve run: waterfall, customer graph, match weights, cluster sizes.

A pair's match-weight waterfall, a customer's record graph (with the matches guards cut),
the distribution of candidate pairs' match weights and the sizes of customers.

Examples:
    >>> import dchkit as dch
    >>> from dchkit import charts
    >>> res = dch.resolve([{"record_id": "a", "email": "taro@example.jp", "family_name": "山田"},
    ...                    {"record_id": "b", "email": "TARO@example.jp", "family_name": "山田"}])
    >>> chart = charts.waterfall(res.explain("a", "b"))
    >>> chart.title
    'Match weight: a vs b'
    >>> chart.to_png()[:8] == b"\x89PNG\r\n\x1a\n"
    True
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from dchkit.charts._draw import draw
from dchkit.charts._mpl import COLORS
from dchkit.errors import ConfigError
from dchkit.notebook.html import match_weight as match_weight_of

if TYPE_CHECKING:
    import pyarrow as pa
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from dchkit.charts._fonts import Labels
    from dchkit.charts.chart import Chart
    from dchkit.hub import Hub
    from dchkit.resolution.result import CustomerExplanation, PairExplanation, Resolution

__all__ = ["cluster_sizes", "customer_graph", "match_weights", "waterfall"]

# Categorical colours for sources (Okabe–Ito: distinguishable with colour-blindness).
_SOURCE_COLORS = (
    "#0072B2",
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#56B4E9",
    "#D55E00",
    "#F0E442",
    "#999999",
)


def _titles(fig: Figure, ax: Axes, title: str, subtitle: str) -> None:
    fig.suptitle(title, x=0.01, ha="left", fontsize=14, fontweight="bold")
    ax.set_title(subtitle, fontsize=10, fontweight="normal", color=COLORS["muted"])


# ------------------------------------------------------------------- waterfall
def waterfall(explanation: PairExplanation) -> Chart:
    """The match-weight waterfall of a pair: how each comparison moved the weight.

    The prior (how rare a match is among all pairs) starts the sum; each comparison adds
    its weight — green for evidence for a match, red against, grey for a comparison that
    had no value on one side; the last bar is the total. The dashed line is the threshold.

    Args:
        explanation: From :meth:`Resolution.explain <dchkit.resolution.Resolution.explain>`
            or :meth:`Hub.explain <dchkit.Hub.explain>`.
    """
    steps = explanation.steps
    rows = 2 + len(steps)
    title = f"Match weight: {explanation.left} vs {explanation.right}"

    def body(fig: Figure, labels: Labels) -> None:
        ax = fig.add_subplot()
        left = labels.text(explanation.left, "record A")
        right = labels.text(explanation.right, "record B")
        threshold = match_weight_of(explanation.threshold)
        ends = [0.0, explanation.prior_weight]
        running = explanation.prior_weight
        names = ["prior"]
        ax.barh(0, explanation.prior_weight, color=COLORS["neutral"], height=0.6)
        _value(ax, 0, 0.0, explanation.prior_weight)
        for row, step in enumerate(steps, start=1):
            names.append(
                f"{labels.text(step.comparison, 'comparison')}\n"
                f"{labels.text(step.level_name, 'level')}"
            )
            ax.plot([running, running], [row - 1.3, row - 0.3], color="#9a9a9a", lw=0.8, ls=":")
            if step.m is None and step.weight == 0.0:
                ax.text(
                    running,
                    row,
                    "  no value on one side: neutral",
                    va="center",
                    fontsize=8.5,
                    color=COLORS["muted"],
                    style="italic",
                )
                continue
            fill = COLORS["positive"] if step.weight >= 0 else COLORS["negative"]
            ax.barh(row, step.weight, left=running, color=fill, height=0.6)
            _value(ax, row, running, running + step.weight)
            running += step.weight
            ends.append(running)
        total_row = rows - 1
        names.append("match weight")
        ax.plot(
            [running, running], [total_row - 1.3, total_row - 0.3], color="#9a9a9a", lw=0.8, ls=":"
        )
        ax.barh(total_row, explanation.match_weight, color=COLORS["total"], height=0.6)
        _value(ax, total_row, 0.0, explanation.match_weight, bold=True)
        ends.append(explanation.match_weight)
        ax.axvline(0, color="#777777", lw=1)
        ax.axvline(threshold, color=COLORS["threshold"], lw=1.5, ls="--")
        ax.annotate(
            f"threshold {threshold:+.2f}\n(probability {explanation.threshold})",
            (threshold, -0.6),
            xytext=(4, -2),
            textcoords="offset points",
            va="top",
            fontsize=8.5,
            color=COLORS["threshold"],
        )
        low, high = min([*ends, threshold]), max([*ends, threshold])
        pad = 0.16 * (high - low or 1.0)
        ax.set_xlim(low - pad, high + pad)
        ax.set_ylim(rows - 0.4, -0.6)
        ax.set_yticks(range(rows), names)
        ax.get_yticklabels()[-1].set_fontweight("bold")
        ax.set_xlabel("match weight (log2 of the odds of a match)")
        ax.grid(axis="x", alpha=0.6)
        ax.set_axisbelow(True)
        reason = labels.text(explanation.reason, "")
        if "probability" not in reason:
            reason += f"; match probability {explanation.match_probability:.4f}"
        _titles(fig, ax, f"Match weight: {left} vs {right}", f"{explanation.verdict}: {reason}")

    return draw(9.0, 1.6 + 0.5 * rows, title, body)


def _value(ax: Axes, row: int, start: float, end: float, *, bold: bool = False) -> None:
    """Write a bar's weight just past its end."""
    weight = end - start
    ax.annotate(
        f"{weight:+.2f}",
        (end, row),
        xytext=(4 if weight >= 0 else -4, 0),
        textcoords="offset points",
        ha="left" if weight >= 0 else "right",
        va="center",
        fontsize=9,
        fontweight="bold" if bold else "normal",
        bbox={"boxstyle": "square,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.8},
    )


# -------------------------------------------------------------- customer graph
def _explain(of: object, customer_id: str | None) -> tuple[CustomerExplanation, pa.Table | None]:
    """The customer's explanation and the records it names (None: records unknown)."""
    import pyarrow as pa

    from dchkit.hub import Hub
    from dchkit.resolution.result import CustomerExplanation, Resolution

    if isinstance(of, CustomerExplanation):
        return of, None
    if not isinstance(of, Resolution | Hub):
        msg = (
            "customer_graph draws a Resolution, a Hub or a CustomerExplanation, "
            f"not {type(of).__name__}"
        )
        raise ConfigError(msg, fix="pass the resolution or hub that holds the customer")
    if customer_id is None:
        msg = "customer_graph needs the customer_id of the customer to draw"
        raise ConfigError(msg, fix="call customer_graph(resolution, 'cus_…')")
    explanation = of.explain_customer(customer_id)
    wanted = pa.array(
        sorted(
            {
                *explanation.record_ids,
                *(e.left for e in explanation.cut_edges),
                *(e.right for e in explanation.cut_edges),
            }
        ),
        pa.string(),
    )
    if isinstance(of, Hub):
        return explanation, of.store.read("records", {"record_id": wanted})
    import pyarrow.compute as pc

    records = of.records.filter(pc.is_in(of.records.column("record_id"), value_set=wanted))
    return explanation, records


def _record_label(row: dict[str, Any] | None, record_id: str, labels: Labels) -> str:
    """``source:id`` on the first line (shortened), the record's name under it."""
    short = record_id if len(record_id) <= 22 else f"{record_id[:12]}…{record_id[-6:]}"
    shown = labels.text(short, "record")
    if row is None:
        return shown
    kana = row.get("name_kana")
    name = (
        row.get("full_name")
        or " ".join(p for p in (row.get("family_name"), row.get("given_name")) if p)
        or kana
    )
    if not name:
        return shown
    fallback = labels.text(kana, "") if kana else ""
    return f"{shown}\n{labels.text(name, fallback)}".rstrip()


def customer_graph(
    of: Resolution | Hub | CustomerExplanation, customer_id: str | None = None
) -> Chart:
    """The graph of a customer's records: who matched whom, how strongly, and what was cut.

    Nodes are records, coloured by source and labelled with their id and name; edges are
    matches above the threshold, thicker and labelled with their match weight; hard links
    (same CRM id, a logged-in user, must-link feedback) are dark. Matches a guard removed
    are dashed red and lead to records that now belong to other customers (hollow nodes).

    Args:
        of: A resolution or hub (with ``customer_id``), or a customer explanation (then
            nodes are labelled with record ids only).
        customer_id: The customer to draw.

    Raises:
        ConfigError: ``customer_id`` is missing.
        ProfileNotFoundError: no such customer.
    """
    import networkx as nx

    explanation, records = _explain(of, customer_id)
    rows: dict[str, dict[str, Any]] = (
        {} if records is None else {r["record_id"]: r for r in records.to_pylist()}
    )
    members = list(explanation.record_ids)
    outside = sorted(
        {e.left for e in explanation.cut_edges}
        | {e.right for e in explanation.cut_edges} - set(members)
    )
    graph = nx.Graph()
    graph.add_nodes_from(members + outside)
    for a, b, p in explanation.edges:
        graph.add_edge(a, b, kind="hard" if p >= 1.0 else "match", p=p)
    for cut in explanation.cut_edges:
        graph.add_edge(cut.left, cut.right, kind="cut", p=cut.match_probability, reason=cut.reason)
    n = graph.number_of_nodes()
    title = f"Customer {explanation.customer_id}"

    def source_of(record_id: str) -> str:
        row = rows.get(record_id)
        if row is not None and row.get("source"):
            return str(row["source"])
        return record_id.split(":", 1)[0] if ":" in record_id else "record"

    def body(fig: Figure, labels: Labels) -> None:
        from matplotlib.lines import Line2D

        ax = fig.add_subplot()
        ax.set_axis_off()
        if n == 1:
            position = {members[0]: np.zeros(2)}
        elif n <= 60:
            position = nx.kamada_kawai_layout(graph, weight=None)
        else:
            position = nx.spring_layout(graph, seed=0)
        sources = sorted({source_of(r) for r in members + outside})
        colour = {s: _SOURCE_COLORS[i % len(_SOURCE_COLORS)] for i, s in enumerate(sources)}
        weights = [
            match_weight_of(d["p"]) for _, _, d in graph.edges(data=True) if d["kind"] == "match"
        ]
        strongest = max(weights, default=1.0)
        for a, b, data in graph.edges(data=True):
            (x1, y1), (x2, y2) = position[a], position[b]
            weight = match_weight_of(data["p"])
            if data["kind"] == "cut":
                ax.plot([x1, x2], [y1, y2], color=COLORS["cut"], lw=2, ls=(0, (4, 3)), zorder=1)
                text = f"cut {weight:+.1f}"
            elif data["kind"] == "hard":
                ax.plot([x1, x2], [y1, y2], color=COLORS["hard"], lw=3, zorder=1)
                text = "hard link"
            else:
                width = 1.0 + 4.0 * max(weight, 0.0) / max(strongest, 1e-9)
                ax.plot([x1, x2], [y1, y2], color="#4a7bb7", lw=width, alpha=0.8, zorder=1)
                text = f"{weight:+.1f}"
            if n <= 40:  # at 40 % of the edge: crossing diagonals keep their labels apart
                ax.text(
                    x1 + 0.4 * (x2 - x1),
                    y1 + 0.4 * (y2 - y1),
                    text,
                    fontsize=8,
                    ha="center",
                    va="center",
                    color=COLORS["cut"] if data["kind"] == "cut" else COLORS["text"],
                    bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.85},
                    zorder=3,
                )
        for record_id in members + outside:
            x, y = position[record_id]
            inside = record_id in set(members)
            ax.scatter(
                [x],
                [y],
                s=420 if n <= 20 else 160,
                zorder=2,
                color=colour[source_of(record_id)] if inside else "white",
                edgecolors=colour[source_of(record_id)],
                linewidths=2.5,
            )
            if n <= 40:
                label = _record_label(rows.get(record_id), record_id, labels)
                if not inside:
                    label += "\n(other customer)"
                ax.annotate(
                    label,
                    (x, y),
                    xytext=(0, -15),
                    textcoords="offset points",
                    ha="center",
                    va="top",
                    fontsize=8.5,
                    zorder=4,
                    bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "none", "alpha": 0.8},
                )
        handles: list[Any] = [
            Line2D(
                [],
                [],
                marker="o",
                ls="",
                markersize=10,
                color=colour[s],
                label=labels.text(s, "source"),
            )
            for s in sources
        ]
        if any(d["kind"] == "match" for _, _, d in graph.edges(data=True)):
            handles.append(
                Line2D([], [], color="#4a7bb7", lw=3, label="match (width: match weight)")
            )
        if any(d["kind"] == "hard" for _, _, d in graph.edges(data=True)):
            handles.append(Line2D([], [], color=COLORS["hard"], lw=3, label="hard link"))
        if explanation.cut_edges:
            handles.append(
                Line2D([], [], color=COLORS["cut"], lw=2, ls=(0, (4, 3)), label="cut by a guard")
            )
            handles.append(
                Line2D(
                    [],
                    [],
                    marker="o",
                    ls="",
                    markersize=10,
                    color="white",
                    markeredgecolor=COLORS["muted"],
                    label="record of another customer",
                )
            )
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.0, 1.0))
        xs = np.array([position[r][0] for r in graph.nodes])
        ys = np.array([position[r][1] for r in graph.nodes])
        span = max(float(np.ptp(xs)) if n > 1 else 1.0, float(np.ptp(ys)) if n > 1 else 1.0, 0.5)
        ax.set_xlim(xs.min() - 0.25 * span, xs.max() + 0.25 * span)
        ax.set_ylim(ys.min() - 0.35 * span, ys.max() + 0.2 * span)
        reasons = sorted({c.reason for c in explanation.cut_edges})
        subtitle = f"{_count(len(members), 'record')}, {_count(len(explanation.edges), 'edge')}"
        if reasons:
            subtitle += f"; {len(explanation.cut_edges)} cut by: " + "; ".join(
                labels.text(r, "a guard") for r in reasons[:3]
            )
        _titles(fig, ax, f"Customer {labels.text(explanation.customer_id, 'customer')}", subtitle)

    size = 6.0 if n <= 8 else 8.0 if n <= 30 else 10.0
    return draw(size + 3.0, size, title, body)


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


# ---------------------------------------------------------------- distributions
def match_weights(resolution: Resolution, *, bins: int = 60) -> Chart:
    """Histogram of the candidate pairs' match weights, split at the threshold.

    A good model separates two humps — non-matches on the left, matches on the right — with
    few pairs near the threshold; many pairs there are the ones worth reviewing.
    """
    weights = np.asarray(resolution.match_weights, dtype=np.float64)
    threshold = match_weight_of(resolution.config.threshold)
    title = f"Match weights of {len(weights):,} candidate pairs"

    def body(fig: Figure, labels: Labels) -> None:
        ax = fig.add_subplot()
        if len(weights):
            edges = np.histogram_bin_edges(weights, bins=bins)
            below, above = weights[weights < threshold], weights[weights >= threshold]
            ax.hist(
                below,
                bins=edges.tolist(),
                color=COLORS["negative"],
                alpha=0.85,
                label=f"below the threshold: {len(below):,} pairs",
            )
            ax.hist(
                above,
                bins=edges.tolist(),
                color=COLORS["positive"],
                alpha=0.85,
                label=f"matches: {len(above):,} pairs",
            )
        ax.axvline(
            threshold,
            color=COLORS["threshold"],
            lw=1.5,
            ls="--",
            label=f"threshold: probability {resolution.config.threshold} = weight {threshold:+.2f}",
        )
        counts = np.histogram(weights, bins=bins)[0] if len(weights) else np.zeros(1)
        nonzero = counts[counts > 0]
        if len(nonzero) and counts.max() > 50 * float(np.median(nonzero)):
            ax.set_yscale("log")  # non-matches dwarf the matches: show both humps
        ax.set_xlabel("match weight (log2 of the odds of a match)")
        ax.set_ylabel("candidate pairs")
        ax.grid(axis="y", alpha=0.6)
        ax.set_axisbelow(True)
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
        _titles(
            fig,
            ax,
            title,
            f"{_count(len(resolution.hard_edges), 'hard link')} not shown: they are not scored",
        )

    return draw(11.0, 4.8, title, body)


def _sizes(of: Resolution | Hub | pa.Table) -> np.ndarray[Any, Any]:
    """Records per customer."""
    import pyarrow as pa

    from dchkit.hub import Hub
    from dchkit.resolution.result import Resolution

    if isinstance(of, Resolution):
        customers: Sequence[Any] = of.customer_ids
    elif isinstance(of, Hub):
        customers = (
            of.store.read("clusters", columns=["customer_id"]).column("customer_id").to_pylist()
        )
    elif isinstance(of, pa.Table) and "customer_id" in of.column_names:
        customers = of.column("customer_id").to_pylist()
    else:
        msg = (
            f"cluster_sizes needs a Resolution, a Hub or a clusters table, not {type(of).__name__}"
        )
        raise ConfigError(msg, fix="pass resolution, hub or resolution.clusters")
    counts = np.unique(np.asarray(customers, dtype=object), return_counts=True)[1]
    return counts.astype(np.int64)


def cluster_sizes(of: Resolution | Hub | pa.Table) -> Chart:
    """How many customers have 1, 2, 3 … records: the shape of the clustering.

    A long tail of very large customers usually means over-merging (a shared address or
    phone); almost only singletons means blocking or the threshold miss matches.
    """
    sizes = _sizes(of)
    values, counts = np.unique(sizes, return_counts=True)
    title = f"Customers by number of records ({len(sizes):,} customers)"

    def body(fig: Figure, labels: Labels) -> None:
        ax = fig.add_subplot()
        bars = ax.bar([str(v) for v in values], counts, color=COLORS["total"], width=0.7)
        ax.bar_label(bars, labels=[f"{c:,}" for c in counts], padding=2, fontsize=9)
        ax.set_xlabel("records per customer")
        ax.set_ylabel("customers")
        ax.set_ylim(0, counts.max() * 1.12 if len(counts) else 1)
        ax.grid(axis="y", alpha=0.6)
        ax.set_axisbelow(True)
        records = int(sizes.sum())
        _titles(
            fig,
            ax,
            title,
            f"{records:,} records; mean {records / max(len(sizes), 1):.2f} per customer, largest {int(sizes.max()) if len(sizes) else 0}",
        )

    return draw(max(6.0, min(12.0, 3.0 + 0.45 * len(values))), 4.5, title, body)
