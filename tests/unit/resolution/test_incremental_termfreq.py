"""Global term frequencies, and the scoring hook that lets a small resolve use them."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from dchkit.errors import ConfigError
from dchkit.resolution import ResolverConfig, build_features, compare_pairs
from dchkit.resolution.model import default_model
from dchkit.resolution.scoring import tf_adjustments, tf_adjustments_by_comparison
from dchkit.resolution.termfreq import TF_SCHEMA, TermFrequencies, tf_columns

FAMILIES = ["佐藤", "佐藤", "佐藤", "佐藤", "勅使河原", "勅使河原", "田中", None]


def _records() -> pa.Table:
    return pa.table(
        {
            "family_name": FAMILIES,
            "given_name": ["太郎", "花子", "太郎", "一郎", "健", "健", "彩", "翔"],
        }
    )


def test_tf_columns_follow_the_configuration():
    assert tf_columns(ResolverConfig()) == ("family_key", "name_compact", "given_key")
    assert tf_columns(ResolverConfig(tf_adjust=())) == ()
    with pytest.raises(ConfigError, match="nickname"):
        tf_columns(ResolverConfig(tf_adjust=("nickname",)))


def test_counts_changes_and_round_trip():
    features = build_features(_records())
    tf = TermFrequencies.from_features(features, ["family_key", "given_key"])
    assert tf.total("family_key") == 7  # the null family name is not counted
    sato = features.column("family_key")[0]
    assert tf.frequencies("family_key", pa.array([sato])).tolist() == [4 / 7]
    # unseen values count once, like the batch's floor
    assert tf.frequencies("family_key", pa.array(["ナイ"])).tolist() == [1 / 7]

    extra = build_features(_records().slice(0, 2))
    change = tf.changes(added=extra, removed=features.slice(4, 1))
    assert change.schema.equals(TF_SCHEMA)
    pending = tf.frequencies("family_key", pa.array([sato]), pending=change).tolist()
    tf.apply(change)
    assert tf.frequencies("family_key", pa.array([sato])).tolist() == pending == [6 / 8]
    assert TermFrequencies.from_table(tf.to_table()) == tf
    empty = TermFrequencies.from_table(TF_SCHEMA.empty_table(), ["family_key"])
    assert empty.columns == ("family_key",)
    with pytest.raises(ConfigError, match="below zero"):
        empty.apply(empty.changes(removed=features.slice(0, 1)))
    with pytest.raises(ConfigError, match="no term frequencies"):
        tf.frequencies("emails", pa.array(["x"]))
    with pytest.raises(ConfigError, match="missing"):
        TermFrequencies.from_table(pa.table({"value": ["x"]}))


def test_tf_hook_with_the_batch_frequencies_changes_nothing():
    config = ResolverConfig()
    features = build_features(_records())
    pairs = np.array([[i, j] for i in range(8) for j in range(i + 1, 8)], dtype=np.int64)
    levels = compare_pairs(features, pairs, config.comparisons)
    model = default_model(config.comparisons, prior=0.01)
    batch = tf_adjustments(features, pairs, levels, model, config.tf_adjust)
    tf = TermFrequencies.from_features(features, tf_columns(config))
    hooked = tf_adjustments(
        features, pairs, levels, model, config.tf_adjust, frequencies=tf.frequencies
    )
    np.testing.assert_allclose(hooked, batch)
    assert np.any(batch != 0)
    # a hub where 佐藤 is far more common weighs agreeing on it less
    common = TermFrequencies.from_features(features, tf_columns(config))
    many = build_features(pa.table({"family_name": ["佐藤"] * 50}))
    common.apply(common.changes(added=many))
    sato_pair = (pairs[:, 0] == 0) & (pairs[:, 1] == 1)
    lower = tf_adjustments(
        features, pairs, levels, model, config.tf_adjust, frequencies=common.frequencies
    )
    assert lower[sato_pair][0] < batch[sato_pair][0]


def _whole_names() -> pa.Table:
    """Records whose names agree only as one unspaced word: family and given swapped."""
    return pa.table(
        {
            "family_name": ["Smith", "John", "Smith", "Smith", "Quill", "Ezra"],
            "given_name": ["John", "Smith", "John", "John", "Ezra", "Quill"],
        }
    )


def test_list_columns_count_each_distinct_value_of_a_record_once():
    features = build_features(_whole_names())
    tf = TermFrequencies.from_features(features, ["name_compact"])
    entries = [set(v or ()) for v in features.column("name_compact").to_pylist()]
    assert tf.total("name_compact") == sum(len(e) for e in entries)
    smith = sorted(entries[1])[0]
    held = sum(smith in e for e in entries)
    assert tf.frequencies("name_compact", pa.array([smith])).tolist() == [
        held / tf.total("name_compact")
    ]
    change = tf.changes(removed=features.slice(0, 2))
    assert {r["value"]: r["count"] for r in change.to_pylist()}[smith] == -sum(
        smith in e for e in entries[:2]
    )


def test_a_common_whole_name_weighs_less_than_a_rare_one():
    config = ResolverConfig()
    features = build_features(_whole_names())
    pairs = np.array([[0, 1], [4, 5]], dtype=np.int64)  # John Smith is common, Ezra Quill rare
    levels = compare_pairs(features, pairs, config.comparisons)
    names = [c.name for c in config.comparisons]
    given = names.index("given_name")
    compact_level = next(
        level for level, column in config.comparisons[given].tf_levels if column == "name_compact"
    )
    assert levels[:, given].tolist() == [compact_level, compact_level]
    model = default_model(config.comparisons, prior=0.01)
    batch = tf_adjustments(features, pairs, levels, model, config.tf_adjust)
    assert batch[0] < batch[1]
    by_comparison = tf_adjustments_by_comparison(features, pairs, levels, model, config.tf_adjust)
    assert np.count_nonzero(by_comparison[1]) == 2  # both name comparisons agree on it
    tf = TermFrequencies.from_features(features, tf_columns(config))
    hooked = tf_adjustments(
        features, pairs, levels, model, config.tf_adjust, frequencies=tf.frequencies
    )
    np.testing.assert_allclose(hooked, batch)
