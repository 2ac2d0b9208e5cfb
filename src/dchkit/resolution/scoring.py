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

    For a pair at the top level of a listed comparison, the u of that level is replaced by
    the frequency of the pair's value: agreeing on 佐藤 counts less than on 勅使河原.
    Frequencies are those of ``features`` unless ``frequencies`` gives them (an incremental
    resolve scores a few records with the whole hub's frequencies).
    """
    adjust = np.zeros(len(pairs), dtype=np.float64)
    names = [c.name for c in model.comparisons]
    for name in tf_adjust:
        if name not in names:
            msg = f"tf_adjust names {name!r}, which is not a comparison"
            raise ConfigError(msg, fix=f"use one of {names}")
        j = names.index(name)
        comparison = model.comparisons[j]
        column = features.column(comparison.levels[0].column).combine_chunks()
        if pa.types.is_list(column.type):
            continue
        if frequencies is not None:
            top = levels[:, j] == comparison.top_level
            given = frequencies(comparison.levels[0].column, column.take(pa.array(pairs[top, 0])))
            adjust[top] += np.log2(model.u[j][comparison.top_level] / given)
            continue
        codes = column.dictionary_encode().indices.to_numpy(zero_copy_only=False)
        codes = np.nan_to_num(codes.astype(np.float64), nan=-1).astype(np.int64)
        valid = codes >= 0
        if not valid.any():
            continue
        frequency = np.bincount(codes[valid]) / valid.sum()
        top = levels[:, j] == comparison.top_level
        left = codes[pairs[top, 0]]
        u_top = model.u[j][comparison.top_level]
        adjust[top] += np.log2(u_top / np.maximum(frequency[left], 1.0 / valid.sum()))
    return adjust


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
