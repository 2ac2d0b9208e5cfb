"""The hashed blocking-key index answers like a dictionary of who holds which key."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dchkit.store import SQLiteStore
from dchkit.store import lookup as lookup_module
from dchkit.store.lookup import (
    StoreLookup,
    apply_frequency_changes,
    index_keys,
    index_rows,
    key_hashes,
    rebuild_key_index,
    unindex_records,
    unpack_hashes,
)

Held = dict[str, set[tuple[str, str]]]  # record id -> its (rule, key) pairs

_RULES = ["email_keys", "phones", "name+postcode"]
_RECORD = st.sampled_from([f"crm:{i}" for i in range(12)])
_PAIR = st.tuples(st.sampled_from(_RULES), st.sampled_from(["a", "b", "c", "山田", "x\x1fy"]))
_HELD = st.dictionaries(_RECORD, st.sets(_PAIR, max_size=5), max_size=8)


def _keys(held: Held) -> pa.Table:
    rows = [(rid, rule, key) for rid, pairs in sorted(held.items()) for rule, key in sorted(pairs)]
    return pa.table(
        {
            "record_id": pa.array([r[0] for r in rows], pa.string()),
            "rule": pa.array([r[1] for r in rows], pa.string()),
            "key": pa.array([r[2] for r in rows], pa.string()),
        }
    )


def _check(store: SQLiteStore, held: Held) -> None:
    """Every (rule, key) pair: its count and holders as the model says; tables agree."""
    lookup = StoreLookup(store)
    every = sorted({(rule, key) for rule in _RULES for _, key in [("", k) for k in "abc"]})
    every += sorted({p for pairs in held.values() for p in pairs} - set(every))
    query = pa.table({"rule": [p[0] for p in every], "key": [p[1] for p in every]})
    expected = [sum(pair in pairs for pairs in held.values()) for pair in every]
    assert lookup.key_counts(query).to_pylist() == expected
    for pair in every:
        one = pa.table({"rule": [pair[0]], "key": [pair[1]]})
        found = sorted(lookup.record_ids_for_keys(one).to_pylist())
        assert found == sorted(rid for rid, pairs in held.items() if pair in pairs)
    postings = store.read("blocking_keys").column("key_hash").to_pylist()
    holders = {h: postings.count(h) for h in set(postings)}
    stored = dict(store.execute("SELECT key_hash, count FROM blocking_counts"))
    threshold = lookup_module.COUNTED_FROM  # keys held this often have a stored count
    assert stored == {h: n for h, n in holders.items() if n >= threshold}
    indexed = store.read("blocking_records")
    assert sorted(indexed.column("record_id").to_pylist()) == sorted(
        rid for rid, pairs in held.items() if pairs
    )


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(["index", "unindex", "rebuild"]), _HELD), max_size=6),
    st.sampled_from([1, 2, 3, lookup_module.COUNTED_FROM]),
)
def test_index_operations_match_a_model(steps: list[tuple[str, Held]], threshold: int) -> None:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(lookup_module, "COUNTED_FROM", threshold)
        _run(steps)


def _run(steps: list[tuple[str, Held]]) -> None:
    store = SQLiteStore()
    held: Held = {}
    for operation, change in steps:
        if operation == "rebuild":
            held = {rid: set(pairs) for rid, pairs in change.items()}
            rebuild_key_index(store, _keys(held))
        elif operation == "unindex":
            unindex_records(store, pa.array(sorted(change), pa.string()))
            held = {rid: pairs for rid, pairs in held.items() if rid not in change}
        else:  # index new versions of records: unindex their old keys first, as the hub does
            unindex_records(store, pa.array(sorted(change), pa.string()))
            index_keys(store, _keys(change))
            held = {**{r: p for r, p in held.items() if r not in change}, **change}
        _check(store, held)


def _held(records: int) -> Held:
    return {
        f"crm:{i:03d}": {("email_keys", f"e{i}"), ("phones", f"p{i // 2}")} for i in range(records)
    }


def _changes(store: SQLiteStore) -> int:
    return int(store.execute("SELECT total_changes()")[0][0])


def test_a_rebuild_with_the_same_keys_writes_nothing() -> None:
    store = SQLiteStore()
    rebuild_key_index(store, _keys(_held(50)))
    before = _changes(store)
    rebuild_key_index(store, _keys(_held(50)))
    assert _changes(store) == before
    _check(store, _held(50))


def test_a_rebuild_updates_few_changed_records_and_rewrites_many() -> None:
    store = SQLiteStore()
    held = _held(50)
    rebuild_key_index(store, _keys(held))
    numbers = dict(store.execute("SELECT record_id, record_num FROM blocking_records"))
    held["crm:007"] = {("email_keys", "changed")}
    del held["crm:008"]
    held["crm:900"] = {("phones", "p1")}
    rebuild_key_index(store, _keys(held))
    _check(store, held)
    after = dict(store.execute("SELECT record_id, record_num FROM blocking_records"))
    untouched = set(held) - {"crm:007", "crm:900"}
    assert all(after[r] == numbers[r] for r in untouched)  # updated in place
    assert after["crm:007"] > max(numbers.values())
    everything = {rid: {("email_keys", rid)} for rid in held}
    rebuild_key_index(store, _keys(everything))  # all changed: rewritten from number 1
    _check(store, everything)
    assert sorted(
        dict(store.execute("SELECT record_id, record_num FROM blocking_records")).values()
    ) == list(range(1, len(everything) + 1))


def test_index_rows_pack_each_records_hashes_once() -> None:
    keys = _keys({"b": {("phones", "1"), ("email_keys", "x")}, "a": {("phones", "1")}})
    doubled = pa.concat_tables([keys, keys])  # a key given twice counts once
    rows = index_rows(doubled.column("record_id"), key_hashes(doubled), 5)
    assert rows.records.column("record_id").to_pylist() == ["a", "b"]
    assert rows.records.column("record_num").to_pylist() == [5, 6]
    hashes, owner = unpack_hashes(rows.records.column("key_hashes"))
    assert owner.tolist() == [0, 1, 1]
    assert sorted(hashes.tolist()) == sorted(key_hashes(keys).tolist())
    assert rows.keys.column("key_hash").to_pylist() == sorted(hashes.tolist())
    assert sorted(rows.counts.column("count").to_pylist()) == [1, 2]
    nothing = unpack_hashes(pa.array([None, b""], pa.binary()))
    assert nothing[0].size == 0
    assert nothing[1].size == 0


def test_a_hash_collision_only_adds_a_candidate(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two keys with one hash: each query returns both keys' holders, counts add up."""
    real = lookup_module.hash_pairs

    def colliding(first: pa.Array, second: pa.Array) -> np.ndarray:
        hashes = real(first, second)
        texts = second.to_pylist()
        merged = real(pa.array(["email_keys"]), pa.array(["a@x.jp"]))[0]
        hashes[[t in ("a@x.jp", "b@x.jp") for t in texts]] = merged
        return hashes

    monkeypatch.setattr(lookup_module, "hash_pairs", colliding)
    store = SQLiteStore()
    held = {"crm:1": {("email_keys", "a@x.jp")}, "crm:2": {("email_keys", "b@x.jp")}}
    rebuild_key_index(store, _keys(held))
    query = pa.table({"rule": ["email_keys"], "key": ["a@x.jp"]})
    lookup = StoreLookup(store)
    assert sorted(lookup.record_ids_for_keys(query).to_pylist()) == ["crm:1", "crm:2"]
    assert lookup.key_counts(query).to_pylist() == [2]


@pytest.mark.parametrize("largest", [3, 70_000, 2**33])
def test_the_radix_order_is_the_stable_order(largest: int) -> None:
    values = np.random.default_rng(largest).integers(0, largest, 50_000)
    assert (lookup_module._stable_order(values) == np.argsort(values, kind="stable")).all()


_DELTA = st.tuples(st.sampled_from(["email", "phone"]), st.sampled_from(["a", "b", "山田"]))


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.lists(st.tuples(_DELTA, st.integers(-2, 3)), max_size=8), max_size=5),
    st.sampled_from([0, 2048]),
)
def test_count_changes_add_up_like_a_counter(
    batches: list[list[tuple[tuple[str, str], int]]], in_python: int
) -> None:
    # Summed in Python (a few changes) or with Arrow's group-by (many): the same counts;
    # a count that reaches zero or below leaves the table.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(lookup_module, "_SUMMED_IN_PYTHON", in_python)
        store = SQLiteStore()
        model: dict[tuple[str, str], int] = {}
        for batch in batches:
            changes = pa.table(
                {
                    "column": pa.array([k[0] for k, _ in batch], pa.string()),
                    "value": pa.array([k[1] for k, _ in batch], pa.string()),
                    "count": pa.array([n for _, n in batch], pa.int64()),
                }
            )
            apply_frequency_changes(store, changes)
            for key, count in batch:
                model[key] = model.get(key, 0) + count
            model = {k: n for k, n in model.items() if n > 0}
            stored = store.read("term_frequencies").to_pylist()
            assert {(r["column"], r["value"]): r["count"] for r in stored} == model


@pytest.mark.parametrize("size", [1, 14, 300])
def test_remembered_key_hashes_are_the_computed_ones(size: int) -> None:
    # A few keys come from a memo after the first call; many are hashed column-wise.
    from dchkit._hashing import hash_pairs

    keys = pa.table(
        {
            "rule": pa.array([_RULES[i % 3] for i in range(size)], pa.string()),
            "key": pa.array([f"山田{i}" for i in range(size)], pa.string()),
        }
    )
    expected = hash_pairs(keys.column("rule").combine_chunks(), keys.column("key").combine_chunks())
    for _ in range(2):
        assert key_hashes(keys).tolist() == expected.view(np.int64).tolist()
    assert key_hashes(keys.slice(0, 1)).tolist() == expected.view(np.int64)[:1].tolist()
