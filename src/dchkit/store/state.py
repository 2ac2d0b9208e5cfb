"""The hub's state over any :class:`~dchkit.store.Store`: what to read and write, table by table.

These functions translate between the layers' Arrow tables and the store's logical
tables, so the :class:`~dchkit.Hub` facade stays a thin sequence of calls and a second
store implementation gets the same behaviour for free:

- :func:`index_records` / :func:`index_events` keep the identifier indexes
  (``email=…``, ``phone=…``, ``{type}=…``) in step with the rows written;
- :func:`customer_tables` reads the slice of one customer (records, golden, lineage,
  events by record or by identifier) a profile needs, with indexed lookups only;
- :func:`write_customers` replaces the clusters, golden records and lineage of some
  customers and records the aliases of merged ids.

Examples:
    >>> import pyarrow as pa
    >>> from dchkit.store import SQLiteStore
    >>> from dchkit.store.state import index_records, record_ids_for_key
    >>> store = SQLiteStore()
    >>> records = pa.table({"record_id": ["crm:1"], "emails": [["taro@example.jp"]]})
    >>> index_records(store, records)
    >>> record_ids_for_key(store, "email=taro@example.jp")
    ['crm:1']
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pyarrow as pa
import pyarrow.compute as pc

from dchkit.profile._arrow import to_array
from dchkit.profile.privacy import identifier_keys
from dchkit.store.base import Store

__all__ = [
    "CustomerTables",
    "customer_of_records",
    "customer_tables",
    "in_order",
    "index_events",
    "index_records",
    "record_ids_for_key",
    "survivor",
    "write_customers",
]


def index_records(store: Store, records: pa.Table) -> None:
    """(Re)index the identifier keys of ``records``, replacing their previous keys."""
    ids = to_array(records.column("record_id"))
    store.delete("identifiers", {"record_id": ids})
    keys, rows = identifier_keys(records.drop_columns(["record_id"]))
    if len(keys):
        found = pa.table({"key": keys, "record_id": ids.take(pa.array(rows))})
        store.insert("identifiers", in_order(found, "key"))


def index_events(store: Store, events: pa.Table) -> None:
    """(Re)index the identifier keys (``identifiers`` map) of ``events``."""
    ids = to_array(events.column("event_id"))
    store.delete("event_keys", {"event_id": ids})
    keys, rows = identifier_keys(events.select(["identifiers"]))
    if len(keys):
        found = pa.table({"key": keys, "event_id": ids.take(pa.array(rows))})
        store.insert("event_keys", in_order(found, "key"))


#: Below this many rows a write is not worth sorting.
_SORT_FROM = 256


def in_order(rows: pa.Table, *columns: str) -> pa.Table:
    """``rows`` sorted by ``columns`` (stable), to write them in the order of an index.

    A database inserts rows into an index much faster in the index's order: each page
    is read and written once instead of once per row (at a million records, B-trees
    far outgrow the page cache and random inserts become the whole cost of a write).
    """
    if rows.num_rows < _SORT_FROM:
        return rows
    return rows.take(pc.sort_indices(rows, [(c, "ascending") for c in columns]))


def record_ids_for_key(store: Store, key: str) -> list[str]:
    """Ids of the records holding one identifier key (``email=…``), sorted."""
    found = store.read("identifiers", {"key": [key]}).column("record_id").to_pylist()
    return sorted(set(found))


def survivor(store: Store, customer_id: str) -> str:
    """The current id of a customer id: itself, or the survivor it was merged into."""
    seen = {customer_id}
    while True:
        found = store.rows("aliases", {"alias": [customer_id]})
        if not found:
            return customer_id
        customer_id = str(found[0]["customer_id"])
        if customer_id in seen:
            return customer_id
        seen.add(customer_id)


def customer_of_records(store: Store, record_ids: Sequence[str] | pa.Array) -> list[str]:
    """The distinct customers of some records (sorted)."""
    clusters = store.read("clusters", {"record_id": record_ids})
    return sorted(set(clusters.column("customer_id").to_pylist()))


@dataclass(frozen=True)
class CustomerTables:
    """The rows of one customer, as a :class:`~dchkit.profile.ProfileStore` takes them."""

    customer_id: str
    records: pa.Table
    clusters: pa.Table
    golden: pa.Table
    lineage: pa.Table
    events: pa.Table


def customer_tables(store: Store, customer_id: str) -> CustomerTables:
    """Read one customer's slice: its records, golden row, lineage and events.

    Events are those of its records plus those that carry one of its identifiers and no
    known record (as :class:`~dchkit.profile.ProfileStore` attributes them); identifiers
    other customers share are not used.
    """
    clusters = store.read("clusters", {"customer_id": [customer_id]})
    record_ids = to_array(clusters.column("record_id"))
    records = store.read("records", {"record_id": record_ids})
    events = store.read("events", {"record_id": record_ids})
    keys, _ = identifier_keys(records.drop_columns(["record_id"]))
    if len(keys):
        unique_keys = _unshared(store, pc.unique(keys), record_ids)
        by_key = store.read("event_keys", {"key": unique_keys})
        extra = pc.unique(by_key.column("event_id"))
        extra = extra.filter(pc.invert(pc.is_in(extra, value_set=to_array(events["event_id"]))))
        if len(extra):
            more = store.read("events", {"event_id": extra})
            known = pc.is_in(more.column("record_id"), value_set=_all_record_ids(store, more))
            events = pa.concat_tables([events, more.filter(pc.invert(known))])
    return CustomerTables(
        customer_id=customer_id,
        records=records,
        clusters=clusters,
        golden=store.read("golden", {"customer_id": [customer_id]}),
        lineage=store.read("lineage", {"customer_id": [customer_id]}),
        events=events,
    )


def _unshared(store: Store, keys: pa.Array, own: pa.Array) -> pa.Array:
    """The keys no record outside ``own`` holds."""
    holders = store.read("identifiers", {"key": keys})
    foreign = holders.filter(pc.invert(pc.is_in(holders.column("record_id"), value_set=own)))
    return keys.filter(pc.invert(pc.is_in(keys, value_set=to_array(foreign["key"]))))


def _all_record_ids(store: Store, events: pa.Table) -> pa.Array:
    named = pc.drop_null(events.column("record_id"))
    if len(named) == 0:
        return pa.array([], pa.string())
    return to_array(store.read("records", {"record_id": named}).column("record_id"))


def write_customers(
    store: Store,
    *,
    clusters: pa.Table,
    golden: pa.Table,
    lineage: pa.Table,
    aliases: pa.Table,
    removed: pa.Array,
) -> pa.Array:
    """Write the new state of some customers; returns the ids whose golden record changed.

    Args:
        store: The store to write to.
        clusters: ``record_id → customer_id`` of every record of those customers.
        golden: Their golden records.
        lineage: Their lineage (replaces what the customers had).
        aliases: New ``alias → customer_id`` rows (merged-away ids).
        removed: Customer ids that no longer exist.
    """
    affected = pc.unique(
        pa.concat_arrays([to_array(golden.column("customer_id")), removed.cast(pa.string())])
    )
    with store.transaction():
        store.upsert("clusters", clusters.select(["record_id", "customer_id"]))
        changed = to_array(store.upsert("golden", golden).column("customer_id"))
        store.delete("golden", {"customer_id": removed})
        store.delete("lineage", {"customer_id": affected})
        store.insert("lineage", lineage)
        if aliases.num_rows:
            store.upsert("aliases", aliases.select(["alias", "customer_id"]))
            # Chains stay one step long: what pointed at a merged id now points at its survivor.
            for alias, target in zip(
                aliases.column("alias").to_pylist(),
                aliases.column("customer_id").to_pylist(),
                strict=True,
            ):
                older = store.read("aliases", {"customer_id": [alias]})
                if older.num_rows:
                    store.upsert(
                        "aliases",
                        pa.table(
                            {
                                "alias": older.column("alias"),
                                "customer_id": pa.array([target] * older.num_rows, pa.string()),
                            }
                        ),
                    )
        # An id alive again (a split re-created it) is no longer an alias.
        store.delete("aliases", {"alias": to_array(golden.column("customer_id"))})
    return changed
