"""Plain-data views of hub objects, shared by the command line and the HTTP API.

Each function turns one answer of :class:`dchkit.Hub` into dicts and lists that JSON can
carry, so a script reading ``dchkit … --json`` and an HTTP client see the same shapes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dchkit.cli.output import jsonable

if TYPE_CHECKING:
    from dchkit.hub import Change, Hub
    from dchkit.profile import Profile, TimelinePage

__all__ = [
    "change_view",
    "customer_profile",
    "customer_traits",
    "profile_view",
    "segment_views",
    "timeline_view",
]


def customer_traits(hub: Hub, customer_id: str) -> dict[str, Any]:
    """The live traits of one customer, computed from its own rows (point reads).

    Raises:
        ProfileNotFoundError: no customer has that id.
    """
    return dict(jsonable(hub.profiles.traits(customer_id)))


def customer_profile(
    hub: Hub, identifier: dict[str, str], *, traits: bool = True
) -> dict[str, Any]:
    """The profile view of the customer holding one identifier, with its live traits.

    One point read of the customer's rows serves both the profile and the traits.

    Raises:
        ProfileNotFoundError: nobody holds the identifier.
        ProfileError: several customers share it.
    """
    if set(identifier) == {"customer_id"}:
        profile = hub.profiles.get(identifier["customer_id"], traits=traits)
    else:
        profile = hub.profiles.get(hub.profiles.customer_id_of(**identifier), traits=traits)
    return profile_view(profile)


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
