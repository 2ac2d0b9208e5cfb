"""64-bit hashes of strings, computed column-wise with numpy (no Python loop per value).

Shared by the layers: the connectors find ids already read by their hash
(``dchkit.connectors.seen``), and the store keeps its blocking-key index as hashes of
``(rule, key)`` pairs (``dchkit.store.lookup``). Stored hashes outlive the process, so the
functions here are part of the file format: the same text gives the same hash on every
platform and in every version. ``tests/unit/test_hashing.py`` pins some values; a change
that moves them needs a store migration.

Equal strings have equal hashes; different strings almost never do (about one pair in
2**64), and a caller that must be exact compares the texts of a hit.

Examples:
    >>> import pyarrow as pa
    >>> hashes = hash_strings(pa.array(["taro", "hanako", "taro"]))
    >>> bool(hashes[0] == hashes[2]), bool(hashes[0] == hashes[1])
    (True, False)
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["hash_pairs", "hash_strings"]

_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)
_LENGTH_MIX = np.uint64(0xBF58476D1CE4E5B9)
_FINAL_MIX = np.uint64(0x94D049BB133111EB)

Hashes = npt.NDArray[np.uint64]


def _word_powers(count: int) -> Hashes:
    """``_MULTIPLIER ** (k + 1)`` modulo 2**64 for ``k < count``."""
    return np.cumprod(np.full(max(count, 1), _MULTIPLIER, dtype=np.uint64), dtype=np.uint64)


def _byte_weights(count: int) -> Hashes:
    """The weight of the byte at position ``i < count`` of a string (see :func:`hash_strings`)."""
    positions = np.arange(count)
    shifts = (8 * (positions % 8)).astype(np.uint64)
    weights = (np.uint64(1) << shifts) * _word_powers(count // 8 + 1)[positions // 8]
    return np.asarray(weights, dtype=np.uint64)


_WEIGHTS = _byte_weights(256)


def _finish(sums: Hashes, lengths: npt.NDArray[np.integer]) -> Hashes:
    """``sums`` mixed with the lengths, through SplitMix64's finalizer."""
    return _mix(sums ^ (lengths.astype(np.uint64) * _LENGTH_MIX))


def _mix(values: Hashes) -> Hashes:
    """SplitMix64's finalizer (a new array)."""
    hashes = values ^ (values >> np.uint64(31))
    hashes *= _FINAL_MIX
    hashes ^= hashes >> np.uint64(29)
    return np.asarray(hashes, dtype=np.uint64)


def hash_strings(values: pa.Array) -> Hashes:
    """A 64-bit hash of each string's UTF-8 bytes (nulls hash as the empty string).

    The string, zero-padded to whole 8-byte little-endian words ``w_k``, hashes as
    ``sum(w_k * M**(k + 1))`` modulo 2**64, mixed with its length and finished with
    SplitMix64's mixer. Where every string has the same length (UUIDs, fixed-width ids)
    the words are read directly; otherwise each byte is weighted by its place in its
    word and word, which is the same sum.
    """
    values = values.cast(pa.string()) if values.type != pa.string() else values
    count = len(values)
    if not count:
        return np.zeros(0, np.uint64)
    offsets = np.frombuffer(values.buffers()[1], np.int32)[
        values.offset : values.offset + count + 1
    ]
    if offsets[-1] - offsets[0] <= _CHUNK_BYTES:
        return _hash_chunk(values)
    # A slice at a time: the per-byte arrays stay small (fast to allocate, in cache).
    bounds = np.searchsorted(offsets, np.arange(offsets[0], offsets[-1], _CHUNK_BYTES))
    bounds = np.unique(np.r_[bounds.clip(0, count), count])
    bounds = bounds[bounds > 0]
    parts, start = [], 0
    for stop in bounds.tolist():
        parts.append(_hash_chunk(values.slice(start, stop - start)))
        start = stop
    return np.concatenate(parts)


#: Bytes of strings hashed at a time (bounds the size of the per-byte work arrays).
_CHUNK_BYTES = 1 << 20


def _hash_chunk(values: pa.Array) -> Hashes:
    """:func:`hash_strings` of a string array in one pass."""
    global _WEIGHTS
    count = len(values)
    buffers = values.buffers()
    offsets = np.frombuffer(buffers[1], np.int32)[values.offset : values.offset + count + 1]
    offsets = offsets.astype(np.int64)
    spans = np.diff(offsets)
    lengths = spans
    if values.null_count:  # a null's slot may hold bytes: hash it as ""
        lengths = np.where(values.is_valid().to_numpy(zero_copy_only=False), spans, 0)
    total = int(offsets[-1] - offsets[0])
    data = (
        np.frombuffer(buffers[2], np.uint8)[offsets[0] : offsets[-1]]
        if buffers[2] is not None and total
        else np.zeros(0, np.uint8)
    )
    width = int(spans[0])
    if not values.null_count and (spans == width).all():  # fixed width: whole words
        words = -(-width // 8)
        padded = np.zeros((count, words * 8), np.uint8)
        padded[:, :width] = data.reshape(count, width)
        packed = padded.view("<u8").astype(np.uint64)
        sums = (packed * _word_powers(words)).sum(axis=1, dtype=np.uint64)
        return _finish(sums, lengths)
    longest = int(spans.max())
    if longest > len(_WEIGHTS):
        _WEIGHTS = _byte_weights(longest)
    starts = offsets[:-1] - offsets[0]
    position = np.arange(total, dtype=np.int64) - np.repeat(starts, spans)
    terms = data.astype(np.uint64) * _WEIGHTS[position]
    running = np.zeros(total + 1, np.uint64)
    np.cumsum(terms, out=running[1:])
    return _finish(running[starts + lengths] - running[starts], lengths)


def hash_pairs(first: pa.Array, second: pa.Array) -> Hashes:
    """A 64-bit hash of each ``(first, second)`` pair of strings, row by row.

    The pair's two string hashes are combined (the first multiplied by an odd constant,
    so ``(a, b)`` and ``(b, a)`` differ) and mixed again. A column with few distinct
    values (a rule label) is hashed once per distinct value.
    """
    if len(first) != len(second):
        msg = f"hash_pairs takes columns of one length, got {len(first)} and {len(second)}"
        raise ValueError(msg)
    return _mix(_few_distinct(first) * _MULTIPLIER + hash_strings(second))


def _few_distinct(values: pa.Array) -> Hashes:
    """:func:`hash_strings` by way of the distinct values (cheap for a label column)."""
    encoded = pc.fill_null(values.cast(pa.string()), "").dictionary_encode()
    hashed = hash_strings(encoded.dictionary)
    return np.asarray(hashed[encoded.indices.to_numpy(zero_copy_only=False)], np.uint64)
