"""One customer's rows, read with indexed point reads: the hub's per-request read path.

A profile, a timeline page or a customer's live traits need the rows of one customer
only. :func:`read_customer` fetches them through the store's indexes as Python rows
(:meth:`~dchkit.store.Store.rows`: no Arrow table, no index building) — the golden row,
the source records, the lineage and, when asked, the customer's events:

- the events of its records (``events`` by ``record_id``);
- the events without a resolved record that carry one of its identifiers, attributed as
  the whole-hub :class:`~dchkit.profile.ProfileStore` attributes them: by the event's
  identifiers in priority order (email, phone, user_id, anonymous_id, then the others),
  the first one that exactly one customer holds decides.

So a request costs a handful of indexed SELECTs whatever the size of the hub.

Examples:
    >>> import dchkit as dch
    >>> from dchkit.store.customer import read_customer
    >>> hub = dch.Hub()
    >>> _ = hub.ingest([{"id": "1", "email": "taro@example.jp"}], source="crm")
    >>> _ = hub.resolve()
    >>> cid = hub.profiles.customer_id_of(email="taro@example.jp")
    >>> rows = read_customer(hub.store, cid, events=True)
    >>> [r["record_id"] for r in rows.records], rows.events
    (['crm:1'], [])
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from dchkit.profile.store import EVENT_ID_PRIORITY
from dchkit.store.base import Store

__all__ = ["CustomerRows", "read_customer", "record_keys"]

Row = dict[str, Any]

_OTHER_KINDS = 9  # after every kind EVENT_ID_PRIORITY lists, as ProfileStore ranks them


@dataclass(frozen=True)
class CustomerRows:
    """The stored rows of one customer, as Python values (see :meth:`Store.rows`).

    Attributes:
        customer_id: The customer.
        golden: Its golden row.
        records: Its source records, sorted by ``record_id``.
        lineage: Its lineage rows, in stored order (empty unless they were asked for).
        events: Its events (unordered); empty unless they were asked for.
    """

    customer_id: str
    golden: Row
    records: list[Row]
    lineage: list[Row]
    events: list[Row] = field(default_factory=list)


def read_customer(
    store: Store, customer_id: str, *, lineage: bool = True, events: bool = False
) -> CustomerRows | None:
    """Read one customer's rows by its current id (not an alias); None when it has none.

    Args:
        store: The hub's store.
        customer_id: A current customer id (resolve aliases first).
        lineage: Read the lineage (a timeline does not need it).
        events: Read the customer's events (a profile alone does not need them).
    """
    golden = store.rows("golden", {"customer_id": [customer_id]})
    if not golden:
        return None
    members = store.rows("clusters", {"customer_id": [customer_id]})
    ids = sorted(m["record_id"] for m in members)
    records = sorted(
        store.rows("records", {"record_id": ids}) if ids else [], key=lambda r: r["record_id"]
    )
    lines = store.rows("lineage", {"customer_id": [customer_id]}) if lineage else []
    found = _events(store, customer_id, records) if events else []
    return CustomerRows(customer_id, golden[0], records, lines, found)


def record_keys(record: Mapping[str, Any]) -> list[str]:
    """The identifier keys of one record row (``email=…``, ``phone=…``, ``{type}=…``).

    The same keys :func:`~dchkit.profile.privacy.identifier_keys` gives for the row, in
    the same order: e-mails, phones, external ids, then ``record_id=…``.
    """
    keys = [f"email={v}" for v in record.get("emails") or () if v is not None]
    keys += [f"phone={v}" for v in record.get("phones") or () if v is not None]
    keys += [f"{k}={v}" for k, v in record.get("external_ids") or () if v is not None]
    if record.get("record_id") is not None:
        keys.append(f"record_id={record['record_id']}")
    return keys


def _event_keys(event: Mapping[str, Any]) -> list[str]:
    """The identifier keys of an event, in the order that decides its customer."""
    entries = [(k, v) for k, v in event.get("identifiers") or () if k is not None and v is not None]
    ranked = sorted(
        range(len(entries)), key=lambda i: EVENT_ID_PRIORITY.get(entries[i][0], _OTHER_KINDS)
    )
    return [f"{entries[i][0]}={entries[i][1]}" for i in ranked]


def _events(store: Store, customer_id: str, records: Sequence[Row]) -> list[Row]:
    """The events of a customer: by its records, then by its identifiers."""
    ids = [r["record_id"] for r in records]
    found = store.rows("events", {"record_id": ids}) if ids else []
    keys = sorted({k for r in records for k in record_keys(r)})
    if not keys:
        return found
    seen = {e["event_id"] for e in found}
    carried = {r["event_id"] for r in store.rows("event_keys", {"key": keys})} - seen
    if not carried:
        return found
    candidates = store.rows("events", {"event_id": sorted(carried)})
    named = sorted({e["record_id"] for e in candidates if e.get("record_id") is not None})
    resolved = {c["record_id"] for c in store.rows("clusters", {"record_id": named})}
    # An event with a resolved record belongs to that record's customer (not this one).
    loose = [e for e in candidates if e.get("record_id") not in resolved]
    ranked = [(e, _event_keys(e)) for e in loose]
    owners = _key_owners(store, {k for _, event_keys in ranked for k in event_keys})
    for event, event_keys in ranked:
        decided = next((owners[k] for k in event_keys if len(owners.get(k, ())) == 1), None)
        if decided == {customer_id}:
            found.append(event)
    return found


def _key_owners(store: Store, keys: Iterable[str]) -> dict[str, set[str]]:
    """The customers holding each identifier key (through their resolved records)."""
    wanted = sorted(keys)
    holders: dict[str, set[str]] = {}
    for row in store.rows("identifiers", {"key": wanted}) if wanted else []:
        holders.setdefault(row["key"], set()).add(row["record_id"])
    # record_id=… keys are not in the identifiers index: the record itself holds its own.
    for key in wanted:
        if key.startswith("record_id="):
            holders.setdefault(key, set()).add(key.removeprefix("record_id="))
    records = sorted({r for held in holders.values() for r in held})
    customer_of = {
        c["record_id"]: c["customer_id"]
        for c in (store.rows("clusters", {"record_id": records}) if records else [])
    }
    return {
        key: {customer_of[r] for r in held if r in customer_of} for key, held in holders.items()
    }
