"""``dchkit profile …``, ``explain``, ``changes``, ``forget`` and ``export``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from dchkit.cli.app import AsJson, HubPath, app, open_hub
from dchkit.cli.output import emit, jsonable, key_value_table
from dchkit.cli.views import change_view, customer_profile, timeline_view
from dchkit.errors import ConfigError

__all__ = ["Traits", "export_to", "identifier_of", "profile_app"]

profile_app = typer.Typer(
    help="Show customers: by id, by any identifier, their timeline.", no_args_is_help=True
)
app.add_typer(profile_app, name="profile")

Email = Annotated[str | None, typer.Option(help="An e-mail address (any spelling).")]
Phone = Annotated[str | None, typer.Option(help="A phone number (any format).")]
RecordId = Annotated[str | None, typer.Option("--record-id", help="A record id, e.g. crm:003A.")]
Traits = Annotated[
    bool, typer.Option(help="Compute traits (lifetime value, RFM …) for the export.")
]
TypedId = Annotated[
    str | None, typer.Option("--id", help="An external id as TYPE=VALUE, e.g. user_id=u42.")
]


def identifier_of(
    *,
    customer_id: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    record_id: str | None = None,
    typed: str | None = None,
) -> dict[str, str]:
    """The one identifier given on the command line, as ``lookup`` keywords.

    Examples:
        >>> identifier_of(typed="salesforce_contact_id=003A")
        {'salesforce_contact_id': '003A'}

    Raises:
        ConfigError: none or several were given, or ``--id`` lacks ``TYPE=``.
    """
    given = {
        "customer_id": customer_id,
        "email": email,
        "phone": phone,
        "record_id": record_id,
    }
    found = {k: v for k, v in given.items() if v}
    if typed:
        kind, sep, value = typed.partition("=")
        if not sep or not kind.strip() or not value.strip():
            msg = f"--id needs TYPE=VALUE, got {typed!r}"
            raise ConfigError(msg, fix="e.g. --id salesforce_contact_id=0035g00000Abc")
        found[kind.strip()] = value.strip()
    if len(found) != 1:
        msg = f"give exactly one identifier, got {len(found)}"
        raise ConfigError(msg, fix="one of CUSTOMER_ID, --email, --phone, --record-id, --id")
    return found


def _render_profile(console: Console, data: dict[str, Any]) -> None:
    golden = {k: v for k, v in data["golden"].items() if k != "customer_id"}
    console.print(key_value_table(golden, title=f"{data['customer_id']}  {data['name'] or ''}"))
    records = Table(title="source records", title_justify="left")
    widest = max((len(r["record_id"]) for r in data["records"]), default=9)
    records.add_column("record_id", no_wrap=True, min_width=widest)
    for column in ("source", "name", "emails", "phones"):
        records.add_column(column, overflow="fold")
    for r in data["records"]:
        name = r["full_name"] or " ".join(p for p in (r["family_name"], r["given_name"]) if p)
        records.add_row(
            r["record_id"], r["source"], name, ", ".join(r["emails"]), ", ".join(r["phones"])
        )
    console.print(records)
    if data["consent"]:
        consent = {k: "yes" if v["granted"] else "no" for k, v in data["consent"].items()}
        console.print(key_value_table(consent, title="consent"))
    if data["traits"]:
        console.print(key_value_table(data["traits"], title="traits"))


def _show(hub_path: Path, as_json: bool, identifier: dict[str, str]) -> None:
    with open_hub(hub_path) as hub:
        data = customer_profile(hub, identifier)
    emit(data, as_json=as_json, render=_render_profile)


@profile_app.command("show")
def show(
    customer_id: Annotated[str, typer.Argument(help="A customer id (or a merged alias).")],
    hub: HubPath = Path("customers.db"),
    as_json: AsJson = False,
) -> None:
    """Show one customer: golden record, source records, consent and traits."""
    _show(hub, as_json, {"customer_id": customer_id})


@profile_app.command("lookup")
def lookup(
    email: Email = None,
    phone: Phone = None,
    record_id: RecordId = None,
    typed: TypedId = None,
    hub: HubPath = Path("customers.db"),
    as_json: AsJson = False,
) -> None:
    """Find the customer holding one identifier and show it."""
    identifier = identifier_of(email=email, phone=phone, record_id=record_id, typed=typed)
    _show(hub, as_json, identifier)


@profile_app.command("timeline")
def timeline(
    customer_id: Annotated[str, typer.Argument(help="A customer id.")],
    types: Annotated[list[str] | None, typer.Option("--type", help="Event type(s).")] = None,
    sources: Annotated[list[str] | None, typer.Option("--source", help="Source(s).")] = None,
    channels: Annotated[list[str] | None, typer.Option("--channel", help="Channel(s).")] = None,
    within: Annotated[str | None, typer.Option(help="A relative window, e.g. 90d.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000, help="Events per page.")] = 20,
    cursor: Annotated[str | None, typer.Option(help="next_cursor of the previous page.")] = None,
    order: Annotated[str, typer.Option(help="desc (newest first) or asc.")] = "desc",
    hub: HubPath = Path("customers.db"),
    as_json: AsJson = False,
) -> None:
    """One page of a customer's events from every source, newest first."""
    if order not in ("asc", "desc"):
        msg = f"--order must be asc or desc, got {order!r}"
        raise ConfigError(msg, fix="use --order asc or --order desc")
    with open_hub(hub) as opened:
        page = opened.profiles.timeline(
            customer_id,
            types=types or None,
            sources=sources or None,
            channels=channels or None,
            within=within,
            limit=limit,
            cursor=cursor,
            order=order,
        )
    data = timeline_view(page)

    def render(console: Console, data: dict[str, Any]) -> None:
        table = Table(
            title=f"{data['customer_id']}: {data['total']:,} events", title_justify="left"
        )
        for column in ("timestamp", "source", "type", "channel", "value"):
            table.add_column(column)
        for e in data["events"]:
            value = "" if e["value"] is None else f"{e['value']:,.2f}"
            table.add_row(e["timestamp"], e["source"], e["type"], e["channel"] or "", value)
        console.print(table)
        if data["next_cursor"]:
            console.print(f"next page: --cursor {data['next_cursor']}")

    emit(data, as_json=as_json, render=render)


@app.command()
def explain(
    first: Annotated[str, typer.Argument(help="A record id, or a customer id alone.")],
    second: Annotated[str | None, typer.Argument(help="A second record id.")] = None,
    hub: HubPath = Path("customers.db"),
    as_json: AsJson = False,
) -> None:
    """Why two records are (not) one customer, or what holds a customer together."""
    with open_hub(hub) as opened:
        if second is not None:
            pair = opened.explain(first, second)
            data: dict[str, Any] = {"kind": "pair", **jsonable(pair), "text": str(pair)}
        else:
            owners = opened.profiles.find(record_id=first)
            found = opened.explain_customer(owners[0] if owners else first)
            data = {"kind": "customer", **jsonable(found)}

    def render(console: Console, data: dict[str, Any]) -> None:
        if data["kind"] == "pair":
            console.print(data["text"], highlight=False)
            return
        table = Table(
            title=f"{data['customer_id']}: {len(data['record_ids'])} records",
            title_justify="left",
        )
        for column in ("record", "record", "match probability"):
            table.add_column(column)
        for left, right, p in data["edges"]:
            table.add_row(left, right, f"{p:.4f}")
        console.print(table)
        for cut in data["cuts"]:
            console.print(f"cut: {cut}")

    emit(data, as_json=as_json, render=render)


@app.command()
def changes(
    since: Annotated[int, typer.Option(min=0, help="The last cursor already processed.")] = 0,
    limit: Annotated[int | None, typer.Option(min=1, help="At most this many.")] = None,
    hub: HubPath = Path("customers.db"),
    as_json: AsJson = False,
) -> None:
    """What changed after a cursor: customers created, updated, merged, split or erased."""
    with open_hub(hub) as opened:
        found = opened.changes(since, limit=limit)
    data = {
        "changes": [change_view(c) for c in found],
        "cursor": found[-1].cursor if found else since,
    }

    def render(console: Console, data: dict[str, Any]) -> None:
        table = Table(title=f"{len(data['changes'])} changes", title_justify="left")
        for column in ("cursor", "at", "kind", "customer", "other", "segment"):
            table.add_column(column)
        for c in data["changes"]:
            table.add_row(
                str(c["cursor"]),
                c["at"],
                c["kind"],
                c["customer_id"] or "",
                c["other_id"] or "",
                c["segment"] or "",
            )
        console.print(table)
        console.print(f"continue with --since {data['cursor']}")

    emit(data, as_json=as_json, render=render)


@app.command()
def forget(
    customer_id: Annotated[str | None, typer.Argument(help="A customer id.")] = None,
    email: Email = None,
    phone: Phone = None,
    record_id: RecordId = None,
    typed: TypedId = None,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
    hub: HubPath = Path("customers.db"),
    as_json: AsJson = False,
) -> None:
    """Erase a customer (records, events, identifiers); keep only salted hashes."""
    identifier = identifier_of(
        customer_id=customer_id, email=email, phone=phone, record_id=record_id, typed=typed
    )
    with open_hub(hub) as opened:
        cid = opened.profiles.customer_id_of(**identifier)
        if not yes:
            typer.confirm(f"erase customer {cid} for good?", abort=True)
        erasure = opened.forget(cid)
    data = jsonable(erasure)

    def render(console: Console, data: dict[str, Any]) -> None:
        console.print(
            f"erased {data['customer_id']}: {data['records']} records, {data['events']} events, "
            f"{data['rejects']} rejected rows; {data['identifiers']} identifiers suppressed"
        )

    emit(data, as_json=as_json, render=render)


@app.command("lift-suppression")
def lift_suppression(
    email: Email = None,
    phone: Phone = None,
    record_id: RecordId = None,
    typed: TypedId = None,
    hub: HubPath = Path("customers.db"),
    as_json: AsJson = False,
) -> None:
    """Let a forgotten person who signs up again back in (any of their identifiers)."""
    identifiers = {
        k: v for k, v in (("email", email), ("phone", phone), ("record_id", record_id)) if v
    }
    if typed:
        identifiers |= identifier_of(typed=typed)
    if not identifiers:
        msg = "lift-suppression needs --email, --phone, --record-id or --id"
        raise ConfigError(msg, fix="e.g. dchkit lift-suppression --email taro@example.jp")
    with open_hub(hub) as opened:
        lifted = opened.lift_suppression(**identifiers)
    data = {"given": len(identifiers), "lifted": lifted}

    def render(console: Console, data: dict[str, Any]) -> None:
        console.print(
            f"{data['lifted']} of {data['given']} identifiers were suppressed; now they are not"
        )

    emit(data, as_json=as_json, render=render)


def export_to(
    hub_path: Path,
    path: Path,
    *,
    segment: str | None,
    consent: str | None,
    format: str | None,
    traits: bool,
    as_json: bool,
) -> None:
    """Write profiles (optionally one segment's) to a file and report rows and columns."""
    if format is not None and format not in ("parquet", "csv", "jsonl"):
        msg = f"--format must be parquet, csv or jsonl, got {format!r}"
        raise ConfigError(msg, fix="or leave it out to use the file's extension")
    with open_hub(hub_path) as opened:
        if segment is not None:
            opened.segments.get(segment)
        if traits:
            opened.profile_store().refresh_traits()  # the export joins the store's traits
        table = opened.export(
            path,
            segment=segment,
            require_consent=consent,
            format=format,  # type: ignore[arg-type]
        )
    data = {"path": str(path), "rows": table.num_rows, "columns": table.column_names}

    def render(console: Console, data: dict[str, Any]) -> None:
        console.print(f"wrote {data['rows']:,} profiles to {data['path']}")

    emit(data, as_json=as_json, render=render)


@app.command()
def export(
    path: Annotated[Path, typer.Argument(help="Output file (.parquet, .csv or .jsonl).")],
    segment: Annotated[str | None, typer.Option(help="Only this segment's members.")] = None,
    consent: Annotated[
        str | None, typer.Option(help="Only customers who consented to this purpose.")
    ] = None,
    format: Annotated[str | None, typer.Option("--format", help="parquet, csv or jsonl.")] = None,
    traits: Traits = True,
    hub: HubPath = Path("customers.db"),
    as_json: AsJson = False,
) -> None:
    """Export profiles (golden values, consent, external ids, traits) to a file."""
    export_to(
        hub, path, segment=segment, consent=consent, format=format, traits=traits, as_json=as_json
    )
