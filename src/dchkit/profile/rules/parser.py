"""A recursive-descent (Pratt) parser from rule text to the typed tree. Never ``eval``.

Precedence, loosest first: ``or``; ``and``; ``not``; comparisons (``== != < <= > >=``,
``in``, ``not in``, ``is [not] null``, ``contains``, ``starts_with``, ``ends_with``,
``matches``; they do not chain); ``+ -``; ``* /``; unary ``-``; literals, names, calls and
parentheses. Every error is a :class:`~dchkit.errors.SegmentSyntaxError` whose ``column``
points at the offending token.

Examples:
    >>> from dchkit.profile.rules.parser import parse
    >>> rule = parse('lifetime_value >= 50000 and count(events, type="Order Completed", '
    ...              'within="90d") == 0 AND consent.email')
    >>> print(rule)
    lifetime_value >= 50000 and count(events, type="Order Completed", within="90d") == 0 and consent.email
    >>> from typing import cast

from dchkit.errors import SegmentSyntaxError
    >>> try:
    ...     parse("lifetime_value >= ")
    ... except SegmentSyntaxError as err:
    ...     print(err.column)
    ...     print(err.message)
    19
    expected a value, found the end of the rule at column 19
        lifetime_value >=
                          ^
"""

from __future__ import annotations

from typing import cast

from dchkit.errors import SegmentSyntaxError
from dchkit.profile.rules.ast import (
    BINARY_OPERATORS,
    COMPARISON_POWER,
    NOT_POWER,
    Binary,
    BinaryOp,
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
)
from dchkit.profile.rules.lexer import Token, syntax_error, tokenize

__all__ = ["MAX_DEPTH", "parse"]

#: Deepest nesting of parentheses, calls and operators a rule may have.
MAX_DEPTH = 64
_VALUE_FIX = 'write a number, a "string", a field name, a call or a parenthesized expression'


def _describe(token: Token) -> str:
    if token.kind == "end":
        return "the end of the rule"
    return f"{token.text!r}"


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.position = 0
        self.depth = 0

    # ------------------------------------------------------------------ tokens
    @property
    def token(self) -> Token:
        return self.tokens[self.position]

    def advance(self) -> Token:
        token = self.tokens[self.position]
        if token.kind != "end":
            self.position += 1
        return token

    def at(self, kind: str, text: str | None = None) -> bool:
        token = self.token
        return token.kind == kind and (text is None or token.text == text)

    def error(self, token: Token, what: str, fix: str) -> SegmentSyntaxError:
        return syntax_error(self.text, token.column, what, fix)

    def expect(self, text: str, fix: str) -> Token:
        if not self.at("op", text):
            token = self.token
            raise self.error(token, f"expected {text!r}, found {_describe(token)}", fix)
        return self.advance()

    # ------------------------------------------------------------------ parsing
    def parse(self) -> Expr:
        if self.at("end"):
            raise self.error(
                self.token, "the rule is empty", "write a condition, e.g. order_count > 0"
            )
        node = self.expression(0)
        if not self.at("end"):
            token = self.token
            raise self.error(
                token,
                f"unexpected {_describe(token)} after a complete expression",
                "join conditions with 'and' / 'or', or remove it",
            )
        return node

    def expression(self, minimum: int) -> Expr:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error(
                self.token, "the rule is nested too deeply", f"use at most {MAX_DEPTH} levels"
            )
        try:
            left = self.prefix()
            while True:
                power = self.infix_power()
                if power is None or power < minimum:
                    return left
                left = self.infix(left, power)
        finally:
            self.depth -= 1

    def infix_power(self) -> int | None:
        token = self.token
        if token.kind == "keyword":
            if token.text in ("and", "or"):
                return BINARY_OPERATORS[token.text]
            if token.text in ("in", "is", "not"):
                return COMPARISON_POWER
            return None
        if token.kind == "op" and token.text in BINARY_OPERATORS:
            return BINARY_OPERATORS[token.text]
        if token.kind == "op" and token.text == "=":
            raise self.error(token, "'=' is not a comparison", "use '==' to compare")
        return None

    def infix(self, left: Expr, power: int) -> Expr:
        token = self.advance()
        if power == COMPARISON_POWER:
            node = self.comparison(left, token)
            follow = self.infix_power()
            if follow == COMPARISON_POWER:
                raise self.error(
                    self.token,
                    "comparisons do not chain",
                    "combine them with 'and', e.g. a < b and b < c",
                )
            return node
        right = self.expression(power + 1)
        op: BinaryOp = token.text  # type: ignore[assignment]  # checked by infix_power
        return Binary(op, left, right)

    def comparison(self, left: Expr, token: Token) -> Expr:
        if token.text == "is":
            negated = self.at("keyword", "not")
            if negated:
                self.advance()
            if not self.at("keyword", "null"):
                found = self.token
                raise self.error(
                    found,
                    f"expected 'null', found {_describe(found)}",
                    "write 'is null' or 'is not null'",
                )
            self.advance()
            return IsNull(left, negated)
        if token.text in ("in", "not"):
            negated = token.text == "not"
            if negated:
                if not self.at("keyword", "in"):
                    found = self.token
                    raise self.error(
                        token,
                        "'not' here must be followed by 'in'",
                        "write 'x not in [...]' or 'not (x ...)'",
                    )
                self.advance()
            start = self.token
            items = self.list_literal()
            if not items:
                raise self.error(start, "the list after 'in' is empty", "give at least one value")
            return In(left, items, negated)
        right = self.expression(COMPARISON_POWER + 1)
        op: BinaryOp = token.text  # type: ignore[assignment]  # a comparison operator
        return Binary(op, left, right)

    def list_literal(self) -> tuple[Expr, ...]:
        self.expect("[", "put the values in brackets: x in [1, 2]")
        items: list[Expr] = []
        while not self.at("op", "]"):
            items.append(self.expression(0))
            if not self.at("op", ","):
                break
            self.advance()
        self.expect("]", "close the list with ']'")
        return tuple(items)

    def prefix(self) -> Expr:
        token = self.advance()
        if token.kind == "number":
            return Number(token.value)  # type: ignore[arg-type]  # int | float from the lexer
        if token.kind == "duration":
            amount, unit = cast("tuple[int, str]", token.value)
            return Duration(amount, unit)
        if token.kind == "string":
            return String(str(token.value))
        if token.kind == "keyword":
            return self.keyword(token)
        if token.kind == "name":
            return self.name(token)
        if token.kind == "op":
            if token.text == "(":
                node = self.expression(0)
                self.expect(")", "close the parenthesis")
                return node
            if token.text == "-":
                if self.at("number"):
                    number = self.advance()
                    return Number(-number.value)  # type: ignore[operator]  # int | float
                return Unary("-", self.expression(7))
            if token.text == "[":
                raise self.error(token, "a list can only follow 'in'", "write x in [a, b]")
        raise self.error(token, f"expected a value, found {_describe(token)}", _VALUE_FIX)

    def keyword(self, token: Token) -> Expr:
        if token.text == "not":
            return Unary("not", self.expression(NOT_POWER))
        if token.text == "true":
            return Boolean(True)
        if token.text == "false":
            return Boolean(False)
        if token.text == "null":
            return Null()
        raise self.error(token, f"expected a value, found {_describe(token)}", _VALUE_FIX)

    def name(self, token: Token) -> Expr:
        if self.at("op", "("):
            return self.call(token)
        path = [token.text]
        while self.at("op", "."):
            self.advance()
            part = self.advance()
            if part.kind != "name":
                raise self.error(
                    part,
                    f"expected a name after '.', found {_describe(part)}",
                    "write e.g. consent.email",
                )
            path.append(part.text)
        return Field(tuple(path))

    def call(self, name: Token) -> Expr:
        self.expect("(", "open the argument list")
        args: list[Expr] = []
        kwargs: list[tuple[str, Expr]] = []
        while not self.at("op", ")"):
            token = self.token
            if token.kind == "end":  # `count(` at the end of the rule: nothing follows
                raise self.error(
                    token,
                    f"the argument list of {name.text}( is not closed",
                    "close the argument list with ')'",
                )
            following = self.tokens[self.position + 1]
            if token.kind == "name" and following.kind == "op" and following.text == "=":
                self.advance()
                self.advance()
                if any(k == token.text for k, _ in kwargs):
                    raise self.error(
                        token, f"argument {token.text!r} is given twice", "give it once"
                    )
                kwargs.append((token.text, self.expression(0)))
            elif kwargs:
                raise self.error(
                    token,
                    "a positional argument follows a keyword argument",
                    "put positional arguments first",
                )
            else:
                args.append(self.expression(0))
            if not self.at("op", ","):
                break
            self.advance()
        self.expect(")", "close the argument list with ')'")
        return Call(name.text, tuple(args), tuple(kwargs))


def parse(text: str) -> Expr:
    """Parse rule text into its typed tree.

    Raises:
        SegmentSyntaxError: the text is not a rule; ``.column`` points at the mistake.
    """
    return _Parser(text).parse()
