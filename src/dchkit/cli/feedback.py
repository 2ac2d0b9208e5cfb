"""``dchkit feedback must-link | cannot-link | split-out``: decisions every resolve honours."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

from dchkit.cli.app import AsJson, HubPath, app, open_hub
from dchkit.cli.output import emit

if TYPE_CHECKING:
    from dchkit.hub import Hub

__all__ = ["feedback_app"]

feedback_app = typer.Typer(help="Human decisions about records that every resolve honours.")
app.add_typer(feedback_app, name="feedback", no_args_is_help=True)

Note = Annotated[str | None, typer.Option(help="Why (kept with the decision).")]
Resolve = Annotated[bool, typer.Option("--resolve", help="Resolve the hub right away.")]


def _after(
    hub: Hub, kind: str, records: list[str], note: str | None, resolve: bool, as_json: bool
) -> None:
    data: dict[str, Any] = {"kind": kind, "records": records, "note": note, "resolved": resolve}
    if resolve:
        report = hub.resolve()
        data["customers"] = report.customers
        data["merged"], data["split"] = report.merged, report.split

    def render(console: Console, data: dict[str, Any]) -> None:
        console.print(f"recorded {data['kind']} for {', '.join(data['records'])}")
        if not data["resolved"]:
            console.print("it applies at the next [bold]dchkit resolve[/bold]")

    emit(data, as_json=as_json, render=render)


@feedback_app.command("must-link")
def must_link(
    left: Annotated[str, typer.Argument(help="A record id.")],
    right: Annotated[str, typer.Argument(help="Another record id.")],
    note: Note = None,
    resolve: Resolve = False,
    hub: HubPath = Path("customers.db"),
    as_json: AsJson = False,
) -> None:
    """Two records are the same customer."""
    with open_hub(hub) as opened:
        opened.feedback.must_link(left, right, note=note)
        _after(opened, "must_link", [left, right], note, resolve, as_json)


@feedback_app.command("cannot-link")
def cannot_link(
    left: Annotated[str, typer.Argument(help="A record id.")],
    right: Annotated[str, typer.Argument(help="Another record id.")],
    note: Note = None,
    resolve: Resolve = False,
    hub: HubPath = Path("customers.db"),
    as_json: AsJson = False,
) -> None:
    """Two records are never the same customer."""
    with open_hub(hub) as opened:
        opened.feedback.cannot_link(left, right, note=note)
        _after(opened, "cannot_link", [left, right], note, resolve, as_json)


@feedback_app.command("split-out")
def split_out(
    record_id: Annotated[str, typer.Argument(help="The record to take out of its customer.")],
    note: Note = None,
    resolve: Resolve = False,
    hub: HubPath = Path("customers.db"),
    as_json: AsJson = False,
) -> None:
    """A record does not belong with the other records of its customer."""
    with open_hub(hub) as opened:
        opened.feedback.split_out(record_id, note=note)
        _after(opened, "split_out", [record_id], note, resolve, as_json)
