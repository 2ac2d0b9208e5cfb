"""Global term frequencies: how common each value of a term-frequency-adjusted column is.

A batch resolve weighs an exact agreement on a common value (佐藤, Smith) less than on a
rare one, with the frequencies of the batch. An incremental resolve scores a handful of
records, so it needs the frequencies of the *whole hub*: :class:`TermFrequencies` keeps
them as counts per column and value, updated as records arrive or change, and saved as an
Arrow table (columns ``column``, ``value``, ``count``) that a store can persist.

Counts follow the batch: every non-null value counts (one per record; a list column counts
each distinct value of a record once), and a value's frequency is its count over the
column's total, at least ``1 / total``.

Examples:
    >>> import pyarrow as pa
    >>> from dchkit.resolution.termfreq import TermFrequencies
    >>> features = pa.table({"family_key": ["サトウ", "サトウ", "テシガワラ", None]})
    >>> tf = TermFrequencies.from_features(features, ["family_key"])
    >>> tf.frequencies("family_key", pa.array(["サトウ", "テシガワラ"])).tolist()
    [0.6666666666666666, 0.3333333333333333]
    >>> more = pa.table({"family_key": ["サトウ"]})
    >>> tf.apply(tf.changes(added=more))
    >>> tf.frequencies("family_key", pa.array(["サトウ"])).tolist()
    [0.75]
    >>> TermFrequencies.from_table(tf.to_table()) == tf
    True
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from dchkit.errors import ConfigError

if TYPE_CHECKING:
    from dchkit.resolution.config import ResolverConfig
    from dchkit.resolution.result import Resolution

__all__ = ["TF_SCHEMA", "TermFrequencies", "distinct_entries", "tf_columns"]

FloatArray = npt.NDArray[np.float64]

#: Schema of :meth:`TermFrequencies.to_table` and of the change tables.
TF_SCHEMA = pa.schema(
    [
        pa.field("column", pa.string(), nullable=False),
        pa.field("value", pa.string(), nullable=False),
        pa.field("count", pa.int64(), nullable=False),
    ]
)


def tf_columns(config: ResolverConfig) -> tuple[str, ...]:
    """Feature columns whose frequencies the configuration's TF adjustments read.

    Each comparison named in ``config.tf_adjust`` reads the columns of its
    :attr:`~dchkit.resolution.comparisons.Comparison.tf_levels` (its top level and the
    levels marked ``term_frequency``).
    """
    by_name = {c.name: c for c in config.comparisons}
    columns: list[str] = []
    for name in config.tf_adjust:
        if name not in by_name:
            msg = f"tf_adjust names {name!r}, which is not a comparison"
            raise ConfigError(msg, fix=f"use one of {sorted(by_name)}")
        columns.extend(column for _, column in by_name[name].tf_levels)
    return tuple(dict.fromkeys(columns))


def distinct_entries(values: pa.Array) -> pa.Array:
    """The entries of a list column, each distinct value of a row once (in row order)."""
    flat = pc.list_flatten(values)
    if len(flat) == 0:
        return flat
    rows = pc.list_parent_indices(values)
    unique = pa.table({"row": rows, "value": flat}).group_by(["row", "value"]).aggregate([])
    return unique.sort_by([("row", "ascending")]).column("value").combine_chunks()


def _value_counts(features: pa.Table, columns: Iterable[str]) -> pa.Table:
    """One row per (column, value) of ``features`` with its number of records."""
    parts = []
    for column in columns:
        if column not in features.column_names:
            msg = f"term frequencies need feature column {column!r}, which is missing"
            raise ConfigError(msg, fix="pass the features built by build_features()")
        values = features.column(column).combine_chunks()
        if pa.types.is_list(values.type) or pa.types.is_large_list(values.type):
            values = distinct_entries(values)
        counted = pc.value_counts(values.drop_null().cast(pa.string()))
        parts.append(
            pa.table(
                {
                    "column": pa.array([column] * len(counted), pa.string()),
                    "value": counted.field("values"),
                    "count": counted.field("counts").cast(pa.int64()),
                },
                schema=TF_SCHEMA,
            )
        )
    return pa.concat_tables(parts) if parts else TF_SCHEMA.empty_table()


class TermFrequencies:
    """Counts of every value of the term-frequency-adjusted feature columns of a hub.

    Build with :meth:`from_features` or :meth:`from_resolution`; keep current with
    :meth:`changes` + :meth:`apply`; persist with :meth:`to_table` / :meth:`from_table`.
    """

    def __init__(self, columns: Iterable[str]) -> None:
        self._counts: dict[str, dict[str, int]] = {column: {} for column in columns}
        self._totals: dict[str, int] = dict.fromkeys(self._counts, 0)

    @classmethod
    def from_features(cls, features: pa.Table, columns: Iterable[str]) -> TermFrequencies:
        """Count the values of ``columns`` over every row of ``features``."""
        columns = tuple(columns)
        frequencies = cls(columns)
        frequencies.apply(_value_counts(features, columns))
        return frequencies

    @classmethod
    def from_resolution(cls, resolution: Resolution) -> TermFrequencies:
        """The frequencies a batch resolve used: those of all its records."""
        return cls.from_features(resolution.features, tf_columns(resolution.config))

    @classmethod
    def from_table(cls, table: pa.Table, columns: Iterable[str] = ()) -> TermFrequencies:
        """Load frequencies saved with :meth:`to_table`.

        Args:
            table: Counts (``TF_SCHEMA``).
            columns: Columns to count even if the table has no value for them yet.
        """
        missing = sorted(set(TF_SCHEMA.names) - set(table.column_names))
        if missing:
            msg = f"a term-frequency table needs columns {TF_SCHEMA.names}; missing {missing}"
            raise ConfigError(msg, fix="pass a table written by TermFrequencies.to_table()")
        frequencies = cls(dict.fromkeys([*columns, *table.column("column").to_pylist()]))
        frequencies.apply(table)
        return frequencies

    @property
    def columns(self) -> tuple[str, ...]:
        """The counted feature columns."""
        return tuple(self._counts)

    def total(self, column: str) -> int:
        """Number of records with a value in ``column``."""
        return self._totals[self._known(column)]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TermFrequencies):
            return NotImplemented
        return self._counts == other._counts

    __hash__ = None  # type: ignore[assignment]  # mutable: apply() changes it

    def __repr__(self) -> str:
        sizes = ", ".join(f"{c}: {len(v):,} values" for c, v in self._counts.items())
        return f"TermFrequencies({sizes})"

    def _known(self, column: str) -> str:
        if column not in self._counts:
            msg = f"no term frequencies for column {column!r}"
            raise ConfigError(msg, fix=f"use one of {list(self._counts)} or rebuild them")
        return column

    def frequencies(
        self, column: str, values: pa.Array, *, pending: pa.Table | None = None
    ) -> FloatArray:
        """Relative frequency of each of ``values`` in ``column`` (at least ``1 / total``).

        Args:
            column: A counted feature column.
            values: The values to look up (nulls count as unseen).
            pending: Changes (``TF_SCHEMA``) not yet applied, counted as if they were.
        """
        counts = self._counts[self._known(column)]
        total = self._totals[column]
        extra: dict[str, int] = {}
        if pending is not None and pending.num_rows:
            extra = {
                value: count
                for name, value, count in zip(
                    *(pending.column(c).to_pylist() for c in TF_SCHEMA.names), strict=True
                )
                if name == column
            }
            total += sum(extra.values())
        keys = values.cast(pa.string()).to_pylist()
        found = np.fromiter(
            (counts.get(k, 0) + extra.get(k, 0) for k in keys),
            dtype=np.float64,
            count=len(keys),
        )
        total = max(total, 1)
        result: FloatArray = np.maximum(found, 1.0) / total
        return result

    def changes(
        self, *, added: pa.Table | None = None, removed: pa.Table | None = None
    ) -> pa.Table:
        """The count changes (``TF_SCHEMA``) of adding and removing records' features.

        A changed record is removed in its stored version and added in its new one.
        """
        delta: dict[tuple[str, str], int] = {}
        for table, sign in ((added, 1), (removed, -1)):
            if table is None or table.num_rows == 0:
                continue
            for column in self.columns:
                values = table.column(column).combine_chunks()
                if pa.types.is_list(values.type) or pa.types.is_large_list(values.type):
                    values = distinct_entries(values)
                for value in values.drop_null().cast(pa.string()).to_pylist():
                    delta[(column, value)] = delta.get((column, value), 0) + sign
        rows = sorted((key, count) for key, count in delta.items() if count)
        return pa.table(
            {
                "column": pa.array([key[0] for key, _ in rows], pa.string()),
                "value": pa.array([key[1] for key, _ in rows], pa.string()),
                "count": pa.array([count for _, count in rows], pa.int64()),
            },
            schema=TF_SCHEMA,
        )

    def apply(self, changes: pa.Table) -> None:
        """Add count changes (from :meth:`changes`, or a saved table) in place."""
        for column, value, count in zip(
            changes.column("column").to_pylist(),
            changes.column("value").to_pylist(),
            changes.column("count").to_pylist(),
            strict=True,
        ):
            counts = self._counts.setdefault(column, {})
            self._totals[column] = self._totals.get(column, 0) + count
            now = counts.get(value, 0) + count
            if now > 0:
                counts[value] = now
            elif now == 0:
                counts.pop(value, None)
            else:
                msg = f"term frequency of {value!r} in {column!r} would fall below zero"
                raise ConfigError(msg, fix="remove only records that were counted before")

    def to_table(self) -> pa.Table:
        """Every count as a table (``TF_SCHEMA``), sorted by column and value."""
        rows = [
            (column, value, count)
            for column, counts in self._counts.items()
            for value, count in counts.items()
        ]
        table = pa.table(
            {
                "column": pa.array([r[0] for r in rows], pa.string()),
                "value": pa.array([r[1] for r in rows], pa.string()),
                "count": pa.array([r[2] for r in rows], pa.int64()),
            },
            schema=TF_SCHEMA,
        )
        return table.sort_by([("column", "ascending"), ("value", "ascending")])
