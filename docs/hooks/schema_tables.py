"""MkDocs hook: render the canonical schema tables from ``dchkit.schema``.

A page writes a marker such as ``<!-- schema:records -->`` on a line of its own; this hook
replaces it with a Markdown table generated from ``dchkit.schema.RECORDS_SCHEMA``: one row
per field with its Arrow type, whether it is required, and the description carried in the
field metadata. The docs therefore cannot drift from the code. A marker naming an unknown
table fails the build.

The functions are plain so that ``tests/docs/test_schema_tables.py`` can call them too.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import pyarrow as pa
from mkdocs.exceptions import PluginError

from dchkit import schema as canonical

if TYPE_CHECKING:
    from mkdocs.structure.pages import Page

MARKER = re.compile(r"^<!--\s*schema:(?P<table>[a-z_]+)\s*-->[ \t]*$", re.MULTILINE)


def schema_tables() -> dict[str, pa.Schema]:
    """Return every canonical schema of ``dchkit.schema`` by table name (``records`` …)."""
    return {
        name.removesuffix("_SCHEMA").lower(): value
        for name, value in vars(canonical).items()
        if name.endswith("_SCHEMA") and isinstance(value, pa.Schema)
    }


def format_type(data_type: pa.DataType) -> str:
    """Spell an Arrow type the way the docs do: ``list<string>``, ``map<string, bool>``."""
    if pa.types.is_list(data_type):
        return f"list<{format_type(data_type.value_type)}>"
    if pa.types.is_map(data_type):
        return f"map<{format_type(data_type.key_type)}, {format_type(data_type.item_type)}>"
    if pa.types.is_date32(data_type):
        return "date32"
    return str(data_type)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_table(table: str, schema: pa.Schema) -> str:
    """Render one canonical schema as a Markdown table, preceded by where it is defined."""
    metadata = schema.metadata or {}
    model = metadata.get(b"dchkit.model", b"").decode()
    constant = f"{table.upper()}_SCHEMA"
    intro = f"Arrow schema [`{constant}`][dchkit.schema.{constant}]"
    if model:
        intro += f", pydantic model [`{model}`][dchkit.schema.{model}]"
    lines = [
        intro + ".",
        "",
        "| field | Arrow type | required | description |",
        "|---|---|---|---|",
    ]
    for field in schema:
        description = (field.metadata or {}).get(b"description", b"").decode()
        required = "no" if field.nullable else "**yes**"
        lines.append(
            f"| `{field.name}` | `{format_type(field.type)}` | {required} | {_cell(description)} |"
        )
    return "\n".join(lines)


def render_markers(markdown: str, *, page: str) -> str:
    """Replace every ``<!-- schema:NAME -->`` line of ``markdown`` with NAME's table.

    Raises:
        ValueError: a marker names a table ``dchkit.schema`` does not define.
    """
    tables = schema_tables()

    def replace(match: re.Match[str]) -> str:
        name = match["table"]
        if name not in tables:
            msg = f"{page}: unknown canonical table {name!r} in a schema marker; known: {sorted(tables)}"
            raise ValueError(msg)
        return render_table(name, tables[name])

    return MARKER.sub(replace, markdown)


def on_page_markdown(markdown: str, *, page: Page, config: Any, files: Any) -> str:
    """MkDocs event: render the schema markers of every page."""
    try:
        return render_markers(markdown, page=page.file.src_uri)
    except ValueError as err:
        raise PluginError(str(err)) from err
