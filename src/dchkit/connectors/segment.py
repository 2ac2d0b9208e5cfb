r"""Segment-spec event streams: every message an event, every visitor a record.

Messages (``identify``, ``track``, ``page``, ``screen``, ``group``, ``alias``) are mapped by
the ``segment`` preset to events (``Order Completed``, ``Page Viewed``, ``Identified`` …)
linked to the visitor's record. Visitors are *derived* records (counted in
``report.derived_records``, since no single row stands for them):

- one record per ``userId``: ``web:{userId}`` with ``external_ids={"user_id": …}`` and the
  latest ``identify`` traits (email, names, phone …);
- one record per ``anonymousId`` (``alias`` ``previousId`` included): ``web:{anonymousId}``
  with ``external_ids={"anonymous_id": …}`` and, when the anonymous visitor later logged
  in, ``"user_id": …`` as well — the resolver hard-links records sharing a ``user_id``, so
  several anonymous ids of one user each keep their own record and all join that user.
  An anonymous id seen with *several* user ids (a shared browser) gets no ``user_id`` link
  and the ``anonymous_id_shared`` quality flag instead, so it cannot merge different people.

Events link to ``web:{userId}`` when the message has one, else to ``web:{anonymousId}``.

Examples:
    >>> import json, tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "web.jsonl"
    >>> msgs = [
    ...   {"type": "page", "messageId": "m1", "anonymousId": "a1", "timestamp": "2024-05-01T00:00:00Z", "name": "Home"},
    ...   {"type": "identify", "messageId": "m2", "anonymousId": "a1", "userId": "u1",
    ...    "timestamp": "2024-05-01T00:01:00Z", "traits": {"email": "Taro@Example.jp"}},
    ...   {"type": "track", "messageId": "m3", "userId": "u1", "event": "Order Completed",
    ...    "timestamp": "2024-05-01T00:02:00Z", "properties": {"revenue": 1200, "currency": "JPY"}}]
    >>> _ = path.write_text("\n".join(json.dumps(m) for m in msgs))
    >>> res = SegmentConnector(path).read_all()
    >>> sorted(res.records.column("record_id").to_pylist())
    ['web:a1', 'web:u1']
    >>> [sorted(x) for x in res.records.sort_by("record_id").column("external_ids").to_pylist()]
    [[('anonymous_id', 'a1'), ('user_id', 'u1')], [('user_id', 'u1')]]
    >>> sorted(res.events.column("type").to_pylist()), res.report.derived_records, res.report.balanced
    (['Identified', 'Order Completed', 'Page Viewed'], 2, True)
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import ClassVar

import pyarrow as pa
import pyarrow.compute as pc

from dchkit.connectors.base import MappingLike
from dchkit.connectors.jsonlines import JsonLinesConnector
from dchkit.connectors.mapper import Mapper, OnError, PreparedBatch, RawBatch
from dchkit.connectors.mapping import Mapping
from dchkit.connectors.normalizing import NormalizeOptions
from dchkit.connectors.pipeline import map_batches, prefetched
from dchkit.connectors.presets import load_preset
from dchkit.connectors.report import ConnectorBatch, ReadReport

__all__ = ["SegmentConnector"]

#: Visitor fields taken from identify traits: canonical field -> candidate trait columns.
_TRAITS: dict[str, tuple[str, ...]] = {
    "email": ("traits.email", "context.traits.email"),
    "phone": ("traits.phone", "context.traits.phone"),
    "first_name": ("traits.firstName", "traits.first_name"),
    "last_name": ("traits.lastName", "traits.last_name"),
    "name": ("traits.name",),
    "birthday": ("traits.birthday",),
    "company": ("traits.company.name", "traits.company"),
    "street": ("traits.address.street",),
    "city": ("traits.address.city",),
    "region": ("traits.address.state",),
    "postcode": ("traits.address.postalCode", "traits.address.postal_code"),
    "country": ("traits.address.country",),
}

#: The message columns visitors are derived from (the rest of a wide batch is not copied).
_VISITOR_COLUMNS = frozenset(
    {"type", "userId", "anonymousId", "previousId"}
    | {"timestamp", "originalTimestamp", "receivedAt", "sentAt"}
    | {column for columns in _TRAITS.values() for column in columns}
)

_VISITOR_MAPPING = Mapping.model_validate(
    {
        "name": "segment_visitors",
        "records": {
            "id": "visitor_id",
            "given_name": "first_name",
            "family_name": "last_name",
            "full_name": "name",
            "emails": ["email"],
            "phones": ["phone"],
            "birth_date": "birthday",
            "company": "company",
            "street": "street",
            "city": "city",
            "region": "region",
            "postcode": "postcode",
            "country": "country",
            "updated_at": "last_seen",
            "external_ids": {"user_id": "user_id", "anonymous_id": "anonymous_id"},
            "attributes": ["shared_with_users"],
        },
    }
)


def _col(data: pa.RecordBatch, *names: str) -> pa.Array:
    present = [data.column(n) for n in names if n in data.schema.names]
    if not present:
        return pa.nulls(data.num_rows, pa.string())
    return present[0] if len(present) == 1 else pc.coalesce(*present)


class _Visitors:
    """Collects, per batch, the few columns visitors are derived from (distinct ids only)."""

    def __init__(self) -> None:
        self.links: list[pa.Table] = []  # anonymous_id, user_id
        self.seen: list[pa.Table] = []  # visitor_id, kind, last_seen
        self.traits: list[pa.Table] = []  # visitor_id, timestamp, trait columns

    def add(self, data: pa.RecordBatch) -> None:
        if not data.num_rows:
            return
        user = _col(data, "userId")
        anonymous = _col(data, "anonymousId")
        previous = _col(data, "previousId")
        stamp = _col(data, "timestamp", "originalTimestamp", "receivedAt", "sentAt")
        for anon in (anonymous, previous):
            pairs = pa.table({"anonymous_id": anon, "user_id": user})
            pairs = pairs.filter(pc.is_valid(pairs.column("anonymous_id")))
            self.links.append(
                pairs.group_by(["anonymous_id", "user_id"], use_threads=False).aggregate([])
            )
        for kind, ids in (("user", user), ("anonymous", anonymous), ("anonymous", previous)):
            rows = pa.table({"visitor_id": ids, "last_seen": stamp}).filter(ids.is_valid())
            rows = rows.group_by("visitor_id", use_threads=False).aggregate([("last_seen", "max")])
            kinds = pa.array([kind] * rows.num_rows, pa.string())
            self.seen.append(rows.append_column("kind", kinds))
        identify = pc.fill_null(pc.equal(_col(data, "type"), "identify"), False)
        if pc.any(identify).as_py():
            sub = data.filter(identify)
            columns = {"visitor_id": pc.coalesce(_col(sub, "userId"), _col(sub, "anonymousId"))}
            columns["timestamp"] = _col(
                sub, "timestamp", "originalTimestamp", "receivedAt", "sentAt"
            )
            for name, candidates in _TRAITS.items():
                columns[name] = _col(sub, *candidates)
            self.traits.append(pa.table(columns).filter(columns["visitor_id"].is_valid()))

    def build(self) -> pa.RecordBatch:
        """One text row per visitor, ready for the visitor mapping."""
        if not self.seen:
            return pa.RecordBatch.from_pydict({"visitor_id": pa.array([], pa.string())})
        seen = pa.concat_tables(self.seen)
        visitors = seen.group_by(["visitor_id", "kind"], use_threads=False).aggregate(
            [("last_seen_max", "max")]
        )
        # Users win when an id was used both ways (an alias previousId that was a userId).
        is_user = pc.equal(visitors.column("kind"), "user")
        users = visitors.filter(is_user)
        anonymous = visitors.filter(
            pc.and_(
                pc.invert(is_user),
                pc.invert(
                    pc.is_in(visitors.column("visitor_id"), value_set=users.column("visitor_id"))
                ),
            )
        )
        links = pa.concat_tables(self.links).filter(
            pc.is_valid(pa.concat_tables(self.links).column("user_id"))
        )
        links = links.group_by(["anonymous_id", "user_id"], use_threads=False).aggregate([])
        per_anon = links.group_by("anonymous_id", use_threads=False).aggregate(
            [("user_id", "count_distinct"), ("user_id", "min"), ("user_id", "list")]
        )
        index = pc.index_in(
            anonymous.column("visitor_id"), value_set=per_anon.column("anonymous_id")
        )
        counts = pc.fill_null(per_anon.column("user_id_count_distinct").take(index), 0)
        single = pc.equal(counts, 1)
        linked_user = pc.if_else(
            single, per_anon.column("user_id_min").take(index), pa.scalar(None, pa.string())
        )
        shared_lists = per_anon.column("user_id_list").take(index)
        shared = pc.if_else(
            pc.greater(counts, 1),
            pc.binary_join(
                pc.list_sort(shared_lists) if hasattr(pc, "list_sort") else shared_lists, ","
            ),
            pa.scalar(None, pa.string()),
        )
        ids = pa.concat_arrays(
            [
                users.column("visitor_id").combine_chunks(),
                anonymous.column("visitor_id").combine_chunks(),
            ]
        )
        table = pa.table(
            {
                "visitor_id": ids,
                "user_id": pa.concat_arrays(
                    [
                        users.column("visitor_id").combine_chunks(),
                        linked_user.combine_chunks()
                        if isinstance(linked_user, pa.ChunkedArray)
                        else linked_user,
                    ]
                ),
                "anonymous_id": pa.concat_arrays(
                    [
                        pa.nulls(users.num_rows, pa.string()),
                        anonymous.column("visitor_id").combine_chunks(),
                    ]
                ),
                "shared_with_users": pa.concat_arrays(
                    [
                        pa.nulls(users.num_rows, pa.string()),
                        shared.combine_chunks() if isinstance(shared, pa.ChunkedArray) else shared,
                    ]
                ),
                "last_seen": pa.concat_arrays(
                    [
                        users.column("last_seen_max_max").combine_chunks(),
                        anonymous.column("last_seen_max_max").combine_chunks(),
                    ]
                ),
            }
        )
        if self.traits:
            traits = pa.concat_tables(self.traits)
            traits = traits.sort_by([("visitor_id", "ascending"), ("timestamp", "descending")])
            first = traits.group_by("visitor_id", use_threads=False).aggregate(
                [(name, "first") for name in _TRAITS]
            )
            where = pc.index_in(table.column("visitor_id"), value_set=first.column("visitor_id"))
            for name in _TRAITS:
                table = table.append_column(name, first.column(f"{name}_first").take(where))
        batches = table.combine_chunks().to_batches()
        return (
            batches[0]
            if batches
            else pa.RecordBatch.from_pydict({"visitor_id": pa.array([], pa.string())})
        )


class SegmentConnector(JsonLinesConnector):
    """Read Segment-spec messages (JSON Lines) into events and derived visitor records.

    Args:
        path: JSON Lines file of Segment messages (as exported by Segment or RudderStack).
        source: Source label (default ``web``).
        mapping: Event mapping; defaults to the ``segment`` preset.
        **options: See :class:`~dchkit.connectors.jsonlines.JsonLinesConnector`.
    """

    name: ClassVar[str] = "segment"

    def __init__(
        self,
        path: str | Path,
        *,
        source: str | None = None,
        mapping: MappingLike | None = None,
        preset: str | None = None,
        on_error: OnError = "collect",
        default_region: str | None = None,
        batch_size: int = 65_536,
        encoding: str = "auto",
        json_columns: Sequence[str] = (),
    ) -> None:
        if mapping is None and preset is None:
            preset = "segment"
        super().__init__(
            path,
            source=source,
            mapping=mapping,
            preset=preset,
            on_error=on_error,
            default_region=default_region,
            batch_size=batch_size,
            encoding=encoding,
            json_columns=json_columns,
        )

    def read(self) -> Iterator[ConnectorBatch]:
        """Yield event batches, then one batch of derived visitor records."""
        if self.mapping is None:  # only a subclass that cleared it gets here
            self.mapping = load_preset("segment_events")
        mapper = self._mapper(self.mapping)
        visitors = _Visitors()
        total = ReadReport(source=self.source)

        def collect(raw: RawBatch, prepared: PreparedBatch) -> None:
            rejected = prepared.rejects.column("row_number")
            kept = pc.invert(
                pc.fill_null(pc.is_in(raw.row_numbers, value_set=rejected.drop_null()), False)
            )
            data = raw.data
            visitors.add(
                data.select([n for n in data.schema.names if n in _VISITOR_COLUMNS]).filter(kept)
            )

        raws = prefetched(self.read_raw()) if self.read_ahead else self.read_raw()
        for batch in map_batches(mapper, raws, on_prepared=collect):
            total = total + batch.report
            yield batch
        region = self.default_region or self.mapping.default_region or "JP"
        visitor_mapper = Mapper(
            _VISITOR_MAPPING,
            source=self.source,
            options=NormalizeOptions(default_region=region),
            on_error=self.on_error,
        )
        rows = visitors.build()
        derived = visitor_mapper.map(
            RawBatch(
                data=rows,
                row_numbers=pa.array(range(1, rows.num_rows + 1), pa.int64()),
                location="visitors",
                fixed_schema=False,
            )
        )
        records = derived.records
        if "shared_with_users" in rows.schema.names and records.num_rows:
            shared = pc.is_valid(
                rows.column("shared_with_users").take(
                    pc.index_in(
                        records.column("source_record_id"), value_set=rows.column("visitor_id")
                    )
                )
            )
            records = _flag(records, shared, "anonymous_id_shared")
        report = ReadReport(source=self.source, derived_records=records.num_rows)
        yield ConnectorBatch(
            records=records, events=derived.events, rejects=derived.rejects, report=report
        )
        self.last_report = replace(total + report, missing_columns=())


def _flag(records: pa.RecordBatch, mask: pa.Array, name: str) -> pa.RecordBatch:
    from dchkit.connectors.normalizing import append_flags

    quality = append_flags(records.column("quality"), {name: mask})
    index = records.schema.get_field_index("quality")
    return records.set_column(index, records.schema.field(index), quality)
