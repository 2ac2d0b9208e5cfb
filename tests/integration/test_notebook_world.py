"""Charts and notebook views on a synthetic Japanese world, resolved in memory and in a hub.

Every chart is rendered to a PNG file that must exist, be a valid PNG and have sane pixel
dimensions; the views of the hub's objects must name their ids, sources and weights.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

import dchkit as dch
import dchkit.connectors as dc
from dchkit import charts
from dchkit.datasets import generate_world
from dchkit.demo import DEMO_ID_ALIASES
from dchkit.profile import ProfileStore, SegmentRegistry, analyses

pytestmark = pytest.mark.slow

CONFIG = dch.ResolverConfig(id_type_aliases=DEMO_ID_ALIASES)
# Lifetime-value bands in yen (the world's shop sells in JPY).
YEN_BANDS = (0, 5_000, 10_000, 20_000, 50_000, 100_000)


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def assert_png(chart: charts.Chart, path: Path) -> tuple[int, int]:
    written = chart.save(path)
    assert written.exists()
    assert written.stat().st_size > 5_000
    width, height = png_size(written)
    assert 500 <= width <= 2_000, width
    assert 250 <= height <= 2_000, height
    assert (width, height) == chart.size
    return width, height


def _connectors(directory: Path) -> Iterator[Any]:
    manifest = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    for info in manifest["tables"].values():
        path = directory / info["file"]
        if info["preset"] == "segment_events":
            yield dc.SegmentConnector(path, source=info["source"])
        else:
            kind = dc.CsvConnector if info["format"] == "csv" else dc.JsonLinesConnector
            yield kind(path, preset=info["preset"], source=info["source"], default_region="JP")


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    world = generate_world(n_people=150, locale="ja", seed=7)
    return world.write(tmp_path_factory.mktemp("world"))


@pytest.fixture(scope="module")
def tables(exports: Path) -> tuple[pa.Table, pa.Table]:
    results = [c.read_all() for c in _connectors(exports)]
    return (
        pa.concat_tables([r.records for r in results]),
        pa.concat_tables([r.events for r in results]),
    )


@pytest.fixture(scope="module")
def resolution(tables: tuple[pa.Table, pa.Table]) -> dch.Resolution:
    return dch.Resolver(CONFIG).resolve(tables[0])


@pytest.fixture(scope="module")
def store(resolution: dch.Resolution, tables: tuple[pa.Table, pa.Table]) -> ProfileStore:
    return ProfileStore.from_resolution(resolution, tables[1])


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory, exports: Path) -> Iterator[dch.Hub]:
    path = tmp_path_factory.mktemp("hub") / "customers.db"
    with dch.Hub(path, config=CONFIG) as opened:
        for connector in _connectors(exports):
            opened.ingest(connector)
        opened.resolve()
        yield opened


def _largest_customer(resolution: dch.Resolution) -> str:
    ids, counts = np.unique(np.asarray(resolution.customer_ids, dtype=object), return_counts=True)
    return str(ids[np.argmax(counts)])


def _members(clusters: pa.Table, customer_id: str) -> list[str]:
    found = clusters.filter(pc.equal(clusters.column("customer_id"), customer_id))
    return sorted(found.column("record_id").to_pylist())


def test_waterfalls_of_a_match_and_a_non_match(resolution: dch.Resolution, tmp_path: Path) -> None:
    pairs = resolution.pairs
    for name, keep in (("match", pc.greater_equal), ("non_match", pc.less)):
        row = pairs.filter(keep(pairs.column("match_probability"), 0.5)).slice(0, 1).to_pylist()[0]
        explanation = resolution.explain(row["left_record_id"], row["right_record_id"])
        width, height = assert_png(charts.waterfall(explanation), tmp_path / f"{name}.png")
        assert width == 900
        assert height >= 100 * len(explanation.steps) // 2


def test_customer_graph_shows_the_matches_a_guard_cut(
    resolution: dch.Resolution, tables: tuple[pa.Table, pa.Table], tmp_path: Path
) -> None:
    customer = _largest_customer(resolution)
    members = _members(resolution.clusters, customer)
    assert len(members) >= 3
    assert_png(charts.customer_graph(resolution, customer), tmp_path / "whole.png")

    # A reviewer says the first record is someone else: the cannot-link guard cuts it off.
    cannot = pa.table({"left": [members[0]], "right": [members[-1]]})
    cut = dch.Resolver(CONFIG, model=resolution.model).resolve(tables[0], cannot_link=cannot)
    rest = cut.customer_of(members[-1])
    explanation = cut.explain_customer(rest)
    assert explanation.cut_edges, "the guard should have cut an edge of this customer"
    assert all(members[0] in (e.left, e.right) for e in explanation.cut_edges)
    assert all(f"cannot-link {members[0]}" in e.reason for e in explanation.cut_edges)
    chart = charts.customer_graph(cut, rest)
    assert_png(chart, tmp_path / "cut.png")
    legend = [t.get_text() for t in chart.figure.axes[0].get_legend().get_texts()]
    assert "cut by a guard" in legend
    assert "record of another customer" in legend
    view = explanation._repr_html_()
    assert "Matches cut by a guard" in view
    assert members[0] in view


def test_run_distributions(resolution: dch.Resolution, hub: dch.Hub, tmp_path: Path) -> None:
    assert_png(charts.match_weights(resolution), tmp_path / "weights.png")
    assert_png(charts.cluster_sizes(resolution), tmp_path / "sizes.png")
    assert_png(charts.cluster_sizes(hub), tmp_path / "hub_sizes.png")
    assert_png(charts.cluster_sizes(resolution.clusters), tmp_path / "table_sizes.png")


def test_every_analysis_has_a_chart(store: ProfileStore, tmp_path: Path) -> None:
    end = pc.max(store.customer_events.column("timestamp")).as_py()
    outputs = {
        "ltv": analyses.lifetime_value_distribution(store, bands=YEN_BANDS, now=end),
        "support": analyses.support_issues(store),
        "campaigns": analyses.campaign_conversions(store),
        "stale": analyses.stale_leads(store, now=end),
        "channels": analyses.channel_mix(store),
    }
    for name, table in outputs.items():
        assert table.num_rows, f"the world should give {name} rows"
        assert_png(charts.distribution(table), tmp_path / f"{name}.png")
    assert_png(charts.distribution(outputs["channels"].to_pandas()), tmp_path / "pandas.png")


def test_segment_sizes_over_a_year_of_materializations(store: ProfileStore, tmp_path: Path) -> None:
    registry = SegmentRegistry(store)
    registry.define("active_90d", 'count(events, within="90d") > 0')
    registry.define("buyers_180d", 'count(events, type="Order Completed", within="180d") > 0')
    end = pc.max(store.customer_events.column("timestamp")).as_py()
    history = [
        registry.materialize(name, now=end - timedelta(days=30 * k))
        for k in range(12, -1, -1)
        for name in ("active_90d", "buyers_180d")
    ]
    assert_png(charts.segment_sizes(history), tmp_path / "both.png")
    assert_png(charts.segment_sizes(history, segments=["active_90d"]), tmp_path / "one.png")


def test_hub_views_and_charts(hub: dch.Hub, tmp_path: Path) -> None:
    hub.segments.define("emailable", "consent.email")
    hub.segments.define("repeat_buyers", 'count(events, type="Order Completed") >= 2')
    hub.segments.materialize()
    clusters = hub.store.read("clusters")
    counts = clusters.group_by("customer_id").aggregate([("record_id", "count")])
    customer = counts.sort_by([("record_id_count", "descending")]).column("customer_id")[0].as_py()
    members = _members(clusters, customer)
    hub.forget(customer)  # leaves the segments it was in: the replay must see it
    hub.segments.materialize()

    width, _height = assert_png(charts.segment_sizes(hub), tmp_path / "hub_segments.png")
    assert width == 1000

    other = counts.filter(pc.greater_equal(counts.column("record_id_count"), 2))
    other = other.filter(pc.not_equal(other.column("customer_id"), customer))
    target = other.column("customer_id")[0].as_py()
    graph = charts.customer_graph(hub, target)
    assert_png(graph, tmp_path / "hub_graph.png")
    explanation = hub.explain_customer(target)
    a, b = explanation.edges[0][:2]
    assert_png(charts.waterfall(hub.explain(a, b)), tmp_path / "hub_waterfall.png")

    profile = hub.profiles.get(target)
    view = profile._repr_html_()
    for record in profile.records:
        assert record.record_id in view
        assert f">{record.source}<" in view
    assert profile.customer_id in view
    page = hub.profiles.timeline(target, limit=5)
    timeline = page._repr_html_()
    assert f"{len(page)} of {page.total} events" in timeline
    for event in page.events.to_pylist():
        assert event["type"] in timeline
    pair = hub.explain(a, b)._repr_html_()
    assert f"{a} vs {b}" in pair
    assert "same customer" in pair
    assert members[0] not in hub.explain_customer(target)._repr_html_()
