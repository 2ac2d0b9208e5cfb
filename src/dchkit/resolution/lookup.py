"""An in-memory :class:`~dchkit.resolution.incremental.CandidateLookup`: a hub held in Python.

:class:`InMemoryLookup` keeps records, their features, customer ids, the blocking-key index
and feedback in memory, answers the engine's questions, and takes its updates
(:meth:`InMemoryLookup.apply`). Tests, notebooks and ``Hub()`` without a file use it; it is
also the reference a persistent store's lookup is checked against.

The key index (:class:`~dchkit.resolution._key_index.KeyIndex`) keeps one entry per key of
every record (about 14 per record with the default rules) in numpy and Arrow arrays, found
by a hash and a binary search: a hub of a million records builds it in seconds.

Examples:
    >>> import pyarrow as pa
    >>> from dchkit.resolution import IncrementalResolver, InMemoryLookup, Resolver
    >>> records = pa.table({"record_id": ["a", "b"], "source": ["crm", "ec"],
    ...                     "source_record_id": ["1", "2"], "emails": [["x@y.jp"], ["x@y.jp"]]})
    >>> hub = Resolver().resolve(records)
    >>> lookup = InMemoryLookup.from_resolution(hub, IncrementalResolver.from_resolution(hub))
    >>> lookup.record_ids_for_keys(pa.table({"rule": ["email_keys"], "key": ["x@y.jp"]})).to_pylist()
    ['a', 'b']
    >>> lookup.neighbourhood(pa.array(["a"])).clusters.num_rows
    2
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from dchkit.errors import ConfigError
from dchkit.resolution._key_index import KeyIndex
from dchkit.resolution.incremental import (
    CLUSTERS_SCHEMA,
    KEYS_SCHEMA,
    LINKS_SCHEMA,
    IncrementalUpdate,
    Neighbourhood,
)
from dchkit.schema import RECORDS_SCHEMA, conform

if TYPE_CHECKING:
    from dchkit.resolution.incremental import IncrementalResolver
    from dchkit.resolution.result import Resolution

__all__ = ["InMemoryLookup"]

_COMPACT_AFTER = 64  # appended tables before records and features are merged into one


class InMemoryLookup:
    """A resolved hub in memory, answering :class:`CandidateLookup` questions.

    Args:
        records: Canonical records of the hub.
        clusters: Their ``record_id → customer_id``.
        keys: Their blocking keys (``KEYS_SCHEMA``, from
            :meth:`IncrementalResolver.blocking_keys`).
        features: Their match features (same rows as ``records``), or None to let the
            engine recompute them per call.
        must_link: Feedback pairs (``left``, ``right``) that must share a customer.
        cannot_link: Feedback pairs that must not.
    """

    def __init__(
        self,
        records: pa.Table,
        clusters: pa.Table,
        keys: pa.Table,
        *,
        features: pa.Table | None = None,
        must_link: pa.Table | None = None,
        cannot_link: pa.Table | None = None,
    ) -> None:
        records = conform(records, RECORDS_SCHEMA, what="records").combine_chunks()
        if features is not None and features.num_rows != records.num_rows:
            msg = f"{features.num_rows} feature rows for {records.num_rows} records"
            raise ConfigError(msg, fix="pass the features built from the same records")
        self._tables: list[pa.Table] = [records]
        self._feature_tables: list[pa.Table] | None = (
            None if features is None else [features.combine_chunks()]
        )
        ids = records.column("record_id").to_pylist()
        self._ids: list[str] = ids  # row → record id (rows of replaced versions included)
        self._row: dict[str, int] = {record_id: row for row, record_id in enumerate(ids)}
        if len(self._row) != len(ids):
            msg = "record_id must be unique in the hub"
            raise ConfigError(msg, fix="deduplicate the records before building the lookup")
        self._customer: dict[str, str] = {}
        self._members: defaultdict[str, set[str]] = defaultdict(set)
        self._set_clusters(clusters)
        missing = [r for r in ids if r not in self._customer]
        if missing:
            msg = f"{len(missing)} record(s) have no customer id, e.g. {missing[:3]}"
            raise ConfigError(msg, fix="pass the clusters of the same records")
        self._rules: dict[str, int] = {}  # rule label → its number in the index
        self._index = KeyIndex(*self._entries(keys))
        self._links: dict[str, defaultdict[str, set[str]]] = {
            "must_link": defaultdict(set),
            "cannot_link": defaultdict(set),
        }
        for kind, table in (("must_link", must_link), ("cannot_link", cannot_link)):
            if table is not None:
                self.add_feedback(kind, table)

    @classmethod
    def from_resolution(
        cls, resolution: Resolution, resolver: IncrementalResolver
    ) -> InMemoryLookup:
        """A lookup over a batch resolution's records, customers and (reused) features."""
        keys = resolver.blocking_keys(resolution.records, features=resolution.features)
        return cls(resolution.records, resolution.clusters, keys, features=resolution.features)

    def __len__(self) -> int:
        return len(self._row)

    def __repr__(self) -> str:
        return f"InMemoryLookup(records={len(self):,}, customers={len(self._members):,})"

    # ------------------------------------------------------------ protocol
    def key_counts(self, keys: pa.Table) -> pa.Array:
        """Number of stored records holding each (rule, key)."""
        query, _ = self._holders(keys)
        return pa.array(np.bincount(query, minlength=keys.num_rows), pa.int64())

    def record_ids_for_keys(self, keys: pa.Table) -> pa.Array:
        """Ids of stored records holding any of the keys, sorted."""
        _, rows = self._holders(keys)
        return pa.array(sorted(self._ids_of(np.unique(rows))), pa.string())

    def neighbourhood(self, record_ids: pa.Array) -> Neighbourhood:
        """All records of the customers of ``record_ids`` and of their must-link partners."""
        customer = self._customer
        start = [r for r in record_ids.to_pylist() if r in customer]
        must = self._links["must_link"]
        partners = {p for r in start if r in must for p in must[r]}
        customers = {customer[r] for r in start} | {customer[r] for r in partners if r in customer}
        members = sorted([r for c in customers for r in self._members[c]])
        row = self._row
        rows = np.array([row[r] for r in members], dtype=np.int64)
        records = self._records().take(rows)
        features = None if self._feature_tables is None else self._features().take(rows)
        member_ids = pa.array(members, pa.string())
        clusters = pa.table(
            {"record_id": member_ids, "customer_id": [customer[r] for r in members]},
            schema=CLUSTERS_SCHEMA,
        )
        entry_member, entry_rules, entry_keys = self._index.entries(rows)
        labels = pa.array(list(self._rules), pa.string())
        return Neighbourhood(
            records=records,
            clusters=clusters,
            must_link=self._feedback("must_link", members),
            cannot_link=self._feedback("cannot_link", members),
            features=features,
            keys=pa.table(
                {
                    "record_id": member_ids.take(pa.array(entry_member)),
                    "rule": labels.take(pa.array(entry_rules)),
                    "key": entry_keys,
                },
                schema=KEYS_SCHEMA,
            ),
        )

    # -------------------------------------------------------------- writes
    def apply(self, update: IncrementalUpdate) -> None:
        """Write an incremental update: new and changed records, ids and key index."""
        added = set(update.added.to_pylist())
        ids = update.records.column("record_id").to_pylist()
        replaced = [self._row[r] for r in update.replaced.to_pylist() if r in self._row]
        self._index.withdraw(np.array(replaced, dtype=np.int64))
        rows = [row for row, record_id in enumerate(ids) if record_id in added]
        if rows:
            self._append(update.records.take(pa.array(rows)), update.features.take(pa.array(rows)))
        entry_rows, entry_rules, entry_keys = self._entries(update.blocking_keys)
        self._index.add(entry_rows, entry_rules, entry_keys.to_pylist())
        for alias in update.removed_customers.to_pylist():
            self._members.pop(alias, None)
        self._set_clusters(update.clusters)

    def add_feedback(self, kind: str, pairs: pa.Table) -> None:
        """Record ``must_link`` or ``cannot_link`` pairs (columns ``left``, ``right``)."""
        if kind not in self._links:
            msg = f"feedback kind must be 'must_link' or 'cannot_link', got {kind!r}"
            raise ConfigError(msg, fix="use one of the two kinds")
        links = self._links[kind]
        for left, right in zip(
            pairs.column("left").to_pylist(), pairs.column("right").to_pylist(), strict=True
        ):
            links[left].add(right)
            links[right].add(left)

    # ------------------------------------------------------------- reading
    @property
    def clusters(self) -> pa.Table:
        """``record_id → customer_id`` of every stored record, sorted by record id."""
        ids = sorted(self._customer)
        return pa.table(
            {"record_id": ids, "customer_id": [self._customer[r] for r in ids]},
            schema=CLUSTERS_SCHEMA,
        )

    @property
    def records(self) -> pa.Table:
        """Every stored record (latest versions), sorted by record id."""
        ids = sorted(self._row)
        return self._records().take(pa.array([self._row[r] for r in ids], pa.int64()))

    # ------------------------------------------------------------- helpers
    def _set_clusters(self, clusters: pa.Table) -> None:
        for record_id, customer_id in zip(
            clusters.column("record_id").to_pylist(),
            clusters.column("customer_id").to_pylist(),
            strict=True,
        ):
            before = self._customer.get(record_id)
            if before is not None and before != customer_id:
                self._members[before].discard(record_id)
                if not self._members[before]:
                    del self._members[before]
            self._customer[record_id] = customer_id
            self._members[customer_id].add(record_id)

    def _rule_numbers(self, labels: pa.Array | pa.ChunkedArray) -> npt.NDArray[np.int64]:
        """Each rule label's number in the key index (new labels get the next numbers)."""
        encoded = pc.dictionary_encode(labels)
        if isinstance(encoded, pa.ChunkedArray):
            encoded = (
                encoded.combine_chunks()
                if encoded.num_chunks
                else pa.array([], pa.string()).dictionary_encode()
            )
        numbers = np.array(
            [
                self._rules.setdefault(label, len(self._rules))
                for label in encoded.dictionary.to_pylist()
            ],
            dtype=np.int64,
        )
        result: npt.NDArray[np.int64] = numbers[
            encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
        ]
        return result

    def _entries(
        self, keys: pa.Table
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], pa.Array]:
        """A keys table (``KEYS_SCHEMA``) as index entries: row, rule number, key."""
        row = self._row
        rows = np.array([row[r] for r in keys.column("record_id").to_pylist()], dtype=np.int64)
        key = keys.column("key")
        return (
            rows,
            self._rule_numbers(keys.column("rule")),
            (key.combine_chunks() if isinstance(key, pa.ChunkedArray) else key),
        )

    def _holders(self, keys: pa.Table) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """(query row, holding row) of every stored record holding a key of ``keys``."""
        rules = self._rules
        where, numbers, texts = [], [], []
        for i, (rule, key) in enumerate(
            zip(keys.column("rule").to_pylist(), keys.column("key").to_pylist(), strict=True)
        ):
            if rule in rules:  # a rule no stored key has: no holders
                where.append(i)
                numbers.append(rules[rule])
                texts.append(key)
        query, rows = self._index.holders(numbers, texts)
        return np.array(where, dtype=np.int64)[query], rows

    def _ids_of(self, rows: npt.NDArray[np.int64]) -> list[str]:
        ids = self._ids
        return [ids[r] for r in rows.tolist()]

    def _append(self, records: pa.Table, features: pa.Table) -> None:
        offset = len(self._ids)
        self._tables.append(conform(records, RECORDS_SCHEMA, what="records"))
        if self._feature_tables is not None:
            self._feature_tables.append(features)
        for position, record_id in enumerate(records.column("record_id").to_pylist()):
            self._row[record_id] = offset + position
            self._ids.append(record_id)

    def _records(self) -> pa.Table:
        self._tables = _compacted(self._tables)
        return pa.concat_tables(self._tables)

    def _features(self) -> pa.Table:
        if self._feature_tables is None:
            msg = "this lookup keeps no features"
            raise ConfigError(msg, fix="build it with features=... or from_resolution()")
        self._feature_tables = _compacted(self._feature_tables)
        return pa.concat_tables(self._feature_tables)

    def _feedback(self, kind: str, members: list[str]) -> pa.Table:
        links = self._links[kind]
        pairs = sorted({(min(a, b), max(a, b)) for a in members if a in links for b in links[a]})
        if not pairs:
            return LINKS_SCHEMA.empty_table()
        return pa.table(
            {"left": [a for a, _ in pairs], "right": [b for _, b in pairs]}, schema=LINKS_SCHEMA
        )


def _compacted(tables: list[pa.Table]) -> list[pa.Table]:
    """Merge appended tables into one once there are many (take() slows with many chunks)."""
    if len(tables) <= _COMPACT_AFTER:
        return tables
    return [pa.concat_tables(tables).combine_chunks()]
