"""Exports: profiles, traits and segment members to Arrow, pandas, polars and files.

:func:`profile_table` flattens golden records (lists joined, consent as ``consent_<purpose>``
columns, external ids as ``external_id_<type>``) and joins the store's traits;
:func:`write_table` writes any table as Parquet, CSV or JSON Lines; :func:`salesforce_upsert`
shapes golden records for a Salesforce Contact upsert with the dchkit customer id as the
external id field. Exports honour consent when asked (``require_consent="email"``).

Examples:
    >>> import pyarrow as pa
    >>> from dchkit.profile import ProfileStore
    >>> from dchkit.profile.exports import profile_table, salesforce_upsert
    >>> from dchkit.resolution import Resolver
    >>> res = Resolver().resolve(pa.table({
    ...     "record_id": ["crm:003A"], "source": ["crm"], "source_record_id": ["003A"],
    ...     "given_name": ["Taro"], "family_name": ["Yamada"],
    ...     "emails": [["taro@example.jp"]],
    ...     "external_ids": pa.array([[("salesforce_contact_id", "003A")]],
    ...                              pa.map_(pa.string(), pa.string())),
    ... }))
    >>> store = ProfileStore.from_resolution(res)
    >>> profile_table(store).column("emails").to_pylist()
    ['taro@example.jp']
    >>> row = salesforce_upsert(store).to_pylist()[0]
    >>> row["Id"], row["LastName"], row["Email"]
    ('003A', 'Yamada', 'taro@example.jp')
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from dchkit.errors import ProfileError
from dchkit.profile._arrow import map_entries, map_value, to_array

if TYPE_CHECKING:
    from dchkit.profile.store import ProfileStore

__all__ = ["FileFormat", "profile_table", "salesforce_upsert", "to_frame", "write_table"]

FileFormat = Literal["parquet", "csv", "jsonl"]
_LIST_FIELDS = ("emails", "phones", "sources")
_SCALARS = (
    "customer_id", "given_name", "family_name", "full_name", "name_kana", "birth_date",
    "postcode", "country", "region", "city", "street", "company", "record_count",
    "first_seen", "updated_at",
)  # fmt: skip


def _map_columns(column: pa.ChunkedArray | pa.Array, prefix: str) -> dict[str, pa.Array]:
    """One column per map key, ``{prefix}{key}`` (null where a row has no such key)."""
    keys, _, _ = map_entries(column)
    return {f"{prefix}{key}": map_value(column, key) for key in sorted(pc.unique(keys).to_pylist())}


def profile_table(
    store: ProfileStore, *, require_consent: str | None = None, traits: bool = True
) -> pa.Table:
    """One flat row per customer: golden fields, consent, external ids and traits.

    Lists (emails, phones, sources) are joined with ``"; "`` so every format can hold them.

    Args:
        store: The profile store.
        require_consent: Keep only customers whose latest consent for this purpose is yes.
        traits: Join the store's computed traits (when it has any).
    """
    golden = store.golden
    columns: dict[str, pa.Array] = {name: to_array(golden.column(name)) for name in _SCALARS}
    for name in _LIST_FIELDS:
        columns[name] = pc.binary_join(golden.column(name), "; ")
    columns.update(_map_columns(golden.column("consent"), "consent_"))
    columns.update(_map_columns(golden.column("external_ids"), "external_id_"))
    if traits and store.traits is not None:
        for name in store.traits.column_names[1:]:
            columns[name] = to_array(store.traits.column(name))
    table = pa.table(columns)
    if require_consent is not None:
        consent = map_value(golden.column("consent"), require_consent)
        table = table.filter(pc.fill_null(consent, False))
    return table


def salesforce_upsert(
    store: ProfileStore,
    *,
    external_id_field: str = "Dchkit_Customer_Id__c",
    id_type: str = "salesforce_contact_id",
) -> pa.Table:
    """Golden records shaped for a Salesforce Contact upsert (Bulk API CSV columns).

    ``Id`` is the customer's Salesforce contact id when it has one (update), else empty
    (insert); ``external_id_field`` carries the dchkit customer id so the next upsert
    matches the same contact. ``HasOptedOutOfEmail`` is the inverse of ``consent.email``.
    """
    golden = store.golden

    def lookup(column: str, key: str) -> pa.Array:
        return map_value(golden.column(column), key)

    email_consent = lookup("consent", "email")
    phones = golden.column("phones")
    return pa.table(
        {
            "Id": lookup("external_ids", id_type),
            external_id_field: to_array(golden.column("customer_id")),
            "FirstName": to_array(golden.column("given_name")),
            "LastName": to_array(golden.column("family_name")),
            "Email": _first(golden.column("emails")),
            "Phone": _first(phones),
            "Birthdate": to_array(golden.column("birth_date")),
            "MailingStreet": to_array(golden.column("street")),
            "MailingCity": to_array(golden.column("city")),
            "MailingState": to_array(golden.column("region")),
            "MailingPostalCode": to_array(golden.column("postcode")),
            "MailingCountry": to_array(golden.column("country")),
            "Account.Name": to_array(golden.column("company")),
            "HasOptedOutOfEmail": pc.invert(email_consent),
        }
    )


def _first(lists: pa.ChunkedArray | pa.Array) -> pa.Array:
    """The first item of each list (null for an empty list)."""
    array = to_array(lists)
    lengths = pc.fill_null(pc.list_value_length(array), 0)
    safe = pc.if_else(pc.greater(lengths, 0), array, pa.scalar(None, array.type))
    return to_array(pc.list_element(safe, 0)) if len(array) else pa.array([], pa.string())


def to_frame(table: pa.Table, kind: str = "arrow") -> Any:
    """The table as Arrow (unchanged), a pandas DataFrame or a polars DataFrame."""
    if kind == "arrow":
        return table
    if kind == "pandas":  # pragma: no branch
        return table.to_pandas()
    if kind == "polars":
        import polars as pl

        return pl.from_arrow(table)
    msg = f"unknown frame kind {kind!r}"
    raise ProfileError(msg, fix="use 'arrow', 'pandas' or 'polars'")


def write_table(table: pa.Table, path: str | Path, *, format: FileFormat | None = None) -> Path:
    """Write a table as Parquet, CSV or JSON Lines (format from the suffix by default).

    CSV cannot hold lists or maps; they are written as JSON text.
    """
    target = Path(path)
    kind = format or {".parquet": "parquet", ".csv": "csv", ".jsonl": "jsonl"}.get(target.suffix)
    if kind == "parquet":
        import pyarrow.parquet as pq

        pq.write_table(table, target)
    elif kind == "csv":
        import pyarrow.csv as pacsv

        pacsv.write_csv(_flat(table), target)
    elif kind == "jsonl":
        with target.open("w", encoding="utf-8") as handle:
            for batch in table.to_batches(max_chunksize=100_000):
                if batch.num_rows:
                    handle.write("\n".join(_json_lines(batch).to_pylist()) + "\n")
    else:
        msg = f"cannot tell the file format of {str(target)!r}"
        raise ProfileError(msg, fix="use a .parquet, .csv or .jsonl suffix, or pass format=")
    return target


def _flat(table: pa.Table) -> pa.Table:
    """Nested columns as JSON text (what CSV can hold)."""
    columns = [
        _json_text(column) if pa.types.is_nested(column.type) else column
        for column in table.columns
    ]
    return pa.table(columns, names=table.column_names)


def _json_lines(batch: pa.RecordBatch) -> pa.Array:
    """One JSON object text per row, built column by column (no Python loop over rows)."""
    import json

    members = [
        pc.binary_join_element_wise(
            json.dumps(name, ensure_ascii=False) + ":", pc.fill_null(_json_text(column), "null"), ""
        )
        for name, column in zip(batch.schema.names, batch.columns, strict=True)
    ]
    return pc.binary_join_element_wise("{", pc.binary_join_element_wise(*members, ","), "}", "")


def _json_text(column: pa.Array | pa.ChunkedArray) -> pa.Array:
    """JSON text of every value, column-wise (null stays null; NaN and infinities: null).

    Maps become objects; lists recurse; other types as the connectors write JSON text.
    """
    from dchkit.connectors.arrowutil import to_json_text

    array = to_array(column)
    kind = array.type
    if pa.types.is_map(kind) or pa.types.is_list(kind):
        if pa.types.is_map(kind):
            keys, items, _ = map_entries(array)
            values = pc.fill_null(_json_text(items), "null")
            parts = pc.binary_join_element_wise(_json_text(keys), values, ":")
            opening, closing = "{", "}"
        else:
            offsets = np.asarray(pc.fill_null(array.offsets, 0).to_numpy(), dtype=np.int64)
            flat = array.values.slice(offsets[0], offsets[-1] - offsets[0])
            parts = pc.fill_null(_json_text(flat), "null")
            opening, closing = "[", "]"
        offsets = np.asarray(pc.fill_null(array.offsets, 0).to_numpy(), dtype=np.int64)
        grouped = pa.ListArray.from_arrays(pa.array(offsets - offsets[0], pa.int32()), parts)
        text = pc.binary_join_element_wise(opening, pc.binary_join(grouped, ","), closing, "")
        return pc.if_else(array.is_null(), pa.scalar(None, pa.string()), text)
    if pa.types.is_floating(kind):
        finite = pc.fill_null(pc.is_finite(array), False)
        return pc.if_else(finite, to_json_text(array), pa.scalar(None, pa.string()))
    return to_json_text(array)
