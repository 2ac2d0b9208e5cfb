"""The in-memory lookup's key index answers as a dict of (rule, key) → rows would."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dchkit.resolution import _key_index
from dchkit.resolution._key_index import KeyIndex

KEYS = st.sampled_from(["a", "b", "ab", "佐藤", "佐藤\x1f19900101", "", "x@y.jp"])
ENTRY = st.tuples(st.integers(0, 2), KEYS)
OPERATION = st.one_of(
    st.tuples(st.just("add"), st.lists(st.lists(ENTRY, max_size=4), min_size=1, max_size=3)),
    st.tuples(st.just("withdraw"), st.lists(st.integers(0, 40), max_size=3)),
)


class Reference:
    """What the index should answer: entries per row, withdrawn rows left out."""

    def __init__(self) -> None:
        self.entries: dict[int, list[tuple[int, str]]] = {}
        self.withdrawn: set[int] = set()

    def holders(self, rule: int, key: str) -> list[int]:
        return sorted(
            row
            for row, entries in self.entries.items()
            if row not in self.withdrawn
            for entry in entries
            if entry == (rule, key)
        )


def flatten(rows_entries: dict[int, list[tuple[int, str]]]):
    rows = [row for row, entries in rows_entries.items() for _ in entries]
    rules = [rule for entries in rows_entries.values() for rule, _ in entries]
    keys = [key for entries in rows_entries.values() for _, key in entries]
    return np.array(rows, dtype=np.int64), np.array(rules, dtype=np.int64), keys


@pytest.fixture(params=["python hash", "colliding hash"])
def hashing(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    if request.param == "colliding hash":  # every key of one length shares a hash
        monkeypatch.setattr(_key_index, "_hash", lambda pair: len(pair[1]) % 3)
    monkeypatch.setattr(_key_index, "_RESORT_AFTER", 6)  # sorts again after a few adds
    monkeypatch.setattr(_key_index, "_VERIFY_IN_PYTHON", 3)  # both ways of checking texts
    return str(request.param)


# the fixture only patches module constants: sharing it between examples is intended
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    initial=st.lists(st.lists(ENTRY, max_size=4), max_size=8),
    operations=st.lists(OPERATION, max_size=6),
    data=st.data(),
)
def test_the_index_answers_as_a_dict_would(hashing, initial, operations, data):
    reference = Reference()
    entries = [
        (row, rule, key) for row, row_entries in enumerate(initial) for rule, key in row_entries
    ]
    entries = [entries[i] for i in data.draw(st.permutations(range(len(entries))))]
    for row, rule, key in entries:  # a row's entries keep the order given, rows any order
        reference.entries.setdefault(row, []).append((rule, key))
    index = KeyIndex(
        np.array([e[0] for e in entries], dtype=np.int64),
        np.array([e[1] for e in entries], dtype=np.int64),
        pa.array([e[2] for e in entries], pa.string()),
    )
    next_row = len(initial)
    for kind, argument in operations:
        if kind == "add":
            added = {}
            for entries in argument:
                if entries:
                    added[next_row] = entries
                next_row += 1
            reference.entries.update(added)
            new_rows, new_rules, new_keys = flatten(added)
            index.add(new_rows, new_rules, new_keys)
        else:
            reference.withdrawn.update(argument)
            index.withdraw(np.array(argument, dtype=np.int64))
        queries = data.draw(st.lists(ENTRY, min_size=1, max_size=6))
        query, found = index.holders([q[0] for q in queries], [q[1] for q in queries])
        for number, (rule, key) in enumerate(queries):
            assert sorted(found[query == number].tolist()) == reference.holders(rule, key)
        asked = data.draw(st.lists(st.integers(0, next_row), max_size=5))
        entry_positions, entry_rules, entry_keys = index.entries(np.array(asked, dtype=np.int64))
        entry_rows = np.array(asked, dtype=np.int64)[entry_positions]
        expected = [
            (row, rule, key)
            for row in asked
            if row not in reference.withdrawn
            for rule, key in reference.entries.get(row, [])
        ]
        got = list(
            zip(entry_rows.tolist(), entry_rules.tolist(), entry_keys.to_pylist(), strict=True)
        )
        assert got == expected
