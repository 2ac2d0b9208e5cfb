from __future__ import annotations

from itertools import combinations

import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dchkit.errors import BlockingError, ConfigError
from dchkit.resolution.blocking import block_on, candidate_pairs


def pairs_of(result):
    return [tuple(p) for p in result.pairs.tolist()]


def test_rules_are_unioned_and_pairs_deduplicated():
    features = pa.table(
        {
            "email": ["a@x.jp", "a@x.jp", "b@x.jp", "b@x.jp"],
            "phone": ["+811", "+811", "+812", None],
        }
    )
    result = candidate_pairs(features, [block_on("email"), block_on("phone")])
    assert pairs_of(result) == [(0, 1), (2, 3)]
    assert result.pairs_per_rule == {"email": 2, "phone": 1}


def test_multi_field_rule_needs_every_field_and_skips_nulls_and_blanks():
    features = pa.table(
        {
            "family": ["sato", "sato", "sato", "sato", ""],
            "dob": ["1990-01-01", "1990-01-01", "1991-01-01", None, "1990-01-01"],
        }
    )
    result = candidate_pairs(features, [block_on("family", "dob")])
    assert pairs_of(result) == [(0, 1)]


def test_list_columns_match_on_any_shared_element():
    features = pa.table(
        {"emails": [["a@x.jp", "b@x.jp"], ["b@x.jp"], ["c@x.jp", "a@x.jp", "a@x.jp"], [], None]}
    )
    result = candidate_pairs(features, [block_on("emails")])
    assert pairs_of(result) == [(0, 1), (0, 2)]


def test_hub_values_are_capped_and_reported():
    switchboard = "+81312345678"
    phones = [switchboard] * 6 + ["+81900000001", "+81900000001"]
    features = pa.table({"phone": phones, "family": ["a", "a", "b", "c", "d", "e", "f", "g"]})
    result = candidate_pairs(features, [block_on("phone", max_block_size=5), block_on("family")])
    assert pairs_of(result) == [(0, 1), (6, 7)]
    assert len(result.hub_values) == 1
    hub = result.hub_values[0]
    assert (hub.rule, hub.value, hub.records) == ("phone", switchboard, 6)


def test_too_many_pairs_is_refused_with_a_fix():
    features = pa.table({"country": ["JP"] * 50})
    with pytest.raises(BlockingError, match="more than 100 candidate pairs") as info:
        candidate_pairs(features, [block_on("country", max_block_size=1000)], max_pairs=100)
    assert "stricter" in str(info.value)


def test_configuration_errors():
    with pytest.raises(ConfigError, match="'nope'"):
        candidate_pairs(pa.table({"a": ["x"]}), [block_on("nope")])
    with pytest.raises(ConfigError):
        block_on()
    with pytest.raises(ConfigError, match="at least one"):
        candidate_pairs(pa.table({"a": ["x"]}), [])


@given(
    st.lists(
        st.tuples(st.sampled_from(["a", "b", "c", None]), st.sampled_from(["1", "2", None])),
        max_size=30,
    ),
    st.integers(2, 6),
)
def test_matches_brute_force(rows, cap):
    features = pa.table({"k1": [r[0] for r in rows], "k2": [r[1] for r in rows]})
    result = candidate_pairs(features, [block_on("k1", max_block_size=cap), block_on("k1", "k2")])
    expected = set()
    sizes = {}
    for r in rows:
        sizes[r[0]] = sizes.get(r[0], 0) + 1
    for i, j in combinations(range(len(rows)), 2):
        a, b = rows[i], rows[j]
        if a[0] is not None and a[0] == b[0] and sizes[a[0]] <= cap:
            expected.add((i, j))
        if a[0] is not None and a[1] is not None and a == b:
            expected.add((i, j))
    assert pairs_of(result) == sorted(expected)
    assert (result.pairs[:, 0] < result.pairs[:, 1]).all()
