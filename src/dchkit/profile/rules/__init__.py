"""The segment rule language: tokenizer, parser, typed tree and vectorized evaluation.

Rules read like ``lifetime_value >= 50000 and count(events, type="Order Completed",
within="90d") == 0 and consent.email``. They are parsed by a hand-written tokenizer and
Pratt parser into frozen dataclasses (never ``eval``), print back to canonical text, have
a JSON form for HTTP clients, and evaluate over every customer at once.

Examples:
    >>> from dchkit.profile.rules import from_json, parse
    >>> rule = parse('order_count > 2 and not consent.sms')
    >>> str(rule)
    'order_count > 2 and not consent.sms'
    >>> from_json(rule.to_json()) == rule
    True
"""

from dchkit.profile.rules.ast import (
    Binary,
    Boolean,
    Call,
    Duration,
    Expr,
    Field,
    In,
    IsNull,
    ListExpr,
    Null,
    Number,
    String,
    Unary,
    from_json,
)
from dchkit.profile.rules.compile import FUNCTIONS, evaluate
from dchkit.profile.rules.lexer import Token, tokenize
from dchkit.profile.rules.parser import parse

__all__ = [
    "FUNCTIONS",
    "Binary",
    "Boolean",
    "Call",
    "Duration",
    "Expr",
    "Field",
    "In",
    "IsNull",
    "ListExpr",
    "Null",
    "Number",
    "String",
    "Token",
    "Unary",
    "evaluate",
    "from_json",
    "parse",
    "tokenize",
]
