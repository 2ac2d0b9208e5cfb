"""SeenIds answers like a dictionary of the ids read so far, whatever the hashes do."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dchkit.connectors import seen as seen_module
from dchkit.connectors.seen import SeenIds, hash_strings

_IDS = st.lists(
    st.lists(st.one_of(st.none(), st.text(max_size=12)), max_size=40), min_size=1, max_size=12
)


def _check(batches: list[list[str | None]]) -> None:
    seen = SeenIds()
    reference: dict[str, int] = {}
    row = 1
    for batch in batches:
        ids = pa.array(batch, pa.string())
        expected = [None if v is None else reference.get(v) for v in batch]
        assert seen.lookup(ids).to_pylist() == expected
        # Add the ids not seen before, once each (as the mapper does), at their row.
        fresh, numbers = [], []
        for offset, value in enumerate(batch):
            if value is not None and value not in reference:
                reference[value] = row + offset
                fresh.append(value)
                numbers.append(row + offset)
        seen.add(pa.array(fresh, pa.string()), pa.array(numbers, pa.int64()))
        row += len(batch)
    assert len(seen) == len(reference)


@settings(max_examples=150, deadline=None)
@given(_IDS)
def test_lookup_matches_a_dictionary(batches: list[list[str | None]]):
    _check(batches)


@settings(max_examples=80, deadline=None)
@given(batches=_IDS)
def test_hash_collisions_are_resolved_by_the_texts(batches, monkeypatch_module):
    _check(batches)


@pytest.fixture(scope="module")
def monkeypatch_module():
    """Hash every id into 4 values: nearly every lookup hits ids with other texts."""
    patch = pytest.MonkeyPatch()
    patch.setattr(seen_module, "hash_strings", lambda values: hash_strings(values) & np.uint64(3))
    yield
    patch.undo()


def test_many_batches_and_sliced_arrays():
    seen = SeenIds()
    everything = pa.array([f"id-{i}" for i in range(50_000)])
    for start in range(0, 40_000, 1_000):  # 40 runs, merged as they come
        chunk = everything.slice(start, 1_000)
        seen.add(chunk, pa.array(np.arange(start, start + 1_000) + 2))
    probe = everything.slice(39_500, 1_000)  # half seen, half not
    found = seen.lookup(probe).to_pylist()
    assert found[:500] == list(range(39_502, 40_002))
    assert found[500:] == [None] * 500
