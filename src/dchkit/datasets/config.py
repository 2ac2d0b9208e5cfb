"""``WorldConfig``: every knob of the synthetic world, validated once.

A frozen pydantic model: rates are probabilities in [0, 1], the period must be ordered,
and exactly one of ``n_people`` / ``n_records`` sets the size. Invalid values raise
:class:`dchkit.errors.ConfigError` naming the field and the fix.

Examples:
    >>> from dchkit.datasets import WorldConfig
    >>> WorldConfig(n_people=100, locale="en").corruption.typo
    0.04
    >>> WorldConfig(n_people=100, duplicate_rate=1.5)
    Traceback (most recent call last):
    ...
    dchkit.errors.ConfigError: WorldConfig.duplicate_rate: Input should be less than or equal to 1 (got 1.5). Use a valid value such as the default 0.06. [config-invalid: ...]
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from dchkit.errors import ConfigError

__all__ = ["SOURCES", "CorruptionRates", "Locale", "SourceRates", "WorldConfig"]

Locale = Literal["ja", "en"]
Rate = float
#: Source system labels in the order tables are generated.
SOURCES: tuple[str, ...] = ("crm", "ec", "support", "ma", "web")


def _config_error(model: type[BaseModel], err: ValidationError) -> ConfigError:
    first = err.errors()[0]
    field = ".".join(str(part) for part in first["loc"])
    nested = first.get("ctx", {}).get("error")
    if isinstance(nested, ConfigError):  # a sub-model (sources, corruption) already explained it
        message = re.sub(r"^\w+", f"{model.__name__}.{field}", nested.message, count=1)
        return ConfigError(message, fix=nested.fix, field=field)
    text = str(first["msg"]).removeprefix("Value error, ")
    if not field:
        fix = "see the WorldConfig field documentation"
        return ConfigError(f"{model.__name__}: {text}", fix=fix, field=None)
    info = model.model_fields.get(str(first["loc"][0]))
    default = None if info is None else info.default
    if first["type"] == "extra_forbidden":
        fix = f"remove it; valid fields are {', '.join(sorted(model.model_fields))}"
        return ConfigError(f"{model.__name__}.{field}: unknown field", fix=fix, field=field)
    fix = (
        f"use a valid value such as the default {default!r}"
        if isinstance(default, int | float | str)
        else "see the WorldConfig field documentation for allowed values"
    )
    message = f"{model.__name__}.{field}: {text} (got {first['input']!r})"
    return ConfigError(message, fix=fix, field=field)


class _Frozen(BaseModel):
    """Frozen, strict base whose validation errors surface as ``ConfigError``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    def __init__(self, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as err:
            raise _config_error(type(self), err) from err

    @classmethod
    def model_validate(cls, obj: Any, **kwargs: Any) -> Self:
        try:
            return super().model_validate(obj, **kwargs)
        except ValidationError as err:
            raise _config_error(cls, err) from err


class SourceRates(_Frozen):
    """Probability that a person has a record in each source system.

    Every person is then forced into 1–4 sources: one with no source gets one, one in all
    five loses one.
    """

    crm: Rate = Field(0.45, ge=0, le=1, description="Salesforce contacts.")
    ec: Rate = Field(0.6, ge=0, le=1, description="Shopify customers.")
    support: Rate = Field(0.25, ge=0, le=1, description="Zendesk end users.")
    ma: Rate = Field(0.5, ge=0, le=1, description="HubSpot contacts.")
    web: Rate = Field(0.35, ge=0, le=1, description="Segment visitors.")

    @model_validator(mode="after")
    def _some_source(self) -> Self:
        if not any(getattr(self, name) for name in SOURCES):
            msg = "every source presence rate is 0; set at least one above 0"
            raise ValueError(msg)
        return self


class CorruptionRates(_Frozen):
    """Per-value probabilities of each kind of mess (applied where it makes sense)."""

    typo: Rate = Field(0.04, ge=0, le=1, description="Keyboard typo in a name, e-mail or street.")
    missing: Rate = Field(0.06, ge=0, le=1, description="An optional field left empty.")
    name_order_swap: Rate = Field(0.03, ge=0, le=1, description="Given and family name swapped.")
    kanji_variant: Rate = Field(0.25, ge=0, le=1, description="Old kanji form where one exists.")
    name_script: Rate = Field(0.15, ge=0, le=1, description="Kana or romaji instead of kanji.")
    nickname: Rate = Field(0.2, ge=0, le=1, description="Bob for Robert where a nickname exists.")
    honorific: Rate = Field(0.03, ge=0, le=1, description="様, さん, Mr., Mrs. kept in the name.")
    case: Rate = Field(0.05, ge=0, le=1, description="Upper- or lower-cased text.")
    width: Rate = Field(0.05, ge=0, le=1, description="Full-width digits/letters, half-width kana.")
    moved_address: Rate = Field(0.08, ge=0, le=1, description="A record keeps an older address.")
    email_change: Rate = Field(0.1, ge=0, le=1, description="A record holds another e-mail.")
    gmail_variant: Rate = Field(0.3, ge=0, le=1, description="Dots or +tag in a gmail address.")
    hub_value: Rate = Field(0.004, ge=0, le=1, description="Shop phone, info@ or 1900-01-01.")


class WorldConfig(_Frozen):
    """Configuration of a synthetic customer world; set exactly one of the two sizes.

    Attributes:
        n_people: Number of true people.
        n_records: Number of customer records across all sources (people are added until
            it is reached exactly).
        locale: ``"ja"`` (Japanese names, JP addresses and phones, JPY) or ``"en"`` (US).
        seed: Same config and seed give identical tables.
        sources: Presence probability per source system.
        duplicate_rate: Probability that a person's record in a source has a second record
            there (a duplicate CRM contact, a second shop account with a new e-mail).
        household_share: Share of people living with 1–4 others who share family name,
            address, landline and sometimes one e-mail.
        events_per_record: Mean events (orders, tickets, e-mails, web hits) per record.
        period_start: First day of the event period.
        period_end: Last day of the event period.
        corruption: Corruption rates.
    """

    n_people: int | None = Field(None, ge=1, le=50_000_000)
    n_records: int | None = Field(None, ge=1, le=100_000_000)
    locale: Locale = "ja"
    seed: int = Field(0, ge=0, lt=2**63)
    sources: SourceRates = Field(default_factory=SourceRates)
    duplicate_rate: Rate = Field(0.06, ge=0, le=1)
    household_share: Rate = Field(0.25, ge=0, le=1)
    events_per_record: float = Field(3.0, ge=0, le=200)
    period_start: date = date(2023, 1, 1)
    period_end: date = date(2024, 12, 31)
    corruption: CorruptionRates = Field(default_factory=CorruptionRates)

    @model_validator(mode="after")
    def _check(self) -> Self:
        if (self.n_people is None) == (self.n_records is None):
            msg = "set exactly one of n_people and n_records"
            raise ValueError(msg)
        if self.period_end <= self.period_start:
            msg = f"period_end {self.period_end} must be after period_start {self.period_start}"
            raise ValueError(msg)
        return self
