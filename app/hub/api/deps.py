"""Request plumbing: the store, who is calling, and which roles a route admits.

Every route declares the roles it admits with ``allow(...)``; the roles are written into the
OpenAPI document as ``x-roles`` so a test can walk the document and try every route.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, Path, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import AfterValidator
from sqlalchemy.orm import Session, sessionmaker

from app.domain.operators import Role
from app.hub.api.schemas import INT32_MAX, ErrorOut, as_utc
from app.hub.database import unit_of_work
from app.hub.services import auth
from app.hub.services.errors import Forbidden, Unauthorized

bearer = HTTPBearer(auto_error=False, description="a station token or an operator session token")

BENCH = (Role.STATION, Role.PACKER, Role.RECEIVER, Role.SUPERVISOR, Role.ADMIN)
PACKING = (Role.STATION, Role.PACKER, Role.SUPERVISOR, Role.ADMIN)
RECEIVING = (Role.STATION, Role.RECEIVER, Role.SUPERVISOR, Role.ADMIN)
SUPERVISION = (Role.SUPERVISOR, Role.ADMIN)
ADMINISTRATION = (Role.ADMIN,)


def factory(request: Request) -> sessionmaker[Session]:
    f: sessionmaker[Session] = request.app.state.session_factory
    return f


def db(request: Request) -> Iterator[Session]:
    with unit_of_work(factory(request)) as session:
        yield session


# What any route may answer besides its success: every refusal is ``{"error": …}`` (``ErrorOut``).
_REFUSALS = {
    400: "the request could not be read",
    404: "no such thing (or no such route)",
    409: "it conflicts with what is stored",
    413: "the request body is too large",
    422: "the request is invalid: the error says which field and why",
    429: "too many tries: wait and try again",
    503: "a carrier or channel the hub needs is unavailable: try again later",
}
_SIGNED_IN = {401: "missing, unknown or expired token", 403: "this role or station may not do this"}


def _responses(codes: dict[int, str]) -> dict[int | str, dict[str, Any]]:
    return {code: {"model": ErrorOut, "description": text} for code, text in sorted(codes.items())}


def allow(*roles: Role, responses: dict[int | str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """Route keyword arguments: authenticate the caller and admit only ``roles``; the refusals the
    route may answer are declared in the OpenAPI document (with the route's own ``responses``)."""

    def check(request: Request, creds: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> None:
        if creds is None or creds.scheme.lower() != "bearer" or not creds.credentials:
            raise Unauthorized("missing bearer token")
        with unit_of_work(factory(request)) as session:
            principal = auth.authenticate(session, creds.credentials)
        if principal.role not in roles:
            raise Forbidden(f"role {principal.role.value} may not do this (needs {', '.join(roles)})")
        request.state.principal = principal

    return {
        "dependencies": [Depends(check)],
        "openapi_extra": {"x-roles": [r.value for r in roles]},
        "responses": _responses(_REFUSALS | _SIGNED_IN) | (responses or {}),
    }


def public() -> dict[str, Any]:
    """A route anyone may call (webhooks check their signature themselves: 401)."""
    return {
        "openapi_extra": {"x-roles": ["public"]},
        "responses": _responses(_REFUSALS | {401: "the signature or code does not match"}),
    }


def principal(request: Request) -> auth.Principal:
    p: auth.Principal = request.state.principal
    return p


def _utc_or_none(value: datetime | None) -> datetime | None:
    return None if value is None else as_utc(value)


# Query and path parameters, bounded like the bodies (the NUL rule for them is in app.RefuseNul).
Offset = Annotated[int, Query(ge=0, le=INT32_MAX)]
Filter = Annotated[str | None, Query(max_length=100)]
ParcelNo = Annotated[int, Path(ge=1, le=1000)]
UtcTime = Annotated[
    datetime | None,
    Query(description="ISO 8601; a time without a zone is taken as UTC"),
    AfterValidator(_utc_or_none),
]

# scope="function": commit before the answer is sent, so a 2xx is never seen for work not yet stored.
DB = Annotated[Session, Depends(db, scope="function")]
Caller = Annotated[auth.Principal, Depends(principal)]
Factory = Annotated[sessionmaker[Session], Depends(factory)]
