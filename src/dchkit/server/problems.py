"""Errors of the HTTP API as RFC 9457 problem details (``application/problem+json``).

Every error response has the same shape: ``type`` (a link to the docs section of the
error code), ``title``, ``status``, ``detail`` (what went wrong), ``code`` and ``fix``
(what to do), and for invalid requests ``errors`` (each invalid field and why). A dchkit
error maps to a status by its class: not found 404, shared identifier 409, invalid
input 422, store trouble 503.
"""

from __future__ import annotations

import re
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException

from dchkit.errors import (
    DOCS_URL,
    ConfigError,
    ConnectorError,
    DchkitError,
    ProfileError,
    ProfileNotFoundError,
    StoreError,
    error_classes,
)

__all__ = [
    "PROBLEM_JSON",
    "Problem",
    "allowed_methods",
    "install_problem_handlers",
    "problem",
    "reject_unknown_query",
    "status_of",
]

PROBLEM_JSON = "application/problem+json"
_DOCUMENTED = frozenset(cls.code for cls in error_classes())
#: Codes of HTTP-level problems (no dchkit error behind them).
_HTTP_CODES = {401: "unauthorized", 403: "forbidden", 404: "not-found", 405: "method-not-allowed"}


class Problem(BaseModel):
    """An error response (RFC 9457 problem details)."""

    type: str = Field(description="A link to the documentation of this kind of error.")
    title: str = Field(description="Short summary of the kind of error.")
    status: int = Field(description="The HTTP status code.")
    detail: str = Field(description="What went wrong, naming the offending value.")
    code: str = Field(description="Stable error code (see the errors page).")
    fix: str | None = Field(None, description="What to do about it.")
    errors: list[dict[str, Any]] | None = Field(
        None, description="For invalid requests: each invalid field and why."
    )


def status_of(error: DchkitError) -> int:
    """The HTTP status of a dchkit error."""
    if isinstance(error, ProfileNotFoundError):
        return 404
    if isinstance(error, ProfileError) and "candidates" in error.context:
        return 409  # an identifier shared by several customers
    if isinstance(error, ProfileError | ConfigError | ConnectorError):
        return 422
    if isinstance(error, StoreError):
        return 503
    return 400


def problem(
    status: int,
    detail: str,
    *,
    code: str,
    fix: str | None = None,
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    """A problem+json response."""
    body = Problem(
        type=f"{DOCS_URL}#{code}" if code in _DOCUMENTED else "about:blank",
        title=HTTPStatus(status).phrase,
        status=status,
        detail=detail,
        code=code,
        fix=fix,
        errors=errors,
    )
    return JSONResponse(
        body.model_dump(exclude_none=True),
        status_code=status,
        media_type=PROBLEM_JSON,
        headers=headers,
    )


def _validation_errors(error: RequestValidationError) -> list[dict[str, Any]]:
    # Only where and why: the offending input itself may be personal data.
    return [
        {"loc": [str(p) for p in e.get("loc", ())], "msg": e.get("msg", ""), "type": e.get("type")}
        for e in error.errors()
    ]


async def reject_unknown_query(request: Request) -> None:
    """A dependency refusing query parameters the route does not declare.

    A typo such as ``?emial=`` would otherwise be ignored silently. Asynchronous because
    it only looks at the request: a synchronous dependency costs a hop to a worker
    thread and back on every request.

    Raises:
        RequestValidationError: an unknown parameter was given.
    """
    route = request.scope.get("route")
    pending = [getattr(route, "dependant", None)]
    known: set[str] = set()
    while pending:
        dependant = pending.pop()
        if dependant is not None:
            known |= {p.alias for p in dependant.query_params}
            pending.extend(dependant.dependencies)
    unknown = sorted(set(request.query_params) - known)
    if unknown:
        raise RequestValidationError(
            [
                {
                    "loc": ("query", name),
                    "msg": "unknown query parameter",
                    "type": "extra_forbidden",
                }
                for name in unknown
            ]
        )


def allowed_methods(request: Request) -> list[str]:
    """The methods the OpenAPI document lists at the request's path (``Allow`` of a 405)."""
    paths = request.app.openapi()["paths"]
    path = request.url.path
    if path in paths:  # a literal path (/v1/customers/lookup) wins over a template
        matching = [paths[path]]
    else:
        matching = [
            operations
            for template, operations in paths.items()
            if re.fullmatch(re.sub(r"\\\{[^/]+?\\\}", "[^/]+", re.escape(template)), path)
        ]
    return sorted({m.upper() for operations in matching for m in operations if m in _METHODS})


_METHODS = frozenset({"get", "put", "post", "delete", "patch", "head", "options"})


def install_problem_handlers(app: FastAPI) -> None:
    """Make every error of ``app`` a problem+json response."""

    async def on_dchkit(_: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, DchkitError)
        return problem(status_of(error), error.message, code=error.code, fix=error.fix)

    async def on_validation(_: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, RequestValidationError)
        return problem(
            422,
            "the request is invalid",
            code="request-invalid",
            fix="correct the fields listed in errors",
            errors=_validation_errors(error),
        )

    async def on_http(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, HTTPException)
        headers = dict(error.headers or {})
        if error.status_code == 405:
            # Starlette names the methods of the first route at the path only.
            headers["Allow"] = ", ".join(allowed_methods(request))
        return problem(
            error.status_code,
            str(error.detail),
            code=_HTTP_CODES.get(error.status_code, "http-error"),
            headers=headers,
        )

    app.add_exception_handler(DchkitError, on_dchkit)
    app.add_exception_handler(RequestValidationError, on_validation)
    app.add_exception_handler(HTTPException, on_http)
