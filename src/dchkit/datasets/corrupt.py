"""Corruption: masked, counted edits of string columns.

Every corruption draws a boolean mask at its rate, edits only the selected values (a
Python loop over a few percent of rows, or an Arrow kernel), and counts how many values
actually changed, per field and kind, for the world report.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from dchkit.datasets.text import to_fullwidth, to_halfwidth_kana, typo

__all__ = ["Corruptor"]


class Corruptor:
    """Applies corruptions with one random stream and tallies them.

    Args:
        rng: The random stream (one per table keeps tables independent of each other).
        table: Table name, the prefix of every counted field (``crm_contacts.LastName``).
    """

    def __init__(self, rng: np.random.Generator, table: str) -> None:
        self.rng = rng
        self.table = table
        self.counts: Counter[tuple[str, str]] = Counter()

    def mask(self, n: int, rate: float) -> np.ndarray:
        """A boolean mask with each row selected with probability ``rate``."""
        return self.rng.random(n) < rate

    def count(self, field: str, kind: str, n: int | np.integer) -> None:
        """Record ``n`` values of ``field`` given corruption ``kind`` (by a vectorized step)."""
        if n:
            self.counts[(f"{self.table}.{field}", kind)] += int(n)

    def apply(
        self,
        values: pa.Array,
        mask: np.ndarray,
        edit: Callable[[str], str],
        field: str,
        kind: str,
    ) -> pa.Array:
        """Replace the selected non-null values by ``edit(value)``; count the changed ones."""
        mask = mask & values.is_valid().to_numpy(zero_copy_only=False)
        if not mask.any():
            return values
        old = values.filter(pa.array(mask)).to_pylist()
        new = [edit(v) for v in old]
        self.count(field, kind, sum(a != b for a, b in zip(old, new, strict=True)))
        return pc.replace_with_mask(values, pa.array(mask), pa.array(new, pa.string()))

    def typos(self, values: pa.Array, rate: float, field: str) -> pa.Array:
        """Keyboard typos (neighbour key, transposition, deletion, doubling)."""
        rng = self.rng
        return self.apply(
            values, self.mask(len(values), rate), lambda v: typo(v, rng), field, "typo"
        )

    def missing(self, values: pa.Array, rate: float, field: str) -> pa.Array:
        """Empty a share of the values."""
        mask = self.mask(len(values), rate) & values.is_valid().to_numpy(zero_copy_only=False)
        self.count(field, "missing", mask.sum())
        return pc.if_else(pa.array(mask), pa.scalar(None, pa.string()), values)

    def case(self, values: pa.Array, rate: float, field: str) -> pa.Array:
        """Upper-case (mostly) or lower-case a share of the values."""
        upper = self.mask(len(values), 0.7)
        mask = self.mask(len(values), rate)
        values = self.apply(values, mask & upper, str.upper, field, "upper_case")
        return self.apply(values, mask & ~upper, str.lower, field, "lower_case")

    def fullwidth(self, values: pa.Array, rate: float, field: str) -> pa.Array:
        """Full-width digits and letters (typed with a Japanese IME on)."""
        return self.apply(values, self.mask(len(values), rate), to_fullwidth, field, "fullwidth")

    def halfwidth_kana(self, values: pa.Array, rate: float, field: str) -> pa.Array:
        """Half-width katakana (legacy systems, bank and POS exports)."""
        return self.apply(
            values, self.mask(len(values), rate), to_halfwidth_kana, field, "halfwidth_kana"
        )

    def whitespace(self, values: pa.Array, rate: float, field: str) -> pa.Array:
        """Stray leading/trailing or doubled spaces."""
        return self.apply(
            values,
            self.mask(len(values), rate),
            lambda v: (" " + v if len(v) % 2 else v + " ").replace(" ", "  ", 1),
            field,
            "whitespace",
        )

    def replace(
        self, values: pa.Array, mask: np.ndarray, other: pa.Array, field: str, kind: str
    ) -> pa.Array:
        """Take ``other`` where ``mask`` holds (and ``other`` differs); count those rows."""
        differs = pc.fill_null(pc.not_equal(values, other), True).to_numpy(zero_copy_only=False)
        self.count(field, kind, (mask & differs).sum())
        return pc.if_else(pa.array(mask), other, values)
