"""Identifier keys found in the raw text of rejected rows, for erasure and suppression.

A reject keeps the raw row it could not read (for repair and re-ingest), so it may hold
an e-mail address, a phone number or a source id of a person who is later forgotten. The
raw text has no columns to trust — a line of a broken CSV, a malformed JSON line — so its
keys are found in the text itself, in the form
:func:`~dchkit.profile.privacy.identifier_keys` gives a record's:

- ``email=…`` for every token that holds an ``@``, cleaned as the e-mail normalizer
  cleans it;
- ``phone=…`` for every run of digits and separators that parses as a valid phone number
  (E.164, the default region for national numbers);
- ``record_id={source}:{token}`` for every token, so a person's row rejected by its own
  source (a bad date in the CRM contact) is found by its source id;
- ``{type}={token}`` for every token and each external id type asked for.

A name alone does not tie a row to one person, so a reject that only names someone is not
found. Matching is by whole tokens: a short id cannot hit inside a longer number.

Examples:
    >>> import pyarrow as pa
    >>> rejects = pa.table({"source": ["crm", "crm"], "raw": [
    ...     '003A,山田,Taro@Example.jp,03-1234-5678,1980-13-45',
    ...     '003B,佐藤,,,']})
    >>> keys, rows = reject_keys(rejects)
    >>> sorted(k for k, r in zip(keys, rows) if r == 0 and not k.startswith("record_id="))
    ['email=taro@example.jp', 'phone=+81312345678']
    >>> sorted(k for k, r in zip(keys, rows) if r == 1)
    ['record_id=crm:003B', 'record_id=crm:佐藤']
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
import pyarrow as pa

from dchkit.errors import DchkitError
from dchkit.normalize.email import normalize_email
from dchkit.normalize.phone import normalize_phone
from dchkit.profile.privacy import hash_keys

__all__ = ["reject_keys", "rejects_holding", "suppressed_rejects"]

#: Tokens: runs of characters that are not separators of CSV, JSON, key=value or prose.
_TOKEN = re.compile(r"[^\s,;|\t\"'`{}\[\]()<>=\\]+")
#: Phone-number candidates: a digit, then digits and the separators people write, a digit.
_PHONE = re.compile(r"\+?\(?\d[\d\-\s().]{5,20}\d")
#: Fewer digits than this is a date, an amount or a short code, not a phone number.
_PHONE_DIGITS = 8


def reject_keys(
    rejects: pa.Table, *, region: str = "JP", id_types: Sequence[str] = ()
) -> tuple[list[str], list[int]]:
    """Every identifier key found in each reject's raw text, with the reject's row number.

    Args:
        rejects: Rows with ``source`` and ``raw`` (``REJECTS_SCHEMA`` or the stored rejects).
        region: Region of phone numbers written without a country code.
        id_types: External id types to try every token as (``crm_id`` …).
    """
    keys: list[str] = []
    rows: list[int] = []
    sources = rejects.column("source").to_pylist()
    raws = rejects.column("raw").to_pylist()
    for row, (source, raw) in enumerate(zip(sources, raws, strict=True)):
        if not raw:
            continue
        found: set[str] = set()
        for token in _TOKEN.findall(raw):
            if "@" in token:
                email = _email(token.strip(".:"))
                if email is not None:
                    found.add(f"email={email}")
            found.add(f"record_id={source}:{token}")
            found.update(f"{kind}={token}" for kind in id_types)
        for candidate in _PHONE.findall(raw):
            phone = _phone(candidate, region)
            if phone is not None:
                found.add(f"phone={phone}")
        keys.extend(found)
        rows.extend([row] * len(found))
    return keys, rows


def rejects_holding(
    rejects: pa.Table, keys: Sequence[str], *, region: str = "JP", id_types: Sequence[str] = ()
) -> np.ndarray:
    """A boolean per reject: does its raw text hold any of the identifier ``keys``?"""
    wanted = set(keys)
    flags = np.zeros(rejects.num_rows, dtype=bool)
    if not wanted:
        return flags
    found, rows = reject_keys(rejects, region=region, id_types=id_types)
    for key, row in zip(found, rows, strict=True):
        if key in wanted:
            flags[row] = True
    return flags


def suppressed_rejects(
    rejects: pa.Table,
    suppressions: pa.Table,
    salt: bytes,
    *,
    region: str = "JP",
    found: tuple[list[str], list[int]] | None = None,
) -> np.ndarray:
    """A boolean per reject: does its raw text hold an identifier of an erased person?

    The suppression table holds salted hashes only, so the keys found in each raw row are
    hashed and looked up (external ids are found through ``record_id=…`` only: a hash does
    not say which id types were erased). ``found``: :func:`reject_keys` of ``rejects``,
    when the caller has them already.
    """
    flags = np.zeros(rejects.num_rows, dtype=bool)
    if suppressions.num_rows == 0 or rejects.num_rows == 0:
        return flags
    keys, rows = reject_keys(rejects, region=region) if found is None else found
    erased = set(suppressions.column("key_hash").to_pylist())
    for digest, row in zip(hash_keys(keys, salt), rows, strict=True):
        if digest in erased:
            flags[row] = True
    return flags


@lru_cache(maxsize=65_536)
def _email(token: str) -> str | None:
    try:
        result = normalize_email(token)
    except DchkitError:
        return None
    return result.email if result.valid else None


@lru_cache(maxsize=65_536)
def _phone(candidate: str, region: str) -> str | None:
    if sum(ch.isdigit() for ch in candidate) < _PHONE_DIGITS:
        return None
    try:
        result = normalize_phone(candidate.strip(), region=region)
    except DchkitError:
        return None
    return result.e164 if result.valid else None
