from __future__ import annotations

import json

import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dchkit.connectors import arrowutil
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


_TEXT = st.one_of(st.none(), st.sampled_from(["a", 'say "hi"', "x\ny", "日本", "", "\\"]))


@given(st.lists(_TEXT, max_size=30))
def test_distinct_values_escaped_once_give_the_same_text(values):
    """Long columns escape each distinct value once: the text is the per-value text."""
    column = pa.array(values, pa.string())
    one_by_one = to_json_text(column).to_pylist()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(arrowutil, "_DISTINCT_FROM", 0)
        assert to_json_text(column).to_pylist() == one_by_one


_ROW = st.fixed_dictionaries(
    {
        "name": _TEXT,
        "n": st.one_of(st.none(), st.integers(-5, 5)),
        "tags": st.one_of(st.none(), st.lists(_TEXT, max_size=3)),
    }
)


@given(st.lists(st.one_of(st.none(), _ROW), max_size=12))
def test_objects_omit_null_members_and_read_back(rows):
    kind = pa.struct([("name", pa.string()), ("n", pa.int64()), ("tags", pa.list_(pa.string()))])
    out = to_json_text(pa.array(rows, kind)).to_pylist()
    for row, text in zip(rows, out, strict=True):
        if row is None:
            assert text is None
        else:
            assert json.loads(text) == {k: v for k, v in row.items() if v is not None}
            assert list(json.loads(text)) == [
                k for k in ("name", "n", "tags") if row[k] is not None
            ]
