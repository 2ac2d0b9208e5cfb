"""``dchkit.resolve(...)``: tables or connectors in, a :class:`Resolution` out, in one call.

Each argument is a connector (anything with ``read()``) or a table — pyarrow, pandas,
polars, a list of dicts — whose columns carry canonical names (``record_id``, ``email``,
``phone``, ``given_name``, ``family_name``, ``full_name``, ``birth_date``, ``postcode`` …).
Tables are read through :class:`~dchkit.connectors.InMemoryConnector`, so they are
normalized and validated exactly like files; bad rows end in ``resolution.rejects``. A
table of canonical records already read — every column of ``RECORDS_SCHEMA``, such as
``resolution.records`` — is used as it is.

A table's records keep the ``record_id`` the caller gave them, so
``dch.resolve(t).clusters`` joins straight back onto ``t``. A ``source`` column splits a
table into sources; otherwise each table is a source of its own (``source_1``, ``source_2``
… — or the names given with ``sources=``).

Examples:
    >>> import dchkit as dch
    >>> crm = [{"record_id": "crm-1", "family_name": "山田", "given_name": "太郎", "email": "taro@example.jp"}]
    >>> shop = [{"record_id": "ec-7", "full_name": "ヤマダ タロウ", "email": "Taro@Example.jp"},
    ...         {"record_id": "ec-8", "full_name": "佐藤 花子", "email": "hanako@example.jp"}]
    >>> res = dch.resolve(crm, shop, sources=["crm", "ec"])
    >>> res.customer_of("crm-1") == res.customer_of("ec-7") != res.customer_of("ec-8")
    True
    >>> sorted(res.clusters.column_names)
    ['customer_id', 'record_id']
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from dchkit.errors import ConfigError
from dchkit.resolution.config import ResolverConfig
from dchkit.resolution.model import MatchModel
from dchkit.resolution.resolver import Resolver
from dchkit.resolution.result import Resolution
from dchkit.schema import RECORDS_SCHEMA, REJECTS_SCHEMA, conform

__all__ = ["read_inputs", "resolve"]


def _is_connector(value: object) -> bool:
    return callable(getattr(value, "read", None)) and hasattr(value, "source")


def read_inputs(
    inputs: Sequence[Any],
    *,
    sources: Sequence[str] | None = None,
    default_region: str = "JP",
    ids: Sequence[str] = (),
) -> tuple[pa.Table, pa.Table, list[Any]]:
    """Read tables and connectors into one canonical records table.

    Args:
        inputs: Tables and connectors.
        sources: Source name per input.
        default_region: Region for phone numbers without a country code.
        ids: Table columns that hold identifiers (external ids of that name, e.g. a
            national id or a loyalty-card number): equal values are hard links.

    Returns:
        (records, rejects, read reports). Records from tables with a ``record_id`` column
        keep that id.
    """
    # the connectors layer loads on first use
    from dchkit.connectors import InMemoryConnector, canonical_mapping, read_all
    from dchkit.connectors.memory import as_arrow_table  # the connectors layer loads on first use

    if not inputs:
        msg = "resolve() needs at least one table or connector"
        raise ConfigError(msg, fix="pass e.g. dch.resolve(df_crm, df_shop)")
    if sources is not None and len(sources) != len(inputs):
        msg = f"sources names {len(sources)} source(s) for {len(inputs)} input(s)"
        raise ConfigError(msg, fix="give one source name per input")
    records: list[pa.Table] = []
    rejects: list[pa.Table] = []
    reports: list[Any] = []
    for position, item in enumerate(inputs):
        name = (
            sources[position]
            if sources
            else ("source" if len(inputs) == 1 else f"source_{position + 1}")
        )
        if _is_connector(item):
            result = read_all(item)
            records.append(result.records)
            rejects.append(result.rejects)
            reports.append(result.report)
            continue
        table = as_arrow_table(item)
        if _is_canonical(table):  # records already read (res.records, a hub's records)
            records.append(conform(table, RECORDS_SCHEMA, what="records"))
            rejects.append(REJECTS_SCHEMA.empty_table())
            continue
        parts = _split_by_source(table, name)
        for label, part in parts:
            keep_ids = "record_id" in part.column_names
            # The caller's record_id is the id; a source_record_id beside it is kept as text.
            drop = [c for c in ("source", "source_record_id") if c in part.column_names]
            if not keep_ids:
                drop = [c for c in drop if c != "source_record_id"]
            data = part.drop_columns(drop) if drop else part
            connector = InMemoryConnector(
                data,
                source=label,
                default_region=default_region,
                mapping=_with_ids(canonical_mapping(data.column_names), ids, data.column_names),
            )
            result = connector.read_all()
            table_records = result.records
            if keep_ids:
                # The connector writes ids as "{source}:{id}" unless they already are.
                given = part.column("record_id").cast(pa.string())
                produced = table_records.column("record_id")
                kept = pc.if_else(
                    pc.is_in(produced, value_set=given.combine_chunks()),
                    produced,
                    table_records.column("source_record_id"),
                )
                column = table_records.schema.get_field_index("record_id")
                # The schema's own (non-null) field: tables concatenate with connectors' output.
                field = table_records.schema.field(column)
                table_records = table_records.set_column(column, field, kept)
            records.append(table_records)
            rejects.append(result.rejects)
            reports.append(result.report)
    combined = pa.concat_tables(records)
    ids = combined.column("record_id")
    if pc.count_distinct(ids).as_py() != combined.num_rows:
        msg = "two inputs use the same record_id"
        raise ConfigError(
            msg, fix="give records ids unique across all tables (e.g. prefix them with the source)"
        )
    return combined, pa.concat_tables(rejects), reports


def _is_canonical(table: pa.Table) -> bool:
    """Whether ``table`` is canonical records already read (every ``RECORDS_SCHEMA`` column).

    Such a table — ``resolution.records``, a hub's records — is used as it is; a table
    with only some canonical columns is read (normalized) like any other.
    """
    return set(table.column_names) == set(RECORDS_SCHEMA.names)


def _with_ids(mapping: Any, ids: Sequence[str], columns: Sequence[str]) -> Any:
    """The canonical mapping plus the identifier columns the caller named."""
    present = [name for name in ids if name in columns]
    if not present:
        return mapping
    data = mapping.model_dump()
    data["records"]["external_ids"].update({name: {"column": name} for name in present})
    return type(mapping).model_validate(data)


def _split_by_source(table: pa.Table, default: str) -> list[tuple[str, pa.Table]]:
    if "source" not in table.column_names:
        return [(default, table)]
    labels = pc.unique(table.column("source")).to_pylist()
    if any(label is None or str(label).strip() == "" for label in labels):
        msg = "the source column has empty values"
        raise ConfigError(msg, fix="fill the source column, or drop it and pass sources=")
    return [
        (str(label), table.filter(pc.equal(table.column("source"), label)))
        for label in sorted(labels)
    ]


def resolve(
    *inputs: Any,
    config: ResolverConfig | None = None,
    model: MatchModel | None = None,
    sources: Sequence[str] | None = None,
    default_region: str = "JP",
    previous: pa.Table | Mapping[str, str] | None = None,
    progress: Callable[[str], None] | None = None,
    ids: Sequence[str] = (),
    **options: Any,
) -> Resolution:
    """Resolve customer records from several tables or connectors into customers.

    Args:
        *inputs: Tables (canonical column names) and/or connectors.
        config: Full configuration; ``**options`` override single fields of it
            (``threshold=0.9``, ``duplicate_free_sources=("crm",)`` …).
        model: A trained model (skip training).
        sources: Source name per input (tables without a ``source`` column).
        default_region: Region for phone numbers written without a country code.
        previous: The previous ``record_id → customer_id`` to keep ids stable.
        progress: Called with a message as each step starts.
        ids: Columns of the tables that hold identifiers (a national id, a loyalty-card
            number): read as external ids of that name, so equal values are hard links.
        **options: Single :class:`ResolverConfig` fields to override.

    Returns:
        The :class:`~dchkit.resolution.Resolution`: ``.clusters``, ``.golden``, ``.pairs``,
        ``.explain(a, b)``, ``.evaluate(truth)``.
    """
    base = config or ResolverConfig()
    if options:
        unknown = sorted(set(options) - set(ResolverConfig.model_fields))
        if unknown:
            msg = f"resolve() got unknown option(s) {unknown}"
            raise ConfigError(
                msg, fix=f"use fields of ResolverConfig: {sorted(ResolverConfig.model_fields)}"
            )
        base = ResolverConfig.model_validate({**base.model_dump(), **options})
    records, rejects, reports = read_inputs(
        inputs, sources=sources, default_region=default_region, ids=ids
    )
    resolution = Resolver(base, model=model).resolve(records, previous=previous, progress=progress)
    return resolution.with_inputs(rejects=rejects, reports=tuple(reports))
