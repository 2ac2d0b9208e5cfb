"""docs/errors.md has exactly one section per error code, and the links in messages land there."""

from __future__ import annotations

import re
from pathlib import Path
from typing import get_args

from dchkit import errors

ROOT = Path(__file__).resolve().parents[2]
ERRORS_PAGE = ROOT / "docs" / "errors.md"
SECTION = re.compile(r"^## (?P<title>.+?) \{#(?P<code>[a-z0-9-]+)\}[ \t]*$", re.MULTILINE)


def _sections() -> dict[str, str]:
    """Map each documented code to the text of its section."""
    text = ERRORS_PAGE.read_text(encoding="utf-8")
    matches = list(SECTION.finditer(text))
    codes = [m["code"] for m in matches]
    duplicates = sorted({c for c in codes if codes.count(c) > 1})
    assert not duplicates, f"docs/errors.md documents these codes twice: {duplicates}"
    return {
        m["code"]: text[m.end() : matches[i + 1].start() if i + 1 < len(matches) else len(text)]
        for i, m in enumerate(matches)
    }


def test_every_error_code_has_a_section_and_every_section_a_code():
    documented = set(_sections())
    codes = set(get_args(errors.ErrorCode))
    assert not codes - documented, (
        f"add a '## Title {{#code}}' section for {sorted(codes - documented)}"
    )
    assert not documented - codes, (
        f"these sections name no error code: {sorted(documented - codes)}"
    )


def test_each_section_names_its_class_and_has_a_runnable_example():
    sections = _sections()
    for cls in errors.error_classes():
        section = sections[cls.code]
        assert f"[`{cls.__name__}`]" in section, f"#{cls.code} should name {cls.__name__}"
        assert "**What to do:**" in section, f"#{cls.code} should say what to do"
        assert "```python" in section, f"#{cls.code} needs a runnable example"


def test_error_messages_link_to_the_built_errors_page():
    mkdocs = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    site_url = re.search(r"^site_url:\s*(\S+)\s*$", mkdocs, re.MULTILINE)
    assert site_url is not None
    assert site_url[1].rstrip("/") + "/errors/" == errors.DOCS_URL
    assert str(errors.ConfigError("x")).endswith(f"{errors.DOCS_URL}#config-invalid]")
