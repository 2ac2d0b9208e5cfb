r"""JSON Lines (one object a line) and JSON array files.

JSON Lines files stream: lines are cut with numpy, each block is parsed by pyarrow's JSON
reader, nested objects become dotted columns (``via.channel``) unless the mapping lists them
in ``json_columns`` (then they stay whole, as JSON text), lists become JSON text. A block
with a bad line (or values whose type changes between lines) is parsed again line by line
in Python — that block only — and each bad line becomes an ``invalid_json`` reject with its
line number. Blank lines are skipped and not counted.

JSON array files (``[{…}, {…}]``, or ``{"users": [{…}]}`` with ``records_path="users"``) are
loaded whole; prefer JSON Lines for large exports.

Examples:
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "users.jsonl"
    >>> _ = path.write_text('{"id": 1, "email": "A@x.jp", "via": {"channel": "web"}}\n'
    ...                     '{"id": 2, "email": \n', encoding="utf-8")
    >>> conn = JsonLinesConnector(path, source="support",
    ...     mapping={"records": {"id": "id", "emails": "email"}})
    >>> res = conn.read_all()
    >>> res.records.column("attributes").to_pylist(), res.rejects.column("row_number").to_pylist()
    ([[('via.channel', 'web')]], [2])
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pajson

from dchkit.connectors.arrowutil import as_text_batch
from dchkit.connectors.base import BaseConnector, MappingLike
from dchkit.connectors.mapper import OnError, RawBatch
from dchkit.connectors.rejects import reject_batch
from dchkit.connectors.textio import MARK, Utf8Stream, detect_encoding
from dchkit.errors import SourceReadError

__all__ = ["JsonConnector", "JsonLinesConnector", "flatten_object"]

# Bytes read at a time: ~50k lines of a typical export, so batches come near batch_size.
_CHUNK = 1 << 24


def flatten_object(
    obj: dict[str, Any], json_columns: Sequence[str] = (), prefix: str = ""
) -> dict[str, str | None]:
    """Flatten one JSON object to dotted text columns (the slow path for odd lines).

    Examples:
        >>> flatten_object({"id": 7, "via": {"channel": "web"}, "tags": ["a"], "ok": True})
        {'id': '7', 'via.channel': 'web', 'tags': '["a"]', 'ok': 'true'}
    """
    flat: dict[str, str | None] = {}
    for key, value in obj.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and name not in json_columns:
            flat.update(flatten_object(value, json_columns, prefix=f"{name}."))
        elif isinstance(value, dict | list):
            flat[name] = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        elif isinstance(value, bool):
            flat[name] = "true" if value else "false"
        elif value is None:
            flat[name] = None
        else:
            text = str(value).strip()
            flat[name] = text or None
    return flat


def _text_batch(rows: list[dict[str, str | None]]) -> pa.RecordBatch:
    names: dict[str, None] = {}
    for row in rows:
        names.update(dict.fromkeys(row))
    return pa.RecordBatch.from_pydict(
        {n: pa.array([row.get(n) for row in rows], pa.string()) for n in names}
    )


def _joined_lines(lines: pa.Array) -> pa.Buffer:
    """The lines as one UTF-8 buffer, each ended by a newline (no copy through Python)."""
    ended = pa.concat_arrays([lines.cast(pa.string()), pa.array([""], pa.string())])
    joined = pc.binary_join(
        pa.ListArray.from_arrays(pa.array([0, len(ended)], pa.int32()), ended), "\n"
    )
    offsets = np.frombuffer(joined.buffers()[1], dtype=np.int32)[joined.offset :]
    start, stop = int(offsets[0]), int(offsets[1])
    return joined.buffers()[2].slice(start, stop - start)


class JsonLinesConnector(BaseConnector):
    """Read a JSON Lines file (see the module docs).

    Args:
        path: The file.
        encoding: ``"auto"`` (default) or a codec name; lines with undecodable bytes are
            rejected (``encoding``).
        json_columns: Nested objects to keep as JSON text (default: the mapping's).
        **options: See :class:`~dchkit.connectors.base.BaseConnector`.
    """

    name: ClassVar[str] = "jsonl"
    read_ahead: ClassVar[bool] = True

    def __init__(
        self,
        path: str | Path,
        *,
        source: str | None = None,
        mapping: MappingLike | None = None,
        preset: str | None = None,
        on_error: OnError = "collect",
        default_region: str | None = None,
        batch_size: int = 65_536,
        encoding: str = "auto",
        json_columns: Sequence[str] = (),
    ) -> None:
        super().__init__(
            source=source,
            mapping=mapping,
            preset=preset,
            on_error=on_error,
            default_region=default_region,
            batch_size=batch_size,
        )
        self.path = Path(path)
        self.encoding = encoding
        self.json_columns = self._json_columns(json_columns)

    def _stream(self) -> Utf8Stream:
        try:
            handle = self.path.open("rb")
        except OSError as err:
            msg = f"cannot open {self.path}: {err.strerror or err}"
            raise SourceReadError(
                msg,
                fix="check the path and permissions",
                source=self.source,
                location=str(self.path),
            ) from err
        encoding = self.encoding
        if encoding == "auto":
            encoding = detect_encoding(handle.read(1 << 20))
            handle.seek(0)
        return Utf8Stream(handle, encoding)

    def _lines(self) -> Iterator[tuple[pa.Array, np.ndarray]]:
        """Yield (line texts, 1-based line numbers) in blocks of at most batch_size lines."""
        line_number = 0
        carry = b""
        with self._stream() as stream:
            while True:
                chunk = stream.read(_CHUNK)
                data = carry + chunk
                if not chunk:
                    if not data:
                        return
                    if not data.endswith(b"\n"):
                        data += b"\n"
                    cut = len(data)
                else:
                    cut = data.rfind(b"\n") + 1
                    if cut == 0:
                        carry = data
                        continue
                body, carry = data[:cut], data[cut:]
                buffer = np.frombuffer(body, dtype=np.uint8)
                ends = np.flatnonzero(buffer == 10)
                starts = np.concatenate([[0], ends[:-1] + 1])
                offsets = np.empty(len(ends) + 1, dtype=np.int32)
                offsets[0] = 0
                offsets[1:] = ends + 1
                lines = pa.StringArray.from_buffers(
                    len(ends), pa.py_buffer(offsets.tobytes()), pa.py_buffer(body)
                )
                lines = pc.utf8_trim_whitespace(lines)
                numbers = np.arange(line_number + 1, line_number + len(ends) + 1)
                line_number += len(ends)
                del starts
                for start in range(0, len(lines), self.batch_size):
                    yield (
                        lines.slice(start, self.batch_size),
                        numbers[start : start + self.batch_size],
                    )
                if not chunk:
                    return

    def _parse(self, lines: pa.Array, numbers: np.ndarray) -> RawBatch:
        location = str(self.path)
        keep = pc.greater(pc.utf8_length(lines), 0)
        lines, numbers = lines.filter(keep), numbers[keep.to_numpy(zero_copy_only=False)]
        marked = pc.fill_null(pc.match_substring(lines, MARK), False)
        rejects: list[pa.RecordBatch] = []
        if pc.any(marked).as_py():
            bad = marked.to_numpy(zero_copy_only=False)
            rejects.append(
                reject_batch(
                    self.source,
                    location=location,
                    row_numbers=numbers[bad].tolist(),
                    raw=lines.filter(marked).to_pylist(),
                    reasons=[
                        "encoding: bytes not valid in the file's encoding (marked \\ufffd\\xNN in raw); "
                        "re-export the file as UTF-8"
                    ]
                    * int(bad.sum()),
                )
            )
            lines, numbers = lines.filter(pc.invert(marked)), numbers[~bad]
        data: pa.RecordBatch | None = None
        if len(lines):
            payload = _joined_lines(lines)
            try:
                table = pajson.read_json(
                    pa.BufferReader(payload),
                    read_options=pajson.ReadOptions(
                        use_threads=False, block_size=max(1 << 20, payload.size + 1)
                    ),
                )
                if table.num_rows == len(lines):
                    data = as_text_batch(table, json_columns=self.json_columns)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                data = None
            if data is None:
                data, lines, numbers, bad_rows = self._slow(lines, numbers)
                if bad_rows is not None:
                    rejects.append(bad_rows)
        if data is None:
            data = pa.RecordBatch.from_pydict({})
        rejected = None
        if rejects:
            rejected = rejects[0] if len(rejects) == 1 else pa.concat_batches(rejects)
        return RawBatch(
            data=data,
            row_numbers=pa.array(numbers, pa.int64()),
            location=location,
            raw=lines,
            rejects=rejected,
            fixed_schema=False,
        )

    def _slow(
        self, lines: pa.Array, numbers: np.ndarray
    ) -> tuple[pa.RecordBatch, pa.Array, np.ndarray, pa.RecordBatch | None]:
        """Parse a block line by line: only blocks with a bad or oddly typed line get here."""
        rows: list[dict[str, str | None]] = []
        good = np.zeros(len(lines), dtype=bool)
        bad_numbers: list[int] = []
        bad_raw: list[str | None] = []
        reasons: list[str] = []
        for index, text in enumerate(lines.to_pylist()):
            try:
                obj = json.loads(text)
            except json.JSONDecodeError as err:
                bad_numbers.append(int(numbers[index]))
                bad_raw.append(text)
                reasons.append(
                    f"invalid_json: {err.msg} at column {err.colno}; fix or remove the line"
                )
                continue
            if not isinstance(obj, dict):
                bad_numbers.append(int(numbers[index]))
                bad_raw.append(text)
                reasons.append(
                    f"invalid_json: the line is a JSON {type(obj).__name__}, not an object"
                )
                continue
            rows.append(flatten_object(obj, self.json_columns))
            good[index] = True
        rejects = (
            reject_batch(
                self.source,
                location=str(self.path),
                row_numbers=list(bad_numbers),
                raw=bad_raw,
                reasons=reasons,
            )
            if reasons
            else None
        )
        mask = pa.array(good)
        return _text_batch(rows), lines.filter(mask), numbers[good], rejects

    def read_raw(self) -> Iterator[RawBatch]:
        """Stream the file in blocks of at most ``batch_size`` lines."""
        produced = False
        for lines, numbers in self._lines():
            produced = True
            yield self._parse(lines, numbers)
        if not produced:
            yield RawBatch(
                data=pa.RecordBatch.from_pydict({}),
                row_numbers=pa.array([], pa.int64()),
                location=str(self.path),
                fixed_schema=False,
            )


class JsonConnector(JsonLinesConnector):
    """Read a JSON file holding an array of objects (loaded whole; see the module docs).

    Args:
        path: The file.
        records_path: Dotted key of the array inside a top-level object (``"users"``).
        **options: See :class:`JsonLinesConnector`.
    """

    name: ClassVar[str] = "json"

    def __init__(
        self, path: str | Path, *, records_path: str | None = None, **options: Any
    ) -> None:
        super().__init__(path, **options)
        self.records_path = records_path

    def read_raw(self) -> Iterator[RawBatch]:
        """Load the array and yield it in batches of ``batch_size`` objects."""
        location = str(self.path)
        with self._stream() as stream:
            text = stream.read().decode("utf-8")
        try:
            document = json.loads(text)
        except json.JSONDecodeError as err:
            msg = f"{location} is not valid JSON: {err.msg} at line {err.lineno}"
            raise SourceReadError(
                msg,
                fix="repair the file, or export JSON Lines",
                source=self.source,
                location=location,
            ) from err
        items: Any = document
        for key in (self.records_path or "").split("."):
            if key and isinstance(items, dict):
                items = items.get(key)
        if not isinstance(items, list):
            msg = (
                f"{location} holds no array of objects at {self.records_path or 'the top level'!r}"
            )
            raise SourceReadError(
                msg,
                fix="pass records_path= naming the array",
                source=self.source,
                location=location,
            )
        lines = pa.array(
            [json.dumps(item, ensure_ascii=False, separators=(",", ":")) for item in items],
            pa.string(),
        )
        numbers = np.arange(1, len(items) + 1)
        if not items:
            yield RawBatch(
                data=pa.RecordBatch.from_pydict({}),
                row_numbers=pa.array([], pa.int64()),
                location=location,
                fixed_schema=False,
            )
        for start in range(0, len(items), self.batch_size):
            yield self._parse(
                lines.slice(start, self.batch_size), numbers[start : start + self.batch_size]
            )
