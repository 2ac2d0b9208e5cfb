"""Turning ingest requests into hub writes: canonical records, preset rows, events.

Everything is read and checked before the first write, so a request the hub refuses
(an unknown preset, rows a preset cannot map, rejects with ``on_reject="fail"``, the same
id twice) writes nothing.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Literal

import pyarrow as pa

from dchkit.cli.ingest import ReadBatches
from dchkit.errors import ConfigError, MappingError, RecordNormalizationError
from dchkit.schema import EVENTS_SCHEMA, RECORDS_SCHEMA, make_record_id

if TYPE_CHECKING:
    from dchkit.hub import Hub, IngestReport
    from dchkit.server.models import EventsIn, IngestIn, RecordIn

__all__ = ["events_table", "ingest_events", "ingest_records", "records_table"]


def records_table(records: list[RecordIn], source: str, region: str) -> pa.Table:
    """Canonical records as a normalized ``RECORDS_SCHEMA`` table.

    Raises:
        ConfigError: two records share an id.
    """
    from dchkit.connectors import NormalizeOptions, normalize_records

    ids = [r.id for r in records]
    if len(set(ids)) != len(ids):
        twice = sorted({i for i in ids if ids.count(i) > 1})
        msg = f"record id {twice[0]!r} appears more than once in the request"
        raise ConfigError(msg, fix="send each record once (the last version)")
    rows = []
    for r in records:
        emails = [*([r.email] if r.email else []), *r.emails]
        phones = [*([r.phone] if r.phone else []), *r.phones]
        row: dict[str, Any] = r.model_dump(exclude={"id", "email", "emails", "phone", "phones"})
        row.update(
            record_id=make_record_id(source, r.id),
            source=source,
            source_record_id=r.id,
            emails=emails,
            phones=phones,
            external_ids=list(r.external_ids.items()),
            consent=list(r.consent.items()),
            attributes=list(r.attributes.items()),
            quality=[],
        )
        rows.append(row)
    table = pa.Table.from_pylist(rows, schema=RECORDS_SCHEMA)
    return normalize_records(table, NormalizeOptions(default_region=region))


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _customers(hub: Hub, record_ids: list[str]) -> dict[str, str]:
    found = hub.store.read(
        "clusters", {"record_id": record_ids}, columns=["record_id", "customer_id"]
    )
    return dict(
        zip(
            found.column("record_id").to_pylist(),
            found.column("customer_id").to_pylist(),
            strict=True,
        )
    )


def _reject_rows(rejects: pa.Table) -> list[dict[str, Any]]:
    # Row number, field and reason only: the raw row may hold personal data.
    columns = [c for c in ("row_number", "field", "reason") if c in rejects.column_names]
    return list(rejects.select(columns).to_pylist())


def ingest_records(
    hub: Hub, body: IngestIn
) -> tuple[IngestReport, dict[str, str], list[dict[str, Any]]]:
    """Write one ingest request; returns the report, each record's customer and the rejects.

    Raises:
        RecordNormalizationError: ``on_reject="fail"`` and a row was rejected.
        ConnectorError: the preset is unknown or cannot map the rows.
    """
    resolve: Literal["auto", "never"] = "auto" if body.resolve else "never"
    if body.records is not None:
        table = records_table(body.records, body.source, hub.default_region)
        report = hub.ingest(table, resolve=resolve)
        ids = table.column("record_id").to_pylist()
        return report, _customers(hub, ids), []
    from dchkit.connectors import InMemoryConnector, load_preset

    mapping = load_preset(str(body.preset))
    rows = [{k: _text(v) for k, v in row.items()} for row in body.rows or []]
    given = {k for row in rows for k in row}
    if not given & mapping.columns():
        msg = f"none of the rows' fields {sorted(given)[:10]} is a column of preset {body.preset!r}"
        raise MappingError(
            msg, fix=f"name fields as the export does: {sorted(mapping.columns())[:10]}"
        )
    # JSON rows omit empty fields: a column the preset reads and no row has is null.
    columns = sorted(given | mapping.columns())
    data = pa.table({c: pa.array([row.get(c) for row in rows], pa.string()) for c in columns})
    connector = InMemoryConnector(
        data, mapping=mapping, source=body.source, default_region=hub.default_region
    )
    batches = tuple(connector.read())
    rejects = pa.concat_tables([pa.Table.from_batches([b.rejects]) for b in batches])
    if body.on_reject == "fail" and rejects.num_rows:
        first = rejects.slice(0, 1).to_pylist()[0]
        msg = f"{rejects.num_rows} of {len(rows)} rows were rejected; row {first['row_number']}: {first['reason']}"
        raise RecordNormalizationError(
            msg, fix='correct those rows, or send on_reject="keep" to write the others'
        )
    report = hub.ingest(ReadBatches(connector.source, batches), resolve=resolve)
    ids = [i for b in batches for i in b.records.column("record_id").to_pylist()]
    return report, _customers(hub, ids), _reject_rows(rejects)


def events_table(body: EventsIn) -> pa.Table:
    """Events as an ``EVENTS_SCHEMA`` table (properties kept as JSON text).

    Raises:
        ConfigError: two events share an id.
    """
    ids = [e.event_id for e in body.events]
    if len(set(ids)) != len(ids):
        msg = "an event id appears more than once in the request"
        raise ConfigError(msg, fix="send each event once")
    rows = [
        e.model_dump()
        | {
            "identifiers": list(e.identifiers.items()),
            "properties": None if e.properties is None else json.dumps(e.properties),
        }
        for e in body.events
    ]
    return pa.Table.from_pylist(rows, schema=EVENTS_SCHEMA)


def ingest_events(hub: Hub, body: EventsIn) -> IngestReport:
    """Write events (they join their customers' timelines at once)."""
    return hub.ingest(events=events_table(body))
