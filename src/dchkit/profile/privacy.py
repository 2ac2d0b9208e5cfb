"""Consent, erasure and the audit log: what a customer agreed to, and forgetting them.

A customer is known by *identifier keys*: ``email=…``, ``phone=…``, one ``{type}=…`` per
external id (``salesforce_contact_id=003…``, ``anonymous_id=…``) and ``record_id=…``.
Erasing a customer (:meth:`dchkit.profile.ProfileStore.forget`) keeps only a salted hash
of each key (BLAKE2b keyed with the store's salt) in the *suppression* table, so a later
ingest can recognise and drop the same person's rows (:func:`suppress`) without the hub
keeping anything readable about them. Merges, splits and erasures go to an audit log.

Examples:
    >>> import pyarrow as pa
    >>> from dchkit.profile.privacy import hash_keys, suppress, suppression_table
    >>> salt = b"0123456789abcdef"
    >>> table = suppression_table(hash_keys(["email=taro@example.jp"], salt))
    >>> rows = pa.table({"record_id": ["crm:1", "crm:2"],
    ...                  "emails": [["taro@example.jp"], ["hanako@example.jp"]]})
    >>> result = suppress(rows, table, salt)
    >>> result.kept.column("record_id").to_pylist(), result.dropped.num_rows
    (['crm:2'], 1)
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from dchkit.profile._arrow import IntArray, list_entries, map_entries, prefixed, to_array
from dchkit.profile._time import resolve_now

__all__ = [
    "AUDIT_SCHEMA",
    "SUPPRESSION_SCHEMA",
    "Consent",
    "Erasure",
    "SuppressionResult",
    "audit_rows",
    "hash_keys",
    "identifier_keys",
    "suppress",
    "suppression_table",
]

#: The audit log: one row per merge, split or erasure.
AUDIT_SCHEMA = pa.schema(
    [
        pa.field("timestamp", pa.timestamp("us", tz="UTC"), nullable=False),
        pa.field("action", pa.string(), nullable=False),
        pa.field("customer_id", pa.string()),
        pa.field("detail", pa.string()),
    ]
)
#: Salted hashes of the identifier keys of erased customers.
SUPPRESSION_SCHEMA = pa.schema(
    [
        pa.field("key_hash", pa.string(), nullable=False),
        pa.field("erased_at", pa.timestamp("us", tz="UTC")),
    ]
)
_EVENT_KEY_TYPES = {"email": "email", "phone": "phone"}


@dataclass(frozen=True, slots=True)
class Consent:
    """One consent of a customer: the latest answer for a purpose or channel.

    Attributes:
        purpose: The purpose or channel (``email``, ``sms`` …).
        granted: The latest answer.
        updated_at: When the source that gave it last changed the record (None: unknown).
        source: The source system of that record.
        record_id: The record that gave it.
    """

    purpose: str
    granted: bool
    updated_at: datetime | None
    source: str
    record_id: str

    def __repr__(self) -> str:
        when = self.updated_at.date().isoformat() if self.updated_at else "unknown date"
        state = "granted" if self.granted else "refused"
        return f"Consent({self.purpose}: {state}, {when}, from {self.record_id})"


@dataclass(frozen=True, slots=True)
class Erasure:
    """What :meth:`~dchkit.profile.ProfileStore.forget` removed for one customer."""

    customer_id: str
    records: int
    events: int
    identifiers: int
    rejects: int = 0
    """Rejected rows whose raw text held the customer's identifiers (a hub keeps rejects)."""


@dataclass(frozen=True, slots=True)
class SuppressionResult:
    """Rows of an ingest split into those kept and those of erased people (dropped)."""

    kept: pa.Table
    dropped: pa.Table


def identifier_keys(table: pa.Table) -> tuple[pa.Array, IntArray]:
    """Every identifier key of every row of a records or events table, with its row.

    Records give ``email=``, ``phone=``, ``{type}=`` for external ids and ``record_id=``;
    events give ``record_id=`` and one key per entry of ``identifiers``.
    """
    keys: list[pa.Array] = []
    rows: list[IntArray] = []
    names = set(table.column_names)
    for column, prefix in (("emails", "email="), ("phones", "phone=")):
        if column in names:
            values, parents = list_entries(table.column(column))
            keys.append(prefixed(prefix, values))
            rows.append(parents)
    for column in ("external_ids", "identifiers"):
        if column in names:
            kinds, values, parents = map_entries(table.column(column))
            keys.append(pc.binary_join_element_wise(kinds, values, "="))
            rows.append(parents)
    if "record_id" in names:
        keys.append(prefixed("record_id=", to_array(table.column("record_id"))))
        rows.append(np.arange(table.num_rows, dtype=np.int64))
    if not keys:
        return pa.array([], pa.string()), np.zeros(0, dtype=np.int64)
    key = pa.concat_arrays([k.cast(pa.string()) for k in keys])
    row = np.concatenate(rows)
    valid = pc.is_valid(key).to_numpy(zero_copy_only=False)
    return key.filter(pa.array(valid)), row[valid]


def hash_keys(keys: Iterable[str], salt: bytes) -> list[str]:
    """Salted BLAKE2b hashes (hex) of identifier keys."""
    return [
        hashlib.blake2b(key.encode("utf-8"), key=salt, digest_size=16).hexdigest() for key in keys
    ]


def suppression_table(hashes: Sequence[str], erased_at: datetime | None = None) -> pa.Table:
    """A suppression table holding ``hashes`` (erased now unless ``erased_at`` is given)."""
    at = resolve_now(erased_at)
    return pa.table(
        {"key_hash": pa.array(hashes, pa.string()), "erased_at": [at] * len(hashes)},
        schema=SUPPRESSION_SCHEMA,
    )


def suppressed_rows(table: pa.Table, suppressions: pa.Table, salt: bytes) -> pa.Array:
    """A boolean per row of ``table``: does any of its identifier keys belong to an erased person?"""
    if suppressions.num_rows == 0 or table.num_rows == 0:
        return pa.array(np.zeros(table.num_rows, dtype=bool))
    keys, rows = identifier_keys(table)
    distinct = pc.unique(keys)
    # One hash per distinct identifier value (hashlib has no vectorized form).
    hashes = pa.array(hash_keys(distinct.to_pylist(), salt), pa.string())
    hit_distinct = pc.is_in(hashes, value_set=to_array(suppressions.column("key_hash")))
    hit = pc.is_in(keys, value_set=distinct.filter(hit_distinct)).to_numpy(zero_copy_only=False)
    flags = np.zeros(table.num_rows, dtype=bool)
    flags[rows[hit]] = True
    return pa.array(flags)


def suppress(table: pa.Table, suppressions: pa.Table, salt: bytes) -> SuppressionResult:
    """Split an ingest (records or events) into rows to keep and rows of erased people.

    Args:
        table: Canonical records or events about to be ingested.
        suppressions: The store's suppression table (``SUPPRESSION_SCHEMA``).
        salt: The store's salt; hashes only match under the salt that made them.
    """
    if suppressions.num_rows == 0:  # nothing erased yet: no copy of the table
        return SuppressionResult(kept=table, dropped=table.slice(0, 0))
    flags = suppressed_rows(table, suppressions, salt)
    return SuppressionResult(kept=table.filter(pc.invert(flags)), dropped=table.filter(flags))


def audit_rows(
    entries: Sequence[tuple[str, str | None, str | None]], at: datetime | None = None
) -> pa.Table:
    """Audit-log rows ``(action, customer_id, detail)`` stamped ``at`` (default: now)."""
    when = resolve_now(at)
    return pa.table(
        {
            "timestamp": [when] * len(entries),
            "action": [e[0] for e in entries],
            "customer_id": [e[1] for e in entries],
            "detail": [e[2] for e in entries],
        },
        schema=AUDIT_SCHEMA,
    )
