"""The ``dchkit`` Typer application, its shared options and how errors become exit codes.

Exit codes: 0 success; 1 the customer, record or segment asked for does not exist;
2 any other dchkit error (the message says what is wrong and what to do) or a usage
error (Typer's own message).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from dchkit.errors import DchkitError, ProfileNotFoundError, StoreError

if TYPE_CHECKING:
    from dchkit.hub import Hub

__all__ = [
    "EXIT_ERROR",
    "EXIT_NOT_FOUND",
    "AsJson",
    "HubPath",
    "app",
    "exit_code_of",
    "open_hub",
    "report_error",
]

EXIT_NOT_FOUND = 1
EXIT_ERROR = 2
#: Meta key of the hub's default phone region, set by ``dchkit init --region``.
REGION_META = "cli.default_region"


def exit_code_of(error: DchkitError) -> int:
    """1 when something asked for does not exist, else 2."""
    return EXIT_NOT_FOUND if isinstance(error, ProfileNotFoundError) else EXIT_ERROR


def report_error(error: DchkitError, *, as_json: bool) -> None:
    """Print an error on standard error (and as JSON on standard output with ``--json``)."""
    from dchkit.cli.output import err_console

    if as_json:
        body = {"error": error.code, "message": error.message, "fix": error.fix}
        sys.stdout.write(json.dumps(body, ensure_ascii=False) + "\n")
    from rich.markup import escape

    err_console().print(
        f"[bold red]error[/bold red] {escape(str(error))}", highlight=False, soft_wrap=True
    )


#: The order of ``dchkit --help``: the hub's life cycle first.
COMMAND_ORDER = (
    "init", "ingest", "resolve", "profile", "segment", "explain", "feedback", "changes",
    "forget", "lift-suppression", "export", "rejects", "keys", "serve", "demo", "bench", "version",
)  # fmt: skip


class _Group(TyperGroup):
    """The root command group: turns dchkit errors into a message and an exit code.

    ``ctx`` is Typer's (vendored) click context, typed ``Any`` to stay out of its internals.
    """

    def list_commands(self, ctx: Any) -> list[str]:
        names = super().list_commands(ctx)
        rank = {name: i for i, name in enumerate(COMMAND_ORDER)}
        return sorted(names, key=lambda name: (rank.get(name, len(rank)), name))

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        ctx.meta["dchkit.json"] = "--json" in args
        return super().parse_args(ctx, args)

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except DchkitError as error:
            report_error(error, as_json=bool(ctx.meta.get("dchkit.json")))
            raise typer.Exit(exit_code_of(error)) from error


app = typer.Typer(
    name="dchkit",
    cls=_Group,
    help="dchkit: resolve customer identities across systems and build one profile per customer.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

HubPath = Annotated[
    Path,
    typer.Option(
        "--hub",
        envvar="DCHKIT_HUB",
        help="The hub's SQLite file (env DCHKIT_HUB).",
        show_default=True,
    ),
]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]


@contextmanager
def open_hub(path: Path, *, create: bool = False) -> Iterator[Hub]:
    """Open the hub at ``path`` (and close it); a missing file is an error unless ``create``.

    Raises:
        StoreError: there is no hub at ``path``.
    """
    from dchkit.hub import Hub

    if not create and not path.exists():
        msg = f"no hub at {str(path)!r}"
        raise StoreError(
            msg, fix=f"create it with `dchkit init --hub {path}`, or pass --hub / set DCHKIT_HUB"
        )
    hub = Hub(path)
    try:
        region = hub.store.get_meta(REGION_META)
        if region:
            hub.default_region = region
        yield hub
    finally:
        hub.close()
