"""Every ```python block in docs/**/*.md and README.md runs.

The blocks of one page run in order, in one namespace, in a temporary working directory,
so a page can build on its earlier blocks like a reader would. Conventions (documented in
CONTRIBUTING.md):

- ``# > text`` lines in a block state what the block prints; the printed output must match
  them exactly (a block without such lines may print anything).
- A block whose first line is ``# not run: <reason>`` is skipped, visibly, with its reason.
- Snippet includes (``--8<-- "FILE"``) are expanded first, so an included CHANGELOG.md or
  CONTRIBUTING.md is checked where it is shown.

The tutorials and cookbook recipes resolve synthetic worlds end to end, so their pages are
marked ``slow``.
"""

from __future__ import annotations

import contextlib
import io
import linecache
import re
import sys
import types
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"

FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>[^`]*)$")
SNIPPET = re.compile(r'^[ \t]*--8<--[ \t]+"(?P<path>[^"]+)"[ \t]*$')
SKIP = re.compile(r"^#\s*not run:\s*(?P<reason>.*\S)?\s*$")
# "# > text" (the form `ruff format` gives a "#>" comment in Markdown code blocks).
OUTPUT = re.compile(r"^[ \t]*# ?>(?: (?P<text>.*))?$")
# Spellings of Python that would silently escape this test: use ```python instead.
FORBIDDEN_LANGUAGES = frozenset({"py", "py3", "python3", "pycon", "ipython", "Python"})


@dataclass(frozen=True)
class Block:
    """One fenced code block of a Markdown page."""

    language: str
    code: str
    line: int  # 1-based line of the first code line in the (snippet-expanded) page

    @property
    def skip_reason(self) -> str | None:
        first = self.code.splitlines()[0] if self.code.strip() else ""
        match = SKIP.match(first)
        if match is None:
            return None
        return match["reason"] or ""

    @property
    def expected_output(self) -> list[str] | None:
        lines = [m["text"] or "" for m in map(OUTPUT.match, self.code.splitlines()) if m]
        return lines or None


def expand_snippets(text: str) -> str:
    """Inline ``--8<-- "FILE"`` lines the way pymdownx.snippets does (base path: the repo)."""
    out = []
    for line in text.splitlines():
        match = SNIPPET.match(line)
        out.append((ROOT / match["path"]).read_text(encoding="utf-8") if match else line)
    return "\n".join(out)


def code_blocks(markdown: str) -> list[Block]:
    """Return the fenced code blocks of ``markdown``, indented ones (tabs, admonitions) too."""
    blocks: list[Block] = []
    lines = markdown.splitlines()
    i = 0
    while i < len(lines):
        opening = FENCE.match(lines[i])
        if opening is None:
            i += 1
            continue
        fence, indent = opening["fence"], len(opening["indent"].expandtabs())
        info = opening["info"].strip().lstrip("{").strip().lstrip(".")
        language = info.split()[0].rstrip("}") if info else ""
        body: list[str] = []
        j = i + 1
        while j < len(lines):
            closing = FENCE.match(lines[j])
            if (
                closing
                and closing["fence"][0] == fence[0]
                and len(closing["fence"]) >= len(fence)
                and not closing["info"].strip()
            ):
                break
            body.append(lines[j])
            j += 1
        else:
            msg = f"code fence opened on line {i + 1} is never closed"
            raise ValueError(msg)
        dedented = [line[indent:] if not line[:indent].strip() else line.lstrip() for line in body]
        blocks.append(Block(language, "\n".join(dedented) + "\n", i + 2))
        i = j + 1
    return blocks


def run_blocks(blocks: list[Block], *, name: str) -> list[str]:
    """Run the python blocks in order in one fresh module namespace; return the skip notes.

    Raises whatever a block raises; an ``AssertionError`` when a block's output differs from
    its ``# >`` lines.
    """
    module = types.ModuleType("docs_example_" + re.sub(r"\W", "_", name))
    sys.modules[module.__name__] = module
    skipped: list[str] = []
    try:
        for block in blocks:
            if block.language != "python":
                continue
            where = f"{name}:{block.line}"
            if block.skip_reason is not None:
                skipped.append(f"{where}: {block.skip_reason}")
                continue
            filename = f"<docs {name}>"
            source = "\n" * (block.line - 1) + block.code
            linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
            buffer = io.StringIO()
            with contextlib.redirect_stdout(buffer):
                exec(compile(source, filename, "exec"), module.__dict__)
            expected = block.expected_output
            if expected is not None:
                printed = [line.rstrip() for line in buffer.getvalue().splitlines()]
                assert printed == [line.rstrip() for line in expected], (
                    f"{where}: the block prints something other than its # > lines"
                )
    finally:
        sys.modules.pop(module.__name__, None)
    return skipped


def _pages() -> list[Path]:
    return [*sorted(DOCS.rglob("*.md")), ROOT / "README.md"]


def _page_id(page: Path) -> str:
    return page.relative_to(ROOT).as_posix()


def _blocks_of(page: Path) -> list[Block]:
    return code_blocks(expand_snippets(page.read_text(encoding="utf-8")))


PAGES_WITH_PYTHON = [
    page for page in _pages() if any(b.language == "python" for b in _blocks_of(page))
]
#: Walkthroughs that build and resolve a synthetic world end to end (several seconds each).
SLOW_SECTIONS = ("tutorials", "cookbook")


def _param(page: Path) -> object:
    slow = page.parent.name in SLOW_SECTIONS and page.parent.parent == DOCS
    return pytest.param(page, id=_page_id(page), marks=[pytest.mark.slow] if slow else [])


@pytest.mark.parametrize("page", [_param(page) for page in PAGES_WITH_PYTHON])
def test_page_examples_run(page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    run_blocks(_blocks_of(page), name=_page_id(page))


@pytest.mark.parametrize("page", _pages(), ids=_page_id)
def test_code_fences_name_a_language_and_skips_give_a_reason(page: Path):
    for block in _blocks_of(page):
        where = f"{_page_id(page)}:{block.line}"
        assert block.language, f"{where}: give the code fence a language (```python, ```bash …)"
        assert block.language not in FORBIDDEN_LANGUAGES, (
            f"{where}: write ```python so the block is run by the docs tests"
        )
        if block.language == "python":
            assert block.skip_reason != "", f"{where}: '# not run:' needs a reason"


def test_docs_examples_exist():
    # The landing page, the schema page, the errors page, every tutorial and every recipe
    # carry runnable examples.
    ids = {_page_id(page) for page in PAGES_WITH_PYTHON}
    assert {
        "docs/index.md",
        "docs/errors.md",
        "docs/concepts/canonical-schema.md",
        "README.md",
        "docs/tutorials/app-developer.md",
        "docs/tutorials/data-engineer.md",
        "docs/tutorials/integrator.md",
        "docs/cookbook/connector.md",
        "docs/cookbook/blocking.md",
        "docs/cookbook/threshold.md",
        "docs/cookbook/households.md",
        "docs/cookbook/japanese.md",
        "docs/cookbook/erasure.md",
    } <= ids


# ------------------------------------------------------------- the harness itself

SAMPLE = """
Intro.

```python
x = 2
print(x * 21)
# > 42
```

=== "Tab"

    ```python
    for _ in range(2):
        y = x + 1
    ```

~~~~bash
echo hi
~~~~

```python
# not run: needs a CRM account
connect_to_salesforce()
```
"""


def test_harness_finds_indented_blocks_and_keeps_one_namespace():
    blocks = code_blocks(SAMPLE)
    assert [b.language for b in blocks] == ["python", "python", "bash", "python"]
    assert blocks[1].code == "for _ in range(2):\n    y = x + 1\n"
    assert blocks[0].line == 5
    assert blocks[3].skip_reason == "needs a CRM account"
    assert run_blocks(blocks, name="sample") == ["sample:22: needs a CRM account"]


def test_harness_fails_on_wrong_output_and_on_errors():
    with pytest.raises(AssertionError, match="# > lines"):
        run_blocks(code_blocks("```python\nprint(1)\n# > 2\n```\n"), name="wrong")
    with pytest.raises(ZeroDivisionError):
        run_blocks(code_blocks("```python\n1 / 0\n```\n"), name="boom")


def test_harness_refuses_an_unclosed_fence():
    with pytest.raises(ValueError, match="never closed"):
        code_blocks("```python\nprint(1)\n")
