"""Incremental resolution: new or changed records against a resolved hub, no batch rerun.

:class:`IncrementalResolver` resolves a micro-batch (one record or thousands) against a
store it reaches only through the small :class:`CandidateLookup` protocol — SQLite, memory
(:class:`~dchkit.resolution.lookup.InMemoryLookup`) or later a server database:

1. the new records' blocking keys (:meth:`IncrementalResolver.blocking_keys`, exactly the
   keys a store indexes) are counted in the store; keys held by more records than their
   rule's ``max_block_size`` are hub values and are skipped, as in a batch;
2. the stored records sharing a key are the candidates; their customers' records (the
   *neighbourhood*), with their current customer ids and feedback, come back;
3. the blocked pairs inside neighbourhood + new records are compared and scored with the
   fixed model and the hub's global term frequencies
   (:class:`~dchkit.resolution.termfreq.TermFrequencies`) — for more than a few records,
   the new records' pairs first, then only those of the customers they link to — and
   that set is re-clustered with the batch's guards, hard links and feedback;
4. ids are assigned with the neighbourhood's current ids as ``previous``: an attached
   record takes its customer's id, a merge keeps the survivor's id and logs the alias, a
   split keeps the id on the larger part;
5. golden records of the affected customers are rebuilt on demand
   (:attr:`IncrementalUpdate.golden`).

A changed record (a stored ``record_id`` with new values) replaces its stored version: its
old customer is part of the neighbourhood, so it can move or split.

**Same clusters as a batch.** On a hub resolved in batch, streaming records one by one or
in micro-batches ends with the clusters a batch resolve of all records gives with the same
model and frequencies, except in these documented cases:

- *guard cuts*: a component a guard cut (cannot-link, identifier limit, size) is re-cut
  only within the neighbourhood, so the cut can fall elsewhere than in the batch's larger
  component;
- *frequency drift*: a pair is scored with the term frequencies of the moment it is last
  re-scored; when later records make its value more common, a batch scores it lower;
- *new hub values*: when new records push a key over its rule's ``max_block_size``, pairs
  already linked through it stay linked until the next batch resolve.

Examples:
    >>> import pyarrow as pa
    >>> from dchkit.resolution import IncrementalResolver, InMemoryLookup, Resolver
    >>> def people(ids, names, emails):
    ...     return pa.table({"record_id": ids, "source": ["crm"] * len(ids),
    ...                      "source_record_id": ids, "full_name": names,
    ...                      "emails": [[e] for e in emails]})
    >>> hub = Resolver().resolve(people(["a", "b"], ["山田 太郎", "佐藤 花子"],
    ...                                 ["taro@example.jp", "hanako@example.jp"]))
    >>> resolver = IncrementalResolver.from_resolution(hub)
    >>> lookup = InMemoryLookup.from_resolution(hub, resolver)
    >>> update = resolver.resolve(people(["c"], ["山田 太郎"], ["taro@example.jp"]), lookup)
    >>> update.customer_of("c") == hub.customer_of("a")
    True
    >>> update.golden.num_rows  # the one affected customer
    1
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from dchkit._numeric import sorted_distinct
from dchkit.errors import ConfigError, ResolveError
from dchkit.resolution.blocking import (
    BlockingRule,
    HubValue,
    _key_column,
    _pairs_within_groups,
)
from dchkit.resolution.comparisons import compare_pairs
from dchkit.resolution.features import build_features
from dchkit.resolution.graph import cluster
from dchkit.resolution.ids import IdChange, assign_customer_ids
from dchkit.resolution.resolver import _LINK_RULE, _canonical_order, _limits, _RecordIndex
from dchkit.resolution.scoring import pair_weights
from dchkit.resolution.termfreq import TermFrequencies, tf_columns
from dchkit.schema import RECORDS_SCHEMA, conform

if TYPE_CHECKING:
    from dchkit.resolution.config import ResolverConfig
    from dchkit.resolution.golden import GoldenResult
    from dchkit.resolution.model import MatchModel
    from dchkit.resolution.result import Resolution

__all__ = [
    "CLUSTERS_SCHEMA",
    "KEYS_SCHEMA",
    "LINKS_SCHEMA",
    "CandidateLookup",
    "IncrementalResolver",
    "IncrementalUpdate",
    "Neighbourhood",
]

IndexArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

#: Blocking keys a store indexes: one row per record, rule and key value.
KEYS_SCHEMA = pa.schema(
    [
        pa.field("record_id", pa.string(), nullable=False),
        pa.field("rule", pa.string(), nullable=False),
        pa.field("key", pa.string(), nullable=False),
    ]
)
#: ``record_id → customer_id``.
CLUSTERS_SCHEMA = pa.schema(
    [
        pa.field("record_id", pa.string(), nullable=False),
        pa.field("customer_id", pa.string(), nullable=False),
    ]
)
#: Feedback pairs (must-link, cannot-link) by record id.
LINKS_SCHEMA = pa.schema(
    [pa.field("left", pa.string(), nullable=False), pa.field("right", pa.string(), nullable=False)]
)
_NO_LIMIT = np.iinfo(np.int64).max
_SMALL = 64  # at most this many records: blocking keys in plain Python (no Arrow overhead)


@dataclass(frozen=True)
class Neighbourhood:
    """The stored records of some customers, with their ids and the feedback touching them.

    Args:
        records: Canonical records (``RECORDS_SCHEMA``) of every record of the customers.
        clusters: Their current ``record_id → customer_id`` (``CLUSTERS_SCHEMA``).
        must_link: Feedback pairs (``LINKS_SCHEMA``) with a record among ``records``.
        cannot_link: The same for cannot-link decisions (a "split this record out" is a
            cannot-link between the record and each other record of its customer).
        features: Optional match features of ``records`` (same rows), if the store keeps
            them: saves recomputing them on every call.
        keys: Optional blocking keys (``KEYS_SCHEMA``) of ``records``, if the store can
            return them from its key index: saves recomputing them.
    """

    records: pa.Table
    clusters: pa.Table
    must_link: pa.Table = field(default_factory=LINKS_SCHEMA.empty_table)
    cannot_link: pa.Table = field(default_factory=LINKS_SCHEMA.empty_table)
    features: pa.Table | None = None
    keys: pa.Table | None = None


@runtime_checkable
class CandidateLookup(Protocol):
    """What the engine needs from a store: its key index and its customers' records."""

    def key_counts(self, keys: pa.Table) -> pa.Array:
        """Number of stored records holding each key.

        Args:
            keys: Columns ``rule`` (a blocking rule's label) and ``key`` (strings).

        Returns:
            One int64 count per row of ``keys`` (0 for keys no stored record has).
        """
        ...

    def record_ids_for_keys(self, keys: pa.Table) -> pa.Array:
        """Ids (strings, any order, duplicates allowed) of stored records holding any key.

        The engine passes only keys under their rule's ``max_block_size``.
        """
        ...

    def neighbourhood(self, record_ids: pa.Array) -> Neighbourhood:
        """All stored records of the customers the given records belong to.

        Ids that are not stored are ignored. A store should add the customers of records
        must-linked to those records, so that feedback pairs fall inside the set.
        """
        ...


@dataclass(frozen=True, eq=False)
class IncrementalUpdate:
    """What one incremental resolve decided, for a store to write in one transaction."""

    records: pa.Table
    """Every affected record (``RECORDS_SCHEMA``): the new and changed records in their new
    version and the records of the customers they touch, sorted by record id."""
    features: pa.Table
    """Match features of :attr:`records` (same rows)."""
    clusters: pa.Table
    """``record_id → customer_id`` of every record of :attr:`records`."""
    aliases: pa.Table
    """``alias → customer_id``: ids merged away and the customer they now point to."""
    changes: tuple[IdChange, ...]
    """Created / merged / split entries of the merge-and-split log."""
    removed_customers: pa.Array
    """Customer ids that no longer exist (merged away): delete their golden records."""
    blocking_keys: pa.Table
    """Blocking keys (``KEYS_SCHEMA``) of the new and changed records, to index; a changed
    record's stored keys are replaced by these."""
    added: pa.Array
    """Ids of the new and changed records of the call (their new versions are to write)."""
    replaced: pa.Array
    """Ids of stored records that the update replaces with a new version."""
    term_frequency_changes: pa.Table
    """Count changes to apply to the hub's :class:`TermFrequencies` after writing."""
    pairs: pa.Table
    """Every scored pair among :attr:`records`: ``left``, ``right``, ``match_weight``,
    ``match_probability`` (for explanations)."""
    hub_values: tuple[HubValue, ...] = ()
    """Keys of the new records skipped as hub values."""
    unresolved: tuple[str, ...] = ()
    """Guards that hard links made impossible to meet."""
    timings: dict[str, float] = field(default_factory=dict)
    """Seconds per step."""

    def customer_of(self, record_id: str) -> str:
        """The customer id the update gives one record."""
        position = pc.index(self.clusters.column("record_id"), record_id).as_py()
        if position < 0:
            msg = f"record {record_id!r} is not among the records this update decided"
            raise ConfigError(msg, fix="look it up in the store: the update left it unchanged")
        return str(self.clusters.column("customer_id")[position].as_py())

    @cached_property
    def _golden(self) -> GoldenResult:
        from dchkit.resolution.golden import build_golden  # golden is only needed on demand

        return build_golden(self.records, self.clusters)

    @property
    def golden(self) -> pa.Table:
        """Golden records of every affected customer (``GOLDEN_SCHEMA``), built on first use."""
        return self._golden.golden

    @property
    def lineage(self) -> pa.Table:
        """Lineage of those golden values (``LINEAGE_SCHEMA``)."""
        return self._golden.lineage


@dataclass(frozen=True)
class _Keys:
    """Blocking keys of a set of records: row, rule index and key value per entry."""

    rows: IndexArray
    rule: IndexArray
    key: pa.Array

    def table(self, record_ids: pa.Array, labels: list[str]) -> pa.Table:
        return pa.table(
            {
                "record_id": record_ids.take(pa.array(self.rows)),
                "rule": pa.array(labels, pa.string()).take(pa.array(self.rule)),
                "key": self.key,
            },
            schema=KEYS_SCHEMA,
        )


class IncrementalResolver:
    """Resolve new or changed records against a resolved hub with a fixed, trained model.

    Args:
        config: The configuration the hub was resolved with.
        model: The trained model (e.g. ``resolution.model``); not retrained here.
        term_frequencies: The hub's value counts; None starts from an empty hub. After
            writing an update, apply its :attr:`IncrementalUpdate.term_frequency_changes`.
    """

    def __init__(
        self,
        config: ResolverConfig,
        model: MatchModel,
        *,
        term_frequencies: TermFrequencies | None = None,
    ) -> None:
        if model.comparisons != config.comparisons:
            msg = "the model was trained with different comparisons than the configuration's"
            raise ConfigError(msg, fix="pass the config the model was trained with, or retrain")
        self.config = config
        self.model = model
        self.term_frequencies = (
            TermFrequencies(tf_columns(config)) if term_frequencies is None else term_frequencies
        )
        self.rules: tuple[BlockingRule, ...] = (*config.blocking, _LINK_RULE)
        self.labels = [rule.label for rule in self.rules]
        if len(set(self.labels)) != len(self.labels):
            msg = f"blocking rule labels must be unique for a key index, got {self.labels}"
            raise ConfigError(msg, fix="give rules with the same fields distinct names")
        self._caps = np.array([rule.max_block_size for rule in self.rules], dtype=np.int64)
        self._key_fields = tuple(dict.fromkeys(f for rule in self.rules for f in rule.fields))
        self._label_array = pa.array(self.labels, pa.string())

    @classmethod
    def from_resolution(cls, resolution: Resolution) -> IncrementalResolver:
        """An engine with a batch resolution's configuration, model and frequencies."""
        return cls(
            resolution.config,
            resolution.model,
            term_frequencies=TermFrequencies.from_resolution(resolution),
        )

    def __repr__(self) -> str:
        return f"dchkit.IncrementalResolver(threshold={self.config.threshold}, rules={len(self.rules)})"

    # ------------------------------------------------------------------ keys
    def features(self, records: pa.Table) -> pa.Table:
        """Match features of canonical records, as the batch builds them."""
        return build_features(
            records,
            id_type_aliases=self.config.id_type_aliases,
            link_id_types=self.config.link_id_types,
        )

    def _keys(self, features: pa.Table) -> _Keys:
        if features.num_rows <= _SMALL and self._plain_strings(features):
            return self._keys_in_python(features)
        rows, rules, keys = [], [], []
        for position, blocking_rule in enumerate(self.rules):
            row_of_key, key_of_row = _key_column(features, blocking_rule)
            rows.append(row_of_key)
            rules.append(np.full(row_of_key.size, position, dtype=np.int64))
            keys.append(key_of_row)
        row, rule = np.concatenate(rows), np.concatenate(rules)
        key = pa.concat_arrays(keys)
        # one entry per (record, rule, key): a list can hold one value twice
        code = pc.dictionary_encode(key).indices.to_numpy(zero_copy_only=False).astype(np.int64)
        width = max(len(key), 1)
        combined = (row * len(self.rules) + rule) * width + code
        first = np.unique(combined, return_index=True)[1]
        first.sort()
        return _Keys(row[first], rule[first], key.take(pa.array(first)))

    def _plain_strings(self, features: pa.Table) -> bool:
        """Whether every key column is a string or list-of-string column (the small path's)."""
        schema = features.schema
        for name in self._key_fields:
            if name not in schema.names:
                return False  # the columnar path raises the configuration error
            kind = schema.field(name).type
            if pa.types.is_list(kind):
                kind = kind.value_type
            if not pa.types.is_string(kind):
                return False
        return True

    def _keys_in_python(self, features: pa.Table) -> _Keys:
        """:meth:`_keys` for a few records: the same keys without per-rule Arrow overhead.

        Follows ``blocking._key_column``: list columns expand into one entry per value,
        parts join with a unit separator, null parts and an empty first part drop the entry.
        """
        values = {name: features.column(name).to_pylist() for name in self._key_fields}
        found: dict[tuple[int, int, str], None] = {}
        for position, rule in enumerate(self.rules):
            for row in range(features.num_rows):
                partial = [""]
                for depth, name in enumerate(rule.fields):
                    value = values[name][row]
                    items = value if isinstance(value, list) else [value]
                    partial = [
                        item if depth == 0 else f"{prefix}\x1f{item}"
                        for prefix in partial
                        for item in items
                        if item is not None and (depth > 0 or item != "")
                    ]
                for key in partial:
                    found[(row, position, key)] = None
        entries = sorted(found, key=lambda entry: (entry[1], entry[0]))
        return _Keys(
            np.array([e[0] for e in entries], dtype=np.int64),
            np.array([e[1] for e in entries], dtype=np.int64),
            pa.array([e[2] for e in entries], pa.string()),
        )

    def blocking_keys(self, records: pa.Table, *, features: pa.Table | None = None) -> pa.Table:
        """The blocking keys (``KEYS_SCHEMA``) of records: exactly what a store must index.

        The hard-link rule (shared external ids) is among them, labelled ``hard links``.

        Args:
            records: Canonical records.
            features: Their features, if already built (same rows).
        """
        records = conform(records, RECORDS_SCHEMA, what="records")
        keys = self._keys(self.features(records) if features is None else features)
        return keys.table(records.column("record_id").combine_chunks(), self.labels)

    # --------------------------------------------------------------- resolve
    def resolve(self, new_records: pa.Table, lookup: CandidateLookup) -> IncrementalUpdate:
        """Resolve new or changed records against the hub behind ``lookup``.

        Args:
            new_records: Canonical records; a stored ``record_id`` means a changed record.
            lookup: The store's key index and records.

        Returns:
            The decisions for every affected record, to write in one transaction.

        Raises:
            ConfigError: ``new_records`` repeats a record id or is not canonical.
            ResolveError: the lookup's neighbourhood is inconsistent (a record without a
                customer id).
        """
        timings: dict[str, float] = {}
        clock = _Clock(timings)
        new = _canonical_order(_conformed(new_records, "new records"))
        new_ids = new.column("record_id").combine_chunks()
        new_features = self.features(new)
        new_keys = self._keys(new_features)
        clock("features")

        candidates, hubs = self._candidates(new_keys, lookup)
        neighbourhood = lookup.neighbourhood(pc.unique(pa.concat_arrays([candidates, new_ids])))
        clock("lookup")

        stored = _conformed(neighbourhood.records, "neighbourhood records")
        is_replaced = pc.is_in(stored.column("record_id"), value_set=new_ids)
        kept, old = stored.filter(pc.invert(is_replaced)), stored.filter(is_replaced)
        kept_features = self._stored_features(neighbourhood, kept, pc.invert(is_replaced))
        old_features = self._stored_features(neighbourhood, old, is_replaced)
        combined = pa.concat_tables([kept, new])
        order = pc.sort_indices(combined.column("record_id")).to_numpy()
        records = combined.take(pa.array(order))
        features = pa.concat_tables([kept_features, new_features]).take(pa.array(order))
        record_ids = records.column("record_id").combine_chunks()
        tf_changes = self.term_frequencies.changes(added=new_features, removed=old_features)
        clock("neighbourhood")

        position = np.empty(order.size, dtype=np.int64)
        position[order] = np.arange(order.size, dtype=np.int64)
        kept_keys = self._stored_keys(neighbourhood, kept, kept_features)
        keys = _Keys(
            position[np.concatenate([kept_keys.rows, new_keys.rows + kept.num_rows])],
            np.concatenate([kept_keys.rule, new_keys.rule]),
            pa.concat_arrays([kept_keys.key, new_keys.key]),
        )
        old_keys = self._stored_keys(neighbourhood, old, old_features)
        blocks = _Blocks(self, keys, new_keys, old_keys, lookup, features.num_rows)
        previous = neighbourhood.clusters
        if previous.num_rows < stored.num_rows:
            msg = f"the lookup gave {stored.num_rows} records but {previous.num_rows} customer ids"
            raise ResolveError(msg, fix="give every neighbourhood record its customer id")
        is_new = np.zeros(order.size, dtype=bool)
        is_new[position[kept.num_rows :]] = True
        if records.num_rows <= _SMALL:
            pairs, hard = blocks.pairs(np.ones(keys.rows.size, dtype=bool))
            clock("blocking")
            weights = self._scored(features, pairs, tf_changes)
        else:
            # Block and score the new records' pairs first; re-cluster only the customers
            # they link to (and changed records' old customers): the others stay as they are.
            first, first_hard = blocks.pairs(blocks.touching(is_new[keys.rows]))
            first = first[is_new[first[:, 0]] | is_new[first[:, 1]]]
            first_hard = first_hard[is_new[first_hard[:, 0]] | is_new[first_hard[:, 1]]]
            clock("blocking")
            first_weights = self._scored(features, first, tf_changes)
            linked = first[_probability(first_weights) >= self.config.threshold]
            keep = self._affected(
                record_ids, previous, is_new, np.concatenate([linked, first_hard]), neighbourhood
            )
            rest, hard = blocks.pairs(keep[keys.rows])
            rest = rest[~(is_new[rest[:, 0]] | is_new[rest[:, 1]])]
            first_kept = keep[first[:, 0]] & keep[first[:, 1]]
            pairs = np.concatenate([first[first_kept], rest])
            weights = np.concatenate(
                [first_weights[first_kept], self._scored(features, rest, tf_changes)]
            )
            index = np.cumsum(keep) - 1
            pairs, hard = index[pairs], index[hard]
            rows = pa.array(np.flatnonzero(keep))
            records, features = records.take(rows), features.take(rows)
            record_ids = record_ids.take(rows)
            previous = previous.filter(pc.is_in(previous.column("record_id"), value_set=record_ids))
            by_pair = np.lexsort((pairs[:, 1], pairs[:, 0]))
            pairs, weights = pairs[by_pair], weights[by_pair]
        probabilities = _probability(weights)
        clock("comparing and scoring")

        labels, unresolved = self._cluster(
            records, record_ids, pairs, probabilities, hard, neighbourhood
        )
        ids = assign_customer_ids(record_ids, labels, previous=previous)
        clock("clustering")
        aliases = sorted(ids.aliases.items())
        update = IncrementalUpdate(
            records=records,
            features=features,
            clusters=pa.table(
                {"record_id": record_ids, "customer_id": pa.array(ids.customer_ids, pa.string())},
                schema=CLUSTERS_SCHEMA,
            ),
            aliases=pa.table(
                {
                    "alias": pa.array([a for a, _ in aliases], pa.string()),
                    "customer_id": pa.array([c for _, c in aliases], pa.string()),
                }
            ),
            changes=ids.changes,
            removed_customers=pa.array([a for a, _ in aliases], pa.string()),
            blocking_keys=new_keys.table(new_ids, self.labels),
            added=new_ids,
            replaced=old.column("record_id").combine_chunks(),
            term_frequency_changes=tf_changes,
            pairs=pa.table(
                {
                    "left": record_ids.take(pa.array(pairs[:, 0])),
                    "right": record_ids.take(pa.array(pairs[:, 1])),
                    "match_weight": weights,
                    "match_probability": probabilities,
                }
            ),
            hub_values=hubs,
            unresolved=unresolved,
            timings=timings,
        )
        clock("result")
        timings["total"] = sum(timings.values())
        return update

    def _candidates(
        self, new_keys: _Keys, lookup: CandidateLookup
    ) -> tuple[pa.Array, tuple[HubValue, ...]]:
        """Stored records sharing a non-hub key with the new records, and the hub keys."""
        if new_keys.rows.size == 0:
            return pa.array([], pa.string()), ()
        distinct = _distinct_keys(new_keys)
        query = pa.table(
            {
                "rule": pa.array(self.labels, pa.string()).take(pa.array(distinct.rule)),
                "key": distinct.key,
            }
        )
        stored = _counts(lookup.key_counts(query), len(distinct.rows))
        total = stored + distinct.rows  # rows holds the number of new holders here
        usable = total <= self._caps[distinct.rule]
        hubs = tuple(
            HubValue(self.labels[r], str(k).replace("\x1f", " + "), int(c))
            for r, k, c in zip(
                distinct.rule[~usable].tolist(),
                distinct.key.filter(pa.array(~usable)).to_pylist(),
                total[~usable].tolist(),
                strict=True,
            )
        )
        if not usable.any():
            return pa.array([], pa.string()), hubs
        ids = lookup.record_ids_for_keys(query.filter(pa.array(usable)))
        return pc.cast(ids, pa.string()), hubs

    def _stored_features(
        self, neighbourhood: Neighbourhood, records: pa.Table, rows: pa.Array
    ) -> pa.Table:
        """Features of some neighbourhood records: the store's, or computed."""
        if neighbourhood.features is not None:
            return neighbourhood.features.filter(rows)
        if records.num_rows == 0:
            return self._empty_features
        return self.features(records)

    @cached_property
    def _empty_features(self) -> pa.Table:
        return self.features(RECORDS_SCHEMA.empty_table())

    def _stored_keys(
        self, neighbourhood: Neighbourhood, records: pa.Table, features: pa.Table
    ) -> _Keys:
        """Blocking keys of some neighbourhood records: the store's, or computed."""
        if records.num_rows == 0:
            return _Keys(np.zeros(0, np.int64), np.zeros(0, np.int64), pa.array([], pa.string()))
        if neighbourhood.keys is None:
            return self._keys(features)
        stored = neighbourhood.keys
        row = pc.index_in(stored.column("record_id"), value_set=records.column("record_id"))
        rule = pc.index_in(stored.column("rule"), value_set=self._label_array)
        known = pc.and_(pc.is_valid(row), pc.is_valid(rule))
        return _Keys(
            row.filter(known).to_numpy(zero_copy_only=False).astype(np.int64),
            rule.filter(known).to_numpy(zero_copy_only=False).astype(np.int64),
            stored.column("key").filter(known).combine_chunks(),
        )

    def _scored(self, features: pa.Table, pairs: IndexArray, tf_changes: pa.Table) -> FloatArray:
        """Compare and weigh pairs."""
        levels = compare_pairs(features, pairs, self.config.comparisons)
        return self._weights(features, pairs, levels, tf_changes)

    def _affected(
        self,
        record_ids: pa.Array,
        previous: pa.Table,
        is_new: npt.NDArray[np.bool_],
        linked: IndexArray,
        neighbourhood: Neighbourhood,
    ) -> npt.NDArray[np.bool_]:
        """Rows to re-cluster: the new records and all records of the customers they touch.

        Touched: a customer one of them links to, one a changed record leaves, or one that
        must-link feedback names.
        """
        position = pc.index_in(record_ids, value_set=previous.column("record_id"))
        customer = previous.column("customer_id").combine_chunks().take(position)
        code = pc.dictionary_encode(customer).indices.fill_null(-1)
        codes = code.to_numpy(zero_copy_only=False).astype(np.int64)
        must = neighbourhood.must_link
        feedback = pc.is_in(
            record_ids, value_set=pa.concat_arrays([c.combine_chunks() for c in must.columns])
        )
        touched = np.zeros(len(record_ids), dtype=bool)
        touched[linked.ravel()] = True
        touched |= is_new | feedback.fill_null(False).to_numpy(zero_copy_only=False)
        customers = np.unique(codes[touched])
        keep: npt.NDArray[np.bool_] = is_new | np.isin(codes, customers[customers >= 0])
        return keep

    def _weights(
        self,
        features: pa.Table,
        pairs: IndexArray,
        levels: npt.NDArray[np.int8],
        tf_changes: pa.Table,
    ) -> npt.NDArray[np.float64]:
        """Match weights by the batch's formula (:func:`pair_weights`), with the hub's frequencies."""
        tf = self.term_frequencies

        def frequencies(column: str, values: pa.Array) -> npt.NDArray[np.float64]:
            return tf.frequencies(column, values, pending=tf_changes)

        return pair_weights(
            features, pairs, levels, self.model, self.config, frequencies=frequencies
        )

    def _cluster(
        self,
        records: pa.Table,
        record_ids: pa.Array,
        pairs: IndexArray,
        probabilities: npt.NDArray[np.float64],
        hard: IndexArray,
        neighbourhood: Neighbourhood,
    ) -> tuple[IndexArray, tuple[str, ...]]:
        config = self.config
        index = _RecordIndex(record_ids)
        is_edge = probabilities >= config.threshold
        must = index.pairs(_inside(neighbourhood.must_link, record_ids), "must_link")
        result = cluster(
            records.num_rows,
            pairs[is_edge],
            probabilities[is_edge],
            hard_edges=np.concatenate([hard, must]),
            limits=_limits(records, config),
            cannot_link=index.pairs(_inside(neighbourhood.cannot_link, record_ids), "cannot_link"),
            max_size=config.max_cluster_size,
        )
        return result.labels, result.unresolved


class _Blocks:
    """The blocks of a set of records: which keys are hub values, and pairs within blocks.

    A key is a hub value when more records than its rule's ``max_block_size`` hold it in
    the whole hub: the stored count (asked from the lookup once per key, and only for keys
    two records of the set share), minus replaced versions, plus new records.
    """

    def __init__(
        self,
        engine: IncrementalResolver,
        keys: _Keys,
        new_keys: _Keys,
        old_keys: _Keys,
        lookup: CandidateLookup,
        n: int,
    ) -> None:
        self.keys, self.lookup, self.n = keys, lookup, n
        self.labels, self.caps = engine._label_array, engine._caps
        self.link_rule = len(engine.rules) - 1
        encoded = pc.dictionary_encode(pa.concat_arrays([keys.key, new_keys.key, old_keys.key]))
        self.dictionary = encoded.dictionary
        code = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
        self.width = max(len(self.dictionary), 1)
        split = np.cumsum([keys.rows.size, new_keys.rows.size])
        ids = [
            rule * self.width + part
            for rule, part in zip(
                (keys.rule, new_keys.rule, old_keys.rule), np.split(code, split), strict=True
            )
        ]
        self.groups, group = np.unique(ids[0], return_inverse=True)
        self.group = group.reshape(-1)
        self.rules = self.groups // self.width
        self.change = _holders(self.groups, ids[1]) - _holders(self.groups, ids[2])
        self.count = np.full(self.groups.size, -1, dtype=np.int64)  # -1: not asked yet

    def touching(self, entries: npt.NDArray[np.bool_]) -> npt.NDArray[np.bool_]:
        """Entries of the blocks that hold one of the given entries."""
        hit = np.zeros(self.groups.size, dtype=bool)
        hit[self.group[entries]] = True
        touched: npt.NDArray[np.bool_] = hit[self.group]
        return touched

    def pairs(self, entries: npt.NDArray[np.bool_]) -> tuple[IndexArray, IndexArray]:
        """Blocked pairs and hard-link pairs among the records of the given entries."""
        local = np.bincount(self.group[entries], minlength=self.groups.size)
        shared = (local >= 2) & (local <= self.caps[self.rules])
        ask = np.flatnonzero(shared & (self.count < 0))
        if ask.size:
            query = pa.table(
                {
                    "rule": self.labels.take(pa.array(self.rules[ask])),
                    "key": self.dictionary.take(pa.array(self.groups[ask] % self.width)),
                }
            )
            self.count[ask] = _counts(self.lookup.key_counts(query), ask.size) + self.change[ask]
        usable_group = shared & (self.count <= self.caps[self.rules])
        usable = entries & usable_group[self.group]
        link = self.keys.rule == self.link_rule
        return self._within(usable & ~link), self._within(usable & link)

    def _within(self, mask: npt.NDArray[np.bool_]) -> IndexArray:
        n = self.n
        left, right, _ = _pairs_within_groups(self.keys.rows[mask], self.group[mask], _NO_LIMIT)
        unique = sorted_distinct(left * n + right, overwrite=True)
        return np.column_stack([unique // n, unique % n]).astype(np.int64)


class _Clock:
    """Adds the seconds since the previous tick to a named timing."""

    def __init__(self, timings: dict[str, float]) -> None:
        self.timings = timings
        self.last = time.perf_counter()

    def __call__(self, name: str) -> None:
        now = time.perf_counter()
        self.timings[name] = self.timings.get(name, 0.0) + now - self.last
        self.last = now


def _probability(weights: FloatArray) -> FloatArray:
    probabilities: FloatArray = 1.0 / (1.0 + np.exp2(-weights))
    return probabilities


def _conformed(records: pa.Table, what: str) -> pa.Table:
    """``records`` in ``RECORDS_SCHEMA`` (as they come from a store, without the cast)."""
    if records.schema.equals(RECORDS_SCHEMA):
        return records
    return conform(records, RECORDS_SCHEMA, what=what)


def _counts(counts: pa.Array | pa.ChunkedArray, n: int) -> IndexArray:
    if isinstance(counts, pa.ChunkedArray):
        counts = counts.combine_chunks()
    values = np.array(counts.fill_null(0).to_numpy(zero_copy_only=False), dtype=np.int64)
    if values.shape != (n,):
        msg = f"the lookup returned {values.size} key counts for {n} keys"
        raise ResolveError(msg, fix="return one count per row of the keys table")
    return values


def _distinct_keys(keys: _Keys) -> _Keys:
    """Distinct (rule, key) of ``keys``; ``rows`` holds how many records hold each."""
    code = pc.dictionary_encode(keys.key).indices.to_numpy(zero_copy_only=False).astype(np.int64)
    both = np.column_stack([keys.rule, code])
    _, first, holders = np.unique(both, axis=0, return_index=True, return_counts=True)
    return _Keys(holders.astype(np.int64), keys.rule[first], keys.key.take(pa.array(first)))


def _holders(groups: IndexArray, held: IndexArray) -> IndexArray:
    """How many entries of ``held`` fall on each of the sorted ``groups``."""
    counts = np.zeros(groups.size, dtype=np.int64)
    position = np.searchsorted(groups, held)
    inside = position < groups.size
    match = position[inside][groups[position[inside]] == held[inside]]
    np.add.at(counts, match, 1)
    return counts


def _inside(links: pa.Table, record_ids: pa.Array) -> pa.Table:
    """Feedback pairs whose two records are both in the set."""
    if links.num_rows == 0:
        return links
    inside = pc.and_(
        pc.is_in(links.column("left"), value_set=record_ids),
        pc.is_in(links.column("right"), value_set=record_ids),
    )
    return links.filter(inside)
