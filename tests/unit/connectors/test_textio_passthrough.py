"""UTF-8 bytes pass through Utf8Stream unchanged; anything else is decoded with marks."""

from __future__ import annotations

import codecs
import io

from hypothesis import example, given
from hypothesis import strategies as st

from dchkit.connectors.textio import MARK, Utf8Stream


def _reference(data: bytes, encoding: str) -> bytes:
    decoder = codecs.getincrementaldecoder(encoding)("dchkit-mark")
    return decoder.decode(data, final=True).encode("utf-8")


text_bytes = st.one_of(
    st.text(alphabet="a,\n山田é😀", max_size=40).map(str.encode),
    st.binary(max_size=40),
    st.builds(
        lambda a, b, c: a.encode() + b + c.encode(),
        st.text(alphabet="山a", max_size=10),
        st.binary(max_size=3),
        st.text(alphabet="田b", max_size=10),
    ),
)


@given(text_bytes, st.integers(1, 9), st.sampled_from(["utf-8", "utf-8-sig", "cp932"]))
@example("山田,太郎\n".encode(), 1, "utf-8")
@example(b"ok,\xff\n" + "山".encode(), 2, "utf-8")
@example("é".encode() + b"\xe5\xb1", 3, "utf-8")
def test_stream_equals_marking_decoder(data: bytes, chunk_size: int, encoding: str) -> None:
    stream = Utf8Stream(io.BytesIO(data), encoding, chunk_size=chunk_size)
    out = stream.read()
    assert out == _reference(data, encoding)
    # Readers skip looking for the mark while the stream says it has passed on none.
    assert stream.marked == (MARK.encode() in out)
