from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dchkit.errors import ConfigError
from dchkit.resolution.comparisons import (
    UNDECIDED_LEVEL,
    Comparison,
    Level,
    compare_exact_prefix,
    compare_pairs,
)
from dchkit.resolution.model import MatchModel, describe, estimate_u, level_patterns, train

NAME = Comparison(
    name="name",
    levels=(Level(column="name"), Level(column="name", test="jaro_winkler", threshold=0.9)),
)
EMAIL = Comparison(name="email", levels=(Level(column="email"),))
DOB = Comparison(name="dob", levels=(Level(column="dob"),))
COMPARISONS = (NAME, EMAIL, DOB)

TRUE_M = ((0.03, 0.12, 0.85), (0.2, 0.8), (0.05, 0.95))
TRUE_U = ((0.96, 0.03, 0.01), (0.995, 0.005), (0.97, 0.03))


def simulate(n_pairs, prior, seed=1):
    rng = np.random.default_rng(seed)
    is_match = rng.random(n_pairs) < prior
    levels = np.empty((n_pairs, 3), dtype=np.int8)
    for j, (m, u) in enumerate(zip(TRUE_M, TRUE_U, strict=True)):
        levels[is_match, j] = rng.choice(len(m), size=is_match.sum(), p=m)
        levels[~is_match, j] = rng.choice(len(u), size=(~is_match).sum(), p=u)
    levels[rng.random(n_pairs) < 0.1, 2] = -1  # 10 % missing birth dates
    return levels, is_match


def test_em_recovers_m_and_prior_from_unlabelled_levels():
    levels, is_match = simulate(200_000, prior=0.3)
    model, report = train(levels, COMPARISONS, TRUE_U, prior=0.01)
    assert report.converged
    assert model.prior == pytest.approx(is_match.mean(), abs=0.01)
    for learnt, true in zip(model.m, TRUE_M, strict=True):
        np.testing.assert_allclose(learnt, true, atol=0.02)
    probabilities = model.match_probabilities(levels)
    accuracy = ((probabilities > 0.5) == is_match).mean()
    assert accuracy > 0.97


def test_weights_add_up_per_level_and_null_is_neutral():
    model = MatchModel(comparisons=COMPARISONS, m=TRUE_M, u=TRUE_U, prior=0.5)
    w = model.match_weights(np.array([[2, 1, 1], [2, 1, -1], [0, 0, 0]], dtype=np.int8))
    expected_top = sum(np.log2(m[-1] / u[-1]) for m, u in zip(TRUE_M, TRUE_U, strict=True))
    assert w[0] == pytest.approx(expected_top)
    assert w[1] == pytest.approx(expected_top - np.log2(0.95 / 0.03))
    assert w[2] < -5
    rows = describe(model)
    assert len(rows) == 3 + 2 + 2
    assert rows[2]["level_name"] == "exact name"


def test_estimate_u_from_random_pairs_is_seeded():
    rng = np.random.default_rng(0)
    names = [f"name{i}" for i in rng.integers(0, 500, 2_000)]
    features = pa.table({"name": names, "email": [f"{n}@x.jp" for n in names], "dob": names})
    u1 = estimate_u(features, COMPARISONS, max_pairs=20_000, seed=3)
    u2 = estimate_u(features, COMPARISONS, max_pairs=20_000, seed=3)
    assert u1 == u2
    assert u1[1][1] == pytest.approx(1 / 500, rel=0.5)  # chance that two random names agree
    assert all(abs(sum(row) - 1) < 1e-9 for row in u1)


def test_estimate_u_scores_similarity_on_a_subsample_only():
    # Interleaved exact and fuzzy levels: exact name, similar name, exact e-mail domain.
    comparison = Comparison(
        name="person",
        levels=(
            Level(column="name"),
            Level(column="name", test="jaro_winkler", threshold=0.85),
            Level(column="domain"),
        ),
    )
    rng = np.random.default_rng(1)
    stems = [f"{''.join(rng.choice(list('abcdefgh'), 6))}" for _ in range(300)]
    names = [f"{stems[i]}{rng.integers(0, 3)}" for i in rng.integers(0, 300, 3_000)]
    domains = [f"d{i}.jp" for i in rng.integers(0, 40, 3_000)]
    names[::7] = [None] * len(names[::7])
    features = pa.table({"name": names, "domain": domains})
    everything = estimate_u(features, [comparison], max_pairs=60_000, fuzzy_pairs=60_000)[0]
    sampled = estimate_u(features, [comparison], max_pairs=60_000, fuzzy_pairs=15_000)[0]
    assert sum(sampled) == pytest.approx(1.0)
    for full, part in zip(everything, sampled, strict=True):
        assert part == pytest.approx(full, rel=0.15, abs=1e-4)
    # the exact top level is counted on every pair, so it is the same estimate
    assert sampled[3] / (1 - sampled[3]) == pytest.approx(
        everything[3] / (1 - everything[3]), rel=0.05
    )


def test_exact_prefix_levels_agree_with_full_comparison():
    features = pa.table(
        {"name": ["sato", "sato", "satou", None, "kato"], "domain": ["a", "b", "a", "a", None]}
    )
    comparison = Comparison(
        name="person",
        levels=(
            Level(column="name"),
            Level(column="name", test="jaro_winkler", threshold=0.85),
            Level(column="domain"),
        ),
    )
    pairs = np.array([[0, 1], [0, 2], [0, 3], [3, 4], [1, 4]])
    full = compare_pairs(features, pairs, [comparison])[:, 0].tolist()
    prefix = compare_exact_prefix(features, pairs, [comparison])[:, 0].tolist()
    assert full == [3, 2, 1, -1, 0]
    assert prefix == [3, UNDECIDED_LEVEL, UNDECIDED_LEVEL, -1, UNDECIDED_LEVEL]


def test_save_and_load_round_trip(tmp_path):
    model = MatchModel(comparisons=COMPARISONS, m=TRUE_M, u=TRUE_U, prior=0.2)
    path = tmp_path / "model.json"
    model.save(path)
    assert '"format_version": 1' in path.read_text()
    assert MatchModel.load(path) == model


def test_invalid_models_are_refused_with_a_reason():
    with pytest.raises(ConfigError, match="newer than this dchkit"):
        MatchModel.from_json(
            MatchModel(comparisons=(EMAIL,), m=((0.1, 0.9),), u=((0.9, 0.1),), prior=0.1)
            .to_json()
            .replace('"format_version": 1', '"format_version": 99')
        )
    with pytest.raises(ValueError, match="3 levels but m/u have 2/2"):
        MatchModel(comparisons=(NAME,), m=((0.1, 0.9),), u=((0.9, 0.1),), prior=0.1)
    with pytest.raises(ConfigError, match="needs candidate pairs"):
        train(np.empty((0, 3), dtype=np.int8), COMPARISONS, TRUE_U)


@given(
    st.integers(min_value=0, max_value=60).flatmap(
        lambda rows: st.lists(
            st.lists(st.integers(min_value=-1, max_value=12), min_size=6, max_size=6),
            min_size=rows,
            max_size=rows,
        )
    )
)
def test_level_patterns_are_the_distinct_rows_with_counts(rows):
    levels = np.array(rows, dtype=np.int8).reshape(len(rows), 6)
    patterns, counts = level_patterns(levels)
    expected, expected_counts = np.unique(levels, axis=0, return_counts=True)
    assert patterns.dtype == np.int8
    assert np.array_equal(patterns, expected)
    assert np.array_equal(counts, expected_counts)
