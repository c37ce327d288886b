"""Request plumbing: the store, who is calling, which roles a route admits and what it is scoped by.

Every route declares the roles it admits and its location scope with ``allow(..., scope=...)``;
both are written into the OpenAPI document (``x-roles``, ``x-scope``) so a test can walk the
document and try every route. The caller is authenticated, and the object a path or query
parameter names (``{number}``, ``{lease_id}``, ``location``) is checked against the caller's
location, in a read-only transaction before the route runs — so nothing (a carrier call, a write)
happens for an out-of-scope call.
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
from app.hub.database import read_only, unit_of_work
from app.hub.services import auth
from app.hub.services import scope as scoping
from app.hub.services.errors import Forbidden, Unauthorized
from app.hub.services.principals import PrincipalCache
from app.hub.services.scope import Scope

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


def gate(session: Session, kind: Scope, request: Request, principal: auth.Principal) -> None:
    """The location check for what the call's path and query name (bodies are checked by handlers)."""
    if kind == Scope.NONE:
        return
    scoping.require_located(principal)
    params = request.path_params
    if "number" in params:
        scoping.require_order(session, principal, str(params["number"]))
    if "lease_id" in params:
        scoping.require_lease(session, principal, str(params["lease_id"]))
    location = request.query_params.get("location")
    if location:
        scoping.require_location(session, principal, location)


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


def allow(*roles: Role, scope: Scope, responses: dict[int | str, dict[str, Any]] | None = None) -> dict[str, Any]:
    """Route keyword arguments: authenticate the caller, admit only ``roles``, check ``scope``; the
    refusals the route may answer are declared in the OpenAPI document (with the route's own ``responses``)."""

    def check(request: Request, creds: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> None:
        if creds is None or creds.scheme.lower() != "bearer" or not creds.credentials:
            raise Unauthorized("missing bearer token")
        f = factory(request)
        cache: PrincipalCache | None = getattr(request.app.state, "principals", None)
        with read_only(f) as session:
            principal, stale = auth.authenticate(session, creds.credentials, cache)
            if principal.role not in roles:
                raise Forbidden(f"role {principal.role.value} may not do this (needs {', '.join(roles)})")
            gate(session, scope, request, principal)
        if stale and principal.station_id is not None:
            with unit_of_work(f) as session:
                auth.touch_station(session, principal.station_id)
        request.state.principal = principal

    return {
        "dependencies": [Depends(check)],
        "openapi_extra": {"x-roles": [r.value for r in roles], "x-scope": scope.value},
        "responses": _responses(_REFUSALS | _SIGNED_IN) | (responses or {}),
    }


def public() -> dict[str, Any]:
    """A route anyone may call (webhooks check their signature themselves: 401)."""
    return {
        "openapi_extra": {"x-roles": ["public"], "x-scope": Scope.NONE.value},
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
