"""Labels, voids, manifests and tracking at the hub, over the carriers in ``app.carriers``.

Carrier calls never run inside a database transaction: each step that must be remembered (the
chosen rate before buying, the label after) is committed on its own, so a timeout between them
leaves a *pending* purchase that the retry completes with the same carrier and rate — one label,
one charge — and SQLite's write lock is never held across the network.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from app.carriers.base import Carrier, CarrierError, CarrierTimeout, Label, ParcelRequest, TrackingStatus
from app.carriers.base import TrackingUpdate as Update
from app.carriers.easypost import EasyPostCarrier
from app.carriers.for_printer import check_printable, zpl_for_printer
from app.carriers.purchase import LabelBuyer
from app.carriers.shopping import ShoppingRules
from app.carriers.table_config import DEFAULT, table_rate_from_data
from app.channels.base import FulfilmentSink, Shipment
from app.channels.shopify import ShopifyClient
from app.channels.woocommerce import WooCommerceClient
from app.domain.orders import Address, OrderStatus
from app.domain.splits import SplitPolicies
from app.hub import models as m
from app.hub.database import unit_of_work
from app.hub.jobs import outbox
from app.hub.services import fulfilments, orders, scope
from app.hub.services.auth import Principal
from app.hub.services.clock import now
from app.hub.services.dom import OrderRules, stored_address
from app.hub.services.errors import Conflict, HubError, Invalid, NotFound
from app.hub.services.label_store import CarrierUnavailable, DbLabelStore
from app.hub.shipping_models import CarrierSequence, ShippingLabel
from app.printing.fit import LabelDoesNotFit
from app.printing.profile import DEFAULT_PROFILE, PrinterProfile


@dataclass
class ShippingConfig:
    """Everything the hub needs to talk to channels and carriers. Secrets come from the environment
    (``from_env``), never from the repository."""

    carriers: Sequence[Carrier]
    rules: ShoppingRules = field(default_factory=ShoppingRules)
    ship_from: Mapping[str, Address] = field(default_factory=dict)
    channels: Mapping[str, FulfilmentSink] = field(default_factory=dict)
    webhook_secrets: Mapping[str, str] = field(default_factory=dict)
    order_rules: OrderRules = field(default_factory=OrderRules)

    def carrier(self, name: str) -> Carrier:
        for c in self.carriers:
            if c.name == name:
                return c
        raise NotFound(f"carrier {name!r} is not configured")


def db_serial(factory: sessionmaker[Session], carrier: str) -> Callable[[], int]:
    """Tracking serials for a table-rate carrier, from the database (one committed step each)."""

    def take() -> int:
        with unit_of_work(factory) as session:
            row = session.get(CarrierSequence, carrier, with_for_update=True)
            if row is None:
                row = CarrierSequence(carrier=carrier, next_value=1)
                session.add(row)
            value = row.next_value
            row.next_value = value + 1
            return value

    return take


def from_env(factory: sessionmaker[Session], env: Mapping[str, str] | None = None) -> ShippingConfig:
    """``PACKBENCH_TABLE_RATES`` (JSON file; default: the built-in local courier),
    ``PACKBENCH_EASYPOST_API_KEY``, ``PACKBENCH_SHIP_FROM`` (JSON: location code → address fields),
    ``PACKBENCH_SHOPIFY_SHOP_URL`` + ``_ACCESS_TOKEN`` + ``_WEBHOOK_SECRET`` (+ ``_LOCATION_ID`` for stock),
    ``PACKBENCH_WOO_SITE_URL`` + ``_CONSUMER_KEY`` + ``_CONSUMER_SECRET`` + ``_WEBHOOK_SECRET``,
    ``PACKBENCH_EASYPOST_WEBHOOK_SECRET``, ``PACKBENCH_SPLIT_POLICY`` (per channel, e.g.
    ``shopify=allow,woocommerce=after_days:2,*=never``; default never)."""
    env = os.environ if env is None else env
    data = DEFAULT
    if env.get("PACKBENCH_TABLE_RATES"):
        data = json.loads(Path(env["PACKBENCH_TABLE_RATES"]).read_text(encoding="utf-8"))
    carriers: list[Carrier] = [table_rate_from_data(data, db_serial(factory, str(data["name"])))]
    if env.get("PACKBENCH_EASYPOST_API_KEY"):
        carriers.append(EasyPostCarrier(env["PACKBENCH_EASYPOST_API_KEY"]))
    ship_from = {code: Address(**fields) for code, fields in json.loads(env.get("PACKBENCH_SHIP_FROM") or "{}").items()}
    channels: dict[str, FulfilmentSink] = {}
    if env.get("PACKBENCH_SHOPIFY_SHOP_URL") and env.get("PACKBENCH_SHOPIFY_ACCESS_TOKEN"):
        channels["shopify"] = ShopifyClient(
            env["PACKBENCH_SHOPIFY_SHOP_URL"],
            env["PACKBENCH_SHOPIFY_ACCESS_TOKEN"],
            stock_location_id=env.get("PACKBENCH_SHOPIFY_LOCATION_ID", ""),
        )
    if env.get("PACKBENCH_WOO_SITE_URL") and env.get("PACKBENCH_WOO_CONSUMER_KEY"):
        channels["woocommerce"] = WooCommerceClient(
            env["PACKBENCH_WOO_SITE_URL"],
            env["PACKBENCH_WOO_CONSUMER_KEY"],
            env.get("PACKBENCH_WOO_CONSUMER_SECRET", ""),
        )
    secrets = {
        "shopify": env.get("PACKBENCH_SHOPIFY_WEBHOOK_SECRET", ""),
        "woocommerce": env.get("PACKBENCH_WOO_WEBHOOK_SECRET", ""),
        "easypost": env.get("PACKBENCH_EASYPOST_WEBHOOK_SECRET", ""),
    }
    rules = OrderRules(splits=SplitPolicies.parse(env.get("PACKBENCH_SPLIT_POLICY", "")))
    return ShippingConfig(
        carriers=carriers, ship_from=ship_from, channels=channels, webhook_secrets=secrets, order_rules=rules
    )


def channel_ref(order: m.Order, session: Session | None = None) -> str:
    """The channel's own handle for the order (a fulfilment's: its split order's), to push back to."""
    ref = order.channel_order_id
    if order.parent_id is not None and session is not None:
        ref = session.scalar(select(m.Order.channel_order_id).where(m.Order.id == order.parent_id)) or ref
    if order.channel == "shopify":
        return f"gid://shopify/Order/{ref}"
    return ref


# ---------------------------------------------------------------- the label store in the database


# ---------------------------------------------------------------- use cases


@dataclass(frozen=True)
class LabelAnswer:
    carrier: str
    service: str
    tracking_number: str
    tracking_url: str
    zpl: str
    amount_minor: int
    currency: str
    reason: str
    reused: bool


def _parcel_request(session: Session, config: ShippingConfig, order: m.Order, parcel: m.Parcel) -> ParcelRequest:
    loc = session.get(m.Location, order.location_id) if order.location_id else None
    origin = config.ship_from.get(loc.code) if loc else None
    if origin is None:
        origin = Address(name=loc.name if loc else "packbench", line1="", city="", postcode="", country="")
    a = order.ship_to
    return ParcelRequest(
        parcel_ref=f"{order.number}/{parcel.parcel_no}",
        ship_from=origin,
        ship_to=stored_address(a, email=order.customer_email),
        weight_g=max(1, parcel.weight_g),
        channel=order.channel,
        service_level=order.service_level,
        reference=order.number or "",
    )


def buy_label(
    factory: sessionmaker[Session],
    config: ShippingConfig,
    number: str,
    parcel_no: int,
    profile: PrinterProfile = DEFAULT_PROFILE,
) -> LabelAnswer:
    """The label for parcel ``parcel_no`` of a packed order: bought now through rate shopping, or the one
    bought before (idempotent per parcel), as ZPL for the bench's printer ``profile``."""
    with unit_of_work(factory) as session:
        order = orders.get_order(session, number)
        status = OrderStatus(order.status)
        if status == OrderStatus.CANCELLED:
            raise Conflict(f"order {number} was cancelled: do not ship it")
        if status not in (OrderStatus.PACKED, OrderStatus.SHIPPED):
            raise Conflict(f"order {number} is {status.value}: only a packed order gets a label")
        parcel = session.scalar(select(m.Parcel).where(m.Parcel.order_id == order.id, m.Parcel.parcel_no == parcel_no))
        if parcel is None:
            raise NotFound(f"order {number} has no parcel {parcel_no} (yet)")
        request = _parcel_request(session, config, order, parcel)
        order_id = order.id
    _for_printer(config, request, profile)  # refused before anything is bought
    buyer = LabelBuyer(config.carriers, config.rules, DbLabelStore(factory, order_id, parcel_no))
    try:
        purchase = buyer.buy(request)
    except CarrierTimeout as exc:
        raise CarrierUnavailable(f"{exc}; the purchase is pending and a retry completes it") from exc
    except CarrierError as exc:
        _drop_pending(factory, request.parcel_ref)
        raise CarrierUnavailable(f"no label: {exc}") from exc
    if not purchase.reused:
        _push_shipment_when_all_labelled(factory, config, order_id)
    lb = purchase.label
    return LabelAnswer(
        lb.carrier,
        lb.service,
        lb.tracking_number,
        lb.tracking_url,
        _for_printer(config, request, profile, lb),
        lb.amount.amount_minor,
        lb.amount.currency,
        purchase.reason,
        purchase.reused,
    )


def _for_printer(
    config: ShippingConfig, request: ParcelRequest, profile: PrinterProfile, label: Label | None = None
) -> str:
    """The label as ZPL for the bench's printer (or, with no ``label``, the check before buying one);
    Invalid (422) with the reason when it cannot fit the media: nothing is printed cut off."""
    try:
        if label is None:
            check_printable(config.carriers, request, profile)
            return ""
        return zpl_for_printer(config.carriers, request, label, profile)
    except LabelDoesNotFit as exc:
        raise Invalid(f"label for parcel {request.parcel_ref} cannot print on {profile.describe()}: {exc}") from exc


def _drop_pending(factory: sessionmaker[Session], parcel_ref: str) -> None:
    """A refused (not timed-out) purchase bought nothing: forget the rate so the next try shops again."""
    with unit_of_work(factory) as session:
        row = session.scalar(select(ShippingLabel).where(ShippingLabel.parcel_ref == parcel_ref))
        if row is not None and row.status == "pending":
            session.delete(row)


def _note(session: Session, order: m.Order, note: str) -> None:
    session.add(m.OrderStatusChange(order_id=order.id, status=order.status, note=note, at=now()))


def _push_shipment_when_all_labelled(factory: sessionmaker[Session], config: ShippingConfig, order_id: int) -> None:
    """Once every parcel has a label, tell the channel through the outbox (stored once per order,
    sent now if the channel answers, else retried by the ``channel-outbox`` job)."""
    with unit_of_work(factory) as session:
        order = session.get(m.Order, order_id)
        assert order is not None
        parcels = {p.parcel_no for p in session.scalars(select(m.Parcel).where(m.Parcel.order_id == order_id))}
        labels = list(
            session.scalars(
                select(ShippingLabel).where(ShippingLabel.order_id == order_id, ShippingLabel.status == "bought")
            )
        )
        if order.channel not in config.channels or not labels or {lb.parcel_no for lb in labels} != parcels:
            return
        first = labels[0]
        lines, complete = fulfilments.shipment_lines(session, order)
        shipment = Shipment(
            tracking_number=", ".join(lb.tracking_number or "" for lb in labels),
            carrier=first.carrier,
            tracking_url=first.tracking_url,
            service=first.service,
            lines=lines,
            complete=complete,
        )
        key = outbox.enqueue(session, order, "shipment", shipment, channel_ref(order, session))
    outbox.deliver(factory, config.channels, key=key)


def void_label(factory: sessionmaker[Session], config: ShippingConfig, number: str, parcel_no: int, reason: str) -> str:
    with unit_of_work(factory) as session:
        order = orders.get_order(session, number)
        row = session.scalar(
            select(ShippingLabel).where(
                ShippingLabel.parcel_ref == f"{number}/{parcel_no}", ShippingLabel.status == "bought"
            )
        )
        if row is None:
            raise NotFound(f"order {number} parcel {parcel_no} has no label to void")
        if row.manifest_id:
            raise Conflict(f"the label is on manifest {row.manifest_id}: it has been handed over")
        order_id = order.id
    buyer = LabelBuyer(config.carriers, config.rules, DbLabelStore(factory, order_id, parcel_no))
    try:
        result = buyer.void(f"{number}/{parcel_no}", reason)
    except CarrierError as exc:
        raise CarrierUnavailable(str(exc)) from exc
    if not result.accepted:
        raise Conflict(f"the carrier refused the void: {result.detail}")
    with unit_of_work(factory) as session:
        order = orders.get_order(session, number)
        session.execute(
            update(m.Parcel)
            .where(m.Parcel.order_id == order.id, m.Parcel.parcel_no == parcel_no)
            .values(tracking_number=None, carrier=None)
        )
        _note(session, order, f"label for parcel {parcel_no} voided: {reason}")
    return result.detail


def apply_tracking(
    factory: sessionmaker[Session], config: ShippingConfig, upd: Update, principal: Principal | None = None
) -> str:
    """Record a tracking update: delivered moves a shipped order to delivered and tells the channel;
    returned to sender, lost and exceptions are noted on the order and listed as shipping exceptions.
    ``principal``: who typed it in (its location scope applies); None for carriers' own webhooks."""
    with unit_of_work(factory) as session:
        row = session.scalar(
            select(ShippingLabel).where(
                ShippingLabel.tracking_number == upd.tracking_number, ShippingLabel.status == "bought"
            )
        )
        if row is None:
            raise NotFound(f"no label with tracking number {upd.tracking_number}")
        order = session.get(m.Order, row.order_id)
        assert order is not None
        if principal is not None:
            scope.require(principal, order.location_id, f"tracking number {upd.tracking_number}")
        if row.tracking_status == upd.status.value and row.tracking_detail == upd.detail:
            return "unchanged"
        row.tracking_status = upd.status.value
        row.tracking_detail = upd.detail
        row.updated_at = now()
        outcome = f"tracking {upd.tracking_number}: {upd.status.value}" + (f" ({upd.detail})" if upd.detail else "")
        delivered = False
        if upd.status == TrackingStatus.DELIVERED and order.status == OrderStatus.SHIPPED:
            orders.set_status(session, order, OrderStatus.DELIVERED, outcome)
            order.delivered_at = upd.occurred_at or now()
            delivered = True
        else:
            _note(session, order, outcome)
        key = ""
        if delivered and order.channel in config.channels:
            shipment = Shipment(upd.tracking_number, row.carrier, row.tracking_url, row.service)
            ref = channel_ref(order, session)
            key = outbox.enqueue(session, order, "delivered", shipment, ref, extra=upd.tracking_number)
    if key and outbox.deliver(factory, config.channels, key=key)["failed"]:
        outcome += "; channel not told yet (retried by the channel outbox)"
    return outcome


def poll_tracking(factory: sessionmaker[Session], config: ShippingConfig) -> list[str]:
    """Ask each carrier about every shipped, undelivered parcel; returns what changed."""
    with unit_of_work(factory) as session:
        pairs = [
            (r.carrier, r.tracking_number or "")
            for r in session.scalars(
                select(ShippingLabel)
                .join(m.Order, m.Order.id == ShippingLabel.order_id)
                .where(ShippingLabel.status == "bought", m.Order.status == OrderStatus.SHIPPED.value)
            )
        ]
    changes = []
    for carrier_name, number in pairs:
        try:
            upd = config.carrier(carrier_name).track(number)
        except (CarrierError, HubError):
            continue
        outcome = apply_tracking(factory, config, upd)
        if outcome != "unchanged":
            changes.append(outcome)
    return changes


def exceptions(session: Session, location_id: int | None = None) -> list[dict[str, Any]]:
    """Problem parcels, newest first (at ``location_id`` only, if given)."""
    problems = [s.value for s in TrackingStatus if s.is_problem]
    q = (
        select(ShippingLabel, m.Order.number)
        .join(m.Order, m.Order.id == ShippingLabel.order_id)
        .where(ShippingLabel.status == "bought", ShippingLabel.tracking_status.in_(problems))
        .order_by(ShippingLabel.updated_at.desc())
    )
    if location_id is not None:
        q = q.where(m.Order.location_id == location_id)
    rows = session.execute(q).all()
    return [
        {
            "order_number": number,
            "parcel_no": lb.parcel_no,
            "carrier": lb.carrier,
            "tracking_number": lb.tracking_number,
            "status": lb.tracking_status,
            "detail": lb.tracking_detail,
            "at": lb.updated_at.isoformat(),
        }
        for lb, number in rows
    ]
