"""Properties of the segment rule language: the parser never crashes, printing round-trips."""

from __future__ import annotations

import contextlib
import json

from hypothesis import example, given
from hypothesis import strategies as st

from dchkit.errors import DchkitError
from dchkit.profile.rules import (
    Binary,
    Boolean,
    Call,
    Duration,
    Expr,
    Field,
    In,
    IsNull,
    Null,
    Number,
    String,
    Unary,
    from_json,
    parse,
)
from dchkit.profile.rules.lexer import KEYWORDS, WORD_OPERATORS

RESERVED = KEYWORDS | WORD_OPERATORS
names = st.from_regex(r"[a-z_][a-z0-9_]{0,8}", fullmatch=True).filter(lambda n: n not in RESERVED)
literals = st.one_of(
    st.integers(min_value=-(10**12), max_value=10**12).map(Number),
    st.floats(allow_nan=False, allow_infinity=False)
    .filter(lambda f: f != 0 or str(f) == "0.0")
    .map(Number),
    st.text(max_size=12).map(String),
    st.booleans().map(Boolean),
    st.just(Null()),
    st.builds(
        Duration,
        st.integers(min_value=0, max_value=10**6),
        st.sampled_from(["s", "min", "h", "d", "w", "mo", "y"]),
    ),
    st.lists(names, min_size=1, max_size=3).map(lambda p: Field(tuple(p))),
)
BINARY = [
    "or",
    "and",
    "==",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    "contains",
    "starts_with",
    "ends_with",
    "matches",
    "+",
    "-",
    "*",
    "/",
]


def _extend(children: st.SearchStrategy[Expr]) -> st.SearchStrategy[Expr]:
    return st.one_of(
        st.builds(Binary, st.sampled_from(BINARY), children, children),
        st.builds(Unary, st.sampled_from(["not", "-"]), children),
        st.builds(
            In, children, st.lists(literals, min_size=1, max_size=3).map(tuple), st.booleans()
        ),
        st.builds(IsNull, children, st.booleans()),
        st.builds(
            Call,
            names,
            st.lists(children, max_size=2).map(tuple),
            st.dictionaries(names, children, max_size=2).map(lambda d: tuple(d.items())),
        ),
    )


rules = st.recursive(literals, _extend, max_leaves=12)


@given(st.text(max_size=80))
def test_parser_raises_only_dchkit_errors_on_arbitrary_text(text: str) -> None:
    with contextlib.suppress(DchkitError):
        parse(text)


@example("count(")  # an argument list left open at the end of the rule
@example("a(b,")
@given(st.text(alphabet='abcnotrisul _()[],.=<>!+-*/"\\0123456789dhe', max_size=60))
def test_parser_raises_only_dchkit_errors_on_rule_like_text(text: str) -> None:
    try:
        parse(text)
    except DchkitError as err:
        column = getattr(err, "column", 1)
        assert 1 <= column <= len(text) + 1


@given(rules)
def test_printing_and_parsing_gives_the_same_rule(rule: Expr) -> None:
    assert parse(str(rule)) == rule
    assert str(parse(str(rule))) == str(rule)


@given(rules)
def test_json_round_trip(rule: Expr) -> None:
    assert from_json(json.loads(json.dumps(rule.to_json()))) == rule
