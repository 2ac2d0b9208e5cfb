"""Golden records of a few records in plain Python: what :func:`build_golden` gives, faster.

An incremental resolve rebuilds the golden records of the handful of customers it touches;
the column path's Arrow sorts and group-bys cost ~8 ms whatever the row count, so
:func:`golden_few` takes over for at most ``golden.SMALL_ROWS`` records and named rules.

It follows :mod:`dchkit.resolution.golden` step by step — the same candidates (non-blank
values, flagged ones not validated), the same orderings written as sort keys (Arrow's
string order is code-point order, as Python's; a stable sort's ties are the candidates'
order), the same address, map and statistics rules — and leaves anything else to the
column path (a callable rule, null customer ids, sources or quality flags).
``tests/property/test_small_paths.py`` checks that both give the same tables.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from dchkit.resolution.golden import _QUALITY_PREFIX, ADDRESS_FIELDS, LIST_FIELDS, SINGLE_FIELDS
from dchkit.schema import GOLDEN_SCHEMA, LINEAGE_SCHEMA

__all__ = ["golden_few"]

_blank_chars: dict[str, bool] = {}  # characters Arrow's utf8_trim_whitespace removes


def _non_blank(values: Sequence[str | None]) -> list[bool]:
    """Whether each value is set and not blank as Arrow trims (asked once per character)."""
    unseen = {c for v in values if v for c in v if c not in _blank_chars}
    if unseen:
        chars = sorted(unseen)
        trimmed = pc.utf8_trim_whitespace(pa.array(chars, pa.string())).to_pylist()
        _blank_chars.update((c, t == "") for c, t in zip(chars, trimmed, strict=True))
    return [v is not None and v != "" and not all(_blank_chars[c] for c in v) for v in values]


class _Rows:
    """The per-record columns every field's survivorship reads."""

    def __init__(self, records: pa.Table, customer: list[str]) -> None:
        self.customer = customer
        self.record_id: list[str] = records.column("record_id").to_pylist()
        self.source: list[str] = records.column("source").to_pylist()
        self.updated_raw: list[int | None] = (
            records.column("updated_at").cast(pa.int64()).to_pylist()
        )
        self.updated = [0 if u is None else u for u in self.updated_raw]  # fill_null(epoch)
        self.quality = [" ".join(flags or ()) for flags in records.column("quality").to_pylist()]

    def validated(self, field: str, row: int) -> bool:
        prefix = _QUALITY_PREFIX.get(field)
        return prefix is None or f"{prefix}_" not in self.quality[row]


class _Distinct:
    """One (customer, value): how many candidates gave it, and its latest supplier."""

    __slots__ = ("count", "row", "validated", "value")

    def __init__(self, value: str, row: int, validated: bool) -> None:
        self.value, self.row, self.validated, self.count = value, row, validated, 0


def _distinct_values(
    rows: _Rows, candidates: list[tuple[int, str, bool]]
) -> dict[str, dict[str, _Distinct]]:
    """``golden._distinct_values``: per customer, per value; supplier = latest, then id."""
    out: dict[str, dict[str, _Distinct]] = {}
    for row, value, validated in candidates:
        values = out.setdefault(rows.customer[row], {})
        entry = values.get(value)
        if entry is None:
            entry = values[value] = _Distinct(value, row, validated)
        elif (-rows.updated[row], rows.record_id[row]) < (
            -rows.updated[entry.row],
            rows.record_id[entry.row],
        ):  # strictly earlier in (updated desc, record_id asc); ties keep the first
            entry.row = row
        entry.count += 1
        entry.validated = entry.validated or validated
    return out


def _candidates(
    rows: _Rows, field: str, values: list[Any], *, flatten: bool = False
) -> list[tuple[int, str, bool]]:
    """``golden._candidates``: (row, value, validated) of the non-blank values, in order."""
    flat = (
        [(r, v) for r, items in enumerate(values) for v in items or ()]
        if flatten
        else list(enumerate(values))
    )
    keep = _non_blank([v for _, v in flat])
    return [(r, v, rows.validated(field, r)) for (r, v), k in zip(flat, keep, strict=True) if k]


def _rank(
    rule: str, rows: _Rows, priority: tuple[dict[str, int], int], entry: _Distinct
) -> tuple[Any, ...]:
    """``golden._RANK_KEYS`` of one candidate as an ascending sort key."""
    updated = rows.updated[entry.row]
    if rule == "most_frequent":
        keys: tuple[Any, ...] = (-entry.count, -updated)
    elif rule == "most_recent":
        keys = (-updated, -entry.count)
    elif rule == "source_priority":  # a source's first place in the list, unlisted last
        positions, unlisted = priority
        keys = (positions.get(rows.source[entry.row], unlisted), -updated)
    else:  # most_complete
        keys = (-len(entry.value), -updated)
    return (not entry.validated, *keys, entry.value)


def golden_few(
    records: pa.Table,
    customer: pa.Array,
    rules: Mapping[str, str],
    source_priority: Sequence[str],
) -> tuple[pa.Table, pa.Table] | None:
    """Golden records and lineage of a few canonical records, or None for the column path.

    Args:
        records: Canonical records (``RECORDS_SCHEMA``), a few.
        customer: Each record's customer id.
        rules: A named survivorship rule for every single-valued field.
        source_priority: Sources from most to least trusted.
    """
    customers_of: list[str | None] = customer.to_pylist()
    if None in customers_of or records.column("source").null_count:
        return None
    if any(flags is not None and None in flags for flags in records.column("quality").to_pylist()):
        return None
    rows = _Rows(records, [c for c in customers_of if c is not None])
    customers = sorted(set(rows.customer))
    positions: dict[str, int] = {}
    for position, source in enumerate(source_priority):
        positions.setdefault(source, position)
    priority = (positions, len(source_priority))
    columns: dict[str, list[Any]] = {"customer_id": customers}
    lineage: list[tuple[str, str, str, int, str]] = []  # customer, field, value, row, rule

    for field in SINGLE_FIELDS:
        column = records.column(field)
        values = (
            column if pa.types.is_string(column.type) else column.cast(pa.string())
        ).to_pylist()
        chosen: dict[str, str] = {}
        for owner, distinct in _distinct_values(rows, _candidates(rows, field, values)).items():
            best = min(distinct.values(), key=lambda e: _rank(rules[field], rows, priority, e))
            chosen[owner] = best.value
            lineage.append((owner, field, best.value, best.row, rules[field]))
        columns[field] = [chosen.get(c) for c in customers]
    birth = pa.array(columns["birth_date"], pa.string()).cast(
        GOLDEN_SCHEMA.field("birth_date").type
    )

    address_row: dict[str, int] = {}
    present = [records.column(f).is_valid().to_pylist() for f in ADDRESS_FIELDS if f != "country"]
    for row in range(records.num_rows):
        completeness = sum(p[row] for p in present)
        if completeness == 0:
            continue
        key = (-rows.updated[row], -completeness, rows.record_id[row])
        best_row = address_row.get(rows.customer[row])
        if best_row is None or key < (
            -rows.updated[best_row],
            -sum(p[best_row] for p in present),
            rows.record_id[best_row],
        ):
            address_row[rows.customer[row]] = row
    for field in ADDRESS_FIELDS:
        values = records.column(field).to_pylist()
        columns[field] = [
            None if c not in address_row else values[address_row[c]] for c in customers
        ]
        winners = sorted(address_row.items())
        keep = _non_blank([values[row] for _, row in winners])
        lineage.extend(
            (owner, field, values[row], row, "most_recent address")
            for (owner, row), k in zip(winners, keep, strict=True)
            if k
        )

    for field in LIST_FIELDS:
        by_customer = _distinct_values(
            rows, _candidates(rows, field, records.column(field).to_pylist(), flatten=True)
        )
        columns[field] = []
        for owner in customers:
            ordered = sorted(
                by_customer.get(owner, {}).values(),
                key=lambda e: (
                    not e.validated,
                    -e.count,
                    -rows.updated[e.row],
                    e.value,
                ),
            )
            columns[field].append([e.value for e in ordered])
            lineage.extend((owner, field, e.value, e.row, "all values") for e in ordered)

    for field in ("external_ids", "consent"):
        latest: dict[str, dict[str, tuple[int, Any]]] = {}
        for row, entries in enumerate(records.column(field).to_pylist()):
            for key, item in entries or ():
                if item is None:
                    continue
                kept = latest.setdefault(rows.customer[row], {})
                if key not in kept or rows.updated[row] > kept[key][0]:
                    kept[key] = (rows.updated[row], item)
        columns[field] = [
            None if c not in latest else [(k, latest[c][k][1]) for k in sorted(latest[c])]
            for c in customers
        ]

    members: dict[str, list[int]] = {}
    for row, owner in enumerate(rows.customer):
        members.setdefault(owner, []).append(row)
    columns["record_count"] = [len(members[c]) for c in customers]
    columns["sources"] = [sorted({rows.source[r] for r in members[c]}) for c in customers]
    for name, pick in (("first_seen", min), ("updated_at", max)):
        columns[name] = [
            pick((u for r in members[c] if (u := rows.updated_raw[r]) is not None), default=None)
            for c in customers
        ]
    arrays = [
        birth if f.name == "birth_date" else pa.array(columns[f.name], f.type)
        for f in GOLDEN_SCHEMA
    ]
    golden = pa.Table.from_arrays(arrays, schema=GOLDEN_SCHEMA)

    lineage.sort(key=lambda entry: (entry[0], entry[1]))  # stable, as Arrow's sort
    return golden, pa.table(
        {
            "customer_id": [e[0] for e in lineage],
            "field": [e[1] for e in lineage],
            "value": [e[2] for e in lineage],
            "record_id": [rows.record_id[e[3]] for e in lineage],
            "source": [rows.source[e[3]] for e in lineage],
            "updated_at": pa.array([rows.updated[e[3]] for e in lineage], pa.int64()).cast(
                LINEAGE_SCHEMA.field("updated_at").type
            ),
            "rule": [e[4] for e in lineage],
        },
        schema=LINEAGE_SCHEMA,
    )
