from __future__ import annotations

from typing import Any

from app.domain.events import LabelPrinted, ReturnReceived
from app.domain.returns import Condition, Disposition, ReceivedUnit
from tests.hub.conftest import Hub
from tests.hub.test_queue_and_events import packed_event, post, stock_row


def shipped_order(hub: Hub) -> tuple[dict[str, str], str]:
    station = hub.scene(orders=1)
    number = hub.lease(station)["orders"][0]["number"]
    post(hub, station, [packed_event(number)])
    post(hub, station, [LabelPrinted(order_number=number, parcel_no=1, tracking_number="1Z999", carrier="t").to_wire()])
    return station, number


def rma(hub: Hub, number: str, **kw: Any) -> Any:
    body = {"order_number": number, "lines": [{"sku": "B", "quantity": 2, "reason": "too small"}], **kw}
    return hub.ok("POST", "/api/v1/returns", json=body)


def test_rma_is_found_by_rma_number_order_number_and_tracking_numbers(hub: Hub) -> None:
    station, number = shipped_order(hub)
    created = rma(hub, number, return_tracking_number="RET-42")
    for code in (created["number"], number, "RET-42", "1Z999"):
        found = hub.ok("GET", "/api/v1/returns/lookup", headers=station, params={"code": code})
        assert [r["number"] for r in found] == [created["number"]], code
    assert found[0]["lines"][0]["barcodes"] == ["036000291452", "B"]
    r = hub.client.get("/api/v1/returns/lookup", headers=station, params={"code": "nothing"})
    assert r.status_code == 404


def test_receiving_restocks_only_restocked_units_once_at_the_receiving_location(hub: Hub) -> None:
    station, number = shipped_order(hub)
    created = rma(hub, number)
    assert stock_row(hub, "B") == (48, 0)
    event = ReturnReceived(
        rma_number=created["number"],
        location_code="WH1",
        units=(
            ReceivedUnit("B", 1, Condition.NEW, Disposition.RESTOCK, bin="A-01"),
            ReceivedUnit("B", 1, Condition.DAMAGED, Disposition.SCRAP),
        ),
    ).to_wire()
    assert post(hub, station, [event])[0]["status"] == "applied"
    assert post(hub, station, [event])[0]["status"] == "duplicate"
    assert stock_row(hub, "B") == (49, 0)
    after = hub.ok("GET", "/api/v1/returns/lookup", headers=station, params={"code": created["number"]})[0]
    assert after["status"] == "received" and after["lines"][0]["received_quantity"] == 2
    report = hub.ok("GET", "/api/v1/reports/shift")
    assert report["returns_by_condition"] == {"damaged": 1, "new": 1}
    assert report["units_restocked"] == 1


def test_receiving_more_than_authorised_is_rejected_and_changes_nothing(hub: Hub) -> None:
    station, number = shipped_order(hub)
    created = rma(hub, number)
    event = ReturnReceived(
        rma_number=created["number"],
        location_code="WH1",
        units=(ReceivedUnit("B", 3, Condition.NEW, Disposition.RESTOCK),),
    ).to_wire()
    [result] = post(hub, station, [event])
    assert result["status"] == "rejected" and "only 2 expected" in result["reason"]
    assert stock_row(hub, "B") == (48, 0)


def test_an_rma_cannot_return_more_than_was_ordered(hub: Hub) -> None:
    _station, number = shipped_order(hub)
    rma(hub, number)
    r = hub.client.post(
        "/api/v1/returns", headers=hub.admin, json={"order_number": number, "lines": [{"sku": "B", "quantity": 1}]}
    )
    assert r.status_code == 422 and "already authorised" in r.json()["error"]
