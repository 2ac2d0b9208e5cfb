"""Routes that write or read the hub as a whole: ingest, segments, feedback, changes, resolve."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request, Response

from dchkit.cli.output import jsonable
from dchkit.cli.segments import parse_rule
from dchkit.cli.views import change_view, segment_views
from dchkit.hub import Hub
from dchkit.server.auth import require
from dchkit.server.ingest import ingest_events, ingest_records
from dchkit.server.models import (
    ChangesOut,
    EventsIn,
    FeedbackIn,
    FeedbackOut,
    IngestIn,
    IngestOut,
    MembersOut,
    SegmentIn,
    SegmentOut,
)

__all__ = ["router"]

router = APIRouter(prefix="/v1")
SegmentName = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]


def _hub(request: Request) -> Hub:
    hub: Hub = request.app.state.hub
    return hub


@router.post("/records", dependencies=[require("write")], tags=["ingest"])
def post_records(request: Request, body: IngestIn) -> IngestOut:
    """Ingest records (canonical, or rows through a preset) and resolve them at once.

    Re-sending a record updates it; it is never duplicated. Once the hub has a model
    (after its first batch resolve) new records are linked to customers in the same
    request, and ``customers`` maps each record to its customer.
    """
    hub = _hub(request)
    with request.app.state.write_lock:
        report, customers, rejects = ingest_records(hub, body)
        pending = hub.pending
    return IngestOut(
        inserted=report.inserted,
        updated=report.updated,
        unchanged=report.unchanged,
        events=report.events,
        rejects=report.rejects,
        rejects_by_reason=dict(report.rejects_by_reason),
        resolved=report.resolved,
        pending=pending,
        customers=customers,
        reject_rows=rejects,
    )


@router.post("/events", dependencies=[require("write")], tags=["ingest"])
def post_events(request: Request, body: EventsIn) -> dict[str, int]:
    """Ingest events; they join their customers' timelines at once."""
    with request.app.state.write_lock:
        report = ingest_events(_hub(request), body)
    return {"events": report.events, "suppressed": report.suppressed}


@router.get("/segments", dependencies=[require("read")], tags=["segments"])
def list_segments(request: Request) -> list[SegmentOut]:
    """Every defined segment."""
    return [SegmentOut.model_validate(s) for s in segment_views(_hub(request))]


@router.put("/segments/{name}", dependencies=[require("write")], tags=["segments"])
def define_segment(request: Request, name: SegmentName, body: SegmentIn) -> SegmentOut:
    """Define or redefine a segment; the rule is checked against the hub first."""
    rule = parse_rule(body.rule) if isinstance(body.rule, str) else body.rule
    with request.app.state.write_lock:
        segment = _hub(request).segments.define(name, rule, description=body.description)
    return SegmentOut(
        name=segment.name,
        rule=str(segment.rule),
        condition=segment.rule.to_json(),
        description=segment.description,
    )


@router.get("/segments/{name}/members", dependencies=[require("read")], tags=["segments"])
def segment_members(
    request: Request,
    name: SegmentName,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
    cursor: Annotated[str | None, Query(max_length=256, description="Last id seen.")] = None,
    consent: Annotated[str | None, Query(max_length=64)] = None,
) -> MembersOut:
    """One page of the segment's members now (sorted customer ids)."""
    members = _hub(request).segments.members(name, require_consent=consent).to_pylist()
    start = 0
    if cursor is not None:
        import bisect

        start = bisect.bisect_right(members, cursor)
    page = members[start : start + limit]
    more = start + limit < len(members)
    return MembersOut(
        segment=name,
        total=len(members),
        members=page,
        next_cursor=page[-1] if more and page else None,
    )


@router.delete(
    "/segments/{name}", dependencies=[require("write")], tags=["segments"], status_code=204
)
def delete_segment(request: Request, name: SegmentName) -> Response:
    """Delete a segment and its stored members."""
    with request.app.state.write_lock:
        _hub(request).segments.remove(name)
    return Response(status_code=204)


@router.post("/feedback", dependencies=[require("write")], tags=["feedback"], status_code=201)
def post_feedback(request: Request, body: FeedbackIn) -> FeedbackOut:
    """Record a decision every later resolve honours."""
    feedback = _hub(request).feedback
    with request.app.state.write_lock:
        if body.kind == "split_out":
            feedback.split_out(body.left, note=body.note)
        elif body.kind == "must_link":
            feedback.must_link(body.left, str(body.right), note=body.note)
        else:
            feedback.cannot_link(body.left, str(body.right), note=body.note)
    records = [body.left] if body.right is None else [body.left, body.right]
    return FeedbackOut(kind=body.kind, records=records, note=body.note)


@router.get("/changes", dependencies=[require("read")], tags=["changes"])
def get_changes(
    request: Request,
    since: Annotated[int, Query(ge=0, description="Last cursor processed.")] = 0,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
) -> ChangesOut:
    """Customers created, updated, merged, split, erased, segments entered or exited."""
    found = _hub(request).changes(since, limit=limit)
    return ChangesOut.model_validate(
        {
            "changes": [change_view(c) for c in found],
            "next_cursor": found[-1].cursor if found else since,
        }
    )


@router.post("/resolve", dependencies=[require("admin")], tags=["resolve"])
def post_resolve(request: Request, retrain: Annotated[bool, Query()] = False) -> dict[str, Any]:
    """Resolve every record in batch (ids stay stable; feedback is honoured)."""
    with request.app.state.write_lock:
        report = _hub(request).resolve(retrain=retrain)
    return dict(jsonable(report))
