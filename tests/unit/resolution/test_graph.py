from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dchkit.errors import ConfigError
from dchkit.resolution import graph as graph_module
from dchkit.resolution.graph import IdentifierLimit, cluster, components


def test_components_are_labelled_by_their_smallest_member():
    labels = components(6, np.array([[4, 1], [1, 3], [5, 2]]))
    assert labels.tolist() == [0, 1, 2, 1, 1, 2]


def test_household_sharing_phone_and_email_stays_two_customers():
    # 0,1: mother (two records, strong edge); 2,3: son (two records); the family landline
    # and e-mail give weak edges across; birth dates differ between the two people.
    edges = np.array([[0, 1], [2, 3], [1, 2], [0, 3]])
    weights = np.array([0.999, 0.998, 0.62, 0.58])
    dob = ["1961-04-02", "1961-04-02", None, "1994-11-30"]
    result = cluster(4, edges, weights, limits=[IdentifierLimit(name="birth_date", values=dob)])
    assert result.labels.tolist() == [0, 0, 2, 2]
    assert len(result.cuts) == 1
    assert result.cuts[0].edges == ((0, 3), (1, 2))
    assert result.cuts[0].weight == pytest.approx(0.62 + 0.58)


def test_chain_of_weak_links_through_a_hub_value_is_cut():
    # Three people each with two records, chained through a shop switchboard number.
    edges = np.array([[0, 1], [2, 3], [4, 5], [1, 2], [3, 4]])
    weights = np.array([0.99, 0.99, 0.99, 0.51, 0.52])
    crm_ids = ["A", None, "B", None, "C", None]
    result = cluster(6, edges, weights, limits=[IdentifierLimit(name="crm", values=crm_ids)])
    assert result.labels.tolist() == [0, 0, 2, 2, 4, 4]
    assert {e for cut in result.cuts for e in cut.edges} == {(1, 2), (3, 4)}


def test_cannot_link_and_max_size():
    edges = np.array([[0, 1], [1, 2], [2, 3]])
    weights = np.array([0.9, 0.6, 0.95])
    result = cluster(4, edges, weights, cannot_link=np.array([[3, 0]]))
    assert result.labels.tolist() == [0, 0, 2, 2]
    sized = cluster(4, edges, weights, max_size=2)
    assert sized.labels.tolist() == [0, 0, 2, 2]
    assert sized.cuts[0].reason == "size 4 > 2"


def test_hard_links_are_never_cut_and_the_conflict_is_reported():
    result = cluster(
        3,
        np.array([[1, 2]]),
        np.array([0.7]),
        hard_edges=np.array([[0, 1]]),
        limits=[IdentifierLimit(name="crm", values=["A", "B", None])],
    )
    assert result.labels.tolist() == [0, 0, 0]
    assert result.unresolved == ("crm: 2 distinct values > 1 (joined by hard links)",)


def test_limits_allow_several_values_when_asked():
    edges = np.array([[0, 1], [1, 2]])
    two = IdentifierLimit(name="dob", values=["a", "b", "b"], max_distinct=2)
    assert cluster(3, edges, np.array([0.9, 0.9]), limits=[two]).cuts == ()


def test_bad_inputs():
    with pytest.raises(ConfigError, match="2 edges but 1 weights"):
        cluster(3, np.array([[0, 1], [1, 2]]), np.array([0.5]))
    with pytest.raises(ConfigError, match="2 values for 3 records"):
        cluster(3, np.array([[0, 1]]), np.array([0.5]), limits=[IdentifierLimit("x", ["a", "b"])])


@given(
    st.integers(1, 25).flatmap(
        lambda n: st.tuples(
            st.just(n),
            st.lists(
                st.tuples(st.integers(0, n - 1), st.integers(0, n - 1), st.floats(0.5, 1)),
                max_size=40,
            ),
            st.lists(st.sampled_from(["a", "b", "c", None]), min_size=n, max_size=n),
        )
    )
)
def test_clusters_partition_records_and_every_guard_holds(case):
    n, raw_edges, ids = case
    edges = np.array([(u, v) for u, v, _ in raw_edges], dtype=np.int64).reshape(-1, 2)
    weights = np.array([w for _, _, w in raw_edges], dtype=np.float64)
    result = cluster(n, edges, weights, limits=[IdentifierLimit("id", ids)])
    labels = result.labels
    assert labels.shape == (n,)
    assert all(labels[labels[i]] == labels[i] for i in range(n))  # label is a member
    for label in set(labels.tolist()):
        values = {ids[i] for i in range(n) if labels[i] == label and ids[i] is not None}
        assert len(values) <= 1
    # an edge that no cut removed keeps its two records together
    cut = {e for c in result.cuts for e in c.edges}
    for u, v in edges.tolist():
        if (min(u, v), max(u, v)) not in cut:
            assert labels[u] == labels[v]


@given(
    st.integers(1, 40).flatmap(
        lambda n: st.tuples(
            st.just(n),
            st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=60),
        )
    )
)
def test_small_graphs_get_the_labels_of_the_sparse_path(graph):
    n, edge_list = graph
    edges = np.array(edge_list, dtype=np.int64).reshape(-1, 2)
    small = graph_module._components_in_python(n, edges)
    default = graph_module._SMALL_GRAPH
    try:
        graph_module._SMALL_GRAPH = -1
        sparse = components(n, edges)
    finally:
        graph_module._SMALL_GRAPH = default
    assert small.tolist() == sparse.tolist()
