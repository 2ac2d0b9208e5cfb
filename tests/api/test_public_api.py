"""The public API: a sorted, resolvable ``__all__``, a light ``import dchkit``, no leaks."""

from __future__ import annotations

import importlib
import inspect
import json
import subprocess
import sys
import types
from pathlib import Path

import pytest

import dchkit
from dchkit import errors

# Packages of the optional extras and of the benchmarks: `import dchkit` must not need them.
OPTIONAL_DEPENDENCIES = (
    "pandas",
    "polars",
    "pykakasi",
    "fastapi",
    "uvicorn",
    "splink",
    "duckdb",
    "yaml",
    "matplotlib",
)
# Layers that load on first use, never on `import dchkit`.
HEAVY_LAYERS = (
    "dchkit.connectors",
    "dchkit.datasets",
    "dchkit.hub",
    "dchkit.normalize",
    "dchkit.profile",
    "dchkit.resolution",
    "dchkit.server",
    "dchkit.store",
    "dchkit.testing",
)


def _import_every_module() -> None:
    """Import every module of the package, so that every error class is defined."""
    package_dir = Path(dchkit.__file__).resolve().parent
    for path in sorted(package_dir.rglob("*.py")):
        parts = path.relative_to(package_dir).with_suffix("").parts
        if parts[-1] == "__main__":
            continue
        if parts[-1] == "__init__":
            parts = parts[:-1]
        try:
            importlib.import_module(".".join(("dchkit", *parts)))
        except ModuleNotFoundError as err:
            if (err.name or "").partition(".")[0] not in OPTIONAL_DEPENDENCIES:
                raise


def _public_objects() -> list[tuple[str, object]]:
    return [(name, getattr(dchkit, name)) for name in dchkit.__all__]


def test_all_is_sorted_and_unique():
    assert dchkit.__all__ == sorted(set(dchkit.__all__))


def test_every_name_in_all_resolves():
    for name in dchkit.__all__:
        assert getattr(dchkit, name) is not None, name
    assert set(dchkit.__all__) <= set(dir(dchkit))


def test_unknown_attribute_raises_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'Resolverr'"):
        _ = dchkit.Resolverr


def test_import_dchkit_loads_no_optional_dependency_and_no_heavy_layer():
    code = "import json, sys, dchkit; print(json.dumps(sorted(sys.modules)))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    loaded = set(json.loads(result.stdout))
    assert "dchkit" in loaded
    optional = sorted(name for name in loaded if name.partition(".")[0] in OPTIONAL_DEPENDENCIES)
    assert not optional, f"`import dchkit` imports optional dependencies: {optional}"
    layers = sorted(
        name
        for name in loaded
        if any(name == layer or name.startswith(layer + ".") for layer in HEAVY_LAYERS)
    )
    assert not layers, f"`import dchkit` imports heavy layers eagerly: {layers}"


def test_public_objects_do_not_come_from_private_modules():
    leaks = []
    for name, obj in _public_objects():
        if name == "__version__":
            continue
        if isinstance(obj, types.ModuleType):
            module_name = obj.__name__
        elif inspect.isclass(obj) or inspect.isfunction(obj):
            module_name = obj.__module__
        else:
            continue
        if any(part.startswith("_") for part in module_name.split(".")):
            leaks.append(f"{name} ({module_name})")
    assert not leaks, f"public objects defined in private modules: {leaks}"


def test_errors_all_lists_every_error_class_defined_there():
    _import_every_module()
    # Only the package's own classes: tests may subclass DchkitError for their own needs.
    classes = [c for c in errors.error_classes() if c.__module__.partition(".")[0] == "dchkit"]
    assert errors.__all__ == sorted(errors.__all__)
    missing = sorted(cls.__name__ for cls in classes if cls.__name__ not in errors.__all__)
    assert not missing, f"dchkit.errors.__all__ lacks {missing}"
    elsewhere = sorted(
        f"{cls.__module__}.{cls.__qualname__}"
        for cls in classes
        if cls.__module__ != "dchkit.errors"
    )
    assert not elsewhere, f"error classes belong in dchkit.errors: {elsewhere}"
    defined_here = {
        name
        for name, obj in vars(errors).items()
        if inspect.isclass(obj)
        and issubclass(obj, BaseException)
        and obj.__module__ == errors.__name__
    }
    assert defined_here <= set(errors.__all__)


def test_root_error_is_exported_at_the_top_level():
    assert dchkit.DchkitError is errors.DchkitError
