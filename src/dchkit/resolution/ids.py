"""Stable customer ids across re-resolution, with a log of merges and splits.

A new cluster's id is derived from its smallest record id (a hash), so it does not depend
on input order. When re-resolving against the previous assignment, each previous customer
id stays on the new cluster that holds most of its previous records (ties: the smaller
cluster label); a cluster that takes several previous ids keeps the one with the most
records (ties: the smaller id) and the others become *aliases* merged into it; the part of
a split that does not keep the id gets a new one. Every change is logged.

Examples:
    >>> import numpy as np
    >>> from dchkit.resolution.ids import assign_customer_ids
    >>> first = assign_customer_ids(["a", "b", "c"], np.array([0, 0, 2]))
    >>> first.customer_ids[0] == first.customer_ids[1] != first.customer_ids[2]
    True
    >>> again = assign_customer_ids(["a", "b", "c"], np.array([0, 0, 0]),
    ...                             previous=dict(zip(["a", "b", "c"], first.customer_ids)))
    >>> [c.kind for c in again.changes]
    ['merged']
    >>> again.changes[0].customer_id == first.customer_ids[0]
    True
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["IdAssignment", "IdChange", "assign_customer_ids", "new_customer_id"]

ChangeKind = Literal["created", "merged", "split"]


def new_customer_id(anchor_record_id: str, taken: set[str] | None = None) -> str:
    """Derive a customer id from a record id (deterministic; re-hashed on a collision)."""
    salt = 0
    while True:
        text = anchor_record_id if salt == 0 else f"{anchor_record_id}#{salt}"
        candidate = "cus_" + hashlib.blake2b(text.encode("utf-8"), digest_size=8).hexdigest()
        if taken is None or candidate not in taken:
            return candidate
        salt += 1


@dataclass(frozen=True, slots=True)
class IdChange:
    """One entry of the merge/split log.

    ``merged``: ``other_id`` was merged into ``customer_id`` (``other_id`` is now an alias).
    ``split``: records of ``other_id`` left it and became ``customer_id``.
    ``created``: a cluster with no previous id got ``customer_id``.
    """

    kind: ChangeKind
    customer_id: str
    other_id: str | None
    records: int


@dataclass(frozen=True, slots=True)
class IdAssignment:
    """The customer id of every record, the aliases of merged ids, and the change log."""

    customer_ids: list[str]
    aliases: dict[str, str]
    changes: tuple[IdChange, ...]


def assign_customer_ids(
    record_ids: Sequence[str] | pa.Array | pa.ChunkedArray,
    labels: npt.NDArray[np.int64],
    *,
    previous: Mapping[str, str] | pa.Table | None = None,
) -> IdAssignment:
    """Name each cluster, keeping previous ids stable.

    Args:
        record_ids: Record id per row.
        labels: Cluster label per row (any integers; equal labels = one cluster).
        previous: Previous ``record_id → customer_id`` (a mapping, or a table with those
            two columns); records missing from it are new.

    Returns:
        Customer id per row, aliases (merged id → surviving id) and the change log. Without
        ``previous`` the log is empty (every id is new by definition).

    Work is vectorized over records; Python loops run once per cluster, not per record.
    """
    ids = _as_string_array(record_ids)
    cluster_of_row = np.unique(np.asarray(labels, dtype=np.int64), return_inverse=True)[1].reshape(
        -1
    )
    n_clusters = int(cluster_of_row.max()) + 1 if cluster_of_row.size else 0
    # anchor = smallest record id of each cluster
    rank = np.empty(len(ids), dtype=np.int64)
    rank[pc.sort_indices(ids).to_numpy()] = np.arange(len(ids), dtype=np.int64)
    best_rank = np.full(n_clusters, np.iinfo(np.int64).max, dtype=np.int64)
    np.minimum.at(best_rank, cluster_of_row, rank)
    order = np.argsort(rank)
    anchors: list[str] = ids.take(pa.array(order[best_rank])).to_pylist() if n_clusters else []
    sizes = np.bincount(cluster_of_row, minlength=n_clusters)

    old_codes, old_names = _previous_codes(ids, previous)
    known = old_codes >= 0
    pair_keys, pair_counts = np.unique(
        cluster_of_row[known] * max(len(old_names), 1) + old_codes[known], return_counts=True
    )
    width = max(len(old_names), 1)
    overlap = [
        (int(count), old_names[int(key % width)], int(key // width))
        for key, count in zip(pair_keys.tolist(), pair_counts.tolist(), strict=True)
    ]

    # Greedy by overlap; among equal overlaps, clusters with fewer candidate ids choose
    # first, so a tie does not take an id from the only cluster that could keep it.
    candidates = np.bincount(
        np.asarray([c for _, _, c in overlap], dtype=np.int64), minlength=n_clusters
    )
    name: dict[int, str] = {}
    kept: set[str] = set()
    for _count, old, cluster in sorted(
        overlap, key=lambda t: (-t[0], candidates[t[2]], t[1], anchors[t[2]])
    ):
        if cluster not in name and old not in kept:
            name[cluster] = old
            kept.add(old)

    taken = set(old_names) | kept
    changes: list[IdChange] = []
    splits: dict[int, list[tuple[str, int]]] = {}
    for count, old, cluster in overlap:
        splits.setdefault(cluster, []).append((old, count))
    for cluster in sorted(range(n_clusters), key=anchors.__getitem__):
        if cluster in name:
            continue
        name[cluster] = new_customer_id(anchors[cluster], taken)
        taken.add(name[cluster])
        if previous is not None and len(old_names):
            if cluster in splits:
                changes.extend(
                    IdChange("split", name[cluster], old, count)
                    for old, count in sorted(splits[cluster])
                )
            else:
                changes.append(IdChange("created", name[cluster], None, int(sizes[cluster])))

    aliases: dict[str, str] = {}
    for count, old, cluster in sorted(overlap, key=lambda t: (t[1], anchors[t[2]])):
        survivor = name[cluster]
        if old != survivor and old not in kept and old not in aliases:
            aliases[old] = survivor
            changes.append(IdChange("merged", survivor, old, count))
    names = np.array([name[c] for c in range(n_clusters)], dtype=object)
    return IdAssignment(names[cluster_of_row].tolist(), aliases, tuple(changes))


def _as_string_array(values: Sequence[str] | pa.Array | pa.ChunkedArray) -> pa.Array:
    if isinstance(values, pa.ChunkedArray):
        return values.combine_chunks().cast(pa.string())
    if isinstance(values, pa.Array):
        return values.cast(pa.string())
    return pa.array(list(values), type=pa.string())


def _previous_codes(
    ids: pa.Array, previous: Mapping[str, str] | pa.Table | None
) -> tuple[npt.NDArray[np.int64], list[str]]:
    """Code of each row's previous customer id (−1 when new) and the distinct previous ids."""
    if previous is None or len(previous) == 0:
        return np.full(len(ids), -1, dtype=np.int64), []
    if isinstance(previous, pa.Table):
        keys = previous.column("record_id").combine_chunks().cast(pa.string())
        values = previous.column("customer_id").combine_chunks().cast(pa.string())
    else:
        keys = pa.array(list(previous.keys()), type=pa.string())
        values = pa.array(list(previous.values()), type=pa.string())
    encoded = values.dictionary_encode()
    position = pc.index_in(ids, value_set=keys).to_numpy(zero_copy_only=False)
    codes_of_keys = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    found = ~np.isnan(position.astype(np.float64))
    codes = np.full(len(ids), -1, dtype=np.int64)
    codes[found] = codes_of_keys[position[found].astype(np.int64)]
    return codes, encoded.dictionary.to_pylist()
