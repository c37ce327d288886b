"""Finding an order by any key a person holds, for the supervisors' order desk.

A search is a handful of exact lookups, each on an index (order number, channel order id, customer
e-mail and name without regard to case, a parcel's, label's or return's tracking number), joined into
one bounded page: never a scan of every order, however many the hub stores.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, func, select, union
from sqlalchemy.orm import Session

from app.hub import models as m
from app.hub.shipping_models import ShippingLabel


def customer_name_key(session: Session) -> ColumnElement[str]:
    """The lower-cased customer name, written as its index is (per dialect)."""
    key: ColumnElement[str] = m.CUSTOMER_NAME_KEY.get(session.get_bind().dialect.name, m.CUSTOMER_NAME_KEY["sqlite"])
    return key


def normal(text: str) -> str:
    """A key as typed or scanned: outer space dropped, inner runs of space made one."""
    return " ".join(text.split())


def matching_ids(session: Session, q: str) -> Select[tuple[int]]:
    """The ids of orders whose number, channel order id, customer e-mail or name (any case), or any
    parcel, label or return tracking number is exactly ``q``: a union of index lookups."""
    key = normal(q)
    low = key.lower()
    lookups: list[Select[Any]] = [
        select(m.Order.id).where(m.Order.number == key),
        select(m.Order.id).where(m.Order.channel_order_id == key),
        select(m.Order.id).where(func.lower(m.Order.customer_email) == low),
        select(m.Order.id).where(customer_name_key(session) == low),
        select(m.Parcel.order_id).where(m.Parcel.tracking_number == key),
        select(ShippingLabel.order_id).where(ShippingLabel.tracking_number == key),
        select(m.Rma.order_id).where(m.Rma.return_tracking_number == key),
    ]
    found = union(*lookups).subquery()
    return select(found.c[0])
