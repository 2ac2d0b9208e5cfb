"""The small-input paths of features and comparisons give exactly what the column paths give.

An incremental resolve of one record builds the features of a handful of records and
compares a few dozen pairs; for those, :func:`~dchkit.resolution.build_features` works row
by row and :func:`~dchkit.resolution.compare_pairs` in plain Python. Both must be the column
paths' results to the bit: records of the synthetic worlds (Japanese and English, read
through their connector presets) with fields swapped for adversarial values, and strings
built to sit on the thresholds.
"""

from __future__ import annotations

import datetime as dt
import functools
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dchkit.demo import DEMO_ID_ALIASES, read_world_records
from dchkit.resolution import ResolverConfig
from dchkit.resolution import comparisons as cmp
from dchkit.resolution import features as feat
from dchkit.resolution.comparisons import Comparison, EncodedFeatures, Level
from dchkit.schema import RECORDS_SCHEMA

pytestmark = pytest.mark.slow  # two small worlds generated and read (~6 s), then properties


@functools.cache
def world_rows() -> tuple[dict[str, Any], ...]:
    """Records of a Japanese and an English world, as the connectors read them."""
    from dchkit.datasets import generate_world

    rows: list[dict[str, Any]] = []
    for locale, region in (("ja", "JP"), ("en", "US")):
        world = generate_world(n_people=120, locale=locale, seed=31)
        with tempfile.TemporaryDirectory() as directory:
            records, _ = read_world_records(world, Path(directory), default_region=region)
        rows.extend(records.to_pylist())
    return tuple(rows)


# ------------------------------------------------------------------ adversarial values
NAME_PIECES = (
    "山田", "太郎", "髙橋", "﨑", "齋藤", "渡邊", "澤", "佐々木", "〆", "々", "花子", "ひろみ",
    "やまだ", "ヤマダ", "タロウ", "ｶﾀｶﾅ", "ﾀﾞ", "ヴ", "ー", "Taro", "YAMADA", "Yamada",
    "José", "Müller", "O'Brien", "Smith", "Bob", "Robert", "ＡＢＣ", "Ｔａｒｏ", " ", "\u3000",
    "  ", ",", ".", "様", "さん", "殿", "Mr.", "Dr", "Jr.", "III", "(Bob)", "（ヤマダ）",
    "van", "de", "\u200b", "\t", "-", "İ", "ß", "😀", "\U00020b9f",
)  # fmt: skip
ADDRESS_PIECES = (
    "東京都", "京都市", "大阪市北区", "世田谷区", "三軒茶屋", "一丁目", "2丁目", "5番地",
    "7号", "205号室", "3の5", "-", "－", "ー", " ", "　", "霞ヶ関", "髙島", "〒100-0001",
    "4-19-17", "Main St.", "Apt 10B", "Springfield", "IL 62701", ", USA", "San Diego", "é",
)  # fmt: skip
EMAIL_PIECES = (
    "Taro.Yamada", "taro", "+tag", "-shop", "@", "gmail.com", "googlemail.com", "yahoo.com",
    "example.co.jp", "outlook.jp", " ", "<", ">", "ＡＢＣ", "..", "x", "é", "",
)  # fmt: skip
PHONE_PIECES = ("+81", "+1", "+44", "90", "80", "3", "0", "1234", "5678", "555", "-", " ", "x")
ID_TYPES = ("salesforce_contact_id", "user_id", "zendesk_external_id", "shopify_customer_id")


def pieces(alphabet: tuple[str, ...], max_size: int = 5) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(alphabet), max_size=max_size).map("".join)


def maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), strategy)


names = maybe(st.one_of(pieces(NAME_PIECES), st.text(max_size=8)))
FIELDS: dict[str, st.SearchStrategy[Any]] = {
    "full_name": names,
    "family_name": names,
    "given_name": names,
    "name_kana": names,
    "emails": maybe(st.lists(maybe(pieces(EMAIL_PIECES, 6)), max_size=3)),
    "phones": maybe(st.lists(maybe(pieces(PHONE_PIECES, 6)), max_size=3)),
    "birth_date": maybe(st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31))),
    "postcode": maybe(st.sampled_from(("〒100-0001", "1000001", "12345-6789", "abc", "", " "))),
    "city": maybe(pieces(ADDRESS_PIECES, 3)),
    "street": maybe(pieces(ADDRESS_PIECES)),
    "external_ids": maybe(
        st.lists(st.tuples(st.sampled_from(ID_TYPES), maybe(st.text(max_size=4))), max_size=3)
    ),
}


@st.composite
def records(draw: st.DrawFn, max_rows: int = 8) -> pa.Table:
    """World records, some fields replaced by adversarial values; sometimes a slice."""
    world = world_rows()
    indices = draw(st.lists(st.integers(0, len(world) - 1), min_size=1, max_size=max_rows))
    rows = []
    for index in indices:
        row = dict(world[index])
        for name in draw(st.lists(st.sampled_from(sorted(FIELDS)), max_size=4, unique=True)):
            row[name] = draw(FIELDS[name])
        rows.append(row)
    table = pa.Table.from_pylist(rows, schema=RECORDS_SCHEMA)
    if draw(st.booleans()):  # a sliced table: list offsets that do not start at 0
        head = table.slice(0, draw(st.integers(1, 2)))
        table = pa.concat_tables([head, table]).combine_chunks().slice(head.num_rows)
    return table


LINK_TYPES = st.one_of(st.none(), st.sets(st.sampled_from(ID_TYPES)).map(tuple))
ALIASES = st.sampled_from(({}, DEMO_ID_ALIASES))
SLOW = settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@SLOW
@given(records(), ALIASES, LINK_TYPES)
def test_row_features_equal_the_column_features(table, aliases, link_types):
    rows = feat._row_features(table, aliases, link_types)
    columns = feat._column_features(table, aliases, link_types)
    assert rows.schema.equals(columns.schema, check_metadata=True)
    for name in feat.FEATURE_COLUMNS:
        assert rows.column(name).to_pylist() == columns.column(name).to_pylist(), name
    assert rows.equals(columns)


def test_few_records_take_the_row_path(monkeypatch: pytest.MonkeyPatch):
    table = pa.Table.from_pylist(list(world_rows()[:3]), schema=RECORDS_SCHEMA)
    calls: list[int] = []
    original = feat._row_features

    def spy(*args: Any) -> pa.Table:
        calls.append(args[0].num_rows)
        return original(*args)

    monkeypatch.setattr(feat, "_row_features", spy)
    assert feat.build_features(table).equals(feat._column_features(table, {}, None))
    assert calls == [3]


# ------------------------------------------------------------------------ comparisons
def jw(column: str, threshold: float) -> Level:
    return Level(column=column, test="jaro_winkler", threshold=threshold)


#: Every test the comparisons know, on the feature columns, beside the default ones.
EXTRA = (
    Comparison(
        name="names_fuzzy",
        levels=(
            Level(column="family_key", test="jaro", threshold=0.85),
            Level(column="given_any_romaji", test="levenshtein_ratio", threshold=0.7),
            Level(column="name_guess_compact", test="token_sort_ratio", threshold=0.8),
            Level(column="family_any_romaji", test="damerau_levenshtein", threshold=2),
            jw("email_keys", 0.9),
        ),
        comparable=("family_key", "email_keys"),
    ),
    Comparison(
        name="dates",
        levels=(
            Level(column="birth_date"),
            Level(column="birth_date", test="within", threshold=30),
            Level(column="birth_text", test="damerau_levenshtein", threshold=1),
        ),
    ),
)
COMPARISONS = (*ResolverConfig().comparisons, *EXTRA)


def both_paths(features: pa.Table, pairs: np.ndarray, comparisons: tuple[Comparison, ...]):
    """The Python path and the Python-encoded columns give the Arrow path's levels."""
    for exact_prefix in (False, True):
        default = cmp._SCORED_ONE_BY_ONE
        try:
            cmp._SCORED_ONE_BY_ONE = 0  # the reference: Arrow encoding, one cpdist per level
            arrow = EncodedFeatures(features)
            columns = cmp._compare_chunk(arrow, pairs, comparisons, exact_prefix)
        finally:
            cmp._SCORED_ONE_BY_ONE = default
        few = cmp._compare_few(features, pairs, comparisons, exact_prefix)
        assert few is not None
        np.testing.assert_array_equal(few, columns)
        encoded = EncodedFeatures(features, in_python=True)
        in_python = cmp._compare_chunk(encoded, pairs, comparisons, exact_prefix)
        np.testing.assert_array_equal(in_python, columns)


@SLOW
@given(records(max_rows=10), st.data())
def test_python_comparisons_equal_the_column_comparisons(table, data):
    features = feat._column_features(table, DEMO_ID_ALIASES, None)
    n = features.num_rows
    pairs = np.array(
        data.draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=40)),
        dtype=np.int64,
    ).reshape(-1, 2)
    both_paths(features, pairs, COMPARISONS)


#: Strings whose similarities sit near common thresholds, spelled in several scripts.
WORDS = (
    "martha", "marhta", "marta", "dwayne", "duane", "dixon", "dicksonx", "jellyfish",
    "smellyfish", "yamada", "yamata", "yamadataro", "taroyamada", "satou", "sato", "saito",
    "ヤマダ", "ヤマタ", "山田", "山口", "", "a", "ab", "ba",
)  # fmt: skip


@SLOW
@given(
    st.lists(maybe(st.one_of(st.sampled_from(WORDS), st.text(max_size=6))), min_size=2, max_size=8),
    st.lists(maybe(st.lists(maybe(st.sampled_from(WORDS)), max_size=3)), min_size=2, max_size=8),
    st.data(),
)
def test_thresholds_fall_the_same_way(scalars, lists, data):
    n = min(len(scalars), len(lists))
    features = pa.table(
        {
            "word": pa.array(scalars[:n], pa.string()),
            "words": pa.array(lists[:n], pa.list_(pa.string())),
        }
    )
    pairs = np.array([[i, j] for i in range(n) for j in range(n)], dtype=np.int64)
    left, right = scalars[0] or "", scalars[1] or ""
    levels = []
    for test in ("jaro_winkler", "jaro", "levenshtein_ratio", "token_sort_ratio"):
        # a threshold exactly at one pair's score, in float64 and in the scores' float32
        score = float(cmp._string_scores([left], [right], test)[0])
        threshold = data.draw(st.sampled_from((score, float(np.float32(score)), 0.92, 0.8)))
        if 0 < threshold <= 1:
            levels.append(Level(column="word", test=test, threshold=threshold))
            levels.append(Level(column="words", test=test, threshold=threshold))
    levels.append(Level(column="words", test="damerau_levenshtein", threshold=1))
    comparison = Comparison(name="words", levels=(Level(column="words"), *levels))
    both_paths(features, pairs, (comparison,))


@SLOW
@given(
    st.lists(
        st.tuples(
            st.one_of(st.sampled_from(WORDS), st.text(max_size=12)),
            st.one_of(st.sampled_from(WORDS), st.text(max_size=12)),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_one_pair_scores_as_a_cpdist_call_scores_it(pairs):
    left, right = [a for a, _ in pairs], [b for _, b in pairs]
    for test in (
        "jaro_winkler",
        "jaro",
        "levenshtein_ratio",
        "token_sort_ratio",
        "damerau_levenshtein",
    ):
        batch = cmp._string_scores(left, right, test).tolist()
        assert [cmp._string_score(a, b, test) for a, b in pairs] == batch, test


def test_columns_the_python_path_does_not_read_are_left_to_the_column_path():
    features = pa.table({"score": pa.array([1.0, 2.5, None]), "name": ["a", "b", "c"]})
    within = Comparison(name="s", levels=(Level(column="score", test="within", threshold=1),))
    pairs = np.array([[0, 1], [1, 2]])
    assert cmp._compare_few(features, pairs, (within,), False) is None
    assert cmp.compare_pairs(features, pairs, [within])[:, 0].tolist() == [0, -1]
    missing = Comparison(name="m", levels=(Level(column="nope"),))
    assert cmp._compare_few(features, pairs, (missing,), False) is None


# ---------------------------------------------------------------------- golden records
SPACES = (" ", "\t", "\n", "\x1c", "\x85", "\xa0", "\u1680", "\u180e", "\u200b", "\u2028",
          "\u3000", "\ufeff")  # fmt: skip
blanks = st.lists(st.sampled_from(SPACES), max_size=3).map("".join)
words = st.one_of(blanks, st.sampled_from(("Bob", "Robert", "R.", "山田", "ヤマダ", "ß", "İ")))
texts = maybe(st.one_of(words, st.builds("{}{}{}".format, blanks, words, blanks)))
TIMES = (None, 0, 1_600_000_000_000_000, 1_700_000_000_000_000, 1_700_000_000_000_001)
GOLDEN_FIELDS: dict[str, st.SearchStrategy[Any]] = {
    **dict.fromkeys(("given_name", "family_name", "full_name", "name_kana"), texts),
    **dict.fromkeys(("company", "postcode", "country", "region", "city", "street"), texts),
    "birth_date": maybe(
        st.sampled_from((dt.date(1990, 1, 2), dt.date(1, 1, 1), dt.date(1985, 5, 5)))
    ),
    "emails": maybe(st.lists(maybe(st.sampled_from(("a@x.jp", "b@x.jp", " ", ""))), max_size=3)),
    "phones": maybe(st.lists(maybe(st.sampled_from(("+81312345678", "+15551234567"))), max_size=3)),
    "source": st.sampled_from(("crm", "ec", "ma", "pos")),
    "updated_at": st.sampled_from(TIMES),
    "quality": maybe(
        st.lists(
            st.sampled_from(
                (
                    "email_invalid",
                    "phone_unparseable",
                    "postcode_invalid",
                    "birth_date_invalid",
                    "emailx",
                    "_",
                )
            ),
            max_size=2,
        )
    ),
    "external_ids": maybe(
        st.lists(
            st.tuples(st.sampled_from(ID_TYPES[:2]), maybe(st.sampled_from("xyz"))), max_size=3
        )
    ),
    "consent": maybe(
        st.lists(st.tuples(st.sampled_from(("email", "sms")), maybe(st.booleans())), max_size=3)
    ),
}
RULES = st.fixed_dictionaries(
    {},
    optional={
        name: st.sampled_from(("most_frequent", "most_recent", "source_priority", "most_complete"))
        for name in ("given_name", "family_name", "full_name", "name_kana", "birth_date", "company")
    },
)


@st.composite
def customers_records(draw: st.DrawFn) -> tuple[pa.Table, pa.Table]:
    """A few customers' records: world records with survivorship-relevant fields redrawn.

    Times and sources always come from a few values, so that ties are common; a record
    keeps some of its world values, or takes another's (values given twice).
    """
    world = world_rows()
    indices = draw(st.lists(st.integers(0, len(world) - 1), max_size=10))
    rows = []
    for number, index in enumerate(indices):
        row = dict(world[index])
        if number and draw(st.booleans()):
            row.update(rows[draw(st.integers(0, number - 1))])
        row["updated_at"] = draw(GOLDEN_FIELDS["updated_at"])
        row["source"] = draw(GOLDEN_FIELDS["source"])
        for name in draw(st.lists(st.sampled_from(sorted(GOLDEN_FIELDS)), max_size=8, unique=True)):
            row[name] = draw(GOLDEN_FIELDS[name])
        if draw(st.booleans()):  # a shared id: ties broken by position
            row["record_id"] = f"r{number % 3}"
        rows.append(row)
    table = pa.Table.from_pylist(rows, schema=RECORDS_SCHEMA)
    owners = [draw(st.sampled_from(("c1", "c2", "c3"))) for _ in rows]
    clusters = pa.table({"record_id": table.column("record_id"), "customer_id": owners})
    return table, clusters


@SLOW
@given(customers_records(), RULES, st.lists(st.sampled_from(("ec", "crm", "pos")), max_size=4))
def test_golden_records_of_a_few_records_equal_the_column_path(data, rules, priority):
    from dchkit.resolution import golden

    records, clusters = data
    few = golden.build_golden(records, clusters, rules=rules, source_priority=priority)
    default = golden.SMALL_ROWS
    try:
        golden.SMALL_ROWS = -1
        columns = golden.build_golden(records, clusters, rules=rules, source_priority=priority)
    finally:
        golden.SMALL_ROWS = default
    assert few.golden.to_pylist() == columns.golden.to_pylist()
    assert few.golden.equals(columns.golden, check_metadata=True)
    assert few.lineage.to_pylist() == columns.lineage.to_pylist()
    assert few.lineage.equals(columns.lineage, check_metadata=True)
