"""Adjustments to Fellegi–Sunter match weights: value frequency and dependent evidence.

Plain Fellegi–Sunter adds up independent evidence. Two corrections make it fit customer
data: agreeing on a common value is weaker evidence than on a rare one (term frequency),
and fields a household shares agree together for different people (dependence).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from dchkit.errors import ConfigError
from dchkit.resolution.dependence import dependence_correction
from dchkit.resolution.model import MatchModel

if TYPE_CHECKING:
    from dchkit.resolution.config import ResolverConfig

__all__ = [
    "dependence_adjustments",
    "dependence_correction",
    "household_adjustments",
    "pair_weights",
    "tf_adjustments",
    "tf_adjustments_by_comparison",
]

FloatArray = npt.NDArray[np.float64]
#: Relative frequency of each value of a feature column (column name, values) → floats.
Frequencies = Callable[[str, pa.Array], FloatArray]


def dependence_adjustments(
    levels: npt.NDArray[np.int8],
    model: MatchModel,
    groups: Sequence[Sequence[str]],
    discount: float,
    unless: str | None = None,
    personal: Sequence[str] = (),
) -> FloatArray:
    """Household-dependence correction (:func:`dependence_correction`) for a trained model."""
    tables = model.weight_tables()
    weights = np.zeros((levels.shape[0], len(model.comparisons)), dtype=np.float64)
    for j, table in enumerate(tables):
        weights[:, j] = table[levels[:, j]]
    return dependence_correction(
        weights, levels, model.comparisons, groups, discount, unless, personal
    )


def tf_adjustments(
    features: pa.Table,
    pairs: npt.NDArray[np.int64],
    levels: npt.NDArray[np.int8],
    model: MatchModel,
    tf_adjust: tuple[str, ...],
    *,
    frequencies: Frequencies | None = None,
) -> FloatArray:
    """Weight change for exact agreement on common vs rare values (term frequency).

    The sum over comparisons of :func:`tf_adjustments_by_comparison`.
    """
    by_comparison = tf_adjustments_by_comparison(
        features, pairs, levels, model, tf_adjust, frequencies=frequencies
    )
    total: FloatArray = by_comparison.sum(axis=1)
    return total


def tf_adjustments_by_comparison(
    features: pa.Table,
    pairs: npt.NDArray[np.int64],
    levels: npt.NDArray[np.int8],
    model: MatchModel,
    tf_adjust: tuple[str, ...],
    *,
    frequencies: Frequencies | None = None,
) -> FloatArray:
    """Each pair's term-frequency weight change per comparison (n_pairs × n_comparisons).

    For a pair at a level a listed comparison adjusts (its top level, and the levels
    marked ``term_frequency``), the u of that level is replaced by the frequency of the
    value the pair agrees on: agreeing on 佐藤 counts less than on 勅使河原, on "John
    Smith" less than on a rare whole name. In a list column (the whole name in either
    order) the commonest value the two records share counts. Frequencies are those of
    ``features`` unless ``frequencies`` gives them (an incremental resolve scores a few
    records with the whole hub's frequencies).
    """
    adjust = np.zeros((len(pairs), len(model.comparisons)), dtype=np.float64)
    names = [c.name for c in model.comparisons]
    for name in tf_adjust:
        if name not in names:
            msg = f"tf_adjust names {name!r}, which is not a comparison"
            raise ConfigError(msg, fix=f"use one of {names}")
        j = names.index(name)
        comparison = model.comparisons[j]
        for level, column_name in comparison.tf_levels:
            at = np.flatnonzero(levels[:, j] == level)
            if at.size == 0:
                continue
            column = features.column(column_name).combine_chunks()
            if pa.types.is_list(column.type) or pa.types.is_large_list(column.type):
                rows, frequency = _shared_value_frequencies(
                    column, pairs[at], frequencies, column_name
                )
            else:
                rows = np.arange(at.size)
                frequency = _value_frequencies(column, pairs[at, 0], frequencies, column_name)
            if rows.size == 0:
                continue
            u_level = model.u[j][level]
            adjust[at[rows], j] = np.log2(u_level / frequency)
    return adjust


def _value_frequencies(
    column: pa.Array,
    rows: npt.NDArray[np.int64],
    frequencies: Frequencies | None,
    name: str,
) -> FloatArray:
    """Frequency of the value of ``column`` at each of ``rows`` (at least 1 / total)."""
    if frequencies is not None:
        return frequencies(name, column.take(pa.array(rows)))
    codes = column.dictionary_encode().indices.to_numpy(zero_copy_only=False)
    codes = np.nan_to_num(codes.astype(np.float64), nan=-1).astype(np.int64)
    valid = codes >= 0
    total = max(int(valid.sum()), 1)
    counts = np.bincount(codes[valid], minlength=1)
    picked = codes[rows]
    found = np.where(picked >= 0, counts[np.maximum(picked, 0)], 0)
    result: FloatArray = np.maximum(found, 1.0) / total
    return result


def _shared_value_frequencies(
    column: pa.Array,
    pairs: npt.NDArray[np.int64],
    frequencies: Frequencies | None,
    name: str,
) -> tuple[npt.NDArray[np.int64], FloatArray]:
    """For pairs of rows of a list column: which share a value, and the commonest one's frequency.

    Frequencies count each distinct value of a row once, over all such entries (as
    :class:`~dchkit.resolution.termfreq.TermFrequencies` counts a list column).
    """
    from dchkit.resolution.termfreq import distinct_entries

    entries = distinct_entries(column)
    rows = pc.list_parent_indices(column).to_numpy()
    flat = pc.list_flatten(column)
    # Each row's distinct values, as codes into one dictionary.
    dictionary = pc.unique(entries.drop_null()) if len(entries) else pa.array([], pa.string())
    codes = pc.index_in(flat, value_set=dictionary).to_numpy(zero_copy_only=False)
    codes = np.nan_to_num(codes.astype(np.float64), nan=-1).astype(np.int64)
    keep = codes >= 0
    rows, codes = rows[keep], codes[keep]
    width = max(len(dictionary), 1)
    n_rows = len(column)
    starts = np.searchsorted(rows, np.arange(n_rows + 1))

    def entries_of(side: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        lengths = starts[side + 1] - starts[side]
        owner = np.repeat(np.arange(side.size), lengths)
        offsets = np.repeat(starts[side] - np.cumsum(lengths) + lengths, lengths)
        position = np.arange(int(lengths.sum())) + offsets
        keyed: npt.NDArray[np.int64] = owner * width + codes[position]
        return keyed

    shared = np.intersect1d(entries_of(pairs[:, 0]), entries_of(pairs[:, 1]))
    pair_of, code_of = shared // width, shared % width
    if frequencies is not None:
        frequency = frequencies(name, dictionary.take(pa.array(code_of)))
    else:
        counted = pc.index_in(entries.drop_null(), value_set=dictionary).to_numpy(
            zero_copy_only=False
        )
        counts = np.bincount(counted, minlength=width)
        total = max(int(counts.sum()), 1)
        frequency = np.maximum(counts[code_of], 1.0) / total
    best = np.zeros(len(pairs), dtype=np.float64)
    np.maximum.at(best, pair_of, frequency)
    found = np.unique(pair_of)
    return found, best[found]


def household_adjustments(
    levels: npt.NDArray[np.int8], model: MatchModel, config: ResolverConfig
) -> FloatArray:
    """:func:`dependence_adjustments` with the groups and options of ``config``."""
    return dependence_adjustments(
        levels,
        model,
        config.dependent,
        config.dependent_discount,
        config.dependent_unless,
        config.personal_columns,
    )


def pair_weights(
    features: pa.Table,
    pairs: npt.NDArray[np.int64],
    levels: npt.NDArray[np.int8],
    model: MatchModel,
    config: ResolverConfig,
    *,
    frequencies: Frequencies | None = None,
) -> FloatArray:
    """Each pair's match weight: the model's, term frequency and household corrections.

    The one formula of the batch resolver and the incremental engine, so a stream of
    records scores exactly as a batch does.
    """
    weights: FloatArray = (
        model.match_weights(levels)
        + tf_adjustments(features, pairs, levels, model, config.tf_adjust, frequencies=frequencies)
        + household_adjustments(levels, model, config)
    )
    return weights
