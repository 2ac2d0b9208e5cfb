from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from dchkit.errors import ComparatorError, ConfigError
from dchkit.resolution import comparisons
from dchkit.resolution.comparisons import NULL_LEVEL, Comparison, Level, compare_pairs, value_pairs

NAME = Comparison(
    name="name",
    levels=(
        Level(column="name", test="exact"),
        Level(column="name", test="jaro_winkler", threshold=0.92),
        Level(column="name", test="jaro_winkler", threshold=0.8),
    ),
)


PATHS = {  # (SMALL_PAIRS, SMALL_ROWS, _SCORED_ONE_BY_ONE) of each path
    "python": (comparisons.SMALL_PAIRS, comparisons.SMALL_ROWS, comparisons._SCORED_ONE_BY_ONE),
    "python-encoded columns": (-1, comparisons.SMALL_ROWS, comparisons._SCORED_ONE_BY_ONE),
    "arrow columns": (-1, -1, 0),
}
NAMES = ("SMALL_PAIRS", "SMALL_ROWS", "_SCORED_ONE_BY_ONE")


@pytest.fixture(scope="module", autouse=True, params=list(PATHS))
def path(request: pytest.FixtureRequest):
    """Every test on every path: few pairs in Python, columns encoded in Python or Arrow."""
    for name, value in zip(NAMES, PATHS[request.param], strict=True):
        setattr(comparisons, name, value)
    yield request.param
    for name, value in zip(NAMES, PATHS["python"], strict=True):
        setattr(comparisons, name, value)


def levels(features, pairs, comparison):
    return compare_pairs(features, np.array(pairs), [comparison])[:, 0].tolist()


def test_levels_are_ordered_best_first_and_null_is_neutral():
    features = pa.table({"name": ["martha", "martha", "marhta", "marta", "zebedee", None, ""]})
    got = levels(features, [[0, 1], [0, 2], [0, 3], [0, 4], [0, 5], [5, 6]], NAME)
    # marhta is a transposition, marta a deletion: both above 0.92; blanks count as missing
    assert got == [3, 2, 2, 0, NULL_LEVEL, NULL_LEVEL]
    assert NAME.level_names == (
        "different",
        "jaro_winkler>=0.8 name",
        "jaro_winkler>=0.92 name",
        "exact name",
    )


def test_multi_valued_columns_use_the_best_pair_of_values():
    email = Comparison(name="email", levels=(Level(column="emails"),))
    features = pa.table(
        {"emails": [["a@x.jp", "b@x.jp"], ["c@x.jp", "b@x.jp"], ["d@x.jp"], [], None]}
    )
    assert levels(features, [[0, 1], [0, 2], [0, 3], [3, 4], [1, 0]], email) == [1, 0, -1, -1, 1]


def test_cascade_over_several_columns():
    name = Comparison(
        name="name",
        levels=(
            Level(column="kanji", test="exact"),
            Level(column="reading", test="exact"),
            Level(column="romaji", test="jaro_winkler", threshold=0.9),
        ),
    )
    features = pa.table(
        {
            "kanji": ["山田太郎", "山田太郎", None, "山田花子"],
            "reading": ["ヤマダタロウ", None, "ヤマダタロウ", "ヤマダハナコ"],
            "romaji": ["yamadataro", "yamadataro", "yamadataro", "yamadahanako"],
        }
    )
    # kanji equal -> 3; kanji unknown on one side, reading equal -> 2; all differ -> 0
    assert levels(features, [[0, 1], [0, 2], [0, 3]], name) == [3, 2, 0]


def test_within_compares_dates_in_days():
    dob = Comparison(
        name="dob",
        levels=(
            Level(column="dob", test="exact"),
            Level(column="dob", test="within", threshold=31),
        ),
    )
    day = dt.date(1990, 1, 15)
    features = pa.table({"dob": [day, day, day + dt.timedelta(days=20), dt.date(2001, 1, 1)]})
    assert levels(features, [[0, 1], [0, 2], [0, 3]], dob) == [2, 1, 0]


def test_damerau_levenshtein_counts_transpositions_as_one_edit():
    typo = Comparison(
        name="dob_text", levels=(Level(column="d", test="damerau_levenshtein", threshold=1),)
    )
    features = pa.table({"d": ["19900115", "19901015", "19900151", "19910215"]})
    assert levels(features, [[0, 1], [0, 2], [0, 3]], typo) == [1, 1, 0]


def test_value_pairs_expand_the_cartesian_product_per_pair():
    column = pa.array([["a", "b"], ["b", "c", "d"], ["a"]])
    vp = value_pairs(column, np.array([[0, 1], [1, 2]]))
    values = vp.dictionary.to_pylist()
    got = sorted(
        (int(p), values[left], values[right])
        for p, left, right in zip(vp.pair, vp.left, vp.right, strict=True)
    )
    assert got == [
        (0, "a", "b"), (0, "a", "c"), (0, "a", "d"),
        (0, "b", "b"), (0, "b", "c"), (0, "b", "d"),
        (1, "b", "a"), (1, "c", "a"), (1, "d", "a"),
    ]  # fmt: skip


def test_configuration_errors_say_what_to_fix():
    with pytest.raises(ValidationError, match="needs a threshold"):
        Level(column="x", test="jaro_winkler")
    with pytest.raises(ValidationError, match="takes no threshold"):
        Level(column="x", test="exact", threshold=0.5)
    with pytest.raises(ValidationError, match=r"\(0, 1\]"):
        Level(column="x", test="jaro", threshold=2)
    with pytest.raises(ConfigError, match="'missing'"):
        compare_pairs(
            pa.table({"a": ["x", "y"]}),
            np.array([[0, 1]]),
            [Comparison(name="m", levels=(Level(column="missing"),))],
        )
    with pytest.raises(ComparatorError, match="shape"):
        compare_pairs(pa.table({"a": ["x"]}), np.array([0, 1]), [NAME])
    with pytest.raises(ComparatorError, match="outside"):
        compare_pairs(pa.table({"name": ["x"]}), np.array([[0, 5]]), [NAME])
    with pytest.raises(ConfigError, match="date or numeric"):
        compare_pairs(
            pa.table({"n": ["x", "y"]}),
            np.array([[0, 1]]),
            [Comparison(name="n", levels=(Level(column="n", test="within", threshold=1),))],
        )


names = st.text(alphabet="abcdeヤマダ太郎 ", max_size=8)


@given(st.lists(st.one_of(st.none(), names), min_size=2, max_size=12), st.data())
def test_symmetric_and_identity_is_top_level(values, data):
    features = pa.table({"name": values})
    n = len(values)
    pairs = np.array(
        data.draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), min_size=1))
    )
    forward = compare_pairs(features, pairs, [NAME])[:, 0]
    backward = compare_pairs(features, pairs[:, ::-1], [NAME])[:, 0]
    assert forward.tolist() == backward.tolist()
    for (i, j), level in zip(pairs.tolist(), forward.tolist(), strict=True):
        present = values[i] not in (None, "") and values[j] not in (None, "")
        assert (level == NULL_LEVEL) == (not present)
        if present and values[i] == values[j]:
            assert level == NAME.top_level
