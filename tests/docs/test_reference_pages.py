"""Every public module of dchkit has an API reference page, and every page is in the nav.

A module is covered when a page under docs/reference/ renders it (``::: dchkit.x.y``), or
when its package's page renders it through re-exports (every name of the module's
``__all__`` is also in the package's ``__all__``). Private modules (``_name``) and
``__main__`` need no page.
"""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import dchkit

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "docs" / "reference"
PACKAGE_DIR = Path(dchkit.__file__).resolve().parent
DIRECTIVE = re.compile(r"^:::[ \t]+(?P<name>[\w.]+)[ \t]*$", re.MULTILINE)
# The top-level package is documented by the landing page and the pages of its modules.
EXEMPT = frozenset({"dchkit"})


def public_modules() -> list[str]:
    names = []
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        parts = path.relative_to(PACKAGE_DIR).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        if any(part.startswith("_") for part in parts):
            continue
        names.append(".".join(("dchkit", *parts)))
    return names


def rendered_modules() -> set[str]:
    return {
        match["name"]
        for page in REFERENCE.rglob("*.md")
        for match in DIRECTIVE.finditer(page.read_text(encoding="utf-8"))
    }


def _covered_by_package(name: str, rendered: set[str]) -> bool:
    package = name.rpartition(".")[0]
    if package not in rendered:
        return False
    module_all = set(getattr(importlib.import_module(name), "__all__", ()))
    package_all = set(getattr(importlib.import_module(package), "__all__", ()))
    return bool(module_all) and module_all <= package_all


def test_every_public_module_has_a_reference_page():
    rendered = rendered_modules()
    missing = [
        name
        for name in public_modules()
        if name not in EXEMPT and name not in rendered and not _covered_by_package(name, rendered)
    ]
    assert not missing, (
        f"add a docs/reference page with '::: NAME' (and a nav entry in mkdocs.yml) for {missing}"
    )


def test_reference_pages_render_existing_modules_and_are_in_the_nav():
    mkdocs = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    modules = set(public_modules())
    for page in sorted(REFERENCE.rglob("*.md")):
        relative = page.relative_to(ROOT / "docs").as_posix()
        assert f": {relative}\n" in mkdocs, f"{relative} is not in the nav of mkdocs.yml"
        for match in DIRECTIVE.finditer(page.read_text(encoding="utf-8")):
            assert match["name"] in modules, f"{relative} renders unknown module {match['name']}"
