"""A realistic demo data set: catalog, locations, cartons, stock, orders, a station and operators.

``ship_history`` then has an earlier bench pack and ship some orders through the same bench events a
real bench sends, and opens RMAs against a few of them, so the returns screen has returns to receive.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.domain.barcodes import gtin_check_digit
from app.domain.events import LabelPrinted, OrderPacked, Parcel
from app.domain.operators import Role
from app.domain.orders import OrderStatus
from app.domain.routing import ClosestLocation, RoutingPolicy, default_rules
from app.hub import demo_layout
from app.hub import models as m
from app.hub.database import unit_of_work
from app.hub.services import auth, catalog, pipeline, stock
from app.hub.services import events as event_service
from app.hub.services import orders as order_service
from app.hub.services import returns as return_service
from app.hub.services.clock import now
from app.hub.services.dom import OrderRules

DEMO_OPERATORS = [
    ("Pat Packer", "PK-1001", "1111", "packer"),
    ("Rae Receiver", "RC-1001", "2222", "receiver"),
    ("Sam Supervisor", "SV-1001", "3333", "supervisor"),
    ("Alex Admin", "AD-1001", "4444", "admin"),
]

LOCATIONS = [
    dict(
        code="WH-LDS",
        name="Leeds fulfilment centre",
        kind="warehouse",
        latitude=53.80,
        longitude=-1.55,
        rank=10,
    ),
    dict(code="WH-BRS", name="Bristol warehouse", kind="warehouse", latitude=51.45, longitude=-2.59, rank=20),
    dict(
        code="ST-MAN",
        name="Manchester store",
        kind="store",
        latitude=53.48,
        longitude=-2.24,
        rank=50,
        daily_capacity=40,
        accepts_pickup=True,
    ),
]

CARTONS = [
    dict(code="MAILER-S", name="Padded mailer S", length_mm=250, width_mm=180, height_mm=40, tare_g=25),
    dict(code="BOX-S", name="Box S", length_mm=230, width_mm=160, height_mm=100, tare_g=110),
    dict(code="BOX-M", name="Box M", length_mm=350, width_mm=250, height_mm=160, tare_g=220),
    dict(code="BOX-L", name="Box L", length_mm=450, width_mm=350, height_mm=300, tare_g=420),
    dict(code="BOX-XL", name="Box XL", length_mm=600, width_mm=400, height_mm=400, tare_g=700),
]

# (name stem, weight g, l, w, h mm)
KINDS = [
    ("Ceramic mug", 350, 120, 90, 95),
    ("Cotton T-shirt", 180, 300, 220, 20),
    ("Hardback notebook", 420, 215, 150, 22),
    ("Steel water bottle", 310, 270, 75, 75),
    ("Wireless mouse", 95, 115, 65, 40),
    ("USB-C cable 1m", 40, 150, 90, 20),
    ("Scented candle", 520, 100, 100, 110),
    ("Wool socks (pair)", 90, 200, 100, 25),
    ("Desk lamp", 1250, 400, 180, 160),
    ("Yoga mat", 1100, 610, 150, 150),
]
COLOURS = ["Red", "Blue", "Green", "Black", "White"]
CITIES = [
    ("Leeds", "LS1 4AP", 53.80, -1.55),
    ("York", "YO1 7HH", 53.96, -1.08),
    ("Manchester", "M1 1AE", 53.48, -2.24),
    ("Bristol", "BS1 4DJ", 51.45, -2.59),
    ("London", "EC1A 1BB", 51.52, -0.10),
    ("Sheffield", "S1 2HE", 53.38, -1.47),
    ("Cardiff", "CF10 1EP", 51.48, -3.18),
]
NAMES = [
    "Ada Lovelace",
    "Alan Turing",
    "Grace Hopper",
    "Tim Berners-Lee",
    "Karen Spärck Jones",
    "Edsger Dijkstra",
]


@dataclass
class DemoResult:
    station_name: str
    location: str
    enrolment_code: str
    operators: list[tuple[str, str, str, str]] = field(default_factory=list)
    products: int = 0
    orders: int = 0


def demo_gtin(n: int) -> str:
    body = f"50{614141:06d}{n:04d}"  # 12 digits: a GS1 UK-style prefix for demo items
    return body + str(gtin_check_digit(body))


def seed(session: Session, *, orders: int = 220, station_name: str = "BENCH-1", seed_value: int = 7) -> DemoResult:
    rnd = random.Random(seed_value)
    for loc in LOCATIONS:
        catalog.create_location(session, **loc)  # type: ignore[arg-type]
    for c in CARTONS:
        catalog.create_carton(session, **c)  # type: ignore[arg-type]
    skus = []
    n = 0
    for stem, weight, ln, wd, ht in KINDS:
        for colour in COLOURS:
            n += 1
            sku = f"{stem.split()[0][:4].upper()}-{colour[:3].upper()}-{n:03d}"
            catalog.create_product(
                session,
                sku=sku,
                name=f"{stem}, {colour.lower()}",
                weight_g=weight + rnd.randint(-10, 10),
                length_mm=ln,
                width_mm=wd,
                height_mm=ht,
                barcodes=[demo_gtin(n)],
            )
            skus.append(sku)
    demo_layout.lay_out(session, catalog.location_by_code(session, "WH-LDS"))
    homes = demo_layout.slotting(skus)
    for sku in skus:
        for code, part in demo_layout.split(rnd.randint(40, 120), homes[sku]):
            stock.adjust(session, location_code="WH-LDS", sku=sku, delta=part, reason="received", bin_code=code)
        stock.adjust(session, location_code="WH-BRS", sku=sku, delta=rnd.randint(5, 40), reason="received")
        stock.adjust(session, location_code="ST-MAN", sku=sku, delta=rnd.randint(0, 6) or 1, reason="received")
    start = now() - timedelta(hours=6)
    # The demo merchant ranks its warehouses before distance, so the demo bench's warehouse (ranked
    # first) gets the orders it has stock for: the rule chain without "closest location".
    chain = tuple(r for r in default_rules() if not isinstance(r, ClosestLocation))
    rules = OrderRules(routing=RoutingPolicy(rules=chain, allow_split=False))
    for i in range(orders):
        city, postcode, lat, lon = rnd.choice(CITIES)
        lines = {}
        for _ in range(rnd.choice([1, 1, 1, 2, 2, 3, 4])):
            lines[rnd.choice(skus)] = rnd.choice([1, 1, 1, 2])
        pipeline.submit(
            session,
            order_service.NewOrder(
                channel=rnd.choice(["shopify", "woocommerce", "csv"]),
                channel_order_id=f"DEMO-{1000 + i}",
                lines=[
                    order_service.NewOrderLine(sku=k, quantity=q, unit_price_minor=rnd.randint(399, 4999))
                    for k, q in lines.items()
                ],
                ship_to={
                    "name": rnd.choice(NAMES),
                    "line1": f"{rnd.randint(1, 200)} High Street",
                    "city": city,
                    "postcode": postcode,
                    "country": "GB",
                    "latitude": lat,
                    "longitude": lon,
                },
                priority=1 if rnd.random() < 0.1 else 0,
                ship_by=start + timedelta(hours=30 + rnd.randint(0, 24)),
                currency="GBP",
                service_level=rnd.choice(["standard", "standard", "express"]),
                created_at=start + timedelta(seconds=i * 60),
            ),
            rules,
        )
    code = auth.create_enrolment_code(session, station_name, "WH-LDS")
    result = DemoResult(station_name=station_name, location="WH-LDS", enrolment_code=code)
    for name, badge, pin, role in DEMO_OPERATORS:
        auth.add_operator(session, name=name, badge=badge, pin=pin, role=role)
        result.operators.append((name, badge, pin, role))
    result.products = len(skus)
    result.orders = orders
    return result


@dataclass(frozen=True)
class DemoReturn:
    """An open RMA for a shipped demo order: any of the three numbers looks it up at the bench."""

    rma_number: str
    order_number: str
    return_tracking_number: str
    sku: str


def ship_history(
    factory: sessionmaker[Session], *, shipped: int = 6, returns: int = 3, station_name: str = "BENCH-0"
) -> list[DemoReturn]:
    """An earlier bench (``station_name``) packs and ships the ``shipped`` oldest queued orders at the demo
    warehouse through the bench events, over the last few hours; RMAs are opened for ``returns`` of them."""
    with unit_of_work(factory) as session:
        code = auth.create_enrolment_code(session, station_name, "WH-LDS")
        station, _token = auth.enrol(session, code)
        location = catalog.location_by_code(session, "WH-LDS")
        principal = auth.Principal(
            role=Role.STATION,
            station_id=station.id,
            station_name=station.name,
            location_id=location.id,
            location_code=location.code,
        )
        orders = session.scalars(
            select(m.Order)
            .where(m.Order.status == OrderStatus.QUEUED.value, m.Order.location_id == location.id)
            .order_by(m.Order.created_at)
            .limit(shipped)
        ).all()
        picked = [(o.number or "", {ln.sku: ln.quantity for ln in o.lines}) for o in orders]
        grams = {p.sku: p.weight_g for p in session.scalars(select(m.Product)).all()}
    start = now() - timedelta(hours=4)
    for i, (number, items) in enumerate(picked):
        at = start + timedelta(minutes=25 * i)
        weight = 220 + sum(grams[sku] * q for sku, q in items.items())  # BOX-M's tare and the items
        parcel = Parcel(parcel_no=1, carton_code="BOX-M", weight_g=weight, expected_weight_g=weight, items=items)
        packed = OrderPacked(
            order_number=number,
            parcels=(parcel,),
            pack_seconds=90.0,
            operator_badge="PK-1001",
            occurred_at=at,
        )
        label = LabelPrinted(
            order_number=number,
            parcel_no=1,
            tracking_number=f"DEMO{i + 1:08d}",
            carrier="DEMO",
            operator_badge="PK-1001",
            occurred_at=at + timedelta(seconds=20),
        )
        for event in (packed, label):
            result = event_service.apply_one(factory, principal, event.to_wire())
            if result.status != event_service.Outcome.APPLIED:
                raise RuntimeError(f"demo history: {event.TYPE} for {number} {result.status}: {result.reason}")
    out: list[DemoReturn] = []
    with unit_of_work(factory) as session:
        for i, (number, items) in enumerate(picked[:returns]):
            sku = sorted(items)[0]
            tracking = f"RET{i + 1:09d}"
            rma = return_service.create_rma(
                session,
                order_number=number,
                lines=[return_service.NewRmaLine(sku=sku, quantity=1, reason="did not fit")],
                return_tracking_number=tracking,
            )
            out.append(DemoReturn(rma.number or "", number, tracking, sku))
    return out
