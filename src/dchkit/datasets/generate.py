"""``generate_world`` and ``load_demo``: assemble a world from its parts."""

from __future__ import annotations

from collections import Counter
from functools import cache
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from dchkit.datasets._data import en, ja
from dchkit.datasets.columns import join
from dchkit.datasets.config import SOURCES, WorldConfig
from dchkit.datasets.crm import PLACEHOLDER_BIRTHDATE, build_crm_contacts
from dchkit.datasets.ec import build_ec
from dchkit.datasets.ma import build_ma
from dchkit.datasets.people import People, generate_people
from dchkit.datasets.presence import SourceRows, draw_presence
from dchkit.datasets.report import HubValue, WorldReport
from dchkit.datasets.support import build_support
from dchkit.datasets.truth import event_truth, people_table, record_truth, records_per_person
from dchkit.datasets.web import build_web
from dchkit.datasets.world import World

__all__ = ["generate_world", "load_demo"]

#: Share of all events that each event-producing source gets.
_EVENT_SHARE = {"ec": 0.12, "support": 0.06, "ma": 0.42, "web": 0.40}


def _per_record(
    config: WorldConfig, rows: dict[str, SourceRows], source: str, total_records: int
) -> float:
    n = len(rows[source].pidx)
    return _EVENT_SHARE[source] * config.events_per_record * total_records / n if n else 0.0


def _row_of(keys: pa.Array, ids: pa.Array) -> np.ndarray:
    return np.asarray(pc.index_in(keys, ids).to_numpy(zero_copy_only=False), dtype=np.int64)


def generate_world(config: WorldConfig | None = None, /, **settings: Any) -> World:
    """Generate a seeded synthetic multi-source customer world with ground truth.

    Args:
        config: A full configuration; or pass its fields as keywords instead
            (``n_people=...`` or ``n_records=...``, ``locale``, ``seed`` …). Keywords given
            with a config override its fields.
        **settings: Fields of :class:`WorldConfig`.

    Returns:
        The world: raw tables, truth, event truth, people and a report.

    Raises:
        ConfigError: A setting is invalid (the message names the field and the fix).

    Examples:
        >>> from dchkit.datasets import generate_world
        >>> world = generate_world(n_people=300, locale="ja", seed=7)
        >>> world.report.people
        300
        >>> sorted(world.tables)[:3]
        ['crm_contacts', 'ec_customers', 'ec_orders']
        >>> world.truth.num_rows == sum(world.report.records_by_table.values())
        True
    """
    if config is None:
        config = WorldConfig(**settings)
    elif settings:
        config = WorldConfig(**(config.model_dump() | settings))
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(config.seed).spawn(8)]
    n_people, rows = draw_presence(config, streams[0])
    people = generate_people(config, n_people, streams[1])
    total = sum(len(r.pidx) for r in rows.values())
    counts: Counter[tuple[str, str]] = Counter()

    crm, crm_counts = build_crm_contacts(people, rows["crm"], config, streams[2])
    customers, orders, ec_counts = build_ec(
        people, rows["ec"], config, streams[3], _per_record(config, rows, "ec", total)
    )
    ec_rows = rows["ec"]
    first = ~ec_rows.duplicate
    ec_ids = dict(
        zip(
            ec_rows.pidx[first].tolist(),
            customers["Customer ID"].filter(pa.array(first)).to_pylist(),
            strict=True,
        )
    )
    users, tickets, support_counts = build_support(
        people,
        rows["support"],
        ec_ids,
        config,
        streams[4],
        _per_record(config, rows, "support", total),
    )
    leads, activity, ma_counts = build_ma(
        people, rows["ma"], config, streams[5], _per_record(config, rows, "ma", total)
    )
    web, web_ids, web_identified, web_counts = build_web(
        people, rows["web"], ec_ids, config, streams[6], _per_record(config, rows, "web", total)
    )
    for part in (crm_counts, ec_counts, support_counts, ma_counts, web_counts):
        counts.update(part)

    truth = pa.concat_tables(
        [
            record_truth("crm", "crm_contacts", crm["Id"], people, rows["crm"].pidx),
            record_truth("ec", "ec_customers", customers["Customer ID"], people, ec_rows.pidx),
            record_truth("support", "support_users", users["id"], people, rows["support"].pidx),
            record_truth("ma", "ma_leads", leads["Record ID"], people, rows["ma"].pidx),
            record_truth("web", "web_events", web_ids, people, rows["web"].pidx, web_identified),
        ]
    )
    order_row = _row_of(orders["Customer ID"], customers["Customer ID"])
    ticket_row = _row_of(tickets["requester_id"], users["id"])
    lead_row = activity["_lead"].to_numpy()
    visitor_row = web["_visitor"].to_numpy()
    events = pa.concat_tables(
        [
            event_truth(
                "ec_orders",
                orders["Id"],
                people,
                ec_rows.pidx[order_row],
                join("ec:", orders["Customer ID"]),
            ),
            event_truth(
                "support_tickets",
                tickets["id"],
                people,
                rows["support"].pidx[ticket_row],
                join("support:", tickets["requester_id"].cast(pa.string())),
            ),
            event_truth(
                "ma_email_activity",
                activity["id"],
                people,
                rows["ma"].pidx[lead_row],
                join("ma:", leads["Record ID"].take(pa.array(lead_row))),
            ),
            event_truth(
                "web_events",
                web["messageId"],
                people,
                rows["web"].pidx[visitor_row],
                join("web:", web_ids.take(pa.array(visitor_row))),
            ),
        ]
    )
    tables = {
        "crm_contacts": crm,
        "ec_customers": customers,
        "ec_orders": orders,
        "support_users": users,
        "support_tickets": tickets,
        "ma_leads": leads,
        "ma_email_activity": activity.drop_columns(["_lead"]),
        "web_events": web.drop_columns(["_visitor"]),
    }
    report = _report(config, people, rows, truth, tables, counts)
    return World(config, tables, truth, events, people_table(people), report)


def _hub_values(
    config: WorldConfig, tables: dict[str, pa.Table], truth: pa.Table
) -> tuple[HubValue, ...]:
    data = ja if config.locale == "ja" else en
    checks = (
        ("ec_customers", "Default Address Phone", data.SHOP_PHONE, "Customer ID"),
        ("ma_leads", "Email", f"info@{data.SHOP_DOMAIN}", "Record ID"),
        ("crm_contacts", "Birthdate", PLACEHOLDER_BIRTHDATE, "Id"),
    )
    found = []
    for table, column, value, key in checks:
        hit = pc.equal(tables[table][column], value)
        ids = tables[table][key].filter(pc.fill_null(hit, False))
        people = truth.filter(
            pc.and_(pc.equal(truth["table"], table), pc.is_in(truth["source_record_id"], ids))
        )
        found.append(
            HubValue(
                field=f"{table}.{column}",
                value=value,
                records=len(ids),
                people=pc.count_distinct(people["person_id"]).as_py(),
            )
        )
    return tuple(found)


def _report(
    config: WorldConfig,
    people: People,
    rows: dict[str, SourceRows],
    truth: pa.Table,
    tables: dict[str, pa.Table],
    counts: Counter[tuple[str, str]],
) -> WorldReport:
    per_person = records_per_person(truth, people.n)
    mix: dict[str, dict[str, int]] = {}
    for (field, kind), count in sorted(counts.items()):
        mix.setdefault(field, {})[kind] = count
    in_house = people.household >= 0
    record_tables = {
        "crm": "crm_contacts",
        "ec": "ec_customers",
        "support": "support_users",
        "ma": "ma_leads",
        "web": "web_visitors",
    }
    return WorldReport(
        locale=config.locale,
        seed=config.seed,
        people=people.n,
        records=truth.num_rows,
        records_by_table={record_tables[s]: len(rows[s].pidx) for s in SOURCES},
        events_by_table={
            t: tables[t].num_rows
            for t in ("ec_orders", "support_tickets", "ma_email_activity", "web_events")
        },
        records_per_person=float(per_person.mean()) if people.n else 0.0,
        share_people_with_2plus_records=float((per_person >= 2).mean()) if people.n else 0.0,
        within_source_duplicates={s: int(rows[s].duplicate.sum()) for s in SOURCES},
        households=int(np.unique(people.household[in_house]).size),
        people_in_households=int(in_house.sum()),
        corruption_mix=mix,
        hub_values=_hub_values(config, tables, truth),
    )


@cache
def load_demo() -> World:
    """A small Japanese world (1,500 people, fixed seed) for docs, demos and tests.

    Examples:
        >>> from dchkit.datasets import load_demo
        >>> demo = load_demo()
        >>> demo.report.people, demo.config.locale
        (1500, 'ja')
    """
    return generate_world(n_people=1500, locale="ja", seed=20240501)
