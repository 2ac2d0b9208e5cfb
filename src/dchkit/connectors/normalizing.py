"""The normalization stage: raw canonical records in, normalized records out, column-wise.

:func:`normalize_records` is the one place where connector output is normalized. It takes
a table in :data:`~dchkit.schema.RECORDS_SCHEMA` whose values are still as the source wrote
them and applies :mod:`dchkit.normalize`'s column functions (each runs once per *distinct*
value, so a million rows cost as many Python calls as there are distinct values):

- names, company and address parts: cleaned (NFKC, spaces, honorifics);
- ``name_kana``: cleaned and folded to katakana (half-width kana become full-width);
- ``emails``: lower-cased and validated; invalid ones leave the list, the row gets the
  ``email_invalid`` flag and the raw value is kept in ``attributes["emails_invalid"]``;
- ``phones``: E.164 with ``default_region``; unparseable or invalid ones leave the list with
  a ``phone_unparseable`` / ``phone_invalid`` flag and ``attributes["phones_invalid"]``;
- ``postcode``: per country (JP ``1000001``, US ``12345``); invalid ones are emptied with a
  ``postcode_invalid`` flag and ``attributes["postcode_raw"]``;
- ``region``: prefecture (``東京都``, also from ISO codes such as Shopify's ``JP-13``) or
  USPS state code; ``street``: JP block numbering with hyphens; ``country``: ISO 3166 code
  (:func:`~dchkit.normalize.country_code`: names in English or Japanese, alpha-3 codes).

Examples:
    >>> from dchkit.schema import CustomerRecord, to_arrow
    >>> raw = to_arrow([CustomerRecord(source="crm", source_record_id="1",
    ...     emails=("Taro@Example.JP", "not-an-email"), phones=("03-1234-5678",),
    ...     family_name="ﾔﾏﾀﾞ", postcode="〒100-0001")])
    >>> out = normalize_records(raw, NormalizeOptions(default_region="JP")).to_pylist()[0]
    >>> out["emails"], out["phones"], out["family_name"], out["postcode"]
    (['taro@example.jp'], ['+81312345678'], 'ヤマダ', '1000001')
    >>> out["quality"], dict(out["attributes"])
    (['email_invalid'], {'emails_invalid': 'not-an-email'})
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from dchkit.errors import DchkitError
from dchkit.normalize import (
    clean_text,
    clean_text_column,
    country_code_column,
    jp_prefecture,
    katakana_column,
    map_distinct,
    normalize_email_column,
    normalize_phone_column,
    normalize_postcode_column,
    us_state,
)
from dchkit.normalize.address import address_text_column
from dchkit.normalize.name import clean_name_column
from dchkit.schema import RECORDS_SCHEMA, conform

__all__ = ["NormalizeOptions", "append_flags", "merge_into_map", "normalize_records"]

_NAME_FIELDS = ("given_name", "family_name", "full_name")
_TEXT_FIELDS = ("company", "city")


@dataclass(frozen=True)
class NormalizeOptions:
    """Options of the normalization stage.

    Attributes:
        default_region: Region of phone numbers written without a country code.
        default_country: Country filled in where a record has none (None: leave empty).
        keep_invalid: Keep raw invalid e-mails/phones in ``attributes`` (recommended).
    """

    default_region: str = "JP"
    default_country: str | None = None
    keep_invalid: bool = True


def _row_ids(lists: pa.Array) -> np.ndarray:
    """Row index of every element of a list (or map) array, in flattened order."""
    offsets = lists.offsets.to_numpy(zero_copy_only=False)
    lengths = np.diff(offsets) if len(offsets) else np.zeros(0, np.int64)
    return np.repeat(np.arange(len(lists)), lengths)


def _regroup(length: int, rows: np.ndarray, values: pa.Array) -> pa.Array:
    """Build a list array of ``length`` rows from flat values and their (sorted) row ids."""
    counts = np.bincount(rows, minlength=length) if len(rows) else np.zeros(length, np.int64)
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
    return pa.ListArray.from_arrays(pa.array(offsets), values)


def merge_into_map(maps: pa.Array, extra: Mapping[str, pa.Array]) -> pa.Array:
    """Add the non-null values of ``extra`` columns to each row of a ``map<string,string>``."""
    length = len(maps)
    maps = maps.fill_null(pa.scalar([], maps.type)) if maps.null_count else maps
    rows = [_row_ids(maps)]
    offsets = maps.offsets.to_numpy(zero_copy_only=False)
    start, stop = int(offsets[0]), int(offsets[-1])
    keys = [maps.keys.slice(start, stop - start)]
    items = [maps.items.slice(start, stop - start)]
    for name, column in extra.items():
        present = np.flatnonzero(column.is_valid().to_numpy(zero_copy_only=False))
        rows.append(present)
        keys.append(pa.array([name] * len(present), pa.string()))
        items.append(column.take(pa.array(present, pa.int64())).cast(pa.string()))
    all_rows = np.concatenate(rows)
    order = pa.array(np.argsort(all_rows, kind="stable"), pa.int64())
    flat_keys = pa.concat_arrays([k.cast(pa.string()) for k in keys]).take(order)
    flat_items = pa.concat_arrays([i.cast(pa.string()) for i in items]).take(order)
    sorted_rows = all_rows[np.argsort(all_rows, kind="stable")]
    counts = np.bincount(sorted_rows, minlength=length) if len(sorted_rows) else np.zeros(length)
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
    return pa.MapArray.from_arrays(pa.array(offsets), flat_keys, flat_items)


def append_flags(quality: pa.Array, flags: Mapping[str, pa.Array]) -> pa.Array:
    """Append flag names to each row's ``quality`` list where the flag's mask is true."""
    length = len(quality)
    quality = quality.fill_null(pa.scalar([], quality.type)) if quality.null_count else quality
    rows = [_row_ids(quality)]
    values = [pc.list_flatten(quality)]
    for name, mask in flags.items():
        present = np.flatnonzero(pc.fill_null(mask, False).to_numpy(zero_copy_only=False))
        rows.append(present)
        values.append(pa.array([name] * len(present), pa.string()))
    all_rows = np.concatenate(rows)
    order = np.argsort(all_rows, kind="stable")
    flat = pa.concat_arrays([v.cast(pa.string()) for v in values]).take(pa.array(order, pa.int64()))
    return _regroup(length, all_rows[order], flat)


@dataclass(frozen=True)
class _ListResult:
    kept: pa.Array  # list<string> of normalized valid values
    flags: dict[str, pa.Array]  # row masks
    invalid_raw: pa.Array  # string: raw invalid values joined by "; ", null if none


def _normalize_list(lists: pa.Array, kind: str, region: str) -> _ListResult:
    length = len(lists)
    rows = _row_ids(lists)
    flat = pc.list_flatten(lists).cast(pa.string())
    flags: dict[str, pa.Array] = {}
    if kind == "email":
        emails = normalize_email_column(flat)
        good = pc.fill_null(emails.valid, False)
        normalized = emails.email
        bad = pc.invert(good)
        flags["email_invalid"] = bad
    else:
        phones = normalize_phone_column(flat, region=region)
        good = pc.and_(pc.fill_null(phones.valid, False), phones.e164.is_valid())
        normalized = phones.e164
        bad = pc.invert(good)
        unparseable = pc.and_(bad, phones.e164.is_null())
        flags["phone_unparseable"] = unparseable
        flags["phone_invalid"] = pc.and_(bad, pc.invert(unparseable))
    good_np = good.to_numpy(zero_copy_only=False)
    kept = _regroup(length, rows[good_np], normalized.filter(good))
    row_flags = {}
    for name, mask in flags.items():
        hit = rows[mask.to_numpy(zero_copy_only=False)]
        row_mask = np.zeros(length, dtype=bool)
        row_mask[hit] = True
        row_flags[name] = pa.array(row_mask)
    bad_np = ~good_np
    invalid_lists = _regroup(length, rows[bad_np], flat.filter(pa.array(bad_np)))
    joined = pc.binary_join(invalid_lists, "; ")
    invalid_raw = pc.if_else(pc.equal(joined, ""), pa.scalar(None, pa.string()), joined)
    return _ListResult(kept=_dedupe_lists(kept), flags=row_flags, invalid_raw=invalid_raw)


def _dedupe_lists(lists: pa.Array) -> pa.Array:
    """Drop repeated values within each row's list, keeping first occurrences."""
    rows = _row_ids(lists)
    flat = pc.list_flatten(lists)
    if len(flat) == 0:
        return lists
    table = pa.table({"row": rows, "value": flat, "pos": np.arange(len(flat))})
    first = table.group_by(["row", "value"], use_threads=False).aggregate([("pos", "min")])
    keep = np.sort(first.column("pos_min").to_numpy())
    return _regroup(len(lists), rows[keep], flat.take(pa.array(keep, pa.int64())))


def _region(value: str | None) -> str | None:
    return jp_prefecture(value) or us_state(value) or clean_text(value)


def _country(values: pa.Array, default: str | None) -> pa.Array:
    """ISO codes for codes and names (``Japan``, ``日本``, ``USA``); others upper-cased as given."""
    text = clean_text_column(values)
    country = pc.coalesce(country_code_column(text), pc.utf8_upper(text))
    return pc.fill_null(country, default) if default else country


def _postcodes(values: pa.Array, country: pa.Array) -> tuple[pa.Array, pa.Array]:
    """Normalize postcodes per country (few distinct); returns (postcode, invalid mask)."""
    result = pa.nulls(len(values), pa.string())
    invalid = pa.array(np.zeros(len(values), dtype=bool))
    for code in pc.unique(country).to_pylist():
        rows = country.is_null() if code is None else pc.fill_null(pc.equal(country, code), False)
        try:
            columns = normalize_postcode_column(values.filter(rows), country=code)
        except DchkitError:  # a country the postcode rules do not know: guess from the value
            columns = normalize_postcode_column(values.filter(rows))
        positions = pa.array(np.flatnonzero(rows.to_numpy(zero_copy_only=False)), pa.int64())
        result = _scatter(result, positions, columns.postcode)
        bad = pc.fill_null(pc.invert(columns.valid), False)
        invalid = _scatter(invalid, positions, bad)
    return result, invalid


def _scatter(target: pa.Array, positions: pa.Array, values: pa.Array) -> pa.Array:
    """Return ``target`` with ``values`` written at ``positions``."""
    if not len(positions):
        return target
    mask = np.zeros(len(target), dtype=bool)
    mask[positions.to_numpy()] = True
    return pc.replace_with_mask(target, pa.array(mask), values.cast(target.type))


def normalize_records(table: pa.Table, options: NormalizeOptions | None = None) -> pa.Table:
    """Normalize a records table in canonical schema, column by column (see the module docs).

    Args:
        table: Records in :data:`~dchkit.schema.RECORDS_SCHEMA` (missing columns are nulls).
        options: Normalization options; defaults to :class:`NormalizeOptions`.

    Returns:
        A table in :data:`~dchkit.schema.RECORDS_SCHEMA` with normalized values, quality
        flags appended and raw invalid values kept in ``attributes``.
    """
    options = options or NormalizeOptions()
    table = conform(table, RECORDS_SCHEMA, what="records")
    length = table.num_rows
    columns = {name: table.column(name).combine_chunks() for name in table.column_names}
    if length == 0:
        return table
    for name in _NAME_FIELDS:
        columns[name] = clean_name_column(columns[name])
    for name in _TEXT_FIELDS:
        columns[name] = clean_text_column(columns[name])
    columns["name_kana"] = katakana_column(columns["name_kana"])
    columns["region"] = map_distinct(columns["region"], _region, pa.string())
    street = clean_text_column(columns["street"])
    columns["street"] = pc.coalesce(address_text_column(street), street)
    columns["country"] = _country(columns["country"], options.default_country)
    raw_postcode = columns["postcode"]
    columns["postcode"], bad_postcode = _postcodes(raw_postcode, columns["country"])
    emails = _normalize_list(columns["emails"], "email", options.default_region)
    phones = _normalize_list(columns["phones"], "phone", options.default_region)
    columns["emails"], columns["phones"] = emails.kept, phones.kept
    flags = {**emails.flags, **phones.flags, "postcode_invalid": bad_postcode}
    columns["quality"] = append_flags(columns["quality"], flags)
    if options.keep_invalid:
        columns["attributes"] = merge_into_map(
            columns["attributes"],
            {
                "emails_invalid": emails.invalid_raw,
                "phones_invalid": phones.invalid_raw,
                "postcode_raw": pc.if_else(
                    bad_postcode, raw_postcode, pa.scalar(None, pa.string())
                ),
            },
        )
    return pa.Table.from_arrays([columns[f.name] for f in RECORDS_SCHEMA], schema=RECORDS_SCHEMA)
