"""``ProfileStore``: the in-memory profile layer over plain Arrow tables, indexed once.

The store takes the tables a resolution produces — ``records``, ``clusters``, ``golden``,
``lineage``, the merged-id ``aliases`` — plus the timeline ``events``, and builds, once
(the identifier and event indexes on first use):

- an identifier index (``email=…``, ``phone=…``, ``{type}=…`` for every external id,
  ``record_id=…``) to a customer; a value shared by several customers (a family e-mail)
  is kept as *ambiguous* and never silently resolved to one of them;
- the customer of every event: by its ``record_id`` through the clusters, failing that by
  its identifiers (email, phone, user_id, anonymous_id — in that order) through the index;
  events that match nobody are kept in :attr:`ProfileStore.unattributed` and counted;
- records and lineage grouped by customer, and an index of the events by customer in
  ``(timestamp, event_id)`` order (rows of the events table, not a copy of it), so a
  profile is a few one-row reads and a timeline a binary search and one small ``take``.

Inputs are plain tables so that a persistent store (SQLite) can supply the same.

Examples:
    >>> import pyarrow as pa
    >>> from dchkit.profile import ProfileStore
    >>> from dchkit.resolution import Resolver
    >>> res = Resolver().resolve(pa.table({
    ...     "record_id": ["crm:1", "ec:9"], "source": ["crm", "ec"],
    ...     "source_record_id": ["1", "9"], "family_name": ["山田", "山田"],
    ...     "emails": [["taro@example.jp"], ["taro@example.jp"]],
    ...     "phones": [[], ["+819012345678"]],
    ... }))
    >>> store = ProfileStore.from_resolution(res)
    >>> profile = store.lookup(phone="090-1234-5678")
    >>> profile.customer_id == store.lookup(email="taro@example.jp").customer_id
    True
    >>> sorted(r.record_id for r in profile.records)
    ['crm:1', 'ec:9']
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from datetime import datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from dchkit.errors import ProfileError, ProfileNotFoundError
from dchkit.profile._arrow import IntArray, group_offsets, map_entries, to_array
from dchkit.profile._events import BoolArray, EventIndex
from dchkit.profile.privacy import (
    AUDIT_SCHEMA,
    SUPPRESSION_SCHEMA,
    Erasure,
    SuppressionResult,
    audit_rows,
    hash_keys,
    identifier_keys,
    suppress,
    suppression_table,
)
from dchkit.schema import EVENTS_SCHEMA, GOLDEN_SCHEMA, LINEAGE_SCHEMA, conform

if TYPE_CHECKING:
    from dchkit.profile.profile import Profile
    from dchkit.profile.timeline import TimelinePage
    from dchkit.profile.traits import TraitLike
    from dchkit.resolution import Resolution

__all__ = ["ALIASES_SCHEMA", "EVENT_ID_PRIORITY", "ProfileStore", "profiles"]

#: Merged-away customer ids and the id that survived them.
ALIASES_SCHEMA = pa.schema(
    [
        pa.field("alias", pa.string(), nullable=False),
        pa.field("customer_id", pa.string(), nullable=False),
    ]
)
#: Priority of event identifiers when an event has no known record (lower first; other
#: kinds come after these, in the order the event lists them).
EVENT_ID_PRIORITY: Mapping[str, int] = MappingProxyType(
    {"email": 0, "phone": 1, "user_id": 2, "anonymous_id": 3}
)
_LOOKUP_KINDS = ("email", "phone", "record_id")


def _empty(schema: pa.Schema) -> pa.Table:
    return schema.empty_table()


def _aliases_table(aliases: pa.Table | Mapping[str, str] | None) -> pa.Table:
    if aliases is None:
        return _empty(ALIASES_SCHEMA)
    if isinstance(aliases, Mapping):
        return pa.table(
            {"alias": list(aliases), "customer_id": list(aliases.values())}, schema=ALIASES_SCHEMA
        )
    return aliases.select(["alias", "customer_id"]).cast(ALIASES_SCHEMA)


class ProfileStore:
    """Profiles, timelines, traits and erasure over one resolved set of customers.

    Args:
        records: Canonical records (``RECORDS_SCHEMA``).
        clusters: ``record_id → customer_id``.
        golden: One golden record per customer (``GOLDEN_SCHEMA``).
        lineage: Where each golden value came from (``LINEAGE_SCHEMA``).
        events: Timeline events (``EVENTS_SCHEMA``); None for none.
        aliases: Merged-away customer id → surviving id (a mapping or a table with
            ``alias`` and ``customer_id``).
        suppressions: Salted hashes of erased people's identifiers; their rows in
            ``records`` and ``events`` are dropped on the way in.
        audit: An audit log to continue (``AUDIT_SCHEMA``).
        salt: The salt of the suppression hashes; random when None (a persistent store
            must keep it, or its suppressions stop matching).
        default_region: Region for phone numbers looked up without a country code.
    """

    def __init__(
        self,
        *,
        records: pa.Table,
        clusters: pa.Table,
        golden: pa.Table,
        lineage: pa.Table,
        events: pa.Table | None = None,
        aliases: pa.Table | Mapping[str, str] | None = None,
        suppressions: pa.Table | None = None,
        audit: pa.Table | None = None,
        salt: bytes | None = None,
        default_region: str = "JP",
    ) -> None:
        self.salt = salt if salt is not None else os.urandom(16)
        self.default_region = default_region
        self.suppressions = (
            _empty(SUPPRESSION_SCHEMA) if suppressions is None else suppressions
        ).cast(SUPPRESSION_SCHEMA)
        self.audit = (_empty(AUDIT_SCHEMA) if audit is None else audit).cast(AUDIT_SCHEMA)
        events = _empty(EVENTS_SCHEMA) if events is None else _conformed(events, EVENTS_SCHEMA)
        kept_records = suppress(records, self.suppressions, self.salt)
        kept_events = suppress(events, self.suppressions, self.salt)
        #: Rows of the input dropped because they belong to erased people.
        self.suppressed = {
            "records": kept_records.dropped.num_rows,
            "events": kept_events.dropped.num_rows,
        }
        self.records = kept_records.kept
        self.events = kept_events.kept
        clusters = clusters.select(["record_id", "customer_id"])
        known = pc.is_in(
            clusters.column("record_id"), value_set=to_array(self.records["record_id"])
        )
        self.clusters = clusters.filter(known)
        self.golden = _conformed(golden, GOLDEN_SCHEMA, what="golden")
        self.lineage = _conformed(lineage, LINEAGE_SCHEMA, what="lineage")
        self.aliases = _aliases_table(aliases)
        self.traits: pa.Table | None = None
        self._listeners: list[Callable[[str], None]] = []
        self._build()

    @classmethod
    def from_resolution(
        cls, resolution: Resolution, events: pa.Table | None = None, **options: Any
    ) -> ProfileStore:
        """A store over a :class:`~dchkit.resolution.Resolution` and its events.

        The resolution's merges and splits start the audit log.
        """
        from dchkit.profile.privacy import audit_rows

        entries = [
            (change.kind, change.customer_id, _change_detail(change.kind, change.other_id))
            for change in resolution.changes
            if change.kind in ("merged", "split")
        ]
        audit = options.pop("audit", None)
        log = audit_rows(entries)
        return cls(
            records=resolution.records,
            clusters=resolution.clusters,
            golden=resolution.golden,
            lineage=resolution.lineage,
            events=events,
            aliases=resolution.aliases,
            audit=log if audit is None else pa.concat_tables([audit.cast(AUDIT_SCHEMA), log]),
            **options,
        )

    # ----------------------------------------------------------------- building
    def _build(self) -> None:
        """(Re)build every index from the current tables."""
        golden_ids = to_array(self.golden.column("customer_id"))
        n = len(golden_ids)
        self._customer_ids = golden_ids
        # The dictionaries of lookups hold rows as of this build; an erasure only updates
        # ``_remap`` (row at build → current row, -1 when erased) instead of rebuilding them.
        self._built_ids = golden_ids
        self._remap: IntArray = np.arange(n, dtype=np.int64)
        self._row_of: dict[str, int] | None = None
        self._golden_columns = _columns(self.golden)
        self._trait_columns: tuple[pa.Table | None, list[tuple[str, pa.Array]]] = (None, [])
        self._alias_of = _alias_dict(self.aliases)
        cluster_cix = pc.index_in(self.clusters.column("customer_id"), value_set=golden_ids)
        position = pc.index_in(
            self.records.column("record_id"), value_set=to_array(self.clusters["record_id"])
        )
        record_cix = _fill(pc.take(cluster_cix, position))
        self._record_cix = record_cix
        self._records_by, self._record_offsets = _grouped(self.records, record_cix, n)
        lineage_cix = _fill(pc.index_in(self.lineage.column("customer_id"), value_set=golden_ids))
        self._lineage_by, self._lineage_offsets = _grouped(self.lineage, lineage_cix, n)
        self._indexed = False  # identifiers and events: on first use (see _index)

    def _index(self) -> None:
        """Index identifiers and events, once: a profile by customer id needs neither."""
        if not self._indexed:
            self._build_identifiers(self._record_cix)
            self._build_events(self._record_cix, len(self._customer_ids))
            self._indexed = True

    def _build_identifiers(self, record_cix: IntArray) -> None:
        keys, rows = identifier_keys(self.records)
        owners = record_cix[rows]
        held = owners >= 0
        encoded = to_array(pc.dictionary_encode(keys.filter(pa.array(held))))
        dictionary = encoded.dictionary
        codes = np.asarray(encoded.indices.to_numpy(zero_copy_only=False), dtype=np.int64)
        # Distinct (key, customer) pairs, sorted by key then customer (a sort, then a
        # diff: np.unique's hash path is ~50x slower here).
        width = max(len(self._customer_ids), 1)
        pairs = np.sort(codes * width + owners[held])
        pairs = pairs[np.concatenate(([True], pairs[1:] != pairs[:-1]))] if len(pairs) else pairs
        pair_keys, pair_cix = np.divmod(pairs, width)
        holders = np.bincount(pair_keys, minlength=len(dictionary))
        unique = holders[pair_keys] == 1
        self._keys = dictionary.take(pa.array(pair_keys[unique]))
        self._key_cix = pair_cix[unique]
        self._ambiguous_keys = pa.table(
            {
                "key": dictionary.take(pa.array(pair_keys[~unique])),
                "cix": pa.array(pair_cix[~unique], pa.int64()),
            }
        )
        self._built_keys = (self._keys, self._key_cix, self._ambiguous_keys)
        self._key_index: dict[str, int] | None = None
        self._shared_index: dict[str, tuple[int, ...]] | None = None

    def _build_events(self, record_cix: IntArray, n: int) -> None:
        events = self.events
        record_ids = to_array(self.records.column("record_id"))
        by_record = pc.index_in(events.column("record_id"), value_set=record_ids)
        cix = np.full(events.num_rows, -1, dtype=np.int64)
        found = pc.is_valid(by_record).to_numpy(zero_copy_only=False)
        cix[found] = record_cix[to_array(by_record).filter(pa.array(found)).to_numpy()]
        kinds, values, rows = map_entries(events.column("identifiers"))
        if len(kinds):
            keys = pc.binary_join_element_wise(kinds, values, "=")
            hit = pc.index_in(keys, value_set=self._keys)
            priority = np.array(
                [EVENT_ID_PRIORITY.get(k, 9) for k in pc.unique(kinds).to_pylist()]
            )[pc.index_in(kinds, value_set=pc.unique(kinds)).to_numpy()]
            usable = pc.is_valid(hit).to_numpy(zero_copy_only=False) & (cix[rows] < 0)
            rows_u, prio_u = rows[usable], priority[usable]
            owner_u = self._key_cix[to_array(hit).filter(pa.array(usable)).to_numpy()]
            order = np.lexsort((prio_u, rows_u))
            rows_u, owner_u = rows_u[order], owner_u[order]
            first = np.ones(len(rows_u), dtype=bool)
            first[1:] = rows_u[1:] != rows_u[:-1]
            cix[rows_u[first]] = owner_u[first]
        attributed = cix >= 0
        self._unattributed = (
            events.slice(0, 0) if attributed.all() else events.filter(pa.array(~attributed))
        )
        self._events = EventIndex(events, cix, n)

    # ------------------------------------------------------------------ queries
    def __len__(self) -> int:
        return int(self.golden.num_rows)

    def __repr__(self) -> str:
        return (
            f"dchkit.ProfileStore(customers={len(self):,}, records={self.records.num_rows:,}, "
            f"events={self.events.num_rows:,}, unattributed={self.unattributed.num_rows:,})"
        )

    @property
    def unattributed(self) -> pa.Table:
        """Events that match no customer (by record id or identifier)."""
        self._index()
        return self._unattributed

    @property
    def customer_ids(self) -> pa.Array:
        """Every customer id, in the golden table's order (the row order of bulk results)."""
        return self._customer_ids

    @property
    def customer_events(self) -> pa.Table:
        """Attributed events grouped by customer in time order, with a ``customer_id`` column."""
        index = self.event_index
        owners = self._customer_ids.take(pa.array(index.rows))
        return index.table().add_column(0, "customer_id", owners)

    def stats(self) -> dict[str, int]:
        """Counts of customers, records, events, attributed and unattributed events."""
        self._index()
        return {
            "customers": len(self),
            "records": self.records.num_rows,
            "events": self.events.num_rows,
            "attributed_events": len(self._events),
            "unattributed_events": self.unattributed.num_rows,
            "ambiguous_identifiers": len(pc.unique(self._ambiguous_keys.column("key"))),
        }

    def survivor(self, customer_id: str) -> str:
        """The current id of ``customer_id``: itself, or the survivor it was merged into."""
        seen = {customer_id}
        while customer_id in self._alias_of:
            customer_id = self._alias_of[customer_id]
            if customer_id in seen:
                break
            seen.add(customer_id)
        return customer_id

    def row(self, customer_id: str) -> int:
        """Row of a customer (or merged alias) in :attr:`golden`.

        Raises:
            ProfileNotFoundError: no such customer.
        """
        if self._row_of is None:
            self._row_of = {cid: i for i, cid in enumerate(self._built_ids.to_pylist())}
        built = self._row_of.get(self.survivor(customer_id))
        found = None if built is None else int(self._remap[built])
        if found is None or found < 0:
            msg = f"no customer has the id {customer_id!r}"
            raise ProfileNotFoundError(
                msg, fix="look the customer up by an identifier instead", customer_id=customer_id
            )
        return found

    def key_of(self, **identifier: str) -> str:
        """The index key of one identifier given as a keyword (``email=…``, ``phone=…``, …)."""
        if len(identifier) != 1:
            msg = f"give exactly one identifier, got {sorted(identifier)}"
            raise ProfileError(msg, fix="e.g. lookup(email='taro@example.jp')")
        ((kind, value),) = identifier.items()
        if kind == "email":
            from dchkit.normalize import normalize_email

            value = normalize_email(value).email or value
        elif kind == "phone":
            from dchkit.normalize import normalize_phone

            value = normalize_phone(value, region=self.default_region).e164 or value
        return f"{kind}={value}"

    def find(self, **identifier: str) -> tuple[str, ...]:
        """Every customer holding an identifier (several when it is shared), sorted.

        Accepts ``customer_id=``, ``email=``, ``phone=``, ``record_id=`` or any external
        id type (``salesforce_contact_id=``, ``anonymous_id=`` …).
        """
        if set(identifier) == {"customer_id"}:
            try:
                return (self._customer_ids[self.row(identifier["customer_id"])].as_py(),)
            except ProfileNotFoundError:
                return ()
        key = self.key_of(**identifier)
        self._index()
        built_keys, built_cix, built_ambiguous = self._built_keys
        if self._key_index is None:
            self._key_index = dict(zip(built_keys.to_pylist(), built_cix.tolist(), strict=True))
        found = self._key_index.get(key)
        if found is not None:
            row = int(self._remap[found])
            return (self._customer_ids[row].as_py(),) if row >= 0 else ()
        if self._shared_index is None:
            shared: dict[str, list[int]] = {}
            for shared_key, cix in zip(
                built_ambiguous.column("key").to_pylist(),
                built_ambiguous.column("cix").to_pylist(),
                strict=True,
            ):
                shared.setdefault(shared_key, []).append(cix)
            self._shared_index = {k: tuple(v) for k, v in shared.items()}
        rows = [r for r in self._remap[list(self._shared_index.get(key, ()))].tolist() if r >= 0]
        return tuple(sorted(self._customer_ids.take(pa.array(rows, pa.int64())).to_pylist()))

    def customer_id_of(self, customer_id: str | None = None, **identifier: str) -> str:
        """The customer id behind a customer id (or alias) or one identifier.

        Raises:
            ProfileNotFoundError: nobody has it.
            ProfileError: several customers share it.
        """
        if customer_id is not None:
            identifier = {"customer_id": customer_id, **identifier}
        found = self.find(**identifier)
        if not found:
            ((kind, value),) = identifier.items()
            msg = f"no customer has {kind}={value!r}"
            raise ProfileNotFoundError(
                msg,
                fix="check the spelling, or search by another identifier",
                identifier=f"{kind}={value}",
            )
        if len(found) > 1:
            ((kind, value),) = identifier.items()
            msg = f"{kind}={value!r} is shared by {len(found)} customers: {list(found)}"
            raise ProfileError(
                msg, fix="look up by customer id or a more specific identifier", candidates=found
            )
        return found[0]

    def get(self, customer_id: str) -> Profile:
        """The profile of a customer id (a merged-away id gives the survivor's)."""
        from dchkit.profile.profile import build_profile

        return build_profile(self, self.row(customer_id))

    def lookup(self, customer_id: str | None = None, **identifier: str) -> Profile:
        """The profile of the customer holding one identifier.

        Examples: ``lookup(email=…)``, ``lookup(phone=…)``, ``lookup(record_id="crm:003A")``,
        ``lookup(salesforce_contact_id="003…")``, ``lookup(anonymous_id=…)``,
        ``lookup("cus_…")``.
        """
        return self.get(self.customer_id_of(customer_id, **identifier))

    def timeline(self, customer_id: str, **options: Any) -> TimelinePage:
        """One customer's events; see :func:`dchkit.profile.timeline.timeline`."""
        from dchkit.profile.timeline import timeline

        return timeline(self, customer_id, **options)

    def refresh_traits(
        self, traits: tuple[TraitLike, ...] | None = None, *, now: datetime | None = None
    ) -> pa.Table:
        """Compute traits for every customer and keep them for profiles and segments."""
        from dchkit.profile.traits import BUILTIN_TRAITS, compute_traits

        self.traits = compute_traits(self, BUILTIN_TRAITS if traits is None else traits, now=now)
        return self.traits

    # -------------------------------------------------------------- internals
    def records_of(self, row: int) -> pa.Table:
        """The source records of the customer at ``row``."""
        start, stop = self._record_offsets[row], self._record_offsets[row + 1]
        return self._records_by.slice(start, stop - start)

    def golden_values(self, row: int) -> dict[str, Any]:
        """The golden record of the customer at ``row`` as Python values."""
        return {name: column[row].as_py() for name, column in self._golden_columns}

    def trait_values(self, row: int) -> dict[str, Any]:
        """The computed traits of the customer at ``row`` by name (empty when none)."""
        if self.traits is None:
            return {}
        if self._trait_columns[0] is not self.traits:
            columns = [c for c in _columns(self.traits) if c[0] != "customer_id"]
            self._trait_columns = (self.traits, columns)
        return {name: column[row].as_py() for name, column in self._trait_columns[1]}

    def lineage_of(self, row: int) -> pa.Table:
        """The lineage rows of the customer at ``row``."""
        start, stop = self._lineage_offsets[row], self._lineage_offsets[row + 1]
        return self._lineage_by.slice(start, stop - start)

    def events_of(self, row: int) -> tuple[pa.Table, IntArray]:
        """The events of the customer at ``row`` in time order, and their timestamps (µs)."""
        index = self.event_index
        start, stop = index.span(row)
        return index.take(np.arange(start, stop)), index.micros[start:stop]

    @property
    def event_index(self) -> EventIndex:
        """Attributed events grouped by customer in ``(timestamp, event_id)`` order."""
        self._index()
        return self._events

    def event_arrays(self) -> tuple[pa.Table, IntArray, IntArray]:
        """Attributed events sorted by customer row then time, their rows and µs timestamps."""
        index = self.event_index
        return index.table(), index.rows, index.micros

    def on_forget(self, listener: Callable[[str], None]) -> None:
        """Call ``listener(customer_id)`` whenever a customer is erased (segments use it)."""
        self._listeners.append(listener)

    # ------------------------------------------------------------------ erasure
    def forget(self, customer_id: str | None = None, **identifier: str) -> Erasure:
        """Erase a customer: records, events, identifiers, lineage, traits and memberships.

        Only salted hashes of the customer's identifier keys stay, in :attr:`suppressions`,
        so that :meth:`suppress` drops the same person's rows at a later ingest. The
        erasure is written to the audit log. The indexes are updated in place, not rebuilt:
        the cost is filtering the tables once (about a second for 5M events), not a re-sort.

        Returns:
            What was removed.
        """
        target = self.customer_id_of(customer_id, **identifier)
        row = self.row(target)
        self._index()
        records = self.records_of(row)
        events, _ = self.events_of(row)
        keys, _ = identifier_keys(records)
        event_keys, _ = identifier_keys(events.select(["record_id", "identifiers"]))
        # Values other customers share (a family landline) are not suppressed: that would
        # drop the other customers' rows at the next ingest.
        own = pc.unique(pa.concat_arrays([keys, event_keys.cast(pa.string())]))
        shared = pc.is_in(own, value_set=to_array(self._ambiguous_keys.column("key")))
        distinct = sorted(own.filter(pc.invert(shared)).to_pylist())
        hashes = suppression_table(hash_keys(distinct, self.salt))
        self.suppressions = pa.concat_tables([self.suppressions, hashes])
        record_kept = self._record_cix != row
        self.records = self.records.filter(pa.array(record_kept))
        self.clusters = self.clusters.filter(
            pc.not_equal(self.clusters.column("customer_id"), target)
        )
        golden_kept = np.ones(len(self), dtype=bool)
        golden_kept[row] = False
        self.golden = self.golden.filter(pa.array(golden_kept))
        self.lineage = self.lineage.filter(pc.not_equal(self.lineage.column("customer_id"), target))
        self.aliases = self.aliases.filter(pc.not_equal(self.aliases.column("customer_id"), target))
        keep = np.ones(self.events.num_rows, dtype=bool)
        start, stop = self._events.span(row)
        keep[self._events.order[start:stop]] = False
        # Events that carry the person's identifiers go too, whoever they were attributed to.
        kinds, values, rows = map_entries(self.events.column("identifiers"))
        if len(kinds) and distinct:
            keys_of_events = pc.binary_join_element_wise(kinds, values, "=")
            carried = pc.is_in(keys_of_events, value_set=pa.array(distinct, pa.string()))
            keep[rows[np.asarray(carried.to_numpy(zero_copy_only=False), dtype=bool)]] = False
        before = self.events.num_rows
        self.events = self.events.filter(pa.array(keep))
        if self.traits is not None:
            self.traits = self.traits.filter(
                pc.not_equal(self.traits.column("customer_id"), target)
            )
        removed_events = before - self.events.num_rows
        erasure = Erasure(target, records.num_rows, removed_events, len(distinct))
        detail = (
            f"erased {erasure.records} records, {erasure.events} events, "
            f"{erasure.identifiers} identifiers"
        )
        self.audit = pa.concat_tables([self.audit, audit_rows([("erased", target, detail)])])
        self._drop(row, record_kept, keep)
        for listener in self._listeners:
            listener(target)
        return erasure

    def _drop(self, row: int, record_kept: BoolArray, event_kept: BoolArray) -> None:
        """Update the indexes after the customer at ``row`` left the tables (no re-sort)."""
        self._customer_ids = to_array(self.golden.column("customer_id"))
        self._golden_columns = _columns(self.golden)
        self._alias_of = _alias_dict(self.aliases)
        self._remap[self._remap == row] = -1
        self._remap -= self._remap > row
        self._record_cix = _shifted(self._record_cix[record_kept], row)
        self._records_by, self._record_offsets = _without_group(
            self._records_by, self._record_offsets, row
        )
        self._lineage_by, self._lineage_offsets = _without_group(
            self._lineage_by, self._lineage_offsets, row
        )
        promoted = self._drop_identifiers(row)
        if len(promoted):
            kinds, values, _ = map_entries(self.events.column("identifiers"))
            carried = pc.is_in(pc.binary_join_element_wise(kinds, values, "="), value_set=promoted)
            if pc.any(carried).as_py():
                # A shared identifier is now one customer's: events may attach differently.
                self._build()
                return
        self._events = self._events.without(self.events, event_kept, row)
        attributed = np.zeros(self.events.num_rows, dtype=bool)
        attributed[self._events.order] = True
        self._unattributed = (
            self.events.slice(0, 0)
            if attributed.all()
            else self.events.filter(pa.array(~attributed))
        )

    def _drop_identifiers(self, row: int) -> pa.Array:
        """Drop the erased row's identifiers; return the shared keys that became unique."""
        kept = self._key_cix != row
        self._keys = self._keys.filter(pa.array(kept))
        self._key_cix = _shifted(self._key_cix[kept], row)
        shared = self._ambiguous_keys
        holders = np.asarray(shared.column("cix").to_numpy(), dtype=np.int64)
        shared_keys = to_array(shared.column("key")).filter(pa.array(holders != row))
        holders = _shifted(holders[holders != row], row)
        codes = to_array(pc.dictionary_encode(shared_keys)).indices.to_numpy().astype(np.int64)
        alone = np.bincount(codes, minlength=len(codes))[codes] == 1 if len(codes) else codes > 0
        promoted = shared_keys.filter(pa.array(alone))
        self._keys = pa.concat_arrays([self._keys, promoted])
        self._key_cix = np.concatenate([self._key_cix, holders[alone]])
        self._ambiguous_keys = pa.table(
            {"key": shared_keys.filter(pa.array(~alone)), "cix": pa.array(holders[~alone])}
        )
        return promoted

    def suppress(self, table: pa.Table) -> SuppressionResult:
        """Split an incoming records or events table into rows to keep and erased people's rows."""
        return suppress(table, self.suppressions, self.salt)

    def tables(self) -> dict[str, pa.Table]:
        """Every table the store holds, by name (what a persistent store saves)."""
        self._index()
        found = {
            "records": self.records,
            "events": self.events,
            "clusters": self.clusters,
            "golden": self.golden,
            "lineage": self.lineage,
            "aliases": self.aliases,
            "suppressions": self.suppressions,
            "audit": self.audit,
            "identifiers": pa.table(
                {"key": self._keys, "customer_id": self._customer_ids.take(pa.array(self._key_cix))}
            ),
        }
        if self.traits is not None:
            found["traits"] = self.traits
        return found


def profiles(
    resolution: Resolution, events: pa.Table | None = None, **options: Any
) -> ProfileStore:
    """A :class:`ProfileStore` over a resolution: ``profiles(res, events)``."""
    return ProfileStore.from_resolution(resolution, events, **options)


def _change_detail(kind: str, other_id: str | None) -> str:
    if kind == "merged":
        return f"merged {other_id} into this customer"
    return f"split from {other_id}"


def _columns(table: pa.Table) -> list[tuple[str, pa.Array]]:
    """Name and contiguous array of every column (reading one value: ~2x faster than a slice)."""
    return [(name, to_array(table.column(name))) for name in table.column_names]


def _conformed(table: pa.Table, schema: pa.Schema, *, what: str = "table") -> pa.Table:
    """``conform(table, schema)``, skipped when the table already has the schema.

    A persistent hub builds a small store per request from conformed tables; conforming
    them again was a quarter of that cost.
    """
    if table.schema.equals(schema) and not any(
        table.column(field.name).null_count for field in schema if not field.nullable
    ):
        return pa.Table.from_arrays(table.columns, schema=schema)  # the schema's metadata too
    return conform(table, schema, what=what)


def _alias_dict(aliases: pa.Table) -> dict[str, str]:
    return dict(
        zip(
            aliases.column("alias").to_pylist(),
            aliases.column("customer_id").to_pylist(),
            strict=True,
        )
    )


def _shifted(cix: IntArray, row: int) -> IntArray:
    """Rows after an erased ``row`` move up by one."""
    shifted: IntArray = cix - (cix > row)
    return shifted


def _without_group(table: pa.Table, offsets: IntArray, row: int) -> tuple[pa.Table, IntArray]:
    """A grouped table and its offsets without the group at ``row``."""
    start, stop = int(offsets[row]), int(offsets[row + 1])
    if stop > start:
        kept = np.ones(table.num_rows, dtype=bool)
        kept[start:stop] = False
        table = table.filter(pa.array(kept))
    return table, np.concatenate([offsets[: row + 1], offsets[row + 2 :] - (stop - start)])


def _fill(cix: pa.Array | pa.ChunkedArray) -> IntArray:
    """Row numbers with -1 for nulls."""
    return np.asarray(
        pc.fill_null(to_array(cix), -1).to_numpy(zero_copy_only=False), dtype=np.int64
    )


def _grouped(table: pa.Table, cix: IntArray, count: int) -> tuple[pa.Table, IntArray]:
    """Rows of ``table`` with a customer, ordered by customer row, and group offsets."""
    index = np.flatnonzero(cix >= 0)
    order = index[np.argsort(cix[index], kind="stable")]
    return table.take(pa.array(order)), group_offsets(cix[order], count)
