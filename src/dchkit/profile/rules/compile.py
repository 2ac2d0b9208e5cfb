"""Evaluate a rule tree over every customer at once with Arrow compute kernels.

Each node becomes one Arrow kernel call over whole columns (one value per customer):
fields come from the golden table (``consent.email``, ``external_ids.user_id`` read the
maps), from computed traits, or from the built-in traits (computed on first use); event
aggregates such as ``count(events, type="Order Completed", within="90d")`` are computed
once per distinct aggregate of the rule with the trait machinery. Types are checked as
the tree is walked, so ``birth_date > 5`` or an unknown field fails with a
:class:`~dchkit.errors.SegmentError` before anything is computed at scale.

Null follows SQL: a comparison with a missing value is null, and a customer whose rule is
null is not a member. ``consent.X`` is false when the customer never answered.

Functions: ``count``, ``sum``, ``avg`` (``mean``), ``min``, ``max``, ``first``, ``last``,
``distinct``, ``most_frequent`` over ``events`` or ``events.<column>`` with keyword
filters ``type``, ``source``, ``channel`` (a string or a list) and ``within``; ``now()``,
``today()``, ``date("2024-01-31")``, ``timestamp("2024-01-31T09:00:00Z")``,
``days_since(x)``, ``lower(x)``, ``upper(x)``, ``length(x)``, ``abs(x)``, ``coalesce(a, b)``.

Examples:
    >>> from dchkit.profile.rules.compile import FUNCTIONS
    >>> "count" in FUNCTIONS and "days_since" in FUNCTIONS
    True
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Literal

import pyarrow as pa
import pyarrow.compute as pc

from dchkit.errors import SegmentError
from dchkit.profile._arrow import map_value, to_array
from dchkit.profile._time import UNITS
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
)

if TYPE_CHECKING:
    from dchkit.profile.traits import EventFrame, Trait

__all__ = ["AGGREGATE_FUNCTIONS", "FUNCTIONS", "Kind", "evaluate", "field_names"]

Kind = Literal["number", "string", "bool", "timestamp", "date", "duration", "list", "null"]
Datum = Any  # a pa.Array or a pa.Scalar

#: Rule function name → trait aggregate.
AGGREGATE_FUNCTIONS: dict[str, str] = {
    "count": "count",
    "sum": "sum",
    "avg": "mean",
    "mean": "mean",
    "min": "min",
    "max": "max",
    "first": "first",
    "last": "last",
    "distinct": "count_distinct",
    "most_frequent": "most_frequent",
}
_SCALAR_FUNCTIONS = frozenset(
    {
        "now",
        "today",
        "date",
        "timestamp",
        "days_since",
        "lower",
        "upper",
        "length",
        "abs",
        "coalesce",
    }
)
FUNCTIONS = frozenset(AGGREGATE_FUNCTIONS) | _SCALAR_FUNCTIONS
_FILTERS = ("type", "source", "channel", "within")
_TIMESTAMP = pa.timestamp("us", tz="UTC")
_COMPARE = {"==": pc.equal, "!=": pc.not_equal, "<": pc.less, "<=": pc.less_equal, ">": pc.greater, ">=": pc.greater_equal}  # fmt: skip
_MAP_FIELDS = ("consent", "external_ids")


@dataclass(frozen=True, slots=True)
class _Value:
    data: Datum
    kind: Kind


def _kind_of(arrow_type: pa.DataType) -> Kind:
    if pa.types.is_boolean(arrow_type):
        return "bool"
    if pa.types.is_integer(arrow_type) or pa.types.is_floating(arrow_type):
        return "number"
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        return "string"
    if pa.types.is_timestamp(arrow_type):
        return "timestamp"
    if pa.types.is_date(arrow_type):
        return "date"
    if pa.types.is_duration(arrow_type):
        return "duration"
    if pa.types.is_list(arrow_type):
        return "list"
    if pa.types.is_null(arrow_type):
        return "null"
    msg = f"columns of type {arrow_type} cannot be used in rules"
    raise SegmentError(msg, fix="use number, text, boolean, date or timestamp columns")


def _error(node: Expr, what: str, fix: str) -> SegmentError:
    return SegmentError(f"{what} in `{node}`", fix=fix, node=str(node))


def field_names(frame: EventFrame) -> list[str]:
    """Every plain field name a rule can use over this frame (for did-you-mean)."""
    from dchkit.profile.traits import BUILTIN_TRAITS

    names = set(frame.golden.column_names) - set(_MAP_FIELDS)
    names |= set(frame.computed)
    if frame.stored_traits is not None:
        names |= set(frame.stored_traits.column_names)
    for trait in BUILTIN_TRAITS:
        names |= set(trait.names)
    return sorted(names)


class _Evaluator:
    def __init__(self, frame: EventFrame) -> None:
        self.frame = frame
        self.cache: dict[Expr, _Value] = {}

    def value(self, node: Expr) -> _Value:
        found = self.cache.get(node)  # one hash of the (recursively hashed) node on a hit
        if found is None:
            found = self.cache[node] = self.compute(node)
        return found

    def compute(self, node: Expr) -> _Value:  # one branch per node kind
        if isinstance(node, Number):
            return _Value(pa.scalar(node.value), "number")
        if isinstance(node, String):
            return _Value(pa.scalar(node.value, pa.string()), "string")
        if isinstance(node, Boolean):
            return _Value(pa.scalar(node.value), "bool")
        if isinstance(node, Null):
            return _Value(pa.scalar(None, pa.null()), "null")
        if isinstance(node, Duration):
            return _Value(pa.scalar(node.amount * UNITS[node.unit], pa.duration("us")), "duration")
        if isinstance(node, Field):
            return self.field(node)
        if isinstance(node, Unary):
            return self.unary(node)
        if isinstance(node, Binary):
            return self.binary(node)
        if isinstance(node, In):
            return self.membership(node)
        if isinstance(node, IsNull):
            operand = self.value(node.operand).data
            return _Value(pc.is_valid(operand) if node.negated else pc.is_null(operand), "bool")
        if isinstance(node, Call):
            return self.call(node)
        if isinstance(node, ListExpr):
            raise _error(node, "a list can only follow 'in'", "write x in [a, b]")
        raise _error(node, "unknown node", "build rules with dchkit.profile.rules.parse")

    # ------------------------------------------------------------------ fields
    def field(self, node: Field) -> _Value:
        golden, path = self.frame.golden, node.path
        if len(path) == 2 and path[0] in _MAP_FIELDS:
            found = map_value(golden.column(path[0]), path[1])
            if path[0] == "consent":
                return _Value(pc.fill_null(found, False), "bool")
            return _Value(found, "string")
        name = path[1] if len(path) == 2 and path[0] == "traits" else node.name
        if len(path) == 1 and name in golden.column_names and name not in _MAP_FIELDS:
            column = to_array(golden.column(name))
            return _Value(column, _kind_of(column.type))
        if name in self.frame.computed:
            column = self.frame.computed[name]
            return _Value(column, _kind_of(column.type))
        stored = self.frame.stored_traits
        if stored is not None and name in stored.column_names:
            column = to_array(stored.column(name))
            return _Value(column, _kind_of(column.type))
        from dchkit.profile.traits import BUILTIN_TRAITS

        for trait in BUILTIN_TRAITS:
            if name in trait.names:
                for produced, array in trait.compute(self.frame).items():
                    self.frame.computed[produced] = array
                column = self.frame.computed[name]
                return _Value(column, _kind_of(column.type))
        close = difflib.get_close_matches(node.name, field_names(self.frame), n=3)
        hint = f"did you mean {' or '.join(repr(c) for c in close)}?" if close else (
            "use a golden field, a trait, consent.<purpose> or external_ids.<type>"
        )  # fmt: skip
        msg = f"unknown field {node.name!r}"
        raise SegmentError(msg, fix=hint, field=node.name)

    # --------------------------------------------------------------- operators
    def unary(self, node: Unary) -> _Value:
        operand = self.value(node.operand)
        if node.op == "not":
            self.require(node, operand, "bool")
            return _Value(pc.invert(operand.data), "bool")
        if operand.kind not in ("number", "duration"):
            raise _error(node, f"cannot negate a {operand.kind}", "negate numbers or durations")
        return _Value(pc.negate(operand.data), operand.kind)

    def require(self, node: Expr, value: _Value, *kinds: Kind) -> None:
        if value.kind not in kinds and value.kind != "null":
            wanted = " or ".join(kinds)
            raise _error(node, f"expected {wanted}, got {value.kind}", f"use a {wanted} here")

    def binary(self, node: Binary) -> _Value:
        left, right = self.value(node.left), self.value(node.right)
        op = node.op
        if op in ("and", "or"):
            self.require(node, left, "bool")
            self.require(node, right, "bool")
            kernel = pc.and_kleene if op == "and" else pc.or_kleene
            return _Value(kernel(left.data, right.data), "bool")
        if op in ("contains", "starts_with", "ends_with", "matches"):
            return self.matching(node, left, right)
        if op in _COMPARE:
            if "null" in (left.kind, right.kind):
                raise _error(
                    node,
                    "comparing with null is always unknown",
                    "write 'x is null' or 'x is not null'",
                )
            left, right = _align(node, left, right)
            return _Value(_COMPARE[op](left.data, right.data), "bool")
        return self.arithmetic(node, left, right)

    def arithmetic(self, node: Binary, left: _Value, right: _Value) -> _Value:
        op = node.op
        kinds = (left.kind, right.kind)
        if kinds == ("number", "number"):
            if op == "/":
                floats = [pc.cast(v.data, pa.float64()) for v in (left, right)]
                return _Value(pc.divide(*floats), "number")
            kernel = {"+": pc.add, "-": pc.subtract, "*": pc.multiply}[op]
            return _Value(kernel(left.data, right.data), "number")
        left, right = _as_time(left), _as_time(right)
        kinds = (left.kind, right.kind)
        if op in ("+", "-") and kinds == ("timestamp", "duration"):
            kernel = pc.add if op == "+" else pc.subtract
            return _Value(kernel(left.data, right.data), "timestamp")
        if op == "+" and kinds == ("duration", "timestamp"):
            return _Value(pc.add(right.data, left.data), "timestamp")
        if op == "-" and kinds == ("timestamp", "timestamp"):
            return _Value(pc.subtract(left.data, right.data), "duration")
        if op in ("+", "-") and kinds == ("duration", "duration"):
            kernel = pc.add if op == "+" else pc.subtract
            return _Value(kernel(left.data, right.data), "duration")
        raise _error(
            node,
            f"cannot apply {op!r} to {kinds[0]} and {kinds[1]}",
            "use numbers, or a date/timestamp and a duration such as 90d",
        )

    def matching(self, node: Binary, left: _Value, right: _Value) -> _Value:
        if not isinstance(node.right, String):
            raise _error(
                node,
                f"{node.op!r} needs a string literal on its right",
                'write e.g. email contains "@example.com"',
            )
        pattern = node.right.value
        if left.kind == "list" and node.op == "contains":
            flat = pc.list_flatten(left.data)
            rows = pc.list_parent_indices(left.data)
            hit = rows.filter(pc.equal(flat, pattern))
            found = pc.is_in(
                pa.array(range(len(left.data)), pa.int64()), value_set=pc.cast(hit, pa.int64())
            )
            return _Value(found, "bool")
        self.require(node, left, "string")
        if node.op == "matches":
            try:
                re.compile(pattern)
                return _Value(pc.match_substring_regex(left.data, pattern), "bool")
            except (re.error, pa.ArrowInvalid) as err:
                raise _error(
                    node, f"invalid regular expression {pattern!r}", "fix the pattern (RE2 syntax)"
                ) from err
        kernel = {
            "contains": pc.match_substring,
            "starts_with": pc.starts_with,
            "ends_with": pc.ends_with,
        }[node.op]
        return _Value(kernel(left.data, pattern), "bool")

    def membership(self, node: In) -> _Value:
        operand = self.value(node.operand)
        values: list[Any] = []
        for item in node.items:
            if not isinstance(item, Number | String | Boolean):
                raise _error(
                    node,
                    f"{item} is not a literal",
                    "list only numbers, strings or booleans after 'in'",
                )
            values.append(item.value)
        kinds = {_kind_of(pa.scalar(v).type) for v in values}
        if len(kinds) > 1 or (operand.kind != "null" and kinds != {operand.kind}):
            raise _error(
                node,
                f"cannot look for {'/'.join(sorted(kinds))} values in a {operand.kind}",
                "list values of the field's type",
            )
        value_set = pa.array(values)
        data = operand.data
        if operand.kind == "number":
            value_set, data = pc.cast(value_set, pa.float64()), pc.cast(data, pa.float64())
        found = pc.is_in(data, value_set=value_set)
        found = pc.if_else(pc.is_null(data), pa.scalar(None, pa.bool_()), found)
        return _Value(pc.invert(found) if node.negated else found, "bool")

    # ------------------------------------------------------------------- calls
    def call(self, node: Call) -> _Value:
        if node.name in AGGREGATE_FUNCTIONS:
            return self.aggregate(node)
        if node.name not in _SCALAR_FUNCTIONS:
            close = difflib.get_close_matches(node.name, sorted(FUNCTIONS), n=2)
            hint = (
                f"did you mean {' or '.join(repr(c) for c in close)}?"
                if close
                else f"use one of {sorted(FUNCTIONS)}"
            )
            msg = f"unknown function {node.name!r}"
            raise SegmentError(msg, fix=hint, function=node.name)
        if node.kwargs:
            raise _error(node, f"{node.name}() takes no keyword arguments", "remove them")
        args = [self.value(a) for a in node.args]
        arity = {"now": 0, "today": 0, "coalesce": 2}.get(node.name, 1)
        if len(args) != arity:
            raise _error(
                node,
                f"{node.name}() takes {arity} argument(s), got {len(args)}",
                "fix the arguments",
            )
        return self.scalar_function(node, args)

    def scalar_function(self, node: Call, args: list[_Value]) -> _Value:
        now = self.frame.now
        name = node.name
        if name == "now":
            return _Value(pa.scalar(now, _TIMESTAMP), "timestamp")
        if name == "today":
            return _Value(pa.scalar(now.date(), pa.date32()), "date")
        if name in ("date", "timestamp"):
            literal = node.args[0]
            if not isinstance(literal, String):
                raise _error(
                    node, f"{name}() takes a string literal", f'write {name}("2024-01-31")'
                )
            try:
                if name == "date":
                    return _Value(pa.scalar(date.fromisoformat(literal.value), pa.date32()), "date")
                stamp = datetime.fromisoformat(literal.value)
                stamp = stamp.replace(tzinfo=UTC) if stamp.tzinfo is None else stamp.astimezone(UTC)
                return _Value(pa.scalar(stamp, _TIMESTAMP), "timestamp")
            except ValueError as err:
                raise _error(
                    node,
                    f"cannot read {literal.value!r} as a {name}",
                    "use ISO 8601, e.g. 2024-01-31",
                ) from err
        (first, *rest) = args
        if name == "days_since":
            self.require(node, first, "timestamp", "date")
            elapsed = pc.subtract(pa.scalar(now, _TIMESTAMP), _as_time(first).data)
            micros = pc.cast(elapsed, pa.int64())
            return _Value(pc.divide(pc.cast(micros, pa.float64()), 86_400e6), "number")
        if name in ("lower", "upper"):
            self.require(node, first, "string")
            return _Value(
                (pc.utf8_lower if name == "lower" else pc.utf8_upper)(first.data), "string"
            )
        if name == "length":
            self.require(node, first, "string", "list")
            kernel = pc.list_value_length if first.kind == "list" else pc.utf8_length
            return _Value(pc.cast(kernel(first.data), pa.int64()), "number")
        if name == "abs":
            self.require(node, first, "number")
            return _Value(pc.abs(first.data), "number")
        left, right = _align(node, first, rest[0])
        return _Value(
            pc.coalesce(left.data, right.data), left.kind if left.kind != "null" else right.kind
        )

    def aggregate(self, node: Call) -> _Value:
        array = self.frame.aggregate(_aggregate_trait(node))
        return _Value(array, _kind_of(array.type))


@lru_cache(maxsize=1024)
def _aggregate_trait(node: Call) -> Trait:
    """The trait an aggregate call such as ``count(events, type="…")`` computes.

    Cached by node (trees are immutable): a rule evaluated per request builds it once.
    """
    from dchkit.profile.traits import Trait

    if (
        len(node.args) != 1
        or not isinstance(node.args[0], Field)
        or node.args[0].path[0] != "events"
    ):
        raise _error(
            node,
            f"{node.name}() aggregates events",
            f"write {node.name}(events.value, type=...) or count(events)",
        )
    path = node.args[0].path
    column = path[1] if len(path) == 2 else None
    if len(path) > 2 or (column is None and node.name != "count"):
        raise _error(
            node, f"{node.name}() needs an event column", f"write {node.name}(events.value)"
        )
    filters: dict[str, Any] = {}
    for key, value in node.kwargs:
        if key not in _FILTERS:
            raise _error(node, f"unknown filter {key!r}", f"use {list(_FILTERS)}")
        filters[key] = _filter_value(node, key, value)
    within = filters.pop("within", None)
    try:
        trait = Trait(
            f"{node}",
            AGGREGATE_FUNCTIONS[node.name],  # type: ignore[arg-type]  # a valid aggregate
            column,
            types=filters.get("type", ()),
            sources=filters.get("source", ()),
            channels=filters.get("channel", ()),
            within=within,
        )
    except Exception as err:
        raise _error(node, str(getattr(err, "message", err)), "fix the aggregate") from err
    return trait


def _filter_value(node: Call, key: str, value: Expr) -> Any:
    if key == "within":
        if isinstance(value, Duration):
            return value.text()
        if isinstance(value, String):
            from dchkit.profile.rules.lexer import read_duration

            if read_duration(value.value.strip()) is None:
                raise _error(node, f"cannot read within={value} as a window", 'write within="90d"')
            return value.value.strip()
        raise _error(node, "within must be a duration", 'write within="90d"')
    if isinstance(value, String):
        return (value.value,)
    if isinstance(value, ListExpr) and all(isinstance(i, String) for i in value.items):
        return tuple(i.value for i in value.items)  # type: ignore[attr-defined]  # checked above
    raise _error(node, f"{key} must be a string or a list of strings", f'write {key}="..."')


def _as_time(value: _Value) -> _Value:
    if value.kind == "date":
        return _Value(pc.cast(pc.cast(value.data, pa.timestamp("us")), _TIMESTAMP), "timestamp")
    return value


def _align(node: Expr, left: _Value, right: _Value) -> tuple[_Value, _Value]:
    """Bring two operands to one comparable type (date → timestamp when mixed)."""
    if "null" in (left.kind, right.kind) or left.kind == right.kind:
        return left, right
    if {left.kind, right.kind} == {"date", "timestamp"}:
        return _as_time(left), _as_time(right)
    raise _error(
        node, f"cannot compare {left.kind} with {right.kind}", "compare values of the same type"
    )


def evaluate(node: Expr, frame: EventFrame) -> pa.Array:
    """The value of a rule (or a formula) for every customer of the frame's store.

    Raises:
        SegmentError: an unknown field or function, or operands of the wrong type.
    """
    result = _Evaluator(frame).value(node).data
    if isinstance(result, pa.Scalar):
        return pa.repeat(result, frame.customers)
    return to_array(result)
