r"""Reading text files of unknown quality: encoding detection and marked transcoding.

Japanese Excel writes CSV in CP932 (Shift_JIS), modern tools in UTF-8, some with a BOM.
:func:`detect_encoding` tells them apart from a sample; :class:`Utf8Stream` transcodes any
of them to UTF-8 on the fly, so pyarrow's fast readers can stream the file. Bytes that are
not valid in the encoding are not fatal: they are replaced by a marker (U+FFFD followed by
``\xNN`` escapes of the bytes), and readers reject the rows that carry it, with the bytes
visible in the reject's raw text.

Examples:
    >>> import io
    >>> detect_encoding("山田".encode("cp932") + b",x\n")
    'cp932'
    >>> detect_encoding(b"\xef\xbb\xbfId,Name\n")
    'utf-8-sig'
    >>> stream = Utf8Stream(io.BytesIO(b"ok,\xff\n"), "utf-8")
    >>> stream.read().decode()
    'ok,\ufffd\\xff\n'
"""

from __future__ import annotations

import codecs
import io
import struct
from typing import BinaryIO

import pyarrow as pa

__all__ = ["MARK", "Utf8Stream", "detect_encoding"]

#: Marks undecodable bytes in transcoded text.
MARK = "\ufffd"
_HANDLER = "dchkit-mark"
_MARK_UTF8 = MARK.encode("utf-8")


def _mark(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeDecodeError):
        raise error
    bad = error.object[error.start : error.end]
    return MARK + "".join(f"\\x{b:02x}" for b in bad), error.end


codecs.register_error(_HANDLER, _mark)

_CANDIDATES = ("utf-8", "cp932", "euc_jp")


def _decodes(sample: bytes, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    try:
        decoder.decode(sample, final=False)  # a multibyte char cut at the end is fine
    except UnicodeDecodeError:
        return False
    return True


def detect_encoding(sample: bytes) -> str:
    """Guess the encoding of a file from its first bytes: utf-8-sig, utf-8, cp932 or euc_jp.

    Pure ASCII is reported as utf-8. When nothing decodes cleanly, utf-8 is returned and
    the undecodable rows end up as ``encoding`` rejects.
    """
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    for encoding in _CANDIDATES:
        if _decodes(sample, encoding):
            return encoding
    return "utf-8"


def _complete(data: bytes) -> int:
    """Length of ``data`` without a UTF-8 character cut off at its end."""
    size = len(data)
    for back in range(1, min(4, size) + 1):
        byte = data[size - back]
        if byte < 0x80:  # ASCII: nothing is cut (stray continuation bytes fail validation)
            return size
        if byte >= 0xC0:  # the lead byte of the last character
            needed = 2 if byte < 0xE0 else 3 if byte < 0xF0 else 4
            return size if back >= needed else size - back
    return size


def _valid_utf8(data: bytes, size: int) -> bool:
    """Whether ``data[:size]`` is valid UTF-8 (checked by Arrow, without decoding to str)."""
    if not size:
        return True
    offsets = pa.py_buffer(struct.pack("<ii", 0, size))
    text = pa.StringArray.from_buffers(1, offsets, pa.py_buffer(data))
    try:
        text.validate(full=True)
    except pa.ArrowInvalid:
        return False
    return True


class Utf8Stream(io.RawIOBase):
    """A binary stream of UTF-8 transcoded from ``raw`` in ``encoding``, bad bytes marked."""

    def __init__(self, raw: BinaryIO, encoding: str, chunk_size: int = 1 << 20) -> None:
        super().__init__()
        self._raw = raw
        self._decoder = codecs.getincrementaldecoder(encoding)(_HANDLER)
        # UTF-8 input is only validated: valid bytes pass through as they are (decoding and
        # re-encoding them cost more than pyarrow's parse); a chunk with a bad byte goes
        # through the marking decoder.
        self._passthrough = codecs.lookup(encoding).name == "utf-8"
        self._pending = b""  # a UTF-8 character cut at the end of the last chunk
        self._chunk_size = chunk_size
        self._buffer = bytearray()  # grows at the end, is consumed from the front
        self._eof = False
        #: Whether the text passed on so far contains :data:`MARK` (a bad byte, or a literal
        #: U+FFFD): while it is false, no row read so far carries the mark.
        self.marked = False

    def _append(self, data: bytes) -> None:
        if not self.marked and _MARK_UTF8 in data:
            self.marked = True
        self._buffer += data  # amortized: no copy of what is already buffered

    def readable(self) -> bool:
        """Always true: this is a read-only stream."""
        return True

    def _fill(self, wanted: int) -> None:
        while not self._eof and len(self._buffer) < wanted:
            chunk = self._raw.read(self._chunk_size)
            final = not chunk
            if self._passthrough:
                data, self._pending = self._pending + chunk, b""
                consumed = _complete(data)
                if (final and consumed < len(data)) or not _valid_utf8(data, consumed):
                    self._passthrough = False  # from here on, mark bad bytes
                    chunk = data
                else:
                    self._append(data[:consumed])
                    self._pending = data[consumed:]
                    self._eof = final
                    continue
            text = self._decoder.decode(chunk, final=final)
            self._append(text.encode("utf-8"))
            self._eof = final

    def readinto(self, target: memoryview) -> int:  # type: ignore[override]  # RawIOBase's buffer type
        """Fill ``target`` with transcoded bytes; 0 at the end."""
        size = len(target)
        self._fill(size)
        count = min(size, len(self._buffer))
        target[:count] = self._buffer[:count]
        del self._buffer[:count]  # O(1): bytearray drops a prefix without moving the rest
        return count

    def read(self, size: int = -1) -> bytes:
        """Read up to ``size`` transcoded bytes (all when negative)."""
        if size < 0:
            self._fill(1 << 62)
            data = bytes(self._buffer)
            self._buffer.clear()
            return data
        self._fill(size)
        data = bytes(self._buffer[:size])
        del self._buffer[:size]
        return data

    def close(self) -> None:
        """Close this stream and the underlying file."""
        self._raw.close()
        super().close()
