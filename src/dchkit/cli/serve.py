"""``dchkit serve`` (the HTTP API) and ``dchkit keys create | list | revoke``."""

from __future__ import annotations

import logging
import os
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from dchkit.cli.app import AsJson, HubPath, app, open_hub
from dchkit.cli.output import emit
from dchkit.errors import ConnectorDependencyError

__all__ = ["keys_app"]

keys_app = typer.Typer(help="API keys of the HTTP API (stored hashed in the hub).")
app.add_typer(keys_app, name="keys", no_args_is_help=True)


@keys_app.command("create")
def create(
    scope: Annotated[str, typer.Option(help="read, write (also read) or admin (everything).")],
    name: Annotated[str, typer.Option(help="Who or what uses the key.")] = "",
    hub: HubPath = Path("customers.db"),
    as_json: AsJson = False,
) -> None:
    """Create an API key; it is printed this once and only its hash is kept."""
    from dchkit.server.keys import create_key

    with open_hub(hub) as opened:
        info, token = create_key(opened, scope, name=name)
    data = {"key": token, **{k: v for k, v in asdict(info).items() if k != "sha256"}}

    def render(console: Console, data: dict[str, Any]) -> None:
        console.print(f"{data['scope']} key {data['key_id']} ({data['name'] or 'no name'}):")
        console.print(data["key"], highlight=False)
        console.print("[dim]store it now: only its hash is kept[/dim]")

    emit(data, as_json=as_json, render=render)


@keys_app.command("list")
def list_(hub: HubPath = Path("customers.db"), as_json: AsJson = False) -> None:
    """Every key: id, name, scope, created, revoked (never the key)."""
    from dchkit.server.keys import list_keys

    with open_hub(hub) as opened:
        data = [{k: v for k, v in asdict(i).items() if k != "sha256"} for i in list_keys(opened)]

    def render(console: Console, data: list[dict[str, Any]]) -> None:
        table = Table(title=f"{len(data)} keys", title_justify="left")
        for column in ("key_id", "name", "scope", "created_at", "revoked_at"):
            table.add_column(column)
        for k in data:
            table.add_row(
                *(str(k[c] or "") for c in ("key_id", "name", "scope", "created_at", "revoked_at"))
            )
        console.print(table)

    emit(data, as_json=as_json, render=render)


@keys_app.command("revoke")
def revoke(
    key_id: Annotated[str, typer.Argument(help="The key's id (see `dchkit keys list`).")],
    hub: HubPath = Path("customers.db"),
    as_json: AsJson = False,
) -> None:
    """Revoke a key (a running server stops accepting it within seconds)."""
    from dchkit.server.keys import revoke_key

    with open_hub(hub) as opened:
        info = revoke_key(opened, key_id)
    data = {k: v for k, v in asdict(info).items() if k != "sha256"}

    def render(console: Console, data: dict[str, Any]) -> None:
        console.print(f"revoked key {data['key_id']} at {data['revoked_at']}")

    emit(data, as_json=as_json, render=render)


@app.command()
def serve(
    hub: HubPath = Path("customers.db"),
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port.")] = 8000,
    max_body: Annotated[
        int, typer.Option(min=1024, help="Largest request body in bytes (413 above).")
    ] = 8 * 1024 * 1024,
    log_level: Annotated[str, typer.Option(help="debug, info, warning or error.")] = "info",
    workers: Annotated[
        int,
        typer.Option(
            min=1, max=64, help="Processes (each opens the hub; SQLite serializes writes)."
        ),
    ] = 1,
) -> None:
    """Serve the hub's HTTP API (OpenAPI at /docs); needs the ``server`` extra."""
    try:
        import uvicorn

        from dchkit.server.app import HUB_ENV, MAX_BODY_ENV, create_app
    except ImportError as error:
        msg = f"the HTTP server needs FastAPI and uvicorn ({error.name} is missing)"
        raise ConnectorDependencyError(msg, fix="pip install 'dchkit[server]'") from error
    logging.basicConfig(level=log_level.upper(), format="%(asctime)s %(name)s %(message)s")
    # uvicorn's own access log prints paths with their query strings (e-mail addresses,
    # phone numbers): dchkit.server.access logs route templates instead.
    options: dict[str, Any] = {
        "host": host,
        "port": port,
        "access_log": False,
        "log_level": log_level,
    }
    if workers > 1:
        with open_hub(hub):
            pass  # fail here, not in every worker, when there is no hub
        os.environ[HUB_ENV], os.environ[MAX_BODY_ENV] = str(hub.resolve()), str(max_body)
        uvicorn.run(
            "dchkit.server.app:app_from_environment", factory=True, workers=workers, **options
        )
        return
    with open_hub(hub) as opened:
        uvicorn.run(create_app(opened, max_body=max_body, settle=True), **options)
