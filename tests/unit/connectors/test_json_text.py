from __future__ import annotations

import json

import pyarrow as pa
from hypothesis import given
from hypothesis import strategies as st

from dchkit.connectors.arrowutil import to_json_text

C0_EXCEPT_NAMED = "".join(chr(c) for c in range(32) if chr(c) not in "\n\r\t\b\f")


@given(st.lists(st.one_of(st.none(), st.text(max_size=12)), max_size=8))
def test_string_literals_read_back(values):
    out = to_json_text(pa.array(values, pa.string())).to_pylist()
    for value, literal in zip(values, out, strict=True):
        if value is None:
            assert literal is None
        else:
            expected = "".join("\ufffd" if c in C0_EXCEPT_NAMED else c for c in value)
            assert json.loads(literal) == expected


def test_plain_and_escaped_columns():
    assert to_json_text(pa.array(["a", None, "ｂ"])).to_pylist() == ['"a"', None, '"ｂ"']
    assert to_json_text(pa.array(['say "hi"', "a\\b", "x\ny"])).to_pylist() == [
        '"say \\"hi\\""',
        '"a\\\\b"',
        '"x\\ny"',
    ]
