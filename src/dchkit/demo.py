"""The end-to-end demo behind ``dchkit demo`` and ``./scripts/demo``.

Generates a synthetic multi-source customer world, writes it as the source systems would
export it, reads every export back through its connector preset, writes records and events
into a persistent hub (``customers.db``, one SQLite file), resolves them into customers,
scores the result against the ground truth, and shows one customer as an application sees
it — looked up by e-mail, the golden record with the lineage of its values, the source
records and the timeline from every source — and a segment of repeat buyers. The clusters,
golden records, lineage and events are also saved as Parquet next to the exports.

Examples:
    >>> import io, tempfile
    >>> from pathlib import Path
    >>> from rich.console import Console
    >>> from dchkit.demo import run_demo
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     summary = run_demo(people=120, locale="en", seed=3, directory=Path(tmp),
    ...                        console=Console(file=io.StringIO()))
    >>> summary["records"] > summary["customers"] > 100
    True
    >>> summary["segment_members"] > 0
    True
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from rich.console import Console
from rich.table import Table

__all__ = ["DEMO_ID_ALIASES", "read_world_records", "run_demo"]

#: How the demo world's web user ids and support external ids relate to shop customers.
DEMO_ID_ALIASES = {"user_id": "shopify_customer_id", "zendesk_external_id": "shopify_customer_id"}


def _connector(directory: Path, info: dict[str, Any], region: str) -> Any:
    import dchkit.connectors as dc

    path = directory / info["file"]
    if info["preset"] == "segment_events":
        return dc.SegmentConnector(path, source=info["source"])
    kind = dc.CsvConnector if info["format"] == "csv" else dc.JsonLinesConnector
    return kind(path, preset=info["preset"], source=info["source"], default_region=region)


def _read_exports(
    directory: Path, region: str, console: Console
) -> tuple[pa.Table, pa.Table, list[dict[str, Any]]]:
    manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    records, events, rows = [], [], []
    for table_name, info in manifest["tables"].items():
        with console.status(f"reading {info['file']} through preset {info['preset']} …"):
            result = _connector(directory, info, region).read_all()
        records.append(result.records)
        events.append(result.events)
        report = result.report
        rows.append(
            {
                "table": table_name,
                "preset": info["preset"],
                "rows": report.rows_read,
                "records": report.records,
                "events": report.events,
                "rejects": report.rejects,
            }
        )
    return pa.concat_tables(records), pa.concat_tables(events), rows


def read_world_records(
    world: Any, directory: Path, *, default_region: str = "JP"
) -> tuple[pa.Table, dict[str, str]]:
    """Write a synthetic world's exports to ``directory`` and read its records back.

    Every table goes through its connector preset, as a user's files would.

    Returns:
        The canonical records and the true person of each record.
    """
    exports = world.write(directory)
    manifest = json.loads((exports / "manifest.json").read_text(encoding="utf-8"))
    tables = [
        _connector(exports, info, default_region).read_all().records
        for info in manifest["tables"].values()
        if info["kind"] == "records" or info["preset"] == "segment_events"
    ]
    records = pa.concat_tables(tables)
    return records, _truth_for(records, world.truth)


def _truth_for(records: pa.Table, truth: pa.Table) -> dict[str, str]:
    """Person of every record, as a matcher can know it (see ``resolvable_truth``)."""
    from dchkit.datasets import resolvable_truth

    return resolvable_truth(records, truth)


def _pick_customer(clusters: pa.Table, records: pa.Table) -> str:
    """A customer seen by the most sources (ties: most records, then smallest id)."""
    source_of = dict(
        zip(records["record_id"].to_pylist(), records["source"].to_pylist(), strict=True)
    )
    with_source = clusters.append_column(
        "source", pa.array([source_of[r] for r in clusters["record_id"].to_pylist()], pa.string())
    )
    stats = with_source.group_by("customer_id").aggregate(
        [("source", "count_distinct"), ("record_id", "count")]
    )
    ordered = stats.sort_by(
        [
            ("source_count_distinct", "descending"),
            ("record_id_count", "descending"),
            ("customer_id", "ascending"),
        ]
    )
    return str(ordered.column("customer_id")[0].as_py())


_NAME_COLUMNS = ("record_id", "full_name", "family_name", "given_name", "emails", "phones")


def _show_customer(tables: dict[str, pa.Table], customer_id: str, console: Console) -> None:
    golden_table, lineage_table = tables["golden"], tables["lineage"]
    golden = golden_table.filter(pc.equal(golden_table["customer_id"], customer_id)).to_pylist()[0]
    table = Table(title=f"golden record {customer_id}", show_lines=False)
    table.add_column("field")
    table.add_column("value")
    table.add_column("from (lineage)")
    lineage = lineage_table.filter(pc.equal(lineage_table["customer_id"], customer_id)).to_pylist()
    for field in (
        "family_name",
        "given_name",
        "name_kana",
        "birth_date",
        "emails",
        "phones",
        "postcode",
        "region",
        "city",
        "street",
    ):
        value = golden.get(field)
        if value in (None, []):
            continue
        sources = sorted(
            {f"{row['record_id']} ({row['rule']})" for row in lineage if row["field"] == field}
        )
        shown = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
        table.add_row(field, shown, "; ".join(sources[:3]))
    console.print(table)

    clusters = tables["clusters"]
    members = clusters.filter(pc.equal(clusters["customer_id"], customer_id))["record_id"]
    records = tables["records"].filter(pc.is_in(tables["records"]["record_id"], value_set=members))
    source_table = Table(title="source records")
    for column in _NAME_COLUMNS:
        source_table.add_column(column)
    for row in records.to_pylist():
        source_table.add_row(
            *(
                ", ".join(v) if isinstance(v, list) else str(v or "")
                for v in map(row.get, _NAME_COLUMNS)
            )
        )
    console.print(source_table)


def _show_timeline(page: Any, console: Console) -> None:
    timeline_table = Table(
        title=f"hub.profiles.timeline: {page.total} events from every source (latest 10)"
    )
    for column in ("timestamp", "source", "type", "channel", "value"):
        timeline_table.add_column(column)
    for row in page.events.to_pylist():
        timeline_table.add_row(
            str(row["timestamp"])[:19],
            row["source"],
            row["type"],
            str(row["channel"] or ""),
            "" if row["value"] is None else f"{row['value']:,.0f} {row['currency'] or ''}",
        )
    console.print(timeline_table)


def run_demo(
    *, people: int, locale: str, seed: int, directory: Path, console: Console
) -> dict[str, Any]:
    """Run the demo end to end; return a summary of what happened (also printed)."""
    from dchkit.datasets import generate_world  # heavy layers load on demand
    from dchkit.hub import Hub
    from dchkit.resolution import ResolverConfig
    from dchkit.resolution.metrics import evaluate_clusters

    started = time.perf_counter()
    with console.status(f"generating a synthetic {locale} world of {people:,} people …"):
        world = generate_world(n_people=people, locale=locale, seed=seed)
    console.print(str(world.report))
    exports = world.write(directory / "exports")
    console.print(f"\nwrote the source systems' exports to [bold]{exports}[/bold]")

    region = "JP" if locale == "ja" else "US"
    records, events, reads = _read_exports(exports, region, console)
    read_table = Table(title="ingest through connector presets (rows = records + events + rejects)")
    for column in ("table", "preset", "rows", "records", "events", "rejects"):
        read_table.add_column(column)
    for row in reads:
        read_table.add_row(*(f"{v:,}" if isinstance(v, int) else str(v) for v in row.values()))
    console.print(read_table)

    hub_path = directory / "customers.db"
    for stale in directory.glob("customers.db*"):  # a fresh hub each run
        stale.unlink()
    hub = Hub(hub_path, config=ResolverConfig(id_type_aliases=DEMO_ID_ALIASES))
    with console.status("writing records and events into the SQLite hub …"):
        hub.ingest(records, events=events, resolve="never")
    with console.status("resolving identities …"):
        report = hub.resolve()
    store = hub.profile_store()
    tables = store.tables()
    clusters = tables["clusters"]
    truth = _truth_for(records, world.truth)
    metrics = evaluate_clusters(
        clusters["customer_id"], pa.array([truth[r] for r in clusters["record_id"].to_pylist()])
    )
    console.print(
        f"\nresolved [bold]{records.num_rows:,}[/bold] records into [bold]{report.customers:,}[/bold] "
        f"customers (true: {metrics.true_clusters:,}) in {report.timings.get('total', 0.0):.1f} s, "
        f"kept in the SQLite hub [bold]{hub_path}[/bold]\n"
        f"against the ground truth: pairwise precision {metrics.pairwise.precision:.3f}, "
        f"recall {metrics.pairwise.recall:.3f}, F1 {metrics.pairwise.f1:.3f}; "
        f"B-cubed F1 {metrics.bcubed.f1:.3f}; customers mixing two people: {metrics.mixed_clusters}"
    )
    customer = _pick_customer(clusters, tables["records"])
    profile = hub.profiles.get(customer)
    lookup_by = profile.emails[0] if profile.emails else None
    if lookup_by is not None:
        found = hub.profiles.lookup(email=lookup_by)
        console.print(f"\nhub.profiles.lookup(email={lookup_by!r}) → {found.customer_id}")
    _show_customer(tables, customer, console)
    page = hub.profiles.timeline(customer, limit=10)
    _show_timeline(page, console)

    segment_rule = 'count(events, type="Order Completed") >= 2'
    hub.segments.define("repeat_buyers", segment_rule, description="two orders or more")
    members = hub.segments.members("repeat_buyers")
    console.print(
        f"\nsegment [bold]repeat_buyers[/bold] ({segment_rule}): "
        f"[bold]{len(members):,}[/bold] of {report.customers:,} customers"
    )

    results = directory / "results"
    results.mkdir(parents=True, exist_ok=True)
    for name in ("clusters", "golden", "lineage", "events"):
        pq.write_table(tables[name], results / f"{name}.parquet")
    console.print(
        f"\nsaved clusters, golden records, lineage and events as Parquet in [bold]{results}[/bold]"
        f"\nthe hub stays in [bold]{hub_path}[/bold]: try "
        f"[bold]dchkit profile lookup --hub {hub_path} --email …[/bold]"
    )
    hub.close()
    return {
        "locale": locale,
        "people": people,
        "records": records.num_rows,
        "events": events.num_rows,
        "rejects": sum(r["rejects"] for r in reads),
        "customers": report.customers,
        "segment_members": len(members),
        "hub": str(hub_path),
        "true_customers": metrics.true_clusters,
        "metrics": metrics.as_dict(),
        "example_customer": customer,
        "seconds": round(time.perf_counter() - started, 2),
        "results": str(results),
    }
