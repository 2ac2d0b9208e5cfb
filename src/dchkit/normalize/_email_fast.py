"""Plainly written e-mail addresses, normalized column-wise without Python.

An address such as ``Taro.Yamada+shop@Example.co.jp``, ASCII without spaces or brackets,
is one that :func:`~dchkit.normalize.normalize_email` only lower-cases: cleaning changes
nothing, and once lower-cased it has the plain shape email-validator accepts unchanged
(``email._is_plain``). Its match key is the provider rule (``email.email_match_key``)
written with Arrow string functions. ``tests/property/test_normalize_columnar.py`` checks
both paths give the same.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["FastEmails", "plain_emails"]

# email._PLAIN, any case, on the raw value (lower-casing is all that happens before it).
_PLAIN_RAW = (
    r"^[A-Za-z0-9_+\-]+(?:\.[A-Za-z0-9_+\-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)


@dataclass(frozen=True)
class FastEmails:
    """Results for the ``rows`` the fast path answered (all valid, no reason)."""

    rows: np.ndarray
    email: pa.Array
    match_key: pa.Array


def plain_emails(
    values: pa.Array,
    *,
    special_suffixes: tuple[str, ...],
    gmail: frozenset[str],
    plus_tag: frozenset[str],
    dash_tag: frozenset[str],
) -> FastEmails:
    """Normalize the values of a string column that have the plain shape.

    Args:
        values: The column (Arrow ``string``).
        special_suffixes: ``.name`` of each special-use domain (left to email-validator).
        gmail: Domains whose local part ignores dots and a ``+tag``.
        plus_tag: Domains whose local part ignores a ``+tag``.
        dash_tag: Domains whose local part ignores a ``-keyword``.
    """
    plain = pc.and_(
        pc.and_(
            pc.match_substring_regex(values, _PLAIN_RAW),
            pc.less_equal(pc.utf8_length(values), 254),
        ),
        pc.invert(pc.match_substring(values, "--")),
    )
    rows = np.flatnonzero(pc.fill_null(plain, False).to_numpy(zero_copy_only=False))
    email = pc.utf8_lower(values.take(pa.array(rows, pa.int64())))
    local = pc.replace_substring_regex(email, "@.*$", "")
    domain = pc.replace_substring_regex(email, "^.*@", "")
    keep = pc.less_equal(pc.utf8_length(local), 64)
    if special_suffixes:  # ".local": the domain is "local" or ends with ".local"
        names = "|".join(re.escape(suffix[1:]) for suffix in special_suffixes)
        special = pc.match_substring_regex(domain, f"^(?:.*\\.)?(?:{names})$")
        keep = pc.and_(keep, pc.invert(special))
    keep_np = keep.to_numpy(zero_copy_only=False)
    if not keep_np.all():
        rows, email, local, domain = (
            rows[keep_np],
            email.filter(keep),
            local.filter(keep),
            domain.filter(keep),
        )
    is_gmail = pc.is_in(domain, value_set=pa.array(sorted(gmail), pa.string()))
    is_plus = pc.is_in(domain, value_set=pa.array(sorted(plus_tag), pa.string()))
    is_dash = pc.is_in(domain, value_set=pa.array(sorted(dash_tag), pa.string()))
    untagged = pc.replace_substring_regex(local, r"\+.*$", "")
    key_local = pc.if_else(
        is_gmail,
        pc.replace_substring(untagged, ".", ""),
        pc.if_else(
            is_plus,
            pc.utf8_rtrim(untagged, characters="."),  # "0.+x" -> "0": "0.@" is no address
            pc.if_else(
                is_dash,
                pc.utf8_rtrim(pc.replace_substring_regex(local, "-.*$", ""), characters="."),
                local,
            ),
        ),
    )
    key_domain = pc.if_else(is_gmail, "gmail.com", domain)
    key = pc.if_else(
        pc.equal(key_local, ""),  # "+tag@gmail.com": keep what was given
        email,
        pc.binary_join_element_wise(key_local, key_domain, "@"),
    )
    return FastEmails(rows=rows, email=email, match_key=key)
