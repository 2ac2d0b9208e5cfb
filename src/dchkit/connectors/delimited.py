r"""CSV (and TSV, semicolon, pipe) files, streamed with pyarrow's CSV reader.

- Encodings: UTF-8, UTF-8 with BOM, CP932/Shift_JIS (Japanese Excel), EUC-JP; by default
  detected from the first megabyte. Rows with bytes invalid in the encoding are rejected
  (``encoding``), never silently altered.
- Delimiter: sniffed from the header line when not given.
- Every column is read as text; empty cells are null. Quoted values may span lines
  (Shopify notes).
- Rows with the wrong number of cells go to rejects (``malformed_row``). pyarrow does not
  tell where such a row was, so its ``row_number`` is empty and its reason says after which
  data row it came; later rows' numbers count it.
- ``row_number`` is the spreadsheet row: the header is row 1, the first data row is row 2
  (exact when no value spans lines).

Examples:
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "contacts.csv"
    >>> _ = path.write_bytes("Id,Name,Email\n1,山田 太郎,taro@example.jp\n2,x\n".encode("cp932"))
    >>> conn = CsvConnector(path, source="crm", mapping={
    ...     "records": {"id": "Id", "full_name": "Name", "emails": "Email"}})
    >>> result = conn.read_all()
    >>> result.records.column("full_name").to_pylist(), result.report.rejects_by_reason
    (['山田 太郎'], {'malformed_row': 1})
"""

from __future__ import annotations

import csv as pycsv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from dchkit.connectors.arrowutil import clean_text
from dchkit.connectors.base import BaseConnector, MappingLike
from dchkit.connectors.mapper import OnError, RawBatch
from dchkit.connectors.rejects import reject_batch
from dchkit.connectors.textio import MARK, Utf8Stream, detect_encoding
from dchkit.errors import ConfigError, SourceReadError

__all__ = ["CsvConnector", "sniff_delimiter"]

_SAMPLE = 1 << 20
_DELIMITERS = (",", "\t", ";", "|")


def sniff_delimiter(header_line: str) -> str:
    r"""Pick the delimiter that occurs most often in the header line (``,`` on a tie).

    Examples:
        >>> sniff_delimiter("Id;Name;Email"), sniff_delimiter("Id\tName"), sniff_delimiter("Id")
        (';', '\t', ',')
    """
    counts = {d: header_line.count(d) for d in _DELIMITERS}
    best = max(_DELIMITERS, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def _unique(names: list[str]) -> list[str]:
    """Make header names unique (``Email``, ``Email.1``) and name blank ones (``column_3``)."""
    seen: dict[str, int] = {}
    result = []
    for index, raw in enumerate(names, start=1):
        name = raw.strip() or f"column_{index}"
        if name in seen:
            seen[name] += 1
            name = f"{name}.{seen[name]}"
        else:
            seen[name] = 0
        result.append(name)
    return result


class CsvConnector(BaseConnector):
    """Read a delimited text file (see the module docs).

    Args:
        path: The file.
        encoding: ``"auto"`` (default) or a Python codec name (``utf-8``, ``cp932`` …).
        delimiter: Cell separator; sniffed from the header when None.
        quote_char: Quote character (``"``); ``None`` for files without quoting.
        skip_rows: Lines to skip before the header (titles above a report's header).
        **options: See :class:`~dchkit.connectors.base.BaseConnector`.
    """

    name: ClassVar[str] = "csv"
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
        delimiter: str | None = None,
        quote_char: str | None = '"',
        skip_rows: int = 0,
    ) -> None:
        super().__init__(
            source=source,
            mapping=mapping,
            preset=preset,
            on_error=on_error,
            default_region=default_region,
            batch_size=batch_size,
        )
        if delimiter is not None and len(delimiter) != 1:
            msg = f"delimiter must be one character, got {delimiter!r}"
            raise ConfigError(msg, fix="use ',', ';', '\\t' or '|'")
        self.path = Path(path)
        self.encoding = encoding
        self.delimiter = delimiter
        self.quote_char = quote_char
        self.skip_rows = skip_rows

    # ----------------------------------------------------------------- helpers
    def _open(self, encoding: str) -> Utf8Stream:
        try:
            return Utf8Stream(self.path.open("rb"), encoding)
        except OSError as err:
            msg = f"cannot open {self.path}: {err.strerror or err}"
            raise SourceReadError(
                msg,
                fix="check the path and permissions",
                source=self.source,
                location=str(self.path),
            ) from err

    def _header(self, encoding: str) -> tuple[list[str], str, int]:
        """Header names, delimiter and an estimate of bytes per row, from a sample."""
        with self._open(encoding) as stream:
            sample = stream.read(_SAMPLE).decode("utf-8", errors="replace")
        lines = sample.splitlines()[self.skip_rows :]
        if not lines:
            return [], self.delimiter or ",", 100
        delimiter = self.delimiter or sniff_delimiter(lines[0])
        reader = pycsv.reader(
            io.StringIO("\n".join(lines[:2])),
            delimiter=delimiter,
            quotechar=self.quote_char or '"',
            quoting=pycsv.QUOTE_MINIMAL if self.quote_char else pycsv.QUOTE_NONE,
        )
        names = next(reader, [])
        if names and names[0].startswith("\ufeff"):
            names[0] = names[0][1:]
        per_row = max(16, len(sample.encode("utf-8")) // max(1, len(lines)))
        return _unique(names), delimiter, per_row

    def _malformed(self, invalid: list[Any], after_row: int, encoding: str) -> pa.RecordBatch:
        reasons = [
            f"malformed_row: expected {row.expected_columns} cells, found {row.actual_columns} "
            f"(in the block after data row {after_row}); check the delimiter and quotes of this line"
            for row in invalid
        ]
        return reject_batch(
            self.source,
            location=str(self.path),
            row_numbers=[None] * len(invalid),
            raw=[row.text for row in invalid],
            reasons=reasons,
        )

    def _split_encoding(
        self, data: pa.RecordBatch, numbers: pa.Array, encoding: str
    ) -> tuple[pa.RecordBatch, pa.Array, pa.RecordBatch | None]:
        """Move rows carrying the undecodable-bytes marker to rejects."""
        marked = pa.array(np.zeros(data.num_rows, dtype=bool))
        for column in data.columns:
            marked = pc.or_(marked, pc.fill_null(pc.match_substring(column, MARK), False))
        if not pc.any(marked).as_py():
            return data, numbers, None
        bad = data.filter(marked)
        raw_rows = (
            pc.binary_join_element_wise(
                *bad.columns, self.delimiter or ",", null_handling="replace", null_replacement=""
            )
            if bad.num_columns > 1
            else bad.column(0)
        )
        rejects = reject_batch(
            self.source,
            location=str(self.path),
            row_numbers=numbers.filter(marked).to_pylist(),
            raw=raw_rows.to_pylist(),
            reasons=[
                f"encoding: bytes not valid {encoding} (marked \\ufffd\\xNN in raw); the file "
                "mixes encodings: re-export it in one encoding or pass encoding=…"
            ]
            * bad.num_rows,
        )
        keep = pc.invert(marked)
        return data.filter(keep), numbers.filter(keep), rejects

    # -------------------------------------------------------------------- read
    def read_raw(self) -> Iterator[RawBatch]:
        """Stream the file in batches of at most ``batch_size`` rows."""
        encoding = self.encoding
        if encoding == "auto":
            try:
                with self.path.open("rb") as handle:
                    encoding = detect_encoding(handle.read(_SAMPLE))
            except OSError as err:
                msg = f"cannot open {self.path}: {err.strerror or err}"
                raise SourceReadError(
                    msg,
                    fix="check the path and permissions",
                    source=self.source,
                    location=str(self.path),
                ) from err
        names, delimiter, per_row = self._header(encoding)
        self.delimiter = delimiter
        location = str(self.path)
        if not names:
            empty = pa.RecordBatch.from_pydict({})
            yield RawBatch(
                data=empty,
                row_numbers=pa.array([], pa.int64()),
                location=location,
                fixed_schema=False,  # an empty file has no header to check the mapping against
            )
            return
        invalid: list[Any] = []

        def on_invalid(row: Any) -> str:
            invalid.append(row)
            return "skip"

        block_size = int(min(64 << 20, max(1 << 16, per_row * self.batch_size)))
        stream = self._open(encoding)
        try:
            reader = pacsv.open_csv(
                stream,
                read_options=pacsv.ReadOptions(
                    column_names=names, skip_rows=self.skip_rows + 1, block_size=block_size
                ),
                parse_options=pacsv.ParseOptions(
                    delimiter=delimiter,
                    quote_char=self.quote_char if self.quote_char else False,
                    newlines_in_values=True,
                    invalid_row_handler=on_invalid,
                ),
                convert_options=pacsv.ConvertOptions(
                    column_types=dict.fromkeys(names, pa.string()),
                    strings_can_be_null=True,
                    quoted_strings_can_be_null=True,
                    null_values=[""],
                ),
            )
        except (pa.ArrowInvalid, OSError) as err:
            stream.close()
            msg = f"cannot parse {location} as CSV: {err}"
            raise SourceReadError(
                msg, fix="check the delimiter and encoding", source=self.source, location=location
            ) from err
        next_row = 2 + self.skip_rows
        data_rows = 0
        yielded = False
        try:
            while True:
                try:
                    batch = reader.read_next_batch()
                except StopIteration:
                    break
                except pa.ArrowInvalid as err:
                    msg = f"{location} cannot be parsed past data row {data_rows}: {err}"
                    raise SourceReadError(
                        msg,
                        fix="the file is damaged from there on (an unbalanced quote?); repair it and read again",
                        source=self.source,
                        location=location,
                    ) from err
                pending = self._malformed(invalid, data_rows, encoding) if invalid else None
                skipped = len(invalid)
                invalid.clear()
                for start in range(0, max(batch.num_rows, 1), self.batch_size):
                    piece = batch.slice(start, self.batch_size)
                    numbers = pa.array(np.arange(next_row, next_row + piece.num_rows), pa.int64())
                    next_row += piece.num_rows
                    data_rows += piece.num_rows
                    cleaned = pa.RecordBatch.from_arrays(
                        [clean_text(c) for c in piece.columns], names=names
                    )
                    bad = None
                    if stream.marked:  # else no row read so far has a marked byte
                        cleaned, numbers, bad = self._split_encoding(cleaned, numbers, encoding)
                    rejects = _concat_rejects(bad, pending)
                    pending = None
                    yielded = True
                    yield RawBatch(
                        data=cleaned, row_numbers=numbers, location=location, rejects=rejects
                    )
                next_row += skipped
            if invalid or not yielded:
                rejects = self._malformed(invalid, data_rows, encoding) if invalid else None
                empty = pa.RecordBatch.from_arrays(
                    [pa.array([], pa.string()) for _ in names], names=names
                )
                yield RawBatch(
                    data=empty,
                    row_numbers=pa.array([], pa.int64()),
                    location=location,
                    rejects=rejects,
                )
        finally:
            stream.close()


def _concat_rejects(*parts: pa.RecordBatch | None) -> pa.RecordBatch | None:
    present = [p for p in parts if p is not None and p.num_rows]
    if not present:
        return None
    return present[0] if len(present) == 1 else pa.concat_batches(present)
