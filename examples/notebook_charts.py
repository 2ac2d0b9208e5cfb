"""Build every chart of dchkit.charts, and a page of notebook views, into a directory.

A synthetic Japanese world goes into a SQLite hub through its connectors; the hub is
resolved, two segments are materialized month by month, and a reviewer's cannot-link cuts
one customer apart. The charts are saved as PNG (and one as HTML), and ``index.html``
shows them beside the HTML views a notebook would show.

Run: python examples/notebook_charts.py [directory] [people]   (needs dchkit[notebook])
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

import dchkit as dch
import dchkit.connectors as dc
from dchkit import charts
from dchkit.datasets import generate_world
from dchkit.demo import DEMO_ID_ALIASES
from dchkit.profile import ProfileStore, SegmentRegistry, analyses

CONFIG = dch.ResolverConfig(id_type_aliases=DEMO_ID_ALIASES)
YEN_BANDS = (0, 5_000, 10_000, 20_000, 50_000, 100_000)


def connectors(exports: Path) -> Iterator[Any]:
    """One connector per exported table, with the preset the manifest names."""
    manifest = json.loads((exports / "manifest.json").read_text(encoding="utf-8"))
    for info in manifest["tables"].values():
        path = exports / info["file"]
        if info["preset"] == "segment_events":
            yield dc.SegmentConnector(path, source=info["source"])
        else:
            reader = dc.CsvConnector if info["format"] == "csv" else dc.JsonLinesConnector
            yield reader(path, preset=info["preset"], source=info["source"])


def main(out: Path, people: int) -> None:
    out.mkdir(parents=True, exist_ok=True)
    exports = generate_world(n_people=people, locale="ja", seed=7).write(out / "exports")
    hub = dch.Hub(out / "customers.db", config=CONFIG)
    for connector in connectors(exports):
        hub.ingest(connector)
    hub.resolve()
    hub.segments.define("emailable", "consent.email")
    hub.segments.define("repeat_buyers", 'count(events, type="Order Completed") >= 2')
    hub.segments.materialize()

    records = hub.store.read("records")
    resolution = dch.Resolver(CONFIG, model=hub.model).resolve(records)
    ids, sizes = np.unique(np.asarray(resolution.customer_ids, dtype=object), return_counts=True)
    largest = str(ids[np.argmax(sizes)])
    members = sorted(
        resolution.clusters.filter(pc.equal(resolution.clusters["customer_id"], largest))[
            "record_id"
        ].to_pylist()
    )
    # A reviewer decides the first record is someone else: the guard cuts it off.
    cut = dch.Resolver(CONFIG, model=resolution.model).resolve(
        records, cannot_link=pa.table({"left": [members[0]], "right": [members[-1]]})
    )
    # The hub's change feed records what each materialization changed: erase a customer
    # and materialize again, and the segments it was in shrink.
    kept = hub.profiles.customer_id_of(record_id=members[0])
    buyers = hub.segments.stored_members("repeat_buyers").to_pylist()
    hub.forget(next(c for c in buyers if c != kept))
    hub.segments.materialize()
    pairs = resolution.pairs
    near = pairs.filter(pc.less(pairs["match_probability"], 0.5)).slice(0, 1).to_pylist()[0]
    explanation = resolution.explain(near["left_record_id"], near["right_record_id"])

    store = ProfileStore.from_resolution(resolution, hub.store.read("events"))
    end = pc.max(store.customer_events["timestamp"]).as_py()
    registry = SegmentRegistry(store)
    registry.define("active_90d", 'count(events, within="90d") > 0')
    history = [
        registry.materialize("active_90d", now=end - timedelta(days=30 * k))
        for k in range(18, -1, -1)
    ]

    made = {
        "waterfall": charts.waterfall(explanation),
        "customer_graph": charts.customer_graph(resolution, largest),
        "customer_graph_cut": charts.customer_graph(cut, cut.customer_of(members[-1])),
        "hub_customer_graph": charts.customer_graph(
            hub, hub.profiles.customer_id_of(record_id=members[-1])
        ),
        "match_weights": charts.match_weights(resolution),
        "cluster_sizes": charts.cluster_sizes(hub),
        "segment_sizes": charts.segment_sizes(history),
        "hub_segment_changes": charts.segment_sizes(hub),
        "lifetime_values": charts.distribution(
            analyses.lifetime_value_distribution(store, bands=YEN_BANDS, now=end)
        ),
        "support_issues": charts.distribution(analyses.support_issues(store)),
        "campaigns": charts.distribution(analyses.campaign_conversions(store)),
        "stale_leads": charts.distribution(analyses.stale_leads(store, now=end)),
        "channel_mix": charts.distribution(analyses.channel_mix(store)),
    }
    for name, chart in made.items():
        path = chart.save(out / f"{name}.png")
        width, height = chart.size
        print(f"{path}  {width}x{height} px  {chart.title}")
    print(made["waterfall"].save(out / "waterfall.html"))

    profile = hub.profiles.lookup(record_id=members[-1])
    views = [
        resolution,
        explanation,
        cut.explain_customer(cut.customer_of(members[-1])),
        profile,
        hub.profiles.timeline(profile.customer_id, limit=10),
        *hub.segments,
        history[-1],
    ]
    body = "".join(f"<section>{view._repr_html_()}</section><hr>" for view in views)
    body += "".join(f"<section>{chart._repr_html_()}</section>" for chart in made.values())
    page = out / "index.html"
    page.write_text(
        '<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8">'
        "<title>dchkit notebook views</title></head>"
        f'<body style="font-family: sans-serif; margin: 16px;">{body}</body></html>\n',
        encoding="utf-8",
    )
    print(page)
    hub.close()


if __name__ == "__main__":
    main(
        Path(sys.argv[1]) if len(sys.argv) > 1 else Path("charts"),
        int(sys.argv[2]) if len(sys.argv) > 2 else 200,
    )
