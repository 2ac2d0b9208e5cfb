"""The ``dchkit`` command line: a persistent hub from the shell.

``dchkit init`` creates a hub (a SQLite file), ``ingest`` reads source files through
connector presets, ``resolve`` links records into customers, and ``profile``,
``segment``, ``explain``, ``feedback``, ``changes``, ``forget`` and ``export`` read and
shape them; ``serve`` puts the hub behind the HTTP API, and ``bench`` times and scores
``dch.resolve`` on datasets with a known truth. Every hub command takes ``--hub PATH`` (default ``customers.db``, or the
``DCHKIT_HUB`` environment variable) and ``--json`` for scripts. Exit codes: 0 done,
1 not found, 2 any other error (the message says what to do) or bad usage.

Examples:
    >>> from typer.testing import CliRunner
    >>> from dchkit.cli import app
    >>> result = CliRunner().invoke(app, ["profile", "show", "cus_x", "--hub", "missing.db"])
    >>> result.exit_code, "dchkit init --hub missing.db" in result.stderr
    (2, True)
"""

from __future__ import annotations

from typing import Any

from dchkit.cli import basics, bench, customers, feedback, ingest, segments, serve
from dchkit.cli.app import EXIT_ERROR, EXIT_NOT_FOUND, app, exit_code_of, open_hub, report_error
from dchkit.errors import DchkitError

__all__ = ["EXIT_ERROR", "EXIT_NOT_FOUND", "app", "main", "open_hub"]

# imported for their commands
_COMMANDS = (basics, bench, customers, feedback, ingest, segments, serve)


def main(argv: list[str] | None = None) -> Any:
    """Entry point of the ``dchkit`` script (``python -m dchkit`` too)."""
    try:
        return app(args=argv, standalone_mode=True)
    except DchkitError as error:  # raised outside a command (while building the app)
        report_error(error, as_json=False)
        raise SystemExit(exit_code_of(error)) from error
