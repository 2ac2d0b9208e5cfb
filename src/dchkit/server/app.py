"""The HTTP API over a :class:`dchkit.Hub`: :func:`create_app` builds the FastAPI app.

One hub serves every request. Reads run concurrently (the store serializes what it
must); writes take one lock, so ingests, feedback and erasures apply one at a time.
"""

from __future__ import annotations

import contextlib
import gc
import os
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fastapi import Depends, FastAPI

from dchkit._version import __version__
from dchkit.errors import DchkitError, StoreError
from dchkit.server.auth import KeyRing
from dchkit.server.middleware import AccessLog, BodyLimit
from dchkit.server.problems import Problem, install_problem_handlers, reject_unknown_query

if TYPE_CHECKING:
    from dchkit.hub import Hub

__all__ = [
    "DEFAULT_MAX_BODY",
    "HUB_ENV",
    "MAX_BODY_ENV",
    "app_from_environment",
    "create_app",
    "settle",
    "warm_up",
]

#: Environment variables :func:`app_from_environment` reads (set by ``dchkit serve``).
HUB_ENV = "DCHKIT_SERVER_HUB"
MAX_BODY_ENV = "DCHKIT_SERVER_MAX_BODY"

#: Largest request body accepted by default (bytes).
DEFAULT_MAX_BODY = 8 * 1024 * 1024

_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": Problem, "content": {"application/problem+json": {}}, "description": text}
    for status, text in (
        (400, "The body cannot be read as JSON (e.g. not UTF-8); nothing was written."),
        (401, "No API key, or an unknown or revoked one."),
        (403, "The key's scope does not allow this."),
        (404, "No customer, record or segment has that id or identifier."),
        (409, "The identifier is shared by several customers (see candidates)."),
        (413, "The request body is over the size limit; nothing was written."),
        (422, "The request is invalid; nothing was written."),
        (503, "The hub's store is unavailable."),
    )
}


def create_app(
    hub: Hub | str | Path,
    *,
    max_body: int = DEFAULT_MAX_BODY,
    key_ttl: float = 5.0,
    settle: bool = False,
) -> FastAPI:
    """The HTTP API of a hub, as an ASGI app (run it with uvicorn, or ``dchkit serve``).

    Args:
        hub: A hub, or the path of an existing hub file.
        max_body: Largest request body in bytes; larger ones get 413.
        key_ttl: Seconds between rereads of the API keys.
        settle: Freeze the process's heap when the server starts (:func:`settle`): for a
            process that only serves (``dchkit serve`` sets it).

    Raises:
        StoreError: there is no hub file at the path.
    """
    from dchkit.hub import Hub
    from dchkit.server.routes_customers import router as customers
    from dchkit.server.routes_hub import router as hub_routes

    if not isinstance(hub, Hub):
        if not Path(hub).exists():
            msg = f"no hub at {str(hub)!r}"
            raise StoreError(msg, fix=f"create it with `dchkit init --hub {hub}`")
        hub = Hub(hub)
    api = FastAPI(
        dependencies=[Depends(reject_unknown_query)],
        title="dchkit",
        version=__version__,
        summary="Customer profiles, timelines, segments and identity resolution over a hub.",
        responses=_ERRORS,
        lifespan=_settled if settle else None,
    )
    api.state.hub = hub
    api.state.write_lock = threading.Lock()
    api.state.keys = KeyRing(hub, ttl=key_ttl)
    install_problem_handlers(api)
    api.include_router(customers)
    api.include_router(hub_routes)

    @api.get("/v1/health", tags=["meta"])
    async def health() -> dict[str, str]:
        """Liveness: the server runs (no key needed)."""
        return {"status": "ok", "version": __version__}

    api.add_middleware(BodyLimit, limit=max_body)
    api.add_middleware(AccessLog)  # added last: outermost, so it logs refused bodies too
    warm_up(hub)
    return api


def warm_up(hub: Hub) -> None:
    """Read one profile with its traits, so the first request does not pay the first-use costs.

    The first read imports the profile layer and opens the thread's read connection, and
    pyarrow imports pandas (when installed) on its first array built from Python values:
    ~1 s that would otherwise land on the first request.
    """
    from dchkit.cli.views import customer_profile

    first = hub.store.read("golden", columns=["customer_id"], limit=1)
    if first.num_rows:
        with contextlib.suppress(DchkitError):  # a bad row fails its own requests, not startup
            customer_profile(hub, {"customer_id": first.column(0)[0].as_py()})


def settle() -> None:
    """Prepare a server process for steady work once its app is built: freeze the heap.

    ``gc.freeze()`` moves every object alive now (modules, schemas, the app) out of the
    garbage collector's reach: a full collection then scans only what requests allocate
    (measured: 54–107 ms pauses without it, none over a few ms with it). For a process
    that runs the server only (``dchkit serve``): objects frozen are never collected.
    """
    gc.collect()
    gc.freeze()


@contextlib.asynccontextmanager
async def _settled(_: FastAPI) -> AsyncIterator[None]:
    settle()
    yield


def app_from_environment() -> FastAPI:
    """The app of the hub named by ``$DCHKIT_SERVER_HUB`` (a factory for uvicorn workers).

    Raises:
        StoreError: the variable is unset, or names no hub file.
    """
    path = os.environ.get(HUB_ENV)
    if not path:
        msg = f"{HUB_ENV} is not set"
        raise StoreError(msg, fix="run `dchkit serve --hub customers.db`, which sets it")
    return create_app(
        path, max_body=int(os.environ.get(MAX_BODY_ENV, DEFAULT_MAX_BODY)), settle=True
    )
