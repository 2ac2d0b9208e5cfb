"""MkDocs hook: render the command-line reference from the ``dchkit`` Typer application.

A page writes ``<!-- cli:reference -->`` on a line of its own; this hook replaces it with
one section per command and subcommand of ``dchkit.cli.app``, in ``dchkit --help`` order:
its help text, its usage line, and a table of its arguments and options (value, default,
environment variable, help). The reference therefore lists every command and option the
installed CLI has, and cannot drift from it.

The functions are plain so that ``tests/docs/test_cli_reference.py`` can call them too.
"""

from __future__ import annotations

import re
import typing
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from mkdocs.exceptions import PluginError

from dchkit.cli import app

if TYPE_CHECKING:
    from mkdocs.structure.pages import Page

MARKER = re.compile(r"^<!--\s*cli:reference\s*-->[ \t]*$", re.MULTILINE)
_KINDS = {str: "text", int: "integer", float: "number", bool: "flag", Path: "path"}


def commands() -> list[tuple[str, Any]]:
    """Every runnable command as ``("profile show", command)``, in ``dchkit --help`` order."""
    root = typer.main.get_command(app)
    found: list[tuple[str, Any]] = []

    def walk(prefix: str, group: Any) -> None:
        for name in group.list_commands(None):  # the root group sorts them as --help does
            command = group.commands[name]
            path = f"{prefix} {name}".strip()
            if hasattr(command, "commands"):
                walk(path, command)
            else:
                found.append((path, command))

    walk("", root)
    return found


def _kind(param: Any) -> str:
    annotation = param.type_descriptor.annotation
    repeatable = typing.get_origin(annotation) is list
    if repeatable:
        (annotation,) = typing.get_args(annotation)
    kind = _KINDS.get(annotation, getattr(annotation, "__name__", str(annotation)))
    if param.min is not None or param.max is not None:
        low = "" if param.min is None else f"{param.min:g}"
        high = "" if param.max is None else f"{param.max:g}"
        kind += f" {low}–{high}" if low and high else f" ≥ {low}" if low else f" ≤ {high}"
    return kind + (", repeatable" if repeatable or param.multiple else "")


def _default(param: Any) -> str:
    if param.required:
        return "required"
    default = param.default
    if getattr(param, "is_flag", False) and param.secondary_opts:
        text = f"`{param.opts[0] if default else param.secondary_opts[0]}`"
    elif default is None or default is False or default == []:
        text = ""
    else:
        text = f"`{default}`"
    if param.envvar:
        text += f" (env `{param.envvar}`)"
    return text.strip()


def _text(help_text: str | None) -> str:
    """Help text as Markdown: ``double backticks`` become code, lines become one paragraph."""
    text = re.sub(r"``([^`]+)``", r"`\1`", help_text or "")
    return " ".join(text.split())


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def render_command(path: str, command: Any) -> str:
    """One command's section: heading, help, usage and a table of its parameters."""
    arguments = [p for p in command.params if not p.opts[0].startswith("-")]
    options = [p for p in command.params if p.opts[0].startswith("-")]
    usage = " ".join(
        ["dchkit", path, "[OPTIONS]" if options else "", *(p.name.upper() for p in arguments)]
    )
    anchor = "dchkit-" + path.replace(" ", "-")
    lines = [
        f"### dchkit {path} {{#{anchor}}}",
        "",
        _text(command.help),
        "",
        "```text",
        " ".join(usage.split()),
        "```",
        "",
    ]
    if command.params:
        lines += ["| argument or option | value | default | what |", "|---|---|---|---|"]
        for param in arguments + options:
            if param.opts[0].startswith("-"):
                names = ", ".join(f"`{o}`" for o in param.opts)
                if param.secondary_opts:
                    names += " / " + ", ".join(f"`{o}`" for o in param.secondary_opts)
            else:
                names = f"`{param.name.upper()}`"
            lines.append(
                f"| {names} | {_kind(param)} | {_default(param)} | {_cell(_text(param.help))} |"
            )
        lines.append("")
    return "\n".join(lines)


def render_reference() -> str:
    """The whole reference: one section per command."""
    return "\n".join(render_command(path, command) for path, command in commands())


def render_markers(markdown: str) -> str:
    """Replace the ``<!-- cli:reference -->`` line of ``markdown`` with the reference."""
    return MARKER.sub(lambda _: render_reference(), markdown)


def on_page_markdown(markdown: str, *, page: Page, config: Any, files: Any) -> str:
    """MkDocs event: render the CLI reference marker."""
    try:
        return render_markers(markdown)
    except (AttributeError, TypeError, ValueError) as err:  # Typer changed shape: say so
        msg = f"{page.file.src_uri}: cannot render the CLI reference: {err}"
        raise PluginError(msg) from err
