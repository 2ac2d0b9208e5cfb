"""Helpers for testing code built on dchkit, and for plug-in authors.

:class:`ConnectorContract` is the conformance suite a connector plug-in subclasses (it
needs pytest). :class:`~dchkit.connectors.InMemoryConnector` is re-exported as the
connector to reach for in tests.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dchkit.connectors.memory import InMemoryConnector

if TYPE_CHECKING:
    from dchkit.testing.contract import ConnectorContract

__all__ = ["ConnectorContract", "InMemoryConnector"]


def __getattr__(name: str) -> Any:
    if name == "ConnectorContract":  # imports pytest, so only on demand
        from dchkit.testing.contract import ConnectorContract

        return ConnectorContract
    msg = f"module 'dchkit.testing' has no attribute {name!r}"
    raise AttributeError(msg)
