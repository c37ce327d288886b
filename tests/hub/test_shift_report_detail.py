"""The shift report's detail for the supervisor's charts: units per hour per bench and packer, exceptions per
hour with the orders behind them, and the waiting orders by age; from real bench events on a seeded hub."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from app.domain.events import ExceptionKind, PackExceptionRaised
from app.domain.operators import Role
from app.hub import demo
from app.hub import models as m
from app.hub.database import make_engine, make_session_factory, migrate, unit_of_work
from app.hub.services import auth, catalog, reports
from app.hub.services import events as event_service


def test_units_exceptions_and_queue_age_come_from_what_the_benches_did(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'hub.sqlite'}"
    migrate(url)
    factory = make_session_factory(make_engine(url))
    with unit_of_work(factory) as session:
        demo.seed(session, orders=20)
    shipped = demo.ship_history(factory, shipped=4, returns=1)
    with unit_of_work(factory) as session:
        station = session.scalar(select(m.Station).where(m.Station.name == "BENCH-0"))
        assert station is not None
        location = catalog.location_by_code(session, "WH-LDS")
        principal = auth.Principal(
            role=Role.STATION,
            station_id=station.id,
            station_name=station.name,
            location_id=location.id,
            location_code=location.code,
        )
        packed = session.scalars(select(m.Order).where(m.Order.status == "shipped")).all()
        units = sum(ln.quantity for o in packed for ln in o.lines)
        queued = session.scalars(select(m.Order).where(m.Order.status == "queued")).all()
        waiting_order = queued[0].number
    event = PackExceptionRaised(
        order_number=waiting_order or "", kind=ExceptionKind.WRONG_ITEM, sku="X", quantity=1, operator_badge="PK-1001"
    )
    assert event_service.apply_one(factory, principal, event.to_wire()).status == event_service.Outcome.APPLIED
    with unit_of_work(factory) as session:
        rep = reports.shift_report(session)
    assert len(shipped) == 1 and len(packed) == 4
    assert sum(rep.units_by_station["BENCH-0"].values()) == units
    assert sum(rep.units_by_operator["Pat Packer (PK-1001)"].values()) == units
    assert sum(rep.exceptions_per_hour["wrong_item"].values()) == 1
    (listed,) = rep.exception_list
    assert listed["order_number"] == waiting_order and listed["station"] == "BENCH-0" and listed["kind"] == "wrong_item"
    depth = {q["location"]: q["depth"] for q in rep.queue}
    assert {loc: sum(b.values()) for loc, b in rep.queue_age_profile.items()} == {k: v for k, v in depth.items() if v}
