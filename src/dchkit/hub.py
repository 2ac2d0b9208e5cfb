"""``dchkit.Hub``: the persistent customer hub — ingest, resolve, profiles, segments, changes.

A hub ties the layers to a :class:`~dchkit.store.Store` (a SQLite file by default,
memory with no path):

- :meth:`Hub.ingest` writes connector output or tables idempotently: a source record is
  keyed by ``(source, source_record_id)``, so re-ingesting it updates it and never
  duplicates it; rejects are kept and counted; rows of erased people are dropped;
- :meth:`Hub.resolve` runs the batch :class:`~dchkit.resolution.Resolver` over every
  record with the stored clusters as ``previous`` (stable ids) and the stored feedback,
  trains the model once (or on demand) and persists clusters, golden records, lineage and
  indexes in one transaction, writing what changed to the change feed;
- :attr:`Hub.profiles`, :attr:`Hub.segments` and :attr:`Hub.feedback` are small
  namespaces; :meth:`Hub.changes` reads the change feed from a durable cursor.

Examples:
    >>> import dchkit as dch
    >>> hub = dch.Hub()  # in memory; dch.Hub("customers.db") for a file
    >>> report = hub.ingest([{"id": "1", "email": "taro@example.jp", "family_name": "山田"},
    ...                      {"id": "2", "email": "TARO@example.jp", "family_name": "ヤマダ"}],
    ...                     source="crm")
    >>> report.inserted, hub.resolve().customers
    (2, 1)
    >>> [r.record_id for r in hub.profiles.lookup(email="taro@example.jp").records]
    ['crm:1', 'crm:2']
    >>> [c.kind for c in hub.changes()]
    ['created']
"""

from __future__ import annotations

import copy
import os
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from dchkit._hub_views import HubFeedback, HubProfiles, HubSegments, log_changes
from dchkit.errors import ConfigError, ProfileNotFoundError
from dchkit.profile._arrow import to_array
from dchkit.profile.privacy import (
    AUDIT_SCHEMA,
    SUPPRESSION_SCHEMA,
    Erasure,
    audit_rows,
    hash_keys,
    identifier_keys,
    suppress,
    suppression_table,
)
from dchkit.profile.reject_keys import reject_keys, rejects_holding, suppressed_rejects
from dchkit.schema import EVENTS_SCHEMA, RECORDS_SCHEMA, REJECTS_SCHEMA, conform
from dchkit.store import state
from dchkit.store.base import Store
from dchkit.store.lookup import (
    StoreLookup,
    apply_frequency_changes,
    index_keys,
    load_frequencies,
    rebuild_key_index,
    unindex_records,
)
from dchkit.store.sqlite import SQLiteStore

if TYPE_CHECKING:
    from dchkit.profile import ProfileStore
    from dchkit.resolution import (
        CustomerExplanation,
        MatchModel,
        PairExplanation,
        Resolution,
        ResolverConfig,
    )
    from dchkit.resolution.ids import IdChange
    from dchkit.resolution.incremental import IncrementalResolver, IncrementalUpdate
    from dchkit.resolution.scoring import Frequencies

__all__ = [
    "Change",
    "Hub",
    "HubFeedback",
    "HubProfiles",
    "HubSegments",
    "IngestReport",
    "ResolveReport",
]

ChangeKind = Literal[
    "created", "updated", "merged", "split", "erased", "segment_entered", "segment_exited"
]
_FEEDBACK_KINDS = ("must_link", "cannot_link", "split_out")


@dataclass(frozen=True, slots=True)
class Change:
    """One entry of the change feed.

    Attributes:
        cursor: Its position; pass the last one seen as ``since`` to continue.
        at: When it was written.
        kind: ``created``, ``updated``, ``merged`` (``other_id`` is the alias merged into
            ``customer_id``), ``split`` (``customer_id`` split off ``other_id``),
            ``erased``, ``segment_entered`` or ``segment_exited`` (``segment`` set).
        customer_id: The customer concerned.
        other_id: The other customer of a merge or split.
        segment: The segment of a membership change.
        detail: A short human-readable note.
    """

    cursor: int
    at: datetime
    kind: str
    customer_id: str | None
    other_id: str | None = None
    segment: str | None = None
    detail: str | None = None


@dataclass(frozen=True)
class IngestReport:
    """What one :meth:`Hub.ingest` call wrote.

    Attributes:
        inserted: Records new to the hub.
        updated: Stored records whose content changed.
        unchanged: Records identical to their stored version (a re-ingest).
        events: Events written (new or changed).
        rejects: Rows rejected by the connector (kept in the hub's rejects table).
        rejects_by_reason: Rejects counted by reason.
        suppressed: Rows of erased people that were dropped.
        resolved: Records resolved incrementally by this call (0 when they wait for
            :meth:`Hub.resolve`).
    """

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    events: int = 0
    rejects: int = 0
    rejects_by_reason: dict[str, int] = field(default_factory=dict)
    suppressed: int = 0
    resolved: int = 0

    def __add__(self, other: IngestReport) -> IngestReport:
        reasons = dict(self.rejects_by_reason)
        for reason, count in other.rejects_by_reason.items():
            reasons[reason] = reasons.get(reason, 0) + count
        return IngestReport(
            self.inserted + other.inserted,
            self.updated + other.updated,
            self.unchanged + other.unchanged,
            self.events + other.events,
            self.rejects + other.rejects,
            reasons,
            self.suppressed + other.suppressed,
            self.resolved + other.resolved,
        )


@dataclass(frozen=True)
class ResolveReport:
    """What one :meth:`Hub.resolve` run did."""

    records: int
    customers: int
    created: int
    updated: int
    merged: int
    split: int
    trained: bool
    timings: dict[str, float] = field(default_factory=dict)


class Hub:
    """A persistent customer hub over a store.

    Args:
        path: A SQLite file (created when missing); None for an in-memory hub.
        store: Another :class:`~dchkit.store.Store` to use instead of ``path``.
        config: Resolver configuration; None keeps the stored one (or the default). A
            configuration with different comparisons than the stored model's makes the
            next :meth:`resolve` retrain.
        default_region: Region of phone numbers given without a country code: tables,
            events, and connectors that name no region of their own.

    Raises:
        ConfigError: both ``path`` and ``store`` were given.
        StoreError: the file cannot be opened as a hub.
    """

    def __init__(
        self,
        path: str | Path | None = None,
        *,
        store: Store | None = None,
        config: ResolverConfig | None = None,
        default_region: str = "JP",
    ) -> None:
        if path is not None and store is not None:
            msg = "pass either a path or a store, not both"
            raise ConfigError(msg, fix="Hub('customers.db') or Hub(store=SQLiteStore(...))")
        self.store: Store = store if store is not None else SQLiteStore(path)
        self.default_region = default_region
        if config is not None:
            self.store.set_meta("config", config.model_dump_json())
        salt = self.store.get_meta("salt")
        if salt is None:
            salt = os.urandom(16).hex()
            self.store.set_meta("salt", salt)
        self.salt = bytes.fromhex(salt)
        self._full: tuple[str | None, ProfileStore] | None = None
        self._engine_cache: tuple[str, IncrementalResolver] | None = None
        self.profiles = HubProfiles(self)
        self.segments = HubSegments(self)
        self.feedback = HubFeedback(self)

    def __repr__(self) -> str:
        return (
            f"dchkit.Hub({self.store!r}, records={self.store.count('records'):,}, "
            f"customers={self.store.count('golden'):,})"
        )

    def close(self) -> None:
        """Close the store."""
        self.store.close()

    def __enter__(self) -> Hub:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---------------------------------------------------------------- config
    @property
    def config(self) -> ResolverConfig:
        """The resolver configuration in use (stored with the hub)."""
        from dchkit.resolution import ResolverConfig

        text = self.store.get_meta("config")
        return ResolverConfig() if text is None else ResolverConfig.model_validate_json(text)

    @property
    def model(self) -> MatchModel | None:
        """The trained match model, or None before the first :meth:`resolve`."""
        from dchkit.resolution import MatchModel

        text = self.store.get_meta("model")
        return None if text is None else MatchModel.from_json(text)

    def _touch(self) -> None:
        """Mark the hub as changed (invalidates cached whole-hub views in every process)."""
        self.store.set_meta("version", os.urandom(8).hex())

    # ---------------------------------------------------------------- ingest
    def ingest(
        self,
        data: Any = None,
        *,
        source: str | None = None,
        events: Any = None,
        resolve: Literal["auto", "never"] = "auto",
    ) -> IngestReport:
        """Write records (and events) into the hub, idempotently.

        Args:
            data: A connector (anything with ``read()`` and ``source``), or a table —
                pyarrow, pandas, polars, a list of dicts — with canonical column names
                (``id``/``source_record_id``/``record_id``, ``email``, ``phone`` …), or a
                table already in ``RECORDS_SCHEMA``.
            source: Source label of a table (default ``"source"``); a connector has its own.
            events: A table of events (``EVENTS_SCHEMA`` columns) to write too.
            resolve: ``"auto"`` resolves new and changed records incrementally, in the
                same transaction, once the hub has a model (after the first
                :meth:`resolve`); ``"never"`` leaves them for the next :meth:`resolve`.

        Returns:
            Counts of what was written. Each connector batch commits on its own, so an
            interrupted ingest keeps the batches written so far and re-running it
            completes it (re-ingest is idempotent).
        """
        report = IngestReport()
        if data is not None:
            if callable(getattr(data, "read", None)) and hasattr(data, "source"):
                data = _with_region(data, self.default_region)
                for batch in data.read():
                    reasons = dict(batch.report.rejects_by_reason)
                    report = report + self._write(
                        pa.Table.from_batches([batch.records]),
                        pa.Table.from_batches([batch.events]),
                        pa.Table.from_batches([batch.rejects]),
                        reasons,
                        resolve,
                    )
            else:
                records, rejects, reasons = self._read_table(data, source or "source")
                report = report + self._write(
                    records, EVENTS_SCHEMA.empty_table(), rejects, reasons, resolve
                )
        if events is not None:
            table = conform(_as_table(events), EVENTS_SCHEMA, what="events")
            table = _normalized_identifiers(table, self.default_region)
            report = report + self._write(
                RECORDS_SCHEMA.empty_table(), table, REJECTS_SCHEMA.empty_table(), {}, resolve
            )
        return report

    def _read_table(self, data: Any, source: str) -> tuple[pa.Table, pa.Table, dict[str, int]]:
        table = _as_table(data)
        if {"record_id", "source", "source_record_id"} <= set(table.column_names) and set(
            table.column_names
        ) <= set(RECORDS_SCHEMA.names):
            return conform(table, RECORDS_SCHEMA, what="records"), REJECTS_SCHEMA.empty_table(), {}
        from dchkit.connectors import InMemoryConnector

        result = InMemoryConnector(table, source=source, default_region=self.default_region)
        read = result.read_all()
        return read.records, read.rejects, dict(read.report.rejects_by_reason)

    def _write(
        self,
        records: pa.Table,
        events: pa.Table,
        rejects: pa.Table,
        reasons: dict[str, int],
        resolve: Literal["auto", "never"],
    ) -> IngestReport:
        erased_any = self.store.read("suppressions", limit=1).num_rows > 0
        # Rejected rows keep their raw text: an erased person's would bring their data back.
        in_rejects = reject_keys(rejects, region=self.default_region) if erased_any else ([], [])
        suppressions = (
            self._suppressions(records, events, in_rejects[0])
            if erased_any
            else SUPPRESSION_SCHEMA.empty_table()
        )
        kept_records = suppress(records, suppressions, self.salt)
        kept_events = suppress(events, suppressions, self.salt)
        records, events = kept_records.kept, kept_events.kept
        erased_rejects = suppressed_rejects(rejects, suppressions, self.salt, found=in_rejects)
        rejects, reasons = _without_rejects(rejects, reasons, erased_rejects)
        try:
            changed_events, changed_ids, existing, resolved = self._write_rows(
                records, events, rejects, resolve
            )
        except BaseException:
            self._engine_cache = None  # its in-memory frequencies may be ahead of the store
            raise
        updated = int(
            pc.sum(pc.is_in(changed_ids, value_set=to_array(existing["record_id"]))).as_py() or 0
        )
        return IngestReport(
            inserted=len(changed_ids) - updated,
            updated=updated,
            unchanged=records.num_rows - len(changed_ids),
            events=changed_events.num_rows,
            rejects=rejects.num_rows,
            rejects_by_reason=reasons,
            suppressed=kept_records.dropped.num_rows
            + kept_events.dropped.num_rows
            + int(erased_rejects.sum()),
            resolved=resolved,
        )

    def _suppressions(self, records: pa.Table, events: pa.Table, in_rejects: list[str]) -> pa.Table:
        """The stored suppressions that may match these rows: those of their identifiers.

        Not the whole table, so an ingest costs the same after many erasures. Rejects
        count with the identifier keys found in their raw text (``in_rejects``).
        """
        keys = pa.concat_arrays(
            [
                identifier_keys(records)[0],
                identifier_keys(events)[0],
                pa.array(in_rejects, pa.string()),
            ]
        )
        hashes = hash_keys(pc.unique(keys).to_pylist(), self.salt)
        return self.store.read("suppressions", {"key_hash": hashes})

    def _write_rows(
        self,
        records: pa.Table,
        events: pa.Table,
        rejects: pa.Table,
        resolve: Literal["auto", "never"],
    ) -> tuple[pa.Table, pa.Array, pa.Table, int]:
        """Write one batch in one transaction, resolving it incrementally when asked."""
        resolved = 0
        with self.store.transaction():
            ids = to_array(records.column("record_id"))
            engine = self._engine() if resolve == "auto" and records.num_rows else None
            caught_up = engine is not None and not self._has_pending()
            # The stored versions of the rows: the engine needs them whole, else their ids.
            old = self.store.read("records", {"record_id": ids}) if engine is not None else None
            existing = (
                self.store.read("records", {"record_id": ids}, columns=["record_id"])
                if old is None
                else old.select(["record_id"])
            )
            changed = self.store.upsert("records", records)
            changed_ids = to_array(changed.column("record_id"))
            if len(changed_ids):
                changed_rows = records.filter(
                    pc.is_in(records.column("record_id"), value_set=changed_ids)
                )
                state.index_records(self.store, changed_rows)
                if engine is not None and old is not None:
                    lookup = StoreLookup(self.store, before=old)
                    update = engine.resolve(changed_rows, lookup)
                    self._write_update(update, engine)
                    resolved = len(changed_ids)
                    if caught_up:
                        self.store.set_meta("resolved_seq", self.store.get_meta("seq") or "0")
            changed_events = self.store.upsert("events", events)
            if changed_events.num_rows:
                event_ids = to_array(changed_events.column("event_id"))
                state.index_events(
                    self.store,
                    events.filter(pc.is_in(events.column("event_id"), value_set=event_ids)),
                )
            self.store.insert("rejects", rejects)
            if changed.num_rows or changed_events.num_rows:
                self._touch()
        return changed_events, changed_ids, existing, resolved

    def _has_pending(self) -> bool:
        since = int(self.store.get_meta("resolved_seq") or 0)
        return bool(
            self.store.read("records", after=since, limit=1, columns=["record_id"]).num_rows
        )

    def _engine(self) -> IncrementalResolver | None:
        """The incremental engine over the stored model and frequencies (cached)."""
        from dchkit.resolution.incremental import IncrementalResolver
        from dchkit.resolution.termfreq import tf_columns

        token = self.store.get_meta("index_version")
        if token is None:
            return None
        if self._engine_cache is not None and self._engine_cache[0] == token:
            return self._engine_cache[1]
        model = self.model
        if model is None:
            return None
        config = self.config
        frequencies = load_frequencies(self.store, tf_columns(config))
        engine = IncrementalResolver(config, model, term_frequencies=frequencies)
        self._engine_cache = (token, engine)
        return engine

    def _write_update(self, update: IncrementalUpdate, engine: IncrementalResolver) -> None:
        """Persist one incremental update (inside the caller's transaction)."""
        store = self.store
        customers = pc.unique(update.clusters.column("customer_id"))
        existed = set(
            store.read("golden", {"customer_id": customers}, columns=["customer_id"])
            .column("customer_id")
            .to_pylist()
        )
        changed = state.write_customers(
            store,
            clusters=update.clusters,
            golden=update.golden,
            lineage=update.lineage,
            aliases=update.aliases,
            removed=update.removed_customers,
        )
        touched = pa.concat_arrays([update.replaced, update.added]).cast(pa.string())
        unindex_records(store, touched)
        index_keys(store, update.blocking_keys)
        apply_frequency_changes(store, update.term_frequency_changes)
        engine.term_frequencies.apply(update.term_frequency_changes)
        token = os.urandom(8).hex()
        store.set_meta("index_version", token)
        self._engine_cache = (token, engine)
        rows = _id_change_rows(update.changes)
        split = {r[1] for r in rows if r[0] == "split"}
        created = sorted(set(customers.to_pylist()) - existed - split)
        updated = sorted(set(changed.to_pylist()) - set(created) - split)
        rows += [("created", c, None, None) for c in created]
        rows += [("updated", c, None, None) for c in updated]
        log_changes(store, rows)

    @property
    def pending(self) -> int:
        """Records written since the last resolve (waiting to be resolved)."""
        since = int(self.store.get_meta("resolved_seq") or 0)
        return int(self.store.read("records", after=since, columns=["record_id"]).num_rows)

    def rejects(self) -> pa.Table:
        """Every row a connector rejected, with the reason (``REJECTS_SCHEMA``)."""
        return self.store.read("rejects")

    # --------------------------------------------------------------- resolve
    def resolve(self, *, retrain: bool = False) -> ResolveReport:
        """Resolve every record in batch and persist the result in one transaction.

        The stored model is reused unless ``retrain`` is set or none was trained yet (a
        hub under 200 records scores with typical m/u values until it grows). Previous
        clusters keep customer ids stable; stored feedback is honoured.

        Returns:
            Counts of customers created, updated, merged and split.
        """
        from dchkit.resolution import Resolver

        records = self.store.read("records")
        seq = self.store.get_meta("seq") or "0"
        if records.num_rows == 0:
            return ResolveReport(0, 0, 0, 0, 0, 0, trained=False)
        config = self.config
        model = None if retrain else self.model
        if model is not None and (
            model.comparisons != config.comparisons or self.store.get_meta("trained") != "yes"
        ):
            model = None
        previous = self.store.read("clusters")
        must, cannot = self.feedback.pairs(to_array(records.column("record_id")))
        resolution = Resolver(config, model=model).resolve(
            records,
            previous=previous if previous.num_rows else None,
            must_link=must,
            cannot_link=cannot,
        )
        report = self._persist(resolution, previous, trained=model is None, seq=seq)
        if any(True for _ in self.segments):
            self.segments.materialize()
        return report

    def _persist(
        self, res: Resolution, previous: pa.Table, *, trained: bool, seq: str
    ) -> ResolveReport:
        new_ids = set(res.customer_ids)
        old_ids = set(previous.column("customer_id").to_pylist())
        aliases = pa.table(
            {
                "alias": pa.array(list(res.aliases), pa.string()),
                "customer_id": pa.array(list(res.aliases.values()), pa.string()),
            }
        )
        removed = pa.array(sorted(old_ids - new_ids), pa.string())
        rows = _id_change_rows(res.changes)
        created = sorted(
            new_ids - old_ids - {c.customer_id for c in res.changes if c.kind == "split"}
        )
        rows.extend(("created", cid, None, None) for cid in created)
        with self.store.transaction():
            self.store.delete("clusters")
            changed = state.write_customers(
                self.store,
                clusters=res.clusters,
                golden=res.golden,
                lineage=res.lineage,
                aliases=aliases,
                removed=removed,
            )
            fresh = set(created) | {r[1] for r in rows if r[0] == "split"}
            updated = sorted(set(changed.to_pylist()) - fresh)
            rows.extend(("updated", cid, None, None) for cid in updated)
            log_changes(self.store, rows)
            self.store.set_meta("model", res.model.to_json())
            if trained:
                self.store.set_meta("trained", "yes" if res.em_report is not None else "no")
            self.store.set_meta("resolved_seq", seq)
            self._index_blocking(res)
            self._touch()
        counts = {k: sum(1 for r in rows if r[0] == k) for k in ("merged", "split")}
        return ResolveReport(
            records=res.records.num_rows,
            customers=res.customer_count,
            created=len(created),
            updated=len(updated),
            merged=counts["merged"],
            split=counts["split"],
            trained=trained,
            timings=dict(res.timings),
        )

    def _index_blocking(self, res: Resolution) -> None:
        """Rebuild the blocking-key index and term frequencies for incremental resolution."""
        from dchkit.resolution.incremental import IncrementalResolver

        engine = IncrementalResolver.from_resolution(res)
        rebuild_key_index(self.store, engine.blocking_keys(res.records, features=res.features))
        self.store.delete("term_frequencies")
        self.store.upsert("term_frequencies", engine.term_frequencies.to_table())
        token = os.urandom(8).hex()
        self.store.set_meta("index_version", token)
        self._engine_cache = (token, engine)

    # ---------------------------------------------------------------- reads
    def changes(self, since: int = 0, *, limit: int | None = None) -> list[Change]:
        """The change feed after cursor ``since``, oldest first.

        Store the last :attr:`Change.cursor` you processed and pass it back to read only
        what happened since; cursors are durable and never reused.
        """
        table = self.store.read("changes", after=since, limit=limit)
        return [Change(**row) for row in table.to_pylist()]

    def audit(self) -> pa.Table:
        """The audit log of merges, splits and erasures (``AUDIT_SCHEMA``)."""
        return self.store.read("audit").drop_columns(["audit_id"]).cast(AUDIT_SCHEMA)

    def explain(self, left: str, right: str) -> PairExplanation:
        """Why two records are, or are not, the same customer (a match-weight waterfall).

        The pair is re-scored with the stored model over the two records' customers, so
        term-frequency adjustments use those customers' values, not the whole hub's.
        """
        return self._local_resolution([left, right]).explain(left, right)

    def explain_customer(self, customer_id: str) -> CustomerExplanation:
        """The edges that hold a customer's records together."""
        cid = self.profiles.customer_id_of(customer_id)
        ids = self.store.read("clusters", {"customer_id": [cid]}).column("record_id").to_pylist()
        from dchkit.resolution import CustomerExplanation

        local = self._local_resolution(ids)
        found = local.explain_customer(local.customer_of(ids[0]))
        return CustomerExplanation(cid, found.record_ids, found.edges, found.cuts, found.cut_edges)

    def _local_resolution(self, record_ids: Sequence[str]) -> Resolution:
        from dchkit.resolution import Resolver

        found = self.store.read("records", {"record_id": list(record_ids)}).column("record_id")
        missing = sorted(set(record_ids) - set(found.to_pylist()))
        if missing:
            msg = f"no record with id {missing[0]!r} in the hub"
            raise ProfileNotFoundError(msg, fix="use a record_id such as 'crm:003A'")
        customers = state.customer_of_records(self.store, record_ids)
        members = self.store.read("clusters", {"customer_id": customers}).column("record_id")
        ids = pc.unique(pa.concat_arrays([to_array(members), pa.array(record_ids, pa.string())]))
        records = self.store.read("records", {"record_id": ids})
        must, cannot = self.feedback.pairs(ids)
        previous = self.store.read("clusters", {"record_id": ids})
        local = Resolver(self.config, model=self.model).resolve(
            records, previous=previous, must_link=must, cannot_link=cannot
        )
        engine = self._engine()
        if engine is None or previous.num_rows < local.records.num_rows:
            return local
        return _as_stored(local, previous, engine.term_frequencies.frequencies)

    def profile_store(self) -> ProfileStore:
        """Every customer as one :class:`~dchkit.profile.ProfileStore` (for traits, analyses).

        Built from the whole store on first use and cached until the hub changes.
        """
        from dchkit.profile import ProfileStore

        version = self.store.get_meta("version")
        if self._full is not None and self._full[0] == version:
            return self._full[1]
        store = ProfileStore(
            records=self.store.read("records"),
            clusters=self.store.read("clusters"),
            golden=self.store.read("golden"),
            lineage=self.store.read("lineage"),
            events=self.store.read("events"),
            aliases=self.store.read("aliases"),
            suppressions=self.store.read("suppressions").cast(SUPPRESSION_SCHEMA),
            audit=self.audit(),
            salt=self.salt,
            default_region=self.default_region,
        )
        self._full = (version, store)
        return store

    def export(
        self,
        path: str | Path | None = None,
        *,
        segment: str | None = None,
        require_consent: str | None = None,
        format: Literal["parquet", "csv", "jsonl"] | None = None,
    ) -> pa.Table:
        """Export profiles (golden values and traits), or one segment's members' profiles.

        Args:
            path: Write the table here (format from the suffix unless ``format`` is given).
            segment: Only this segment's members.
            require_consent: Only customers whose latest consent for this purpose is yes.
            format: ``parquet``, ``csv`` or ``jsonl``.

        Returns:
            The exported table.
        """
        from dchkit.profile.exports import profile_table, write_table

        table = profile_table(self.profile_store(), require_consent=require_consent)
        if segment is not None:
            members = self.segments.members(segment)
            table = table.filter(pc.is_in(table.column("customer_id"), value_set=members))
        if path is not None:
            write_table(table, path, format=format)
        return table

    # ---------------------------------------------------------------- forget
    def forget(self, customer_id: str | None = None, **identifier: str) -> Erasure:
        """Erase a customer: records, events, identifiers, golden record, memberships, rejects.

        Only salted hashes of the customer's identifiers stay, so a later ingest of the
        same rows does not bring them back. Identifiers other customers share (a family
        landline) are not suppressed; other customers' events that carry the erased
        identifiers are erased too, and so are rejected rows whose raw text holds one of
        them or one of the customer's source ids. The erasure is in the change feed and the
        audit log.
        """
        cid = self.profiles.customer_id_of(customer_id, **identifier)
        tables = state.customer_tables(self.store, cid)
        record_ids = to_array(tables.records.column("record_id"))
        keys, _ = identifier_keys(tables.records)
        event_keys, _ = identifier_keys(tables.events.select(["record_id", "identifiers"]))
        distinct = pc.unique(pa.concat_arrays([keys, event_keys]))
        holders = self.store.read("identifiers", {"key": distinct})
        shared = holders.filter(
            pc.invert(pc.is_in(holders.column("record_id"), value_set=record_ids))
        ).column("key")
        kept = distinct.filter(pc.invert(pc.is_in(distinct, value_set=to_array(shared))))
        # Other customers' events that carry the person's identifiers go too (a referral
        # naming their e-mail), as ProfileStore.forget does: only the hashes stay.
        carried = self.store.read("event_keys", {"key": kept}).column("event_id")
        event_ids = pc.unique(
            pa.concat_arrays([to_array(tables.events.column("event_id")), to_array(carried)])
        )
        # Their rejected rows go too: a reject keeps the raw row (see reject_keys).
        id_types = sorted(
            {k.split("=", 1)[0] for k in kept.to_pylist()} - {"email", "phone", "record_id"}
        )
        own_keys = [*kept.to_pylist(), *(f"record_id={r}" for r in record_ids.to_pylist())]
        engine = self._engine()
        with self.store.transaction():
            rejects = self.store.read("rejects", after=0)
            holding = rejects_holding(
                rejects, own_keys, region=self.default_region, id_types=id_types
            )
            if holding.any():
                reject_ids = self.store.read("rejects", after=0, columns=["reject_id"])
                self.store.delete(
                    "rejects", {"reject_id": reject_ids.column("reject_id").filter(holding)}
                )
            if engine is not None:  # their values leave the term frequencies too
                gone = engine.term_frequencies.changes(removed=engine.features(tables.records))
                apply_frequency_changes(self.store, gone)
                self.store.set_meta("index_version", os.urandom(8).hex())
                self._engine_cache = None
            self.store.upsert(
                "suppressions", suppression_table(hash_keys(kept.to_pylist(), self.salt))
            )
            unindex_records(self.store, record_ids)
            for name in ("records", "clusters", "identifiers"):
                self.store.delete(name, {"record_id": record_ids})
            self.store.delete("events", {"event_id": event_ids})
            self.store.delete("event_keys", {"event_id": event_ids})
            for name in ("golden", "lineage", "segment_members"):
                self.store.delete(name, {"customer_id": [cid]})
            self.store.delete("aliases", {"customer_id": [cid]})
            self.store.delete("feedback", {"left": record_ids})
            self.store.delete("feedback", {"right": record_ids})
            erasure = Erasure(cid, len(record_ids), len(event_ids), len(kept), int(holding.sum()))
            detail = (
                f"erased {erasure.records} records, {erasure.events} events, "
                f"{erasure.identifiers} identifiers, {erasure.rejects} rejects"
            )
            log_changes(self.store, [("erased", cid, None, None)])
            self.store.insert("audit", audit_rows([("erased", cid, detail)]))
            self._touch()
        return erasure

    def lift_suppression(self, **identifier: str) -> int:
        """Let erased identifiers in again: a person who was forgotten signs up anew.

        :meth:`forget` keeps a salted hash of each of the person's identifiers, and rows
        holding one are dropped at ingest. Name every identifier the person comes back
        with (``email=``, ``phone=``, an external id type, ``record_id=`` for a source
        record that still exists); the next ingest's ``suppressed`` count shows what is
        still held back. The audit log records the lift, without the identifiers.

        Returns:
            How many of the given identifiers were suppressed (and are not any more).

        Raises:
            ConfigError: no identifier was given.

        Examples:
            >>> hub = Hub()
            >>> _ = hub.ingest([{"id": "1", "email": "taro@example.jp"}], source="crm")
            >>> _ = hub.resolve()
            >>> hub.forget(email="taro@example.jp").identifiers
            2
            >>> hub.ingest([{"id": "2", "email": "Taro@example.jp"}], source="app").suppressed
            1
            >>> hub.lift_suppression(email="taro@example.jp")
            1
            >>> hub.ingest([{"id": "2", "email": "Taro@example.jp"}], source="app").inserted
            1
        """
        if not identifier:
            msg = "lift_suppression needs at least one identifier"
            raise ConfigError(msg, fix="e.g. hub.lift_suppression(email='taro@example.jp')")
        keys = [self.profiles._key(kind, value) for kind, value in identifier.items()]
        hashes = hash_keys(keys, self.salt)
        with self.store.transaction():
            lifted = self.store.delete("suppressions", {"key_hash": hashes})
            if lifted:
                detail = f"lifted the suppression of {lifted} identifiers"
                self.store.insert("audit", audit_rows([("suppression_lifted", None, detail)]))
        return lifted


def _without_rejects(
    rejects: pa.Table, reasons: dict[str, int], dropped: np.ndarray
) -> tuple[pa.Table, dict[str, int]]:
    """The rejects not ``dropped``, and the counts by reason code without the dropped ones."""
    if not dropped.any():
        return rejects, reasons
    left = Counter(reasons)
    left.subtract(
        str(r).split(":", 1)[0]
        for r in rejects.filter(pa.array(dropped)).column("reason").to_pylist()
    )
    return rejects.filter(pa.array(~dropped)), {k: v for k, v in left.items() if v > 0}


def _with_region(connector: Any, region: str) -> Any:
    """The connector, reading phone numbers in the hub's region unless it names its own.

    A connector given no ``default_region`` (and whose mapping names none) would read
    national numbers as Japanese; the hub's region is what its user told dchkit. The
    caller's connector is left as it is: a shallow copy carries the region.
    """
    mapping = getattr(connector, "mapping", None)
    if (
        getattr(connector, "default_region", "") is not None
        or getattr(mapping, "default_region", None) is not None
    ):
        return connector
    copied = copy.copy(connector)
    copied.default_region = region
    return copied


def _as_stored(local: Resolution, stored: pa.Table, frequencies: Frequencies) -> Resolution:
    """A local re-resolution scored with the hub's term frequencies and its stored clusters.

    Scoring a few records alone would take term frequencies from those records (every
    shared value looks common); the hub-wide counts give the weights the hub used.
    """
    from dataclasses import replace

    import numpy as np

    from dchkit.resolution.scoring import tf_adjustments

    tf = local.config.tf_adjust
    own = tf_adjustments(local.features, local.pair_index, local.levels, local.model, tf)
    hub_wide = tf_adjustments(
        local.features, local.pair_index, local.levels, local.model, tf, frequencies=frequencies
    )
    weights = local.match_weights - own + hub_wide
    position = pc.index_in(local.record_ids, value_set=to_array(stored["record_id"]))
    customers = to_array(stored["customer_id"]).take(position)
    labels = customers.dictionary_encode().indices.to_numpy(zero_copy_only=False)
    return replace(
        local,
        match_weights=weights,
        match_probabilities=1.0 / (1.0 + np.exp2(-weights)),
        labels=labels.astype(np.int64),
        customer_ids=customers.to_pylist(),
    )


def _id_change_rows(
    changes: Sequence[IdChange],
) -> list[tuple[str, str | None, str | None, str | None]]:
    """Change-feed rows of the merges and splits of an id assignment."""
    return [
        (change.kind, change.customer_id, change.other_id, None)
        for change in changes
        if change.kind in ("merged", "split")
    ]


def _normalized_identifiers(events: pa.Table, region: str) -> pa.Table:
    """Events whose ``identifiers`` are normalized as the connectors normalize them.

    An e-mail address becomes its normalized form and a phone number E.164, so an event
    sent with ``TARO@Example.jp`` joins the customer whose record says
    ``taro@example.jp``; other ids are cleaned text (full-width digits folded).
    """
    from dchkit.normalize import clean_text_column, normalize_email_column, normalize_phone_column

    column = events.column("identifiers").combine_chunks()
    if len(column) == 0 or column.null_count == len(column):
        return events
    keys, values = column.keys, column.items
    is_email, is_phone = pc.equal(keys, "email"), pc.equal(keys, "phone")
    emails = pc.coalesce(normalize_email_column(values).email, values)
    phones = pc.coalesce(normalize_phone_column(values, region=region).e164, values)
    normalized = pc.if_else(
        is_email, emails, pc.if_else(is_phone, phones, clean_text_column(values))
    )
    mask = column.is_null() if column.null_count else None
    fixed = pa.MapArray.from_arrays(column.offsets, keys, normalized, mask=mask)
    position = events.schema.get_field_index("identifiers")
    return events.set_column(position, events.schema.field(position), fixed)


def _as_table(data: Any) -> pa.Table:
    from dchkit.connectors.memory import as_arrow_table

    return as_arrow_table(data)
