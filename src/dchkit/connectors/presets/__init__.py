"""Shipped mappings for common exports, as JSON data files beside this module.

=========================  ===============================================================
preset                     export
=========================  ===============================================================
``salesforce_contacts``    Salesforce Contact export (Data Loader / report CSV)
``salesforce_leads``       Salesforce Lead export
``hubspot_contacts``       HubSpot contacts export CSV
``hubspot_email_events``   HubSpot e-mail events (JSON Lines)
``marketo_email_activity`` Marketo e-mail activity export CSV
``zendesk_users``          Zendesk users export (JSON Lines or JSON)
``zendesk_tickets``        Zendesk tickets export (JSON Lines or JSON)
``shopify_customers``      Shopify customers export CSV
``shopify_orders``         Shopify orders export CSV (events ``Order Completed``)
``segment_events``         Segment-spec messages (``segment`` too; use ``SegmentConnector``)
``pos_transactions``       a generic POS transaction file (events ``Order Completed``)
=========================  ===============================================================

Examples:
    >>> "shopify_orders" in available_presets()
    True
    >>> load_preset("salesforce_contacts").source
    'crm'
    >>> try:
    ...     load_preset("shopify_customer")
    ... except ConnectorNotFoundError as err:
    ...     print(err.message)
    no preset is named 'shopify_customer'; did you mean 'shopify_customers'?
"""

from __future__ import annotations

import functools
from importlib import resources
from typing import Any

from dchkit.connectors.mapping import Mapping, load_mapping, suggest
from dchkit.errors import ConnectorNotFoundError, PluginError

__all__ = ["available_presets", "load_preset", "register_preset"]

_extra: dict[str, Mapping] = {}
_ALIASES = {"segment": "segment_events"}


def _shipped() -> list[str]:
    files = resources.files(__name__)
    return sorted(p.name[: -len(".json")] for p in files.iterdir() if p.name.endswith(".json"))


def available_presets() -> list[str]:
    """Sorted names of the shipped and registered presets."""
    return sorted(set(_shipped()) | set(_extra))


@functools.cache
def _load_shipped(name: str) -> Mapping:
    text = resources.files(__name__).joinpath(f"{name}.json").read_text(encoding="utf-8")
    return load_mapping(text)


def load_preset(name: str) -> Mapping:
    """Return the preset mapping called ``name``.

    Raises:
        ConnectorNotFoundError: no such preset; the message suggests the closest name.
    """
    name = _ALIASES.get(name, name)
    if name in _extra:
        return _extra[name]
    if name in _shipped():
        return _load_shipped(name)
    names = available_presets()
    hint = suggest(name, names)
    msg = f"no preset is named {name!r}" + (f"; did you mean {hint!r}?" if hint else "")
    raise ConnectorNotFoundError(
        msg, fix=f"available presets: {', '.join(names)}", name=name, available=names
    )


def register_preset(name: str, mapping: Mapping | dict[str, Any], *, replace: bool = False) -> None:
    """Make a mapping available by name to ``preset=`` (e.g. a company's CRM layout).

    Raises:
        PluginError: the name is taken and ``replace`` is false.
    """
    if not replace and (name in _extra or name in _shipped()):
        msg = f"a preset named {name!r} exists already"
        raise PluginError(msg, fix="pick another name or pass replace=True", plugin=name)
    _extra[name] = load_mapping(mapping if isinstance(mapping, Mapping) else dict(mapping))
