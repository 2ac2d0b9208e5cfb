"""dchkit — customer identity resolution and unified customer profiles.

Import the package as ``import dchkit as dch``. Layers load lazily on first attribute
access, so ``import dchkit`` stays fast and imports no optional dependency.

Examples:
    >>> import dchkit as dch
    >>> res = dch.resolve([{"record_id": "a", "email": "taro@example.jp", "family_name": "山田"},
    ...                    {"record_id": "b", "email": "TARO@example.jp", "family_name": "ヤマダ"}])
    >>> res.customer_of("a") == res.customer_of("b")
    True
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from dchkit._version import __version__
from dchkit.errors import DchkitError

if TYPE_CHECKING:
    from dchkit import (
        charts,
        connectors,
        datasets,
        errors,
        normalize,
        notebook,
        profile,
        resolution,
        schema,
    )
    from dchkit.connectors import connect
    from dchkit.datasets import generate_world, load_demo
    from dchkit.hub import Hub
    from dchkit.profile import Profile, ProfileStore, SegmentRegistry, Trait
    from dchkit.resolution import Resolution, Resolver, ResolverConfig, block_on
    from dchkit.resolution.oneshot import resolve

__all__ = [
    "DchkitError",
    "Hub",
    "Profile",
    "ProfileStore",
    "Resolution",
    "Resolver",
    "ResolverConfig",
    "SegmentRegistry",
    "Trait",
    "__version__",
    "block_on",
    "charts",
    "connect",
    "connectors",
    "datasets",
    "errors",
    "generate_world",
    "load_demo",
    "normalize",
    "notebook",
    "profile",
    "resolution",
    "resolve",
    "schema",
]

_LAZY_MODULES = frozenset(
    {
        "charts",
        "connectors",
        "datasets",
        "errors",
        "normalize",
        "notebook",
        "profile",
        "resolution",
        "schema",
    }
)
_LAZY_OBJECTS = {
    "Profile": "dchkit.profile",
    "ProfileStore": "dchkit.profile",
    "SegmentRegistry": "dchkit.profile",
    "Trait": "dchkit.profile",
    "Resolution": "dchkit.resolution",
    "Resolver": "dchkit.resolution",
    "ResolverConfig": "dchkit.resolution",
    "block_on": "dchkit.resolution",
    "connect": "dchkit.connectors",
    "generate_world": "dchkit.datasets",
    "Hub": "dchkit.hub",
    "load_demo": "dchkit.datasets",
    "resolve": "dchkit.resolution.oneshot",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY_MODULES:
        value: Any = importlib.import_module(f"dchkit.{name}")
    elif name in _LAZY_OBJECTS:
        value = getattr(importlib.import_module(_LAZY_OBJECTS[name]), name)
    else:
        msg = f"module 'dchkit' has no attribute {name!r}"
        raise AttributeError(msg)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
