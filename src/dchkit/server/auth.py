"""Who may call the HTTP API: bearer API keys checked against their stored hashes.

Keys are reread from the hub every few seconds (and whenever an unknown key id shows
up), so keys created or revoked with ``dchkit keys`` in another process take effect
without a restart.

Checking a key is a SHA-256 of the token and a comparison with the cached list (about a
microsecond), so it runs on the event loop; only a reread of the keys, which reads the
hub, goes to a worker thread.
"""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

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

    def stale(self, token: str) -> bool:
        """Whether checking ``token`` needs the keys reread from the hub first.

        They do when they are older than ``ttl``, or when the token names a key id the
        cached list lacks (created since the last read).
        """
        if time.monotonic() - self._loaded > self.ttl:
            return True
        key_id = key_id_of(token)
        return key_id is not None and all(k.key_id != key_id for k in self._keys)

    def refresh(self) -> None:
        """Reread the keys from the hub (blocking: reads the store)."""
        keys = list_keys(self.hub)
        with self._lock:
            self._keys, self._loaded = keys, time.monotonic()

    def check(self, token: str) -> ApiKey | None:
        """The live key of ``token`` among the cached keys, or None (no store read)."""
        return verify_key(self.hub, token, self._keys)

    def verify(self, token: str) -> ApiKey | None:
        """The live key of ``token``, or None (rereads the keys when :meth:`stale`)."""
        if self.stale(token):
            self.refresh()
        return self.check(token)


def require(scope: Scope) -> Any:
    """A dependency admitting keys of ``scope`` or above: 401 without a valid key, 403 below."""

    async def check(
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    ) -> ApiKey:
        challenge = {"WWW-Authenticate": 'Bearer realm="dchkit"'}
        if credentials is None:
            raise HTTPException(401, "an API key is required", headers=challenge)
        ring: KeyRing = request.app.state.keys
        token = credentials.credentials
        if ring.stale(token):
            await run_in_threadpool(ring.refresh)
        key = ring.check(token)
        if key is None:
            raise HTTPException(401, "the API key is unknown or revoked", headers=challenge)
        if not allows(key.scope, scope):
            raise HTTPException(403, f"this needs a {scope} key; the key given is {key.scope}")
        return key

    return Depends(check)
