"""The connector registry: names to connector classes, plug-ins, and :func:`connect`.

Built-ins are registered as dotted paths, so nothing heavy is imported until used. Third
parties register through the ``dchkit.connectors`` entry-point group; entry points are
read lazily, on the first lookup of a name the registry does not know — never at import.
``DCHKIT_DISABLE_PLUGINS=1`` turns all plug-ins off, ``=name1,name2`` only those.

Examples:
    >>> "csv" in registry and "segment" in registry
    True
    >>> get_connector("csv").__name__
    'CsvConnector'
    >>> try:
    ...     get_connector("cvs")
    ... except ConnectorNotFoundError as err:
    ...     print(err.message)
    no connector is registered as 'cvs'; did you mean 'csv'?
"""

from __future__ import annotations

import importlib
import importlib.metadata
import inspect
import os
import re
from collections.abc import Callable
from types import MappingProxyType
from typing import Any, TypeVar, overload

from dchkit.connectors.base import Connector
from dchkit.connectors.mapping import suggest
from dchkit.errors import ConnectorDependencyError, ConnectorNotFoundError, PluginError

__all__ = [
    "ENTRY_POINT_GROUP",
    "available_connectors",
    "connect",
    "get_connector",
    "register_connector",
    "registry",
]

ENTRY_POINT_GROUP = "dchkit.connectors"

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
_DOTTED = re.compile(r"^[A-Za-z_][\w.]*:[A-Za-z_]\w*$")

#: name -> connector class, or "package.module:ClassName" not imported yet.
_registry: dict[str, type[Connector] | str] = {
    "csv": "dchkit.connectors.delimited:CsvConnector",
    "jsonl": "dchkit.connectors.jsonlines:JsonLinesConnector",
    "json": "dchkit.connectors.jsonlines:JsonConnector",
    "parquet": "dchkit.connectors.parquet:ParquetConnector",
    "memory": "dchkit.connectors.memory:InMemoryConnector",
    "sql": "dchkit.connectors.sql:SqlConnector",
    "segment": "dchkit.connectors.segment:SegmentConnector",
}
#: Read-only view of the registry (values may still be dotted paths).
registry: MappingProxyType[str, type[Connector] | str] = MappingProxyType(_registry)

_entry_points_loaded = False

ConnectorT = TypeVar("ConnectorT", bound=type[Any])


def _disabled() -> tuple[bool, frozenset[str]]:
    value = os.environ.get("DCHKIT_DISABLE_PLUGINS", "").strip()
    if value.lower() in ("1", "true", "yes", "all"):
        return True, frozenset()
    return False, frozenset(n.strip() for n in value.split(",") if n.strip())


def _validate(name: str, cls: Any, origin: str) -> None:
    """Check a plug-in at registration: a lower-case name and a class meeting the protocol."""
    if not _NAME.match(name):
        msg = f"connector name {name!r} ({origin}) is not a lower-case identifier"
        raise PluginError(msg, fix="use a name such as 'hubspot' or 'my_crm'", plugin=name)
    if not inspect.isclass(cls):
        msg = f"connector {name!r} ({origin}) is a {type(cls).__name__}, not a class"
        raise PluginError(msg, fix="register the connector class itself", plugin=name)
    read = getattr(cls, "read", None)
    if not callable(read):
        msg = f"connector {name!r} ({origin}) has no read() method"
        raise PluginError(
            msg,
            fix="implement read() -> Iterator[ConnectorBatch] or subclass BaseConnector",
            plugin=name,
        )
    if inspect.isabstract(cls):
        missing = sorted(getattr(cls, "__abstractmethods__", ()))
        msg = f"connector {name!r} ({origin}) is abstract: it lacks {missing}"
        raise PluginError(msg, fix="implement the missing methods", plugin=name)
    declared = set(dir(cls))
    for klass in inspect.getmro(cls):
        declared |= set(getattr(klass, "__annotations__", {}))
    if not isinstance(getattr(cls, "name", None), str) or "source" not in declared:
        msg = (
            f"connector {name!r} ({origin}) does not declare a str 'name' and a 'source' attribute"
        )
        raise PluginError(msg, fix="declare name: str and source: str", plugin=name)


@overload
def register_connector(
    name: str, cls: None = None, *, replace: bool = False
) -> Callable[[ConnectorT], ConnectorT]: ...
@overload
def register_connector(name: str, cls: type[Any] | str, *, replace: bool = False) -> None: ...
def register_connector(
    name: str, cls: type[Any] | str | None = None, *, replace: bool = False
) -> Callable[[ConnectorT], ConnectorT] | None:
    """Register a connector class (or a ``"module:Class"`` path) under ``name``.

    Usable as a class decorator: ``@register_connector("my_crm")``. A class is validated
    now; a dotted path is validated when first looked up.

    Raises:
        PluginError: the name is taken (and ``replace`` is false) or the plug-in is invalid.

    Examples:
        >>> from dchkit.connectors import BaseConnector
        >>> @register_connector("example_rows", replace=True)
        ... class ExampleRows(BaseConnector):
        ...     name = "example_rows"
        ...     def read_raw(self):
        ...         return iter(())
        >>> get_connector("example_rows") is ExampleRows
        True
    """

    def add(target: ConnectorT) -> ConnectorT:
        _add(name, target, replace=replace, origin=getattr(target, "__module__", "?"))
        return target

    if cls is None:
        return add
    _add(name, cls, replace=replace, origin="register_connector")
    return None


def _add(name: str, cls: type[Any] | str, *, replace: bool, origin: str) -> None:
    if not _NAME.match(name):
        msg = f"connector name {name!r} is not a lower-case identifier"
        raise PluginError(msg, fix="use a name such as 'hubspot' or 'my_crm'", plugin=name)
    if name in _registry and not replace and _registry[name] != cls:
        msg = f"a connector is already registered as {name!r}"
        raise PluginError(msg, fix="pick another name or pass replace=True", plugin=name)
    if isinstance(cls, str):
        if not _DOTTED.match(cls):
            msg = f"connector {name!r}: {cls!r} is not a 'package.module:ClassName' path"
            raise PluginError(msg, fix="write it as 'my_package.module:MyConnector'", plugin=name)
    else:
        _validate(name, cls, origin)
    _registry[name] = cls


def _load_dotted(name: str, path: str) -> type[Connector]:
    module_name, _, attribute = path.partition(":")
    try:
        module = importlib.import_module(module_name)
        cls = getattr(module, attribute)
    except (ImportError, AttributeError) as err:
        package = module_name.split(".")[0]
        msg = f"connector {name!r} cannot be loaded from {path!r}: {err}"
        raise ConnectorDependencyError(
            msg, fix=f"install or repair the package that provides it ({package})", plugin=name
        ) from err
    _validate(name, cls, path)
    loaded: type[Connector] = cls
    return loaded


def _load_entry_points() -> None:
    """Register connectors advertised in the ``dchkit.connectors`` entry-point group."""
    global _entry_points_loaded
    _entry_points_loaded = True
    all_off, names_off = _disabled()
    if all_off:
        return
    for entry_point in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        if entry_point.name in names_off or entry_point.name in _registry:
            continue
        if not _NAME.match(entry_point.name):
            dist = getattr(entry_point.dist, "name", "?")
            msg = f"entry point {entry_point.name!r} of {dist} is not a lower-case identifier"
            raise PluginError(msg, fix="rename the entry point", plugin=entry_point.name)
        _registry[entry_point.name] = entry_point.value


def get_connector(name: str) -> type[Connector]:
    """Return the connector class registered as ``name`` (importing it if needed).

    Raises:
        ConnectorNotFoundError: no such name; the message suggests the closest and lists all.
        ConnectorDependencyError: the connector's module cannot be imported (chained).
    """
    if name not in _registry and not _entry_points_loaded:
        _load_entry_points()
    if name not in _registry:
        available = available_connectors()
        hint = suggest(name, available)
        msg = f"no connector is registered as {name!r}" + (
            f"; did you mean {hint!r}?" if hint else ""
        )
        raise ConnectorNotFoundError(
            msg, fix=f"available connectors: {', '.join(available)}", name=name, available=available
        )
    entry = _registry[name]
    if isinstance(entry, str):
        entry = _load_dotted(name, entry)
        _registry[name] = entry
    return entry


def available_connectors() -> list[str]:
    """Sorted names of every registered connector (plug-ins included)."""
    if not _entry_points_loaded:
        _load_entry_points()
    return sorted(_registry)


def connect(name: str, /, **options: Any) -> Connector:
    """Build a connector by name, for configuration files: ``connect("csv", path=…)``.

    Args:
        name: Registry name (``csv``, ``jsonl``, ``json``, ``parquet``, ``memory``, ``sql``,
            ``segment`` or a plug-in's).
        **options: Passed to the connector class (``path``, ``source``, ``mapping`` or
            ``preset`` …).

    Examples:
        >>> conn = connect("memory", data=[{"record_id": "1"}], source="app")
        >>> conn.read_all().report.records
        1
    """
    cls: Any = get_connector(name)
    connector: Connector = cls(**options)
    return connector
