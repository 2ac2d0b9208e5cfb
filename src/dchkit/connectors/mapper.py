"""Apply a :class:`~dchkit.connectors.mapping.Mapping` to raw text batches, column-wise.

The :class:`Mapper` turns one :class:`RawBatch` (string columns as read, with row numbers)
into one :class:`~dchkit.connectors.report.ConnectorBatch`. Per batch it decides each row's
disposition (record, event or reject), builds the canonical columns with
``pyarrow.compute``, runs :func:`~dchkit.connectors.normalizing.normalize_records` on the
records and remembers ids across batches to reject duplicates within one read.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from dchkit.connectors.arrowutil import (
    build_list,
    build_map,
    parse_timestamps,
    to_json_text,
)
from dchkit.connectors.mapping import (
    ConsentSpec,
    EventMapping,
    FieldSpec,
    Mapping,
    RecordMapping,
    SplitName,
)
from dchkit.connectors.normalizing import NormalizeOptions, append_flags, normalize_records
from dchkit.connectors.rejects import RawRows, RejectBuilder, raise_rejects
from dchkit.connectors.report import ConnectorBatch, ReadReport, empty_batch
from dchkit.connectors.seen import SeenIds, all_distinct, hash_strings
from dchkit.normalize import (
    clean_text_column,
    normalize_email_column,
    normalize_phone_column,
    parse_date_column,
    split_name_column,
)
from dchkit.schema import EVENTS_SCHEMA, RECORDS_SCHEMA

__all__ = ["Mapper", "OnError", "PreparedBatch", "RawBatch"]

OnError = Literal["collect", "raise"]

_NULL_TEXT = pa.scalar(None, pa.string())


@dataclass(frozen=True)
class RawBatch:
    """Rows as read from a source, before mapping.

    Attributes:
        data: One string column per source column; empty cells are null.
        row_numbers: 1-based row (or line) number of each row in ``location``.
        location: File, table or stream the rows came from.
        raw: The raw text of each row (for rejects), if the reader has it.
        rejects: Rows that failed before mapping (encoding, malformed line), already in
            :data:`~dchkit.schema.REJECTS_SCHEMA` form with reason codes.
        fixed_schema: True when the source has a fixed header (CSV, Parquet, SQL);
            mapped columns missing from it are then a :class:`~dchkit.errors.MappingError`.
    """

    data: pa.RecordBatch
    row_numbers: pa.Array
    location: str | None = None
    raw: pa.Array | None = None
    rejects: pa.RecordBatch | None = None
    fixed_schema: bool = True


@dataclass(frozen=True)
class _RecordWork:
    """Rows kept as records (ids checked), still to be built and normalized."""

    data: pa.RecordBatch
    ids: pa.Array


@dataclass(frozen=True)
class _EventWork:
    """Rows that emit an event of rule ``index``, still to be built."""

    index: int
    data: pa.RecordBatch
    timestamps: pa.Array
    event_ids: pa.Array


@dataclass(frozen=True)
class PreparedBatch:
    """A raw batch whose rows are decided (see :meth:`Mapper.prepare`).

    What is left, :meth:`Mapper.finish`, depends on nothing but these values, the mapping,
    the source and the options, and all of them can be pickled: it may run in another
    process.

    Attributes:
        records: The rows that become records, if any.
        events: The rows that emit events, per event rule that emits any.
        rejects: The batch's rejects, complete.
        rows_read: Source rows of the batch (rejected before mapping included).
        event_rows: Rows that emit at least one event.
        rejects_by_reason: Reject counts by reason code.
    """

    records: _RecordWork | None
    events: tuple[_EventWork, ...]
    rejects: pa.RecordBatch
    rows_read: int
    event_rows: int
    rejects_by_reason: dict[str, int]


def _first_in_batch(
    ids: pa.Array, numbers: pa.Array, hashes: np.ndarray
) -> tuple[pa.Array, pa.Array]:
    """For each row: is it the first with its id in the batch, and that first row's number.

    ``hashes`` are the ids' :func:`~dchkit.connectors.seen.hash_strings`: when they are all
    different (the usual case) so are the ids, and every row is the first with its id.
    """
    if all_distinct(hashes):
        return pa.array(np.ones(len(ids), dtype=bool)), numbers
    table = pa.table({"id": ids, "pos": np.arange(len(ids))})
    firsts = table.group_by("id", use_threads=False).aggregate([("pos", "min")])
    first_pos = firsts.column("pos_min").combine_chunks()
    is_first = np.zeros(len(ids), dtype=bool)
    is_first[first_pos.to_numpy()] = True
    first_of_row = first_pos.take(pc.index_in(ids, value_set=firsts.column("id").combine_chunks()))
    return pa.array(is_first), numbers.take(first_of_row)


class Mapper:
    """Maps raw batches of one read; keeps the state a read needs (ids seen, columns seen).

    Args:
        mapping: The mapping to apply.
        source: Source label stamped on every output row.
        options: Normalization options (phone region …).
        on_error: ``"collect"`` keeps rejects in the output; ``"raise"`` raises an
            :class:`ExceptionGroup` of :class:`~dchkit.errors.RecordNormalizationError`
            (one per rejected row of the first batch that has any).
    """

    def __init__(
        self,
        mapping: Mapping,
        *,
        source: str,
        options: NormalizeOptions | None = None,
        on_error: OnError = "collect",
    ) -> None:
        self.mapping = mapping
        self.source = source
        self.options = options or NormalizeOptions(default_region=mapping.default_region or "JP")
        self.on_error = on_error
        self._record_ids = SeenIds()
        self._event_ids = [SeenIds() for _ in mapping.events]
        self._checked = False
        self._columns_seen: set[str] = set()

    # ------------------------------------------------------------------ helpers
    def _column(self, data: pa.RecordBatch, name: str) -> pa.Array:
        index = data.schema.get_field_index(name)
        if index < 0:
            return pa.nulls(data.num_rows, pa.string())
        return data.column(index)

    def _value(self, data: pa.RecordBatch, spec: FieldSpec) -> pa.Array:
        """Evaluate a field spec to a string array (null where empty)."""
        if spec.constant is not None:
            values = pa.array([spec.constant] * data.num_rows, pa.string())
        elif spec.column is not None:
            values = self._column(data, spec.column)
        elif spec.join is not None:
            parts = [self._column(data, c) for c in spec.columns]
            values = (
                pc.binary_join_element_wise(
                    *parts, spec.join, null_handling="replace", null_replacement=""
                )
                if len(parts) > 1
                else parts[0]
            )
            # Collapse the separators that empty parts left behind.
            if spec.join.strip() == "" and spec.join:
                values = pc.utf8_trim_whitespace(
                    pc.replace_substring_regex(values, r"\s{2,}", spec.join)
                )
            else:
                sep = spec.join
                values = pc.replace_substring(values, sep + sep, sep)
                values = pc.utf8_trim(values, sep)
            values = pc.if_else(pc.equal(values, ""), _NULL_TEXT, values)
        else:
            values = pc.coalesce(*[self._column(data, c) for c in spec.columns])
        if spec.value_map:
            keys = pa.array(list(spec.value_map), pa.string())
            mapped = pa.array(list(spec.value_map.values()), pa.string()).take(
                pc.index_in(values, value_set=keys)
            )
            values = pc.coalesce(mapped, values)
        return values

    def _split_name(self, data: pa.RecordBatch, spec: SplitName) -> tuple[pa.Array, pa.Array]:
        full = self._column(data, spec.column)
        if spec.order == "auto":
            parts = split_name_column(full)
            return parts.given, parts.family
        pieces = pc.split_pattern_regex(pc.utf8_trim_whitespace(full), r"[\s\u3000]+", max_splits=1)
        first = pc.list_element(pieces, 0)
        second = pc.if_else(
            pc.greater(pc.list_value_length(pieces), 1),
            pc.list_slice(pieces, 1, 2),
            pa.scalar(None, pa.list_(pa.string())),
        )
        second_text = pc.binary_join(second, "")
        if spec.order == "given_first":
            return first, second_text
        return second_text, first

    def _consent(self, data: pa.RecordBatch, spec: ConsentSpec) -> tuple[pa.Array, pa.Array]:
        values = pc.utf8_lower(self._column(data, spec.column))
        yes = pc.is_in(values, value_set=pa.array([v.lower() for v in spec.true_values]))
        no = pc.is_in(values, value_set=pa.array([v.lower() for v in spec.false_values]))
        flag = pc.if_else(yes, True, pc.if_else(no, False, pa.scalar(None, pa.bool_())))
        if spec.invert:
            flag = pc.invert(flag)
        unknown = pc.and_(values.is_valid(), flag.is_null())
        return flag, unknown

    def _raw_rows(self, raw: RawBatch, data: pa.RecordBatch) -> RawRows:
        # Rendered only for rows that end as rejects (see RawRows).
        return RawRows(text=raw.raw) if raw.raw is not None else RawRows(data=data)

    # ------------------------------------------------------------------ records
    def _record_rows(
        self,
        data: pa.RecordBatch,
        numbers: pa.Array,
        raw_rows: RawRows,
        spec: RecordMapping,
        location: str | None,
        rejects: RejectBuilder,
    ) -> _RecordWork:
        """Reject rows without an id or with an id already read; the rest become records."""
        ids = self._value(data, spec.id)
        missing = ids.is_null()
        rejects.add(
            missing,
            numbers,
            raw_rows,
            "missing_id",
            lambda _i: (
                f"the id column {spec.id.source_columns()} is empty; "
                "every record needs an id: fill it in the export or map another column"
            ),
            field="source_record_id",
            location=location,
        )
        present = pc.invert(missing)
        hashes = hash_strings(ids)  # for the lookup, and for adding the ids kept
        is_first, first_row = _first_in_batch(ids, numbers, hashes)
        earlier = self._record_ids.lookup(ids, hashes)
        dup_in_batch = pc.and_(present, pc.invert(is_first))
        dup_earlier = pc.and_(present, pc.and_(is_first, earlier.is_valid()))
        duplicate = pc.or_(dup_in_batch, dup_earlier)
        first_seen = pc.coalesce(earlier, first_row)
        rejects.add(
            duplicate,
            numbers,
            raw_rows,
            "duplicate_id",
            lambda i: (
                f"id {ids[i].as_py()!r} already read at row {first_seen[i].as_py()}; "
                "only the first row with an id is kept: deduplicate the export"
            ),
            field="source_record_id",
            location=location,
        )
        keep = pc.and_(present, pc.invert(duplicate))
        data, ids, numbers = data.filter(keep), ids.filter(keep), numbers.filter(keep)
        self._record_ids.add(ids, numbers, hashes[keep.to_numpy(zero_copy_only=False)])
        return _RecordWork(data=data, ids=ids)

    def _record_table(self, work: _RecordWork) -> tuple[pa.Table, Counter[str]]:
        """Build and normalize the canonical records of the rows :meth:`_record_rows` kept."""
        data, ids, spec = work.data, work.ids, self.mapping.records
        assert spec is not None  # work exists only for a mapping with records
        length = data.num_rows
        # Ids that already carry this source's prefix ("crm:003…") are not prefixed again.
        prefix = f"{self.source}:"
        prefixed = pc.starts_with(ids, prefix)
        bare = pc.if_else(prefixed, pc.utf8_slice_codeunits(ids, len(prefix)), ids)
        columns: dict[str, pa.Array] = {
            "record_id": pc.binary_join_element_wise(self.source, bare, ":"),
            "source": pa.array([self.source] * length, pa.string()),
            "source_record_id": bare,
        }
        for name, field_spec in spec.scalar_fields().items():
            columns[name] = self._value(data, field_spec)
        if spec.split_name:
            given, family = self._split_name(data, spec.split_name)
            columns["given_name"] = pc.coalesce(columns.get("given_name", given), given)
            columns["family_name"] = pc.coalesce(columns.get("family_name", family), family)
            if "full_name" not in columns:
                columns["full_name"] = self._column(data, spec.split_name.column)
        flags: dict[str, pa.Array] = {}
        extra_attributes: dict[str, pa.Array] = {}
        if spec.birth_date is not None:
            text = self._value(data, spec.birth_date)
            parsed = _parse_date(text, spec.birth_date.format)
            columns["birth_date"] = parsed
            bad = pc.and_(text.is_valid(), parsed.is_null())
            flags["birth_date_unparseable"] = bad
            extra_attributes["birth_date_raw"] = pc.if_else(bad, text, _NULL_TEXT)
        if spec.updated_at is not None:
            text = self._value(data, spec.updated_at)
            parsed = parse_timestamps(text, spec.updated_at.format, self.mapping.timezone)
            columns["updated_at"] = parsed
            bad = pc.and_(text.is_valid(), parsed.is_null())
            flags["updated_at_unparseable"] = bad
            extra_attributes["updated_at_raw"] = pc.if_else(bad, text, _NULL_TEXT)
        columns["emails"] = _list_of(self, data, spec.emails, length)
        columns["phones"] = _list_of(self, data, spec.phones, length)
        columns["external_ids"] = build_map(
            {name: self._value(data, s) for name, s in spec.external_ids.items()},
            pa.string(),
            length,
        )
        consent: dict[str, pa.Array] = {}
        for purpose, consent_spec in spec.consent.items():
            flag, unknown = self._consent(data, consent_spec)
            consent[purpose] = flag
            flags[f"consent_{purpose}_unrecognized"] = unknown
            extra_attributes[f"consent_{purpose}_raw"] = pc.if_else(
                unknown, self._column(data, consent_spec.column), _NULL_TEXT
            )
        columns["consent"] = build_map(consent, pa.bool_(), length)
        attribute_columns = _selected(spec.attributes, data.schema.names, spec.columns())
        attributes = {name: self._column(data, name) for name in attribute_columns}
        columns["attributes"] = build_map({**attributes, **extra_attributes}, pa.string(), length)
        columns["quality"] = append_flags(pa.array([[]] * length, pa.list_(pa.string())), flags)
        table = pa.Table.from_pydict(
            {f.name: columns.get(f.name, pa.nulls(length, f.type)) for f in RECORDS_SCHEMA},
            schema=RECORDS_SCHEMA,
        )
        table = normalize_records(table, self.options)
        quality = (
            Counter(pc.list_flatten(table.column("quality")).to_pylist()) if length else Counter()
        )
        return table, quality

    # ------------------------------------------------------------------ events
    def _event_table(self, work: _EventWork) -> pa.Table:
        """Build the canonical events of one event rule from the rows that emit one."""
        data, timestamps, event_ids = work.data, work.timestamps, work.event_ids
        spec = self.mapping.events[work.index]
        length = data.num_rows
        columns: dict[str, pa.Array] = {
            "event_id": event_ids,
            "source": pa.array([self.source] * length, pa.string()),
            "type": self._event_type(data, spec),
            "timestamp": timestamps,
        }
        if spec.record is not None:
            record_source = spec.record_source or self.source
            columns["record_id"] = pc.binary_join_element_wise(
                record_source, self._value(data, spec.record), ":"
            )
        identifiers = {name: self._value(data, s) for name, s in spec.identifiers.items()}
        # An event's identifiers repeat (one recipient, many e-mails): each distinct value
        # is normalized once.
        if "email" in identifiers:
            normalized = _per_distinct(identifiers["email"], _email_text)
            identifiers["email"] = pc.coalesce(normalized, identifiers["email"])
        for name in identifiers:
            if name not in ("email", "phone"):  # ids typed with full-width digits (Ｍ００１)
                identifiers[name] = _per_distinct(identifiers[name], clean_text_column)
        if "phone" in identifiers:
            region = self.options.default_region
            e164 = _per_distinct(
                identifiers["phone"], lambda v: normalize_phone_column(v, region=region).e164
            )
            identifiers["phone"] = pc.coalesce(e164, identifiers["phone"])
        columns["identifiers"] = build_map(identifiers, pa.string(), length)
        if spec.channel is not None:
            columns["channel"] = self._value(data, spec.channel)
        if spec.value is not None:
            columns["value"] = _parse_number(self._value(data, spec.value))
        if spec.currency is not None:
            columns["currency"] = pc.utf8_upper(self._value(data, spec.currency))
        if spec.properties_json is not None:
            columns["properties"] = self._column(data, spec.properties_json)
        elif spec.properties_prefix is not None:
            prefix = spec.properties_prefix
            names = [n for n in data.schema.names if n.startswith(prefix) and n != prefix]
            struct = pa.StructArray.from_arrays(
                [self._column(data, n) for n in names] or [pa.nulls(length, pa.string())],
                names=[n[len(prefix) :] for n in names] or ["_"],
            )
            columns["properties"] = to_json_text(struct) if names else pa.array(["{}"] * length)
        else:
            names = _selected(spec.properties, data.schema.names, spec.columns())
            if names:
                struct = pa.StructArray.from_arrays(
                    [self._column(data, n) for n in names], names=names
                )
                columns["properties"] = to_json_text(struct)
        return pa.Table.from_pydict(
            {f.name: columns.get(f.name, pa.nulls(length, f.type)) for f in EVENTS_SCHEMA},
            schema=EVENTS_SCHEMA,
        )

    def _event_type(self, data: pa.RecordBatch, spec: EventMapping) -> pa.Array:
        kind = spec.type
        if kind.constant is not None:
            return pa.array([kind.constant] * data.num_rows, pa.string())
        values = self._column(data, kind.column or "")
        if kind.value_map:
            keys = pa.array(list(kind.value_map), pa.string())
            mapped = pa.array(list(kind.value_map.values()), pa.string()).take(
                pc.index_in(values, value_set=keys)
            )
            values = (
                pc.coalesce(mapped, pa.scalar(kind.default, pa.string()))
                if kind.default
                else pc.coalesce(mapped, values)
            )
        return values

    def _events(
        self,
        data: pa.RecordBatch,
        numbers: pa.Array,
        raw_rows: RawRows,
        masks: list[pa.Array],
        location: str | None,
        rejects: RejectBuilder,
    ) -> tuple[list[_EventWork], pa.Array]:
        """Decide which rows emit which events (rejecting bad ones).

        Returns the work of each event rule that emits any, and a mask of the rows that
        produced at least one event.
        """
        length = data.num_rows
        bad_rows = np.zeros(length, dtype=bool)
        prepared = []
        parsed: dict[str, tuple[pa.Array, pa.Array]] = {}
        for index, spec in enumerate(self.mapping.events):
            mask = masks[index]
            key = spec.timestamp.model_dump_json()  # Segment's rules share one timestamp
            if key not in parsed:
                text = self._value(data, spec.timestamp)
                parsed[key] = (
                    text,
                    parse_timestamps(text, spec.timestamp.format, self.mapping.timezone),
                )
            text, stamps = parsed[key]
            unparseable = pc.and_(pc.and_(mask, text.is_valid()), stamps.is_null())
            absent = pc.and_(mask, text.is_null())
            failing = pc.or_(unparseable, absent) if spec.required else unparseable
            fresh = pc.and_(failing, pa.array(~bad_rows))

            def bad_time(i: int, text: pa.Array = text, spec: EventMapping = spec) -> str:
                fmt = spec.timestamp.format
                where = spec.timestamp.source_columns()
                value = text[i].as_py()
                if value is None:
                    return f"the required timestamp {where} is empty; fill it in the export"
                return (
                    f"timestamp {value!r} in column {where} "
                    f"cannot be read{' with format ' + repr(fmt) if fmt else ''}; "
                    "fix the value or the mapping's timestamp format"
                )

            rejects.add(
                fresh,
                numbers,
                raw_rows,
                "bad_timestamp",
                bad_time,
                field="timestamp",
                location=location,
            )
            bad_rows |= pc.fill_null(failing, False).to_numpy(zero_copy_only=False)
            emits = pc.and_(mask, stamps.is_valid())
            if spec.id is not None:
                ids = self._value(data, spec.id)
                missing_id = pc.and_(pc.and_(emits, ids.is_null()), pa.array(~bad_rows))
                columns = spec.id.source_columns()

                def no_id(_i: int, columns: tuple[str, ...] = columns) -> str:
                    return (
                        f"the event id column {columns} is empty; "
                        "fill it in the export or drop 'id' from the mapping"
                    )

                rejects.add(
                    missing_id,
                    numbers,
                    raw_rows,
                    "missing_id",
                    no_id,
                    field="event_id",
                    location=location,
                )
                bad_rows |= pc.fill_null(missing_id, False).to_numpy(zero_copy_only=False)
                event_ids = pc.binary_join_element_wise(self.source, ids, ":")
            else:
                where = location or "rows"
                event_ids = pc.binary_join_element_wise(
                    self.source, where, numbers.cast(pa.string()), ":"
                )
            if spec.id_suffix:
                event_ids = pc.binary_join_element_wise(event_ids, spec.id_suffix, "")
            prepared.append((index, spec, emits, stamps, event_ids))
        # Duplicated event ids (across this read) reject the row.
        candidate_hashes: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        for index, _spec, emits, _stamps, event_ids in prepared:
            candidates = pc.and_(emits, pa.array(~bad_rows))
            subset_ids = event_ids.filter(candidates)
            subset_numbers = numbers.filter(candidates)
            hashes = hash_strings(subset_ids)
            is_first, first_row = _first_in_batch(subset_ids, subset_numbers, hashes)
            earlier = self._event_ids[index].lookup(subset_ids, hashes)
            dup = pc.or_(pc.invert(is_first), earlier.is_valid())
            positions = np.flatnonzero(candidates.to_numpy(zero_copy_only=False))
            dup_np = dup.to_numpy(zero_copy_only=False)
            full = np.zeros(length, dtype=bool)
            full[positions[dup_np]] = True
            first_seen = pc.coalesce(earlier, first_row)
            candidate_hashes[index] = (positions, hashes)

            def duplicate(
                i: int,
                ids: pa.Array = event_ids,
                first: pa.Array = first_seen,
                where: np.ndarray = positions,
            ) -> str:
                row = first[int(np.searchsorted(where, i))].as_py()
                return (
                    f"event id {ids[i].as_py()!r} already read at row {row}; "
                    "only the first row with an id is kept: deduplicate the export"
                )

            rejects.add(
                pa.array(full),
                numbers,
                raw_rows,
                "duplicate_id",
                duplicate,
                field="event_id",
                location=location,
            )
            bad_rows |= full
        works = []
        produced = np.zeros(length, dtype=bool)
        good = pa.array(~bad_rows)
        for index, spec, emits, stamps, event_ids in prepared:
            take = pc.and_(emits, good)
            if not pc.any(take).as_py():
                continue
            kept_ids = event_ids.filter(take)
            positions, hashes = candidate_hashes[index]  # take is within the candidates
            take_np = take.to_numpy(zero_copy_only=False)
            self._event_ids[index].add(kept_ids, numbers.filter(take), hashes[take_np[positions]])
            produced |= take_np
            # Only the columns the rule reads travel on (Segment batches are wide).
            used = _event_columns(spec, data.schema.names)
            works.append(
                _EventWork(
                    index=index,
                    data=data.select(used).filter(take),
                    timestamps=stamps.filter(take),
                    event_ids=kept_ids,
                )
            )
        return works, pa.array(produced)

    # ------------------------------------------------------------------ main
    def _when(self, data: pa.RecordBatch, spec: EventMapping) -> pa.Array:
        if spec.when is None:
            return pa.array(np.ones(data.num_rows, dtype=bool))
        values = self._column(data, spec.when.column)
        if spec.when.values:
            return pc.fill_null(pc.is_in(values, value_set=pa.array(spec.when.values)), False)
        return values.is_valid()

    def map(self, raw: RawBatch) -> ConnectorBatch:
        """Map one raw batch to canonical records, events and rejects.

        The same as ``finish(prepare(raw))``.

        Raises:
            MappingError: the source lacks a mapped column (fixed-schema sources).
            ExceptionGroup: with ``on_error="raise"``, if any row of the batch is rejected.
        """
        return self.finish(self.prepare(raw))

    def prepare(self, raw: RawBatch) -> PreparedBatch:
        """Decide each row's fate (record, events or reject) and build the rejects.

        This is the part of mapping that depends on earlier batches (ids already read), so
        batches must be prepared in order; :meth:`finish` may then run anywhere, in any
        order (another process included).

        Raises:
            MappingError: the source lacks a mapped column (fixed-schema sources).
            ExceptionGroup: with ``on_error="raise"``, if any row of the batch is rejected.
        """
        data = raw.data
        if raw.fixed_schema and not self._checked:
            self.mapping.check_columns(data.schema.names, location=raw.location)
            self._checked = True
        self._columns_seen.update(data.schema.names)
        rejects = RejectBuilder(self.source)
        if raw.rejects is not None:
            rejects.extend(raw.rejects)
        numbers = raw.row_numbers.cast(pa.int64())
        raw_rows = self._raw_rows(raw, data)
        masks = [self._when(data, spec) for spec in self.mapping.events]
        any_event = pa.array(np.zeros(data.num_rows, dtype=bool))
        for mask in masks:
            any_event = pc.or_(any_event, mask)
        record_rows = (
            pc.invert(any_event)
            if self.mapping.records is not None
            else pa.array(np.zeros(data.num_rows, dtype=bool))
        )
        unmapped = pc.and_(pc.invert(any_event), pc.invert(record_rows))
        rejects.add(
            unmapped,
            numbers,
            raw_rows,
            "unmapped",
            lambda _i: (
                "no record or event rule of the mapping applies to this row; "
                "extend the mapping's 'when' filters"
            ),
            location=raw.location,
        )
        record_work = None
        if self.mapping.records is not None and pc.any(record_rows).as_py():
            record_work = self._record_rows(
                data.filter(record_rows),
                numbers.filter(record_rows),
                raw_rows.filter(record_rows),
                self.mapping.records,
                raw.location,
                rejects,
            )
        event_works: list[_EventWork] = []
        event_rows = 0
        if self.mapping.events and pc.any(any_event).as_py():
            names = data.schema.names
            wanted = {c for spec in self.mapping.events for c in _event_columns(spec, names)}
            sub = data.select([n for n in names if n in wanted]).filter(any_event)
            sub_numbers = numbers.filter(any_event)
            sub_raw = raw_rows.filter(any_event)
            event_works, produced = self._events(
                sub,
                sub_numbers,
                sub_raw,
                [m.filter(any_event) for m in masks],
                raw.location,
                rejects,
            )
            event_rows = pc.sum(produced.cast(pa.int64())).as_py() or 0
            silent = pc.and_(pc.invert(produced), pc.invert(rejects.mask_for(sub_numbers)))
            rejects.add(
                silent,
                sub_numbers,
                sub_raw,
                "no_event",
                lambda _i: (
                    "the row matched an event rule but produced no event "
                    "(its optional timestamps are empty); fill them or make one event required"
                ),
                location=raw.location,
            )
        reject_batch = rejects.build()
        if self.on_error == "raise" and reject_batch.num_rows:
            raise_rejects(reject_batch)
        return PreparedBatch(
            records=record_work,
            events=tuple(event_works),
            rejects=reject_batch,
            rows_read=data.num_rows + (raw.rejects.num_rows if raw.rejects is not None else 0),
            event_rows=event_rows,
            rejects_by_reason=rejects.by_reason(),
        )

    def finish(self, prepared: PreparedBatch) -> ConnectorBatch:
        """Build and normalize the records and events of a prepared batch.

        Depends only on the mapping, the source and the options, not on earlier batches.
        """
        records = empty_batch(RECORDS_SCHEMA)
        record_count = 0
        quality: Counter[str] = Counter()
        if prepared.records is not None:
            table, quality = self._record_table(prepared.records)
            record_count = table.num_rows
            records = _one_batch(table, RECORDS_SCHEMA)
        events = empty_batch(EVENTS_SCHEMA)
        extra_events = 0
        if prepared.events:
            table = pa.concat_tables([self._event_table(work) for work in prepared.events])
            extra_events = table.num_rows - prepared.event_rows
            events = _one_batch(table, EVENTS_SCHEMA)
        report = ReadReport(
            source=self.source,
            rows_read=prepared.rows_read,
            records=record_count,
            events=prepared.event_rows,
            rejects=prepared.rejects.num_rows,
            rejects_by_reason=prepared.rejects_by_reason,
            extra_events=extra_events,
            quality=dict(sorted(quality.items())),
        )
        return ConnectorBatch(
            records=records, events=events, rejects=prepared.rejects, report=report
        )

    def missing_columns(self) -> tuple[str, ...]:
        """Mapped columns never seen during this read (schema-less sources)."""
        return tuple(sorted(self.mapping.columns() - self._columns_seen))


def _per_distinct(values: pa.Array, normalize: Callable[[pa.Array], pa.Array]) -> pa.Array:
    """``normalize(values)`` computed over the distinct values only (a pure column function)."""
    encoded = values.dictionary_encode()
    return normalize(encoded.dictionary).take(encoded.indices)


def _email_text(values: pa.Array) -> pa.Array:
    return normalize_email_column(values).email


def _event_columns(spec: EventMapping, available: list[str]) -> list[str]:
    """The columns of ``available`` that building one event rule's events reads."""
    rest = spec.properties_json is None and spec.properties_prefix is None
    if rest and spec.properties == "rest":
        return available
    used = spec.columns()
    if spec.properties_prefix is not None:
        prefix = spec.properties_prefix
        return [n for n in available if n in used or n.startswith(prefix)]
    return [n for n in available if n in used]


def _one_batch(table: pa.Table, schema: pa.Schema) -> pa.RecordBatch:
    table = table.combine_chunks()
    batches = table.to_batches()
    if not batches:
        return empty_batch(schema)
    return batches[0] if len(batches) == 1 else pa.concat_batches(batches)


def _list_of(
    mapper: Mapper, data: pa.RecordBatch, specs: tuple[FieldSpec, ...], length: int
) -> pa.Array:
    """Row-wise list of the values of several specs (split cells contribute several)."""
    if not specs:
        return pa.array([[]] * length, pa.list_(pa.string()))
    plain = [mapper._value(data, s) for s in specs if s.split is None]
    lists = [build_list(plain)] if plain else []
    for spec in specs:
        if spec.split is not None:
            values = mapper._value(data, spec)
            parts = pc.split_pattern_regex(pc.fill_null(values, ""), spec.split)
            # JSON list text ('["a","b"]') splits into quoted, bracketed parts: trim those.
            trimmed = pc.utf8_trim(pc.list_flatten(parts), ' "[]')
            lists.append(pa.ListArray.from_arrays(parts.offsets, trimmed))
    if len(lists) == 1 and not any(s.split for s in specs):
        return lists[0]
    rows = np.concatenate([_list_rows(lst) for lst in lists])
    flat = pa.concat_arrays([pc.list_flatten(lst).cast(pa.string()) for lst in lists])
    order = np.argsort(rows, kind="stable")
    flat = flat.take(pa.array(order, pa.int64()))
    rows = rows[order]
    keep = pc.greater(pc.utf8_length(pc.utf8_trim_whitespace(flat)), 0).to_numpy(
        zero_copy_only=False
    )
    flat, rows = flat.filter(pa.array(keep)), rows[keep]
    counts = np.bincount(rows, minlength=length) if len(rows) else np.zeros(length, np.int64)
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
    return pa.ListArray.from_arrays(pa.array(offsets), pc.utf8_trim_whitespace(flat))


def _list_rows(lists: pa.Array) -> np.ndarray:
    offsets = lists.offsets.to_numpy(zero_copy_only=False)
    return np.repeat(np.arange(len(lists)), np.diff(offsets))


def _selected(selection: tuple[str, ...] | str, available: list[str], used: set[str]) -> list[str]:
    if selection == "none":
        return []
    if selection == "rest":
        return [n for n in available if n not in used]
    return [n for n in selection if n in available]


def _parse_date(values: pa.Array, fmt: str | None) -> pa.Array:
    """Parse dates with a strptime format, or with the normalize pack's date parser.

    Without a format, :func:`dchkit.normalize.parse_date_column` reads ISO, slashed and
    Japanese era dates (昭和60年5月1日).
    """
    if fmt is not None:
        return parse_timestamps(values, fmt, "UTC").cast(pa.date32())
    return parse_date_column(values).date


def _parse_number(values: pa.Array) -> pa.Array:
    """Parse amounts such as ``1,200``, ``¥1,200``, ``$12.50``; unparseable become null."""
    cleaned = pc.replace_substring_regex(values, r"[,\s¥￥$€£円]", "")
    numeric = pc.match_substring_regex(cleaned, r"^-?\d+(\.\d+)?$")
    return pc.if_else(numeric, cleaned, _NULL_TEXT).cast(pa.float64())
