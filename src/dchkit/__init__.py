"""dchkit — customer identity resolution and unified customer profiles.

Import the package as ``import dchkit as dch``. Heavy or optional parts load lazily on
first attribute access, so ``import dchkit`` stays fast and imports no optional dependency.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from dchkit._version import __version__
from dchkit.errors import DchkitError

if TYPE_CHECKING:
    from dchkit import errors, schema

__all__ = [
    "DchkitError",
    "__version__",
    "errors",
    "schema",
]

_LAZY_MODULES = frozenset({"errors", "schema"})


def __getattr__(name: str) -> Any:
    if name in _LAZY_MODULES:
        module = importlib.import_module(f"dchkit.{name}")
        globals()[name] = module
        return module
    msg = f"module 'dchkit' has no attribute {name!r}"
    raise AttributeError(msg)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
