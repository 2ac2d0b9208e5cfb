"""Metrics checked against values computed by hand (and against brute-force pair counting)."""

from __future__ import annotations

from itertools import combinations

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dchkit.errors import ConfigError
from dchkit.resolution.metrics import evaluate_clusters

PREDICTED = ["A", "A", "A", "B", "B", "C"]
TRUTH = ["x", "x", "y", "y", "y", "z"]


def test_hand_computed_example():
    # contingency: (A,x)=2 (A,y)=1 (B,y)=2 (C,z)=1; a = A3 B2 C1; b = x2 y3 z1
    m = evaluate_clusters(PREDICTED, TRUTH)
    assert (m.true_positive_pairs, m.predicted_pairs, m.true_pairs) == (2, 4, 4)
    assert m.pairwise.precision == pytest.approx(0.5)
    assert m.pairwise.recall == pytest.approx(0.5)
    assert m.pairwise.f1 == pytest.approx(0.5)
    # B-cubed precision = (1/6)(4/3 + 1/3 + 4/2 + 1/1) = 14/18; recall symmetric here
    assert m.bcubed.precision == pytest.approx(14 / 18)
    assert m.bcubed.recall == pytest.approx(14 / 18)
    assert (m.predicted_clusters, m.true_clusters, m.mixed_clusters) == (3, 3, 1)
    assert m.mixed_cluster_rate == pytest.approx(1 / 3)


def test_perfect_and_all_singletons():
    perfect = evaluate_clusters(TRUTH, TRUTH)
    assert perfect.pairwise.f1 == 1.0
    assert perfect.bcubed.f1 == 1.0
    singletons = evaluate_clusters([str(i) for i in range(6)], TRUTH)
    assert singletons.predicted_pairs == 0
    assert singletons.pairwise.recall == 0.0
    assert singletons.pairwise.f1 == 0.0
    assert singletons.bcubed.precision == 1.0
    # recall = (1/6)(1/2+1/2+1/3+1/3+1/3+1) = 3/6
    assert singletons.bcubed.recall == pytest.approx(0.5)


def test_link_only_counts_cross_source_pairs():
    m = evaluate_clusters(
        ["A", "A", "B", "B"], ["x", "x", "y", "z"], sources=["s1", "s2", "s1", "s2"], link_only=True
    )
    assert (m.true_positive_pairs, m.predicted_pairs, m.true_pairs) == (1, 2, 1)
    assert m.pairwise.precision == pytest.approx(0.5)
    assert m.pairwise.recall == 1.0
    within = evaluate_clusters(["A"] * 3, ["x"] * 3, sources=["s1", "s1", "s2"], link_only=True)
    assert within.true_positive_pairs == 2  # (0,2) and (1,2); (0,1) is within s1


def test_accepts_arrow_and_numpy_labels():
    m = evaluate_clusters(pa.chunked_array([PREDICTED[:3], PREDICTED[3:]]), np.array(TRUTH))
    assert m.true_positive_pairs == 2


def test_errors_name_the_problem():
    with pytest.raises(ConfigError, match="predicted has 2 labels but truth has 3"):
        evaluate_clusters(["a", "b"], ["x", "y", "z"])
    with pytest.raises(ConfigError, match="null"):
        evaluate_clusters(pa.array(["a", None]), ["x", "y"])
    with pytest.raises(ConfigError, match="link_only"):
        evaluate_clusters(["a"], ["x"], link_only=True)


def test_empty_input():
    m = evaluate_clusters([], [])
    assert m.records == 0
    assert m.pairwise.f1 == 0.0


labels = st.lists(
    st.tuples(st.integers(0, 5), st.integers(0, 5), st.integers(0, 2)), min_size=1, max_size=40
)


@given(labels)
def test_pair_counts_equal_brute_force_enumeration(rows):
    pred = [r[0] for r in rows]
    true = [r[1] for r in rows]
    src = [r[2] for r in rows]
    for link_only in (False, True):
        m = evaluate_clusters(pred, true, sources=src, link_only=link_only)
        pairs = [
            (i, j)
            for i, j in combinations(range(len(rows)), 2)
            if not link_only or src[i] != src[j]
        ]
        assert m.predicted_pairs == sum(pred[i] == pred[j] for i, j in pairs)
        assert m.true_pairs == sum(true[i] == true[j] for i, j in pairs)
        assert m.true_positive_pairs == sum(
            pred[i] == pred[j] and true[i] == true[j] for i, j in pairs
        )
