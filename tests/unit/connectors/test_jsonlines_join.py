"""JSON Lines blocks go to pyarrow's reader as one buffer, built without Python strings."""

from __future__ import annotations

import pyarrow as pa

from dchkit.connectors.jsonlines import _joined_lines


def test_joined_lines_of_a_slice_end_each_line() -> None:
    lines = pa.array(["skip", '{"a":1}', '{"b":"山田"}', "tail"]).slice(1, 2)
    assert bytes(_joined_lines(lines)) == '{"a":1}\n{"b":"山田"}\n'.encode()


def test_joined_lines_of_a_filtered_block() -> None:
    lines = pa.array(['{"a":1}', "", '{"c":null}']).filter(pa.array([True, False, True]))
    assert bytes(_joined_lines(lines)) == b'{"a":1}\n{"c":null}\n'
