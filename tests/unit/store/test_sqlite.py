"""SQLiteStore: upserts report what changed, reads filter by index, transactions roll back,
the schema is versioned, and a file written by a newer dchkit is refused."""

from __future__ import annotations

import gc
import sqlite3
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pytest

from dchkit.errors import StoreError, StoreIntegrityError, StoreMigrationError
from dchkit.schema import LINEAGE_SCHEMA, RECORDS_SCHEMA, conform
from dchkit.store import SCHEMA_VERSION, TABLES, SQLiteStore, Store


def _records(ids: list[str], email: str = "a@example.jp") -> pa.Table:
    return conform(
        pa.table(
            {
                "record_id": [f"crm:{i}" for i in ids],
                "source": ["crm"] * len(ids),
                "source_record_id": ids,
                "emails": [[email]] * len(ids),
            }
        ),
        RECORDS_SCHEMA,
    )


def test_implements_the_protocol() -> None:
    assert isinstance(SQLiteStore(), Store)


def test_upsert_reports_new_and_changed_rows_only() -> None:
    store = SQLiteStore()
    assert store.upsert("records", _records(["1", "2"])).num_rows == 2
    assert store.upsert("records", _records(["1", "2"])).num_rows == 0
    changed = store.upsert(
        "records", pa.concat_tables([_records(["1"], "b@x.jp"), _records(["3"])])
    )
    assert sorted(changed.column("record_id").to_pylist()) == ["crm:1", "crm:3"]
    assert store.count("records") == 3
    back = store.read("records", {"record_id": ["crm:1"]})
    assert back.column("emails").to_pylist() == [["b@x.jp"]]


def test_read_after_a_seq_gives_rows_written_since() -> None:
    store = SQLiteStore()
    store.upsert("records", _records(["1"]))
    seq = int(store.get_meta("seq") or 0)
    store.upsert("records", _records(["2"]))
    assert store.read("records", after=seq).column("record_id").to_pylist() == ["crm:2"]


def test_where_on_several_columns_matches_tuples() -> None:
    store = SQLiteStore()
    store.upsert(
        "term_frequencies",
        pa.table({"column": ["e", "e", "p"], "value": ["k1", "k2", "k1"], "count": [1, 2, 3]}),
    )
    found = store.read("term_frequencies", {"column": ["e", "p"], "value": ["k1", "k1"]})
    assert sorted(found.column("count").to_pylist()) == [1, 3]
    assert store.read("term_frequencies", {"column": [], "value": []}).num_rows == 0


@pytest.mark.parametrize("size", [3, 64, 65, 700])
def test_where_on_several_columns_gives_the_same_rows_at_any_size(size: int) -> None:
    # Up to 64 tuples the store ORs equalities, beyond it an IN of row values: both agree.
    store = SQLiteStore()
    values = [f"v{i}" for i in range(size)]
    store.upsert(
        "term_frequencies",
        pa.table(
            {
                "column": ["e", "p"] * size,
                "value": [v for v in values for _ in range(2)],
                "count": list(range(2 * size)),
            }
        ),
    )
    where = {"column": ["e"] * size + ["p"], "value": [*values, "absent"]}
    found = store.read("term_frequencies", where)
    assert sorted(found.column("count").to_pylist()) == list(range(0, 2 * size, 2))
    assert store.delete("term_frequencies", where) == size
    assert store.count("term_frequencies") == size


def test_a_several_column_where_combines_with_after() -> None:
    # The OR of equalities is parenthesised, so the cursor condition applies to all of it.
    store = SQLiteStore()
    stamp = datetime(2024, 1, 1, tzinfo=UTC)
    pairs = pa.table(
        {
            "kind": ["must_link"] * 3,
            "left": ["a", "b", "c"],
            "right": ["x", "y", "z"],
            "created_at": pa.array([stamp] * 3, pa.timestamp("us", tz="UTC")),
            "note": [None, None, None],
        }
    )
    store.insert("feedback", pairs)
    where = {"left": ["a", "c"], "right": ["x", "z"]}
    assert store.read("feedback", where).column("left").to_pylist() == ["a", "c"]
    assert store.read("feedback", where, after=1).column("left").to_pylist() == ["c"]


def test_large_where_sets_are_chunked() -> None:
    store = SQLiteStore()
    ids = [str(i) for i in range(9000)]
    store.upsert("records", _records(ids))
    found = store.read("records", {"record_id": [f"crm:{i}" for i in ids]})
    assert found.num_rows == 9000
    assert store.delete("records", {"record_id": [f"crm:{i}" for i in ids[:5000]]}) == 5000


def test_cursor_tables_number_rows_and_page() -> None:
    store = SQLiteStore()
    rows = pa.table({"kind": ["created", "merged", "split"], "customer_id": ["a", "b", "c"]})
    assert store.insert("changes", rows) == 3
    page = store.read("changes", after=1, limit=1)
    assert page.column("cursor").to_pylist() == [2]
    assert page.column("kind").to_pylist() == ["merged"]


def _write_then_fail(store: SQLiteStore) -> None:
    with store.transaction():
        store.upsert("records", _records(["1"]))
        with store.transaction():  # inner blocks join the outer one
            store.set_meta("x", "1")
        raise RuntimeError


def test_a_failed_transaction_leaves_nothing() -> None:
    store = SQLiteStore()
    with pytest.raises(RuntimeError):
        _write_then_fail(store)
    assert store.count("records") == 0
    assert store.get_meta("x") is None


def test_unknown_where_column_and_keyless_upsert_are_errors() -> None:
    store = SQLiteStore()
    with pytest.raises(StoreError, match="cannot be filtered"):
        store.read("records", {"email": ["a"]})
    with pytest.raises(StoreError, match="no key"):
        store.upsert("lineage", pa.table({"customer_id": ["c"]}))


def test_file_store_uses_wal_and_records_its_schema_version(tmp_path: Path) -> None:
    path = tmp_path / "hub.db"
    store = SQLiteStore(path)
    store.upsert("records", _records(["1"]))
    store.close()
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("SELECT max(version) FROM schema_version").fetchone()[0] == SCHEMA_VERSION
    names = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert set(TABLES) <= names
    db.close()
    again = SQLiteStore(path)
    assert again.count("records") == 1
    assert again.check() == []


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "hub.db"
    SQLiteStore(path).close()
    db = sqlite3.connect(path)
    db.execute("INSERT INTO schema_version VALUES (?, 'future', 'now')", (SCHEMA_VERSION + 1,))
    db.commit()
    db.close()
    with pytest.raises(StoreMigrationError, match="Upgrade dchkit"):
        SQLiteStore(path)


def test_a_file_that_is_not_a_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("not a database at all" * 100)
    with pytest.raises(StoreError, match="cannot open"):
        SQLiteStore(path)


def test_dangling_cluster_rows_fail_the_check() -> None:
    store = SQLiteStore()
    store.upsert("clusters", pa.table({"record_id": ["crm:9"], "customer_id": ["cus_1"]}))
    assert store.check() == ["1 cluster row(s) name records that do not exist"]
    with pytest.raises(StoreIntegrityError):
        store.verify()


def test_bad_synchronous_setting_is_an_error() -> None:
    with pytest.raises(StoreError, match="synchronous"):
        SQLiteStore(synchronous="sometimes")


def test_a_missing_directory_is_a_store_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="directory exists"):
        SQLiteStore(tmp_path / "no" / "such" / "hub.db")


def test_the_write_ahead_log_is_checkpointed_off_the_commit(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "hub.db")
    for i in range(3):
        store.upsert("records", _records([str(i)]))
    checkpointer = store._checkpointer
    assert checkpointer is not None

    def rows_in_the_file() -> int:  # a copy of the file without its log
        (tmp_path / "copy.db").write_bytes((tmp_path / "hub.db").read_bytes())
        copy = sqlite3.connect(tmp_path / "copy.db")
        try:
            return int(copy.execute("SELECT count(*) FROM records").fetchone()[0])
        except sqlite3.OperationalError:  # not even the tables yet
            return 0
        finally:
            copy.close()

    # The thread copies committed pages into the file itself, soon after the commits.
    deadline = time.monotonic() + 10
    while rows_in_the_file() < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert rows_in_the_file() == 3
    assert checkpointer.checkpoints >= 1
    thread = checkpointer._thread
    store.close()
    assert not thread.is_alive()
    reopened = SQLiteStore(tmp_path / "hub.db", background_checkpoints=False)
    assert reopened.count("records") == 3
    reopened.upsert("records", _records(["9"]))
    assert reopened._checkpointer is None
    reopened.close()


def _alias(alias: str) -> pa.Table:
    return pa.table({"alias": [alias], "customer_id": ["cus_1"]})


def test_reads_do_not_wait_for_another_thread_s_transaction(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "hub.db")
    assert store.nonblocking_reads
    assert not SQLiteStore().nonblocking_reads  # one connection: reads wait for writers
    store.upsert("aliases", _alias("cus_a"))
    writing, release = threading.Event(), threading.Event()

    def writer() -> None:
        with store.transaction():
            store.upsert("aliases", _alias("cus_b"))
            assert store.rows("aliases", {"alias": ["cus_b"]})  # its own write, uncommitted
            writing.set()
            release.wait(10)

    thread = threading.Thread(target=writer)
    thread.start()
    assert writing.wait(10)
    started = time.monotonic()
    assert store.rows("aliases", {"alias": ["cus_b"]}) == []  # the last commit, at once
    assert store.read("aliases").column("alias").to_pylist() == ["cus_a"]
    assert store.count("aliases") == 1
    assert time.monotonic() - started < 5
    release.set()
    thread.join(10)
    assert store.count("aliases") == 2  # committed: visible to every reader
    store.close()


def test_each_thread_s_read_connection_closes_with_the_thread(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "hub.db")
    store.upsert("aliases", _alias("cus_a"))
    for _ in range(20):
        thread = threading.Thread(target=lambda: store.rows("aliases", {"alias": ["cus_a"]}))
        thread.start()
        thread.join(10)
    gc.collect()
    assert len(store._readers) <= 1  # not one per thread that ever read
    store.close()
    with pytest.raises(StoreError, match="closed"):
        store.rows("aliases", {"alias": ["cus_a"]})


def _lineage(customers: list[str], field: str) -> pa.Table:
    return conform(
        pa.table(
            {
                "customer_id": customers,
                "field": [field] * len(customers),
                "value": [f"{field}-{i}" for i in range(len(customers))],
                "record_id": [f"crm:{c}" for c in customers],
                "source": ["crm"] * len(customers),
                "updated_at": [
                    datetime(2024, 1, 2, tzinfo=UTC) if i % 2 else None
                    for i in range(len(customers))
                ],
                "rule": ["most_recent"] * len(customers),
            }
        ),
        LINEAGE_SCHEMA,
    )


@pytest.mark.parametrize("size", [3, 200])  # Python's json, then Arrow's, write the groups
def test_a_grouped_table_appends_reads_counts_and_deletes_by_group(size: int) -> None:
    store = SQLiteStore()
    first = _lineage([f"c{i % 7}" for i in range(size)], "emails")
    second = _lineage([f"c{i % 5}" for i in range(size)], "phones")
    store.insert("lineage", first)
    store.insert("lineage", second)  # appended after the rows each customer has
    assert store.count("lineage") == 2 * size
    assert store.execute("SELECT count(*) FROM lineage")[0][0] == min(size, 7)  # per customer
    every = pa.concat_tables([first, second]).to_pylist()
    for customer in ("c0", "c2"):
        expected = [r for r in every if r["customer_id"] == customer]
        assert store.read("lineage", {"customer_id": [customer]}).to_pylist() == expected
        assert store.rows("lineage", {"customer_id": [customer]}) == expected
    assert store.read("lineage").num_rows == 2 * size
    assert store.read("lineage", limit=2).num_rows == 2
    assert store.read("lineage", columns=["customer_id"]).column_names == ["customer_id"]
    assert store.delete("lineage", {"customer_id": ["c0", "c1"]}) == 2  # groups
    left = {f"c{i % 7}" for i in range(size)} - {"c0", "c1"}
    assert set(store.read("lineage").column("customer_id").to_pylist()) == left
    assert store.read("lineage", {"customer_id": ["nobody"]}).num_rows == 0
    assert store.rows("lineage", {"customer_id": ["nobody"]}) == []


def test_upsert_reports_each_key_once_when_a_batch_repeats_it() -> None:
    store = SQLiteStore()
    twice = pa.concat_tables([_records(["1"]), _records(["1"], "b@x.jp"), _records(["2"])])
    changed = store.upsert("records", twice)
    assert sorted(changed.column("record_id").to_pylist()) == ["crm:1", "crm:2"]
    many = _records([str(i) for i in range(600)])  # written in key order
    # 598 new, crm:1 changed back to a@example.jp, crm:2 as it was
    assert store.upsert("records", many.take(list(range(599, -1, -1)))).num_rows == 599
    assert store.read("records", {"record_id": ["crm:1"]}).column("emails").to_pylist() == [
        ["a@example.jp"]
    ]
