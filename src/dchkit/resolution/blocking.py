"""Candidate generation: which record pairs are worth comparing.

A blocking rule names one or more key columns of the feature table; two records are a
candidate pair when they share a value of every column of the rule (list columns such as
``emails`` match when they share any element). Pairs from all rules are unioned and
deduplicated. A key value shared by more records than a rule's ``max_block_size`` — a shop's
switchboard number, ``info@…``, a placeholder birth date — is a *hub value*: its block is
not expanded into pairs (which could be millions) but reported, and those records still
meet through the other rules.

Pairs are generated with numpy from a sort of the keys: no per-record Python loop.

Examples:
    >>> import pyarrow as pa
    >>> from dchkit.resolution.blocking import block_on, candidate_pairs
    >>> features = pa.table({"email": ["a@x.jp", "a@x.jp", "b@x.jp"], "dob": ["1990", None, "1990"]})
    >>> result = candidate_pairs(features, [block_on("email"), block_on("dob")])
    >>> result.pairs.tolist()
    [[0, 1], [0, 2]]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
from pydantic import BaseModel, ConfigDict, Field

from dchkit._numeric import sorted_distinct
from dchkit.errors import BlockingError, ConfigError

__all__ = [
    "BlockingResult",
    "BlockingRule",
    "HubValue",
    "block_on",
    "candidate_pairs",
]

IndexArray = npt.NDArray[np.int64]


class BlockingRule(BaseModel):
    """Records that agree on every one of ``fields`` become candidate pairs.

    Args:
        fields: Key columns of the feature table; all must be non-null and equal.
        max_block_size: Blocks larger than this are hub values: reported, not expanded.
        name: Label used in reports; defaults to the fields joined by ``+``.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    fields: tuple[str, ...] = Field(min_length=1)
    max_block_size: int = Field(default=100, ge=2)
    name: str = ""

    @property
    def label(self) -> str:
        """The rule's name in reports."""
        return self.name or "+".join(self.fields)


def block_on(*fields: str, max_block_size: int = 100, name: str = "") -> BlockingRule:
    """Build a :class:`BlockingRule` on one or more key columns.

    Examples:
        >>> block_on("family_reading", "birth_date").label
        'family_reading+birth_date'
    """
    if not fields:
        msg = "block_on() needs at least one field"
        raise ConfigError(msg, fix='name the key columns, e.g. block_on("email_key")')
    return BlockingRule(fields=fields, max_block_size=max_block_size, name=name)


@dataclass(frozen=True, slots=True)
class HubValue:
    """A key value shared by too many records to expand into pairs."""

    rule: str
    value: str
    records: int


@dataclass(frozen=True, slots=True)
class BlockingResult:
    """Deduplicated candidate pairs (row indices, left < right) and what was capped."""

    pairs: IndexArray
    """Array of shape (n_pairs, 2), sorted, each row ``[left, right]`` with left < right."""
    pairs_per_rule: dict[str, int] = field(default_factory=dict)
    """Pairs each rule generated before the union (a pair may come from several rules)."""
    hub_values: tuple[HubValue, ...] = ()


def _key_column(table: pa.Table, rule: BlockingRule) -> tuple[IndexArray, pa.Array]:
    """Return (row index, combined key) for every row that has a value for every field."""
    n = table.num_rows
    rows: IndexArray = np.arange(n, dtype=np.int64)
    key = pa.nulls(n, pa.string())
    for position, name in enumerate(rule.fields):
        if name not in table.column_names:
            msg = f"blocking rule {rule.label!r} uses column {name!r}, which the features lack"
            raise ConfigError(msg, fix=f"use one of {sorted(table.column_names)}")
        column = table.column(name).combine_chunks().take(pa.array(rows))
        if pa.types.is_list(column.type) or pa.types.is_large_list(column.type):
            parents = pc.list_parent_indices(column).to_numpy().astype(np.int64)
            rows = rows[parents]
            key = key.take(pa.array(parents))
            column = pc.list_flatten(column)
        column = pc.cast(column, pa.string())
        key = column if position == 0 else pc.binary_join_element_wise(key, column, "\x1f")
        valid = pc.and_(pc.is_valid(key), pc.not_equal(key, "")).fill_null(False)
        mask = valid.to_numpy(zero_copy_only=False)
        rows = rows[mask]
        key = key.filter(valid)
    return rows, key


def _pairs_within_groups(
    rows: IndexArray, group: IndexArray, max_block_size: int
) -> tuple[IndexArray, IndexArray, IndexArray]:
    """All pairs of rows sharing a group code, skipping groups over the size cap.

    Returns (left, right, oversized group codes).
    """
    order = np.lexsort((rows, group))
    rows, group = rows[order], group[order]
    # One (row, group) can appear twice when a list holds the same value twice.
    keep = np.ones(rows.size, dtype=bool)
    keep[1:] = (rows[1:] != rows[:-1]) | (group[1:] != group[:-1])
    rows, group = rows[keep], group[keep]
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    sizes = np.diff(np.r_[starts, rows.size])
    oversized = group[starts[sizes > max_block_size]]
    usable = (sizes >= 2) & (sizes <= max_block_size)
    starts, sizes = starts[usable], sizes[usable]
    if starts.size == 0:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty, oversized
    # Element at position p (group start s, size z) pairs with positions p+1 … s+z-1.
    positions = _ranges(starts, sizes)
    ends = np.repeat(starts + sizes, sizes)
    partners = ends - positions - 1
    left_pos = np.repeat(positions, partners)
    offsets = np.arange(left_pos.size, dtype=np.int64) - np.repeat(
        np.cumsum(partners) - partners, partners
    )
    right_pos = left_pos + 1 + offsets
    left, right = rows[left_pos], rows[right_pos]
    return np.minimum(left, right), np.maximum(left, right), oversized


def _ranges(starts: IndexArray, sizes: IndexArray) -> IndexArray:
    """Concatenation of ``arange(s, s + z)`` for each (s, z), vectorized."""
    total = int(sizes.sum())
    base: IndexArray = np.repeat(starts - (np.cumsum(sizes) - sizes), sizes)
    positions: IndexArray = np.arange(total, dtype=np.int64) + base
    return positions


def candidate_pairs(
    features: pa.Table,
    rules: Sequence[BlockingRule],
    *,
    max_pairs: int = 200_000_000,
) -> BlockingResult:
    """Generate the union of the candidate pairs of ``rules`` over ``features``' rows.

    Args:
        features: One row per record; the key columns the rules name.
        rules: Blocking rules; at least one.
        max_pairs: Refuse to materialize more pairs than this (memory guard).

    Raises:
        ConfigError: no rules, or a rule names a missing column.
        BlockingError: the rules would generate more than ``max_pairs`` pairs.
    """
    if not rules:
        msg = "candidate_pairs() needs at least one blocking rule"
        raise ConfigError(msg, fix='pass e.g. [block_on("email_key")]')
    n = features.num_rows
    encoded: list[IndexArray] = []
    per_rule: dict[str, int] = {}
    hubs: list[HubValue] = []
    total = 0
    for rule in rules:
        rows, key = _key_column(features, rule)
        dictionary = key.dictionary_encode()
        codes = dictionary.indices.to_numpy(zero_copy_only=False).astype(np.int64)
        left, right, oversized = _pairs_within_groups(rows, codes, rule.max_block_size)
        if oversized.size:
            values = dictionary.dictionary.take(pa.array(oversized)).to_pylist()
            counts = np.bincount(codes, minlength=len(dictionary.dictionary))[oversized]
            hubs.extend(
                HubValue(rule.label, str(v).replace("\x1f", " + "), int(c))
                for v, c in zip(values, counts, strict=True)
            )
        per_rule[rule.label] = int(left.size)
        total += int(left.size)
        if total > max_pairs:
            msg = (
                f"blocking would generate more than {max_pairs:,} candidate pairs "
                f"(rule {rule.label!r} alone gives {left.size:,})"
            )
            raise BlockingError(
                msg, fix="make that rule stricter (add a field) or lower its max_block_size"
            )
        encoded.append(left * n + right)
    unique = (
        sorted_distinct(np.concatenate(encoded), overwrite=True)
        if encoded
        else np.empty(0, np.int64)
    )
    pairs = (
        np.column_stack([unique // n, unique % n]).astype(np.int64) if n else unique.reshape(0, 2)
    )
    hubs.sort(key=lambda h: (-h.records, h.rule, h.value))
    return BlockingResult(pairs=pairs, pairs_per_rule=per_rule, hub_values=tuple(hubs))
