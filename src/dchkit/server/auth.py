"""Who may call the HTTP API: bearer API keys checked against their stored hashes.

Keys are reread from the hub every few seconds (and whenever an unknown key id shows
up), so keys created or revoked with ``dchkit keys`` in another process take effect
without a restart.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from dchkit.server.keys import ApiKey, Scope, allows, key_id_of, list_keys, verify_key

if TYPE_CHECKING:
    from dchkit.hub import Hub

__all__ = ["KeyRing", "require"]

_bearer = HTTPBearer(
    auto_error=False,
    scheme_name="ApiKey",
    description="An API key from `dchkit keys create`, sent as `Authorization: Bearer <key>`.",
)


class KeyRing:
    """The hub's API keys, cached for ``ttl`` seconds."""

    def __init__(self, hub: Hub, ttl: float = 5.0) -> None:
        self.hub = hub
        self.ttl = ttl
        self._keys: list[ApiKey] = []
        self._loaded = -float("inf")
        self._lock = threading.Lock()

    def _refresh(self, force: bool = False) -> list[ApiKey]:
        with self._lock:
            if force or time.monotonic() - self._loaded > self.ttl:
                self._keys = list_keys(self.hub)
                self._loaded = time.monotonic()
            return self._keys

    def verify(self, token: str) -> ApiKey | None:
        """The live key of ``token``, or None."""
        keys = self._refresh()
        key_id = key_id_of(token)
        if key_id is not None and all(k.key_id != key_id for k in keys):
            keys = self._refresh(force=True)  # created since the last read
        return verify_key(self.hub, token, keys)


def require(scope: Scope) -> Any:
    """A dependency admitting keys of ``scope`` or above: 401 without a valid key, 403 below."""

    def check(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> ApiKey:
        challenge = {"WWW-Authenticate": 'Bearer realm="dchkit"'}
        if credentials is None:
            raise HTTPException(401, "an API key is required", headers=challenge)
        ring: KeyRing = request.app.state.keys
        key = ring.verify(credentials.credentials)
        if key is None:
            raise HTTPException(401, "the API key is unknown or revoked", headers=challenge)
        if not allows(key.scope, scope):
            raise HTTPException(403, f"this needs a {scope} key; the key given is {key.scope}")
        return key

    return Depends(check)
