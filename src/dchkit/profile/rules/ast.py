"""The typed syntax tree of segment rules: frozen dataclasses, canonical text and JSON.

``str(node)`` prints canonical rule text (keywords lower-case, double-quoted strings, the
fewest parentheses that keep the meaning), and parsing that text gives an equal tree.
``to_json`` / ``from_json`` give the same tree as plain JSON for HTTP clients::

    {"op": "and", "args": [
        {"op": ">=", "args": [{"field": "lifetime_value"}, {"value": 50000}]},
        {"field": "consent.email"}]}

Examples:
    >>> from dchkit.profile.rules.ast import Binary, Field, Number, from_json
    >>> node = Binary(">=", Field(("lifetime_value",)), Number(50000))
    >>> str(node)
    'lifetime_value >= 50000'
    >>> node.to_json()
    {'op': '>=', 'args': [{'field': 'lifetime_value'}, {'value': 50000}]}
    >>> from_json(node.to_json()) == node
    True
"""

from __future__ import annotations

import json
import math
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, Literal

from typing_extensions import override

from dchkit.errors import SegmentError

__all__ = [
    "BINARY_OPERATORS",
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
    "Unary",
    "from_json",
]

BinaryOp = Literal[
    "or", "and", "==", "!=", "<", "<=", ">", ">=", "contains", "starts_with", "ends_with",
    "matches", "+", "-", "*", "/",
]  # fmt: skip
#: Binding power of each binary operator (higher binds tighter).
BINARY_OPERATORS: dict[str, int] = {
    "or": 1,
    "and": 2,
    **dict.fromkeys(
        ("==", "!=", "<", "<=", ">", ">=", "contains", "starts_with", "ends_with", "matches"), 4
    ),
    "+": 5,
    "-": 5,
    "*": 6,
    "/": 6,
}
NOT_POWER = 3
COMPARISON_POWER = 4
NEGATE_POWER = 7
ATOM_POWER = 9


class Expr(ABC):
    """Base of every node."""

    __slots__ = ()

    @property
    def power(self) -> int:
        """Binding power of the node's outermost operator (for parenthesizing)."""
        return ATOM_POWER

    @abstractmethod
    def text(self) -> str:
        """Canonical rule text of the node."""

    @abstractmethod
    def to_json(self) -> dict[str, Any]:
        """The node as a JSON-compatible dict."""

    def __str__(self) -> str:
        return self.text()

    def children(self) -> tuple[Expr, ...]:
        """Direct sub-expressions."""
        return ()

    def walk(self) -> list[Expr]:
        """This node and every node below it, parents first."""
        found: list[Expr] = [self]
        for child in self.children():
            found.extend(child.walk())
        return found


def _wrap(node: Expr, minimum: int) -> str:
    return f"({node.text()})" if node.power < minimum else node.text()


@dataclass(frozen=True, slots=True)
class Number(Expr):
    """A number literal (``int`` or finite ``float``)."""

    value: int | float

    @override
    def text(self) -> str:
        return repr(self.value)

    @override
    def to_json(self) -> dict[str, Any]:
        return {"value": self.value}


@dataclass(frozen=True, slots=True)
class String(Expr):
    """A string literal."""

    value: str

    @override
    def text(self) -> str:
        return json.dumps(self.value, ensure_ascii=False)

    @override
    def to_json(self) -> dict[str, Any]:
        return {"value": self.value}


@dataclass(frozen=True, slots=True)
class Boolean(Expr):
    """``true`` or ``false``."""

    value: bool

    @override
    def text(self) -> str:
        return "true" if self.value else "false"

    @override
    def to_json(self) -> dict[str, Any]:
        return {"value": self.value}


@dataclass(frozen=True, slots=True)
class Null(Expr):
    """``null``."""

    @override
    def text(self) -> str:
        return "null"

    @override
    def to_json(self) -> dict[str, Any]:
        return {"value": None}


@dataclass(frozen=True, slots=True)
class Duration(Expr):
    """A duration literal such as ``90d`` (units: s, min, h, d, w, mo, y)."""

    amount: int
    unit: str

    @override
    def text(self) -> str:
        return f"{self.amount}{self.unit}"

    @override
    def to_json(self) -> dict[str, Any]:
        return {"duration": self.text()}


@dataclass(frozen=True, slots=True)
class Field(Expr):
    """A reference to a golden field, trait or flag: ``lifetime_value``, ``consent.email``."""

    path: tuple[str, ...]

    @property
    def name(self) -> str:
        """The dotted name."""
        return ".".join(self.path)

    @override
    def text(self) -> str:
        return self.name

    @override
    def to_json(self) -> dict[str, Any]:
        return {"field": self.name}


@dataclass(frozen=True, slots=True)
class ListExpr(Expr):
    """A list literal ``[a, b]`` (right-hand side of ``in``)."""

    items: tuple[Expr, ...]

    @override
    def text(self) -> str:
        return "[" + ", ".join(item.text() for item in self.items) + "]"

    @override
    def to_json(self) -> dict[str, Any]:
        return {"list": [item.to_json() for item in self.items]}

    @override
    def children(self) -> tuple[Expr, ...]:
        return self.items


@dataclass(frozen=True, slots=True)
class Unary(Expr):
    """``not x`` or ``-x``."""

    op: Literal["not", "-"]
    operand: Expr

    @property
    @override
    def power(self) -> int:
        return NOT_POWER if self.op == "not" else NEGATE_POWER

    @override
    def text(self) -> str:
        if self.op == "not":
            return f"not {_wrap(self.operand, NOT_POWER)}"
        if isinstance(self.operand, Number):  # "-1" would read back as the literal -1
            return f"-({self.operand.text()})"
        inner = _wrap(self.operand, NEGATE_POWER)
        return f"- {inner}" if inner.startswith("-") else f"-{inner}"

    @override
    def to_json(self) -> dict[str, Any]:
        return {"op": "not" if self.op == "not" else "neg", "args": [self.operand.to_json()]}

    @override
    def children(self) -> tuple[Expr, ...]:
        return (self.operand,)


@dataclass(frozen=True, slots=True)
class Binary(Expr):
    """``left op right``: logic, comparison, string matching or arithmetic."""

    op: BinaryOp
    left: Expr
    right: Expr

    @property
    @override
    def power(self) -> int:
        return BINARY_OPERATORS[self.op]

    @override
    def text(self) -> str:
        power = self.power
        if power == COMPARISON_POWER:  # comparisons do not chain
            left, right = _wrap(self.left, power + 1), _wrap(self.right, power + 1)
        else:  # left-associative
            left, right = _wrap(self.left, power), _wrap(self.right, power + 1)
        return f"{left} {self.op} {right}"

    @override
    def to_json(self) -> dict[str, Any]:
        return {"op": self.op, "args": [self.left.to_json(), self.right.to_json()]}

    @override
    def children(self) -> tuple[Expr, ...]:
        return (self.left, self.right)


@dataclass(frozen=True, slots=True)
class In(Expr):
    """``x in [a, b]`` or ``x not in [a, b]``."""

    operand: Expr
    items: tuple[Expr, ...]
    negated: bool = False

    @property
    @override
    def power(self) -> int:
        return COMPARISON_POWER

    @override
    def text(self) -> str:
        op = "not in" if self.negated else "in"
        return f"{_wrap(self.operand, COMPARISON_POWER + 1)} {op} {ListExpr(self.items).text()}"

    @override
    def to_json(self) -> dict[str, Any]:
        return {
            "op": "not in" if self.negated else "in",
            "args": [self.operand.to_json(), ListExpr(self.items).to_json()],
        }

    @override
    def children(self) -> tuple[Expr, ...]:
        return (self.operand, *self.items)


@dataclass(frozen=True, slots=True)
class IsNull(Expr):
    """``x is null`` or ``x is not null``."""

    operand: Expr
    negated: bool = False

    @property
    @override
    def power(self) -> int:
        return COMPARISON_POWER

    @override
    def text(self) -> str:
        op = "is not null" if self.negated else "is null"
        return f"{_wrap(self.operand, COMPARISON_POWER + 1)} {op}"

    @override
    def to_json(self) -> dict[str, Any]:
        return {
            "op": "is not null" if self.negated else "is null",
            "args": [self.operand.to_json()],
        }

    @override
    def children(self) -> tuple[Expr, ...]:
        return (self.operand,)


@dataclass(frozen=True, slots=True)
class Call(Expr):
    """A function call: ``count(events, type="Order Completed", within="90d")``."""

    name: str
    args: tuple[Expr, ...] = ()
    kwargs: tuple[tuple[str, Expr], ...] = ()

    @override
    def text(self) -> str:
        parts = [a.text() for a in self.args] + [f"{k}={v.text()}" for k, v in self.kwargs]
        return f"{self.name}({', '.join(parts)})"

    @override
    def to_json(self) -> dict[str, Any]:
        found: dict[str, Any] = {"call": self.name, "args": [a.to_json() for a in self.args]}
        if self.kwargs:
            found["kwargs"] = {k: v.to_json() for k, v in self.kwargs}
        return found

    @override
    def children(self) -> tuple[Expr, ...]:
        return (*self.args, *(v for _, v in self.kwargs))

    def kwarg(self, name: str) -> Expr | None:
        """The value of a keyword argument, if given."""
        return next((v for k, v in self.kwargs if k == name), None)


# ------------------------------------------------------------------------- JSON
def _bad(node: object, why: str) -> SegmentError:
    text = json.dumps(node, ensure_ascii=False, default=str)[:200]
    return SegmentError(
        f"invalid JSON rule node {text}: {why}",
        fix='write nodes as {"op": …, "args": […]}, {"field": …}, {"value": …}, '
        '{"duration": "90d"}, {"list": […]} or {"call": …, "args": […], "kwargs": {…}}',
    )


def _nodes(value: object, where: object) -> list[Expr]:
    if not isinstance(value, list):
        raise _bad(where, "'args' must be a list")
    return [from_json(item) for item in value]


def from_json(node: object) -> Expr:
    """Build a rule tree from its JSON form (``and`` / ``or`` may take more than two args).

    Raises:
        SegmentError: the JSON is not a valid rule tree.
    """
    from dchkit.profile.rules.lexer import read_duration

    if not isinstance(node, dict):
        raise _bad(node, "expected an object")
    if "value" in node and len(node) == 1:
        value = node["value"]
        if value is None:
            return Null()
        if isinstance(value, bool):
            return Boolean(value)
        if isinstance(value, int | float) and math.isfinite(value):
            return Number(value)
        if isinstance(value, str):
            return String(value)
        raise _bad(node, "a value must be a string, a finite number, a boolean or null")
    if "field" in node and len(node) == 1:
        name = node["field"]
        if not isinstance(name, str) or not all(p.isidentifier() for p in name.split(".")):
            raise _bad(node, "a field must be a dotted name")
        return Field(tuple(name.split(".")))
    if "duration" in node and len(node) == 1:
        text = node["duration"]
        parsed = read_duration(text) if isinstance(text, str) else None
        if parsed is None:
            raise _bad(node, "a duration is a count and a unit, e.g. '90d'")
        return Duration(*parsed)
    if "list" in node and len(node) == 1:
        return ListExpr(tuple(_nodes(node["list"], node)))
    if "call" in node and set(node) <= {"call", "args", "kwargs"}:
        name = node["call"]
        if not isinstance(name, str) or not name.isidentifier():
            raise _bad(node, "'call' must be a function name")
        kwargs = node.get("kwargs", {})
        if not isinstance(kwargs, dict):
            raise _bad(node, "'kwargs' must be an object")
        return Call(
            name,
            tuple(_nodes(node.get("args", []), node)),
            tuple((str(k), from_json(v)) for k, v in kwargs.items()),
        )
    if "op" in node and set(node) == {"op", "args"}:
        return _operation(node)
    raise _bad(node, "unknown kind of node")


def _operation(node: dict[str, Any]) -> Expr:
    op, args = node["op"], _nodes(node["args"], node)
    if op in ("and", "or") and len(args) >= 2:
        result = args[0]
        for arg in args[1:]:
            result = Binary(op, result, arg)
        return result
    if op in BINARY_OPERATORS and len(args) == 2:
        return Binary(op, args[0], args[1])
    if op in ("not", "neg") and len(args) == 1:
        return Unary("not" if op == "not" else "-", args[0])
    if op in ("in", "not in") and len(args) == 2 and isinstance(args[1], ListExpr):
        return In(args[0], args[1].items, negated=op == "not in")
    if op in ("is null", "is not null") and len(args) == 1:
        return IsNull(args[0], negated=op == "is not null")
    raise _bad(node, f"operator {op!r} with {len(args)} argument(s) is not known")
