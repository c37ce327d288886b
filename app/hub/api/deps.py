"""Request plumbing: the store, who is calling, and which roles a route admits.

Every route declares the roles it admits with ``allow(...)``; the roles are written into the
OpenAPI document as ``x-roles`` so a test can walk the document and try every route.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session, sessionmaker

from app.domain.operators import Role
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


def allow(*roles: Role) -> dict[str, Any]:
    """Route keyword arguments: authenticate the caller and admit only ``roles``."""

    def check(request: Request, creds: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> None:
        if creds is None or creds.scheme.lower() != "bearer" or not creds.credentials:
            raise Unauthorized("missing bearer token")
        with unit_of_work(factory(request)) as session:
            principal = auth.authenticate(session, creds.credentials)
        if principal.role not in roles:
            raise Forbidden(f"role {principal.role.value} may not do this (needs {', '.join(roles)})")
        request.state.principal = principal

    return {"dependencies": [Depends(check)], "openapi_extra": {"x-roles": [r.value for r in roles]}}


def public() -> dict[str, Any]:
    return {"openapi_extra": {"x-roles": ["public"]}}


def principal(request: Request) -> auth.Principal:
    p: auth.Principal = request.state.principal
    return p


# scope="function": commit before the answer is sent, so a 2xx is never seen for work not yet stored.
DB = Annotated[Session, Depends(db, scope="function")]
Caller = Annotated[auth.Principal, Depends(principal)]
Factory = Annotated[sessionmaker[Session], Depends(factory)]
