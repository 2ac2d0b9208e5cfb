"""The 64-bit string hashes: stable values (stored hubs hold them), both paths agree."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dchkit import _hashing as hashing
from dchkit._hashing import hash_pairs, hash_strings


def test_hash_strings():
    values = pa.array(["a", "b", None, "", "a", "日本語", "x" * 500])
    hashes = hash_strings(values)
    assert hashes.dtype == np.uint64
    assert hashes[0] == hashes[4]
    assert hashes[2] == hashes[3]  # a null hashes as ""
    assert len(set(hashes.tolist())) == 5
    assert (hash_strings(values.slice(4, 3)) == hashes[4:]).all()
    # Fixed-width columns take the word path, mixed ones the byte path: the same hashes.
    fixed = pa.array([f"{i:036d}" for i in range(100)] + ["a" * 36])
    assert (
        hash_strings(fixed)[:100] == hash_strings(pa.concat_arrays([fixed, values]))[:100]
    ).all()
    assert (hash_strings(fixed.slice(3, 5)) == hash_strings(fixed)[3:8]).all()
    assert len(hash_strings(pa.array([], pa.string()))) == 0


def test_values_are_pinned():
    """Hubs store these hashes: a change here needs a store migration, not a new pin."""
    assert hash_strings(pa.array(["a", "日本語", "x" * 500, "abcdefgh"])).tolist() == [
        6992578961280808342,
        5859832813779909400,
        10048435551394493368,
        11101411764157416401,
    ]
    pairs = hash_pairs(pa.array(["email_keys", "phones"]), pa.array(["x@y.jp", "+81312345678"]))
    assert pairs.tolist() == [6632486315219654001, 11348289794021115836]


def test_pairs_depend_on_both_members_and_their_order():
    first = pa.array(["r", "r", "k", "r2", "r"])
    second = pa.array(["k", "k2", "r", "k", "k"])
    hashes = hash_pairs(first, second)
    assert hashes[0] == hashes[4]
    assert len(set(hashes[:4].tolist())) == 4
    assert len(hash_pairs(pa.array([], pa.string()), pa.array([], pa.string()))) == 0
    with pytest.raises(ValueError, match="one length"):
        hash_pairs(pa.array(["a"]), pa.array(["a", "b"]))


@given(st.lists(st.tuples(st.text(max_size=8), st.text(max_size=30)), max_size=40))
def test_equal_pairs_hash_alike_and_distinct_ones_apart(pairs: list[tuple[str, str]]):
    first = pa.array([p[0] for p in pairs], pa.string())
    second = pa.array([p[1] for p in pairs], pa.string())
    hashes = hash_pairs(first, second).tolist()
    by_pair: dict[tuple[str, str], int] = {}
    for pair, value in zip(pairs, hashes, strict=True):
        assert by_pair.setdefault(pair, value) == value
    assert len(set(by_pair.values())) == len(by_pair)


def test_long_columns_hash_a_slice_at_a_time_with_the_same_values(
    monkeypatch: pytest.MonkeyPatch,
):
    values = pa.array([None if i % 11 == 0 else "キー" * (i % 7) + str(i) for i in range(500)])
    whole = hash_strings(values.slice(3))
    monkeypatch.setattr(hashing, "_CHUNK_BYTES", 64)
    assert (hash_strings(values.slice(3)) == whole).all()
    one_by_one = [hash_strings(values.slice(i, 1))[0] for i in range(3, len(values))]
    assert whole.tolist() == one_by_one
