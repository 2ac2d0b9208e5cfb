"""``Profile``: one customer as other applications see it.

A profile is the golden record, the source records it was merged from, the lineage of
every golden value (*where did this phone number come from?*), consent per purpose with
when and from which source (latest wins), and the customer's computed traits when the
store holds them.

Examples:
    >>> import pyarrow as pa
    >>> from dchkit.profile import ProfileStore
    >>> from dchkit.resolution import Resolver
    >>> res = Resolver().resolve(pa.table({
    ...     "record_id": ["crm:1", "ec:9"], "source": ["crm", "ec"],
    ...     "source_record_id": ["1", "9"], "family_name": [None, "山田"],
    ...     "emails": [["taro@example.jp"], ["taro@example.jp"]],
    ...     "phones": [["+81312345678"], []],
    ... }))
    >>> profile = ProfileStore.from_resolution(res).lookup(email="taro@example.jp")
    >>> [(e.record_id, e.rule) for e in profile.where("phones", "+81312345678")]
    [('crm:1', 'all values')]
    >>> profile.golden.family_name
    '山田'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from dchkit.profile.privacy import Consent
from dchkit.schema import CustomerRecord, GoldenRecord, LineageEntry

if TYPE_CHECKING:
    from dchkit.profile.store import ProfileStore

__all__ = ["Profile", "build_profile"]

_NEVER = datetime(1, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Profile:
    """One customer: golden record, source records, lineage, consent and traits.

    Attributes:
        golden: The merged golden record.
        records: The source records of the customer.
        lineage: Where each golden value came from.
        consent: Latest consent per purpose or channel, with when and from where.
        traits: Computed traits by name (empty until the store computes them).
    """

    golden: GoldenRecord
    records: tuple[CustomerRecord, ...]
    lineage: tuple[LineageEntry, ...]
    consent: Mapping[str, Consent] = field(default_factory=lambda: MappingProxyType({}))
    traits: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    @property
    def customer_id(self) -> str:
        """The customer's stable id."""
        return self.golden.customer_id

    @property
    def name(self) -> str | None:
        """Display name: the full name, else given and family name joined.

        A name in kanji or kana reads family name first (山田 花子), others given name
        first (Hanako Yamada).
        """
        golden = self.golden
        if golden.full_name:
            return golden.full_name
        given, family = golden.given_name, golden.family_name
        order = (family, given) if _is_japanese(f"{family or ''}{given or ''}") else (given, family)
        return " ".join(part for part in order if part) or None

    @property
    def emails(self) -> tuple[str, ...]:
        """All e-mail addresses, most frequent and most recent first."""
        return self.golden.emails

    @property
    def phones(self) -> tuple[str, ...]:
        """All phone numbers (E.164), most frequent and most recent first."""
        return self.golden.phones

    @property
    def sources(self) -> tuple[str, ...]:
        """The source systems the customer appears in."""
        return self.golden.sources

    def consents_to(self, purpose: str) -> bool:
        """Whether the latest answer for ``purpose`` is yes (no answer: no)."""
        found = self.consent.get(purpose)
        return found is not None and found.granted

    def where(self, field_name: str, value: str | None = None) -> tuple[LineageEntry, ...]:
        """The lineage of a golden field (optionally of one of its values)."""
        return tuple(
            entry
            for entry in self.lineage
            if entry.field == field_name and (value is None or entry.value == value)
        )

    def __repr__(self) -> str:
        golden = self.golden
        bits = [repr(self.customer_id), f"name={self.name!r}"]
        if golden.emails:
            bits.append(f"emails={list(golden.emails)}")
        if golden.phones:
            bits.append(f"phones={list(golden.phones)}")
        bits.append(f"records={len(self.records)}")
        bits.append(f"sources={list(golden.sources)}")
        if self.consent:
            bits.append(
                "consent={" + ", ".join(f"{k}: {v.granted}" for k, v in self.consent.items()) + "}"
            )
        if self.traits:
            bits.append(f"traits={len(self.traits)}")
        return f"Profile({', '.join(bits)})"

    def _repr_html_(self) -> str:
        from dchkit.notebook.html import profile_html

        return profile_html(self)


def _consent(records: tuple[CustomerRecord, ...]) -> dict[str, Consent]:
    """Latest answer per purpose among one customer's records (ties: larger record id)."""
    ordered = sorted(records, key=lambda r: (r.updated_at or _NEVER, r.record_id))
    found: dict[str, Consent] = {}
    for record in ordered:
        for purpose, granted in record.consent.items():
            found[purpose] = Consent(
                purpose, granted, record.updated_at, record.source, record.record_id
            )
    return dict(sorted(found.items()))


def build_profile(store: ProfileStore, row: int) -> Profile:
    """Assemble the profile of the customer at ``row`` of the store's golden table."""
    golden = GoldenRecord.model_validate(store.golden_values(row))
    records = tuple(CustomerRecord.model_validate(r) for r in store.records_of(row).to_pylist())
    lineage = tuple(LineageEntry.model_validate(r) for r in store.lineage_of(row).to_pylist())
    traits = store.trait_values(row)
    return Profile(
        golden=golden,
        records=records,
        lineage=lineage,
        consent=MappingProxyType(_consent(records)),
        traits=MappingProxyType(traits),
    )


def _is_japanese(text: str) -> bool:
    """Whether a name is written in kanji or kana (read family name first)."""
    from dchkit.normalize import has_kanji
    from dchkit.normalize.kana import is_kana

    return has_kanji(text) or any(is_kana(char) for char in text)
