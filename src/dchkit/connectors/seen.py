"""The ids already read in one read, looked up at a cost that does not grow with the read.

A read rejects a row whose id an earlier batch already had (``duplicate_id``). Asking Arrow
whether a batch's ids are among all the ids read so far (``pc.index_in``) builds a hash
table of those ids on every call, so a read of ``n`` batches costs ``O(n²)`` (~15 s of a
3.5M-event read). :class:`SeenIds` keeps a 64-bit hash of each id instead, in sorted runs
merged like a binary counter (each id is merged ``O(log n)`` times), finds a batch's ids
there with binary search, and compares the texts of the hits, so an answer never rests on
a hash alone: a hit whose text differs (a hash collision) is searched exactly.

Examples:
    >>> import pyarrow as pa
    >>> seen = SeenIds()
    >>> seen.add(pa.array(["a", "b"]), pa.array([2, 3]))
    >>> seen.lookup(pa.array(["b", "c", None])).to_pylist()
    [3, None, None]
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from dchkit._hashing import hash_strings

__all__ = ["SeenIds", "all_distinct", "hash_strings"]


def all_distinct(hashes: np.ndarray) -> bool:
    """Whether no two hashes are equal (then no two of the strings hashed are equal)."""
    ordered = np.sort(hashes)
    return bool((ordered[1:] != ordered[:-1]).all())


class SeenIds:
    """Ids added so far (without repeats), with the row number each was first read at."""

    def __init__(self) -> None:
        self._ids: list[pa.Array] = []
        self._numbers: list[pa.Array] = []
        # Sorted runs of (hash, position in the concatenation of _ids), newest last.
        self._runs: list[tuple[np.ndarray, np.ndarray]] = []
        self._size = 0

    def __len__(self) -> int:
        return self._size

    def add(self, ids: pa.Array, numbers: pa.Array, hashes: np.ndarray | None = None) -> None:
        """Remember ``ids`` (non-null, none already added) read at row ``numbers``.

        ``hashes`` are ``hash_strings(ids)``, if already computed.
        """
        if not len(ids):
            return
        hashes = hash_strings(ids) if hashes is None else hashes
        order = np.argsort(hashes, kind="stable")
        positions = np.arange(self._size, self._size + len(ids), dtype=np.int64)
        self._runs.append((hashes[order], positions[order]))
        self._ids.append(ids.cast(pa.string()))
        self._numbers.append(numbers.cast(pa.int64()))
        self._size += len(ids)
        while len(self._runs) > 1 and len(self._runs[-2][0]) <= 2 * len(self._runs[-1][0]):
            (old_hashes, old_positions), (new_hashes, new_positions) = self._runs[-2:]
            merged = np.concatenate([old_hashes, new_hashes])
            order = np.argsort(merged, kind="stable")
            self._runs[-2:] = [
                (merged[order], np.concatenate([old_positions, new_positions])[order])
            ]
        if len(self._ids) > 16:  # keep take() over a few large chunks
            self._ids = [pa.concat_arrays(self._ids)]
            self._numbers = [pa.concat_arrays(self._numbers)]

    def lookup(self, ids: pa.Array, hashes: np.ndarray | None = None) -> pa.Array:
        """Row number where each id was first read (null if never, or if the id is null).

        ``hashes`` are ``hash_strings(ids)``, if already computed.
        """
        count = len(ids)
        if not self._size or not count:
            return pa.nulls(count, pa.int64())
        hashes = hash_strings(ids) if hashes is None else hashes
        # Searched in ascending order, a binary search starts where the last one ended.
        order = np.argsort(hashes, kind="stable")
        ascending = hashes[order]
        found = np.full(count, -1, dtype=np.int64)
        for run_hashes, run_positions in self._runs:
            at = np.searchsorted(run_hashes, ascending)
            inside = at < len(run_hashes)
            hit = np.zeros(count, dtype=bool)
            hit[inside] = run_hashes[at[inside]] == ascending[inside]
            found[hit] = run_positions[at[hit]]
        candidate = np.empty(count, dtype=np.int64)
        candidate[order] = found
        rows = np.flatnonzero(candidate >= 0)
        result = np.full(count, -1, dtype=np.int64)
        if len(rows):
            index = pa.array(candidate[rows])
            stored = pa.chunked_array(self._ids, pa.string()).take(index)
            asked = ids.cast(pa.string()).take(pa.array(rows))
            same = pc.fill_null(pc.equal(stored, asked), False).to_numpy(zero_copy_only=False)
            numbers = pa.chunked_array(self._numbers, pa.int64()).take(index)
            result[rows[same]] = numbers.to_numpy()[same]
            collided = rows[~same]
            if len(collided):
                result[collided] = self._exact(ids.cast(pa.string()).take(pa.array(collided)))
        if ids.null_count:
            result[~ids.is_valid().to_numpy(zero_copy_only=False)] = -1
        return pa.array(result, pa.int64(), mask=result < 0)

    def _exact(self, ids: pa.Array) -> np.ndarray:
        """Row numbers of ``ids`` found by comparing texts (-1 where absent); rare."""
        found = np.full(len(ids), -1, dtype=np.int64)
        for chunk, numbers in zip(self._ids, self._numbers, strict=True):
            index = pc.fill_null(pc.index_in(ids, value_set=chunk), -1)
            where = index.to_numpy(zero_copy_only=False).astype(np.int64)
            hit = (where >= 0) & (found < 0)
            found[hit] = numbers.to_numpy()[where[hit]]
        return found
