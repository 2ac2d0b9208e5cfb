r"""Vectorized Arrow helpers shared by the connectors: text columns, JSON text, maps, times.

Everything here works on whole columns with ``pyarrow.compute``; Python runs only over
*distinct* values (the fallback of :func:`parse_timestamps`) or over rows already rejected.

Examples:
    >>> import pyarrow as pa
    >>> to_json_text(pa.array([{"a": 1, "b": "x"}, {"a": None, "b": 'say "hi"'}])).to_pylist()
    ['{"a":1,"b":"x"}', '{"b":"say \\"hi\\""}']
    >>> build_map({"email": pa.array(["a@x.jp", None]), "user_id": pa.array(["u1", "u2"])},
    ...           pa.string()).to_pylist()
    [[('email', 'a@x.jp'), ('user_id', 'u1')], [('user_id', 'u2')]]
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = [
    "TIMESTAMP",
    "as_text_batch",
    "build_flag_list",
    "build_list",
    "build_map",
    "clean_text",
    "parse_timestamps",
    "to_json_text",
]

TIMESTAMP = pa.timestamp("us", tz="UTC")

_ISO_ZONED = r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}(:?\d{2})?)$"
_ISO_NAIVE = r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?)?$"
_SPACED_OFFSET = r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} [+-]\d{4}$"
_NEEDS_ESCAPE = r'["\\\x00-\x1f]'  # what a JSON string literal must escape
_SLASHED = r"^\d{4}/\d{1,2}/\d{1,2}( \d{1,2}:\d{2}(:\d{2})?)?$"


def _escape_json_string(values: pa.Array) -> pa.Array:
    """Return JSON string literals (quoted, escaped) for a string array; nulls stay null."""
    text = values
    if not pc.any(pc.match_substring_regex(text, _NEEDS_ESCAPE)).as_py():  # the usual case
        return pc.binary_join_element_wise('"', text, '"', "")
    for raw, escaped in (
        ("\\", "\\\\"),
        ('"', '\\"'),
        ("\n", "\\n"),
        ("\r", "\\r"),
        ("\t", "\\t"),
        ("\b", "\\b"),
        ("\f", "\\f"),
    ):
        text = pc.replace_substring(text, raw, escaped)
    # Other C0 controls are vanishingly rare in customer data and cannot be escaped one by
    # one with RE2; they become U+FFFD so the text stays valid JSON.
    text = pc.replace_substring_regex(text, r"[\x00-\x1f]", "\ufffd")
    return pc.binary_join_element_wise('"', text, '"', "")


#: From this many strings, JSON text escapes each distinct value once.
_DISTINCT_FROM = 1024


def to_json_text(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Serialize any Arrow array (structs, lists, scalars) to JSON text, column-wise.

    Null struct members are omitted, so sparse objects stay small; a null value gives a
    null result (not the text ``null``) at the top level.
    """
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    kind = values.type
    if pa.types.is_struct(kind):
        # Each present member renders as ',"key":value' and absent ones as ''; all are
        # joined in one pass and the leading comma is cut. (binary_join_element_wise's
        # "skip" mode drops all-null rows in some pyarrow releases, so it is avoided.)
        members = []
        for index in range(kind.num_fields):
            child_json = to_json_text(pc.struct_field(values, [index]))
            key = "," + json.dumps(kind.field(index).name, ensure_ascii=False) + ":"
            members.append(pc.fill_null(pc.binary_join_element_wise(key, child_json, ""), ""))
        if not members:
            body = pa.array([""] * len(values), pa.string())
        else:
            body = pc.binary_join_element_wise(*members, "")
            body = pc.utf8_slice_codeunits(body, 1)  # the first member's comma
        text = pc.binary_join_element_wise("{", body, "}", "")
        return pc.if_else(values.is_null(), pa.scalar(None, pa.string()), text)
    if pa.types.is_list(kind) or pa.types.is_large_list(kind):
        flat_json = to_json_text(pc.list_flatten(values))
        flat_json = pc.fill_null(flat_json, "null")
        offsets = pc.list_value_length(values).fill_null(0).to_numpy(zero_copy_only=False)
        bounds = np.concatenate([[0], np.cumsum(offsets)]).astype(np.int32)
        nested = pa.ListArray.from_arrays(pa.array(bounds), flat_json)
        body = pc.binary_join(nested, ",")
        text = pc.binary_join_element_wise("[", body, "]", "")
        return pc.if_else(values.is_null(), pa.scalar(None, pa.string()), text)
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        strings = values.cast(pa.string())
        if len(strings) < _DISTINCT_FROM:
            return _escape_json_string(strings)
        # Each distinct value escaped once (sources, fields, rules repeat a lot).
        encoded = strings.dictionary_encode()
        return _escape_json_string(encoded.dictionary).take(encoded.indices)
    if pa.types.is_boolean(kind):
        return pc.if_else(values, "true", "false")
    if pa.types.is_integer(kind) or pa.types.is_floating(kind) or pa.types.is_decimal(kind):
        return values.cast(pa.string())
    if pa.types.is_null(kind):
        return pa.nulls(len(values), pa.string())
    return _escape_json_string(as_text(values))


def as_text(values: pa.Array | pa.ChunkedArray) -> pa.Array:
    """Return ``values`` as a string array: scalars cast, nested values as JSON text."""
    if isinstance(values, pa.ChunkedArray):
        values = values.combine_chunks()
    kind = values.type
    if pa.types.is_string(kind):
        return values
    if pa.types.is_large_string(kind) or pa.types.is_dictionary(kind):
        return values.cast(pa.string())
    if pa.types.is_struct(kind) or pa.types.is_list(kind) or pa.types.is_large_list(kind):
        return to_json_text(values)
    if pa.types.is_timestamp(kind):
        utc = values if kind.tz else pc.assume_timezone(values, "UTC")
        return pc.strftime(utc.cast(TIMESTAMP), format="%Y-%m-%dT%H:%M:%SZ", locale="C")
    if pa.types.is_date(kind):
        return pc.strftime(values, format="%Y-%m-%d", locale="C")
    if pa.types.is_binary(kind) or pa.types.is_large_binary(kind):
        return values.cast(pa.string())
    if pa.types.is_boolean(kind):
        return pc.if_else(values, "true", "false")
    return values.cast(pa.string())


def clean_text(values: pa.Array) -> pa.Array:
    """Trim surrounding whitespace (incl. full-width spaces); empty strings become null."""
    trimmed = pc.utf8_trim(values, " \t\r\n\u3000\u00a0")
    return pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed)


def _flatten_structs(batch: pa.RecordBatch) -> pa.RecordBatch:
    if not any(pa.types.is_struct(f.type) for f in batch.schema):
        return batch
    table = pa.Table.from_batches([batch])
    while any(pa.types.is_struct(f.type) for f in table.schema):
        table = table.flatten()
    return pa.RecordBatch.from_arrays(
        [column.combine_chunks() for column in table.columns], names=table.column_names
    )


def as_text_batch(
    data: pa.RecordBatch | pa.Table, *, json_columns: Sequence[str] = ()
) -> pa.RecordBatch:
    """Turn any batch into a batch of cleaned string columns, nested objects dotted.

    Struct columns are flattened to ``parent.child`` columns, except those named in
    ``json_columns``, which are kept whole as JSON text; list columns become JSON text.
    """
    if isinstance(data, pa.Table):
        data = data.combine_chunks().to_batches()[0] if data.num_rows else _empty_batch(data)
    keep_json = set(json_columns)
    kept = {
        name: to_json_text(data.column(name)) for name in data.schema.names if name in keep_json
    }
    rest = pa.RecordBatch.from_arrays(
        [data.column(n) for n in data.schema.names if n not in keep_json],
        names=[n for n in data.schema.names if n not in keep_json],
    )
    flat = _flatten_structs(rest)
    columns: dict[str, pa.Array] = {}
    for name in data.schema.names:
        if name in kept:
            columns[name] = clean_text(kept[name])
    for name, column in zip(flat.schema.names, flat.columns, strict=True):
        columns[name] = clean_text(as_text(column))
    return pa.RecordBatch.from_arrays(list(columns.values()), names=list(columns))


def _empty_batch(table: pa.Table) -> pa.RecordBatch:
    return pa.RecordBatch.from_arrays(
        [pa.array([], f.type) for f in table.schema], schema=table.schema
    )


def build_list(columns: Sequence[pa.Array], value_type: pa.DataType | None = None) -> pa.Array:
    """Row-wise list of the non-null values of several equally long columns."""
    if not columns:
        raise ValueError("build_list needs at least one column")  # noqa: EM101 - internal misuse
    value_type = value_type or pa.string()
    length = len(columns[0])
    if length == 0:
        return pa.array([], pa.list_(value_type))
    valid = np.zeros((length, len(columns)), dtype=bool)
    for index, column in enumerate(columns):
        valid[:, index] = column.is_valid().to_numpy(zero_copy_only=False)
    counts = valid.sum(axis=1)
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
    # Interleave row-major so each row's values are contiguous, then drop the nulls.
    order = np.flatnonzero(valid.reshape(-1))
    interleaved = _interleave(columns, value_type)
    flat = interleaved.take(pa.array(order, pa.int64()))
    return pa.ListArray.from_arrays(pa.array(offsets), flat)


def _interleave(columns: Sequence[pa.Array], value_type: pa.DataType) -> pa.Array:
    """Row-major interleaving of k columns: row0col0, row0col1, …, row1col0, ….

    Args:
        columns: Equally long arrays.
        value_type: Type to cast them to.
    """
    length, width = len(columns[0]), len(columns)
    joined = pa.concat_arrays([c.cast(value_type) for c in columns])
    index = (np.arange(width)[None, :] * length + np.arange(length)[:, None]).reshape(-1)
    return joined.take(pa.array(index, pa.int64()))


def build_map(
    columns: Mapping[str, pa.Array], value_type: pa.DataType, length: int = -1
) -> pa.Array:
    """Row-wise ``map<string, value_type>`` of the non-null values of named columns."""
    names = list(columns)
    if length < 0:
        length = len(next(iter(columns.values()))) if columns else 0
    map_type = pa.map_(pa.string(), value_type)
    if not names:
        return pa.array([[]] * length, map_type) if length else pa.array([], map_type)
    arrays = [columns[n] for n in names]
    valid = np.stack([a.is_valid().to_numpy(zero_copy_only=False) for a in arrays], axis=1)
    order = pa.array(np.flatnonzero(valid.reshape(-1)), pa.int64())
    offsets = np.concatenate([[0], np.cumsum(valid.sum(axis=1))]).astype(np.int32)
    keys = pa.array(np.tile(np.array(names, dtype=object), length), pa.string()).take(order)
    items = _interleave(arrays, value_type).take(order)
    return pa.MapArray.from_arrays(pa.array(offsets), keys, items)


def build_flag_list(flags: Mapping[str, pa.Array], length: int) -> pa.Array:
    """Row-wise list of the flag names whose boolean column is true."""
    if not flags:
        return (
            pa.array([[]] * length, pa.list_(pa.string()))
            if length
            else pa.array([], pa.list_(pa.string()))
        )
    labelled = [
        pc.if_else(pc.fill_null(mask, False), name, pa.scalar(None, pa.string()))
        for name, mask in flags.items()
    ]
    return build_list(labelled)


def _cast_utc(values: pa.Array, timezone: str) -> pa.Array:
    """Cast ISO strings to UTC timestamps; zoned ones directly, naive ones in ``timezone``."""
    zoned = pc.match_substring_regex(values, _ISO_ZONED)
    naive = pc.match_substring_regex(values, _ISO_NAIVE)
    null_text = pa.scalar(None, pa.string())
    from_zoned = pc.if_else(zoned, values, null_text).cast(TIMESTAMP)
    naive_ts = pc.if_else(naive, pc.replace_substring(values, "T", " "), null_text).cast(
        pa.timestamp("us")
    )
    from_naive = pc.assume_timezone(naive_ts, timezone, ambiguous="earliest", nonexistent="latest")
    return pc.coalesce(from_zoned, from_naive.cast(TIMESTAMP))


def _python_fallback(values: pa.Array, fmt: str | None, timezone: str) -> pa.Array:
    """Parse the distinct values Arrow could not, with :mod:`datetime` (slow path)."""
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(timezone)
    distinct = pc.unique(values).drop_null().to_pylist()
    parsed: list[datetime | None] = []
    for text in distinct:
        try:
            value = datetime.strptime(text, fmt) if fmt else datetime.fromisoformat(text)
        except ValueError:
            parsed.append(None)
            continue
        value = value.replace(tzinfo=zone) if value.tzinfo is None else value
        parsed.append(value.astimezone(UTC))
    lookup = pa.array(parsed, TIMESTAMP)
    return lookup.take(pc.index_in(values, pa.array(distinct, pa.string())))


def parse_timestamps(values: pa.Array, fmt: str | None = None, timezone: str = "UTC") -> pa.Array:
    """Parse text to ``timestamp[us, UTC]``; values that do not parse become null.

    Args:
        values: String array.
        fmt: ``None`` for ISO 8601 and common export variants
            (``2024-05-01T09:30:00.000Z``, ``2024-05-01 09:30:00 +0900``, ``2024/05/01``);
            ``"epoch_ms"`` / ``"epoch_s"`` for Unix times; otherwise a strptime format.
        timezone: Zone of values that carry none (``"Asia/Tokyo"`` for many JP exports).

    Examples:
        >>> import pyarrow as pa
        >>> parse_timestamps(pa.array(["2024-05-01T00:30:00Z", "2024-05-01 09:30:00 +0900",
        ...                            "nope", None])).to_pylist()[:2] == [
        ...     datetime(2024, 5, 1, 0, 30, tzinfo=UTC)] * 2
        True
    """
    values = values.cast(pa.string())
    if fmt in ("epoch_ms", "epoch_s"):
        numeric = pc.match_substring_regex(values, r"^-?\d{1,16}$")
        digits = pc.if_else(numeric, values, pa.scalar(None, pa.string())).cast(pa.int64())
        unit = "ms" if fmt == "epoch_ms" else "s"
        return digits.cast(pa.timestamp(unit, tz="UTC")).cast(TIMESTAMP)
    if fmt is not None:
        parsed = pc.strptime(values, format=fmt, unit="us", error_is_null=True)
        if parsed.type.tz is None:
            parsed = pc.assume_timezone(
                parsed, timezone, ambiguous="earliest", nonexistent="latest"
            )
        parsed = parsed.cast(TIMESTAMP)
    else:
        spaced = pc.match_substring_regex(values, _SPACED_OFFSET)
        slashed = pc.match_substring_regex(values, _SLASHED)
        null_text = pa.scalar(None, pa.string())
        try:
            parsed = _cast_utc(values, timezone)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            parsed = _python_fallback(values, None, timezone)
        with_offset = pc.strptime(
            pc.if_else(spaced, values, null_text),
            format="%Y-%m-%d %H:%M:%S %z",
            unit="us",
            error_is_null=True,
        ).cast(TIMESTAMP)
        parsed = pc.coalesce(parsed, with_offset)
        if pc.any(slashed).as_py():
            padded = pc.replace_substring_regex(
                pc.if_else(slashed, values, null_text), r"/(\d)(/|$| )", "/0\\1\\2"
            )
            padded = pc.replace_substring_regex(padded, r"/(\d)(/|$| )", "/0\\1\\2")
            dashed = pc.replace_substring(padded, "/", "-")
            parsed = pc.coalesce(parsed, _cast_utc(dashed, timezone))
    missing = pc.and_(values.is_valid(), parsed.is_null())
    if fmt is not None and pc.any(missing).as_py():
        # strptime's %z/%f support differs between platforms; let Python try the rest.
        rest = pc.if_else(missing, values, pa.scalar(None, pa.string()))
        parsed = pc.coalesce(parsed, _python_fallback(rest, fmt, timezone))
    return parsed
