"""The tokenizer of segment rules: a hand-written scanner with 1-based columns.

Tokens: numbers (``50000``, ``1.5``, ``2e3``), durations (``90d``, ``12h``, ``6mo``),
double-quoted strings with JSON escapes, names (``lifetime_value``), keywords (``and or
not in is null true false``, any case), and operators ``== != < <= > >= + - * / ( ) [ ]
, . =``. Anything else is a :class:`~dchkit.errors.SegmentSyntaxError` pointing at it.

Examples:
    >>> from dchkit.profile.rules.lexer import tokenize
    >>> [(t.kind, t.text) for t in tokenize('count(events) >= 3')][:4]
    [('name', 'count'), ('op', '('), ('name', 'events'), ('op', ')')]
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Literal

from dchkit.errors import SegmentSyntaxError

__all__ = ["KEYWORDS", "Token", "TokenKind", "read_duration", "syntax_error", "tokenize"]

TokenKind = Literal["number", "duration", "string", "name", "keyword", "op", "end"]
KEYWORDS = frozenset({"and", "or", "not", "in", "is", "null", "true", "false"})
#: Word operators: they read like names but act like operators.
WORD_OPERATORS = frozenset({"contains", "starts_with", "ends_with", "matches"})
_UNITS = ("min", "mo", "s", "h", "d", "w", "y")
_TWO_CHAR = ("==", "!=", "<=", ">=")
_ONE_CHAR = "<>+-*/()[],.="
_DIGITS = "0123456789"
_NAME_START = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_"
_NAME_CHARS = _NAME_START + _DIGITS
MAX_LENGTH = 10_000


@dataclass(frozen=True, slots=True)
class Token:
    """One token: its kind, its text (keywords lower-cased), its value and 1-based column."""

    kind: TokenKind
    text: str
    column: int
    value: object = None


def syntax_error(text: str, column: int, what: str, fix: str) -> SegmentSyntaxError:
    """A syntax error whose message shows the rule with a caret under ``column``."""
    shown = "".join(" " if ch in "\r\n\t\v\f" else ch for ch in text)
    if len(shown) > 120:  # keep the caret near the mistake on long rules
        start = max(0, column - 60)
        shown, caret = shown[start : start + 120], column - start
    else:
        caret = column
    message = f"{what} at column {column}\n    {shown.rstrip()}\n    {' ' * (caret - 1)}^"
    return SegmentSyntaxError(message, fix=fix, column=column, rule=text)


def read_duration(text: str) -> tuple[int, str] | None:
    """``"90d"`` → ``(90, "d")``; None when the text is not a duration."""
    digits = len(text) - len(text.lstrip(_DIGITS))
    unit = text[digits:]
    if 0 < digits <= 9 and unit in _UNITS:
        return int(text[:digits]), unit
    return None


def _number_end(text: str, i: int) -> int:
    j = i
    while j < len(text) and text[j] in _DIGITS:
        j += 1
    if j + 1 < len(text) and text[j] == "." and text[j + 1] in _DIGITS:
        j += 1
        while j < len(text) and text[j] in _DIGITS:
            j += 1
    if j < len(text) and text[j] in "eE":
        k = j + 1
        if k < len(text) and text[k] in "+-":
            k += 1
        if k < len(text) and text[k] in _DIGITS:
            while k < len(text) and text[k] in _DIGITS:
                k += 1
            j = k
    return j


def _string_end(text: str, i: int) -> int:
    j = i + 1
    while j < len(text):
        if text[j] == "\\":
            j += 2
            continue
        if text[j] == '"':
            return j + 1
        j += 1
    raise syntax_error(text, i + 1, "unterminated string", 'close the string with "')


def tokenize(text: object) -> list[Token]:
    """Split rule text into tokens, ending with an ``end`` token.

    Raises:
        SegmentSyntaxError: a character or literal that is not part of the language.
    """
    if not isinstance(text, str):
        msg = f"a rule must be text, got {type(text).__name__}"
        raise SegmentSyntaxError(msg, fix="pass the rule as a str", column=1, rule=repr(text))
    if len(text) > MAX_LENGTH:  # a str from here on
        raise syntax_error(
            text[:MAX_LENGTH], MAX_LENGTH, "rule too long", "keep rules under 10,000 characters"
        )
    tokens: list[Token] = []
    i = 0
    while i < len(text):
        ch = text[i]
        column = i + 1
        if ch in " \t\r\n":
            i += 1
        elif ch in _DIGITS:
            end = _number_end(text, i)
            unit_end = end
            while unit_end < len(text) and text[unit_end] in _NAME_CHARS:
                unit_end += 1
            literal = text[i:unit_end]
            if unit_end > end:
                duration = read_duration(literal)
                if duration is None:
                    raise syntax_error(
                        text, column, f"{literal!r} is neither a number nor a duration",
                        f"write a number, or a duration with a unit in {list(_UNITS)} (e.g. 90d)",
                    )  # fmt: skip
                tokens.append(Token("duration", literal, column, duration))
            else:
                number: float | int = (
                    float(literal) if any(c in literal for c in ".eE") else int(literal)
                )
                if isinstance(number, float) and not math.isfinite(number):
                    raise syntax_error(
                        text, column, f"number {literal} is too large", "use a smaller number"
                    )
                tokens.append(Token("number", literal, column, number))
            i = unit_end
        elif ch == '"':
            end = _string_end(text, i)
            try:
                value = json.loads(text[i:end], strict=False)
            except ValueError as err:
                raise syntax_error(
                    text, column, "invalid escape in string", 'use \\" \\\\ \\n \\t or \\uXXXX'
                ) from err
            tokens.append(Token("string", text[i:end], column, value))
            i = end
        elif ch in _NAME_START:
            end = i
            while end < len(text) and text[end] in _NAME_CHARS:
                end += 1
            word = text[i:end]
            lowered = word.lower()
            if lowered in KEYWORDS:
                tokens.append(Token("keyword", lowered, column))
            elif lowered in WORD_OPERATORS:
                tokens.append(Token("op", lowered, column))
            else:
                tokens.append(Token("name", word, column))
            i = end
        elif text.startswith(_TWO_CHAR, i):
            tokens.append(Token("op", text[i : i + 2], column))
            i += 2
        elif ch in _ONE_CHAR:
            tokens.append(Token("op", ch, column))
            i += 1
        elif ch == "'":
            raise syntax_error(
                text, column, "single quotes are not strings here", 'use double quotes: "text"'
            )
        elif ch in "&|!":
            word = {"&": "and", "|": "or", "!": "not"}[ch]
            raise syntax_error(text, column, f"unexpected {ch!r}", f"write {word!r}")
        else:
            raise syntax_error(text, column, f"unexpected character {ch!r}", "remove it")
    tokens.append(Token("end", "", len(text) + 1))
    return tokens
