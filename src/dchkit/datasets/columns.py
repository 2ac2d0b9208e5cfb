"""Vectorized column builders: ids, timestamps, joins and choices over Arrow arrays."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = [
    "digits",
    "increasing_ids",
    "iso_utc",
    "join",
    "local_time",
    "null_where",
    "pick",
    "salesforce_ids",
    "strings",
    "uuids",
]


def join(*parts: pa.Array | str, sep: str = "") -> pa.Array:
    """Concatenate string arrays (or scalars) row by row; a null part gives null."""
    return pc.binary_join_element_wise(*parts, sep)


def digits(values: np.ndarray, width: int = 0) -> pa.Array:
    """Decimal strings of non-negative integers, zero-padded to ``width``."""
    text = pa.array(values.astype(np.int64)).cast(pa.string())
    return pc.utf8_lpad(text, width=width, padding="0") if width else text


def pick(codes: np.ndarray, options: Sequence[pa.Array]) -> pa.Array:
    """Row ``i`` of the result is row ``i`` of ``options[codes[i]]``."""
    if len(options) == 1:
        return options[0]
    return pc.choose(pa.array(codes.astype(np.int8)), *options)


def null_where(values: pa.Array, mask: np.ndarray) -> pa.Array:
    """Return ``values`` with the rows where ``mask`` holds set to null."""
    if not mask.any():
        return values
    return pc.if_else(pa.array(mask), pa.scalar(None, values.type), values)


def _naive_text(seconds: np.ndarray, millis: bool) -> pa.Array:
    unit = "ms" if millis else "s"
    values = seconds.astype("datetime64[s]").astype(f"datetime64[{unit}]")
    return pa.array(values).cast(pa.string())


def iso_utc(seconds: np.ndarray, *, millis: bool = False) -> pa.Array:
    """ISO 8601 UTC text with a ``Z``: ``2024-05-01T09:30:00Z`` (or ``…:00.000Z``)."""
    text = pc.utf8_replace_slice(_naive_text(seconds, millis), 10, 11, "T")
    return join(text, "Z")


def local_time(seconds: np.ndarray, offset_hours: int) -> pa.Array:
    """Shopify-style local time with offset: ``2024-05-01 18:30:00 +0900``."""
    sign = "+" if offset_hours >= 0 else "-"
    suffix = f" {sign}{abs(offset_hours):02d}00"
    return join(_naive_text(seconds + offset_hours * 3600, False), suffix)


def increasing_ids(rng: np.random.Generator, n: int, start: int, max_gap: int) -> np.ndarray:
    """Unique ids that grow with creation order, with random gaps (as real systems hand out)."""
    return start + np.cumsum(rng.integers(1, max_gap + 1, size=n, dtype=np.int64))


_BASE62 = np.frombuffer(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", np.uint8)
_CHECKSUM = np.frombuffer(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345", np.uint8)
_HEX = np.frombuffer(b"0123456789abcdef", np.uint8)


def _as_strings(chars: np.ndarray) -> pa.Array:
    width = chars.shape[1]
    raw = np.ascontiguousarray(chars).view(f"S{width}").ravel()
    return pa.array(raw, pa.binary(width)).cast(pa.string())


def salesforce_ids(rng: np.random.Generator, n: int, prefix: str = "003") -> pa.Array:
    """18-character Salesforce ids (key prefix, pod, increasing serial, case checksum)."""
    serial = increasing_ids(rng, n, int(rng.integers(62**6 // 8)), 40)
    chars = np.empty((n, 18), np.uint8)
    head = np.frombuffer((prefix + "5g0000").encode(), np.uint8)
    chars[:, : len(head)] = head
    value = serial.copy()
    for pos in range(14, len(head) - 1, -1):
        chars[:, pos] = _BASE62[value % 62]
        value //= 62
    upper = (chars[:, :15] >= ord("A")) & (chars[:, :15] <= ord("Z"))
    bits = upper.reshape(n, 3, 5) * (1 << np.arange(5))
    chars[:, 15:] = _CHECKSUM[bits.sum(axis=2)]
    return _as_strings(chars)


def uuids(rng: np.random.Generator, n: int) -> pa.Array:
    """Random version-4 UUID strings."""
    raw = rng.integers(0, 256, size=(n, 16), dtype=np.uint8)
    raw[:, 6] = (raw[:, 6] & 0x0F) | 0x40
    raw[:, 8] = (raw[:, 8] & 0x3F) | 0x80
    hexed = np.empty((n, 32), np.uint8)
    hexed[:, 0::2] = _HEX[raw >> 4]
    hexed[:, 1::2] = _HEX[raw & 0x0F]
    chars = np.full((n, 36), ord("-"), np.uint8)
    for start, stop, at in ((0, 8, 0), (8, 12, 9), (12, 16, 14), (16, 20, 19), (20, 32, 24)):
        chars[:, at : at + stop - start] = hexed[:, start:stop]
    return _as_strings(chars)


def strings(values: np.ndarray | list[str | None], type_: pa.DataType | None = None) -> pa.Array:
    """An Arrow string array from numpy text drawn from a small set of values.

    Large numpy unicode arrays convert slowly (per element) and pyarrow may chunk them, so
    they are factorized first: a vectorized hash of the code points finds the distinct
    values, which are converted once and taken (checked exactly, no hash collision kept).
    """
    if isinstance(values, np.ndarray) and values.dtype.kind == "U" and values.size > 4096:
        points = np.ascontiguousarray(values).view(np.uint32).reshape(len(values), -1)
        key = np.zeros(len(values), np.uint64)
        for column in points.T:
            key = key * np.uint64(1_000_003) + column
        _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
        distinct = values[first]
        if np.array_equal(distinct[inverse], values):
            return pa.array(distinct.tolist(), pa.string()).take(pa.array(inverse.astype(np.int64)))
    array = pa.array(values, type_ or pa.string())
    return array.combine_chunks() if isinstance(array, pa.ChunkedArray) else array
