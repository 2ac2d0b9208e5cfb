"""Small Arrow helpers of the profile layer: map entries, group offsets, scattering."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

__all__ = [
    "IntArray",
    "group_offsets",
    "list_entries",
    "map_entries",
    "map_value",
    "prefixed",
    "scatter",
    "to_array",
]

IntArray = npt.NDArray[np.int64]


def to_array(column: pa.Array | pa.ChunkedArray) -> pa.Array:
    """One contiguous array from a column."""
    if isinstance(column, pa.ChunkedArray):
        return column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
    return column


def map_entries(column: pa.Array | pa.ChunkedArray) -> tuple[pa.Array, pa.Array, IntArray]:
    """Keys, items and the row of every entry of a map column (slices handled)."""
    array = to_array(column)
    offsets = pc.fill_null(array.offsets, 0).to_numpy().astype(np.int64)
    if len(array) == 0:
        empty = pa.array([], pa.string())
        return empty, empty, np.zeros(0, dtype=np.int64)
    start, stop = int(offsets[0]), int(offsets[-1])
    rows = np.repeat(np.arange(len(array), dtype=np.int64), np.diff(offsets))
    return array.keys.slice(start, stop - start), array.items.slice(start, stop - start), rows


def map_value(column: pa.Array | pa.ChunkedArray, key: str) -> pa.Array:
    """The item of ``key`` in every row of a map column (the first if repeated; else null).

    Vectorized over the flattened entries: Arrow's ``map_lookup`` searches row by row,
    ~1 s for a million rows, this ~20 ms.
    """
    array = to_array(column)
    keys, items, rows = map_entries(array)
    hit = np.asarray(pc.equal(keys, key).to_numpy(zero_copy_only=False), dtype=bool)
    owners = rows[hit]
    first = np.ones(len(owners), dtype=bool)
    first[1:] = owners[1:] != owners[:-1]
    positions = np.flatnonzero(hit)[first]
    return scatter(owners[first], items.take(pa.array(positions, pa.int64())), len(array))


def list_entries(column: pa.Array | pa.ChunkedArray) -> tuple[pa.Array, IntArray]:
    """Items and the row of every item of a list column."""
    array = to_array(column)
    rows = pc.list_parent_indices(array).to_numpy(zero_copy_only=False).astype(np.int64)
    return pc.list_flatten(array), rows


def prefixed(prefix: str, values: pa.Array) -> pa.Array:
    """``prefix + value`` for every value (null stays null)."""
    return pc.binary_join_element_wise(pa.scalar(prefix), values, "")


def group_offsets(groups: IntArray, count: int) -> IntArray:
    """Offsets of ``count`` groups in an array sorted by group number (length count + 1)."""
    offsets = np.zeros(count + 1, dtype=np.int64)
    np.cumsum(np.bincount(groups, minlength=count), out=offsets[1:])
    return offsets


def scatter(rows: IntArray, values: pa.Array, count: int) -> pa.Array:
    """An array of ``count`` nulls with ``values`` placed at ``rows`` (rows are distinct)."""
    position = np.full(count, -1, dtype=np.int64)
    position[rows] = np.arange(len(rows), dtype=np.int64)
    index = pa.array(position, mask=position < 0)
    return values.take(index)
