"""A blocking-key index in arrays: which rows hold a (rule, key), and the keys of some rows.

:class:`~dchkit.resolution.lookup.InMemoryLookup` answers the incremental engine from it.
A Python dict of a million records' ~14 million keys takes a minute to build and
gigabytes; :class:`KeyIndex` keeps them as numpy and Arrow arrays:

- every entry's row, rule (a small integer) and key text, sorted by row (a row's entries
  stay in the order given), so the keys of some rows are a binary search per row;
- the hash of every (rule, key) (Python's: the index lives in one process), sorted, so
  the holders of a key are a binary search too; each hit is checked against the key's
  text, so a collision never joins two keys;
- entries added later (records arriving one by one) in a dict until they are many, when
  everything is sorted again.

A row's keys can be withdrawn (a record replaced by a new version): they stop counting.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["KeyIndex"]

IndexArray = npt.NDArray[np.int64]

_CHUNK = 1 << 20  # entries hashed at a time (bounds the Python strings alive at once)
_RESORT_AFTER = 1 << 20  # entries added since the last sort before sorting again
_VERIFY_IN_PYTHON = 64  # at most this many hits are checked against their texts in Python
_hash = hash  # Python's hash of a (rule, key) pair (a test swaps in one that collides)


def _hashes(rules: IndexArray, keys: pa.Array) -> IndexArray:
    """Python's hash of each ``(rule, key)``: stable within a process, as the index is."""
    out = np.empty(len(keys), dtype=np.int64)
    for first in range(0, len(keys), _CHUNK):
        texts = keys.slice(first, _CHUNK).to_pylist()
        numbers = rules[first : first + _CHUNK].tolist()
        out[first : first + len(texts)] = [_hash(pair) for pair in zip(numbers, texts, strict=True)]
    return out


def _ranges(ordered: IndexArray, wanted: IndexArray) -> tuple[IndexArray, IndexArray]:
    """Where each wanted value's run starts in ``ordered``, and how long it is.

    The wanted values are searched in sorted order: the searches then walk the big array
    forwards instead of jumping around it (several times faster on millions of entries).
    """
    if wanted.size <= 1:
        low = np.searchsorted(ordered, wanted, side="left")
        return low, np.searchsorted(ordered, wanted, side="right") - low
    order = np.argsort(wanted, kind="stable")
    ascending = wanted[order]
    low, high = np.empty_like(order), np.empty_like(order)
    low[order] = np.searchsorted(ordered, ascending, side="left")
    high[order] = np.searchsorted(ordered, ascending, side="right")
    return low, high - low


class KeyIndex:
    """Blocking-key entries ``(row, rule, key)``; see the module docs.

    Args:
        rows: Each entry's row (any order; a row's entries keep their given order).
        rules: Each entry's rule, a small non-negative integer.
        keys: Each entry's key (strings).
    """

    def __init__(self, rows: IndexArray, rules: IndexArray, keys: pa.Array) -> None:
        self._withdrawn = np.zeros(0, dtype=bool)
        self._sort(np.asarray(rows, np.int64), np.asarray(rules, np.int64), keys)

    def _sort(self, rows: IndexArray, rules: IndexArray, keys: pa.Array) -> None:
        order = np.argsort(rows, kind="stable")
        self._rows, self._rules = rows[order], rules[order]
        self._keys = keys.take(pa.array(order)) if len(keys) else keys
        hashes = _hashes(self._rules, self._keys)
        self._by_hash = np.argsort(hashes, kind="stable")
        self._hashes = hashes[self._by_hash]
        self._colliding = self._collisions()
        self._added: dict[tuple[int, str], list[int]] = {}  # (rule, key) → rows
        self._added_of: dict[int, list[tuple[int, str]]] = {}  # row → its added entries
        self._added_count = 0
        top = int(rows.max()) + 1 if rows.size else 0
        self._grow(top)

    def _collisions(self) -> set[int]:
        """Hashes that two different (rule, key) share: their hits are checked one by one.

        Every other run of equal hashes holds one (rule, key), so checking its first entry
        against a query checks them all.
        """
        repeated = np.flatnonzero(self._hashes[1:] == self._hashes[:-1])
        if not repeated.size:
            return set()
        left, right = self._by_hash[repeated], self._by_hash[repeated + 1]
        differ = self._rules[left] != self._rules[right]
        texts = pc.not_equal(self._keys.take(pa.array(left)), self._keys.take(pa.array(right)))
        differ |= np.asarray(texts.to_numpy(zero_copy_only=False), dtype=bool)
        return set(self._hashes[repeated[differ]].tolist())

    def _same(
        self, entries: IndexArray, numbers: list[int], texts: list[str]
    ) -> npt.NDArray[np.bool_]:
        """Whether each entry is the query ``(numbers[i], texts[i])``."""
        rules = self._rules[entries] == np.array(numbers, dtype=np.int64)
        found = self._keys.take(pa.array(entries))
        if entries.size <= _VERIFY_IN_PYTHON:
            same = np.array(
                [f == t for f, t in zip(found.to_pylist(), texts, strict=True)], dtype=bool
            )
        else:
            equal = pc.equal(found, pa.array(texts, pa.string())).fill_null(False)
            same = np.asarray(equal.to_numpy(zero_copy_only=False), dtype=bool)
        checked: npt.NDArray[np.bool_] = rules & same
        return checked

    def _is_withdrawn(self, rows: IndexArray) -> npt.NDArray[np.bool_]:
        inside = rows < self._withdrawn.size
        withdrawn = np.zeros(rows.size, dtype=bool)
        withdrawn[inside] = self._withdrawn[rows[inside]]
        return withdrawn

    def _grow(self, rows: int) -> None:
        if rows > self._withdrawn.size:
            grown = np.zeros(max(rows, 2 * self._withdrawn.size), dtype=bool)
            grown[: self._withdrawn.size] = self._withdrawn
            self._withdrawn = grown

    # ----------------------------------------------------------------- writes
    def add(self, rows: IndexArray, rules: IndexArray, keys: list[str]) -> None:
        """Index more entries (their rows must not have entries yet)."""
        rows_list = np.asarray(rows, np.int64).tolist()
        for row, rule, key in zip(rows_list, np.asarray(rules).tolist(), keys, strict=True):
            self._added.setdefault((rule, key), []).append(row)
            self._added_of.setdefault(row, []).append((rule, key))
        self._added_count += len(rows_list)
        if rows_list:
            self._grow(max(rows_list) + 1)
        if self._added_count > max(_RESORT_AFTER, self._rows.size // 4):
            self._resort()

    def withdraw(self, rows: IndexArray) -> None:
        """Stop counting the entries of these rows."""
        rows = np.asarray(rows, np.int64)
        if rows.size:
            self._grow(int(rows.max()) + 1)
            self._withdrawn[rows] = True

    def _resort(self) -> None:
        """Sort the added entries in with the others; drop withdrawn ones."""
        rows, rules, keys = self.entries(np.arange(self._withdrawn.size, dtype=np.int64))
        # positions in arange(size) are the rows themselves
        withdrawn = self._withdrawn
        self._sort(rows, rules, keys)
        self._withdrawn = withdrawn

    # ------------------------------------------------------------------ reads
    def holders(self, numbers: list[int], texts: list[str]) -> tuple[IndexArray, IndexArray]:
        """Rows holding each query ``(numbers[i], texts[i])``: (query, row) per hit."""
        wanted = np.array(
            [_hash(pair) for pair in zip(numbers, texts, strict=True)], dtype=np.int64
        )
        low, count = _ranges(self._hashes, wanted)
        mixed = np.zeros(len(wanted), dtype=bool)
        if self._colliding:
            mixed[:] = [h in self._colliding for h in wanted.tolist()]
        # a hash is not a key: a run of one (rule, key) is checked by its first entry
        plain = np.flatnonzero((count > 0) & ~mixed)
        if plain.size:
            picked = plain.tolist()
            same = self._same(
                self._by_hash[low[plain]], [numbers[q] for q in picked], [texts[q] for q in picked]
            )
            count[plain[~same]] = 0
        query = np.repeat(np.arange(len(wanted), dtype=np.int64), count)
        hit = np.repeat(low - np.cumsum(count) + count, count) + np.arange(query.size)
        entry = self._by_hash[hit]
        if mixed.any():  # runs of colliding hashes: every entry is checked
            check = np.flatnonzero(mixed[query])
            asked = query[check].tolist()
            wrong = ~self._same(
                entry[check], [numbers[q] for q in asked], [texts[q] for q in asked]
            )
            keep = np.ones(query.size, dtype=bool)
            keep[check[wrong]] = False
            query, entry = query[keep], entry[keep]
        rows = self._rows[entry]
        if self._added:
            more_query: list[int] = []
            more_rows: list[int] = []
            for number, pair in enumerate(zip(numbers, texts, strict=True)):
                found_rows = self._added.get(pair, ())
                more_query.extend([number] * len(found_rows))
                more_rows.extend(found_rows)
            query = np.concatenate([query, np.array(more_query, dtype=np.int64)])
            rows = np.concatenate([rows, np.array(more_rows, dtype=np.int64)])
        live = ~self._is_withdrawn(rows)
        return query[live], rows[live]

    def entries(self, rows: IndexArray) -> tuple[IndexArray, IndexArray, pa.Array]:
        """The entries of these rows, in their order: (position in ``rows``, rule, key).

        Each row's entries come in the order they were given; withdrawn rows have none.
        """
        asked = np.asarray(rows, np.int64)
        kept = np.flatnonzero(~self._is_withdrawn(asked))
        rows = asked[kept]
        low, count = _ranges(self._rows, rows)
        entry = np.repeat(low - np.cumsum(count) + count, count) + np.arange(int(count.sum()))
        out_rows = [np.repeat(kept, count)]
        out_rules = [self._rules[entry]]
        out_keys = [self._keys.take(pa.array(entry))]
        position = [np.repeat(np.arange(rows.size), count)]
        if self._added_of:
            added_rows, added_rules, added_keys, added_position = [], [], [], []
            for number, row in enumerate(rows.tolist()):
                for rule, key in self._added_of.get(row, ()):
                    added_rows.append(int(kept[number]))
                    added_rules.append(rule)
                    added_keys.append(key)
                    added_position.append(number)
            out_rows.append(np.array(added_rows, dtype=np.int64))
            out_rules.append(np.array(added_rules, dtype=np.int64))
            out_keys.append(pa.array(added_keys, pa.string()))
            position.append(np.array(added_position, dtype=np.int64))
        order = np.argsort(np.concatenate(position), kind="stable")
        return (
            np.concatenate(out_rows)[order],
            np.concatenate(out_rules)[order],
            pa.concat_arrays([k.cast(pa.string()) for k in out_keys]).take(pa.array(order)),
        )
