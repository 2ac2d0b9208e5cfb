"""The canonical data contract between dchkit's layers, defined once.

Each table that flows between layers — source ``records``, timeline ``events``, ``clusters``
(record → customer), ``golden`` records, their ``lineage`` and connector ``rejects`` — has a
frozen pydantic model (used for single-record API calls and objects handed to users) and an
Arrow schema *derived from that model* (used in the columnar hot path). Deriving one from the
other keeps them from drifting apart.

Examples:
    >>> from dchkit.schema import CustomerRecord, RECORDS_SCHEMA, to_arrow, from_arrow
    >>> rec = CustomerRecord(source="crm", source_record_id="003A", family_name="山田",
    ...                      emails=("taro@example.jp",))
    >>> rec.record_id
    'crm:003A'
    >>> table = to_arrow([rec])
    >>> table.schema.equals(RECORDS_SCHEMA)
    True
    >>> from_arrow(table, CustomerRecord) == [rec]
    True
"""

from __future__ import annotations

import types
from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime
from typing import Annotated, Any, TypeVar, Union, get_args, get_origin

import pyarrow as pa
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from dchkit.errors import ConfigError

__all__ = [
    "CLUSTERS_SCHEMA",
    "EVENTS_SCHEMA",
    "GOLDEN_SCHEMA",
    "LINEAGE_SCHEMA",
    "RECORDS_SCHEMA",
    "REJECTS_SCHEMA",
    "SCHEMA_VERSION",
    "ClusterAssignment",
    "CustomerRecord",
    "Event",
    "GoldenRecord",
    "LineageEntry",
    "Reject",
    "arrow_schema",
    "conform",
    "from_arrow",
    "make_record_id",
    "to_arrow",
]

#: Bumped when a canonical schema changes incompatibly; stores and saved models record it.
SCHEMA_VERSION = 1

TIMESTAMP = pa.timestamp("us", tz="UTC")

ModelT = TypeVar("ModelT", bound="CanonicalModel")


def make_record_id(source: str, source_record_id: str) -> str:
    """Return the hub-wide id of a source record: ``"{source}:{source_record_id}"``."""
    return f"{source}:{source_record_id}"


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


#: A timestamp normalized to UTC (naive values are taken to be UTC already).
UtcDatetime = Annotated[datetime, AfterValidator(_utc)]

_COLLECTION_FIELDS: dict[type[BaseModel], dict[str, type]] = {}


def _collection_fields(model: type[BaseModel]) -> dict[str, type]:
    """Map each tuple- or dict-typed field of ``model`` to its container type (cached)."""
    if model not in _COLLECTION_FIELDS:
        found: dict[str, type] = {}
        for name, info in model.model_fields.items():
            origin = get_origin(info.annotation)
            if origin in (tuple, dict):
                found[name] = origin
        _COLLECTION_FIELDS[model] = found
    return _COLLECTION_FIELDS[model]


class CanonicalModel(BaseModel):
    """Base of the canonical models: frozen, strict about unknown fields.

    Accepts what Arrow hands back: ``None`` for an empty list or map, and maps as lists of
    ``(key, value)`` pairs.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    @model_validator(mode="before")
    @classmethod
    def _accept_arrow_collections(cls, data: Any) -> Any:
        if not isinstance(data, Mapping):
            return data
        fixed = dict(data)
        for name, container in _collection_fields(cls).items():
            if name in fixed and fixed[name] is None:
                fixed[name] = container()
            elif container is dict and isinstance(fixed.get(name), list):
                fixed[name] = dict(fixed[name])
        return fixed


Text = Annotated[str, Field(min_length=1)]


class _PersonFields(CanonicalModel):
    """Fields that describe a person; shared by source records and golden records."""

    given_name: str | None = Field(None, description="Given (first) name, cleaned.")
    family_name: str | None = Field(None, description="Family (last) name, cleaned.")
    full_name: str | None = Field(None, description="Full name as the source gave it, cleaned.")
    name_kana: str | None = Field(None, description="Reading of the name (furigana), katakana.")
    emails: tuple[str, ...] = Field((), description="Valid e-mail addresses, lower-cased.")
    phones: tuple[str, ...] = Field((), description="Phone numbers in E.164 form.")
    birth_date: date | None = Field(None, description="Date of birth.")
    postcode: str | None = Field(None, description="Postal code, normalized (JP: 7 digits).")
    country: str | None = Field(None, description="ISO 3166-1 alpha-2 country code.")
    region: str | None = Field(None, description="Prefecture or state.")
    city: str | None = Field(None, description="City, ward, town or village.")
    street: str | None = Field(None, description="Street address below the city.")
    company: str | None = Field(None, description="Employer or account name.")
    external_ids: dict[str, str] = Field(
        default_factory=dict,
        description="Identifiers by type, e.g. salesforce_contact_id, user_id, anonymous_id.",
    )
    consent: dict[str, bool] = Field(
        default_factory=dict, description="Consent per purpose or channel (email, sms …)."
    )


class CustomerRecord(_PersonFields):
    """One record of one source system, in canonical form (a row of ``records``)."""

    record_id: Text = Field(description="Hub-wide id: '{source}:{source_record_id}'.")
    source: Text = Field(description="Source system label, e.g. crm, ec, support, ma, web.")
    source_record_id: Text = Field(description="The record's id in its source system.")
    attributes: dict[str, str] = Field(
        default_factory=dict, description="Every other source column, kept as text."
    )
    updated_at: UtcDatetime | None = Field(
        None, description="When the source last changed it (UTC)."
    )
    quality: tuple[str, ...] = Field(
        (), description="Quality flags such as email_invalid, phone_unparseable."
    )

    @model_validator(mode="before")
    @classmethod
    def _default_record_id(cls, data: Any) -> Any:
        if isinstance(data, Mapping) and not data.get("record_id"):
            source, source_id = data.get("source"), data.get("source_record_id")
            if source and source_id:
                return {**data, "record_id": make_record_id(str(source), str(source_id))}
        return data


class Event(CanonicalModel):
    """One timeline event (a row of ``events``), e.g. an order, a ticket, an e-mail open."""

    event_id: Text = Field(description="Unique id of the event within the hub.")
    source: Text = Field(description="Source system label.")
    type: Text = Field(description="Event type, Segment-spec style: 'Order Completed'.")
    timestamp: UtcDatetime = Field(description="When it happened (UTC).")
    record_id: str | None = Field(
        None, description="record_id of the source record the event belongs to, if known."
    )
    identifiers: dict[str, str] = Field(
        default_factory=dict,
        description="Identifiers to attach the event by when record_id is unknown "
        "(email, phone, user_id, anonymous_id).",
    )
    channel: str | None = Field(None, description="Channel: web, app, email, store, phone …")
    value: float | None = Field(None, description="Monetary value, e.g. an order total.")
    currency: str | None = Field(None, description="ISO 4217 currency of value.")
    properties: str | None = Field(None, description="Other properties as a JSON object text.")


class ClusterAssignment(CanonicalModel):
    """Which customer a source record belongs to (a row of ``clusters``)."""

    record_id: Text = Field(description="The source record.")
    customer_id: Text = Field(description="Stable id of the customer it belongs to.")
    run_id: str | None = Field(None, description="The resolve run that assigned it.")


class GoldenRecord(_PersonFields):
    """The merged view of one customer (a row of ``golden``)."""

    customer_id: Text = Field(description="Stable customer id.")
    record_count: int = Field(description="Number of source records in the cluster.")
    sources: tuple[str, ...] = Field((), description="Source systems the customer appears in.")
    first_seen: UtcDatetime | None = Field(None, description="Earliest updated_at of its records.")
    updated_at: UtcDatetime | None = Field(None, description="Latest updated_at of its records.")


class LineageEntry(CanonicalModel):
    """Where one golden value came from (a row of ``lineage``)."""

    customer_id: Text = Field(description="The customer whose golden record holds the value.")
    field: Text = Field(description="Canonical field name, e.g. phones.")
    value: str = Field(description="The golden value, as text.")
    record_id: Text = Field(description="The source record that supplied it.")
    source: Text = Field(description="That record's source system.")
    updated_at: UtcDatetime | None = Field(None, description="When that source last changed it.")
    rule: str = Field(description="The survivorship rule that chose it.")


class Reject(CanonicalModel):
    """A source row that could not become a record or event, with the reason (``rejects``)."""

    source: Text = Field(description="Source system label.")
    location: str | None = Field(None, description="File, table or stream the row came from.")
    row_number: int | None = Field(None, description="1-based row (or line) number in location.")
    raw: str | None = Field(None, description="The raw row as read, for repair and re-ingest.")
    reason: Text = Field(description="Why it was rejected, and what to do.")
    field: str | None = Field(None, description="The field that caused it, when one did.")


# ------------------------------------------------------------- Arrow derivation

_SCALAR_TYPES: dict[Any, pa.DataType] = {
    str: pa.string(),
    bool: pa.bool_(),
    int: pa.int64(),
    float: pa.float64(),
    date: pa.date32(),
    datetime: TIMESTAMP,
}


def _arrow_type(annotation: Any, where: str) -> pa.DataType:
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Annotated:
        return _arrow_type(args[0], where)
    if origin in (Union, types.UnionType):
        present = [a for a in args if a is not type(None)]
        if len(present) == 1:
            return _arrow_type(present[0], where)
    elif origin in (tuple, list) and args:
        return pa.list_(_arrow_type(args[0], where))
    elif origin is dict and len(args) == 2:
        return pa.map_(_arrow_type(args[0], where), _arrow_type(args[1], where))
    elif annotation in _SCALAR_TYPES:
        return _SCALAR_TYPES[annotation]
    msg = f"{where}: no Arrow type for annotation {annotation!r}"
    raise ConfigError(msg, fix="use str, bool, int, float, date, datetime, tuple or dict")


def arrow_schema(model: type[BaseModel]) -> pa.Schema:
    """Derive the Arrow schema of a canonical model: one field per model field, in order.

    Required fields are non-nullable; field descriptions travel as Arrow field metadata.
    """
    fields = []
    for name, info in model.model_fields.items():
        arrow_type = _arrow_type(info.annotation, f"{model.__name__}.{name}")
        metadata = {"description": info.description} if info.description else None
        fields.append(
            pa.field(name, arrow_type, nullable=not info.is_required(), metadata=metadata)
        )
    return pa.schema(
        fields,
        metadata={"dchkit.model": model.__name__, "dchkit.schema_version": str(SCHEMA_VERSION)},
    )


RECORDS_SCHEMA: pa.Schema = arrow_schema(CustomerRecord)
EVENTS_SCHEMA: pa.Schema = arrow_schema(Event)
CLUSTERS_SCHEMA: pa.Schema = arrow_schema(ClusterAssignment)
GOLDEN_SCHEMA: pa.Schema = arrow_schema(GoldenRecord)
LINEAGE_SCHEMA: pa.Schema = arrow_schema(LineageEntry)
REJECTS_SCHEMA: pa.Schema = arrow_schema(Reject)

_SCHEMA_OF_MODEL: dict[type[BaseModel], pa.Schema] = {
    CustomerRecord: RECORDS_SCHEMA,
    Event: EVENTS_SCHEMA,
    ClusterAssignment: CLUSTERS_SCHEMA,
    GoldenRecord: GOLDEN_SCHEMA,
    LineageEntry: LINEAGE_SCHEMA,
    Reject: REJECTS_SCHEMA,
}


def to_arrow(rows: Iterable[CanonicalModel], model: type[CanonicalModel] | None = None) -> pa.Table:
    """Convert canonical model instances to an Arrow table in the model's canonical schema.

    For the edges of the API (a handful of rows); bulk paths build Arrow arrays directly.
    """
    items = list(rows)
    if model is None:
        if not items:
            msg = "to_arrow() got no rows and no model, so it cannot tell which schema to use"
            raise ConfigError(msg, fix="pass model=CustomerRecord (or Event, …)")
        model = type(items[0])
    schema = _SCHEMA_OF_MODEL.get(model) or arrow_schema(model)
    return pa.Table.from_pylist([item.model_dump() for item in items], schema=schema)


def from_arrow(table: pa.Table | pa.RecordBatch, model: type[ModelT]) -> list[ModelT]:
    """Convert an Arrow table in canonical schema back to validated model instances."""
    return [model.model_validate(row) for row in table.to_pylist()]


def _struct_to_map(column: pa.ChunkedArray | pa.Array) -> pa.Array:
    """A struct column as ``map<string, …>``: one entry per non-null field of each row.

    ``pa.Table.from_pylist`` reads ``{"email": "a@x.jp"}`` as a struct (with the union of
    every row's keys); a map keeps only the keys a row has.
    """
    import numpy as np
    import pyarrow.compute as pc

    array = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    names = [array.type.field(i).name for i in range(array.type.num_fields)]
    n, k = len(array), len(names)
    children = [pc.struct_field(array, [i]) for i in range(k)]
    types = {child.type for child in children}
    value_type = types.pop() if len(types) == 1 else pa.string()
    values = (
        pa.concat_arrays([child.cast(value_type) for child in children])
        if children
        else pa.array([], value_type)
    )
    values = values.take(pa.array(np.arange(n * k, dtype=np.int64).reshape(k, n).T.ravel()))
    keys = pa.array(np.tile(np.array(names, dtype=object), n), pa.string())
    rows = np.asarray(array.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
    keep = np.asarray(values.is_valid().to_numpy(zero_copy_only=False), dtype=bool)
    keep &= np.repeat(rows, k)
    offsets = np.concatenate([[0], np.cumsum(keep.reshape(n, k).sum(axis=1))]).astype(np.int32)
    offsets_array = pa.array(offsets, pa.int32(), mask=np.concatenate([~rows, [False]]))
    kept = pa.array(keep)
    return pa.MapArray.from_arrays(offsets_array, keys.filter(kept), values.filter(kept))


def conform(
    table: pa.Table | pa.RecordBatch, schema: pa.Schema, *, what: str = "table"
) -> pa.Table:
    """Return ``table`` with exactly ``schema``'s columns, in order, cast to its types.

    Missing nullable columns are added as nulls; extra columns are an error (callers that
    want to keep them move them into ``attributes`` first).

    Raises:
        ConfigError: a required column is missing, a column is unknown, or a cast fails.
    """
    if isinstance(table, pa.RecordBatch):
        table = pa.Table.from_batches([table])
    names = table.column_names  # a new list on every access: read once
    if table.schema.equals(schema):  # the common case (a store's or a connector's rows)
        _check_required(table, schema, what)
        if table.schema.equals(schema, check_metadata=True):
            return table
        if table.schema.equals(_bare(schema), check_metadata=True):  # fields' metadata kept
            return table.replace_schema_metadata(schema.metadata)
        return pa.Table.from_arrays(table.columns, schema=schema)
    unknown = sorted(set(names) - set(schema.names))
    if unknown:
        msg = f"{what} has columns the canonical schema does not know: {unknown}"
        raise ConfigError(
            msg, fix=f"rename them to canonical names or drop them; known: {schema.names}"
        )
    present = set(names)
    columns: list[pa.Array | pa.ChunkedArray] = []
    for field in schema:
        if field.name not in present:
            if not field.nullable:
                msg = f"{what} lacks the required column {field.name!r}"
                raise ConfigError(msg, fix=f"add a {field.name!r} column of type {field.type}")
            columns.append(pa.nulls(table.num_rows, field.type))
            continue
        column = table.column(field.name)
        if pa.types.is_map(field.type) and pa.types.is_struct(column.type):
            column = _struct_to_map(column)  # Python dicts arrive as structs
        if not column.type.equals(field.type):
            try:
                column = column.cast(field.type)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as err:
                msg = f"{what} column {field.name!r} has type {column.type}, which cannot become {field.type}"
                raise ConfigError(msg, fix="convert the column before passing the table") from err
        if not field.nullable and column.null_count:
            msg = f"{what} column {field.name!r} has {column.null_count} null value(s) but is required"
            raise ConfigError(msg, fix="fill or drop those rows")
        columns.append(column)
    return pa.Table.from_arrays(columns, schema=schema)


def _check_required(table: pa.Table, schema: pa.Schema, what: str) -> None:
    """Raise when a column ``schema`` requires holds nulls (as :func:`conform` does)."""
    for position, name in _required(schema):
        count = table.column(position).null_count
        if count:
            msg = f"{what} column {name!r} has {count} null value(s) but is required"
            raise ConfigError(msg, fix="fill or drop those rows")


#: Per schema (by identity: hashing a schema costs more than the check it saves), the
#: schema, its required fields (position, name) and the schema without its own metadata.
_SHAPES: dict[int, tuple[pa.Schema, tuple[tuple[int, str], ...], pa.Schema]] = {}


def _shape(schema: pa.Schema) -> tuple[pa.Schema, tuple[tuple[int, str], ...], pa.Schema]:
    found = _SHAPES.get(id(schema))
    if found is None or found[0] is not schema:
        required = tuple((i, f.name) for i, f in enumerate(schema) if not f.nullable)
        found = (schema, required, schema.remove_metadata())
        if len(_SHAPES) > 256:
            _SHAPES.clear()
        _SHAPES[id(schema)] = found
    return found


def _required(schema: pa.Schema) -> tuple[tuple[int, str], ...]:
    """Position and name of the fields of ``schema`` that must not hold nulls."""
    return _shape(schema)[1]


def _bare(schema: pa.Schema) -> pa.Schema:
    """``schema`` without its schema-level metadata (what a store's reads carry)."""
    return _shape(schema)[2]
