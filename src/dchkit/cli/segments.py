"""``dchkit segment define | list | members | materialize | export``."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from dchkit.cli.app import AsJson, HubPath, app, open_hub
from dchkit.cli.customers import Traits, export_to
from dchkit.cli.output import emit
from dchkit.cli.views import segment_views
from dchkit.errors import SegmentSyntaxError

__all__ = ["parse_rule", "segment_app"]

# Python refuses to convert integers of over 4,300 digits; no rule needs a tenth of that.
_LONG_NUMBER = re.compile(r"\d{101,}")

segment_app = typer.Typer(help="Segments: rules over traits, golden fields and events.")
app.add_typer(segment_app, name="segment", no_args_is_help=True)


def parse_rule(text: str) -> str | dict[str, Any]:
    """A rule as given: rule-language text, or a JSON condition tree when it starts with ``{``.

    Examples:
        >>> parse_rule('{"op": "==", "args": [{"field": "country"}, {"value": "JP"}]}')["op"]
        '=='
        >>> parse_rule('country == "JP"')
        'country == "JP"'
    """
    if not text.lstrip().startswith("{"):
        long_number = _LONG_NUMBER.search(text)
        if long_number is not None:
            msg = f"a number of {len(long_number[0])} digits at column {long_number.start() + 1}"
            raise SegmentSyntaxError(
                msg, fix="numbers in rules have at most 100 digits", column=long_number.start() + 1
            )
        return text
    try:
        tree = json.loads(text)
    except json.JSONDecodeError as error:
        msg = f"the rule looks like JSON but is not: {error.msg} at column {error.colno}"
        raise SegmentSyntaxError(
            msg, fix="give rule text, or a valid JSON condition tree", column=error.colno
        ) from error
    if not isinstance(tree, dict):
        msg = "a JSON rule must be an object"
        raise SegmentSyntaxError(msg, fix="give the condition tree as a JSON object")
    return tree


@segment_app.command("define")
def define(
    name: Annotated[str, typer.Argument(help="Segment name.")],
    rule: Annotated[str, typer.Argument(help="Rule text, or a JSON condition tree.")],
    description: Annotated[str, typer.Option(help="What the segment is for.")] = "",
    hub: HubPath = Path("customers.db"),
    as_json: AsJson = False,
) -> None:
    """Define (or redefine) a segment; the rule is checked against the hub now."""
    with open_hub(hub) as opened:
        segment = opened.segments.define(name, parse_rule(rule), description=description)
        members = len(opened.segments.members(name))
    data = {
        "name": segment.name,
        "rule": str(segment.rule),
        "condition": segment.rule.to_json(),
        "description": segment.description,
        "members": members,
    }

    def render(console: Console, data: dict[str, Any]) -> None:
        console.print(f"defined {data['name']}: {data['rule']} ({data['members']:,} members)")

    emit(data, as_json=as_json, render=render)


@segment_app.command("list")
def list_(hub: HubPath = Path("customers.db"), as_json: AsJson = False) -> None:
    """Every defined segment with its rule and stored member count."""
    with open_hub(hub) as opened:
        data = segment_views(opened)
        for item in data:
            item["stored_members"] = len(opened.segments.stored_members(item["name"]))

    def render(console: Console, data: list[dict[str, Any]]) -> None:
        table = Table(title=f"{len(data)} segments", title_justify="left")
        for column in ("name", "rule", "stored members", "description"):
            table.add_column(column)
        for s in data:
            table.add_row(s["name"], s["rule"], f"{s['stored_members']:,}", s["description"])
        console.print(table)

    emit(data, as_json=as_json, render=render)


@segment_app.command("members")
def members(
    name: Annotated[str, typer.Argument(help="Segment name.")],
    consent: Annotated[str | None, typer.Option(help="Only those who consented to this.")] = None,
    limit: Annotated[int | None, typer.Option(min=1, help="Show at most this many.")] = None,
    hub: HubPath = Path("customers.db"),
    as_json: AsJson = False,
) -> None:
    """The segment's members now (customer ids, sorted)."""
    with open_hub(hub) as opened:
        found = opened.segments.members(name, require_consent=consent).to_pylist()
    data = {"segment": name, "total": len(found), "members": found[:limit]}

    def render(console: Console, data: dict[str, Any]) -> None:
        console.print(f"{data['segment']}: {data['total']:,} members")
        for cid in data["members"]:
            console.print(cid)

    emit(data, as_json=as_json, render=render)


@segment_app.command("materialize")
def materialize(
    name: Annotated[str | None, typer.Argument(help="One segment (default: all).")] = None,
    hub: HubPath = Path("customers.db"),
    as_json: AsJson = False,
) -> None:
    """Store members now and write who entered and exited to the change feed."""
    with open_hub(hub) as opened:
        if name is not None:
            opened.segments.get(name)
        results = opened.segments.materialize(name)
    data = [
        {
            "segment": r.segment,
            "members": len(r.members),
            "entered": r.entered.to_pylist(),
            "exited": r.exited.to_pylist(),
        }
        for r in results
    ]

    def render(console: Console, data: list[dict[str, Any]]) -> None:
        for r in data:
            console.print(
                f"{r['segment']}: {r['members']:,} members, {len(r['entered']):,} entered, "
                f"{len(r['exited']):,} exited"
            )

    emit(data, as_json=as_json, render=render)


@segment_app.command("export")
def export(
    name: Annotated[str, typer.Argument(help="Segment name.")],
    path: Annotated[Path, typer.Argument(help="Output file (.parquet, .csv or .jsonl).")],
    consent: Annotated[str | None, typer.Option(help="Only those who consented to this.")] = None,
    format: Annotated[str | None, typer.Option("--format", help="parquet, csv or jsonl.")] = None,
    traits: Traits = True,
    hub: HubPath = Path("customers.db"),
    as_json: AsJson = False,
) -> None:
    """Write the members' profiles to a file."""
    export_to(
        hub, path, segment=name, consent=consent, format=format, traits=traits, as_json=as_json
    )
