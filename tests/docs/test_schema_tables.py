"""The canonical schema page shows every canonical table, rendered from dchkit.schema."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

import pyarrow as pa
import pytest

from dchkit import schema

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "concepts" / "canonical-schema.md"


def _load_hook() -> ModuleType:
    path = ROOT / "docs" / "hooks" / "schema_tables.py"
    spec = importlib.util.spec_from_file_location("dchkit_docs_schema_tables", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


hook = _load_hook()


def test_the_hook_is_registered_in_mkdocs_yml():
    assert "  - docs/hooks/schema_tables.py" in (ROOT / "mkdocs.yml").read_text(encoding="utf-8")


def test_every_canonical_table_has_a_marker_on_the_page():
    tables = hook.schema_tables()
    assert set(tables) == {"records", "events", "clusters", "golden", "lineage", "rejects"}
    markers = hook.MARKER.findall(PAGE.read_text(encoding="utf-8"))
    assert sorted(markers) == sorted(tables), "one <!-- schema:NAME --> marker per table"


@pytest.mark.parametrize("name", sorted(hook.schema_tables()))
def test_rendered_table_lists_every_field_with_type_and_description(name: str):
    arrow_schema: pa.Schema = getattr(schema, f"{name.upper()}_SCHEMA")
    rendered = hook.render_markers(f"before\n<!-- schema:{name} -->\nafter", page="test.md")
    assert "<!--" not in rendered
    rows = [line for line in rendered.splitlines() if line.startswith("| `")]
    assert [re.match(r"\| `([^`]+)`", row)[1] for row in rows] == arrow_schema.names
    for row, field in zip(rows, arrow_schema, strict=True):
        cells = [cell.strip() for cell in row.strip("|").split(" | ")]
        assert cells[2] == ("no" if field.nullable else "**yes**")
        assert cells[3], f"{name}.{field.name} has no description in dchkit.schema"
    assert f"[`{name.upper()}_SCHEMA`][dchkit.schema.{name.upper()}_SCHEMA]" in rendered


def test_types_are_spelled_without_arrow_item_names():
    assert hook.format_type(pa.list_(pa.string())) == "list<string>"
    assert hook.format_type(pa.map_(pa.string(), pa.bool_())) == "map<string, bool>"
    assert hook.format_type(pa.date32()) == "date32"
    assert hook.format_type(pa.timestamp("us", tz="UTC")) == "timestamp[us, tz=UTC]"


def test_a_marker_for_an_unknown_table_fails_loudly():
    with pytest.raises(ValueError, match="unknown canonical table 'customers'"):
        hook.render_markers("<!-- schema:customers -->", page="x.md")
    # A marker quoted inside a sentence is left alone.
    assert hook.render_markers("see `<!-- schema:x -->` here", page="x.md").startswith("see")
