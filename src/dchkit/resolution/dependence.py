"""Household dependence: agreements that go together for different people of one home.

Fellegi–Sunter adds up evidence as if fields were independent. For two members of one
household they are not: the family name, the landline, the address and a family e-mail
agree *together*. This module holds the one correction the resolver, the EM E-step and
explanations share.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from dchkit.resolution.comparisons import Comparison

__all__ = ["dependence_correction"]

FloatArray = npt.NDArray[np.float64]


def dependence_correction(
    weights: FloatArray,
    levels: npt.NDArray[np.int8],
    comparisons: Sequence[Comparison],
    groups: Sequence[Sequence[str]],
    discount: float,
    unless: str | None = None,
    personal: Sequence[str] = (),
) -> FloatArray:
    """Weight removed from each pair because agreements of one dependent group go together.

    Within each group the strongest positive weight counts in full and the other positive
    weights count ``discount`` times: a household's shared family name, landline and
    address are one piece of evidence, not three. Pairs whose ``unless`` comparison agrees
    (e.g. the same given name) are left alone: different members of one household have
    different given names, so for them the agreements are independent evidence again.
    Pairs whose ``unless`` comparison *differs* (two given names, neither like the other)
    and that agree on nothing a household does not share (a birth date, a mobile number)
    are what a household looks like: their shared fields are explained by the household,
    so even the strongest counts ``discount`` times. A comparison agreeing at a level on a
    ``personal`` column (a mobile number, which family members do not share) counts in
    full, outside its group.

    Args:
        weights: Each pair's weight per comparison (n_pairs × n_comparisons).
        levels: Each pair's level per comparison (same shape; -1 is null).
        comparisons: The comparisons, in column order.
        groups: Groups of comparison names that agree together within a household.
        discount: Share of a group's weaker agreements that counts.
        unless: A comparison whose agreement lifts the discount.
        personal: Feature columns whose agreement is not household evidence.

    Examples:
        >>> import numpy as np
        >>> from dchkit.resolution.config import ResolverConfig
        >>> comparisons = ResolverConfig().comparisons  # family, given, email, phone, …
        >>> weights = np.array([[5.0, -2.0, 12.0, 0.0, 0.0, 0.0]])
        >>> levels = np.array([[9, 0, 2, -1, -1, -1]], dtype=np.int8)
        >>> float(dependence_correction(weights, levels, comparisons,
        ...       [("family_name", "email")], discount=0.25, unless="given_name")[0])
        -12.75
    """
    names = [c.name for c in comparisons]
    adjust = np.zeros(weights.shape[0], dtype=np.float64)
    strongest = np.zeros(weights.shape[0], dtype=np.float64)
    # Agreement no household shares: a comparison outside every group (a birth date) or a
    # personal level (a mobile number).
    grouped = {name for group in groups for name in group} | {unless}
    personal_agreement = np.zeros(weights.shape[0], dtype=bool)
    for j, name in enumerate(names):
        if name not in grouped:
            personal_agreement |= weights[:, j] > 0
        else:
            personal_agreement |= _personal_levels(comparisons[j], personal)[levels[:, j]]
    for group in groups:
        columns = [names.index(name) for name in group if name in names]
        if len(columns) < 2:
            continue
        positive = np.maximum(weights[:, columns], 0.0)
        for k, j in enumerate(columns):
            positive[_personal_levels(comparisons[j], personal)[levels[:, j]], k] = 0.0
        adjust -= (1.0 - discount) * (positive.sum(axis=1) - positive.max(axis=1))
        strongest += positive.max(axis=1)
    if unless is not None and unless in names:
        column = names.index(unless)
        adjust[weights[:, column] > 0] = 0.0
        differ = (levels[:, column] == 0) & ~personal_agreement
        adjust[differ] -= (1.0 - discount) * strongest[differ]
    return adjust


def _personal_levels(comparison: Comparison, personal: Sequence[str]) -> npt.NDArray[np.bool_]:
    """Whether each level code of ``comparison`` reads a personal column (index -1: null)."""
    flags = np.zeros(comparison.top_level + 2, dtype=bool)
    for rank, level in enumerate(comparison.levels):
        flags[comparison.top_level - rank] = level.column in personal
    return flags
