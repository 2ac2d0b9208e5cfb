"""API keys of the HTTP API: created once, shown once, stored only as hashes.

A key is ``dch_<key id>_<secret>``. The hub keeps, per key, its id, name, scope, the
SHA-256 of the whole key and when it was created or revoked (in the hub's meta area), never
the key itself: a stolen hub file gives no access. Keys are 256-bit random, so a plain
hash is enough (a slow password hash protects guessable secrets, not random ones).

Scopes nest: ``read`` reads profiles, timelines, segments and the change feed; ``write``
also ingests, defines segments and records feedback; ``admin`` also erases customers
and runs batch resolves.

Examples:
    >>> import dchkit as dch
    >>> hub = dch.Hub()
    >>> info, token = create_key(hub, "read", name="crm-sync")
    >>> verify_key(hub, token).scope, verify_key(hub, token + "x")
    ('read', None)
    >>> [k.name for k in list_keys(hub)], allows("write", "read"), allows("read", "write")
    (['crm-sync'], True, False)
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Literal

from dchkit.errors import ConfigError, ProfileNotFoundError

if TYPE_CHECKING:
    from dchkit.hub import Hub

__all__ = [
    "SCOPES",
    "ApiKey",
    "Scope",
    "allows",
    "create_key",
    "key_id_of",
    "list_keys",
    "revoke_key",
    "verify_key",
]

Scope = Literal["read", "write", "admin"]
#: Scopes from least to most powerful; each includes the ones before it.
SCOPES: tuple[Scope, ...] = ("read", "write", "admin")
_META = "server.api_keys"
_PREFIX = "dch_"


@dataclass(frozen=True)
class ApiKey:
    """What the hub keeps about one key (never the key itself).

    Attributes:
        key_id: Public id, the part of the key after ``dch_`` and before the secret.
        name: A label (who or what uses it).
        scope: ``read``, ``write`` or ``admin``.
        sha256: Hex SHA-256 of the whole key.
        created_at: When it was created (UTC, ISO 8601).
        revoked_at: When it was revoked, or None while it works.
    """

    key_id: str
    name: str
    scope: Scope
    sha256: str
    created_at: str
    revoked_at: str | None = None


def allows(granted: str, needed: str) -> bool:
    """Whether a key of scope ``granted`` may do what needs ``needed``."""
    return SCOPES.index(granted) >= SCOPES.index(needed)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def list_keys(hub: Hub) -> list[ApiKey]:
    """Every key the hub knows, revoked ones too, oldest first."""
    text = hub.store.get_meta(_META)
    return [ApiKey(**item) for item in json.loads(text)] if text else []


def _save(hub: Hub, keys: list[ApiKey]) -> None:
    hub.store.set_meta(_META, json.dumps([asdict(k) for k in keys]))


def create_key(hub: Hub, scope: str, *, name: str = "") -> tuple[ApiKey, str]:
    """Create a key; returns what is stored and the key itself (shown this once).

    Raises:
        ConfigError: ``scope`` is not read, write or admin.
    """
    if scope not in SCOPES:
        msg = f"scope must be one of {list(SCOPES)}, got {scope!r}"
        raise ConfigError(msg, fix="use --scope read, write or admin")
    key_id = secrets.token_hex(6)
    token = f"{_PREFIX}{key_id}_{secrets.token_urlsafe(32)}"
    info = ApiKey(
        key_id=key_id,
        name=name,
        scope=scope,
        sha256=_digest(token),
        created_at=datetime.now(UTC).isoformat(),
    )
    with hub.store.transaction():
        _save(hub, [*list_keys(hub), info])
    return info, token


def revoke_key(hub: Hub, key_id: str) -> ApiKey:
    """Revoke a key by its id; it stops working at once (a server rereads within seconds).

    Raises:
        ProfileNotFoundError: no key has that id.
    """
    with hub.store.transaction():
        keys = list_keys(hub)
        found = next((k for k in keys if k.key_id == key_id), None)
        if found is None:
            msg = f"no API key has id {key_id!r}"
            raise ProfileNotFoundError(msg, fix="list them with `dchkit keys list`")
        revoked = replace(found, revoked_at=found.revoked_at or datetime.now(UTC).isoformat())
        _save(hub, [revoked if k.key_id == key_id else k for k in keys])
    return revoked


def key_id_of(token: str) -> str | None:
    """The id part of a key, or None when it does not look like a dchkit key."""
    if not token.startswith(_PREFIX):
        return None
    key_id, sep, secret = token[len(_PREFIX) :].partition("_")
    return key_id if sep and key_id and secret else None


def verify_key(hub: Hub, token: str, keys: list[ApiKey] | None = None) -> ApiKey | None:
    """The live key matching ``token``, or None (unknown, malformed or revoked)."""
    key_id = key_id_of(token)
    if key_id is None:
        return None
    for key in list_keys(hub) if keys is None else keys:
        if key.key_id == key_id and key.revoked_at is None:
            return key if hmac.compare_digest(key.sha256, _digest(token)) else None
    return None
