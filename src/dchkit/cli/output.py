"""What the command line prints: JSON for scripts, rich tables for people.

Every command builds one plain-data answer (dicts, lists, strings, numbers) with
:func:`jsonable`, then :func:`emit` prints it as JSON (``--json``) or hands it to a
renderer that draws it for a person. Progress and errors go to standard error, so
standard output carries only the answer.
"""

from __future__ import annotations

import dataclasses
import json
import math
import sys
from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
from pydantic import BaseModel
from rich.console import Console
from rich.table import Table

__all__ = ["emit", "err_console", "jsonable", "key_value_table", "out_console"]

_PLAIN = frozenset({str, int, bool, type(None)})


def jsonable(value: Any) -> Any:
    """``value`` as JSON-ready data: models, dataclasses, Arrow tables, dates and paths.

    Examples:
        >>> from datetime import datetime, UTC
        >>> jsonable({"at": datetime(2024, 1, 2, tzinfo=UTC), "ids": ("a", "b"), "x": float("nan")})
        {'at': '2024-01-02T00:00:00+00:00', 'ids': ['a', 'b'], 'x': None}
    """
    kind = type(value)
    # Exact types first: a profile is thousands of plain values (the HTTP hot path).
    if kind in _PLAIN:
        return value
    if kind is float:
        return value if math.isfinite(value) else None
    if kind is dict:
        return {str(k): jsonable(v) for k, v in value.items()}
    if kind is list or kind is tuple:
        return [jsonable(v) for v in value]
    if isinstance(value, BaseModel):
        return jsonable(value.model_dump(mode="json"))
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, pa.Table):
        return [jsonable(row) for row in value.to_pylist()]
    if isinstance(value, pa.Array | pa.ChunkedArray):
        return jsonable(value.to_pylist())
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def out_console() -> Console:
    """A console on standard output (made per call: tests swap ``sys.stdout``)."""
    return Console(file=sys.stdout, soft_wrap=True)


def err_console() -> Console:
    """A console on standard error, for progress and errors."""
    return Console(file=sys.stderr)


def emit(data: Any, *, as_json: bool, render: Callable[[Console, Any], None]) -> None:
    """Print ``data`` as JSON, or draw it with ``render`` for a person."""
    answer = jsonable(data)
    if as_json:
        sys.stdout.write(json.dumps(answer, ensure_ascii=False, indent=2) + "\n")
    else:
        render(out_console(), answer)


def key_value_table(rows: Mapping[str, Any], *, title: str | None = None) -> Table:
    """A two-column table of names and values (lists joined with commas)."""
    table = Table(title=title, show_header=False, title_justify="left")
    table.add_column(style="bold")
    table.add_column()
    for key, value in rows.items():
        if value is None or value in ((), [], {}):
            continue
        if isinstance(value, list | tuple):
            shown = ", ".join(str(v) for v in value)
        elif isinstance(value, dict):
            shown = ", ".join(f"{k}={v}" for k, v in value.items())
        else:
            shown = (
                f"{value:,}"
                if isinstance(value, int) and not isinstance(value, bool)
                else str(value)
            )
        table.add_row(key, shown)
    return table
