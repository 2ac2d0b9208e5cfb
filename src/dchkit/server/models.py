"""Request and response bodies of the HTTP API (pydantic models, so the OpenAPI is exact).

Request models forbid unknown fields and bound every list and string, so a malformed or
oversized request is refused before anything is written.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    model_validator,
)

from dchkit.schema import CustomerRecord, Event, GoldenRecord, LineageEntry

__all__ = [
    "MAX_ITEMS",
    "ChangeOut",
    "ChangesOut",
    "ConsentOut",
    "CustomerExplanationOut",
    "EventIn",
    "EventsIn",
    "FeedbackIn",
    "FeedbackOut",
    "IngestIn",
    "IngestOut",
    "LookupIn",
    "MembersOut",
    "PairExplanationOut",
    "ProfileOut",
    "RecordIn",
    "SegmentIn",
    "SegmentOut",
    "SuppressionLiftIn",
    "SuppressionLiftOut",
    "TimelineOut",
]

#: Most records, rows or events one request may carry.
MAX_ITEMS = 5_000

Short = Annotated[str, Field(min_length=1, max_length=256)]
Text = Annotated[str, Field(max_length=4_096)]
Label = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]
Scalar = str | StrictInt | StrictFloat | StrictBool | None


def _iso_text(value: Any) -> Any:
    if not isinstance(value, str | datetime | date):
        msg = "give an ISO 8601 text, e.g. 2024-05-01T10:00:00Z"
        raise ValueError(msg)  # a number would be read as seconds since 1970
    return value


Timestamp = Annotated[datetime, BeforeValidator(_iso_text)]
Day = Annotated[date, BeforeValidator(_iso_text)]
#: A JSON number (not a boolean or a numeric string: the lax coercions are refused).
Number = Annotated[StrictFloat | StrictInt, Field(allow_inf_nan=False)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RecordIn(_In):
    """One source record in canonical field names (the hub normalizes the values)."""

    id: Short = Field(description="The record's id in its source system.")
    given_name: Text | None = None
    family_name: Text | None = None
    full_name: Text | None = None
    name_kana: Text | None = None
    email: Text | None = Field(None, description="One e-mail address.")
    emails: list[Text] = Field(default_factory=list, max_length=50)
    phone: Text | None = Field(None, description="One phone number, any format.")
    phones: list[Text] = Field(default_factory=list, max_length=50)
    birth_date: Day | None = None
    postcode: Text | None = None
    country: Text | None = None
    region: Text | None = None
    city: Text | None = None
    street: Text | None = None
    company: Text | None = None
    external_ids: dict[Short, Short] = Field(
        default_factory=dict, description="Identifiers by type, e.g. salesforce_contact_id."
    )
    consent: dict[Short, StrictBool] = Field(default_factory=dict)
    attributes: dict[Short, Text] = Field(default_factory=dict)
    updated_at: Timestamp | None = Field(None, description="When the source last changed it.")


class IngestIn(_In):
    """Records to ingest: canonical ``records``, or raw ``rows`` read through a ``preset``."""

    source: Label = Field(description="Source label, e.g. crm, ec, support.")
    records: list[RecordIn] | None = Field(None, max_length=MAX_ITEMS)
    rows: list[dict[Short, Scalar]] | None = Field(
        None, max_length=MAX_ITEMS, description="Rows as the source exports them."
    )
    preset: Short | None = Field(None, description="Connector preset of the rows.")
    resolve: StrictBool = Field(True, description="Resolve the new records now (real time).")
    on_reject: Literal["keep", "fail"] = Field(
        "keep",
        description="keep: write the good rows and report the rejects; "
        "fail: write nothing when any row is rejected (422).",
    )

    @model_validator(mode="after")
    def _one_kind(self) -> IngestIn:
        if (self.records is None) == (self.rows is None):
            msg = "give either records or rows"
            raise ValueError(msg)
        if self.rows is not None and self.preset is None:
            msg = "rows need a preset naming their columns"
            raise ValueError(msg)
        if self.records is not None and self.preset is not None:
            msg = "a preset applies to rows, not records"
            raise ValueError(msg)
        return self


class IngestOut(BaseModel):
    """What an ingest wrote and how its records resolved."""

    inserted: int
    updated: int
    unchanged: int
    events: int
    rejects: int
    rejects_by_reason: dict[str, int]
    resolved: int = Field(description="Records resolved in this request.")
    pending: int = Field(description="Records in the hub waiting for a batch resolve.")
    customers: dict[str, str] = Field(
        description="Customer id of each record written (resolved ones only)."
    )
    reject_rows: list[dict[str, Any]] = Field(
        default_factory=list, description="Row number, field and reason of each reject."
    )


class EventIn(_In):
    """One event; attach it by ``record_id`` or by ``identifiers``."""

    event_id: Short
    source: Label
    type: Short = Field(description="Event type, e.g. 'Order Completed'.")
    timestamp: Timestamp
    record_id: Short | None = Field(None, description="'{source}:{id}' of its record.")
    identifiers: dict[Short, Short] = Field(default_factory=dict)
    channel: Short | None = None
    value: Number | None = None
    currency: Annotated[str, Field(min_length=3, max_length=3)] | None = None
    properties: dict[Short, Any] | None = None

    @model_validator(mode="after")
    def _attached(self) -> EventIn:
        if self.record_id is None and not self.identifiers:
            msg = "give record_id or identifiers, so the event can join a customer"
            raise ValueError(msg)
        return self


class EventsIn(_In):
    """Events to ingest."""

    events: list[EventIn] = Field(min_length=1, max_length=MAX_ITEMS)


class LookupIn(_In):
    """One identifier to find a customer by (kept out of URLs and logs)."""

    email: Text | None = None
    phone: Text | None = None
    record_id: Short | None = None
    id_type: Short | None = Field(None, description="External id type, with id_value.")
    id_value: Short | None = None

    def identifier(self) -> dict[str, str]:
        """The identifier as ``lookup`` keywords (validated to be exactly one)."""
        found = {k: v for k, v in (("email", self.email), ("phone", self.phone)) if v is not None}
        if self.record_id is not None:
            found["record_id"] = self.record_id
        if self.id_type is not None and self.id_value is not None:
            found[self.id_type] = self.id_value
        return found

    @model_validator(mode="after")
    def _exactly_one(self) -> LookupIn:
        if (self.id_type is None) != (self.id_value is None):
            msg = "id_type and id_value go together"
            raise ValueError(msg)
        if len(self.identifier()) != 1:
            msg = "give exactly one identifier"
            raise ValueError(msg)
        return self


class ConsentOut(BaseModel):
    """The latest answer for one purpose."""

    purpose: str
    granted: bool
    updated_at: datetime | None
    source: str
    record_id: str


class ProfileOut(BaseModel):
    """One customer: golden record, source records, lineage, consent and live traits."""

    customer_id: str
    name: str | None
    golden: GoldenRecord
    records: list[CustomerRecord]
    lineage: list[LineageEntry]
    consent: dict[str, ConsentOut]
    traits: dict[str, Any]


class TimelineOut(BaseModel):
    """One page of a customer's events."""

    customer_id: str
    total: int = Field(description="Events matching the filters over all pages.")
    next_cursor: str | None = Field(description="Pass as cursor= for the next page.")
    events: list[Event]


class SegmentIn(_In):
    """A segment rule: rule-language text, or a JSON condition tree."""

    rule: Annotated[str, Field(min_length=1, max_length=10_000)] | dict[str, Any]
    description: Text = ""


class SegmentOut(BaseModel):
    """A defined segment."""

    name: str
    rule: str
    condition: dict[str, Any]
    description: str


class MembersOut(BaseModel):
    """One page of a segment's members (customer ids, sorted)."""

    segment: str
    total: int
    members: list[str]
    next_cursor: str | None = Field(description="Pass as cursor= for the next page.")


class PairExplanationOut(BaseModel):
    """Why two records are, or are not, one customer (a match-weight waterfall)."""

    left: str
    right: str
    verdict: str
    reason: str
    prior_weight: float
    steps: list[dict[str, Any]]
    match_weight: float
    match_probability: float
    threshold: float
    candidate: bool


class CustomerExplanationOut(BaseModel):
    """The edges (record, record, match probability) that hold a customer together."""

    customer_id: str
    record_ids: list[str]
    edges: list[tuple[str, str, float]]
    cuts: list[dict[str, Any]]


class SuppressionLiftIn(_In):
    """Identifiers of a forgotten person who signs up again, to let back in."""

    identifiers: dict[Short, Short] = Field(
        min_length=1,
        max_length=64,
        description="Identifier kind to value: email, phone, record_id or an external id "
        "type (crm_id …), as for a lookup.",
        examples=[{"email": "taro@example.jp", "phone": "090-1111-2222"}],
    )


class SuppressionLiftOut(BaseModel):
    """How many of the given identifiers were suppressed (and are not any more)."""

    lifted: int


class FeedbackIn(_In):
    """A human decision: two records are (not) one customer, or a record stands alone."""

    kind: Literal["must_link", "cannot_link", "split_out"]
    left: Short = Field(description="A record id.")
    right: Short | None = Field(None, description="The other record (not for split_out).")
    note: Text | None = None

    @model_validator(mode="after")
    def _pair(self) -> FeedbackIn:
        if (self.kind == "split_out") != (self.right is None):
            msg = "split_out takes one record (left); must_link and cannot_link take two"
            raise ValueError(msg)
        return self


class FeedbackOut(BaseModel):
    """A stored decision (applied by the next resolve)."""

    kind: str
    records: list[str]
    note: str | None


class ChangeOut(BaseModel):
    """One change-feed entry."""

    cursor: int
    at: datetime
    kind: str
    customer_id: str | None
    other_id: str | None
    segment: str | None
    detail: str | None


class ChangesOut(BaseModel):
    """Changes after a cursor, oldest first."""

    changes: list[ChangeOut]
    next_cursor: int = Field(description="Pass as since= to continue.")
