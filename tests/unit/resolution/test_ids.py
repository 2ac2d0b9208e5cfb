from __future__ import annotations

import numpy as np
import pyarrow as pa

from dchkit.resolution.ids import assign_customer_ids, new_customer_id


def ids_by_record(record_ids, labels, previous=None):
    result = assign_customer_ids(record_ids, np.array(labels), previous=previous)
    return dict(zip(record_ids, result.customer_ids, strict=True)), result


def test_first_run_ids_depend_on_members_not_on_row_order():
    a, _ = ids_by_record(["r1", "r2", "r3"], [0, 0, 5])
    b, _ = ids_by_record(["r3", "r2", "r1"], [9, 4, 4])
    assert a == b
    assert a["r1"] == a["r2"] == new_customer_id("r1")
    assert a["r3"].startswith("cus_")


def test_added_records_join_without_changing_ids():
    before, _ = ids_by_record(["a", "b", "c"], [0, 0, 1])
    after, result = ids_by_record(["a", "b", "c", "d", "e"], [0, 0, 1, 1, 2], previous=before)
    assert after["a"] == before["a"]
    assert after["d"] == before["c"]
    assert [c.kind for c in result.changes] == ["created"]
    assert result.changes[0].customer_id == after["e"]


def test_removed_and_changed_records_keep_remaining_ids():
    before, _ = ids_by_record(["a", "b", "c", "d"], [0, 0, 2, 2])
    # "a" was deleted; "c" changed and now belongs with "b"
    after, result = ids_by_record(["b", "c", "d"], [0, 0, 1], previous=before)
    assert after["b"] == before["b"]
    assert after["c"] == before["b"]
    assert after["d"] == before["d"]  # the tie does not cost {c, d}'s id
    assert result.changes == ()


def test_merge_keeps_the_larger_id_and_records_the_alias():
    before, _ = ids_by_record(["a", "b", "c"], [0, 0, 2])
    after, result = ids_by_record(["a", "b", "c"], [0, 0, 0], previous=before)
    assert set(after.values()) == {before["a"]}
    assert result.aliases == {before["c"]: before["a"]}
    (change,) = result.changes
    assert (change.kind, change.customer_id, change.other_id, change.records) == (
        "merged",
        before["a"],
        before["c"],
        1,
    )


def test_split_keeps_the_id_on_the_larger_part():
    before, _ = ids_by_record(["a", "b", "c"], [0, 0, 0])
    after, result = ids_by_record(["a", "b", "c"], [0, 2, 2], previous=before)
    assert after["b"] == after["c"] == before["a"]
    assert after["a"] != before["a"]
    (change,) = result.changes
    assert (change.kind, change.customer_id, change.other_id) == ("split", after["a"], before["a"])


def test_previous_as_arrow_table_and_idempotent_rerun():
    first, _ = ids_by_record(["a", "b", "c"], [0, 0, 2])
    table = pa.table({"record_id": list(first), "customer_id": list(first.values())})
    again, result = ids_by_record(["a", "b", "c"], [7, 7, 3], previous=table)
    assert again == first
    assert result.changes == ()
    assert result.aliases == {}


def test_new_ids_avoid_collisions():
    taken = {new_customer_id("x")}
    assert new_customer_id("x", taken) != new_customer_id("x")
