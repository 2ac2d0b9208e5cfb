"""Analyses the customer team asks for, each a function returning an Arrow table.

- :func:`lifetime_value_distribution`: customers and value per lifetime-value band;
- :func:`support_issues`: most frequent ticket categories and their time to resolve;
- :func:`campaign_conversions`: which campaigns' contacts went on to order, and for how much;
- :func:`stale_leads`: leads nobody followed up within N days ("leads left alone go to a
  competitor");
- :func:`channel_mix`: each customer's events per channel and their share.

Event ``properties`` (JSON text) are parsed column-wise with Arrow's JSON reader, only for
the events an analysis needs.

Examples:
    >>> from datetime import datetime, UTC
    >>> import pyarrow as pa
    >>> import dchkit as dch
    >>> from dchkit.profile import ProfileStore
    >>> from dchkit.profile.analyses import channel_mix
    >>> res = dch.resolve([{"record_id": "ec:1", "email": "a@example.com"}])
    >>> events = pa.table({
    ...     "event_id": ["e1", "e2", "e3"], "source": ["ec"] * 3, "type": ["Order Completed"] * 3,
    ...     "timestamp": [datetime(2024, 3, 1, tzinfo=UTC)] * 3,
    ...     "record_id": ["ec:1"] * 3, "channel": ["web", "web", "store"],
    ... })
    >>> mix = channel_mix(ProfileStore.from_resolution(res, events))
    >>> mix.select(["channel", "events", "share"]).to_pylist()
    [{'channel': 'web', 'events': 2, 'share': 0.6666666666666666}, {'channel': 'store', 'events': 1, 'share': 0.3333333333333333}]
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pajson

from dchkit.profile._arrow import map_value, to_array
from dchkit.profile._time import parse_within, resolve_now

if TYPE_CHECKING:
    from dchkit.profile.store import ProfileStore

__all__ = [
    "campaign_conversions",
    "channel_mix",
    "lifetime_value_distribution",
    "parse_properties",
    "stale_leads",
    "support_issues",
]


def parse_properties(events: pa.Table) -> pa.Table:
    """The ``properties`` JSON of events as a table of columns (one row per event)."""
    if events.num_rows == 0:
        return pa.table({})
    # One JSON object per line: a raw newline can only be whitespace between JSON tokens.
    texts = pc.replace_substring(pc.fill_null(events.column("properties"), "{}"), "\n", " ")
    lines = to_array(pc.binary_join_element_wise(texts, "", "\n")).cast(pa.large_string())
    offsets = lines.buffers()[1]
    first, last = np.frombuffer(offsets, dtype=np.int64)[[lines.offset, lines.offset + len(lines)]]
    data = lines.buffers()[2][int(first) : int(last)]  # the lines, back to back: no copy
    options = pajson.ParseOptions(unexpected_field_behavior="infer")
    return pajson.read_json(pa.BufferReader(data), parse_options=options)


def _events_of_types(store: ProfileStore, types: Sequence[str]) -> pa.Table:
    events = store.customer_events
    return events.filter(pc.is_in(events.column("type"), value_set=pa.array(list(types))))


def lifetime_value_distribution(
    store: ProfileStore,
    *,
    bands: Sequence[float] = (0, 100, 500, 1_000, 5_000, 10_000, 50_000),
    now: datetime | None = None,
) -> pa.Table:
    """Customers and total value per lifetime-value band ``[lower, upper)``.

    Lifetime value is the built-in trait (orders minus refunds), as of ``now``.
    """
    from dchkit.profile.rules import evaluate, parse
    from dchkit.profile.traits import BUILTIN_TRAITS, EventFrame

    formula = next(t for t in BUILTIN_TRAITS if "lifetime_value" in t.names)
    expression = parse(formula.expression)  # type: ignore[attr-defined]  # a Formula
    values = evaluate(expression, EventFrame(store, now)).to_numpy(zero_copy_only=False)
    edges = np.asarray([*list(bands), np.inf], dtype=np.float64)
    band = np.searchsorted(edges, values, side="right") - 1
    band = np.clip(band, 0, len(edges) - 2)
    counts = np.bincount(band, minlength=len(edges) - 1)
    totals = np.bincount(band, weights=values, minlength=len(edges) - 1)
    upper = pa.array(edges[1:], mask=np.isinf(edges[1:]))
    return pa.table(
        {
            "lower": pa.array(edges[:-1]),
            "upper": upper,
            "customers": pa.array(counts.astype(np.int64)),
            "share": pa.array(counts / max(len(values), 1)),
            "total_value": pa.array(totals),
        }
    )


def support_issues(
    store: ProfileStore,
    *,
    category: str = "subject",
    opened: str = "Ticket Opened",
    solved: str = "Ticket Solved",
) -> pa.Table:
    """Ticket categories by frequency, with the median and mean hours to resolve.

    A ticket is resolved by the ``solved`` event whose id is the opened event's id plus
    ``":solved"`` (the Zendesk preset's convention); ``category`` is the property that
    names the issue (``subject``, ``type`` …).
    """
    tickets = _events_of_types(store, [opened])
    solutions = _events_of_types(store, [solved])
    props = parse_properties(tickets)
    names = (
        to_array(props.column(category)).cast(pa.string())
        if category in props.column_names
        else pa.nulls(tickets.num_rows, pa.string())
    )
    solution_ids = to_array(solutions.column("event_id"))
    position = pc.index_in(
        pc.binary_join_element_wise(tickets.column("event_id"), ":solved", ""),
        value_set=solution_ids,
    )
    solved_at = to_array(solutions.column("timestamp")).take(position)
    hours = pc.divide(
        pc.cast(
            pc.cast(pc.subtract(solved_at, tickets.column("timestamp")), pa.int64()), pa.float64()
        ),
        3_600e6,
    )
    table = pa.table(
        {"category": pc.fill_null(names, "(none)"), "hours": hours, "solved": pc.is_valid(hours)}
    )
    grouped = table.group_by("category").aggregate(
        [
            ("category", "count"),
            ("solved", "sum"),
            ("hours", "approximate_median"),
            ("hours", "mean"),
        ]
    )
    result = pa.table(
        {
            "category": grouped.column("category"),
            "tickets": grouped.column("category_count"),
            "solved": grouped.column("solved_sum"),
            "median_hours_to_resolve": grouped.column("hours_approximate_median"),
            "mean_hours_to_resolve": grouped.column("hours_mean"),
        }
    )
    return result.sort_by([("tickets", "descending"), ("category", "ascending")])


def campaign_conversions(
    store: ProfileStore,
    *,
    campaign: str = "campaignName",
    touches: Sequence[str] = ("Email Opened", "Email Clicked"),
    orders: Sequence[str] = ("Order Completed",),
    within: str = "30d",
) -> pa.Table:
    """Per campaign: customers touched, converted, conversion rate and revenue.

    A touched customer converted when they ordered within ``within`` after their first
    touch by the campaign; revenue is the value of those orders.
    """
    touch = _events_of_types(store, touches)
    names = parse_properties(touch)
    label = (
        to_array(names.column(campaign)).cast(pa.string())
        if campaign in names.column_names
        else pa.nulls(touch.num_rows, pa.string())
    )
    first = (
        pa.table(
            {
                "campaign": label,
                "customer_id": touch.column("customer_id"),
                "touched": touch.column("timestamp"),
            }
        )
        .filter(pc.is_valid(label))
        .group_by(["campaign", "customer_id"])
        .aggregate([("touched", "min")])
    )
    bought = _events_of_types(store, orders).select(["customer_id", "timestamp", "value"])
    joined = first.join(bought, "customer_id", join_type="left outer")
    window = pa.scalar(parse_within(within), pa.duration("us"))
    after = pc.and_(
        pc.greater_equal(joined.column("timestamp"), joined.column("touched_min")),
        pc.less_equal(joined.column("timestamp"), pc.add(joined.column("touched_min"), window)),
    )
    converted = joined.filter(pc.fill_null(after, False))
    per_campaign = first.group_by("campaign").aggregate([("customer_id", "count_distinct")])
    wins = converted.group_by("campaign").aggregate(
        [("customer_id", "count_distinct"), ("value", "sum")]
    )
    result = per_campaign.join(wins, "campaign", join_type="left outer").rename_columns(
        ["campaign", "customers", "converted", "revenue"]
    )
    converted_count = pc.fill_null(result.column("converted"), 0)
    return pa.table(
        {
            "campaign": result.column("campaign"),
            "customers": result.column("customers"),
            "converted": converted_count,
            "conversion_rate": pc.divide(
                pc.cast(converted_count, pa.float64()),
                pc.cast(result.column("customers"), pa.float64()),
            ),
            "revenue": pc.fill_null(result.column("revenue"), 0.0),
        }
    ).sort_by([("conversion_rate", "descending"), ("campaign", "ascending")])


def stale_leads(
    store: ProfileStore,
    *,
    days: int = 14,
    lead_sources: Sequence[str] = ("ma",),
    follow_ups: Sequence[str] = (
        "Email Sent",
        "Call Logged",
        "Meeting Booked",
        "Ticket Solved",
        "Order Completed",
    ),
    created_attribute: str = "Create Date",
    now: datetime | None = None,
) -> pa.Table:
    """Leads nobody followed up within ``days`` of their creation.

    A lead is a record from ``lead_sources``; it was created at its ``created_attribute``
    (else its ``updated_at``); a follow-up is any event of ``follow_ups`` at or after that.
    Leads created less than ``days`` ago are not late yet and are left out.

    Returns:
        customer_id, record_id, created, first_follow_up (null: never) and days_waited.
    """
    reference = resolve_now(now)
    records = store.records.filter(
        pc.is_in(store.records.column("source"), value_set=pa.array(list(lead_sources)))
    )
    attribute = map_value(records.column("attributes"), created_attribute)
    created_text = pc.replace_substring_regex(
        to_array(attribute), r"^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}).*$", r"\1T\2:00"
    )
    parsed = pc.strptime(created_text, format="%Y-%m-%dT%H:%M:%S", unit="us", error_is_null=True)
    created = pc.coalesce(
        pc.cast(parsed, pa.timestamp("us", tz="UTC")), records.column("updated_at")
    )
    owners = pc.index_in(
        records.column("record_id"), value_set=to_array(store.clusters.column("record_id"))
    )
    leads = pa.table(
        {
            "customer_id": to_array(store.clusters.column("customer_id")).take(owners),
            "record_id": records.column("record_id"),
            "created": created,
        }
    ).filter(pc.is_valid(created))
    follow = _events_of_types(store, follow_ups).select(["customer_id", "timestamp"])
    joined = leads.join(follow, "customer_id", join_type="left outer")
    later = pc.greater_equal(joined.column("timestamp"), joined.column("created"))
    firsts = (
        joined.append_column(
            "follow",
            pc.if_else(
                pc.fill_null(later, False),
                joined.column("timestamp"),
                pa.scalar(None, joined.column("timestamp").type),
            ),
        )
        .group_by(["customer_id", "record_id", "created"])
        .aggregate([("follow", "min")])
    )
    limit = pa.scalar(parse_within(f"{days}d"), pa.duration("us"))
    deadline = pc.add(firsts.column("created"), limit)
    late = pc.or_kleene(
        pc.is_null(firsts.column("follow_min")), pc.greater(firsts.column("follow_min"), deadline)
    )
    old_enough = pc.less_equal(deadline, pa.scalar(reference, pa.timestamp("us", tz="UTC")))
    stale = firsts.filter(pc.and_(late, old_enough))
    waited_until = pc.coalesce(
        stale.column("follow_min"), pa.scalar(reference, pa.timestamp("us", tz="UTC"))
    )
    micros = pc.cast(pc.subtract(waited_until, stale.column("created")), pa.int64())
    result = pa.table(
        {
            "customer_id": stale.column("customer_id"),
            "record_id": stale.column("record_id"),
            "created": stale.column("created"),
            "first_follow_up": stale.column("follow_min"),
            "days_waited": pc.floor(pc.divide(pc.cast(micros, pa.float64()), 86_400e6)),
        }
    )
    return result.sort_by([("days_waited", "descending"), ("record_id", "ascending")])


def channel_mix(
    store: ProfileStore, *, within: str | None = None, now: datetime | None = None
) -> pa.Table:
    """Events per customer and channel, with each channel's share of the customer's events."""
    events = store.customer_events
    if within is not None:
        start = resolve_now(now) - parse_within(within)
        events = events.filter(
            pc.greater_equal(
                events.column("timestamp"), pa.scalar(start, pa.timestamp("us", tz="UTC"))
            )
        )
    table = pa.table(
        {
            "customer_id": events.column("customer_id"),
            "channel": pc.fill_null(events.column("channel"), "(none)"),
        }
    )
    counts = table.group_by(["customer_id", "channel"]).aggregate([("channel", "count")])
    totals = counts.group_by("customer_id").aggregate([("channel_count", "sum")])
    joined = counts.join(totals, "customer_id")
    share = pc.divide(
        pc.cast(joined.column("channel_count"), pa.float64()),
        pc.cast(joined.column("channel_count_sum"), pa.float64()),
    )
    return pa.table(
        {
            "customer_id": joined.column("customer_id"),
            "channel": joined.column("channel"),
            "events": joined.column("channel_count"),
            "share": share,
        }
    ).sort_by([("customer_id", "ascending"), ("events", "descending"), ("channel", "ascending")])
