"""Golden records: one merged record per customer, with the lineage of every value.

Survivorship chooses each single-valued field from the customer's records by a rule:

- ``most_frequent``: the value most records agree on (ties: the most recent);
- ``most_recent``: the value of the most recently updated record;
- ``source_priority``: the value from the highest-priority source (ties: most recent);
- ``most_complete``: the longest value (ties: most recent) — "Robert" over "R.";
- a callable ``rank(candidates: pa.Table) -> pa.Array`` of scores, highest wins, computed
  over all candidates at once (columns: customer_id, value, count, updated_at, source,
  record_id, validated).

Address fields (postcode, country, region, city, street) move together: they come from one
record — the most recent with an address — so a golden address is never stitched from two
places. Multi-valued fields keep *all* values (all e-mails, all phones), most frequent and
most recent first; external ids keep one value per type; consent is latest-wins per key.

Values from records flagged by the connector for that field (``email_invalid`` …) lose to
validated ones whatever the rule. Everything is computed with Arrow sorts over a long table
of candidates: no per-customer Python loop — except for a few records (at most
``SMALL_ROWS``, the customers an incremental resolve touches), which are merged in plain
Python by the same rules (:mod:`dchkit.resolution._golden_few`, checked against the Arrow
path by ``tests/property/test_small_paths.py``).

Examples:
    >>> import pyarrow as pa
    >>> from dchkit.resolution.golden import build_golden
    >>> records = pa.table({
    ...     "record_id": ["crm:1", "ec:9"], "source": ["crm", "ec"],
    ...     "source_record_id": ["1", "9"], "given_name": ["Bob", "Robert"],
    ...     "emails": [["bob@x.com"], ["robert@x.com"]],
    ... })
    >>> clusters = pa.table({"record_id": ["crm:1", "ec:9"], "customer_id": ["c1", "c1"]})
    >>> g = build_golden(records, clusters, rules={"given_name": "most_complete"})
    >>> g.golden.column("given_name").to_pylist(), g.golden.column("emails").to_pylist()
    (['Robert'], [['bob@x.com', 'robert@x.com']])
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from dchkit.errors import ConfigError
from dchkit.schema import GOLDEN_SCHEMA, LINEAGE_SCHEMA, RECORDS_SCHEMA, conform

__all__ = [
    "ADDRESS_FIELDS",
    "DEFAULT_RULES",
    "GoldenResult",
    "RuleName",
    "SurvivorshipRule",
    "build_golden",
]

RuleName = Literal["most_frequent", "most_recent", "source_priority", "most_complete"]
SurvivorshipRule = RuleName | Callable[[pa.Table], pa.Array]

SINGLE_FIELDS = ("given_name", "family_name", "full_name", "name_kana", "birth_date", "company")
ADDRESS_FIELDS = ("postcode", "country", "region", "city", "street")
LIST_FIELDS = ("emails", "phones")
DEFAULT_RULES: dict[str, RuleName] = {
    "given_name": "most_frequent",
    "family_name": "most_frequent",
    "full_name": "most_frequent",
    "name_kana": "most_frequent",
    "birth_date": "most_frequent",
    "company": "most_recent",
}
_QUALITY_PREFIX = {
    "emails": "email",
    "phones": "phone",
    "birth_date": "birth_date",
    "postcode": "postcode",
}
_EPOCH = pa.scalar(0, pa.timestamp("us", tz="UTC"))
#: At most this many records (and named rules only) are merged in plain Python
#: (:mod:`dchkit.resolution._golden_few`): the Arrow sorts cost ~8 ms whatever the count.
SMALL_ROWS = 64


@dataclass(frozen=True, slots=True)
class GoldenResult:
    """Golden records (``GOLDEN_SCHEMA``) and their lineage (``LINEAGE_SCHEMA``)."""

    golden: pa.Table
    lineage: pa.Table


def _candidates(
    records: pa.Table, customer: pa.Array, field: str, *, flatten: bool = False
) -> pa.Table:
    """Long table of one field's non-empty values with who supplied them."""
    column = records.column(field).combine_chunks()
    rows = np.arange(records.num_rows, dtype=np.int64)
    if flatten:
        rows = pc.list_parent_indices(column).to_numpy().astype(np.int64)
        column = pc.list_flatten(column)
    values = pc.cast(column, pa.string())
    keep = pc.and_(
        pc.is_valid(values), pc.not_equal(pc.utf8_trim_whitespace(values), "")
    ).fill_null(False)
    rows = rows[keep.to_numpy(zero_copy_only=False)]
    take = pa.array(rows)
    prefix = _QUALITY_PREFIX.get(field)
    if prefix is None:
        validated = pa.array(np.ones(len(rows), dtype=bool))
    else:
        flags = records.column("quality").combine_chunks().take(take)
        joined = pc.binary_join(pc.fill_null(flags, pa.scalar([], pa.list_(pa.string()))), " ")
        validated = pc.invert(pc.match_substring(joined, prefix + "_"))
    return pa.table(
        {
            "customer_id": customer.take(take),
            "value": values.filter(keep),
            "record_id": records.column("record_id").combine_chunks().take(take),
            "source": records.column("source").combine_chunks().take(take),
            "updated_at": pc.fill_null(
                records.column("updated_at").combine_chunks().take(take), _EPOCH
            ),
            "validated": validated,
        }
    )


def _group_starts(table: pa.Table, keys: Sequence[str]) -> npt.NDArray[np.int64]:
    """Row positions where a new group of ``keys`` begins (table sorted by them)."""
    n = table.num_rows
    change = np.zeros(n, dtype=bool)
    if n:
        change[0] = True
    for key in keys:
        codes = (
            table.column(key)
            .combine_chunks()
            .dictionary_encode()
            .indices.to_numpy(zero_copy_only=False)
        )
        change[1:] |= codes[1:] != codes[:-1]
    return np.flatnonzero(change).astype(np.int64)


def _distinct_values(candidates: pa.Table) -> pa.Table:
    """One row per (customer, value): how many records gave it, and its latest supplier."""
    ordered = candidates.sort_by(
        [
            ("customer_id", "ascending"),
            ("value", "ascending"),
            ("updated_at", "descending"),
            ("record_id", "ascending"),
        ]
    )
    starts = _group_starts(ordered, ("customer_id", "value"))
    counts = np.diff(np.append(starts, ordered.num_rows))
    validated = ordered.column("validated").combine_chunks().to_numpy(zero_copy_only=False)
    any_valid = np.logical_or.reduceat(validated, starts) if starts.size else validated[:0]
    first = ordered.take(pa.array(starts))
    return first.set_column(
        first.schema.get_field_index("validated"), "validated", pa.array(any_valid)
    ).append_column("count", pa.array(counts, pa.int64()))


_RANK_KEYS: dict[str, list[tuple[str, str]]] = {
    "most_frequent": [("count", "descending"), ("updated_at", "descending")],
    "most_recent": [("updated_at", "descending"), ("count", "descending")],
    "source_priority": [("priority", "ascending"), ("updated_at", "descending")],
    "most_complete": [("length", "descending"), ("updated_at", "descending")],
    "callable": [("score", "descending"), ("updated_at", "descending")],
}


def _check_rule(field: str, rule: object) -> None:
    if not callable(rule) and rule not in _RANK_KEYS:
        msg = f"unknown survivorship rule {rule!r} for field {field!r}"
        raise ConfigError(
            msg, fix="use most_frequent, most_recent, source_priority, most_complete or a callable"
        )


def _with_rank_columns(
    distinct: pa.Table, rule: SurvivorshipRule, priority: Sequence[str]
) -> pa.Table:
    if callable(rule):
        scores = rule(distinct)
        if len(scores) != distinct.num_rows:
            msg = f"survivorship function returned {len(scores)} scores for {distinct.num_rows} candidates"
            raise ConfigError(msg, fix="return one score per candidate row")
        distinct = distinct.append_column("score", pc.cast(scores, pa.float64()))
    if rule == "source_priority":
        order = pc.index_in(
            distinct.column("source"), value_set=pa.array(list(priority), pa.string())
        )
        distinct = distinct.append_column("priority", pc.fill_null(order, len(priority)))
    if rule == "most_complete":
        distinct = distinct.append_column("length", pc.utf8_length(distinct.column("value")))
    return distinct


def _winners(candidates: pa.Table, rule: SurvivorshipRule, priority: Sequence[str]) -> pa.Table:
    """The surviving (customer, value) rows for one field."""
    distinct = _with_rank_columns(_distinct_values(candidates), rule, priority)
    rank = _RANK_KEYS["callable" if callable(rule) else rule]
    keys = [
        ("customer_id", "ascending"),
        ("validated", "descending"),
        *rank,
        ("value", "ascending"),
    ]
    ordered = distinct.sort_by(keys)
    return ordered.take(pa.array(_group_starts(ordered, ("customer_id",))))


def _all_values(candidates: pa.Table) -> pa.Table:
    """Every distinct value per customer, best first (validated, frequent, recent)."""
    return _distinct_values(candidates).sort_by(
        [
            ("customer_id", "ascending"),
            ("validated", "descending"),
            ("count", "descending"),
            ("updated_at", "descending"),
            ("value", "ascending"),
        ]
    )


def _lineage_rows(winners: pa.Table, field: str, rule: str) -> pa.Table:
    n = winners.num_rows
    return pa.table(
        {
            "customer_id": winners.column("customer_id"),
            "field": pa.array([field] * n, pa.string()),
            "value": winners.column("value"),
            "record_id": winners.column("record_id"),
            "source": winners.column("source"),
            "updated_at": winners.column("updated_at"),
            "rule": pa.array([rule] * n, pa.string()),
        },
        schema=LINEAGE_SCHEMA,
    )


def _lookup(customers: pa.Array, table: pa.Table, column: str) -> pa.Array:
    position = pc.index_in(customers, value_set=table.column("customer_id").combine_chunks())
    return table.column(column).combine_chunks().take(position.cast(pa.int32()))


def build_golden(
    records: pa.Table,
    clusters: pa.Table,
    *,
    rules: Mapping[str, SurvivorshipRule] | None = None,
    source_priority: Sequence[str] = (),
) -> GoldenResult:
    """Merge each customer's records into one golden record, with lineage.

    Args:
        records: Canonical records (any subset of ``RECORDS_SCHEMA`` columns; ids required).
        clusters: ``record_id → customer_id``.
        rules: Survivorship rule per single-valued field (defaults: :data:`DEFAULT_RULES`).
        source_priority: Sources from most to least trusted, for ``source_priority``.
    """
    if not records.schema.equals(RECORDS_SCHEMA):
        records = conform(records, RECORDS_SCHEMA, what="records")
    position = pc.index_in(
        records.column("record_id"), value_set=clusters.column("record_id").combine_chunks()
    )
    if position.null_count:
        msg = f"{position.null_count} record(s) have no customer in the clusters table"
        raise ConfigError(msg, fix="pass the clusters of the same resolution")
    customer = clusters.column("customer_id").combine_chunks().take(position)
    chosen = {**DEFAULT_RULES, **(rules or {})}
    unknown = sorted(set(chosen) - set(SINGLE_FIELDS))
    if unknown:
        msg = f"survivorship rules given for fields that are not single-valued: {unknown}"
        raise ConfigError(msg, fix=f"set rules for {list(SINGLE_FIELDS)}; addresses move as one")

    for field, rule in chosen.items():
        _check_rule(field, rule)
    if records.num_rows <= SMALL_ROWS and not any(callable(r) for r in chosen.values()):
        from dchkit.resolution._golden_few import golden_few  # imports this module

        few = golden_few(records, customer, {f: str(r) for f, r in chosen.items()}, source_priority)
        if few is not None:
            return GoldenResult(*few)
    customers = pc.unique(customer).sort()
    columns: dict[str, pa.Array] = {"customer_id": customers}
    lineage: list[pa.Table] = []
    for field in SINGLE_FIELDS:
        rule = chosen[field]
        winners = _winners(_candidates(records, customer, field), rule, source_priority)
        columns[field] = pc.cast(
            _lookup(customers, winners, "value"), GOLDEN_SCHEMA.field(field).type
        )
        lineage.append(
            _lineage_rows(
                winners,
                field,
                rule if isinstance(rule, str) else getattr(rule, "__name__", "custom"),
            )
        )

    address = _address_winners(records, customer)
    for field in ADDRESS_FIELDS:
        rows = _lookup(customers, address, "row")
        columns[field] = records.column(field).combine_chunks().take(rows)
    for field in ADDRESS_FIELDS:
        present = _candidates(
            records.take(address.column("row").combine_chunks()),
            address.column("customer_id"),
            field,
        )
        lineage.append(_lineage_rows(present, field, "most_recent address"))

    for field in LIST_FIELDS:
        values = _all_values(_candidates(records, customer, field, flatten=True))
        starts = _group_starts(values, ("customer_id",))
        grouped = pa.ListArray.from_arrays(
            pa.array(np.append(starts, values.num_rows).astype(np.int32)),
            values.column("value").combine_chunks(),
        )
        owners = values.column("customer_id").combine_chunks().take(pa.array(starts))
        position = pc.index_in(customers, value_set=owners).cast(pa.int32())
        columns[field] = pc.fill_null(grouped.take(position), pa.scalar([], pa.list_(pa.string())))
        lineage.append(_lineage_rows(values, field, "all values"))

    columns["external_ids"] = _latest_map(records, customer, customers, "external_ids", pa.string())
    columns["consent"] = _latest_map(records, customer, customers, "consent", pa.bool_())
    stats = pa.table(
        {
            "customer_id": customer,
            "source": records.column("source"),
            "updated_at": records.column("updated_at"),
        }
    )
    grouped_stats = stats.group_by("customer_id").aggregate(
        [
            ("customer_id", "count"),
            ("source", "distinct"),
            ("updated_at", "min"),
            ("updated_at", "max"),
        ]
    )
    columns["record_count"] = pc.cast(
        _lookup(customers, grouped_stats, "customer_id_count"), pa.int64()
    )
    columns["sources"] = _sorted_lists(_lookup(customers, grouped_stats, "source_distinct"))
    columns["first_seen"] = _lookup(customers, grouped_stats, "updated_at_min")
    columns["updated_at"] = _lookup(customers, grouped_stats, "updated_at_max")
    golden = pa.table({name: columns[name] for name in GOLDEN_SCHEMA.names})
    return GoldenResult(
        golden=conform(golden, GOLDEN_SCHEMA, what="golden"),
        lineage=pa.concat_tables(lineage).sort_by(
            [("customer_id", "ascending"), ("field", "ascending")]
        ),
    )


def _address_winners(records: pa.Table, customer: pa.Array) -> pa.Table:
    """Per customer, the row of the most recent record that has an address (ties: most complete)."""
    completeness = pa.array(
        np.sum(
            [
                pc.is_valid(records.column(f)).to_numpy(zero_copy_only=False)
                for f in ADDRESS_FIELDS
                if f != "country"
            ],
            axis=0,
        ).astype(np.int8)
    )
    table = pa.table(
        {
            "customer_id": customer,
            "row": pa.array(np.arange(records.num_rows, dtype=np.int64)),
            "updated_at": pc.fill_null(records.column("updated_at"), _EPOCH),
            "completeness": completeness,
            "record_id": records.column("record_id"),
        }
    ).filter(pc.greater(completeness, 0))
    ordered = table.sort_by(
        [
            ("customer_id", "ascending"),
            ("updated_at", "descending"),
            ("completeness", "descending"),
            ("record_id", "ascending"),
        ]
    )
    return ordered.take(pa.array(_group_starts(ordered, ("customer_id",))))


def _latest_map(
    records: pa.Table, customer: pa.Array, customers: pa.Array, field: str, value_type: pa.DataType
) -> pa.Array:
    """Merge a map column per customer: for each key, the value of the latest record."""
    column = records.column(field).combine_chunks()
    offsets = pc.fill_null(column.offsets, 0).to_numpy().astype(np.int64)
    rows = np.repeat(np.arange(len(column), dtype=np.int64), np.diff(offsets))
    take = pa.array(rows)
    entries = pa.table(
        {
            "customer_id": customer.take(take),
            "key": column.keys,
            "item": column.items,
            "updated_at": pc.fill_null(
                records.column("updated_at").combine_chunks().take(take), _EPOCH
            ),
        }
    ).filter(pc.is_valid(column.items))
    ordered = entries.sort_by(
        [("customer_id", "ascending"), ("key", "ascending"), ("updated_at", "descending")]
    )
    firsts = ordered.take(pa.array(_group_starts(ordered, ("customer_id", "key"))))
    starts = _group_starts(firsts, ("customer_id",))
    offsets = pa.array(np.append(starts, firsts.num_rows).astype(np.int32))
    maps = pa.MapArray.from_arrays(
        offsets,
        firsts.column("key").combine_chunks(),
        pc.cast(firsts.column("item").combine_chunks(), value_type),
    )
    owners = firsts.column("customer_id").combine_chunks().take(pa.array(starts))
    position = pc.index_in(customers, value_set=owners).cast(pa.int32())
    return maps.take(position)


def _sorted_lists(lists: pa.Array) -> pa.Array:
    """Sort the items inside each list (Arrow has no list-sort kernel)."""
    rows = pc.list_parent_indices(lists)
    flat = pa.table({"row": rows, "item": pc.list_flatten(lists)}).sort_by(
        [("row", "ascending"), ("item", "ascending")]
    )
    counts = np.bincount(rows.to_numpy().astype(np.int64), minlength=len(lists))
    offsets = np.zeros(len(lists) + 1, dtype=np.int32)
    np.cumsum(counts, out=offsets[1:])
    return pa.ListArray.from_arrays(pa.array(offsets), flat.column("item").combine_chunks())
