"""The HTTP API of a hub (extra ``server``: FastAPI and uvicorn).

:func:`create_app` builds the app over a :class:`dchkit.Hub`; ``dchkit serve`` runs it
with uvicorn; ``dchkit keys create --scope read|write|admin`` makes the API keys it
accepts (stored hashed in the hub). Routes live under ``/v1``; the OpenAPI document is at
``/openapi.json`` and interactive docs at ``/docs``.

Examples:
    >>> import dchkit as dch
    >>> from fastapi.testclient import TestClient
    >>> from dchkit.server import create_app, create_key
    >>> hub = dch.Hub()
    >>> _ = hub.ingest([{"id": "1", "email": "taro@example.jp"}], source="crm")
    >>> _ = hub.resolve()
    >>> _, token = create_key(hub, "read")
    >>> client = TestClient(create_app(hub))
    >>> found = client.post("/v1/customers/lookup", json={"email": "taro@example.jp"},
    ...                     headers={"Authorization": f"Bearer {token}"})
    >>> found.status_code, [r["record_id"] for r in found.json()["records"]]
    (200, ['crm:1'])
    >>> client.get("/v1/customers/x").status_code
    401
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dchkit.server.keys import SCOPES, ApiKey, create_key, list_keys, revoke_key, verify_key

if TYPE_CHECKING:
    from dchkit.server.app import create_app

__all__ = [
    "SCOPES",
    "ApiKey",
    "create_app",
    "create_key",
    "list_keys",
    "revoke_key",
    "verify_key",
]


def __getattr__(name: str) -> Any:
    # FastAPI is imported only when the app is asked for (keys work without the extra).
    if name == "create_app":
        from dchkit.server.app import create_app

        return create_app
    msg = f"module 'dchkit.server' has no attribute {name!r}"
    raise AttributeError(msg)
