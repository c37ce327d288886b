"""Location scope: the one rule every location-bound route and bench event goes through.

A station, and an operator signed in at it (packer, receiver), sees and changes only what belongs
to the station's location: its orders, their parcels and labels, its leases, its stock, the returns
of its orders. Supervisors and admins keep the wider view wherever they sign in (the order desk
releases, cancels and re-routes any order). A packer or receiver with a session minted at the hub
(no station) has no location and so sees nothing location-bound.

Each route declares what it is scoped by (``x-scope`` in the OpenAPI document, see ``Scope``);
the route dependency calls ``require`` for the object a path or query parameter names, handlers
call it for objects named in a body, and the event handlers call it for the order or RMA an event
names.
"""

from __future__ import annotations

import enum

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain.operators import Role
from app.hub import models as m
from app.hub.services.auth import Principal
from app.hub.services.errors import Forbidden

WIDE_ROLES = frozenset({Role.SUPERVISOR, Role.ADMIN})


class Scope(enum.StrEnum):
    """What a route is scoped by (``x-scope``)."""

    ORDER = "order"  # an order named by ``{number}``, or a list of orders
    PARCEL = "parcel"  # a parcel or label of an order named by ``{number}``
    LEASE = "lease"  # a lease named by ``{lease_id}``
    STOCK = "stock"  # stock at a location named by ``location``
    RETURN = "return"  # an RMA, scoped by its order's location
    EVENT = "event"  # bench events: each handler checks the order or RMA it names
    STATION = "station"  # only the calling station's own location, which nothing in the call can change
    NONE = "none"  # not bound to a location (catalog, people, carriers)


def is_wide(principal: Principal) -> bool:
    return principal.role in WIDE_ROLES


def in_scope(principal: Principal, location_id: int | None) -> bool:
    """May ``principal`` see or change what belongs to ``location_id``? (None: routed nowhere yet.)"""
    if is_wide(principal):
        return True
    return principal.location_id is not None and location_id == principal.location_id


def require(principal: Principal, location_id: int | None, what: str) -> None:
    """Raise Forbidden (403, with the reason) unless ``what`` at ``location_id`` is in scope."""
    if in_scope(principal, location_id):
        return
    if principal.location_id is None:
        raise Forbidden(f"{what}: this call is made from an enrolled bench station")
    raise Forbidden(f"{what} is not at this station's location ({principal.location_code})")


def require_located(principal: Principal) -> None:
    """A narrow principal must have a location for any location-bound call."""
    if not is_wide(principal) and principal.location_id is None:
        raise Forbidden("this call is made from an enrolled bench station")


def visible_location_code(principal: Principal, asked: str | None) -> str | None:
    """The location a list is filtered to: what was asked (wide roles), else the station's own."""
    if is_wide(principal):
        return asked
    require_located(principal)
    return principal.location_code


def visible_location_id(principal: Principal) -> int | None:
    """None for every location (wide roles), else the station's own location id."""
    if is_wide(principal):
        return None
    require_located(principal)
    return principal.location_id


def order_location(session: Session, number: str) -> tuple[bool, int | None]:
    """(found, location id) of the order numbered ``number``."""
    row = session.execute(select(m.Order.location_id).where(m.Order.number == number)).first()
    return (False, None) if row is None else (True, row[0])


def require_order(session: Session, principal: Principal, number: str) -> None:
    """Refuse an order out of scope; an unknown order is left to the caller's own 404."""
    found, location_id = order_location(session, number)
    if found:
        require(principal, location_id, f"order {number}")


def require_lease(session: Session, principal: Principal, lease_id: str) -> None:
    location_id = session.scalar(select(m.Lease.location_id).where(m.Lease.id == lease_id))
    if location_id is not None:
        require(principal, location_id, f"lease {lease_id}")


def require_location(session: Session, principal: Principal, code: str) -> None:
    location_id = session.scalar(select(m.Location.id).where(m.Location.code == code))
    if location_id is not None:
        require(principal, location_id, f"location {code}")
    else:
        require_located(principal)


def require_rma(session: Session, principal: Principal, rma_number: str) -> None:
    """An RMA belongs to the location that fulfilled its order (where the parcel comes back to)."""
    row = session.execute(
        select(m.Order.location_id).join(m.Rma, m.Rma.order_id == m.Order.id).where(m.Rma.number == rma_number)
    ).first()
    if row is not None:
        require(principal, row[0], f"RMA {rma_number}")


def rma_in_scope(session: Session, principal: Principal, rma: m.Rma) -> bool:
    order = session.get(m.Order, rma.order_id)
    return order is not None and in_scope(principal, order.location_id)
