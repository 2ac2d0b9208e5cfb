"""The CLI and HTTP reference pages cover every command, option and route there is."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
CLI_PAGE = ROOT / "docs" / "cli.md"
HTTP_PAGE = ROOT / "docs" / "http.md"


def _load_hook() -> ModuleType:
    path = ROOT / "docs" / "hooks" / "cli_reference.py"
    spec = importlib.util.spec_from_file_location("dchkit_docs_cli_reference", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


hook = _load_hook()


def test_the_cli_hook_is_registered_and_the_page_has_its_marker():
    assert "  - docs/hooks/cli_reference.py" in (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert len(hook.MARKER.findall(CLI_PAGE.read_text(encoding="utf-8"))) == 1


def test_the_cli_reference_has_every_command_and_option():
    rendered = hook.render_markers("intro\n<!-- cli:reference -->\n")
    assert "<!--" not in rendered
    paths = [path for path, _ in hook.commands()]
    assert {"init", "ingest", "resolve", "profile lookup", "segment export", "feedback split-out",
            "changes", "forget", "export", "keys create", "serve", "demo", "bench",
            "version"} <= set(paths)  # fmt: skip
    for path, command in hook.commands():
        section = rendered.split(f"### dchkit {path} {{#")[1].split("\n### ")[0]
        assert f"```text\ndchkit {path}" in section, path
        for param in command.params:
            shown = (
                f"`{param.opts[0]}`" if param.opts[0].startswith("-") else f"`{param.name.upper()}`"
            )
            assert shown in section, f"dchkit {path}: {shown} is missing"
    bench = rendered.split("### dchkit bench {#")[1].split("\n### ")[0]
    assert "| `--dataset`, `-d` | text, repeatable |" in bench
    assert "| `--repeat` | integer 1–100 | `3` |" in bench
    assert "`--refresh-data` / `--no-refresh-data` | flag | `--no-refresh-data`" in bench


def test_every_command_is_introduced_on_the_cli_page_too():
    text = CLI_PAGE.read_text(encoding="utf-8")
    prose = text.split("## Reference")[0]
    for path, _ in hook.commands():
        assert re.search(rf"dchkit {re.escape(path)}\b", prose), f"dchkit {path} has no example"


def test_every_http_route_is_on_the_http_page():
    pytest.importorskip("fastapi")
    import dchkit as dch
    from dchkit.server import create_app

    text = HTTP_PAGE.read_text(encoding="utf-8")
    paths = create_app(dch.Hub()).openapi()["paths"]
    routes = {(method.upper(), path) for path, item in paths.items() for method in item}
    assert len(routes) >= 17
    documented = set(re.findall(r"`(GET|POST|PUT|DELETE) (/v1/[^` ?]*)", text))
    documented |= {
        (method, path)
        for line in text.splitlines()
        if line.startswith("| `")
        for method, path in re.findall(r"(GET|POST|PUT|DELETE) (/v1/[^` ?,]*)", line)
    }
    missing = sorted(routes - documented)
    assert not missing, f"docs/http.md lacks {missing}"
    unknown = sorted(documented - routes)
    assert not unknown, f"docs/http.md documents routes the app lacks: {unknown}"
