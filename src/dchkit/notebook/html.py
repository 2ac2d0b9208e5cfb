"""HTML views of dchkit's objects, shown by notebooks through ``_repr_html_``.

One builder per kind of object; the objects' ``_repr_html_`` methods delegate here, so the
domain classes carry no markup. Views are compact (long lists are cut with a count of what
was left out), escape every value (customer data is untrusted) and use inline styles only:
no script, no stylesheet, no network. :func:`to_html` returns the view of any dchkit
object that has one, for embedding in a web page.

Examples:
    >>> import dchkit as dch
    >>> from dchkit.notebook import to_html
    >>> res = dch.resolve([{"record_id": "<a>", "email": "taro@example.jp"},
    ...                    {"record_id": "b", "email": "TARO@example.jp"}])
    >>> view = to_html(res.explain("<a>", "b"))
    >>> "same customer" in view, "<a>" in view, "&lt;a&gt; vs b" in view
    (True, False, True)
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from dchkit.errors import ConfigError
from dchkit.notebook._markup import (
    NEGATIVE,
    POSITIVE,
    Cell,
    Safe,
    badge,
    card,
    escape,
    key_values,
    more,
    section,
    table,
    weight_bar,
)

if TYPE_CHECKING:  # for annotations only: the resolution layer must not import profile
    from dchkit.profile import MembershipChange, Profile, Segment, TimelinePage
    from dchkit.resolution.result import CustomerExplanation, PairExplanation, Resolution

__all__ = [
    "customer_explanation_html",
    "match_weight",
    "membership_change_html",
    "pair_explanation_html",
    "profile_html",
    "resolution_html",
    "segment_html",
    "timeline_html",
    "to_html",
]

#: Rows shown before a list is cut short.
MAX_ROWS = 25

_VERDICT_FILL = {
    "same customer": POSITIVE,
    "below threshold": NEGATIVE,
    "cut by a guard": "rgba(210, 140, 20, 0.55)",
}


def to_html(obj: object) -> str:
    """The HTML view of a dchkit object (anything with ``_repr_html_``).

    Raises:
        ConfigError: the object has no HTML view.
    """
    render = getattr(obj, "_repr_html_", None)
    if not callable(render):
        msg = f"{type(obj).__name__} has no HTML view"
        raise ConfigError(
            msg, fix="pass a Resolution, an explanation, a Profile, a timeline page or a segment"
        )
    return str(render())


# ------------------------------------------------------------------ resolution
def resolution_html(res: Resolution) -> str:
    """Counts of a resolve run, customers by size, pairs per blocking rule and guard cuts."""
    import numpy as np

    summary = res.summary()
    per_customer = np.unique(np.asarray(res.customer_ids, dtype=object), return_counts=True)[1]
    counts = Counter(per_customer.tolist())
    sizes = sorted(counts)
    size_rows = [(f"{int(s)} record{'s' if s > 1 else ''}", counts[s]) for s in sizes[:8]]
    if len(sizes) > 8:
        rest = sum(counts[s] for s in sizes[8:])
        size_rows.append((f"{int(sizes[8])}–{int(sizes[-1])} records", rest))
    rules = sorted(res.pairs_per_rule.items(), key=lambda item: (-item[1], item[0]))
    parts: list[Safe | str] = [
        key_values(
            [
                ("candidate pairs", summary["candidate_pairs"]),
                ("edges", f"{summary['edges']:,} at match probability ≥ {res.config.threshold}"),
                ("hard links", summary["hard_links"]),
                ("guard cuts", summary["cuts"]),
                ("guards not met", summary["unresolved_guards"]),
                ("EM iterations", summary["em_iterations"]),
                ("took", f"{res.timings.get('total', 0.0):.2f} s"),
            ]
        ),
        section("Customers by number of records"),
        table(["records", "customers"], size_rows, numeric=[1]),
    ]
    if rules:
        parts += [
            section("Candidate pairs per blocking rule"),
            table(["rule", "pairs"], rules[:10], numeric=[1]),
            more(10, len(rules), "rules"),
        ]
    if res.cuts:
        parts += [
            section("Guard cuts"),
            table(
                ["guard", "edges removed", "weight removed"],
                [(c.reason, len(c.edges), c.weight) for c in res.cuts[:10]],
                numeric=[1, 2],
            ),
            more(10, len(res.cuts), "cuts"),
        ]
    if res.hub_values:
        parts += [
            section("Shared values capped in blocking"),
            table(
                ["rule", "value", "records"],
                [(h.rule, h.value, h.records) for h in res.hub_values[:10]],
                numeric=[2],
            ),
            more(10, len(res.hub_values), "values"),
        ]
    parts.append(
        Safe(
            '<div style="opacity: .7; margin-top: 6px;">'
            "<code>.clusters</code> · <code>.golden</code> · <code>.pairs</code> · "
            "<code>.explain(a, b)</code> · <code>.explain_customer(id)</code></div>"
        )
    )
    subtitle = f"{res.records.num_rows:,} records → {res.customer_count:,} customers"
    return card("dchkit.Resolution", subtitle, *parts)


def pair_explanation_html(explanation: PairExplanation) -> str:
    """A pair's verdict and its match-weight waterfall as a table with bars."""
    steps = explanation.steps
    scale = max([abs(explanation.prior_weight), *(abs(s.weight) for s in steps), 1.0])
    rows: list[tuple[Cell, ...]] = [
        ("prior", "", None, None, f"{explanation.prior_weight:+.2f}", weight_bar(0.0, scale))
    ]
    running = explanation.prior_weight
    for step in steps:
        running += step.weight
        rows.append(
            (
                step.comparison,
                step.level_name,
                step.m,
                step.u,
                f"{step.weight:+.2f}",
                weight_bar(step.weight, scale),
            )
        )
    rows.append(
        (
            Safe("<b>match weight</b>"),
            "",
            None,
            None,
            Safe(f"<b>{explanation.match_weight:+.2f}</b>"),
            "",
        )
    )
    fill = _VERDICT_FILL.get(explanation.verdict, "rgba(128, 128, 128, 0.25)")
    subtitle = Safe(f"{badge(explanation.verdict, fill=fill)} {escape(explanation.reason)}")
    return card(
        f"{explanation.left} vs {explanation.right}",
        subtitle,
        table(["comparison", "level", "m", "u", "weight", ""], rows, numeric=[2, 3, 4]),
        key_values(
            [
                (
                    "match probability",
                    f"{explanation.match_probability:.4f} (threshold {explanation.threshold})",
                ),
                ("candidate pair", explanation.candidate),
            ]
        ),
    )


def customer_explanation_html(explanation: CustomerExplanation) -> str:
    """A customer's records, the edges joining them (weakest first) and the matches cut."""
    edges = sorted(explanation.edges, key=lambda e: (e[2], e[0], e[1]))
    edge_rows = [
        (a, b, f"{p:.4f}", "hard link" if p >= 1.0 else f"{match_weight(p):+.2f}")
        for a, b, p in edges[:MAX_ROWS]
    ]
    parts: list[Safe | str] = [
        section("Records"),
        Safe(" ".join(str(badge(r)) for r in explanation.record_ids[:MAX_ROWS])),
        more(MAX_ROWS, len(explanation.record_ids), "records"),
    ]
    if edges:
        parts += [
            section("Edges, weakest first"),
            table(
                ["record", "record", "match probability", "match weight"],
                edge_rows,
                numeric=[2, 3],
            ),
            more(MAX_ROWS, len(edges), "edges"),
        ]
    if explanation.cut_edges:
        cut_rows = [
            (
                c.left,
                c.right,
                f"{c.match_probability:.4f}",
                f"{match_weight(c.match_probability):+.2f}",
                c.reason,
            )
            for c in explanation.cut_edges[:MAX_ROWS]
        ]
        parts += [
            section("Matches cut by a guard"),
            table(
                ["record", "record", "match probability", "match weight", "guard"],
                cut_rows,
                numeric=[2, 3],
            ),
            more(MAX_ROWS, len(explanation.cut_edges), "cut edges"),
        ]
    subtitle = f"{len(explanation.record_ids)} records, {len(explanation.edges)} edges" + (
        f", {len(explanation.cut_edges)} cut" if explanation.cut_edges else ""
    )
    return card(f"customer {explanation.customer_id}", subtitle, *parts)


def match_weight(probability: float) -> float:
    """The match weight (log2 odds) of a match probability; large for probabilities near 1."""
    import math

    p = min(max(probability, 1e-15), 1 - 1e-15)
    return math.log2(p / (1 - p))


# --------------------------------------------------------------------- profile
_GOLDEN_FIELDS = (
    "name_kana",
    "emails",
    "phones",
    "birth_date",
    "postcode",
    "region",
    "city",
    "street",
    "company",
    "external_ids",
)


def _person_name(values: Any) -> str | None:
    if values.full_name:
        return str(values.full_name)
    parts = [p for p in (values.family_name, values.given_name) if p]
    return " ".join(parts) or None


def profile_html(profile: Profile) -> str:
    """A profile: golden values with where they came from, consent, traits, source records."""
    golden = profile.golden
    sources: dict[str, list[str]] = {}
    for entry in profile.lineage:
        found = sources.setdefault(entry.field, [])
        if entry.record_id not in found:
            found.append(entry.record_id)
    rows: list[tuple[Cell, ...]] = []
    for name in _GOLDEN_FIELDS:
        value = getattr(golden, name)
        if value in (None, (), {}):
            continue
        if isinstance(value, dict):
            value = ", ".join(f"{k}={v}" for k, v in sorted(value.items()))
        rows.append((name, value, ", ".join(sources.get(name, [])[:3])))
    parts: list[Safe | str] = [
        Safe(" ".join(str(badge(s)) for s in profile.sources)),
        table(["field", "value", "from"], rows),
    ]
    if profile.consent:
        parts += [
            section("Consent"),
            table(
                ["purpose", "answer", "when", "from"],
                [
                    (
                        c.purpose,
                        badge(
                            "granted" if c.granted else "refused",
                            fill=POSITIVE if c.granted else NEGATIVE,
                        ),
                        c.updated_at.date() if c.updated_at else None,
                        c.record_id,
                    )
                    for c in profile.consent.values()
                ],
            ),
        ]
    if profile.traits:
        traits = sorted(profile.traits.items())
        parts += [
            section("Traits"),
            table(["trait", "value"], traits[:MAX_ROWS]),
            more(MAX_ROWS, len(traits), "traits"),
        ]
    parts += [
        section("Source records"),
        table(
            ["record", "source", "name", "emails", "phones", "updated"],
            [
                (r.record_id, r.source, _person_name(r), r.emails, r.phones, r.updated_at)
                for r in profile.records[:MAX_ROWS]
            ],
        ),
        more(MAX_ROWS, len(profile.records), "records"),
    ]
    title = profile.name or profile.customer_id
    return card(title, f"{profile.customer_id} · {len(profile.records)} records", *parts)


def timeline_html(page: TimelinePage) -> str:
    """One page of a timeline: when, source, type, channel and value of each event."""
    events = page.events.slice(0, MAX_ROWS * 2).to_pylist()
    rows = [
        (
            e.get("timestamp"),
            e.get("source"),
            e.get("type"),
            e.get("channel"),
            None
            if e.get("value") is None
            else f"{e['value']:,.2f} {e.get('currency') or ''}".strip(),
        )
        for e in events
    ]
    subtitle = f"{len(page)} of {page.total} events" + (
        " · more with cursor=page.next_cursor" if page.next_cursor else ""
    )
    return card(
        f"timeline of {page.customer_id}",
        subtitle,
        table(["when", "source", "type", "channel", "value"], rows, numeric=[4]),
        more(len(rows), len(page), "events on this page"),
    )


def segment_html(segment: Segment) -> str:
    """A segment's name, rule and description."""
    return card(
        f"segment {segment.name}",
        segment.description,
        Safe(f"<code>{escape(str(segment.rule))}</code>"),
    )


def membership_change_html(change: MembershipChange) -> str:
    """A materialized segment: members now, and who entered and exited."""

    def ids(array: Any) -> Safe:
        shown = array.slice(0, MAX_ROWS).to_pylist()
        text = " ".join(str(badge(i)) for i in shown)
        return Safe(text + more(len(shown), len(array), "").text)

    parts: list[Safe | str] = [
        key_values(
            [
                ("members", len(change.members)),
                ("entered", len(change.entered)),
                ("exited", len(change.exited)),
            ]
        )
    ]
    if len(change.entered):
        parts += [section("Entered"), ids(change.entered)]
    if len(change.exited):
        parts += [section("Exited"), ids(change.exited)]
    return card(
        f"segment {change.segment}", f"materialized {change.at:%Y-%m-%d %H:%M:%S %Z}", *parts
    )
