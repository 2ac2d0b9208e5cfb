"""``dchkit version`` and ``dchkit demo``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from dchkit._version import __version__
from dchkit.cli.app import app
from dchkit.errors import ConfigError

__all__: list[str] = []


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

    if locale not in ("ja", "en"):
        msg = f"--locale must be ja or en, got {locale!r}"
        raise ConfigError(msg, fix="pass --locale ja or --locale en")
    console = Console(stderr=as_json)
    summary = run_demo(
        people=people, locale=locale, seed=seed, directory=directory, console=console
    )
    if as_json:
        sys.stdout.write(json.dumps(summary, ensure_ascii=False, indent=2, default=str) + "\n")
