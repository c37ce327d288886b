"""The hub's label records: ``DbLabelStore`` is the carriers' ``LabelStore`` over the ``shipping_labels`` table
(every method its own committed transaction, so a carrier call never runs inside one)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from app.carriers.base import Label, Rate
from app.carriers.purchase import PendingPurchase
from app.domain.money import Money
from app.hub.database import unit_of_work
from app.hub.services.clock import now
from app.hub.services.errors import Conflict, HubError
from app.hub.shipping_models import ShippingLabel


class CarrierUnavailable(HubError):
    """The carrier did not answer or refused for now: the bench keeps the parcel pending and retries."""

    status = 503


def _rate_json(rate: Rate) -> dict[str, Any]:
    return {
        "carrier": rate.carrier,
        "service": rate.service,
        "amount_minor": rate.amount.amount_minor,
        "currency": rate.amount.currency,
        "transit_days": rate.transit_days,
        "rate_id": rate.rate_id,
        "shipment_id": rate.shipment_id,
    }


def _rate(data: Mapping[str, Any]) -> Rate:
    return Rate(
        carrier=str(data["carrier"]),
        service=str(data["service"]),
        amount=Money(int(data["amount_minor"]), str(data["currency"])),
        transit_days=data.get("transit_days"),
        rate_id=str(data.get("rate_id") or ""),
        shipment_id=str(data.get("shipment_id") or ""),
    )


def label_of(row: ShippingLabel) -> Label:
    return Label(
        parcel_ref=row.parcel_ref,
        carrier=row.carrier,
        service=row.service,
        tracking_number=row.tracking_number or "",
        zpl=row.zpl,
        amount=Money(row.amount_minor, row.currency),
        shipment_id=row.shipment_id,
        tracking_url=row.tracking_url,
        created_at=row.created_at,
    )


class DbLabelStore:
    """``LabelStore`` over the hub database; every method is its own committed transaction."""

    def __init__(self, factory: sessionmaker[Session], order_id: int, parcel_no: int) -> None:
        self.factory = factory
        self.order_id = order_id
        self.parcel_no = parcel_no

    def _row(self, session: Session, parcel_ref: str) -> ShippingLabel | None:
        return session.scalar(select(ShippingLabel).where(ShippingLabel.parcel_ref == parcel_ref))

    def bought(self, parcel_ref: str) -> Label | None:
        with unit_of_work(self.factory) as session:
            row = self._row(session, parcel_ref)
            return label_of(row) if row is not None and row.status == "bought" else None

    def pending(self, parcel_ref: str) -> PendingPurchase | None:
        with unit_of_work(self.factory) as session:
            row = self._row(session, parcel_ref)
            if row is None or row.status != "pending":
                return None
            return PendingPurchase(parcel_ref, _rate(row.rate), row.reason)

    def save_pending(self, pending: PendingPurchase) -> None:
        at = now()
        try:
            with unit_of_work(self.factory) as session:
                session.add(
                    ShippingLabel(
                        parcel_ref=pending.parcel_ref,
                        order_id=self.order_id,
                        parcel_no=self.parcel_no,
                        status="pending",
                        carrier=pending.rate.carrier,
                        service=pending.rate.service,
                        rate=_rate_json(pending.rate),
                        reason=pending.reason,
                        amount_minor=pending.rate.amount.amount_minor,
                        currency=pending.rate.amount.currency,
                        tracking_detail="",
                        created_at=at,
                        updated_at=at,
                    )
                )
        except IntegrityError as exc:
            raise CarrierUnavailable(f"a label for parcel {pending.parcel_ref} is being bought already; retry") from exc

    def save_bought(self, label: Label, reason: str) -> None:
        with unit_of_work(self.factory) as session:
            row = self._row(session, label.parcel_ref)
            if row is None:
                raise Conflict(f"no pending purchase for {label.parcel_ref}")
            row.status = "bought"
            row.tracking_number = label.tracking_number
            row.tracking_url = label.tracking_url
            row.shipment_id = label.shipment_id
            row.zpl = label.zpl
            row.amount_minor = label.amount.amount_minor
            row.currency = label.amount.currency
            row.updated_at = now()

    def mark_voided(self, parcel_ref: str, reason: str) -> None:
        with unit_of_work(self.factory) as session:
            row = self._row(session, parcel_ref)
            if row is None:
                return
            row.status = "voided"
            row.void_reason = reason
            row.parcel_ref = f"{parcel_ref}#void{row.id}"  # the parcel may be labelled again
            row.updated_at = now()
