"""Charts of the profile layer: segment sizes over time and the analyses' distributions.

Examples:
    >>> from datetime import datetime, UTC
    >>> import pyarrow as pa
    >>> import dchkit as dch
    >>> from dchkit import charts
    >>> from dchkit.profile import ProfileStore, SegmentRegistry
    >>> res = dch.resolve([{"record_id": "ec:1", "email": "a@example.com"},
    ...                    {"record_id": "ec:2", "email": "b@example.com"}])
    >>> events = pa.table({
    ...     "event_id": ["o1", "o2"], "source": ["ec", "ec"], "type": ["Order Completed"] * 2,
    ...     "timestamp": [datetime(2024, 1, 10, tzinfo=UTC), datetime(2024, 3, 5, tzinfo=UTC)],
    ...     "record_id": ["ec:1", "ec:2"], "value": [80.0, 20.0],
    ... })
    >>> segments = SegmentRegistry(ProfileStore.from_resolution(res, events))
    >>> _ = segments.define("buyers", 'count(events, type="Order Completed", within="60d") > 0')
    >>> history = [segments.materialize("buyers", now=datetime(2024, m, 28, tzinfo=UTC))
    ...            for m in (1, 2, 3, 4, 5)]
    >>> [len(h.members) for h in history]
    [1, 1, 1, 1, 0]
    >>> charts.segment_sizes(history).title
    'Segment sizes over time'
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from dchkit.charts._draw import draw
from dchkit.charts._mpl import COLORS
from dchkit.errors import ConfigError

if TYPE_CHECKING:
    import pyarrow as pa
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from dchkit.charts._fonts import Labels
    from dchkit.charts.chart import Chart
    from dchkit.hub import Change, Hub
    from dchkit.profile import MembershipChange

__all__ = ["distribution", "segment_sizes"]

_LINE_COLORS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#999999")
_PAGE = 50_000


def _titles(fig: Figure, ax: Axes, title: str, subtitle: str) -> None:
    fig.suptitle(title, x=0.01, ha="left", fontsize=14, fontweight="bold")
    ax.set_title(subtitle, fontsize=10, fontweight="normal", color=COLORS["muted"])


# --------------------------------------------------------------- segment sizes
Series = dict[str, list[tuple[datetime, int, int, int]]]
"""Per segment: (when, members, entered, exited) in time order."""


def _from_changes(changes: Sequence[Change]) -> Series:
    """Replay a change feed: membership sets per segment, sized at each write."""
    members: dict[str, set[str]] = {}
    series: Series = {}
    touched: dict[str, list[int]] = {}
    current: datetime | None = None

    def close(at: datetime | None) -> None:
        if at is None:
            return
        for segment, (entered, exited) in touched.items():
            series.setdefault(segment, []).append((at, len(members[segment]), entered, exited))
        touched.clear()

    for change in sorted(changes, key=lambda c: c.cursor):
        if change.at != current:
            close(current)
            current = change.at
        if change.kind in ("segment_entered", "segment_exited") and change.segment:
            found = members.setdefault(change.segment, set())
            counts = touched.setdefault(change.segment, [0, 0])
            if change.kind == "segment_entered":
                found.add(str(change.customer_id))
                counts[0] += 1
            else:
                found.discard(str(change.customer_id))
                counts[1] += 1
        elif change.kind == "erased":
            for segment, found in members.items():
                if change.customer_id in found:
                    found.discard(str(change.customer_id))
                    touched.setdefault(segment, [0, 0])[1] += 1
    close(current)
    return series


def _from_materializations(changes: Sequence[MembershipChange]) -> Series:
    series: Series = {}
    for change in sorted(changes, key=lambda c: c.at):
        series.setdefault(change.segment, []).append(
            (change.at, len(change.members), len(change.entered), len(change.exited))
        )
    return series


def _series(source: Hub | Sequence[Change] | Sequence[MembershipChange]) -> Series:
    from dchkit.hub import Hub

    if isinstance(source, Hub):
        feed: list[Change] = []
        while page := source.changes(feed[-1].cursor if feed else 0, limit=_PAGE):
            feed.extend(page)
        return _from_changes(feed)
    items = list(source)
    if all(hasattr(item, "members") for item in items):
        return _from_materializations(cast("list[MembershipChange]", items))
    if all(hasattr(item, "kind") and hasattr(item, "cursor") for item in items):
        return _from_changes(cast("list[Change]", items))
    msg = "segment_sizes reads a Hub, its change feed or a list of materializations"
    raise ConfigError(msg, fix="pass hub, hub.changes() or [registry.materialize(...), ...]")


def segment_sizes(
    source: Hub | Sequence[Change] | Sequence[MembershipChange],
    *,
    segments: Sequence[str] | None = None,
) -> Chart:
    """Members of each segment over time, with who entered and exited at each step.

    Args:
        source: A hub (its whole change feed is replayed), a list of its
            :class:`~dchkit.hub.Change` entries, or a list of
            :class:`~dchkit.profile.MembershipChange` from materializing segments over time.
        segments: Only these segments (default: every segment in the source).

    Raises:
        ConfigError: the source holds no membership changes of the wanted segments.
    """
    series = _series(source)
    if segments is not None:
        series = {name: series[name] for name in segments if name in series}
    if not series:
        msg = "no segment membership to draw"
        raise ConfigError(
            msg, fix="materialize segments first (hub.segments.materialize() or hub.resolve())"
        )
    single = len(series) == 1
    title = "Segment sizes over time"

    def body(fig: Figure, labels: Labels) -> None:
        import matplotlib.dates as mdates

        if single:
            top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=(2.2, 1))
        else:
            top, bottom = fig.add_subplot(), None
        latest = max(p[0] for points in series.values() for p in points)
        for i, (name, points) in enumerate(sorted(series.items())):
            when = [p[0] for p in points]
            sizes = [p[1] for p in points]
            colour = _LINE_COLORS[i % len(_LINE_COLORS)]
            shown = labels.text(name, f"segment {i + 1}")
            # A size holds until it changes: carry the last one to the latest write.
            top.step(
                [*when, latest], [*sizes, sizes[-1]], where="post", color=colour, lw=2, label=shown
            )
            top.plot(when, sizes, "o", color=colour, markersize=4)
            top.annotate(
                f"{sizes[-1]:,}",
                (latest, sizes[-1]),
                xytext=(5, 0),
                textcoords="offset points",
                va="center",
                fontsize=9,
                color=colour,
            )
        top.set_ylabel("members")
        top.set_ylim(bottom=0)
        top.grid(axis="y", alpha=0.6)
        top.set_axisbelow(True)
        top.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
        locator = mdates.AutoDateLocator()  # type: ignore[no-untyped-call]
        axis = bottom if bottom is not None else top
        axis.xaxis.set_major_locator(locator)
        axis.xaxis.set_major_formatter(
            mdates.ConciseDateFormatter(locator)  # type: ignore[no-untyped-call]
        )
        if bottom is not None:
            ((_, points),) = series.items()
            when = [p[0] for p in points]
            days = mdates.date2num(when)  # type: ignore[no-untyped-call]
            gaps = np.diff(days) if len(when) > 1 else np.array([1.0])
            width = 0.6 * float(gaps[gaps > 0].min()) if (gaps > 0).any() else 0.5
            bottom.bar(
                when, [p[2] for p in points], width=width, color=COLORS["positive"], label="entered"
            )
            bottom.bar(
                when, [-p[3] for p in points], width=width, color=COLORS["negative"], label="exited"
            )
            bottom.axhline(0, color="#777777", lw=0.8)
            bottom.set_ylabel("changes")
            bottom.grid(axis="y", alpha=0.6)
            bottom.set_axisbelow(True)
            bottom.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
        steps = max(len(p) for p in series.values())
        _titles(
            fig, top, title, f"{len(series)} segment{'s' * (not single)}, {steps} materializations"
        )

    return draw(10.0, 6.0 if single else 4.8, title, body)


# ---------------------------------------------------------------- distributions
def _number(value: float) -> str:
    """Compact money-like number: 1,200 → 1.2k, 3,400,000 → 3.4M."""
    for limit, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= limit:
            return f"{value / limit:.3g}{suffix}"
    return f"{value:.3g}"


def _hbars(ax: Axes, names: list[str], values: list[float], notes: list[str], colour: str) -> None:
    """Horizontal bars, largest on top, each with a note past its end."""
    positions = np.arange(len(names))
    ax.barh(positions, values, color=colour, height=0.65)
    ax.set_yticks(positions, names)
    ax.invert_yaxis()
    for y, value, note in zip(positions, values, notes, strict=True):
        ax.annotate(
            note, (value, y), xytext=(4, 0), textcoords="offset points", va="center", fontsize=8.5
        )
    ax.set_xlim(0, (max(values, default=0) or 1) * 1.35)
    ax.grid(axis="x", alpha=0.6)
    ax.set_axisbelow(True)


def _lifetime_values(table: pa.Table) -> Chart:
    rows = table.to_pylist()
    bands = [
        f"≥ {_number(r['lower'])}"
        if r["upper"] is None
        else f"{_number(r['lower'])}–{_number(r['upper'])}"
        for r in rows
    ]
    customers = [int(r["customers"]) for r in rows]
    totals = [float(r["total_value"]) for r in rows]
    title = "Customers by lifetime value"

    def body(fig: Figure, labels: Labels) -> None:
        left, right = fig.subplots(1, 2)
        bars = left.bar(bands, customers, color=COLORS["total"])
        left.bar_label(bars, labels=[f"{c:,}" for c in customers], padding=2, fontsize=8.5)
        left.set_xlabel("lifetime value band")
        left.set_ylabel("customers")
        bars = right.bar(bands, totals, color=COLORS["positive"])
        right.bar_label(bars, labels=[_number(t) for t in totals], padding=2, fontsize=8.5)
        right.set_xlabel("lifetime value band")
        right.set_ylabel("total lifetime value")
        right.set_title(
            "value held by each band", fontsize=10, fontweight="normal", color=COLORS["muted"]
        )
        from matplotlib.ticker import FuncFormatter

        for ax, values in ((left, customers), (right, totals)):
            ax.tick_params(axis="x", labelrotation=30)
            ax.grid(axis="y", alpha=0.6)
            ax.set_axisbelow(True)
            ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _: _number(v)))
            ax.set_ylim(min(0.0, min(values, default=0) * 1.15), max([*values, 1]) * 1.12)
        _titles(fig, left, title, f"{sum(customers):,} customers, {_number(sum(totals))} in total")

    return draw(11.0, 4.8, title, body)


def _support_issues(table: pa.Table, top: int) -> Chart:
    rows = table.to_pylist()[:top]
    title = "Support tickets by category"

    def body(fig: Figure, labels: Labels) -> None:
        ax = fig.add_subplot()
        names = [labels.text(r["category"], f"category {i + 1}") for i, r in enumerate(rows)]
        notes = [
            f"{r['tickets']:,}  ·  median {r['median_hours_to_resolve']:.0f} h to resolve"
            if r["median_hours_to_resolve"] is not None
            else f"{r['tickets']:,}  ·  none solved"
            for r in rows
        ]
        _hbars(ax, names, [float(r["tickets"]) for r in rows], notes, COLORS["total"])
        ax.set_xlabel("tickets")
        _titles(
            fig,
            ax,
            title,
            f"{sum(r['tickets'] for r in table.to_pylist()):,} tickets, "
            f"{table.num_rows} categories (top {len(rows)} shown)",
        )

    return draw(10.0, 1.6 + 0.38 * max(len(rows), 3), title, body)


def _campaigns(table: pa.Table, top: int) -> Chart:
    rows = table.to_pylist()[:top]
    title = "Campaign conversions"

    def body(fig: Figure, labels: Labels) -> None:
        ax = fig.add_subplot()
        names = [labels.text(r["campaign"], f"campaign {i + 1}") for i, r in enumerate(rows)]
        notes = [
            f"{r['conversion_rate']:.0%}  ·  {r['converted']:,} of {r['customers']:,} "
            f"customers  ·  revenue {_number(r['revenue'])}"
            for r in rows
        ]
        _hbars(
            ax, names, [100 * float(r["conversion_rate"]) for r in rows], notes, COLORS["positive"]
        )
        ax.set_xlabel("customers who ordered after being touched (%)")
        _titles(fig, ax, title, f"{table.num_rows} campaigns (top {len(rows)} by conversion)")

    return draw(10.0, 1.6 + 0.38 * max(len(rows), 3), title, body)


def _channel_mix(table: pa.Table, top: int) -> Chart:
    channels = table.group_by("channel").aggregate([("events", "sum"), ("customer_id", "count")])
    rows = sorted(channels.to_pylist(), key=lambda r: (-r["events_sum"], r["channel"]))[:top]
    customers = len(set(table.column("customer_id").to_pylist()))
    title = "Events by channel"

    def body(fig: Figure, labels: Labels) -> None:
        ax = fig.add_subplot()
        names = [labels.text(r["channel"], f"channel {i + 1}") for i, r in enumerate(rows)]
        notes = [
            f"{r['events_sum']:,} events  ·  {r['customer_id_count']:,} customers" for r in rows
        ]
        _hbars(ax, names, [float(r["events_sum"]) for r in rows], notes, COLORS["total"])
        ax.set_xlabel("events")
        _titles(fig, ax, title, f"{customers:,} customers with events")

    return draw(10.0, 1.6 + 0.38 * max(len(rows), 3), title, body)


def _stale_leads(table: pa.Table) -> Chart:
    days = np.asarray(table.column("days_waited").to_pylist(), dtype=np.float64)
    never = table.column("first_follow_up").null_count
    title = f"{len(days):,} leads left waiting"

    def body(fig: Figure, labels: Labels) -> None:
        ax = fig.add_subplot()
        if len(days):
            ax.hist(days, bins=min(30, max(5, len(days) // 3)), color=COLORS["negative"])
        ax.set_xlabel("days without a follow-up")
        ax.set_ylabel("leads")
        ax.grid(axis="y", alpha=0.6)
        ax.set_axisbelow(True)
        median = float(np.median(days)) if len(days) else 0.0
        _titles(fig, ax, title, f"{never:,} never followed up; median wait {median:.0f} days")

    return draw(9.0, 4.5, title, body)


_KINDS: tuple[tuple[frozenset[str], str], ...] = (
    (frozenset({"lower", "upper", "customers", "total_value"}), "lifetime_value_distribution"),
    (frozenset({"category", "tickets", "median_hours_to_resolve"}), "support_issues"),
    (frozenset({"campaign", "converted", "conversion_rate", "revenue"}), "campaign_conversions"),
    (frozenset({"record_id", "days_waited", "first_follow_up"}), "stale_leads"),
    (frozenset({"customer_id", "channel", "events", "share"}), "channel_mix"),
)


def distribution(table: Any, *, top: int = 15) -> Chart:
    """The chart of an analysis from :mod:`dchkit.profile.analyses`.

    Recognizes the table by its columns: lifetime-value bands, support issues, campaign
    conversions, stale leads or channel mix.

    Args:
        table: The analysis output (Arrow, or anything ``pyarrow.table`` accepts).
        top: Most categories, campaigns or channels shown.

    Raises:
        ConfigError: the table is not the output of a known analysis.
    """
    import pyarrow as pa

    table = table if isinstance(table, pa.Table) else pa.table(table)
    columns = set(table.column_names)
    drawers: dict[str, Callable[[], Chart]] = {
        "lifetime_value_distribution": lambda: _lifetime_values(table),
        "support_issues": lambda: _support_issues(table, top),
        "campaign_conversions": lambda: _campaigns(table, top),
        "stale_leads": lambda: _stale_leads(table),
        "channel_mix": lambda: _channel_mix(table, top),
    }
    for needed, kind in _KINDS:
        if needed <= columns:
            return drawers[kind]()
    known = ", ".join(kind for _, kind in _KINDS)
    msg = f"a table with columns {sorted(columns)} is not the output of a known analysis"
    raise ConfigError(msg, fix=f"pass the output of one of {known}")
