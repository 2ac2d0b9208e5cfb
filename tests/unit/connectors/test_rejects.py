"""RawRows renders only the rejected rows, with the text a full render would give."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from dchkit.connectors.arrowutil import to_json_text
from dchkit.connectors.rejects import RawRows, RejectBuilder


def _batch() -> pa.RecordBatch:
    rng = np.random.default_rng(7)
    values = ["a", 'q"uote', "改行\nあり", None, "", "\\", "tab\t"]
    columns = {
        name: pa.array([values[i] for i in rng.integers(0, len(values), 200)], pa.string())
        for name in ("id", "name", "note")
    }
    return pa.record_batch(columns)


def test_take_equals_full_render_taken() -> None:
    batch = _batch()
    full = to_json_text(pa.StructArray.from_arrays(batch.columns, names=batch.schema.names))
    index = pa.array([0, 5, 17, 199, 5], pa.int64())
    assert RawRows(data=batch).take(index).equals(full.take(index))
    mask = pa.array(np.arange(200) % 3 == 0)
    assert (
        RawRows(data=batch)
        .filter(mask)
        .take(index.slice(0, 3))
        .equals(full.filter(mask).take(index.slice(0, 3)))
    )


def test_text_rows_and_empty_batches() -> None:
    text = pa.array(['{"a":1}', None, "oops"])
    rows = RawRows(text=text)
    assert len(rows) == 3
    assert rows.filter(pa.array([False, True, True])).take(pa.array([1])).to_pylist() == ["oops"]
    empty = RawRows(data=pa.RecordBatch.from_pydict({}))
    assert len(empty) == 0
    assert empty.take(pa.array([], pa.int64())).to_pylist() == []


def test_builder_keeps_rendered_raw_of_rejected_rows_only() -> None:
    batch = _batch()
    builder = RejectBuilder("crm")
    mask = pa.array([i in (3, 150) for i in range(200)])
    builder.add(mask, pa.array(range(1, 201)), RawRows(data=batch), "missing_id", lambda i: f"{i}")
    rejects = builder.build().to_pylist()
    full = to_json_text(pa.StructArray.from_arrays(batch.columns, names=batch.schema.names))
    assert [r["raw"] for r in rejects] == [full[3].as_py(), full[150].as_py()]
    assert [r["reason"] for r in rejects] == ["missing_id: 3", "missing_id: 150"]
