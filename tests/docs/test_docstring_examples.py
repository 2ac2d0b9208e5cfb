"""Every ``>>>`` example in the docstrings of src/dchkit runs and prints what it shows.

Modules are discovered by walking the source tree, so a new module is covered without
touching this file. A module whose import fails because an optional dependency (an extra)
is not installed is skipped with the name of the missing package; any other import error
fails.
"""

from __future__ import annotations

import doctest
import importlib
import importlib.util
from pathlib import Path

import pytest

import dchkit

PACKAGE_DIR = Path(dchkit.__file__).resolve().parent
# Importing these runs a program rather than defining one.
NOT_IMPORTED = frozenset({"__main__"})
# Packages of the optional extras (pyproject.toml); a module needing one may be skipped.
OPTIONAL_PACKAGES = frozenset(
    {
        "pandas",
        "polars",
        "pykakasi",
        "fastapi",
        "uvicorn",
        "splink",
        "duckdb",
        "yaml",
        "matplotlib",
        "recordlinkage",
    }
)


def module_names() -> list[str]:
    """Every module of the dchkit package, from the files on disk."""
    names = []
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        parts = path.relative_to(PACKAGE_DIR).with_suffix("").parts
        if parts[-1] in NOT_IMPORTED:
            continue
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names.append(".".join(("dchkit", *parts)))
    return names


def _import(name: str) -> object:
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as err:
        missing = (err.name or "").partition(".")[0]
        if missing in OPTIONAL_PACKAGES:
            pytest.skip(f"{name} needs the optional package {missing!r}")
        raise


@pytest.mark.parametrize("name", module_names())
def test_docstring_examples_run(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    module = _import(name)
    monkeypatch.chdir(tmp_path)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS, verbose=False)
    report: list[str] = []
    for test in finder.find(module, name):
        runner.run(test, out=report.append)
    failed, _attempted = runner.summarize(verbose=False)
    assert not failed, "".join(report)


def test_modules_are_discovered_from_the_tree():
    names = module_names()
    assert {"dchkit", "dchkit.errors", "dchkit.schema"} <= set(names)
    assert "dchkit._version" in names  # private modules' examples run too


def test_a_failing_example_is_reported(tmp_path: Path):
    source = tmp_path / "dchkit_doctest_probe.py"
    source.write_text('def f():\n    """Doc.\n\n    >>> 1 + 1\n    3\n    """\n')
    spec = importlib.util.spec_from_file_location("dchkit_doctest_probe", source)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    runner = doctest.DocTestRunner(verbose=False)
    for test in doctest.DocTestFinder().find(module, "dchkit_doctest_probe"):
        runner.run(test, out=lambda _text: None)
    assert runner.summarize(verbose=False).failed == 1
