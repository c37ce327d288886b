"""Location scope in the event handlers: every event type, posted by location B for location A's
order or return, is rejected with the reason and changes nothing; the same events from A apply."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from app.domain.events import (
    EVENT_TYPES,
    ExceptionKind,
    LabelPrinted,
    OrderPacked,
    PackExceptionRaised,
    Parcel,
    ReturnReceived,
)
from app.domain.pick_events import PickConfirmed, PickShort, ShortReason, ToteAssigned
from app.domain.returns import Condition, Disposition, ReceivedUnit
from tests.hub.conftest import Hub
from tests.hub.scope_scene import TwoLocations, routes, snapshot, two_locations
from tests.hub.test_queue_and_events import post

# One event of each type naming A's objects; a new event type without an entry here fails the test.
EVENTS: dict[str, Callable[[TwoLocations, str], dict[str, Any]]] = {
    "order_packed": lambda s, loc: OrderPacked(
        order_number=s.leased, parcels=(Parcel(1, "BOX-M", 1000, 1000),)
    ).to_wire(),
    "pack_exception": lambda s, loc: PackExceptionRaised(
        order_number=s.leased, kind=ExceptionKind.SHORT_PICK, sku="A", quantity=1, detail="bin empty"
    ).to_wire(),
    "label_printed": lambda s, loc: LabelPrinted(
        order_number=s.packed, parcel_no=1, tracking_number="1Z-FROM-ELSEWHERE", carrier="localcourier"
    ).to_wire(),
    "return_received": lambda s, loc: ReturnReceived(
        rma_number=s.rma, location_code=loc, units=(ReceivedUnit("B", 1, Condition.NEW, Disposition.RESTOCK),)
    ).to_wire(),
    "tote_assigned": lambda s, loc: ToteAssigned(
        batch_id=s.pick_batch, order_number=None, tote="TOTE-X", slot=1
    ).to_wire(),
    "pick_confirmed": lambda s, loc: PickConfirmed(
        batch_id=s.pick_batch, order_number=None, bin="STOCK", sku="A", quantity=1, tote="TOTE-X"
    ).to_wire(),
    "pick_short": lambda s, loc: PickShort(
        batch_id=s.pick_batch, order_number=None, bin="STOCK", sku="A", quantity=1, reason=ShortReason.BIN_EMPTY
    ).to_wire(),
}


def order(hub: Hub, number: str) -> dict[str, Any]:
    found: dict[str, Any] = hub.ok("GET", f"/api/v1/orders/{number}")
    return found


def test_the_events_route_is_scoped_by_event_and_every_event_type_is_covered(hub: Hub) -> None:
    scoped = {(p, m) for p, m, op in routes(hub) if op["x-scope"] == "event"}
    assert scoped == {("/api/v1/events", "post")}
    assert set(EVENTS) == set(EVENT_TYPES)


def test_every_event_type_from_b_for_location_a_is_rejected_and_changes_nothing(hub: Hub) -> None:
    scene = two_locations(hub)
    for who, headers in (("station B", scene.station_b), ("packer at B", scene.packer_b)):
        for event_type, make in EVENTS.items():
            before = snapshot(hub)
            result = post(hub, headers, [make(scene, "WH2")])[0]
            assert result["status"] == "rejected", (who, event_type, result)
            assert "not at this station's location (WH2)" in result["reason"], (who, event_type, result)
            assert snapshot(hub) == before, (who, event_type)


def test_the_same_events_from_location_a_apply(hub: Hub) -> None:
    scene = two_locations(hub)
    for event_type in ("label_printed", "return_received", "order_packed", "pack_exception"):
        result = post(hub, scene.station_a, [EVENTS[event_type](scene, "WH1")])[0]
        assert result["status"] == "applied", (event_type, result)


def test_a_pack_exception_from_b_neither_holds_location_a_order_nor_drops_its_lease(hub: Hub) -> None:
    scene = two_locations(hub)
    before = order(hub, scene.leased)
    result = post(hub, scene.station_b, [EVENTS["pack_exception"](scene, "WH2")])[0]
    assert result["status"] == "rejected"
    after = order(hub, scene.leased)
    assert after["status"] == before["status"] == "leased" and after["hold_reason"] is None
    renewed = hub.ok(
        "POST", f"/api/v1/queue/leases/{scene.lease_a}/renew", headers=scene.station_a, json={"lease_seconds": 600}
    )
    assert {o["number"]: o["status"] for o in renewed["orders"]}[scene.leased] == "leased"
    exceptions = hub.ok("GET", "/api/v1/reports/shift")["exceptions_by_kind"]
    assert exceptions.get("short_pick", 0) == 0


def test_a_pack_exception_for_an_unknown_order_is_rejected_and_stores_nothing(hub: Hub) -> None:
    scene = two_locations(hub)
    before = snapshot(hub)
    event = PackExceptionRaised(order_number="SO-9999999", kind=ExceptionKind.DAMAGED, detail="crushed").to_wire()
    result = post(hub, scene.station_a, [event])[0]
    assert result == {"event_id": event["event_id"], "status": "rejected", "reason": "unknown order SO-9999999"}
    assert snapshot(hub) == before
