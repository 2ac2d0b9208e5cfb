"""The ``dchkit`` command line.

Today it runs the end-to-end demo on the synthetic world; the commands for a persistent hub
(``init``, ``ingest``, ``resolve``, ``profile`` …) arrive with the hub layer.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from dchkit._version import __version__
from dchkit.errors import DchkitError

__all__ = ["app", "main"]

app = typer.Typer(
    name="dchkit",
    help="dchkit: resolve customer identities across systems and build one profile per customer.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.command()
def version() -> None:
    """Print the dchkit version."""
    typer.echo(__version__)


@app.command()
def demo(
    people: Annotated[int, typer.Option(min=50, help="True people in the synthetic world.")] = 1500,
    locale: Annotated[str, typer.Option(help="ja or en.")] = "ja",
    seed: Annotated[int, typer.Option(help="Seed of the world (same seed, same world).")] = 7,
    directory: Annotated[
        Path, typer.Option("--dir", help="Where exports and results are written.")
    ] = Path("dchkit-demo"),
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON summary only.")] = False,
) -> None:
    """Generate a synthetic multi-source world, read it through the presets, resolve it."""
    from dchkit.demo import run_demo  # keeps `dchkit --help` fast

    console = Console(stderr=as_json)
    if locale not in ("ja", "en"):
        console.print(f"[red]--locale must be ja or en, got {locale!r}[/red]")
        raise typer.Exit(2)
    summary = run_demo(
        people=people, locale=locale, seed=seed, directory=directory, console=console
    )
    if as_json:
        sys.stdout.write(json.dumps(summary, ensure_ascii=False, indent=2, default=str) + "\n")


def _print_error(error: DchkitError) -> None:
    console = Console(stderr=True)
    table = Table.grid(padding=(0, 1))
    table.add_row("[bold red]error[/bold red]", str(error))
    console.print(table)


def main(argv: list[str] | None = None) -> Any:
    """Entry point of the ``dchkit`` script: dchkit errors exit 1 with their message."""
    try:
        return app(args=argv, standalone_mode=True)
    except DchkitError as error:
        _print_error(error)
        raise SystemExit(1) from error
