"""Segments: named rules, their members, and materialized membership with changes.

``define`` parses and checks a rule at once (text, a parsed tree or its JSON form), so
an unknown field fails when the segment is defined, not when it is first used.
``members`` evaluates the rule over every customer (vectorized) and returns the member
ids; ``materialize`` also compares with the previous materialization and returns who
entered and who exited. Consent can be required on the way out (``require_consent``).

Examples:
    >>> from datetime import datetime, UTC
    >>> import pyarrow as pa
    >>> import dchkit as dch
    >>> from dchkit.profile import ProfileStore, SegmentRegistry
    >>> res = dch.resolve([{"record_id": "ec:1", "email": "a@example.com"},
    ...                    {"record_id": "ec:2", "email": "b@example.com"}])
    >>> events = pa.table({
    ...     "event_id": ["o1", "o2"], "source": ["ec", "ec"],
    ...     "type": ["Order Completed"] * 2,
    ...     "timestamp": [datetime(2024, 3, 1, tzinfo=UTC)] * 2,
    ...     "record_id": ["ec:1", "ec:2"], "value": [80.0, 20.0],
    ... })
    >>> segments = SegmentRegistry(ProfileStore.from_resolution(res, events))
    >>> _ = segments.define("big_spenders", "lifetime_value >= 50")
    >>> segments.members("big_spenders").to_pylist() == [res.customer_of("ec:1")]
    True
    >>> change = segments.materialize("big_spenders")
    >>> len(change.entered), len(change.exited)
    (1, 0)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc

from dchkit.errors import SegmentError
from dchkit.profile._arrow import map_value
from dchkit.profile.rules import Expr, evaluate, from_json, parse

if TYPE_CHECKING:
    from dchkit.profile.store import ProfileStore

__all__ = ["MembershipChange", "Segment", "SegmentRegistry", "evaluate_rule"]


@dataclass(frozen=True)
class Segment:
    """A named rule."""

    name: str
    rule: Expr
    description: str = ""

    def __str__(self) -> str:
        return f"{self.name}: {self.rule}"

    def __repr__(self) -> str:
        return f"Segment({self.name!r}, {str(self.rule)!r})"

    def _repr_html_(self) -> str:
        from dchkit.notebook.html import segment_html

        return segment_html(self)


@dataclass(frozen=True)
class MembershipChange:
    """The outcome of materializing a segment.

    Attributes:
        segment: The segment's name.
        members: Every member now (sorted ids).
        entered: Members now that were not members before.
        exited: Former members that are no longer members.
        at: When it was materialized (the ``now`` of its relative windows).
    """

    segment: str
    members: pa.Array
    entered: pa.Array
    exited: pa.Array
    at: datetime

    def __repr__(self) -> str:
        return (
            f"MembershipChange({self.segment!r}, members={len(self.members)}, "
            f"entered={len(self.entered)}, exited={len(self.exited)}, at={self.at.isoformat()})"
        )

    def _repr_html_(self) -> str:
        from dchkit.notebook.html import membership_change_html

        return membership_change_html(self)

    def to_table(self) -> pa.Table:
        """``customer_id`` and ``change`` (``entered`` / ``exited``) for every change."""
        ids = pa.concat_arrays([self.entered, self.exited])
        changes = ["entered"] * len(self.entered) + ["exited"] * len(self.exited)
        return pa.table({"customer_id": ids, "change": pa.array(changes, pa.string())})


def _as_rule(rule: str | Expr | dict[str, Any]) -> Expr:
    if isinstance(rule, Expr):
        return rule
    if isinstance(rule, dict):
        return from_json(rule)
    return parse(rule)


def evaluate_rule(
    store: ProfileStore,
    rule: str | Expr | dict[str, Any],
    *,
    now: datetime | None = None,
    require_consent: str | None = None,
) -> pa.Array:
    """Ids of the customers for whom a rule is true (sorted).

    Args:
        store: The profile store.
        rule: Rule text, a parsed tree or its JSON form.
        now: The reference instant of relative windows (default: the current time).
        require_consent: Keep only customers whose latest consent for this purpose is yes.

    Raises:
        SegmentSyntaxError: the text is not a rule.
        SegmentError: unknown fields or wrong types; the rule is not a condition.
    """
    from dchkit.profile.traits import EventFrame

    node = _as_rule(rule)
    frame = EventFrame(store, now)
    result = evaluate(node, frame)
    if not pa.types.is_boolean(result.type):
        msg = f"the rule `{node}` gives {result.type}, not a condition"
        raise SegmentError(msg, fix="compare it, e.g. `order_count > 0`")
    keep = pc.fill_null(result, False)
    if require_consent is not None:
        consent = map_value(store.golden.column("consent"), require_consent)
        keep = pc.and_(keep, pc.fill_null(consent, False))
    return store.customer_ids.filter(keep).sort()


class SegmentRegistry:
    """Named segments over one store, with their last materialized membership.

    Erasing a customer from the store removes them from every stored membership.
    """

    def __init__(self, store: ProfileStore) -> None:
        self.store = store
        self._segments: dict[str, Segment] = {}
        self._members: dict[str, pa.Array] = {}
        store.on_forget(self._forget)

    def __contains__(self, name: object) -> bool:
        return name in self._segments

    def __iter__(self) -> Any:
        return iter(self._segments.values())

    def define(
        self, name: str, rule: str | Expr | dict[str, Any], *, description: str = ""
    ) -> Segment:
        """Define (or redefine) a segment; the rule is checked against the store now."""
        node = _as_rule(rule)
        evaluate_rule(self.store, node)  # fail on unknown fields and types now
        segment = Segment(name, node, description)
        self._segments[name] = segment
        return segment

    def get(self, name: str) -> Segment:
        """A defined segment.

        Raises:
            SegmentError: no segment has that name.
        """
        if name not in self._segments:
            msg = f"no segment is named {name!r}"
            raise SegmentError(msg, fix=f"define it first; defined: {sorted(self._segments)}")
        return self._segments[name]

    def members(
        self, name: str, *, now: datetime | None = None, require_consent: str | None = None
    ) -> pa.Array:
        """Ids of the segment's members now (sorted)."""
        return evaluate_rule(
            self.store, self.get(name).rule, now=now, require_consent=require_consent
        )

    def materialize(self, name: str, *, now: datetime | None = None) -> MembershipChange:
        """Evaluate a segment, store its members, and return who entered and exited."""
        from dchkit.profile._time import resolve_now

        at = resolve_now(now)
        members = self.members(name, now=at)
        before = self._members.get(name, pa.array([], pa.string()))
        entered = members.filter(pc.invert(pc.is_in(members, value_set=before)))
        exited = before.filter(pc.invert(pc.is_in(before, value_set=members)))
        self._members[name] = members
        return MembershipChange(name, members, entered, exited, at)

    def memberships(self) -> pa.Table:
        """Every stored membership: ``segment`` and ``customer_id``."""
        names = [n for n, ids in self._members.items() for _ in range(len(ids))]
        ids = list(self._members.values())
        return pa.table(
            {
                "segment": pa.array(names, pa.string()),
                "customer_id": pa.concat_arrays(ids) if ids else pa.array([], pa.string()),
            }
        )

    def _forget(self, customer_id: str) -> None:
        for name, ids in self._members.items():
            self._members[name] = ids.filter(pc.not_equal(ids, customer_id))
