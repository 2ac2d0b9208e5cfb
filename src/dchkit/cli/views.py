"""Plain-data views of hub objects, shared by the command line and the HTTP API.

Each function turns one answer of :class:`dchkit.Hub` into dicts and lists that JSON can
carry, so a script reading ``dchkit … --json`` and an HTTP client see the same shapes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dchkit.cli.output import jsonable

if TYPE_CHECKING:
    from dchkit.hub import Change, Hub
    from dchkit.profile import Profile, ProfileStore, TimelinePage

__all__ = [
    "LIVE_TRAITS",
    "change_view",
    "customer_profile",
    "customer_store",
    "customer_traits",
    "profile_view",
    "segment_views",
    "store_traits",
    "timeline_view",
]


def _live_traits() -> tuple[Any, ...]:
    from dchkit.profile.traits import BUILTIN_TRAITS, RfmScores

    return tuple(t for t in BUILTIN_TRAITS if not isinstance(t, RfmScores))


#: The built-in traits that depend on one customer's events only (RFM scores rank a
#: customer against everybody, so they come with exports, not with one profile).
LIVE_TRAITS: tuple[Any, ...] = _live_traits()


def customer_store(hub: Hub, customer_id: str) -> ProfileStore:
    """A profile store of one customer's rows only (read through the hub's indexes)."""
    from dchkit.profile import ProfileStore
    from dchkit.store import state

    tables = state.customer_tables(hub.store, customer_id)
    return ProfileStore(
        records=tables.records,
        clusters=tables.clusters,
        golden=tables.golden,
        lineage=tables.lineage,
        events=tables.events,
        salt=hub.salt,
        default_region=hub.default_region,
    )


def store_traits(store: ProfileStore) -> dict[str, Any]:
    """The live traits of the one customer of ``store``."""
    from dchkit.profile.traits import compute_traits

    row = compute_traits(store, LIVE_TRAITS).to_pylist()[0]
    row.pop("customer_id", None)
    return dict(jsonable(row))


def customer_traits(hub: Hub, customer_id: str) -> dict[str, Any]:
    """The live traits of one customer, computed from its own rows (milliseconds).

    Raises:
        ProfileNotFoundError: no customer has that id.
    """
    return store_traits(customer_store(hub, hub.profiles.customer_id_of(customer_id)))


def customer_profile(
    hub: Hub, identifier: dict[str, str], *, traits: bool = True
) -> dict[str, Any]:
    """The profile view of the customer holding one identifier, with its live traits.

    One read of the customer's rows serves both the profile and the traits.

    Raises:
        ProfileNotFoundError: nobody holds the identifier.
        ProfileError: several customers share it.
    """
    cid = hub.profiles.customer_id_of(**identifier)
    store = customer_store(hub, cid)
    return profile_view(store.get(cid), store_traits(store) if traits else {})


def profile_view(profile: Profile, traits: dict[str, Any] | None = None) -> dict[str, Any]:
    """A profile: id, display name, golden record, source records, lineage, consent, traits."""
    return {
        "customer_id": profile.customer_id,
        "name": profile.name,
        "golden": jsonable(profile.golden),
        "records": jsonable(profile.records),
        "lineage": jsonable(profile.lineage),
        "consent": jsonable(dict(profile.consent)),
        "traits": traits if traits is not None else jsonable(dict(profile.traits)),
    }


def timeline_view(page: TimelinePage) -> dict[str, Any]:
    """A timeline page: the events, the total over all pages and the next cursor."""
    return {
        "customer_id": page.customer_id,
        "total": page.total,
        "next_cursor": page.next_cursor,
        "events": jsonable(page.events),
    }


def change_view(change: Change) -> dict[str, Any]:
    """One change-feed entry."""
    return dict(jsonable(change))


def segment_views(hub: Hub) -> list[dict[str, Any]]:
    """Every defined segment: name, rule text, rule as a JSON tree, description."""
    return [
        {
            "name": s.name,
            "rule": str(s.rule),
            "condition": s.rule.to_json(),
            "description": s.description,
        }
        for s in hub.segments
    ]
