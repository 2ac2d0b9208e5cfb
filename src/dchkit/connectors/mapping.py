"""Declarative mappings: which source columns become which canonical fields, and how.

A :class:`Mapping` is a frozen pydantic model, so it round-trips through dicts, JSON and
YAML files (:func:`load_mapping`). Shorthands keep small mappings small: a string is a
column name, a list of strings is several columns (all kept for ``emails``/``phones``, the
first non-empty one for a single field).

Examples:
    >>> m = Mapping.model_validate({
    ...     "source": "crm",
    ...     "records": {
    ...         "id": "Id",
    ...         "given_name": "FirstName",
    ...         "family_name": "LastName",
    ...         "emails": ["Email"],
    ...         "street": {"columns": ["Street 1", "Street 2"], "join": " "},
    ...         "external_ids": {"salesforce_contact_id": "Id"},
    ...         "consent": {"email": {"column": "HasOptedOutOfEmail", "invert": True}},
    ...     },
    ... })
    >>> m.records.street.columns
    ('Street 1', 'Street 2')
    >>> sorted(m.columns())[:3]
    ['Email', 'FirstName', 'HasOptedOutOfEmail']
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from dchkit.errors import ConnectorDependencyError, MappingError

__all__ = [
    "ConsentSpec",
    "EventMapping",
    "EventTypeSpec",
    "FieldSpec",
    "Mapping",
    "RecordMapping",
    "RowFilter",
    "SplitName",
    "load_mapping",
    "suggest",
]

TRUE_WORDS: tuple[str, ...] = (
    "true", "yes", "y", "1", "t", "on", "opted_in", "opt-in", "subscribed", "granted",
    "はい", "同意", "許可", "有",
)  # fmt: skip
FALSE_WORDS: tuple[str, ...] = (
    "false", "no", "n", "0", "f", "off", "opted_out", "opt-out", "unsubscribed", "denied",
    "いいえ", "拒否", "不可", "無",
)  # fmt: skip


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class FieldSpec(_Frozen):
    """Where one value comes from: a column, several columns, or a constant.

    Attributes:
        column: One source column.
        columns: Several columns: joined with ``join`` if given, else the first non-empty.
            The source needs only one of them, so alternatives (``["FirstName",
            "First Name"]``) cover several export layouts.
        join: Separator for ``columns`` (address parts: ``" "``; empty parts are skipped).
        constant: A fixed value for every row (``country: {constant: JP}``).
        format: strptime format for dates and timestamps, or ``epoch_ms``/``epoch_s``.
        value_map: Replace exact values after reading (``{"Web": "web"}``); others kept.
        split: For ``emails``/``phones``: a regex that splits one cell into several values.
    """

    column: str | None = None
    columns: tuple[str, ...] = ()
    join: str | None = None
    constant: str | None = None
    format: str | None = None
    value_map: dict[str, str] = Field(default_factory=dict)
    split: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        if isinstance(data, str):
            return {"column": data}
        if isinstance(data, list | tuple):
            return {"columns": tuple(data)}
        return data

    @model_validator(mode="after")
    def _one_origin(self) -> FieldSpec:
        given = [self.column is not None, bool(self.columns), self.constant is not None]
        if sum(given) != 1:
            msg = "a field takes exactly one of 'column', 'columns' or 'constant'"
            raise ValueError(msg)
        return self

    def source_columns(self) -> tuple[str, ...]:
        """The source columns this spec reads."""
        return (self.column,) if self.column is not None else self.columns


class SplitName(_Frozen):
    """Split one full-name column into given and family names (when those are empty).

    ``order="auto"`` reads CJK names family-first (山田 太郎) and others given-first.
    """

    column: str
    order: Literal["auto", "given_first", "family_first"] = "auto"


class ConsentSpec(_Frozen):
    """A consent flag: which words mean yes/no, and whether the column says "opted out"."""

    column: str
    true_values: tuple[str, ...] = TRUE_WORDS
    false_values: tuple[str, ...] = FALSE_WORDS
    invert: bool = Field(False, description="True for opt-out columns (HasOptedOutOfEmail).")

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        return {"column": data} if isinstance(data, str) else data


AttributeSelection = tuple[str, ...] | Literal["rest", "none"]


class RecordMapping(_Frozen):
    """How a row becomes a customer record (a row of ``records``)."""

    id: FieldSpec
    given_name: FieldSpec | None = None
    family_name: FieldSpec | None = None
    full_name: FieldSpec | None = None
    name_kana: FieldSpec | None = None
    split_name: SplitName | None = None
    emails: tuple[FieldSpec, ...] = ()
    phones: tuple[FieldSpec, ...] = ()
    birth_date: FieldSpec | None = None
    postcode: FieldSpec | None = None
    country: FieldSpec | None = None
    region: FieldSpec | None = None
    city: FieldSpec | None = None
    street: FieldSpec | None = None
    company: FieldSpec | None = None
    updated_at: FieldSpec | None = None
    external_ids: dict[str, FieldSpec] = Field(default_factory=dict)
    consent: dict[str, ConsentSpec] = Field(default_factory=dict)
    attributes: AttributeSelection = "rest"

    @model_validator(mode="before")
    @classmethod
    def _lists(cls, data: Any) -> Any:
        if isinstance(data, dict):
            data = dict(data)
            for key in ("emails", "phones"):
                if isinstance(data.get(key), str | dict):
                    data[key] = [data[key]]
                elif isinstance(data.get(key), list):
                    data[key] = [{"column": v} if isinstance(v, str) else v for v in data[key]]
        return data

    def scalar_fields(self) -> dict[str, FieldSpec]:
        """Canonical single-valued text fields and their specs."""
        names = (
            "given_name", "family_name", "full_name", "name_kana", "postcode", "country",
            "region", "city", "street", "company",
        )  # fmt: skip
        return {n: spec for n in names if (spec := getattr(self, n)) is not None}

    def column_groups(self) -> list[tuple[str, ...]]:
        """Columns the source must have: at least one column of each group."""
        specs: list[FieldSpec] = [self.id, *self.emails, *self.phones]
        specs += [*self.scalar_fields().values(), *self.external_ids.values()]
        specs += [s for s in (self.birth_date, self.updated_at) if s is not None]
        groups = [s.source_columns() for s in specs if s.source_columns()]
        groups += [(c.column,) for c in self.consent.values()]
        if self.split_name:
            groups.append((self.split_name.column,))
        return groups

    def columns(self) -> set[str]:
        """Every source column the mapping reads."""
        specs: list[FieldSpec] = [self.id, *self.emails, *self.phones]
        specs += [*self.scalar_fields().values(), *self.external_ids.values()]
        specs += [s for s in (self.birth_date, self.updated_at) if s is not None]
        found = {c for s in specs for c in s.source_columns()}
        found |= {c.column for c in self.consent.values()}
        if self.split_name:
            found.add(self.split_name.column)
        if isinstance(self.attributes, tuple):
            found |= set(self.attributes)
        return found


class RowFilter(_Frozen):
    """Selects rows by one column: equal to one of ``values``, or simply non-empty."""

    column: str
    values: tuple[str, ...] = ()
    not_empty: bool = False

    @model_validator(mode="after")
    def _something(self) -> RowFilter:
        if not self.values and not self.not_empty:
            msg = "a row filter needs 'values' or 'not_empty: true'"
            raise ValueError(msg)
        return self


class EventTypeSpec(_Frozen):
    """The event type: a constant, or a column translated by ``value_map``."""

    constant: str | None = None
    column: str | None = None
    value_map: dict[str, str] = Field(default_factory=dict)
    default: str | None = Field(None, description="Type for values missing from value_map.")

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, data: Any) -> Any:
        return {"constant": data} if isinstance(data, str) else data

    @model_validator(mode="after")
    def _one_origin(self) -> EventTypeSpec:
        if (self.constant is None) == (self.column is None):
            msg = "an event type takes exactly one of 'constant' or 'column'"
            raise ValueError(msg)
        return self


class EventMapping(_Frozen):
    """How a row becomes a timeline event (a row of ``events``).

    A row may give several events (a ticket: opened, then solved); ``required`` says
    whether a missing timestamp rejects the row (``True``) or just skips this event.
    """

    type: EventTypeSpec
    timestamp: FieldSpec
    id: FieldSpec | None = None
    id_suffix: str | None = Field(None, description="Appended to event ids: ':solved'.")
    record: FieldSpec | None = Field(None, description="Source record id of the customer.")
    record_source: str | None = Field(None, description="Source of that record, if another.")
    identifiers: dict[str, FieldSpec] = Field(default_factory=dict)
    channel: FieldSpec | None = None
    value: FieldSpec | None = None
    currency: FieldSpec | None = None
    properties: AttributeSelection = "rest"
    properties_json: str | None = Field(None, description="A column already holding JSON.")
    properties_prefix: str | None = Field(
        None, description="Build properties from the dotted columns under this prefix."
    )
    when: RowFilter | None = None
    required: bool = True

    def column_groups(self) -> list[tuple[str, ...]]:
        """Columns the source must have: at least one column of each group."""
        specs = [self.timestamp, *self.identifiers.values()]
        specs += [s for s in (self.id, self.record, self.channel, self.value, self.currency) if s]
        groups = [s.source_columns() for s in specs if s.source_columns()]
        groups += [(c,) for c in (self.type.column, self.properties_json) if c]
        if self.when:
            groups.append((self.when.column,))
        return groups

    def columns(self) -> set[str]:
        """Every source column the event mapping reads."""
        specs = [self.timestamp, *self.identifiers.values()]
        specs += [s for s in (self.id, self.record, self.channel, self.value, self.currency) if s]
        found = {c for s in specs for c in s.source_columns()}
        if self.type.column:
            found.add(self.type.column)
        if self.when:
            found.add(self.when.column)
        if self.properties_json:
            found.add(self.properties_json)
        if isinstance(self.properties, tuple):
            found |= set(self.properties)
        return found


class Mapping(_Frozen):
    """A whole source mapping: records and/or events, plus reading defaults.

    Attributes:
        name: Name of the mapping (presets: ``salesforce_contacts``).
        description: What export it fits.
        source: Default source label (``crm``); the connector's ``source=`` wins.
        timezone: Zone of timestamps that carry none.
        default_region: Region for phone numbers without a country code (``JP``, ``US``).
        json_columns: Nested objects kept whole as JSON text instead of dotted columns.
        records: How rows become records.
        events: How rows become events; with ``records`` too, each needs ``when``.
        optional: Columns that may be missing from an export (read as empty).
    """

    name: str | None = None
    description: str | None = None
    source: str | None = None
    timezone: str = "UTC"
    default_region: str | None = None
    json_columns: tuple[str, ...] = ()
    records: RecordMapping | None = None
    events: tuple[EventMapping, ...] = ()
    optional: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _consistent(self) -> Mapping:
        if self.records is None and not self.events:
            msg = "a mapping needs 'records', 'events' or both"
            raise ValueError(msg)
        if self.records is not None and any(e.when is None for e in self.events):
            msg = "when a mapping has both records and events, every event needs 'when'"
            raise ValueError(msg)
        return self

    def columns(self) -> set[str]:
        """Every source column the mapping reads."""
        found = self.records.columns() if self.records else set()
        for event in self.events:
            found |= event.columns()
        return found

    def check_columns(self, available: Iterable[str], *, location: str | None = None) -> None:
        """Raise :class:`MappingError` if the mapping reads a column the source lacks.

        Raises:
            MappingError: names the column, the available columns and the closest match.
        """
        present = list(available)
        have = set(present) | set(self.optional)
        groups = self.records.column_groups() if self.records else []
        for event in self.events:
            groups += event.column_groups()
        missing = sorted({g[0] for g in groups if not have.intersection(g)})
        if not missing:
            return
        column = missing[0]
        where = f" in {location}" if location else ""
        msg = f"mapping {self.name or '(unnamed)'!r} reads column {column!r}, which is not{where}"
        if len(missing) > 1:
            msg += f" (also missing: {missing[1:]})"
        hint = suggest(column, present)
        fix = f"did you mean {hint!r}? " if hint else ""
        fix += f"Available columns: {present}; fix the mapping or the export"
        if len(present) == 1 and any(sep in present[0] for sep in ";\t|,"):
            fix += " (the header is one column: is the delimiter right?)"
        raise MappingError(msg, fix=fix, column=column, available=present)


def suggest(name: str, choices: Iterable[str]) -> str | None:
    """Return the closest of ``choices`` to ``name`` (case-insensitive), if any is close."""
    options = list(choices)
    lowered = {c.lower(): c for c in options}
    found = difflib.get_close_matches(name.lower(), list(lowered), n=1, cutoff=0.6)
    return lowered[found[0]] if found else None


def load_mapping(spec: Mapping | dict[str, Any] | str | Path) -> Mapping:
    """Load a mapping from a dict, a JSON/YAML file path, or JSON/YAML text.

    YAML needs PyYAML (the ``frames`` extra), imported only when YAML is actually read.

    Raises:
        MappingError: the mapping is invalid (wraps pydantic's ValidationError).
        ConnectorDependencyError: YAML was given but PyYAML is not installed.
    """
    if isinstance(spec, Mapping):
        return spec
    where = "mapping"
    data: Any = spec
    if isinstance(spec, Path) or (isinstance(spec, str) and _looks_like_path(spec)):
        path = Path(spec)
        where = str(path)
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as err:
            msg = f"cannot read mapping file {where}: {err.strerror or err}"
            raise MappingError(msg, fix="check the path") from err
        data = _parse_text(text, yaml=path.suffix.lower() in (".yaml", ".yml"), where=where)
    elif isinstance(spec, str):
        data = _parse_text(spec, yaml=not spec.lstrip().startswith("{"), where=where)
    try:
        return Mapping.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        loc = ".".join(str(p) for p in first["loc"])
        msg = f"invalid {where}: {loc or 'mapping'}: {first['msg']} ({err.error_count()} error(s))"
        raise MappingError(msg, fix="see the mapping reference in dchkit.connectors") from err


def _looks_like_path(text: str) -> bool:
    return "\n" not in text and text.lower().endswith((".json", ".yaml", ".yml"))


def _parse_text(text: str, *, yaml: bool, where: str) -> Any:
    if not yaml:
        try:
            return json.loads(text)
        except json.JSONDecodeError as err:
            msg = f"{where} is not valid JSON: {err.msg} at line {err.lineno}"
            raise MappingError(msg, fix="fix the JSON syntax") from err
    try:
        import yaml as pyyaml
    except ImportError as err:
        msg = "reading a YAML mapping needs PyYAML, which is not installed"
        raise ConnectorDependencyError(
            msg, fix='pip install "dchkit[frames]" (or pyyaml), or use JSON'
        ) from err
    try:
        return pyyaml.safe_load(text)
    except pyyaml.YAMLError as err:
        msg = f"{where} is not valid YAML: {err}"
        raise MappingError(msg, fix="fix the YAML syntax") from err
