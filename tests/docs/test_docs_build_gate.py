"""The strict docs build of ``scripts/test`` fails on a broken link (so CI catches it)."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _build_command() -> list[str]:
    """The ``mkdocs build`` line of scripts/test, as arguments (without its site dir)."""
    script = (ROOT / "scripts" / "test").read_text(encoding="utf-8")
    line = next(line for line in script.splitlines() if re.search(r"^\S*\s*mkdocs build", line))
    words = [w for w in shlex.split(line) if "=" not in w or w.startswith("-")]
    return words[: words.index("--site-dir")]


@pytest.mark.skipif(shutil.which("mkdocs") is None, reason="needs mkdocs (the docs extra)")
def test_the_gate_refuses_a_page_with_a_broken_link(tmp_path: Path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "index.md").write_text("# Home\n\nSee [a page](missing.md).\n")
    (tmp_path / "mkdocs.yml").write_text("site_name: gate\n")
    command = _build_command()
    assert command[:3] == ["mkdocs", "build", "--strict"]
    done = subprocess.run(
        [*command, "--site-dir", str(tmp_path / "site")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode != 0, "the docs gate passed a broken link"
    assert "missing.md" in done.stderr + done.stdout
