"""``dchkit init``, ``ingest`` and ``resolve``: create a hub, load sources, resolve them.

``ingest`` reads a file through a connector (the format from the extension unless
``--format`` says otherwise, the mapping from ``--preset`` or ``--mapping``) batch by
batch, so the progress line shows counts and rates as it goes; a directory or
``manifest.json`` written by :meth:`dchkit.datasets.World.write` ingests every table of
the manifest with its own preset.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from dchkit.cli.app import REGION_META, AsJson, HubPath, app, open_hub
from dchkit.cli.output import emit, err_console, key_value_table
from dchkit.errors import ConfigError, SourceReadError

if TYPE_CHECKING:
    from dchkit.connectors import ConnectorBatch
    from dchkit.hub import Hub, IngestReport

__all__ = ["FORMATS", "ReadBatches", "connector_for", "infer_format"]

#: File suffix -> connector format.
FORMATS = {
    ".csv": "csv",
    ".tsv": "tsv",
    ".txt": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "json",
    ".parquet": "parquet",
    ".pq": "parquet",
}


def infer_format(path: Path) -> str:
    """The connector format of a file, from its suffix (``.csv.gz`` counts as ``.csv``).

    Examples:
        >>> infer_format(Path("contacts.csv")), infer_format(Path("tickets.jsonl.gz"))
        ('csv', 'jsonl')
    """
    suffixes = [s.lower() for s in path.suffixes if s.lower() not in (".gz", ".bz2", ".zst")]
    found = FORMATS.get(suffixes[-1]) if suffixes else None
    if found is None:
        msg = f"cannot tell the format of {path.name!r} from its extension"
        raise ConfigError(msg, fix=f"pass --format, one of {sorted(set(FORMATS.values()))}")
    return found


def connector_for(
    path: Path,
    *,
    format: str | None = None,
    preset: str | None = None,
    mapping: Path | None = None,
    source: str | None = None,
    region: str | None = None,
) -> Any:
    """A connector reading ``path``: Segment events for the ``segment_events`` preset."""
    import dchkit.connectors as dc

    if not path.is_file():
        msg = f"no file at {str(path)!r}"
        raise SourceReadError(msg, fix="check the path", location=str(path))
    kind = format or infer_format(path)
    if preset == "segment_events" and kind in ("jsonl", "json"):
        kind = "segment"  # Segment messages need the visitor logic of SegmentConnector
    options: dict[str, Any] = {"source": source, "default_region": region}
    if kind == "segment":
        return dc.SegmentConnector(path, **options)
    if preset is not None:
        options["preset"] = preset
    if mapping is not None:
        options["mapping"] = mapping
    if kind == "tsv":
        return dc.CsvConnector(path, delimiter="\t", **options)
    classes = {
        "csv": dc.CsvConnector,
        "jsonl": dc.JsonLinesConnector,
        "json": dc.JsonConnector,
        "parquet": dc.ParquetConnector,
    }
    if kind not in classes:
        msg = f"unknown format {kind!r}"
        raise ConfigError(msg, fix=f"use one of {[*classes, 'tsv', 'segment']}")
    return classes[kind](path, **options)


@dataclass(frozen=True)
class ReadBatches:
    """A connector over batches already read (the hub commits each batch on its own)."""

    source: str
    batches: tuple[ConnectorBatch, ...]

    def read(self) -> Iterator[ConnectorBatch]:
        """Yield the batches."""
        yield from self.batches


@dataclass
class _FileResult:
    file: str
    source: str
    preset: str | None
    rows: int = 0
    records: int = 0
    events: int = 0
    rejects: int = 0


def _ingest_one(
    hub: Hub, connector: Any, result: _FileResult, progress: Progress, resolve: bool
) -> IngestReport:
    from dchkit.hub import IngestReport

    task = progress.add_task(
        result.file, total=None, records=0, events=0, rejects=0, rate="", source=result.source
    )
    started = time.perf_counter()
    report = IngestReport()
    for batch in connector.read():
        report = report + hub.ingest(
            ReadBatches(connector.source, (batch,)), resolve="auto" if resolve else "never"
        )
        result.rows += batch.report.rows_read
        result.records += batch.records.num_rows
        result.events += batch.events.num_rows
        result.rejects += batch.rejects.num_rows
        rate = result.rows / max(time.perf_counter() - started, 1e-9)
        progress.update(
            task,
            records=result.records,
            events=result.events,
            rejects=result.rejects,
            rate=f"{rate:,.0f} rows/s",
        )
    progress.update(task, completed=1, total=1)
    return report


def _manifest_tables(path: Path) -> tuple[Path, list[dict[str, Any]]]:
    manifest = path / "manifest.json" if path.is_dir() else path
    if not manifest.is_file():
        msg = f"{str(path)!r} is a directory without a manifest.json"
        raise SourceReadError(msg, fix="give a file, or a directory written by World.write")
    tables = json.loads(manifest.read_text(encoding="utf-8"))["tables"]
    return manifest.parent, list(tables.values())


@app.command()
def init(
    hub: HubPath = Path("customers.db"),
    config: Annotated[
        Path | None,
        typer.Option(help="A ResolverConfig as JSON (comparisons, blocking, threshold …)."),
    ] = None,
    region: Annotated[
        str | None, typer.Option(help="Region of phone numbers without a country code (JP).")
    ] = None,
    as_json: AsJson = False,
) -> None:
    """Create a hub (a SQLite file), or update an existing hub's configuration."""
    from dchkit.resolution import ResolverConfig

    created = not hub.exists()
    with open_hub(hub, create=True) as opened:
        if config is not None:
            text = config.read_text(encoding="utf-8")
            try:
                parsed = ResolverConfig.model_validate_json(text)
            except ValueError as error:
                msg = f"{config} is not a valid ResolverConfig: {error}"
                raise ConfigError(
                    msg, fix="compare it with ResolverConfig().model_dump_json()"
                ) from error
            opened.store.set_meta("config", parsed.model_dump_json())
        if region is not None:
            opened.store.set_meta(REGION_META, region.upper())
            opened.default_region = region.upper()
        answer = {
            "hub": str(hub),
            "created": created,
            "records": opened.store.count("records"),
            "customers": opened.store.count("golden"),
            "region": opened.default_region,
        }

    def render(console: Console, data: dict[str, Any]) -> None:
        verb = "created" if data["created"] else "opened"
        console.print(
            f"{verb} hub [bold]{data['hub']}[/bold]: {data['records']:,} records, "
            f"{data['customers']:,} customers"
        )

    emit(answer, as_json=as_json, render=render)


@app.command()
def ingest(
    path: Annotated[Path, typer.Argument(help="A file, or a directory with a manifest.json.")],
    hub: HubPath = Path("customers.db"),
    preset: Annotated[
        str | None, typer.Option(help="Connector preset, e.g. salesforce_contacts.")
    ] = None,
    mapping: Annotated[
        Path | None, typer.Option(help="A mapping file (JSON or YAML) instead of a preset.")
    ] = None,
    source: Annotated[str | None, typer.Option(help="Source label (crm, ec …).")] = None,
    format: Annotated[
        str | None,
        typer.Option(
            "--format", help="csv, tsv, jsonl, json, parquet or segment (default: extension)."
        ),
    ] = None,
    resolve: Annotated[
        bool,
        typer.Option(help="Resolve new records at once (once the hub has a model)."),
    ] = True,
    as_json: AsJson = False,
) -> None:
    """Read a source file into the hub; print records, events and rejects with reasons."""
    from dchkit.hub import IngestReport

    if path.is_dir() or path.name == "manifest.json":
        if preset or mapping or format:
            msg = "--preset, --mapping and --format do not apply to a manifest"
            raise ConfigError(msg, fix="each table of the manifest names its own preset")
        base, tables = _manifest_tables(path)
        jobs = [
            (base / t["file"], t.get("format"), t.get("preset"), t.get("source")) for t in tables
        ]
    else:
        jobs = [(path, format, preset, source)]
    with open_hub(hub) as opened:
        connectors = [
            (
                file,
                spec,
                connector_for(
                    file,
                    format=fmt,
                    preset=spec,
                    mapping=mapping,
                    source=label,
                    region=opened.default_region,
                ),
            )
            for file, fmt, spec, label in jobs
        ]
        progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description:<24}"),
            TextColumn(
                "{task.fields[records]:>9,} records {task.fields[events]:>9,} events "
                "{task.fields[rejects]:>7,} rejects"
            ),
            TextColumn("{task.fields[rate]:>16}"),
            TimeElapsedColumn(),
            console=err_console(),
        )
        report, files = IngestReport(), []
        with progress:
            for file, spec, connector in connectors:
                result = _FileResult(file.name, connector.source, spec)
                report = report + _ingest_one(opened, connector, result, progress, resolve)
                files.append(result)
        pending = opened.pending
    reasons = sorted(report.rejects_by_reason.items(), key=lambda kv: (-kv[1], kv[0]))
    answer = {
        "files": [asdict(f) for f in files],
        "inserted": report.inserted,
        "updated": report.updated,
        "unchanged": report.unchanged,
        "events": report.events,
        "rejects": report.rejects,
        "rejects_by_reason": dict(reasons),
        "suppressed": report.suppressed,
        "resolved": report.resolved,
        "pending": pending,
    }
    emit(answer, as_json=as_json, render=_render_ingest)


def _render_ingest(console: Console, data: dict[str, Any]) -> None:
    table = Table(title="ingested", title_justify="left")
    for column in ("file", "source", "preset", "rows", "records", "events", "rejects"):
        table.add_column(column, justify="right" if column in ("rows", "records") else "left")
    for f in data["files"]:
        table.add_row(
            f["file"],
            f["source"],
            f["preset"] or "",
            f"{f['rows']:,}",
            f"{f['records']:,}",
            f"{f['events']:,}",
            f"{f['rejects']:,}",
        )
    console.print(table)
    summary = {k: data[k] for k in ("inserted", "updated", "unchanged", "events", "rejects")}
    summary |= {"suppressed": data["suppressed"], "resolved now": data["resolved"]}
    summary["waiting for resolve"] = data["pending"]
    console.print(key_value_table(summary))
    if data["rejects_by_reason"]:
        top = list(data["rejects_by_reason"].items())[:5]
        console.print("top reject reasons: " + ", ".join(f"{r} ({n:,})" for r, n in top))
        console.print("see them with [bold]dchkit rejects[/bold]")
    if data["pending"]:
        console.print("run [bold]dchkit resolve[/bold] to resolve the waiting records")


class _StepHandler(logging.Handler):
    """Shows the resolver's steps (logged as they start) as progress lines."""

    def __init__(self, progress: Progress) -> None:
        super().__init__(logging.INFO)
        self.progress = progress
        self.current: Any = None

    def emit(self, record: logging.LogRecord) -> None:
        self.finish()
        self.current = self.progress.add_task(record.getMessage(), total=None)

    def finish(self) -> None:
        if self.current is not None:
            self.progress.update(self.current, total=1, completed=1)


@contextmanager
def _resolver_steps(progress: Progress) -> Iterator[None]:
    logger = logging.getLogger("dchkit.resolution")
    handler = _StepHandler(progress)
    level, propagate = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    try:
        yield
    finally:
        handler.finish()
        logger.removeHandler(handler)
        logger.setLevel(level)
        logger.propagate = propagate


@app.command()
def resolve(
    hub: HubPath = Path("customers.db"),
    retrain: Annotated[bool, typer.Option(help="Retrain the match model (EM).")] = False,
    as_json: AsJson = False,
) -> None:
    """Resolve every record into customers (batch), keeping customer ids stable."""
    progress = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=err_console(),
    )
    with open_hub(hub) as opened, progress, _resolver_steps(progress):
        report = opened.resolve(retrain=retrain)
    answer = asdict(report) | {"timings": {k: round(v, 3) for k, v in report.timings.items()}}

    def render(console: Console, data: dict[str, Any]) -> None:
        shown = {k: v for k, v in data.items() if k != "timings"}
        console.print(key_value_table(shown, title="resolved"))
        if data["timings"]:
            console.print(
                "timings: " + ", ".join(f"{k} {v:.2f}s" for k, v in data["timings"].items())
            )

    emit(answer, as_json=as_json, render=render)


@app.command()
def rejects(
    hub: HubPath = Path("customers.db"),
    limit: Annotated[int, typer.Option(min=1, help="Rows to show.")] = 20,
    as_json: AsJson = False,
) -> None:
    """Rows the connectors rejected, with the reason (the first ``--limit``)."""
    with open_hub(hub) as opened:
        table = opened.rejects()
    rows = table.slice(0, limit).to_pylist()
    answer = {"total": table.num_rows, "rows": rows}

    def render(console: Console, data: dict[str, Any]) -> None:
        shown = Table(title=f"{data['total']:,} rejects", title_justify="left")
        for column in ("source", "location", "row_number", "reason", "field"):
            shown.add_column(column)
        for row in data["rows"]:
            shown.add_row(
                *(
                    str(row.get(c) or "")
                    for c in ("source", "location", "row_number", "reason", "field")
                )
            )
        console.print(shown)

    emit(answer, as_json=as_json, render=render)
