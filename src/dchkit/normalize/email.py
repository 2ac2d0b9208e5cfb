"""E-mail addresses: syntax check, lower-casing and a provider-aware match key.

``normalize_email`` NFKC-folds (``ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ``), trims, strips a ``mailto:``
prefix and angle brackets, lower-cases, and checks the syntax with email-validator (no DNS
lookup). ``match_key`` goes further where the provider is known to deliver several spellings
to the same mailbox:

- gmail.com / googlemail.com: dots in the local part and a ``+tag`` are dropped and
  googlemail.com becomes gmail.com;
- providers with plus-addressing (Outlook/Hotmail/Live/MSN, iCloud, Fastmail, Proton, Zoho,
  Yandex …): the ``+tag`` is dropped;
- Yahoo (not Yahoo! JAPAN): the ``-keyword`` of a disposable address is dropped;
- any other domain: the lower-cased address as is (a ``+`` can be part of a real mailbox).

Most real addresses have one plain shape (``taro.yamada+x@example.co.jp``: an ASCII dot-atom
local part of letters, digits, ``._+-``; LDH domain labels; an alphabetic top-level domain).
email-validator accepts every such address unchanged, so those skip it (a regular
expression instead of ~100 µs of Unicode and IDNA checks; in a column, Arrow compute
over all rows at once); every other value still goes through email-validator, the
authority on syntax.

An invalid address is never an exception: ``valid`` is False, ``reason`` says why, ``email``
keeps the cleaned text so nothing is lost, and ``match_key`` is None.

Examples:
    >>> from dchkit.normalize import normalize_email
    >>> r = normalize_email("Taro.Yamada+shop@GoogleMail.com")
    >>> r.email, r.match_key, r.valid
    ('taro.yamada+shop@googlemail.com', 'taroyamada@gmail.com', True)
    >>> normalize_email("ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ").email
    'taro@example.jp'
    >>> normalize_email("bob+news@outlook.com").match_key
    'bob@outlook.com'
    >>> bad = normalize_email("taro@@example")
    >>> bad.valid, bad.email, bad.match_key, bad.reason.split(":")[0]
    (False, 'taro@@example', None, 'email_invalid')
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyarrow as pa
from email_validator import SPECIAL_USE_DOMAIN_NAMES, EmailNotValidError, validate_email

from dchkit.normalize._args import require_text
from dchkit.normalize._email_fast import plain_emails
from dchkit.normalize._vector import as_string_array, map_rest_fields
from dchkit.normalize.text import clean_text

__all__ = [
    "EmailColumns",
    "EmailResult",
    "email_match_key",
    "normalize_email",
    "normalize_email_column",
]

_GMAIL = frozenset({"gmail.com", "googlemail.com"})
_PLUS_TAG = frozenset(
    {
        "outlook.com", "outlook.jp", "hotmail.com", "hotmail.co.jp", "hotmail.co.uk",
        "hotmail.fr", "hotmail.de", "hotmail.it", "live.com", "live.jp", "live.co.uk",
        "msn.com", "icloud.com", "me.com", "mac.com", "fastmail.com", "fastmail.fm",
        "proton.me", "protonmail.com", "protonmail.ch", "pm.me", "zoho.com", "zohomail.com",
        "yandex.com", "yandex.ru", "ya.ru", "tutanota.com", "tuta.io", "hey.com",
    }
)  # fmt: skip
_DASH_TAG = frozenset(
    {
        "yahoo.com", "yahoo.co.uk", "yahoo.fr", "yahoo.de", "yahoo.it", "yahoo.es",
        "yahoo.ca", "yahoo.com.au", "yahoo.co.in", "ymail.com", "rocketmail.com",
    }
)  # fmt: skip
_WRAPPER = re.compile(r"^(?:mailto:)?\s*<?\s*(.*?)\s*>?$", re.IGNORECASE)
# The plain shape email-validator accepts and returns unchanged (lower case only: the value
# is lower-cased first). Labels with "--" (punycode, reserved forms) are left to it.
_PLAIN = re.compile(
    r"[a-z0-9_+\-]+(?:\.[a-z0-9_+\-]+)*@(?:[a-z0-9](?:[a-z0-9\-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}"
)
_SPECIAL_SUFFIXES = tuple(f".{name}" for name in SPECIAL_USE_DOMAIN_NAMES)


@dataclass(frozen=True, slots=True)
class EmailResult:
    """One normalized e-mail address.

    Attributes:
        email: The cleaned, lower-cased address (kept even when invalid); None if blank.
        match_key: Provider-aware key for matching; None when blank or invalid.
        valid: Whether the syntax is valid; None when the input is blank.
        reason: Why it is invalid (``email_invalid: …``); None otherwise.
    """

    email: str | None
    match_key: str | None
    valid: bool | None
    reason: str | None


@dataclass(frozen=True, slots=True)
class EmailColumns:
    """Column form of :class:`EmailResult`: one Arrow array per field, one row per input."""

    email: pa.Array
    match_key: pa.Array
    valid: pa.Array
    reason: pa.Array


_BLANK = EmailResult(None, None, None, None)


def normalize_email(value: str | None) -> EmailResult:
    """Clean, validate and key one e-mail address (see the module docs).

    Raises:
        NormalizationError: ``value`` is not a ``str`` or ``None``.
    """
    return _normalize(require_text(value, "normalize_email"))


@functools.lru_cache(maxsize=1 << 16)
def _normalize(value: str | None) -> EmailResult:
    text = clean_text(value)
    if text is None:
        return _BLANK
    match = _WRAPPER.match(text)
    text = (match.group(1) if match else text).replace(" ", "").lower()
    if not text:
        return _BLANK
    if _is_plain(text):
        return EmailResult(text, email_match_key(text), True, None)
    return _validated(text)


def _validated(text: str) -> EmailResult:
    """Check a cleaned, lower-cased address with email-validator."""
    try:
        checked = validate_email(text, check_deliverability=False)
    except EmailNotValidError as err:
        return EmailResult(text, None, False, f"email_invalid: {err}")
    email = checked.normalized.lower()
    return EmailResult(email, email_match_key(email), True, None)


def _is_plain(text: str) -> bool:
    """Whether ``text`` has the plain shape that email-validator accepts as it is."""
    if len(text) > 254 or "--" in text or not _PLAIN.fullmatch(text):
        return False
    local, _, domain = text.partition("@")
    return len(local) <= 64 and not f".{domain}".endswith(_SPECIAL_SUFFIXES)


def email_match_key(email: str) -> str:
    """Return the provider-aware match key of an already lower-cased, valid address.

    Examples:
        >>> email_match_key("t.a.r.o+x@gmail.com")
        'taro@gmail.com'
        >>> email_match_key("hanako-shop@yahoo.com")
        'hanako@yahoo.com'
        >>> email_match_key("info+jp@example.co.jp")
        'info+jp@example.co.jp'
    """
    local, _, domain = email.rpartition("@")
    if domain in _GMAIL:
        local = local.split("+", 1)[0].replace(".", "")
        domain = "gmail.com"
    elif domain in _PLUS_TAG:
        local = local.split("+", 1)[0].rstrip(".")  # "0.+x" -> "0": "0.@" is no address
    elif domain in _DASH_TAG:
        local = local.split("-", 1)[0].rstrip(".")
    if not local:  # "+tag@gmail.com" or "-x@yahoo.com": keep what was given
        return email
    return f"{local}@{domain}"


def normalize_email_column(values: Any) -> EmailColumns:
    """Column form of :func:`normalize_email`, computed once per distinct value.

    Plainly written addresses (ASCII, no spaces or brackets) are normalized by Arrow
    compute over the whole column (``_email_fast``); the others once per distinct value.

    Examples:
        >>> cols = normalize_email_column(["A@x.jp", "A@x.jp", None, "bad"])
        >>> cols.email.to_pylist(), cols.valid.to_pylist()
        (['a@x.jp', 'a@x.jp', None, 'bad'], [True, True, None, False])
    """
    array = as_string_array(values, what="normalize_email_column")
    fast = plain_emails(
        array,
        special_suffixes=_SPECIAL_SUFFIXES,
        gmail=_GMAIL,
        plus_tag=_PLUS_TAG,
        dash_tag=_DASH_TAG,
    )
    count = len(fast.rows)
    known = {
        "email": fast.email,
        "match_key": fast.match_key,
        "valid": pa.array(np.ones(count, dtype=bool)),
        "reason": pa.nulls(count, pa.string()),
    }
    arrays = map_rest_fields(
        array, fast.rows, known, normalize_email, _FIELDS, what="normalize_email_column"
    )
    return EmailColumns(**arrays)


_FIELDS = (
    ("email", pa.string()),
    ("match_key", pa.string()),
    ("valid", pa.bool_()),
    ("reason", pa.string()),
)
