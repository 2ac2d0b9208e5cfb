"""``StoreLookup``: the incremental engine's questions answered from a store's indexes.

:class:`~dchkit.resolution.incremental.IncrementalResolver` needs two things from a hub —
which stored records share a blocking key with the new ones, and every record of the
customers those belong to — and :class:`StoreLookup` answers both with indexed reads of
the blocking-key index and the ``clusters``, ``records`` and ``feedback`` tables of any
:class:`~dchkit.store.Store`. Records without a customer yet (ingested but not resolved)
are not part of any neighbourhood: they wait for the next batch resolve.

The blocking-key index keeps a 64-bit hash of each ``(rule, key)`` pair, not its text
(:func:`key_hashes`): an integer index is a fraction of the size and much faster to fill
and to search (a million records hold ~9.5M keys). Each indexed record gets a number;
three tables hold the index:

- ``blocking_records``: ``record_num, record_id, key_hashes`` — the record's hashes packed
  in one blob (8 bytes each), to remove them when the record changes;
- ``blocking_keys``: ``key_hash, record_num`` — who holds a key, kept in hash order;
- ``blocking_counts``: ``key_hash, count`` — how many records hold a key that
  :data:`COUNTED_FROM` records or more hold (an oversized block is recognised without
  reading its members); fewer holders are counted from ``blocking_keys`` (most keys have
  one or two: 4.4M of the 6.1M distinct keys of a million records have one).

A hash collision can only make the index return a record that does not hold the key (a
spurious candidate, scored and rejected like any other) or add two keys' counts together;
at 64 bits it is vanishingly rare (for 10M distinct keys, about one chance in 400,000
that any two collide).

:func:`apply_frequency_changes` keeps the stored term-frequency counts in step with the
engine's.

Examples:
    >>> import pyarrow as pa
    >>> from dchkit.store import SQLiteStore
    >>> from dchkit.store.lookup import StoreLookup
    >>> from dchkit.store.lookup import index_keys
    >>> store = SQLiteStore()
    >>> index_keys(store, pa.table(
    ...     {"rule": ["email_keys"] * 2, "key": ["x@y.jp"] * 2, "record_id": ["a", "b"]}))
    >>> keys = pa.table({"rule": ["email_keys", "email_keys"], "key": ["x@y.jp", "z@y.jp"]})
    >>> StoreLookup(store).key_counts(keys).to_pylist()
    [2, 0]
    >>> sorted(StoreLookup(store).record_ids_for_keys(keys).to_pylist())
    ['a', 'b']
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from dchkit._hashing import hash_pairs
from dchkit.profile._arrow import to_array
from dchkit.store.base import TABLES, Store

if TYPE_CHECKING:
    from dchkit.resolution.incremental import Neighbourhood
    from dchkit.resolution.termfreq import TermFrequencies

__all__ = [
    "IndexRows",
    "StoreLookup",
    "add_counts",
    "apply_frequency_changes",
    "index_keys",
    "index_rows",
    "key_hashes",
    "load_frequencies",
    "rebuild_key_index",
    "unindex_records",
    "unpack_hashes",
]

#: Meta key of the number the next indexed record gets.
NEXT_RECORD_NUM = "key_index_next"
#: Keys held by this many records or more have their count stored; fewer are counted.
COUNTED_FROM = 32
#: Up to this many count changes are summed in Python (Arrow's group-by costs ~1 ms to start).
_SUMMED_IN_PYTHON = 2048
#: Up to this share of records changed, a rebuild updates them instead of rewriting all.
_PATCH_SHARE = 0.2


class StoreLookup:
    """A :class:`~dchkit.resolution.incremental.CandidateLookup` over a store.

    Args:
        store: The hub's store.
        before: Stored versions of records the caller has just overwritten in the same
            transaction; neighbourhoods show these versions, so the engine sees what it
            replaces.
    """

    def __init__(self, store: Store, *, before: pa.Table | None = None) -> None:
        self.store = store
        self.before = before
        # Counts already read (the engine asks for some keys twice in one resolve); the
        # index does not change while a lookup is in use, so they stay true.
        self._counts: dict[int, int] = {}

    def key_counts(self, keys: pa.Table) -> pa.Array:
        """Number of stored records holding each ``(rule, key)`` row of ``keys``."""
        if keys.num_rows == 0:
            return pa.array([], pa.int64())
        hashes = key_hashes(keys).tolist()
        known = self._counts
        missing = sorted({h for h in hashes if h not in known})
        if missing:
            counts = _key_counts(self.store, pa.array(missing, pa.int64()))
            known.update(dict.fromkeys(missing, 0))
            known.update(
                zip(
                    counts.column("key_hash").to_pylist(),
                    counts.column("count").to_pylist(),
                    strict=True,
                )
            )
        return pa.array([known[h] for h in hashes], pa.int64())

    def record_ids_for_keys(self, keys: pa.Table) -> pa.Array:
        """Ids of the stored records holding any of ``keys``."""
        if keys.num_rows == 0:
            return pa.array([], pa.string())
        holders = self.store.read("blocking_keys", {"key_hash": pa.array(key_hashes(keys))})
        if holders.num_rows == 0:
            return pa.array([], pa.string())
        numbers = pc.unique(to_array(holders.column("record_num")))
        found = self.store.read("blocking_records", {"record_num": numbers}, columns=["record_id"])
        return to_array(found.column("record_id"))

    def neighbourhood(self, record_ids: pa.Array) -> Neighbourhood:
        """Every stored record of the customers of ``record_ids`` (and of must-linked ones).

        With their customer ids and the feedback touching them.
        """
        from dchkit.resolution.incremental import CLUSTERS_SCHEMA, LINKS_SCHEMA, Neighbourhood

        store = self.store
        ids = to_array(record_ids).cast(pa.string())
        # Most hubs hold no feedback: one cheap read then saves the four below.
        has_feedback = store.read("feedback", limit=1, columns=["kind"]).num_rows > 0
        if has_feedback:
            must = store.read("feedback", {"left": ids})
            must = pa.concat_tables([must, store.read("feedback", {"right": ids})])
            must = must.filter(pc.equal(must.column("kind"), "must_link"))
            linked = pa.concat_arrays([ids, to_array(must["left"]), to_array(must["right"])])
        else:
            linked = ids
        owners = store.read("clusters", {"record_id": pc.unique(linked)})
        clusters = store.read("clusters", {"customer_id": pc.unique(owners.column("customer_id"))})
        members = to_array(clusters.column("record_id"))
        records = store.read("records", {"record_id": members})
        if self.before is not None and self.before.num_rows:
            old = self.before.filter(
                pc.is_in(self.before.column("record_id"), value_set=members)
            ).cast(records.schema)
            fresh = pc.invert(
                pc.is_in(records.column("record_id"), value_set=to_array(old["record_id"]))
            )
            records = pa.concat_tables([records.filter(fresh), old])
        if has_feedback:
            left = store.read("feedback", {"left": members})
            right = store.read("feedback", {"right": members})
            feedback = pa.concat_tables([left, right])
        else:
            feedback = TABLES["feedback"].schema.empty_table()
        inside = pc.and_(
            pc.is_in(feedback.column("left"), value_set=members),
            pc.is_in(feedback.column("right"), value_set=members),
        )
        feedback = feedback.filter(inside)
        is_must = pc.equal(feedback.column("kind"), "must_link")

        def links(rows: pa.Table) -> pa.Table:
            return rows.select(["left", "right"]).cast(LINKS_SCHEMA)

        return Neighbourhood(
            records=records,
            clusters=clusters.cast(CLUSTERS_SCHEMA),
            must_link=links(feedback.filter(is_must)),
            cannot_link=links(feedback.filter(pc.invert(is_must))),
        )


def load_frequencies(store: Store, columns: tuple[str, ...]) -> TermFrequencies:
    """The hub's :class:`~dchkit.resolution.termfreq.TermFrequencies`, from the store."""
    from dchkit.resolution.termfreq import TermFrequencies

    return TermFrequencies.from_table(store.read("term_frequencies"), columns)


def apply_frequency_changes(store: Store, changes: pa.Table) -> None:
    """Add count changes (``column, value, count`` deltas) to the stored frequencies."""
    add_counts(store, "term_frequencies", ["column", "value"], changes)


# ------------------------------------------------------------------ key index
def key_hashes(keys: pa.Table) -> npt.NDArray[np.int64]:
    """The index's 64-bit hash of each ``(rule, key)`` row of ``keys`` (as signed int64).

    Part of the file format: stored hubs hold these values (see ``dchkit._hashing``).
    """
    rules = to_array(keys.column("rule"))
    values = to_array(keys.column("key"))
    if keys.num_rows > _MEMO_ROWS:
        return hash_pairs(rules, values).view(np.int64)
    # A few keys (one record's): an ingest hashes the same keys three or four times,
    # and numpy's per-call overhead, not the hashing, is the cost; remember them.
    pairs = list(zip(rules.to_pylist(), values.to_pylist(), strict=True))
    memo = _HASH_MEMO  # shared by threads: read it once per pair, answer from `found`
    found = {pair: value for pair in pairs if (value := memo.get(pair)) is not None}
    missing = [i for i, pair in enumerate(pairs) if pair not in found]
    if missing:
        at = pa.array(missing, pa.int64())
        fresh = hash_pairs(rules.take(at), values.take(at)).view(np.int64).tolist()
        if len(memo) > _MEMO_SIZE:
            memo.clear()
        for i, value in zip(missing, fresh, strict=True):
            found[pairs[i]] = memo[pairs[i]] = value
    return np.array([found[pair] for pair in pairs], dtype=np.int64)


#: Up to this many keys, :func:`key_hashes` looks them up in :data:`_HASH_MEMO` first.
_MEMO_ROWS = 256
#: Hashes of recently seen ``(rule, key)`` pairs (cleared when it outgrows the size).
_HASH_MEMO: dict[tuple[str | None, str | None], int] = {}
_MEMO_SIZE = 100_000


@dataclass(frozen=True)
class IndexRows:
    """The rows of the three index tables for some records (see :func:`index_rows`)."""

    records: pa.Table
    """``blocking_records``: ``record_num, record_id, key_hashes``, by number (= by id)."""
    keys: pa.Table
    """``blocking_keys``: ``key_hash, record_num``, sorted by hash, then number."""
    counts: pa.Table
    """``key_hash, count`` of every hash, sorted by hash."""

    @property
    def stored_counts(self) -> pa.Table:
        """The rows of ``blocking_counts``: counts of :data:`COUNTED_FROM` or more."""
        return self.counts.filter(pc.greater_equal(self.counts.column("count"), COUNTED_FROM))


def index_rows(record_ids: pa.Array, hashes: npt.NDArray[np.int64], first: int) -> IndexRows:
    """Lay out the index rows of records holding some key hashes.

    Args:
        record_ids: The record holding each hash (a record repeats once per key).
        hashes: The key hashes (:func:`key_hashes`).
        first: The number of the first record; records are numbered in id order.
    """
    encoded = to_array(record_ids).cast(pa.string()).dictionary_encode()
    names = encoded.dictionary
    by_name = pc.sort_indices(names).to_numpy()
    rank = np.empty(len(names), np.int64)
    rank[by_name] = np.arange(len(names), dtype=np.int64)
    holder = rank[encoded.indices.to_numpy(zero_copy_only=False)]
    # Sort (hash, holder) pairs as one integer each: the hash's rank among the distinct
    # hashes, times the number of records, plus the holder (two cheap sorts, no lexsort).
    by_hash = np.argsort(hashes)
    ordered = hashes[by_hash]
    starts = np.ones(len(ordered), bool)
    starts[1:] = ordered[1:] != ordered[:-1]
    distinct = ordered[starts]
    size = max(len(names), 1)
    pairs = (np.cumsum(starts) - 1) * size + holder[by_hash]
    pairs.sort(kind="stable")  # sorted by hash already: only ties move
    once = np.ones(len(pairs), bool)
    once[1:] = pairs[1:] != pairs[:-1]  # a key a record holds twice: once
    pairs = pairs[once]
    rank_of_hash, holders = np.divmod(pairs, size)
    keys = pa.table(
        {"key_hash": pa.array(distinct[rank_of_hash]), "record_num": pa.array(holders + first)}
    )
    counts = pa.table(
        {
            "key_hash": pa.array(distinct),
            "count": pa.array(np.bincount(rank_of_hash, minlength=len(distinct)).astype(np.int64)),
        }
    )
    # Each record's hashes, in hash order (the pairs' order), packed in one blob.
    by_record = _stable_order(holders)
    packed = distinct[rank_of_hash[by_record]]
    offsets = np.zeros(len(names) + 1, np.int32)
    np.cumsum(np.bincount(holders, minlength=len(names)) * 8, out=offsets[1:])
    blobs = pa.Array.from_buffers(
        pa.binary(),
        len(names),
        [None, pa.py_buffer(offsets), pa.py_buffer(packed.astype("<i8").tobytes())],
    )
    records = pa.table(
        {
            "record_num": pa.array(np.arange(first, first + len(names), dtype=np.int64)),
            "record_id": names.take(pa.array(by_name)),
            "key_hashes": blobs,
        }
    )
    return IndexRows(records, keys, counts)


def _stable_order(values: npt.NDArray[np.int64]) -> npt.NDArray[np.intp]:
    """``np.argsort(values, kind="stable")`` of non-negative integers, by two radix passes.

    numpy sorts 16-bit integers by radix; two passes over 16-bit digits sort values below
    2**32 about three times faster than its merge sort of 64-bit ones.
    """
    if len(values) == 0 or values.max() >= 1 << 32:
        return np.argsort(values, kind="stable")
    low = np.argsort((values & 0xFFFF).astype(np.uint16), kind="stable")
    high = np.argsort((values[low] >> 16).astype(np.uint16), kind="stable")
    return low[high]


def unpack_hashes(
    blobs: pa.Array | pa.ChunkedArray,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """The hashes packed in ``key_hashes`` blobs, and the row of the blob holding each."""
    blobs = to_array(blobs).cast(pa.binary())
    if blobs.null_count:
        blobs = pc.fill_null(blobs, b"")
    if len(blobs) == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    _, offset_buffer, data = blobs.buffers()
    offsets = np.frombuffer(offset_buffer, np.int32)[blobs.offset : blobs.offset + len(blobs) + 1]
    raw = np.frombuffer(data, np.uint8)[offsets[0] : offsets[-1]] if data else np.zeros(0, np.uint8)
    hashes = raw.view("<i8").astype(np.int64)
    rows = np.repeat(np.arange(len(blobs), dtype=np.int64), np.diff(offsets) // 8)
    return hashes, rows


def index_keys(store: Store, keys: pa.Table) -> None:
    """Add the blocking keys (``record_id, rule, key``) of records not in the index yet.

    A record already in the index must be removed first (:func:`unindex_records`).
    """
    if keys.num_rows == 0:
        return
    with store.transaction():
        first = int(store.get_meta(NEXT_RECORD_NUM) or 1)
        rows = index_rows(keys.column("record_id"), key_hashes(keys), first)
        store.insert("blocking_records", rows.records)
        store.insert("blocking_keys", rows.keys)
        _add_key_counts(store, rows.counts)
        store.set_meta(NEXT_RECORD_NUM, str(first + rows.records.num_rows))


def unindex_records(store: Store, record_ids: pa.Array | pa.ChunkedArray) -> None:
    """Remove the blocking keys of some records from the index and from their counts."""
    with store.transaction():
        old = store.read("blocking_records", {"record_id": to_array(record_ids)})
        if old.num_rows == 0:
            return
        hashes, rows = unpack_hashes(old.column("key_hashes"))
        numbers = to_array(old.column("record_num")).to_numpy(zero_copy_only=False)[rows]
        pairs = {"key_hash": pa.array(hashes), "record_num": pa.array(numbers)}
        store.delete("blocking_keys", pairs)
        store.delete("blocking_records", {"record_num": old.column("record_num")})
        minus = pa.table(
            {"key_hash": pa.array(hashes), "count": pa.array(np.full(len(hashes), -1))}
        )
        _add_key_counts(store, minus)


def rebuild_key_index(store: Store, keys: pa.Table) -> None:
    """Make the index hold exactly ``keys`` (every record's, after a batch resolve).

    Records whose keys did not change are left as they are, so re-resolving a hub whose
    records did not change writes nothing here. When many changed (or the index is
    empty) the index is rewritten whole, each table in key order (a B-tree filled in
    key order is written page by page).
    """
    rows = index_rows(keys.column("record_id"), key_hashes(keys), 1)
    with store.transaction():
        stored = store.read("blocking_records", columns=["record_id", "key_hashes"])
        if stored.num_rows:
            stale = _stale_records(stored, rows.records)
            if len(stale) <= _PATCH_SHARE * max(stored.num_rows, rows.records.num_rows):
                if len(stale):
                    unindex_records(store, stale)
                    changed = pc.is_in(keys.column("record_id"), value_set=stale)
                    index_keys(store, keys.filter(changed))
                return
            for table in ("blocking_records", "blocking_keys", "blocking_counts"):
                store.delete(table)
        store.insert("blocking_records", rows.records)
        store.insert("blocking_keys", rows.keys)
        store.insert("blocking_counts", rows.stored_counts)
        store.set_meta(NEXT_RECORD_NUM, str(rows.records.num_rows + 1))


def _key_counts(store: Store, hashes: pa.Array) -> pa.Table:
    """``key_hash, count`` of the given hashes that some record holds.

    From ``blocking_counts`` for keys held by :data:`COUNTED_FROM` records or more, else
    by counting their holders.
    """
    counted = store.read("blocking_counts", {"key_hash": hashes})
    rest = pc.filter(hashes, pc.invert(pc.is_in(hashes, value_set=to_array(counted["key_hash"]))))
    if len(rest) == 0:
        return counted
    holders = store.read("blocking_keys", {"key_hash": pc.unique(rest)}, columns=["key_hash"])
    return pa.concat_tables([counted, _holder_counts(holders).cast(counted.schema)])


def _holder_counts(holders: pa.Table) -> pa.Table:
    """``key_hash, count``: how many rows of ``holders`` name each hash.

    numpy, not an Arrow group-by: a few rows are counted in microseconds, where Arrow's
    query engine costs about a millisecond per call to start.
    """
    values = _int64s(holders.column("key_hash"))
    hashes, counts = np.unique(values, return_counts=True)
    return pa.table({"key_hash": pa.array(hashes), "count": pa.array(counts.astype(np.int64))})


def _int64s(column: pa.Array | pa.ChunkedArray) -> npt.NDArray[np.int64]:
    return np.asarray(to_array(column).to_numpy(zero_copy_only=False), dtype=np.int64)


def _add_key_counts(store: Store, changes: pa.Table) -> None:
    """Bring ``blocking_counts`` in step after the holders of some keys changed.

    ``changes`` holds ``key_hash, count`` deltas; ``blocking_keys`` already holds the new
    holders. A key counted in the table gets the delta; the others are counted afresh
    (they have fewer than :data:`COUNTED_FROM` holders, or just reached it).
    """
    if changes.num_rows == 0:
        return
    distinct, inverse = np.unique(_int64s(changes.column("key_hash")), return_inverse=True)
    delta = np.bincount(
        inverse.reshape(-1), weights=_int64s(changes.column("count")), minlength=distinct.size
    ).astype(np.int64)
    hashes = pa.array(distinct)
    counted = store.read("blocking_counts", {"key_hash": hashes})
    stored = _int64s(counted.column("key_hash"))
    at = np.searchsorted(distinct, stored)  # every stored hash is one of the distinct ones
    kept = pa.table(
        {
            "key_hash": pa.array(stored),
            "count": pa.array(_int64s(counted.column("count")) + delta[at]),
        }
    )
    rest = np.setdiff1d(distinct, stored, assume_unique=True)
    if rest.size:
        holders = store.read("blocking_keys", {"key_hash": pa.array(rest)}, columns=["key_hash"])
        kept = pa.concat_tables([kept, _holder_counts(holders)])
    big = pc.greater_equal(kept.column("count"), COUNTED_FROM)
    with store.transaction():
        store.upsert("blocking_counts", kept.filter(big))
        small = to_array(kept.column("key_hash")).filter(pc.invert(big))
        if len(small):
            store.delete("blocking_counts", {"key_hash": small})


def _stale_records(stored: pa.Table, fresh: pa.Table) -> pa.Array:
    """Ids of records whose stored key hashes differ from ``fresh`` (or one side lacks)."""
    joined = stored.join(
        fresh.select(["record_id", "key_hashes"]),
        "record_id",
        join_type="full outer",
        right_suffix="_new",
        coalesce_keys=True,
    )
    same = pc.equal(joined.column("key_hashes"), joined.column("key_hashes_new"))
    return to_array(joined.filter(pc.invert(pc.fill_null(same, False))).column("record_id"))


def add_counts(store: Store, table: str, by: list[str], changes: pa.Table) -> None:
    """Add ``count`` deltas per ``by`` columns to a counts table; counts at 0 are removed."""
    if changes.num_rows == 0:
        return
    if changes.num_rows > _SUMMED_IN_PYTHON:
        deltas = changes.group_by(by).aggregate([("count", "sum")])
        current = store.read(table, {name: deltas.column(name) for name in by})
        merged = deltas.join(current, by, join_type="left outer")
        total = pc.add(merged.column("count_sum"), pc.fill_null(merged.column("count"), 0))
        rows = pa.table({**{name: merged.column(name) for name in by}, "count": total})
    else:  # a few changes (one record's values): Python, not Arrow's query engine
        sums: dict[tuple[object, ...], int] = {}
        columns = [changes.column(name).to_pylist() for name in by]
        for key, count in zip(
            zip(*columns, strict=True), changes.column("count").to_pylist(), strict=True
        ):
            sums[key] = sums.get(key, 0) + count
        keys = list(sums)
        current = store.read(table, {n: [k[i] for k in keys] for i, n in enumerate(by)})
        stored = current.column("count").to_pylist()
        found = zip(*(current.column(name).to_pylist() for name in by), strict=True)
        for key, count in zip(found, stored, strict=True):
            sums[key] += count
        rows = pa.table(
            {
                **{
                    n: pa.array([k[i] for k in keys], changes.schema.field(n).type)
                    for i, n in enumerate(by)
                },
                "count": pa.array(list(sums.values()), pa.int64()),
            }
        )
    zero = pc.less_equal(rows.column("count"), 0)
    gone = rows.filter(zero)
    with store.transaction():
        store.upsert(table, rows.filter(pc.invert(zero)))
        if gone.num_rows:
            store.delete(table, {name: gone.column(name) for name in by})
