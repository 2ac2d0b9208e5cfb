r"""phonenumbers' ``number_type``, computed once per number prefix where that is proven enough.

``number_type`` full-matches the national significant number against a region's patterns
(general, premium rate, toll free … fixed line, mobile) after checking its length. Those
patterns are alternatives of a short, bounded *head* followed by "any digits" (``\d{6}``):
``[6-9]0[1-9]\d{7}``, ``(?:120|800\d)\d\d\d{4}``. If every alternative that can start with
the number's first digit has a head of at most ``K`` digits, whether the number matches
depends only on its first ``K`` digits and its length, so the type is cached under that key.

The heads are read from the compiled form of the patterns themselves (``re``'s parser),
so new metadata is analysed afresh; a pattern that does not have this shape (an unbounded
head, a negated class) turns the cache off for its country. Only country codes with one
region are cached (elsewhere the region, too, depends on the number).
"""

from __future__ import annotations

import functools
import importlib
from typing import Any

import phonenumbers
from phonenumbers import COUNTRY_CODE_TO_REGION_CODE, PhoneNumber
from phonenumbers.phonemetadata import PhoneMetadata

__all__ = ["is_possible_number", "number_type"]

# The standard library's regular-expression parser (untyped, private, but stable since 3.11).
sre_parse: Any = importlib.import_module("re._parser")
sre: Any = importlib.import_module("re._constants")

_DIGITS = frozenset("0123456789")
_DESCS = (
    "general_desc", "premium_rate", "toll_free", "shared_cost", "voip", "personal_number",
    "pager", "uan", "voicemail", "fixed_line", "mobile",
)  # fmt: skip
_CACHE_LIMIT = 1 << 18
_cache: dict[tuple[int, str, int], int] = {}


def _is_any_digit(item: tuple[Any, Any]) -> bool:
    op, av = item
    if op is sre.IN:
        return list(av) in ([(sre.CATEGORY, sre.CATEGORY_DIGIT)], [(sre.RANGE, (48, 57))])
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
        return all(_is_any_digit(sub) for sub in av[2])
    return False


def _width(items: list[tuple[Any, Any]]) -> tuple[int, int]:
    lo, hi = sre_parse.SubPattern(sre_parse.State(), items).getwidth()
    return int(lo), int(hi)


def _first_digits(items: list[tuple[Any, Any]]) -> frozenset[str] | None:
    """Digits a match of ``items`` can start with; None when it could be any (or empty)."""
    if not items or _width(items[:1])[0] == 0:
        return None
    op, av = items[0]
    if op is sre.LITERAL:
        return frozenset({chr(av)})
    if op is sre.IN:
        chars: set[str] = set()
        for kind, value in av:
            if kind is sre.LITERAL:
                chars.add(chr(value))
            elif kind is sre.RANGE:
                chars.update(chr(c) for c in range(value[0], value[1] + 1))
            else:  # a category, a negation …: anything
                return None
        return frozenset(chars)
    if op is sre.BRANCH:
        union: set[str] = set()
        for alternative in av[1]:
            first = _first_digits(list(alternative))
            if first is None:
                return None
            union |= first
        return frozenset(union)
    if op is sre.SUBPATTERN:
        return _first_digits(list(av[3]))
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
        return _first_digits(list(av[2]))
    return None


def _plain(items: Any) -> bool:
    """Whether a pattern uses only digits, digit classes, groups, alternatives and repeats.

    Lookarounds, back-references, anchors, atomic groups and possessive repeats could look
    past the head or stop the search for another split, so they turn the cache off.
    """
    for op, av in items:
        if op is sre.LITERAL:
            continue
        if op is sre.IN:
            for kind, value in av:
                if kind is sre.CATEGORY and value is not sre.CATEGORY_DIGIT:
                    return False
                if kind not in (sre.LITERAL, sre.RANGE, sre.CATEGORY):
                    return False
        elif op is sre.BRANCH:
            if not all(_plain(alternative) for alternative in av[1]):
                return False
        elif op is sre.SUBPATTERN:
            if not _plain(av[3]):
                return False
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT):
            if not _plain(av[2]):
                return False
        else:
            return False
    return True


def _heads(items: list[tuple[Any, Any]]) -> list[tuple[frozenset[str] | None, int]] | None:
    """``(first digits, head length)`` of each alternative; None if one has no bounded head."""
    if len(items) == 1 and items[0][0] is sre.BRANCH:
        out: list[tuple[frozenset[str] | None, int]] = []
        for alternative in items[0][1][1]:
            heads = _heads(list(alternative))
            if heads is None:
                return None
            out += heads
        return out
    end = len(items)
    while end and _is_any_digit(items[end - 1]):
        end -= 1
    head = items[:end]
    if not head:
        return [(None, 0)]
    high = _width(head)[1]
    if high >= sre.MAXREPEAT:
        return None
    return [(_first_digits(head), high)]


@functools.cache
def _head_length(country_code: int, first_digit: str) -> int | None:
    """Digits that decide the type of a number of ``country_code`` starting ``first_digit``."""
    regions = COUNTRY_CODE_TO_REGION_CODE.get(country_code, ())
    if len(regions) != 1:
        return None
    metadata = PhoneMetadata.metadata_for_region_or_calling_code(country_code, regions[0])
    if metadata is None:
        return None
    depth = 0
    for name in _DESCS:
        desc = getattr(metadata, name)
        pattern = None if desc is None else desc.national_number_pattern
        if not pattern:
            continue
        parsed = list(sre_parse.parse(pattern))
        heads = _heads(parsed) if _plain(parsed) else None
        if heads is None:
            return None
        for first, length in heads:
            if first is None or first_digit in first:
                depth = max(depth, length)
    return depth


def number_type(number: PhoneNumber) -> int:
    """``phonenumbers.number_type(number)``, once per deciding prefix and length."""
    national = phonenumbers.national_significant_number(number)
    if not national or national[0] not in _DIGITS:
        return int(phonenumbers.number_type(number))
    head = _head_length(number.country_code or 0, national[0])
    if head is None:
        return int(phonenumbers.number_type(number))
    key = (number.country_code or 0, national[:head], len(national))
    kind = _cache.get(key)
    if kind is None:
        if len(_cache) >= _CACHE_LIMIT:
            _cache.clear()
        kind = _cache[key] = int(phonenumbers.number_type(number))
    return kind


_possible: dict[tuple[int, int], bool] = {}


def is_possible_number(number: PhoneNumber) -> bool:
    """``phonenumbers.is_possible_number(number)``, once per country code and length.

    It checks only the national significant number's length against the country's
    metadata, so numbers of one country code and length share the answer.
    """
    key = (number.country_code or 0, len(phonenumbers.national_significant_number(number)))
    possible = _possible.get(key)
    if possible is None:
        possible = _possible[key] = bool(phonenumbers.is_possible_number(number))
    return possible
