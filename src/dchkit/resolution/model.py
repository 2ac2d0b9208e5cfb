"""Fellegi–Sunter scoring: m and u probabilities per comparison level, learnt without labels.

For comparison *c* at level *l*, ``m[c][l]`` is the probability of that level among true
matches and ``u[c][l]`` among non-matches. A pair's match weight is
``log2(λ / (1 − λ)) + Σ_c log2(m[c][l_c] / u[c][l_c])`` (null levels add nothing) and its
match probability ``1 / (1 + 2^−weight)``.

- **u** comes from seeded random record pairs (almost all non-matches): :func:`estimate_u`.
- **m and λ** come from expectation–maximisation on the candidate pairs with u held fixed
  (:func:`train`). EM runs on the *distinct level patterns* with their counts — a few
  thousand rows however many million pairs there are — so it takes milliseconds.
- Models are plain data: they save and load as versioned JSON (never pickle).

Examples:
    >>> import numpy as np
    >>> from dchkit.resolution.comparisons import Comparison, Level
    >>> from dchkit.resolution.model import MatchModel
    >>> email = Comparison(name="email", levels=(Level(column="email"),))
    >>> model = MatchModel(comparisons=(email,), m=((0.05, 0.95),), u=((0.999, 0.001),), prior=0.01)
    >>> weights = model.match_weights(np.array([[1], [0], [-1]], dtype=np.int8))
    >>> [round(w, 2) for w in weights.tolist()]
    [3.26, -10.95, -6.63]
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from dchkit.errors import ConfigError
from dchkit.resolution.comparisons import (
    NULL_LEVEL,
    Comparison,
    EncodedFeatures,
    compare_exact_prefix,
    compare_pairs,
)
from dchkit.resolution.dependence import dependence_correction

__all__ = [
    "MODEL_FORMAT_VERSION",
    "TYPICAL_EXACT_U",
    "EmReport",
    "MatchModel",
    "default_model",
    "describe",
    "estimate_u",
    "level_patterns",
    "starting_m",
    "train",
]

MODEL_FORMAT_VERSION = 1
_U_CHUNK = 200_000  # random pairs compared at a time when estimating u
_FLOOR = 1e-6  # no probability is allowed to reach 0 or 1: weights stay finite
LevelMatrix = npt.NDArray[np.int8]
FloatArray = npt.NDArray[np.float64]


def _normalized(values: Sequence[float] | npt.NDArray[np.floating[Any]]) -> tuple[float, ...]:
    clipped = np.clip(np.asarray(values, dtype=np.float64), _FLOOR, None)
    return tuple(float(v) for v in clipped / clipped.sum())


class MatchModel(BaseModel):
    """A trained Fellegi–Sunter model: comparisons with their m and u per level, and λ.

    ``m[c][l]`` and ``u[c][l]`` are indexed by level number (0 = different … top = best).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    format_version: int = MODEL_FORMAT_VERSION
    comparisons: tuple[Comparison, ...] = Field(min_length=1)
    m: tuple[tuple[float, ...], ...]
    u: tuple[tuple[float, ...], ...]
    prior: float = Field(gt=0, lt=1, description="λ: share of candidate pairs that match.")

    @model_validator(mode="after")
    def _shapes_agree(self) -> MatchModel:
        if self.format_version > MODEL_FORMAT_VERSION:
            msg = (
                f"model format {self.format_version} is newer than this dchkit understands "
                f"({MODEL_FORMAT_VERSION}); upgrade dchkit"
            )
            raise ValueError(msg)
        if not len(self.m) == len(self.u) == len(self.comparisons):
            msg = "m, u and comparisons must have one entry per comparison"
            raise ValueError(msg)
        for comparison, m, u in zip(self.comparisons, self.m, self.u, strict=True):
            size = comparison.top_level + 1
            if len(m) != size or len(u) != size:
                msg = f"comparison {comparison.name!r} has {size} levels but m/u have {len(m)}/{len(u)}"
                raise ValueError(msg)
        return self

    def weight_tables(self) -> list[FloatArray]:
        """Per comparison, ``log2(m/u)`` by level, with one extra last entry 0 for null."""
        tables = []
        for m, u in zip(self.m, self.u, strict=True):
            ratio = np.log2(np.clip(m, _FLOOR, None) / np.clip(u, _FLOOR, None))
            tables.append(np.append(ratio, 0.0))
        return tables

    @property
    def prior_weight(self) -> float:
        """``log2(λ / (1 − λ))``: the weight of a pair before any evidence."""
        return math.log2(self.prior / (1 - self.prior))

    def match_weights(self, levels: LevelMatrix) -> FloatArray:
        """Match weight of every pair from its level matrix (n_pairs × n_comparisons)."""
        levels = np.asarray(levels)
        if levels.ndim != 2 or levels.shape[1] != len(self.comparisons):
            msg = f"levels must have shape (n, {len(self.comparisons)}), got {levels.shape}"
            raise ConfigError(msg, fix="compute them with the model's own comparisons")
        total = np.full(levels.shape[0], self.prior_weight, dtype=np.float64)
        for j, table in enumerate(self.weight_tables()):
            total += table[levels[:, j]]  # −1 (null) indexes the trailing 0
        return total

    def match_probabilities(self, levels: LevelMatrix) -> FloatArray:
        """Match probability of every pair: ``1 / (1 + 2^−weight)``."""
        probabilities: FloatArray = 1.0 / (1.0 + np.exp2(-self.match_weights(levels)))
        return probabilities

    # ---------------------------------------------------------------- persistence
    def to_json(self) -> str:
        """Serialize to versioned JSON."""
        return self.model_dump_json(indent=2)

    @classmethod
    def from_json(cls, text: str) -> MatchModel:
        """Load a model saved with :meth:`to_json`.

        Raises:
            ConfigError: the text is not a valid model (or comes from a newer dchkit).
        """
        try:
            return cls.model_validate_json(text)
        except ValidationError as err:
            msg = f"not a valid dchkit match model: {err.errors()[0]['msg']}"
            raise ConfigError(msg, fix="load a file written by MatchModel.save()") from err

    def save(self, path: str | Path) -> None:
        """Write the model as JSON to ``path``."""
        Path(path).write_text(self.to_json(), encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> MatchModel:
        """Read a model written by :meth:`save`."""
        return cls.from_json(Path(path).read_text(encoding="utf-8"))


def estimate_u(
    features: pa.Table | EncodedFeatures,
    comparisons: Sequence[Comparison],
    *,
    max_pairs: int = 1_000_000,
    seed: int = 0,
    fuzzy_pairs: int = 200_000,
) -> tuple[tuple[float, ...], ...]:
    """Estimate u per level from random record pairs (nearly all of them non-matches).

    Exact agreement between two random records is rare (an e-mail address: a few in a
    million pairs), so exact levels are counted over ``max_pairs`` pairs; fuzzy agreement
    is common, so similarity is computed on the first ``fuzzy_pairs`` of them only. Each
    comparison's exact levels before its first fuzzy level are counted on every pair
    (:func:`~dchkit.resolution.comparisons.compare_exact_prefix`); the pairs they leave
    undecided are shared among the remaining levels, null and ``different`` as in the
    smaller sample. Pairs are drawn with a seeded generator over a canonical row order, so
    the estimate does not depend on input row order when the caller sorts ``features`` by
    record id first.
    """
    n = features.num_rows
    if n < 2:
        msg = f"estimating u needs at least 2 records, got {n}"
        raise ConfigError(msg, fix="resolve a table with more records")
    encoded = features if isinstance(features, EncodedFeatures) else EncodedFeatures(features)
    rng = np.random.default_rng(seed)
    size = int(min(max_pairs, n * (n - 1) // 2))
    left = rng.integers(0, n, size=size, dtype=np.int64)
    right = rng.integers(0, n - 1, size=size, dtype=np.int64)
    right = right + (right >= left)  # uniform over the other rows
    pairs = np.column_stack([left, right])
    small = min(size, max(fuzzy_pairs, 1))
    prefix = [np.zeros(c.top_level + 3, dtype=np.float64) for c in comparisons]
    full = [np.zeros((c.top_level + 3, c.top_level + 3), dtype=np.float64) for c in comparisons]
    for start in range(0, size, _U_CHUNK):  # chunks bound the memory of the scores
        chunk = pairs[start : start + _U_CHUNK]
        exact = compare_exact_prefix(encoded, chunk, comparisons)
        scored = min(max(small - start, 0), len(chunk))
        levels = compare_pairs(encoded, chunk[:scored], comparisons) if scored else None
        for j in range(len(comparisons)):
            # level codes shifted by 2: UNDECIDED (−2) → 0, null (−1) → 1, level l → l + 2
            prefix[j] += np.bincount(exact[:, j] + 2, minlength=len(prefix[j]))
            if levels is not None:
                np.add.at(full[j], (exact[:scored, j] + 2, levels[:, j] + 2), 1.0)
    estimates = []
    for j in range(len(comparisons)):
        counts = prefix[j][2:].copy()  # exact-prefix levels and 0, by level number
        undecided = prefix[j][0]
        split = full[j][0]  # where the smaller sample's undecided pairs ended up
        if undecided and split.sum():
            counts += undecided * split[2:] / split.sum()
        # add-half smoothing: a level never seen among random pairs stays possible
        estimates.append(_normalized(counts + 0.5))
    return tuple(estimates)


class EmReport(BaseModel):
    """How EM went: iterations, whether it converged, and λ after each iteration."""

    model_config = ConfigDict(frozen=True)

    iterations: int
    converged: bool
    prior_history: tuple[float, ...]


def starting_m(comparison: Comparison) -> tuple[float, ...]:
    """Start with most matches at the top level and geometric decay below it.

    Also the m of a comparison no training session could learn. The decay is gentle
    because the levels of a name comparison are mostly exact matches in other scripts
    (reading, romaji), nearly as telling as the top one.
    """
    size = comparison.top_level + 1
    raw = [0.05] + [2.0 ** (level - size) for level in range(1, size)]
    raw[-1] = max(raw[-1], 0.7)
    return _normalized(raw)


#: Chance that two *different* people agree exactly, by comparison name: the u of the top
#: level used when there is too little data to estimate u from random pairs.
TYPICAL_EXACT_U: dict[str, float] = {
    "family_name": 5e-3,
    "given_name": 5e-3,
    "email": 1e-6,
    "phone": 5e-6,
    "birth_date": 5e-5,
    "location": 1e-5,
}


def default_model(comparisons: Sequence[Comparison], *, prior: float) -> MatchModel:
    """A model from typical m and u values, for inputs too small to learn from.

    An *exact* level is as telling as any other exact level of its comparison (the same
    name in romaji is as good as the same name in kanji; a shared landline as a shared
    mobile): its u is :data:`TYPICAL_EXACT_U` (1e-3 for unknown comparisons) and its m a
    share of the matches, the top level's twice the others'. Each *fuzzy* level below is
    ten times likelier among non-matches than the one above it and four times rarer among
    matches.
    """
    m_rows, u_rows = [], []
    for comparison in comparisons:
        exact_u = TYPICAL_EXACT_U.get(comparison.name, 1e-3)
        m_raw, u_raw, fuzzy = [], [], 0
        for rank, level in enumerate(comparison.levels):
            if level.test == "exact":
                m_raw.append(2.0 if rank == 0 else 1.0)
                u_raw.append(exact_u)
            else:
                fuzzy += 1
                m_raw.append(0.25**fuzzy)
                u_raw.append(min(exact_u * 10.0**fuzzy, 0.2))
        # levels are listed best first; rows are indexed by level number (0: different)
        m_rows.append(_normalized([0.05, *reversed(m_raw)]))
        u_rows.append(_normalized([max(1.0 - sum(u_raw), 0.5), *reversed(u_raw)]))
    return MatchModel(comparisons=tuple(comparisons), m=tuple(m_rows), u=tuple(u_rows), prior=prior)


def level_patterns(levels: LevelMatrix) -> tuple[npt.NDArray[np.int8], npt.NDArray[np.int64]]:
    """The distinct rows of a level matrix and how often each occurs.

    Same result as ``np.unique(levels, axis=0, return_counts=True)``, but each row is
    packed into one integer first: sorting ten million integers is many times faster
    than sorting ten million rows.
    """
    levels = np.asarray(levels, dtype=np.int8)
    if levels.shape[0] == 0:
        return levels.reshape(0, levels.shape[1] if levels.ndim == 2 else 0), np.zeros(
            0, dtype=np.int64
        )
    shifted = levels.astype(np.int64) + 1  # null (-1) becomes 0
    bases = shifted.max(axis=0) + 1
    if float(np.prod(bases.astype(np.float64))) >= 2.0**62:
        rows, counts = np.unique(levels, axis=0, return_counts=True)
        return rows, counts.astype(np.int64)
    packed = np.zeros(levels.shape[0], dtype=np.int64)
    for j in range(levels.shape[1]):
        packed = packed * bases[j] + shifted[:, j]
    codes, first, counts = np.unique(packed, return_index=True, return_counts=True)
    del codes
    return levels[first], counts.astype(np.int64)


def train(
    levels: LevelMatrix,
    comparisons: Sequence[Comparison],
    u: Sequence[Sequence[float]],
    *,
    prior: float = 1e-4,
    max_iterations: int = 100,
    tolerance: float = 1e-5,
    fixed: Sequence[str] = (),
    initial_m: Sequence[Sequence[float]] | None = None,
    dependent: Sequence[Sequence[str]] = (),
    discount: float = 1.0,
    dependent_unless: str | None = None,
    dependent_personal: Sequence[str] = (),
) -> tuple[MatchModel, EmReport]:
    """Learn m and λ by expectation–maximisation on candidate-pair levels, u held fixed.

    Args:
        levels: Level matrix of the candidate pairs (n_pairs × n_comparisons).
        comparisons: The comparisons that produced ``levels``.
        u: u per comparison and level (from :func:`estimate_u`).
        prior: Starting λ.
        max_iterations: Stop after this many iterations.
        tolerance: Stop when no m or λ moves more than this.
        fixed: Names of comparisons whose m stays at its starting value (e.g. a field
            used in every blocking rule, whose m EM cannot learn).
        initial_m: Starting m per comparison; default: most mass on the top level.
        dependent: Groups of comparison names whose positive weights are not independent
            (see :func:`dchkit.resolution.scoring.dependence_adjustments`); the E-step
            scores pairs the way the resolver will.
        discount: Share of a dependent group's weaker agreements that counts.
        dependent_unless: Comparison whose agreement exempts a pair from the discount.
        dependent_personal: Feature columns whose agreement counts outside its group.

    Returns:
        The trained model and a report of the iterations.
    """
    levels = np.asarray(levels, dtype=np.int8)
    if levels.shape[0] == 0:
        msg = "EM needs candidate pairs, and blocking produced none"
        raise ConfigError(msg, fix="check the blocking rules against the feature columns")
    patterns, counts = level_patterns(levels)
    weights_u = [np.append(np.log2(np.clip(row, _FLOOR, None)), 0.0) for row in u]
    starts = initial_m if initial_m is not None else [starting_m(c) for c in comparisons]
    m = [np.asarray(_normalized(row), dtype=np.float64) for row in starts]
    history: list[float] = []
    converged = False
    iteration = 0
    for iteration in range(1, max_iterations + 1):  # noqa: B007 - read after the loop
        per_comparison = np.column_stack(
            [
                np.append(np.log2(np.clip(m[j], _FLOOR, None)), 0.0)[patterns[:, j]]
                - weights_u[j][patterns[:, j]]
                for j in range(len(comparisons))
            ]
        )
        weight = math.log2(prior / (1 - prior)) + per_comparison.sum(axis=1)
        weight += dependence_correction(
            per_comparison,
            patterns,
            comparisons,
            dependent,
            discount,
            dependent_unless,
            dependent_personal,
        )
        posterior = 1.0 / (1.0 + np.exp2(-np.clip(weight, -60, 60)))
        mass = posterior * counts
        new_prior = float(np.clip(mass.sum() / counts.sum(), _FLOOR, 1 - _FLOOR))
        shift = abs(new_prior - prior)
        for j, comparison in enumerate(comparisons):
            if comparison.name in fixed:
                continue
            size = comparison.top_level + 1
            column = patterns[:, j]
            observed = column != NULL_LEVEL
            sums = np.bincount(column[observed], weights=mass[observed], minlength=size)
            updated = np.asarray(_normalized(sums + 1e-3), dtype=np.float64)
            shift = max(shift, float(np.abs(updated - m[j]).max()))
            m[j] = updated
        prior = new_prior
        history.append(prior)
        if shift < tolerance:
            converged = True
            break
    model = MatchModel(
        comparisons=tuple(comparisons),
        m=tuple(tuple(float(v) for v in row) for row in m),
        u=tuple(tuple(float(v) for v in row) for row in u),
        prior=prior,
    )
    return model, EmReport(iterations=iteration, converged=converged, prior_history=tuple(history))


def describe(model: MatchModel) -> list[dict[str, Any]]:
    """One row per comparison level: name, m, u and weight — for reports and explanations."""
    rows = []
    for comparison, m, u, table in zip(
        model.comparisons, model.m, model.u, model.weight_tables(), strict=True
    ):
        for level, name in enumerate(comparison.level_names):
            rows.append(
                {
                    "comparison": comparison.name,
                    "level": level,
                    "level_name": name,
                    "m": m[level],
                    "u": u[level],
                    "weight": float(table[level]),
                }
            )
    return rows
