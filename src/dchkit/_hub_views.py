"""The namespaces of a :class:`~dchkit.Hub`: ``hub.profiles``, ``hub.segments``, ``hub.feedback``.

Each reads and writes through the hub's store; profiles, timelines and live traits read
only one customer's rows by point reads (:mod:`dchkit.store.customer`) and build them
with the profile layer (:mod:`dchkit.profile.single`), never a whole-hub store.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.compute as pc

from dchkit.errors import ConfigError, ProfileError, ProfileNotFoundError, SegmentError
from dchkit.profile._arrow import to_array
from dchkit.profile._time import resolve_now
from dchkit.profile.privacy import audit_rows
from dchkit.store import state
from dchkit.store.base import Store
from dchkit.store.customer import CustomerRows, read_customer

if TYPE_CHECKING:
    from dchkit.hub import Hub
    from dchkit.profile import MembershipChange, Profile, TimelinePage
    from dchkit.profile.rules import Expr

__all__ = ["HubFeedback", "HubProfiles", "HubSegments", "log_changes"]


class HubProfiles:
    """Profiles of a hub: lookup by any identifier, get by id, timelines (``hub.profiles``).

    Each call reads only the customer's rows through the store's indexes.
    """

    def __init__(self, hub: Hub) -> None:
        self._hub = hub

    def __len__(self) -> int:
        return self._hub.store.count("golden")

    def _key(self, kind: str, value: str) -> str:
        if kind == "email":
            from dchkit.normalize import normalize_email

            value = normalize_email(value).email or value
        elif kind == "phone":
            from dchkit.normalize import normalize_phone

            value = normalize_phone(value, region=self._hub.default_region).e164 or value
        return f"{kind}={value}"

    def find(self, customer_id: str | None = None, **identifier: str) -> tuple[str, ...]:
        """Every customer holding one identifier (several when it is shared), sorted."""
        store = self._hub.store
        if customer_id is not None:
            identifier = {"customer_id": customer_id, **identifier}
        if len(identifier) != 1:
            msg = f"give exactly one identifier, got {sorted(identifier)}"
            raise ProfileError(msg, fix="e.g. lookup(email='taro@example.jp')")
        ((kind, value),) = identifier.items()
        if kind == "customer_id":
            found = state.survivor(store, value)
            known = store.read("golden", {"customer_id": [found]}, columns=["customer_id"])
            return (found,) if known.num_rows else ()
        if kind == "record_id":
            records = [value]
        else:
            key = self._key(kind, value)
            records = [r["record_id"] for r in store.rows("identifiers", {"key": [key]})]
        owners = store.rows("clusters", {"record_id": records}) if records else []
        return tuple(sorted({r["customer_id"] for r in owners}))

    def customer_id_of(self, customer_id: str | None = None, **identifier: str) -> str:
        """The one customer id behind a customer id (or merged alias) or an identifier.

        Raises:
            ProfileNotFoundError: nobody has it.
            ProfileError: several customers share it.
        """
        found = self.find(customer_id, **identifier)
        given = {"customer_id": customer_id} if customer_id is not None else identifier
        ((kind, value),) = given.items()
        if not found:
            raise _not_found(kind=kind, value=value)
        if len(found) > 1:
            msg = f"{kind}={value!r} is shared by {len(found)} customers: {list(found)}"
            raise ProfileError(
                msg, fix="look up by customer id or a more specific identifier", candidates=found
            )
        return found[0]

    def _rows(self, customer_id: str, *, lineage: bool, events: bool) -> CustomerRows:
        """One customer's rows by id or merged alias (point reads through the indexes).

        A live id is read at once; only an id without a golden row is looked up among
        the aliases (a merged-away id is never a live one: writes keep them apart).
        """
        store = self._hub.store
        found = read_customer(store, customer_id, lineage=lineage, events=events)
        if found is None:
            survivor = state.survivor(store, customer_id)
            if survivor != customer_id:
                found = read_customer(store, survivor, lineage=lineage, events=events)
        if found is None:
            raise _not_found(kind="customer_id", value=customer_id)
        return found

    def get(
        self, customer_id: str, *, traits: bool = False, now: datetime | None = None
    ) -> Profile:
        """The profile of a customer id (a merged-away id gives the survivor's).

        Reads the customer's golden row, records and lineage — and its events when
        ``traits`` is set — by point reads through the store's indexes: the cost does
        not grow with the hub.

        Args:
            customer_id: A customer id or a merged-away alias.
            traits: Fill :attr:`Profile.traits` with the live traits
                (:data:`~dchkit.profile.traits.LIVE_TRAITS`), computed from its events.
            now: The reference instant of the traits (default: the current time).
        """
        from dchkit.profile.single import profile_of, traits_of
        from dchkit.profile.traits import LIVE_TRAITS

        rows = self._rows(customer_id, lineage=True, events=traits)
        computed = traits_of(rows.events, rows.golden, LIVE_TRAITS, now=now) if traits else None
        return profile_of(rows.golden, rows.records, rows.lineage, computed)

    def lookup(self, customer_id: str | None = None, **identifier: str) -> Profile:
        """The profile of the customer holding one identifier.

        ``lookup(email=…)``, ``lookup(phone=…)``, ``lookup(record_id="crm:003A")``,
        ``lookup(salesforce_contact_id="003…")``, or ``lookup("cus_…")``.
        """
        if customer_id is not None and not identifier:
            return self.get(customer_id)  # resolves a merged alias itself
        return self.get(self.customer_id_of(customer_id, **identifier))

    def traits(self, customer_id: str, *, now: datetime | None = None) -> dict[str, Any]:
        """The live traits of a customer (lifetime value, order count, last seen …).

        Computed from the customer's own events (:data:`~dchkit.profile.traits.LIVE_TRAITS`):
        the values :func:`~dchkit.profile.compute_traits` gives over the whole hub.
        """
        from dchkit.profile.single import traits_of
        from dchkit.profile.traits import LIVE_TRAITS

        rows = self._rows(customer_id, lineage=False, events=True)
        return traits_of(rows.events, rows.golden, LIVE_TRAITS, now=now)

    def timeline(self, customer_id: str, **options: Any) -> TimelinePage:
        """One customer's events; options as :func:`dchkit.profile.timeline.timeline`."""
        from dchkit.profile.timeline import timeline_of

        rows = self._rows(customer_id, lineage=False, events=True)
        return timeline_of(rows.customer_id, rows.events, **options)


def _not_found(*, kind: str, value: str) -> ProfileNotFoundError:
    msg = f"no customer has {kind}={value!r}"
    return ProfileNotFoundError(
        msg,
        fix="check the spelling, or resolve() the hub if the record was just ingested",
        identifier=f"{kind}={value}",
    )


class HubSegments:
    """Segments of a hub: stored definitions, members, materialized changes (``hub.segments``)."""

    def __init__(self, hub: Hub) -> None:
        self._hub = hub

    def __iter__(self) -> Any:
        from dchkit.profile import Segment
        from dchkit.profile.rules import from_json

        rows = self._hub.store.read("segments").to_pylist()
        return iter(
            [
                Segment(r["name"], from_json(json.loads(r["rule"])), r["description"] or "")
                for r in rows
            ]
        )

    def define(self, name: str, rule: str | Expr | dict[str, Any], *, description: str = "") -> Any:
        """Define (or redefine) a segment; the rule is checked against the hub now."""
        from dchkit.profile import SegmentRegistry

        segment = SegmentRegistry(self._hub.profile_store()).define(
            name, rule, description=description
        )
        self._hub.store.upsert(
            "segments",
            pa.table(
                {
                    "name": [name],
                    "rule": [json.dumps(segment.rule.to_json(), ensure_ascii=False)],
                    "description": [description],
                }
            ),
        )
        return segment

    def get(self, name: str) -> Any:
        """A defined segment.

        Raises:
            SegmentError: no segment has that name.
        """
        for segment in self:
            if segment.name == name:
                return segment
        msg = f"no segment is named {name!r}"
        raise SegmentError(msg, fix=f"define it first; defined: {[s.name for s in self]}")

    def members(
        self, name: str, *, now: datetime | None = None, require_consent: str | None = None
    ) -> pa.Array:
        """Ids of the segment's members now (sorted)."""
        from dchkit.profile import evaluate_rule

        return evaluate_rule(
            self._hub.profile_store(),
            self.get(name).rule,
            now=now,
            require_consent=require_consent,
        )

    def materialize(
        self, name: str | None = None, *, now: datetime | None = None
    ) -> list[MembershipChange]:
        """Evaluate segments (all, or one), store members, feed entered/exited changes."""
        from dchkit.profile import MembershipChange

        store = self._hub.store
        at = resolve_now(now)
        names = [name] if name is not None else [s.name for s in self]
        results = []
        for segment in names:
            members = self.members(segment, now=at)
            before = to_array(
                store.read("segment_members", {"segment": [segment]}).column("customer_id")
            )
            entered = members.filter(pc.invert(pc.is_in(members, value_set=before)))
            exited = before.filter(pc.invert(pc.is_in(before, value_set=members)))
            with store.transaction():
                store.delete("segment_members", {"segment": [segment]})
                store.upsert(
                    "segment_members",
                    pa.table({"segment": [segment] * len(members), "customer_id": members}),
                )
                log_changes(
                    self._hub.store,
                    [("segment_entered", c, None, segment) for c in entered.to_pylist()]
                    + [("segment_exited", c, None, segment) for c in exited.to_pylist()],
                )
            results.append(MembershipChange(segment, members, entered, exited, at))
        return results

    def stored_members(self, name: str) -> pa.Array:
        """The members as last materialized (sorted)."""
        found = self._hub.store.read("segment_members", {"segment": [name]})
        return to_array(found.column("customer_id")).sort()

    def remove(self, name: str) -> None:
        """Delete a segment and its stored members."""
        self.get(name)
        with self._hub.store.transaction():
            self._hub.store.delete("segments", {"name": [name]})
            self._hub.store.delete("segment_members", {"segment": [name]})


class HubFeedback:
    """Human decisions that every later resolve honours (``hub.feedback``)."""

    def __init__(self, hub: Hub) -> None:
        self._hub = hub

    def _check(self, *record_ids: str) -> None:
        found = self._hub.store.read("records", {"record_id": list(record_ids)})
        missing = sorted(set(record_ids) - set(found.column("record_id").to_pylist()))
        if missing:
            msg = f"no record with id {missing[0]!r} in the hub"
            raise ProfileNotFoundError(msg, fix="give record ids such as 'crm:003A'")

    def _add(self, kind: str, pairs: Sequence[tuple[str, str | None]], note: str | None) -> None:
        at = resolve_now(None)
        self._hub.store.insert(
            "feedback",
            pa.table(
                {
                    "kind": [kind] * len(pairs),
                    "left": [p[0] for p in pairs],
                    "right": pa.array([p[1] for p in pairs], pa.string()),
                    "created_at": pa.array([at] * len(pairs), pa.timestamp("us", tz="UTC")),
                    "note": pa.array([note] * len(pairs), pa.string()),
                }
            ),
        )

    def must_link(self, left: str, right: str, *, note: str | None = None) -> None:
        """Record that two records are the same customer (applied at the next resolve)."""
        self._check(left, right)
        self._add("must_link", [(left, right)], note)

    def cannot_link(self, left: str, right: str, *, note: str | None = None) -> None:
        """Record that two records are never the same customer."""
        self._check(left, right)
        self._add("cannot_link", [(left, right)], note)

    def split_out(self, record_id: str, *, note: str | None = None) -> None:
        """Record that a record does not belong with the other records of its customer.

        Stored as cannot-links between the record and each current co-member.
        """
        self._check(record_id)
        store = self._hub.store
        customers = state.customer_of_records(store, [record_id])
        others = store.read("clusters", {"customer_id": customers}).column("record_id").to_pylist()
        pairs = [(record_id, other) for other in others if other != record_id]
        if not pairs:
            msg = f"record {record_id!r} is already a customer of its own"
            raise ConfigError(msg, fix="nothing to split; use cannot_link for a future guard")
        self._add("split_out", pairs, note)

    def table(self) -> pa.Table:
        """Every stored decision: ``feedback_id, kind, left, right, created_at, note``."""
        return self._hub.store.read("feedback")

    def pairs(self, record_ids: pa.Array) -> tuple[pa.Table, pa.Table]:
        """Must-link and cannot-link pairs among ``record_ids`` (others are dropped)."""
        rows = self.table()
        both = pc.and_(
            pc.is_in(rows.column("left"), value_set=record_ids),
            pc.is_in(rows.column("right"), value_set=record_ids),
        )
        rows = rows.filter(both)
        must = rows.filter(pc.equal(rows.column("kind"), "must_link")).select(["left", "right"])
        cannot = rows.filter(pc.not_equal(rows.column("kind"), "must_link")).select(
            ["left", "right"]
        )
        return must, cannot


def log_changes(
    store: Store, rows: Sequence[tuple[str, str | None, str | None, str | None]]
) -> None:
    """Write change-feed rows (kind, customer, other, segment) and audit merges/splits."""
    if not rows:
        return
    at = resolve_now(None)
    store.insert(
        "changes",
        pa.table(
            {
                "at": pa.array([at] * len(rows), pa.timestamp("us", tz="UTC")),
                "kind": [r[0] for r in rows],
                "customer_id": [r[1] for r in rows],
                "other_id": [r[2] for r in rows],
                "segment": [r[3] for r in rows],
                "detail": pa.nulls(len(rows), pa.string()),
            }
        ),
    )
    audited = [
        (kind, cid, f"{kind} {other}")
        for kind, cid, other, _ in rows
        if kind in ("merged", "split")
    ]
    if audited:
        store.insert("audit", audit_rows(audited, at))
