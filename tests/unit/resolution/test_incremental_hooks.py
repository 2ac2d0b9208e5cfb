"""Small hooks in the batch modules that the incremental engine relies on for speed."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from dchkit.resolution import ResolverConfig, build_features, compare_pairs, comparisons


def test_few_distinct_pairs_are_scored_on_the_calling_thread_with_the_same_levels(
    monkeypatch: pytest.MonkeyPatch,
):
    records = pa.table(
        {
            "family_name": ["Smith", "Smyth", "Smith", "Jones", None],
            "given_name": ["Robert", "Bob", "Rob", "Robert", "Ann"],
            "phones": [["+15551234567"], ["+15551234576"], [], ["+15550000000"], None],
        }
    )
    features = build_features(records)
    pairs = np.array([[i, j] for i in range(5) for j in range(i + 1, 5)], dtype=np.int64)
    config = ResolverConfig()
    calls: list[int] = []
    original = comparisons.process.cpdist

    def spy(*args: object, **kwargs: object) -> object:
        calls.append(int(kwargs["workers"]))  # type: ignore[call-overload]
        return original(*args, **kwargs)

    monkeypatch.setattr(comparisons.process, "cpdist", spy)
    # the Arrow column path, which scores each level's distinct pairs in one cpdist call
    monkeypatch.setattr(comparisons, "SMALL_PAIRS", -1)
    monkeypatch.setattr(comparisons, "SMALL_ROWS", -1)
    monkeypatch.setattr(comparisons, "_SCORED_ONE_BY_ONE", 0)
    single = compare_pairs(features, pairs, config.comparisons)
    assert set(calls) == {1}
    monkeypatch.setattr(comparisons, "_THREADED_FROM", 1)
    calls.clear()
    threaded = compare_pairs(features, pairs, config.comparisons)
    assert set(calls) == {-1}
    np.testing.assert_array_equal(single, threaded)
