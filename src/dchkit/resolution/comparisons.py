"""Pairwise comparisons: for each candidate pair, an ordered agreement level per field.

A :class:`Comparison` is an ordered list of :class:`Level` tests, best first. For a pair of
records the first test that passes gives the level; a pair where no test passes but both
records have a value is ``different`` (level 0); a pair where one side has no value in any
column the comparison reads — or, with ``comparable`` set, in any of those columns — is
``null`` (level −1), which is neutral in scoring.

Levels are numbered so that higher is better: with *k* tests, the first test is level *k*
and the last is level 1. Tests read *feature columns*, scalar or list-valued: a list column
(several e-mails, phones) passes a test when **any** value of the left record and **any**
value of the right one pass it — the best pair of values wins.

Everything is vectorized: values are dictionary-encoded once per column, fuzzy scores are
computed with rapidfuzz's ``process.cpdist`` once per *distinct* pair of values, and pair
results are gathered with numpy. That machinery costs a few milliseconds whatever the
number of pairs, so a few pairs (at most ``SMALL_PAIRS``, as an incremental resolve of one
record has) are compared in plain Python over the values of the records they use, with the
same scoring function (:func:`_string_scores`); ``tests/property/test_small_paths.py``
checks that both paths give the same levels.

Examples:
    >>> import numpy as np, pyarrow as pa
    >>> from dchkit.resolution.comparisons import Comparison, Level, compare_pairs
    >>> features = pa.table({"name": ["sato taro", "satou taro", "suzuki ichiro", None]})
    >>> name = Comparison(name="name", levels=(
    ...     Level(column="name", test="exact"),
    ...     Level(column="name", test="jaro_winkler", threshold=0.9),
    ... ))
    >>> pairs = np.array([[0, 1], [0, 2], [0, 3]])
    >>> compare_pairs(features, pairs, [name])[:, 0].tolist()
    [1, 0, -1]
    >>> name.level_names
    ('different', 'jaro_winkler>=0.9 name', 'exact name')
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
from pydantic import BaseModel, ConfigDict, Field, model_validator
from rapidfuzz import distance, fuzz, process

from dchkit.errors import ComparatorError, ConfigError

__all__ = [
    "NULL_LEVEL",
    "UNDECIDED_LEVEL",
    "Comparison",
    "EncodedColumn",
    "EncodedFeatures",
    "Level",
    "LevelTest",
    "ValuePairs",
    "compare_exact_prefix",
    "compare_pairs",
    "value_pairs",
]

NULL_LEVEL = -1
_WORKERS = -1  # rapidfuzz: use every core for large batches of distinct pairs
#: Fewer distinct pairs than this are scored on the calling thread: starting rapidfuzz's
#: worker threads costs more than scoring a few pairs (milliseconds on a busy machine).
_THREADED_FROM = 10_000
#: Record pairs compared at a time: a pair of two records with two e-mails and two name
#: spellings expands into several value pairs per column, so memory is bounded per chunk.
_CHUNK = 1_000_000
#: At most this many pairs are compared in Python when the features are a table (see the
#: module docs): up to here that is faster than encoding the columns.
SMALL_PAIRS = 128
#: Pairs of at most this many records (of a table) are compared with columns encoded in
#: Python (:meth:`EncodedColumn.encode_in_python`), not with Arrow kernels.
SMALL_ROWS = 256
_SORT_DISTINCT = 4096
#: Fewer value pairs than this are scored one by one (:func:`_score`, which keeps scores
#: for the next call) rather than in one ``cpdist`` call.
_SCORED_ONE_BY_ONE = 512
IndexArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

LevelTest = Literal[
    "exact",
    "jaro_winkler",
    "jaro",
    "levenshtein_ratio",
    "token_sort_ratio",
    "damerau_levenshtein",
    "within",
]
"""How a level compares two values:

- ``exact``: equal;
- ``jaro_winkler`` / ``jaro`` / ``levenshtein_ratio`` / ``token_sort_ratio``: similarity
  in [0, 1] at least ``threshold``;
- ``damerau_levenshtein``: edit distance (with transpositions) at most ``threshold``;
- ``within``: numeric or date values at most ``threshold`` apart (days for dates).
"""

_SIMILARITY: dict[str, Callable[..., float]] = {
    "jaro_winkler": distance.JaroWinkler.normalized_similarity,
    "jaro": distance.Jaro.normalized_similarity,
    "levenshtein_ratio": distance.Indel.normalized_similarity,
}


class Level(BaseModel):
    """One agreement level: a test on one feature column."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    column: str = Field(min_length=1)
    test: LevelTest = "exact"
    threshold: float | None = None
    label: str = ""
    term_frequency: bool = False
    """Weigh an exact agreement by how common the agreed value is (a whole name such as
    "John Smith" is shared by many people), when the comparison is in ``tf_adjust``. The
    top level of such a comparison is always adjusted."""

    @model_validator(mode="after")
    def _threshold_fits_test(self) -> Level:
        if self.term_frequency and self.test != "exact":
            msg = f"level on {self.column!r}: term_frequency needs an exact test"
            raise ValueError(msg)
        if self.test == "exact":
            if self.threshold is not None:
                msg = f"level on {self.column!r}: an exact test takes no threshold"
                raise ValueError(msg)
        elif self.threshold is None:
            msg = f"level on {self.column!r}: test {self.test!r} needs a threshold"
            raise ValueError(msg)
        elif self.test in _SIMILARITY or self.test == "token_sort_ratio":
            if not 0 < self.threshold <= 1:
                msg = f"level on {self.column!r}: similarity threshold must be in (0, 1], got {self.threshold}"
                raise ValueError(msg)
        elif self.threshold < 0:
            msg = f"level on {self.column!r}: {self.test} threshold must be >= 0, got {self.threshold}"
            raise ValueError(msg)
        return self

    @property
    def name(self) -> str:
        """Readable name of the level, e.g. ``jaro_winkler>=0.92 family_romaji``."""
        if self.label:
            return self.label
        if self.test == "exact":
            return f"exact {self.column}"
        op = ">=" if self.test in _SIMILARITY or self.test == "token_sort_ratio" else "<="
        threshold = self.threshold if self.threshold is not None else 0.0
        value = int(threshold) if float(threshold).is_integer() and op == "<=" else threshold
        return f"{self.test}{op}{value} {self.column}"


class Comparison(BaseModel):
    """An ordered set of levels for one aspect of a record (name, e-mail, birth date …)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1)
    levels: tuple[Level, ...] = Field(min_length=1)
    description: str = ""
    comparable: tuple[str, ...] = ()
    """Columns that make two values comparable: a pair that passes no level is
    ``different`` only if both records have a value in one of these columns, else ``null``.
    Empty: every column the levels read (a name in kanji and one in kana are not
    comparable by their keys; their readings are)."""

    @property
    def columns(self) -> tuple[str, ...]:
        """Feature columns the comparison reads, in first-use order."""
        return tuple(dict.fromkeys(level.column for level in self.levels))

    @property
    def level_names(self) -> tuple[str, ...]:
        """Name of each level by level number: index 0 is ``different``, the last is best."""
        return ("different", *(level.name for level in reversed(self.levels)))

    @property
    def top_level(self) -> int:
        """The best level number."""
        return len(self.levels)

    @property
    def tf_levels(self) -> tuple[tuple[int, str], ...]:
        """``(level number, column)`` of the levels a term-frequency adjustment weighs.

        The top level and every level marked ``term_frequency``, best first.
        """
        return tuple(
            (self.top_level - rank, level.column)
            for rank, level in enumerate(self.levels)
            if rank == 0 or level.term_frequency
        )


@dataclass(frozen=True, slots=True)
class ValuePairs:
    """Every (left value, right value) combination of a column over a set of record pairs.

    ``left`` and ``right`` are codes into ``dictionary``; ``pair`` says which record pair
    each combination belongs to. Pairs where either side has no value have no entry.
    """

    dictionary: pa.Array
    left: IndexArray
    right: IndexArray
    pair: IndexArray


@dataclass(frozen=True, slots=True)
class EncodedColumn:
    """One feature column, dictionary-encoded.

    The values of row ``r`` are ``dictionary[codes[offsets[r]:offsets[r + 1]]]`` (none for
    a null or empty value); scalar and list columns share the form, a scalar row holding
    zero or one value.
    """

    dictionary: pa.Array
    codes: IndexArray
    offsets: IndexArray

    @classmethod
    def encode(cls, column: pa.Array | pa.ChunkedArray) -> EncodedColumn:
        """Encode a scalar or list column (nulls and empty strings dropped)."""
        if isinstance(column, pa.ChunkedArray):
            column = column.combine_chunks()
        n = len(column)
        if pa.types.is_list(column.type) or pa.types.is_large_list(column.type):
            values = pc.list_flatten(column)
            # flattened in row order: parent indices never decrease
            rows = pc.list_parent_indices(column).to_numpy().astype(np.int64)
        else:
            values = column
            rows = np.arange(n, dtype=np.int64)
        valid = pc.is_valid(values)
        if pa.types.is_string(values.type) or pa.types.is_large_string(values.type):
            valid = pc.and_(valid, pc.not_equal(values, "")).fill_null(False)
        if pc.all(valid).as_py() is not True:
            mask = valid.to_numpy(zero_copy_only=False)
            values, rows = values.filter(valid), rows[mask]
        encoded = values.dictionary_encode()
        codes = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
        offsets = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=n), out=offsets[1:])
        return cls(encoded.dictionary, codes, offsets)

    @classmethod
    def encode_in_python(cls, column: pa.Array | pa.ChunkedArray) -> EncodedColumn | None:
        """:meth:`encode` for a short column, with a Python dict instead of Arrow kernels.

        The codes differ, the values each row keeps and which of them are equal do not:
        that is all the comparisons read. None for a type whose equality Python might see
        otherwise than Arrow (floats: NaN; anything but text, dates and integers).
        """
        kind = column.type
        listed = pa.types.is_list(kind) or pa.types.is_large_list(kind)
        value_type = kind.value_type if listed else kind
        text = pa.types.is_string(value_type) or pa.types.is_large_string(value_type)
        if not (text or pa.types.is_date32(value_type) or pa.types.is_integer(value_type)):
            return None
        distinct: dict[Any, int] = {}
        codes: list[int] = []
        offsets = [0]
        blank = "" if text else None  # what is dropped besides nulls
        for row in column.to_pylist():
            if listed:
                codes += [
                    distinct.setdefault(value, len(distinct))
                    for value in row or ()
                    if value is not None and value != blank
                ]
            elif row is not None and row != blank:
                codes.append(distinct.setdefault(row, len(distinct)))
            offsets.append(len(codes))
        return cls(
            pa.array(list(distinct), value_type),
            np.array(codes, dtype=np.int64),
            np.array(offsets, dtype=np.int64),
        )


class EncodedFeatures:
    """A feature table whose columns are dictionary-encoded once, on first use.

    :func:`compare_pairs` encodes every column it reads; the resolver compares the same
    records several times (candidate pairs, random pairs for u, training sessions), so it
    passes one of these to pay for the encoding once.
    """

    def __init__(self, features: pa.Table, *, in_python: bool = False) -> None:
        self.table = features
        self.in_python = in_python  # a few rows: encode with a dict, not Arrow kernels
        self._columns: dict[str, EncodedColumn] = {}

    @property
    def num_rows(self) -> int:
        """Number of records."""
        return int(self.table.num_rows)

    def column(self, name: str) -> EncodedColumn:
        """The encoded column ``name``.

        Raises:
            ConfigError: the features have no such column.
        """
        if name not in self._columns:
            if name not in self.table.column_names:
                msg = f"comparison uses feature column {name!r}, which does not exist"
                raise ConfigError(msg, fix=f"use one of {sorted(self.table.column_names)}")
            column = self.table.column(name)
            encoded = EncodedColumn.encode_in_python(column) if self.in_python else None
            self._columns[name] = encoded or EncodedColumn.encode(column)
        return self._columns[name]


def _expand(encoded: EncodedColumn, pairs: IndexArray) -> ValuePairs:
    """Value pairs of record pairs: every (left value, right value) combination."""
    offsets, codes = encoded.offsets, encoded.codes
    left_rows, right_rows = pairs[:, 0], pairs[:, 1]
    left_start, right_start = offsets[left_rows], offsets[right_rows]
    left_count = offsets[left_rows + 1] - left_start
    right_count = offsets[right_rows + 1] - right_start
    combos = left_count * right_count
    if not combos.size or combos.max() <= 1:  # single values: no cartesian expansion needed
        pair = np.flatnonzero(combos)
        return ValuePairs(
            encoded.dictionary, codes[left_start[pair]], codes[right_start[pair]], pair
        )
    pair = np.repeat(np.arange(len(pairs), dtype=np.int64), combos)
    # position k inside a pair's block of left_count*right_count combinations
    k = np.arange(pair.size, dtype=np.int64) - np.repeat(np.cumsum(combos) - combos, combos)
    rc = right_count[pair]
    left_value = left_start[pair] + k // np.maximum(rc, 1)
    right_value = right_start[pair] + k % np.maximum(rc, 1)
    return ValuePairs(encoded.dictionary, codes[left_value], codes[right_value], pair)


def value_pairs(column: pa.Array | pa.ChunkedArray, pairs: IndexArray) -> ValuePairs:
    """Expand record pairs into value pairs of ``column`` (cartesian per pair for lists)."""
    return _expand(EncodedColumn.encode(column), np.asarray(pairs, dtype=np.int64))


class _PairCache:
    """Per-call cache of value pairs and distinct-pair scores, shared by all levels."""

    def __init__(self, features: EncodedFeatures, pairs: IndexArray) -> None:
        self.features = features
        self.pairs = pairs
        self._value_pairs: dict[str, ValuePairs] = {}
        self._scores: dict[tuple[str, str], npt.NDArray[np.float64]] = {}
        self._scored: dict[tuple[str, str], BoolArray] = {}
        self._present: dict[str, BoolArray] = {}
        self._strings: dict[str, list[str]] = {}

    def values(self, column: str) -> ValuePairs:
        if column not in self._value_pairs:
            self._value_pairs[column] = _expand(self.features.column(column), self.pairs)
        return self._value_pairs[column]

    def present(self, column: str, n_pairs: int) -> BoolArray:
        """Whether both records of each pair have a value in ``column`` (once per column)."""
        if column not in self._present:
            self._present[column] = np.bincount(self.values(column).pair, minlength=n_pairs) > 0
        return self._present[column]

    def scores(self, column: str, test: str, wanted: BoolArray) -> npt.NDArray[np.float64]:
        """Score of ``test`` for the ``wanted`` value pairs of ``column`` (others: NaN).

        Scores are computed per distinct pair of values, and only for value pairs no
        earlier call scored: a pair already decided by a better level needs no fuzzy
        score, and two thresholds of one test share one computation.
        """
        key = (column, test)
        vp = self.values(column)
        if key not in self._scores:
            self._scores[key] = np.full(len(vp.left), np.nan, dtype=np.float64)
            self._scored[key] = np.zeros(len(vp.left), dtype=bool)
        need = wanted & ~self._scored[key]
        if need.any():
            rows = np.flatnonzero(need)
            if rows.size <= _SCORED_ONE_BY_ONE and test != "within":
                strings = self.strings(column)
                self._scores[key][rows] = [
                    _score(test, strings[left], strings[right])
                    for left, right in zip(
                        vp.left[rows].tolist(), vp.right[rows].tolist(), strict=True
                    )
                ]
            else:
                self._scores[key][rows] = _distinct_scores(
                    vp.dictionary, vp.left[rows], vp.right[rows], test
                )
            self._scored[key][rows] = True
        return self._scores[key]

    def strings(self, column: str) -> list[str]:
        """The dictionary of ``column`` as the strings :func:`_distinct_scores` scores."""
        if column not in self._strings:
            self._strings[column] = self.values(column).dictionary.cast(pa.string()).to_pylist()
        return self._strings[column]


def _distinct(values: IndexArray) -> tuple[IndexArray, IndexArray]:
    """Distinct values and the position of each input among them (a hash, not a sort)."""
    if values.size <= _SORT_DISTINCT:  # few: a sort costs less than Arrow's call
        distinct, inverse = np.unique(values, return_inverse=True)
        return distinct, inverse.reshape(-1)
    encoded = pa.array(values, type=pa.int64()).dictionary_encode()
    distinct = encoded.dictionary.to_numpy(zero_copy_only=False).astype(np.int64)
    inverse = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    return distinct, inverse


def _distinct_scores(
    dictionary: pa.Array, left: IndexArray, right: IndexArray, test: str
) -> npt.NDArray[np.float64]:
    if left.size == 0:
        return np.empty(0, dtype=np.float64)
    if test == "within":
        numbers = _as_numbers(dictionary)
        return np.abs(numbers[left] - numbers[right])
    width = np.int64(len(dictionary))
    distinct, inverse = _distinct(left * width + right)
    # Only the dictionary entries these pairs use become Python strings (the dictionary
    # holds every value of the column: a million at a million records).
    left_codes, right_codes = distinct // width, distinct % width
    used, position = _distinct(np.concatenate([left_codes, right_codes]))
    strings = np.asarray(
        dictionary.take(pa.array(used)).cast(pa.string()).to_pylist(), dtype=object
    )
    left_strings = strings[position[: len(distinct)]].tolist()
    right_strings = strings[position[len(distinct) :]].tolist()
    result: npt.NDArray[np.float64] = _string_scores(left_strings, right_strings, test)[inverse]
    return result


def _string_scores(left: list[str], right: list[str], test: str) -> npt.NDArray[np.float64]:
    """Score of ``test`` for each pair of strings ``(left[i], right[i])``.

    The one scoring of both comparison paths (rapidfuzz's ``cpdist``: similarities are
    float32, then widened), so a few pairs score exactly as millions do.
    """
    workers = _WORKERS if len(left) >= _THREADED_FROM else 1
    scorer: Callable[..., Any]
    if test == "damerau_levenshtein":
        scored = process.cpdist(
            left,
            right,
            scorer=distance.DamerauLevenshtein.distance,
            dtype=np.int32,
            workers=workers,
        )
    elif test == "token_sort_ratio":
        scored = process.cpdist(left, right, scorer=fuzz.token_sort_ratio, workers=workers) / 100.0
    else:
        scorer = _SIMILARITY[test]
        scored = process.cpdist(left, right, scorer=scorer, workers=workers)
    return np.asarray(scored, dtype=np.float64)


_HUNDRED = np.float32(100.0)


def _string_score(left: str, right: str, test: str) -> float:
    """:func:`_string_scores` of one pair, with the scalar scorer (a ``cpdist`` costs ~4 µs).

    The same scorer, rounded to float32 as ``cpdist`` stores it (a token sort ratio
    divided by 100 in float32, as the array division is), then widened;
    ``tests/property/test_small_paths.py`` checks it against :func:`_string_scores`.
    """
    if test == "damerau_levenshtein":
        return float(distance.DamerauLevenshtein.distance(left, right))
    if test == "token_sort_ratio":
        return float(np.float32(fuzz.token_sort_ratio(left, right)) / _HUNDRED)
    return float(np.float32(_SIMILARITY[test](left, right)))


def _as_numbers(dictionary: pa.Array) -> npt.NDArray[np.float64]:
    """Dates as days since epoch; numbers as floats; anything else is a configuration error."""
    kind = dictionary.type
    if pa.types.is_date(kind):
        return np.asarray(
            dictionary.cast(pa.date32()).cast(pa.int32()).to_numpy(), dtype=np.float64
        )
    if pa.types.is_timestamp(kind):
        return np.asarray(dictionary.cast(pa.int64()).to_numpy(), dtype=np.float64) / 86_400e6
    if pa.types.is_integer(kind) or pa.types.is_floating(kind):
        return np.asarray(dictionary.to_numpy(zero_copy_only=False), dtype=np.float64)
    msg = f"a 'within' level needs a date or numeric column, got {kind}"
    raise ConfigError(msg, fix="use an exact or similarity test for text columns")


def _level_passes(level: Level, cache: _PairCache, n_pairs: int, undecided: BoolArray) -> BoolArray:
    """Whether each pair passes ``level`` (computed for ``undecided`` pairs only)."""
    vp = cache.values(level.column)
    if level.test == "exact":
        hit = vp.left == vp.right
    else:
        wanted = undecided[vp.pair]
        scores = cache.scores(level.column, level.test, wanted)
        threshold = float(level.threshold if level.threshold is not None else 0.0)
        with np.errstate(invalid="ignore"):  # NaN: not scored, not wanted
            if level.test in ("damerau_levenshtein", "within"):
                hit = wanted & (scores <= threshold)
            else:
                hit = wanted & (scores >= threshold)
    passes: BoolArray = np.bincount(vp.pair[hit], minlength=n_pairs) > 0
    return passes


def _has_values(column: str, cache: _PairCache, n_pairs: int) -> BoolArray:
    """Whether both records of each pair have a value in ``column``."""
    return cache.present(column, n_pairs)


#: Level of a pair that :func:`compare_exact_prefix` could not decide: it fails every exact
#: level before the comparison's first fuzzy one, and has a value to compare.
UNDECIDED_LEVEL = -2


def compare_exact_prefix(
    features: pa.Table | EncodedFeatures,
    pairs: IndexArray,
    comparisons: Sequence[Comparison],
) -> npt.NDArray[np.int8]:
    """Levels decided by each comparison's exact levels before its first fuzzy level.

    A pair that passes one of those gets the level :func:`compare_pairs` gives it (the
    levels are tested in order); a pair with no value at all is null (−1); every other
    pair is :data:`UNDECIDED_LEVEL` — only a fuzzy score could place it. Far cheaper than
    :func:`compare_pairs` on many pairs, since no similarity is computed.
    """
    return _compare(features, pairs, comparisons, exact_prefix=True)


def compare_pairs(
    features: pa.Table | EncodedFeatures,
    pairs: IndexArray,
    comparisons: Sequence[Comparison],
) -> npt.NDArray[np.int8]:
    """Return the level of every comparison for every pair: shape (n_pairs, n_comparisons).

    Args:
        features: One row per record; the columns the comparisons read. Pass
            :class:`EncodedFeatures` to compare the same records several times.
        pairs: Array (n_pairs, 2) of row indices into ``features``.
        comparisons: The comparisons, in output column order.

    Raises:
        ConfigError: a comparison reads a missing column or a column of the wrong type.
        ComparatorError: ``pairs`` is not an (n, 2) array of valid row indices.
    """
    return _compare(features, pairs, comparisons, exact_prefix=False)


def _compare(
    features: pa.Table | EncodedFeatures,
    pairs: IndexArray,
    comparisons: Sequence[Comparison],
    *,
    exact_prefix: bool,
) -> npt.NDArray[np.int8]:
    pairs = np.asarray(pairs, dtype=np.int64)
    if pairs.ndim != 2 or pairs.shape[1] != 2:
        msg = f"pairs must be an array of shape (n, 2), got shape {pairs.shape}"
        raise ComparatorError(msg, fix="pass BlockingResult.pairs")
    if pairs.size and (pairs.min() < 0 or pairs.max() >= features.num_rows):
        msg = f"pairs refer to rows outside the {features.num_rows} feature rows"
        raise ComparatorError(msg, fix="build pairs and features from the same table")
    if isinstance(features, pa.Table):
        if len(pairs) <= SMALL_PAIRS:
            few = _compare_few(features, pairs, comparisons, exact_prefix)
            if few is not None:
                return few
        if len(pairs) <= _CHUNK:
            features, pairs = _used_rows(features, pairs)
    encoded = (
        features
        if isinstance(features, EncodedFeatures)
        else EncodedFeatures(features, in_python=features.num_rows <= SMALL_ROWS)
    )
    if len(pairs) > _CHUNK:  # value pairs of list columns are several per pair: bound them
        parts = [
            _compare_chunk(encoded, pairs[start : start + _CHUNK], comparisons, exact_prefix)
            for start in range(0, len(pairs), _CHUNK)
        ]
        return np.concatenate(parts)
    return _compare_chunk(encoded, pairs, comparisons, exact_prefix)


def _used_rows(features: pa.Table, pairs: IndexArray) -> tuple[pa.Table, IndexArray]:
    """Only the rows the pairs use, when that leaves few of many (pairs renumbered)."""
    if features.num_rows <= SMALL_ROWS or not pairs.size:
        return features, pairs
    rows, inverse = np.unique(pairs, return_inverse=True)
    if rows.size > SMALL_ROWS:
        return features, pairs
    return features.take(pa.array(rows)), inverse.reshape(pairs.shape)


def _compare_chunk(
    encoded: EncodedFeatures,
    pairs: IndexArray,
    comparisons: Sequence[Comparison],
    exact_prefix: bool,
) -> npt.NDArray[np.int8]:
    n_pairs = len(pairs)
    cache = _PairCache(encoded, pairs)
    out = np.full((n_pairs, len(comparisons)), NULL_LEVEL, dtype=np.int8)
    for j, comparison in enumerate(comparisons):
        levels = out[:, j]
        undecided = np.zeros(n_pairs, dtype=bool)
        for column in comparison.columns:
            undecided |= _has_values(column, cache, n_pairs)
        comparable = np.zeros(n_pairs, dtype=bool)
        for column in comparison.comparable or comparison.columns:
            comparable |= _has_values(column, cache, n_pairs)
        for rank, level in enumerate(comparison.levels):
            if exact_prefix and level.test != "exact":
                levels[undecided] = UNDECIDED_LEVEL
                break
            hit = _level_passes(level, cache, n_pairs, undecided) & undecided
            levels[hit] = comparison.top_level - rank
            undecided &= ~hit
        else:
            levels[undecided & comparable] = 0
    return out


Values = tuple[Any, ...]


def _python_values(column: pa.ChunkedArray, tests: set[str]) -> list[Values] | None:
    """Each row's values as :class:`EncodedColumn` keeps them (no nulls, no empty strings).

    None for a column the Python path does not read the way the column path does: any type
    but strings, lists of strings and dates, a similarity test on dates, ``within`` on text.
    """
    kind = column.type
    if pa.types.is_list(kind) or pa.types.is_large_list(kind):
        kind = kind.value_type
        listed = True
    else:
        listed = False
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        if "within" in tests:
            return None
        if listed:
            return [
                tuple(v for v in items if v is not None and v != "") if items else ()
                for items in column.to_pylist()
            ]
        return [() if v is None or v == "" else (v,) for v in column.to_pylist()]
    if pa.types.is_date32(kind) and not listed and tests <= {"exact", "within"}:
        days = column.cast(pa.int32()).to_pylist()  # the column path's numbers for dates
        return [() if v is None else (v,) for v in days]
    return None


def _compare_few(
    features: pa.Table,
    pairs: IndexArray,
    comparisons: Sequence[Comparison],
    exact_prefix: bool,
) -> npt.NDArray[np.int8] | None:
    """:func:`_compare_chunk` for a few pairs, in Python; None to leave it to the columns.

    The same steps, pair by pair: a pair is undecided while both records have a value in
    a column the comparison reads; the first level it passes (any value of one record
    against any of the other) gives its number; else it is different when comparable.
    Fuzzy scores come from :func:`_string_scores` (kept for the next call: they depend on
    the two strings only).
    """
    tests: dict[str, set[str]] = {}
    for comparison in comparisons:
        for level in comparison.levels:
            tests.setdefault(level.column, set()).add(level.test)
        for column in comparison.comparable:
            tests.setdefault(column, set())
    if not set(tests) <= set(features.column_names):
        return None  # the column path raises the configuration error
    rows = sorted(set(pairs.ravel().tolist()))
    table = features.select(list(tests))
    if table.num_rows > 2 * len(rows) + 16:
        table = table.take(pa.array(rows, pa.int64()))
        position = {row: i for i, row in enumerate(rows)}
        pair_rows = [(position[a], position[b]) for a, b in pairs.tolist()]
    else:
        pair_rows = [(a, b) for a, b in pairs.tolist()]
    values: dict[str, list[Values]] = {}
    for name, used in tests.items():
        column_values = _python_values(table.column(name), used)
        if column_values is None:
            return None
        values[name] = column_values
    plans = [_Plan(comparison, values) for comparison in comparisons]
    out = [[plan.level(a, b, exact_prefix) for plan in plans] for a, b in pair_rows]
    return np.array(out, dtype=np.int8).reshape(len(pair_rows), len(comparisons))


_scores: dict[tuple[str, Any, Any], float] = {}  # fuzzy scores of value pairs, by test
_SCORES_KEPT = 1 << 16


def _score(test: str, left: Any, right: Any) -> float:
    """The score of one value pair: :func:`_string_scores`' (``within``: days apart)."""
    if test == "within":
        return abs(float(left) - float(right))
    key = (test, left, right)
    score = _scores.get(key)
    if score is None:
        if len(_scores) >= _SCORES_KEPT:
            _scores.clear()
        score = _scores[key] = _string_score(left, right, test)
    return score


class _Plan:
    """One comparison over the Python values of the rows (see :func:`_compare_few`)."""

    def __init__(self, comparison: Comparison, values: dict[str, list[Values]]) -> None:
        self.columns = [values[c] for c in comparison.columns]
        self.comparable = [values[c] for c in comparison.comparable or comparison.columns]
        self.levels = [
            (
                comparison.top_level - rank,
                level.test,
                values[level.column],
                float(level.threshold if level.threshold is not None else 0.0),
                level.test in ("damerau_levenshtein", "within"),
            )
            for rank, level in enumerate(comparison.levels)
        ]

    def level(self, a: int, b: int, exact_prefix: bool) -> int:
        """The level of the pair of rows ``a`` and ``b``."""
        if not any(column[a] and column[b] for column in self.columns):
            return NULL_LEVEL
        for number, test, column, threshold, at_most in self.levels:
            left, right = column[a], column[b]
            if test == "exact":
                if left and right and (left == right or not set(left).isdisjoint(right)):
                    return number
                continue
            if exact_prefix:
                return UNDECIDED_LEVEL
            for x in left:
                for y in right:
                    score = _score(test, x, y)
                    if score <= threshold if at_most else score >= threshold:
                        return number
        return 0 if any(column[a] and column[b] for column in self.comparable) else NULL_LEVEL
