"""HTML views of dchkit objects: escaped, with the ids, sources and weights a reader needs."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import UTC, datetime

import pyarrow as pa
import pytest

import dchkit as dch
from dchkit.errors import ConfigError
from dchkit.notebook import to_html
from dchkit.profile import ProfileStore, SegmentRegistry

EVIL = "<script>alert('x')</script>"


@pytest.fixture(scope="module")
def resolution() -> dch.Resolution:
    return dch.resolve(
        [
            {
                "record_id": "crm:1",
                "source": "crm",
                "family_name": EVIL,
                "given_name": "太郎",
                "email": "taro@example.jp",
                "phone": "090-1234-5678",
            },
            {
                "record_id": "ec:7",
                "source": "ec",
                "family_name": "山田",
                "given_name": "太郎",
                "email": "TARO@example.jp",
            },
            {
                "record_id": "ec:8",
                "source": "ec",
                "family_name": "佐藤",
                "given_name": "花子",
                "email": "hanako@example.jp",
            },
        ]
    )


@pytest.fixture(scope="module")
def store(resolution: dch.Resolution) -> ProfileStore:
    events = pa.table(
        {
            "event_id": ["o1", "o2", "o3"],
            "source": ["ec", "ec", "crm"],
            "type": ["Order Completed", EVIL, "Call Logged"],
            "timestamp": [datetime(2024, m, 1, tzinfo=UTC) for m in (1, 2, 3)],
            "record_id": ["ec:7", "ec:7", "crm:1"],
            "channel": ["web", "web", "phone"],
            "value": [1200.0, None, None],
            "currency": ["JPY", None, None],
        }
    )
    return ProfileStore.from_resolution(resolution, events)


def _no_raw_markup(view: str) -> None:
    assert "<script" not in view.lower()
    assert "&lt;script&gt;" in view


def test_resolution_view_counts_and_rules(resolution: dch.Resolution) -> None:
    view = resolution._repr_html_()
    assert "dchkit.Resolution" in view
    assert "3 records → 2 customers" in view
    assert "email_keys" in view  # a blocking rule with its pair count
    assert "Customers by number of records" in view
    assert "<script" not in view
    assert "<style" not in view
    assert "http" not in view


def test_pair_explanation_view_has_every_comparison_and_weight(
    resolution: dch.Resolution,
) -> None:
    explanation = resolution.explain("crm:1", "ec:7")
    view = explanation._repr_html_()
    assert "crm:1 vs ec:7" in view
    assert "same customer" in view
    for step in explanation.steps:
        assert f">{step.comparison}<" in view
        assert f"{step.weight:+.2f}" in view
    assert f"{explanation.match_weight:+.2f}" in view
    assert f"{explanation.prior_weight:+.2f}" in view
    assert repr(explanation).startswith("PairExplanation('crm:1' vs 'ec:7': same customer")


def test_customer_explanation_view_lists_records_and_edges(resolution: dch.Resolution) -> None:
    explanation = resolution.explain_customer(resolution.customer_of("ec:7"))
    view = to_html(explanation)
    assert "crm:1" in view
    assert "ec:7" in view
    assert "ec:8" not in view
    assert "Edges, weakest first" in view
    assert re.search(r"\+\d+\.\d\d", view)  # a match weight
    assert repr(explanation) == (
        f"CustomerExplanation({explanation.customer_id!r}, records=2, edges=1)"
    )


def test_profile_view_escapes_customer_data(store: ProfileStore) -> None:
    profile = store.lookup(record_id="crm:1")
    view = profile._repr_html_()
    _no_raw_markup(view)
    assert "taro@example.jp" in view
    assert "crm:1" in view
    assert "ec:7" in view
    assert ">crm<" in view
    assert ">ec<" in view
    assert "+819012345678" in view


def test_timeline_view_escapes_event_types(store: ProfileStore, resolution: dch.Resolution) -> None:
    page = store.timeline(resolution.customer_of("ec:7"), limit=2)
    view = page._repr_html_()
    _no_raw_markup(view)
    assert "2 of 3 events" in view
    assert "Call Logged" in view
    assert "Order Completed" not in view
    assert "more with cursor" in view
    rest = store.timeline(page.customer_id, limit=2, cursor=page.next_cursor)._repr_html_()
    assert "Order Completed" in rest
    assert "1,200.00 JPY" in rest
    assert repr(page) == f"TimelinePage({page.customer_id!r}, events=2, total=3, more pages)"


def test_segment_and_membership_views(store: ProfileStore) -> None:
    registry = SegmentRegistry(store)
    segment = registry.define(
        "buyers", 'count(events, type="Order Completed") > 0', description=EVIL
    )
    assert "buyers" in segment._repr_html_()
    _no_raw_markup(segment._repr_html_())
    assert repr(segment).startswith("Segment('buyers', ")
    change = registry.materialize("buyers", now=datetime(2024, 6, 1, tzinfo=UTC))
    view = change._repr_html_()
    assert "segment buyers" in view
    assert "Entered" in view
    assert change.entered[0].as_py() in view
    assert repr(change).startswith("MembershipChange('buyers', members=1, entered=1, exited=0")


def test_to_html_refuses_objects_without_a_view() -> None:
    with pytest.raises(ConfigError, match="has no HTML view"):
        to_html(object())


def test_resolution_views_do_not_load_the_profile_layer_or_matplotlib() -> None:
    code = (
        "import sys, dchkit as dch\n"
        "res = dch.resolve([{'record_id': 'a', 'email': 'a@example.jp'},"
        " {'record_id': 'b', 'email': 'A@example.jp'}])\n"
        "html = res._repr_html_() + res.explain('a', 'b')._repr_html_()"
        " + res.explain_customer(res.customer_of('a'))._repr_html_()\n"
        "print(sorted(m for m in sys.modules if m.startswith(('dchkit.profile', 'matplotlib'))))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip() == "[]"
