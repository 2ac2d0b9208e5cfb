"""``WorldReport``: what a generated world contains and how messy it is."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

__all__ = ["HubValue", "WorldReport"]


class HubValue(BaseModel):
    """A value shared by unrelated people (a shop phone, an info@ address, a placeholder date)."""

    model_config = ConfigDict(frozen=True)

    field: str
    value: str
    records: int
    people: int


class WorldReport(BaseModel):
    """Size, duplication, corruption mix, households and hub values of a world.

    Attributes:
        corruption_mix: Per field (``table.column``), the number of values each corruption
            or format kind was applied to.
    """

    model_config = ConfigDict(frozen=True)

    locale: str
    seed: int
    people: int
    records: int
    records_by_table: dict[str, int]
    events_by_table: dict[str, int]
    records_per_person: float
    share_people_with_2plus_records: float
    within_source_duplicates: dict[str, int]
    households: int
    people_in_households: int
    corruption_mix: dict[str, dict[str, int]]
    hub_values: tuple[HubValue, ...]

    def corruption_totals(self) -> dict[str, int]:
        """Total count of each corruption kind over all fields."""
        totals: dict[str, int] = {}
        for kinds in self.corruption_mix.values():
            for kind, count in kinds.items():
                totals[kind] = totals.get(kind, 0) + count
        return dict(sorted(totals.items(), key=lambda item: -item[1]))

    def __str__(self) -> str:
        lines = [
            f"dchkit synthetic world (locale={self.locale}, seed={self.seed})",
            f"  people: {self.people:,}   records: {self.records:,}   "
            f"records/person: {self.records_per_person:.2f}   "
            f"people with 2+ records: {self.share_people_with_2plus_records:.1%}",
            "  records: " + ", ".join(f"{t} {n:,}" for t, n in self.records_by_table.items()),
            "  events:  " + ", ".join(f"{t} {n:,}" for t, n in self.events_by_table.items()),
            "  within-source duplicates: "
            + ", ".join(f"{s} {n:,}" for s, n in self.within_source_duplicates.items()),
            f"  households: {self.households:,} ({self.people_in_households:,} people)",
            "  corruption (all fields): "
            + ", ".join(f"{k} {n:,}" for k, n in list(self.corruption_totals().items())[:12]),
            "  hub values: "
            + (
                "; ".join(
                    f"{h.field}={h.value!r} ×{h.records} ({h.people} people)"
                    for h in self.hub_values
                )
                or "none"
            ),
        ]
        return "\n".join(lines)
