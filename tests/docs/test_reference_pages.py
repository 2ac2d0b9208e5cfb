"""Every public module of dchkit has an API reference page, and every page is in the nav.

A module is covered when a page under docs/reference/ renders it (``::: dchkit.x.y``) or
renders one of its packages below the top level (``::: dchkit.x``): a package page shows
what the package exports, and the package decides which of its modules' names those are.
So every top-level module and every subpackage needs a page. Private modules (``_name``)
and ``__main__`` need none.
"""

from __future__ import annotations

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


def _covered(name: str, rendered: set[str]) -> bool:
    parts = name.split(".")
    return any(".".join(parts[:i]) in rendered for i in range(2, len(parts) + 1))


def test_every_public_module_has_a_reference_page():
    rendered = rendered_modules()
    missing = [
        name for name in public_modules() if name not in EXEMPT and not _covered(name, rendered)
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
