"""The record graph: connected components, then guards that cut over-merged components.

Records are nodes; scored pairs above the threshold are edges weighted by match
probability; must-links (same CRM id, a logged-in user id, human feedback) are hard edges.
Components come from ``scipy.sparse.csgraph`` over the whole graph (fast at 1M nodes).
Then each component is checked against the **guards**:

- identifier limits: at most ``max_distinct`` distinct values of a column in one cluster
  (one Salesforce contact id of a duplicate-free CRM, at most one birth date …);
- cannot-link pairs: two records that must never share a cluster;
- a maximum cluster size.

Only components that break a guard are built as networkx graphs. A violating component is
cut along its weakest edges — a minimum weighted s–t cut between two conflicting records,
or a global minimum cut for an oversized one — until every guard holds; hard edges are
never cut. Every cut is reported.

Examples:
    >>> import numpy as np
    >>> from dchkit.resolution.graph import IdentifierLimit, cluster
    >>> edges = np.array([[0, 1], [1, 2], [2, 3]])
    >>> weights = np.array([0.99, 0.55, 0.98])
    >>> ids = ["A", None, None, "B"]          # two different CRM contacts
    >>> result = cluster(4, edges, weights, limits=[IdentifierLimit(name="crm_id", values=ids)])
    >>> result.labels.tolist()
    [0, 0, 2, 2]
    >>> result.cuts[0].reason
    'crm_id: 2 distinct values > 1'
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import networkx as nx
import numpy as np
import numpy.typing as npt
import pyarrow as pa
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from dchkit._numeric import sorted_distinct
from dchkit.errors import ConfigError

__all__ = ["ClusterResult", "Cut", "IdentifierLimit", "cluster", "components"]

IndexArray = npt.NDArray[np.int64]
_HARD_WEIGHT = 1e12  # a hard edge in a global minimum cut: never the cheapest to cut


@dataclass(frozen=True)
class IdentifierLimit:
    """At most ``max_distinct`` distinct non-null ``values`` within one cluster."""

    name: str
    values: Sequence[Any] | pa.Array | pa.ChunkedArray
    max_distinct: int = 1


@dataclass(frozen=True, slots=True)
class Cut:
    """Edges removed from one component to satisfy a guard."""

    reason: str
    edges: tuple[tuple[int, int], ...]
    """Removed edges as (record index, record index)."""
    weight: float
    """Sum of the removed edges' weights."""


@dataclass(frozen=True, slots=True)
class ClusterResult:
    """Cluster label per record (the smallest record index in its cluster) and the cuts."""

    labels: IndexArray
    cuts: tuple[Cut, ...] = ()
    unresolved: tuple[str, ...] = field(default_factory=tuple)
    """Guards that could not be met because hard edges join the conflicting records."""


#: Graphs of at most this many nodes are labelled by a union-find in Python (scipy's sparse
#: machinery costs more than the whole graph of an incremental resolve).
_SMALL_GRAPH = 256


def components(n: int, edges: IndexArray) -> IndexArray:
    """Connected components of ``n`` nodes; each label is the smallest node in its component."""
    edges = np.asarray(edges, dtype=np.int64).reshape(-1, 2)
    if n <= _SMALL_GRAPH:
        return _components_in_python(n, edges)
    graph = coo_matrix(
        (np.ones(len(edges), dtype=np.int8), (edges[:, 0], edges[:, 1])), shape=(n, n)
    )
    _, raw = connected_components(graph, directed=False)
    return _smallest_member_labels(raw.astype(np.int64))


def _components_in_python(n: int, edges: IndexArray) -> IndexArray:
    """:func:`components` by union-find: every node points to its component's smallest node."""
    parent = list(range(n))

    def root(node: int) -> int:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for u, v in edges.tolist():
        a, b = root(u), root(v)
        if a != b:
            parent[max(a, b)] = min(a, b)  # the smaller root stays: roots are minimal nodes
    return np.array([root(node) for node in range(n)], dtype=np.int64)


def _smallest_member_labels(raw: IndexArray) -> IndexArray:
    """Relabel so each cluster is named by its smallest member (order-independent labels)."""
    smallest = np.full(
        int(raw.max()) + 1 if raw.size else 0, np.iinfo(np.int64).max, dtype=np.int64
    )
    np.minimum.at(smallest, raw, np.arange(raw.size, dtype=np.int64))
    labels: IndexArray = smallest[raw]
    return labels


def _codes(values: Sequence[Any] | pa.Array | pa.ChunkedArray, n: int, name: str) -> IndexArray:
    array = values if isinstance(values, pa.Array | pa.ChunkedArray) else pa.array(values)
    if len(array) != n:
        msg = f"identifier limit {name!r} has {len(array)} values for {n} records"
        raise ConfigError(msg, fix="give one value (or None) per record")
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    encoded = array.dictionary_encode()
    codes: IndexArray = (
        encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    )
    return codes


def _violations(
    labels: IndexArray,
    limits: Sequence[tuple[str, IndexArray, int]],
    cannot_link: IndexArray,
    max_size: int | None,
) -> set[int]:
    """Labels of components that break some guard (vectorized over all records)."""
    bad: set[int] = set()
    for _name, codes, max_distinct in limits:
        has = codes >= 0
        if has.any():
            width = np.int64(codes.max() + 1)
            held = sorted_distinct(labels[has].astype(np.int64) * width + codes[has])
            label_ids, distinct = np.unique(held // width, return_counts=True)
            bad.update(label_ids[distinct > max_distinct].tolist())
    if cannot_link.size:
        same = labels[cannot_link[:, 0]] == labels[cannot_link[:, 1]]
        bad.update(labels[cannot_link[same, 0]].tolist())
    if max_size is not None:
        label_ids, sizes = np.unique(labels, return_counts=True)
        bad.update(label_ids[sizes > max_size].tolist())
    return bad


def _conflict(
    nodes: list[int],
    limits: Sequence[tuple[str, IndexArray, int]],
    cannot_link: set[tuple[int, int]],
    max_size: int | None,
) -> tuple[str, tuple[int, int] | None] | None:
    """First guard the node set breaks: (reason, two conflicting nodes or None for size)."""
    members = np.asarray(nodes, dtype=np.int64)
    for name, codes, max_distinct in limits:
        values = codes[members]
        present = values >= 0
        distinct, first = np.unique(values[present], return_index=True)
        if distinct.size > max_distinct:
            holders = members[present][first]
            reason = f"{name}: {distinct.size} distinct values > {max_distinct}"
            return reason, (int(holders[0]), int(holders[1]))
    node_set = set(nodes)
    for a, b in sorted(cannot_link):
        if a in node_set and b in node_set:
            return f"cannot-link {a}-{b}", (a, b)
    if max_size is not None and len(nodes) > max_size:
        return f"size {len(nodes)} > {max_size}", None
    return None


def _split_component(
    graph: nx.Graph,
    limits: Sequence[tuple[str, IndexArray, int]],
    cannot_link: set[tuple[int, int]],
    max_size: int | None,
) -> tuple[list[Cut], list[str]]:
    """Cut ``graph`` in place until every connected part satisfies the guards."""
    cuts: list[Cut] = []
    unresolved: list[str] = []
    pending = [sorted(part) for part in nx.connected_components(graph)]
    while pending:
        nodes = pending.pop()
        found = _conflict(nodes, limits, cannot_link, max_size)
        if found is None:
            continue
        reason, endpoints = found
        sub = graph.subgraph(nodes)
        try:
            if endpoints is None:
                weighted = nx.Graph()
                weighted.add_weighted_edges_from(
                    (u, v, data.get("capacity", _HARD_WEIGHT))
                    for u, v, data in sub.edges(data=True)
                )
                weight, (side, _) = nx.stoer_wagner(weighted)
                cut_edges = [(u, v) for u, v in sub.edges() if (u in side) != (v in side)]
            else:
                weight, (side, _) = nx.minimum_cut(sub, *endpoints, capacity="capacity")
                cut_edges = [(u, v) for u, v in sub.edges() if (u in side) != (v in side)]
        except nx.NetworkXUnbounded:
            unresolved.append(f"{reason} (joined by hard links)")
            continue
        if any(graph.edges[e].get("hard", False) for e in cut_edges):
            unresolved.append(f"{reason} (joined by hard links)")
            continue
        graph.remove_edges_from(cut_edges)
        cuts.append(
            Cut(reason, tuple(sorted((min(u, v), max(u, v)) for u, v in cut_edges)), float(weight))
        )
        pending.extend(sorted(part) for part in nx.connected_components(graph.subgraph(nodes)))
    return cuts, unresolved


def cluster(
    n: int,
    edges: IndexArray,
    weights: npt.NDArray[np.float64],
    *,
    hard_edges: IndexArray | None = None,
    limits: Sequence[IdentifierLimit] = (),
    cannot_link: IndexArray | None = None,
    max_size: int | None = None,
) -> ClusterResult:
    """Cluster ``n`` records from scored edges, then enforce the guards.

    Args:
        n: Number of records (nodes ``0 … n-1``).
        edges: Array (k, 2) of record indices joined by a match above the threshold.
        weights: Strength of each edge (match probability); cuts remove the weakest.
        hard_edges: Array (h, 2) of must-links; never cut.
        limits: Identifier limits (at most N distinct values per cluster).
        cannot_link: Array (c, 2) of record pairs that must end in different clusters.
        max_size: Largest allowed cluster; larger ones are cut by global minimum cut.

    Returns:
        Labels (smallest member index of each cluster), the cuts made, and guards that hard
        links made impossible to meet.
    """
    edges = np.asarray(edges, dtype=np.int64).reshape(-1, 2)
    weights = np.asarray(weights, dtype=np.float64)
    if len(weights) != len(edges):
        msg = f"{len(edges)} edges but {len(weights)} weights"
        raise ConfigError(msg, fix="give one weight per edge")
    hard = (
        np.zeros((0, 2), dtype=np.int64)
        if hard_edges is None
        else np.asarray(hard_edges, dtype=np.int64).reshape(-1, 2)
    )
    forbidden = (
        np.zeros((0, 2), dtype=np.int64)
        if cannot_link is None
        else np.asarray(cannot_link, dtype=np.int64).reshape(-1, 2)
    )
    coded = [
        (limit.name, _codes(limit.values, n, limit.name), limit.max_distinct) for limit in limits
    ]
    labels = components(n, np.concatenate([edges, hard]))
    bad = _violations(labels, coded, forbidden, max_size)
    if not bad:
        return ClusterResult(labels)

    forbidden_set = {(int(min(a, b)), int(max(a, b))) for a, b in forbidden.tolist() if a != b}
    in_bad = np.isin(labels, np.fromiter(bad, dtype=np.int64))
    graph: nx.Graph = nx.Graph()
    graph.add_nodes_from(np.flatnonzero(in_bad).tolist())
    soft = in_bad[edges[:, 0]] if edges.size else np.zeros(0, dtype=bool)
    for (u, v), w in zip(edges[soft].tolist(), weights[soft].tolist(), strict=True):
        if u != v:
            graph.add_edge(u, v, capacity=w)
    for u, v in hard[in_bad[hard[:, 0]]].tolist() if hard.size else []:
        if u != v:
            graph.add_edge(u, v, hard=True)  # no capacity: infinite for minimum_cut
    cuts, unresolved = _split_component(graph, coded, forbidden_set, max_size)
    removed = np.array([u * n + v for cut in cuts for u, v in cut.edges], dtype=np.int64)
    keep = ~np.isin(edges.min(axis=1) * n + edges.max(axis=1), removed)
    labels = components(n, np.concatenate([edges[keep], hard]))
    return ClusterResult(labels, tuple(cuts), tuple(unresolved))
