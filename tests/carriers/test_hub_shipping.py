"""The hub's label path for the bench: rate shopping, idempotent purchase, void, manifest, tracking."""

from __future__ import annotations

from typing import Any

import pytest

from app.carriers.base import CarrierTimeout, Label, ParcelRequest, Rate
from app.carriers.shopping import ShoppingRules
from app.carriers.table_rate import TableRateCarrier, is_valid_s10
from app.channels.base import Shipment
from app.domain.events import LabelPrinted
from app.hub.services.shipping import ShippingConfig
from tests.carriers.conftest import make_courier
from tests.hub.conftest import Hub
from tests.hub.test_queue_and_events import packed_event, post


class RecordingSink:
    def __init__(self) -> None:
        self.shipped: list[tuple[str, Shipment]] = []
        self.delivered: list[tuple[str, Shipment]] = []

    def push_shipment(self, channel_ref: str, shipment: Shipment) -> None:
        self.shipped.append((channel_ref, shipment))

    def push_delivered(self, channel_ref: str, shipment: Shipment) -> None:
        self.delivered.append((channel_ref, shipment))


class TimesOutOnce(TableRateCarrier):
    """Buys, then loses the answer the first time; like the aggregator, a retry finds the label."""

    def __init__(self) -> None:
        base = make_courier()
        super().__init__(base.name, base.zones, base.services)
        self.bought: dict[str, Label] = {}
        self.charges = 0
        self.lose_answer = True

    def buy(self, parcel: ParcelRequest, rate: Rate) -> Label:
        if parcel.parcel_ref in self.bought:
            return self.bought[parcel.parcel_ref]
        self.charges += 1
        label = self.bought[parcel.parcel_ref] = super().buy(parcel, rate)
        if self.lose_answer:
            self.lose_answer = False
            raise CarrierTimeout("no answer in time")
        return label


def packed_order(hub: Hub, sink: RecordingSink, carrier: TableRateCarrier | None = None) -> tuple[str, dict[str, str]]:
    hub.client.app.state.shipping = ShippingConfig(  # type: ignore[union-attr]
        carriers=[carrier or make_courier()], channels={"web": sink}
    )
    station = hub.scene(orders=1)
    number = hub.lease(station)["orders"][0]["number"]
    assert post(hub, station, [packed_event(number)])[0]["status"] == "applied"
    return number, station


def label(hub: Hub, station: dict[str, str], number: str, parcel_no: int = 1) -> Any:
    body = {"parcel_no": parcel_no, "carton_code": "BOX-M", "weight_g": 1000, "items": {}}
    return hub.client.post(f"/api/v1/orders/{number}/parcels/{parcel_no}/label", headers=station, json=body)


def test_bench_gets_a_label_with_carrier_service_tracking_and_zpl_once_per_parcel(hub: Hub) -> None:
    sink = RecordingSink()
    number, station = packed_order(hub, sink)
    first = label(hub, station, number)
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["carrier"] == "localcourier" and body["service"] == "economy"
    assert is_valid_s10(body["tracking_number"]) and body["zpl"].startswith("^XA")
    assert "cheapest" in body["reason"] and not body["reused"]
    again = label(hub, station, number).json()
    assert again["tracking_number"] == body["tracking_number"] and again["reused"]
    assert [s.tracking_number for _ref, s in sink.shipped] == [body["tracking_number"]]


def test_timeout_during_purchase_answers_503_and_the_retry_gives_the_same_single_label(hub: Hub) -> None:
    carrier = TimesOutOnce()
    number, station = packed_order(hub, RecordingSink(), carrier)
    assert label(hub, station, number).status_code == 503
    retry = label(hub, station, number)
    assert retry.status_code == 200, retry.text
    assert carrier.charges == 1
    assert retry.json()["tracking_number"] == next(iter(carrier.bought.values())).tracking_number


def test_an_order_not_packed_gets_no_label(hub: Hub) -> None:
    hub.client.app.state.shipping = ShippingConfig(carriers=[make_courier()])  # type: ignore[union-attr]
    station = hub.scene(orders=1)
    number = hub.lease(station)["orders"][0]["number"]
    assert label(hub, station, number).status_code == 409


def test_void_needs_a_supervisor_and_a_reason_and_the_parcel_can_be_labelled_again(hub: Hub) -> None:
    number, station = packed_order(hub, RecordingSink())
    first = label(hub, station, number).json()
    path = f"/api/v1/orders/{number}/parcels/1/void"
    assert hub.client.post(path, headers=station, json={"reason": "x"}).status_code == 403
    assert hub.client.post(path, headers=hub.admin, json={"reason": ""}).status_code == 422
    hub.ok("POST", path, json={"reason": "wrong carton"})
    second = label(hub, station, number).json()
    assert second["tracking_number"] != first["tracking_number"]


def test_manifest_closes_the_day_once_per_label(hub: Hub) -> None:
    number, station = packed_order(hub, RecordingSink())
    tracking = label(hub, station, number).json()["tracking_number"]
    manifest = hub.ok("POST", "/api/v1/shipping/manifests", json={"carrier": "localcourier"})
    assert manifest["tracking_numbers"] == [tracking]
    r = hub.client.post("/api/v1/shipping/manifests", headers=hub.admin, json={"carrier": "localcourier"})
    assert r.status_code == 422  # nothing left for today
    void = hub.client.post(f"/api/v1/orders/{number}/parcels/1/void", headers=hub.admin, json={"reason": "late"})
    assert void.status_code == 409


def test_delivered_tracking_moves_the_order_to_delivered_and_tells_the_channel(hub: Hub) -> None:
    sink = RecordingSink()
    number, station = packed_order(hub, sink)
    tracking = label(hub, station, number).json()["tracking_number"]
    printed = LabelPrinted(order_number=number, parcel_no=1, tracking_number=tracking, carrier="localcourier")
    assert post(hub, station, [printed.to_wire()])[0]["status"] == "applied"
    hub.ok("POST", "/api/v1/shipping/tracking", json={"tracking_number": tracking, "status": "delivered"})
    assert hub.ok("GET", f"/api/v1/orders/{number}")["status"] == "delivered"
    assert [s.tracking_number for _ref, s in sink.delivered] == [tracking]


@pytest.mark.parametrize("status", ["returned_to_sender", "lost"])
def test_problem_tracking_is_listed_and_noted_on_the_order(hub: Hub, status: str) -> None:
    number, station = packed_order(hub, RecordingSink())
    tracking = label(hub, station, number).json()["tracking_number"]
    hub.ok("POST", "/api/v1/shipping/tracking", json={"tracking_number": tracking, "status": status, "detail": "x"})
    listed = hub.ok("GET", "/api/v1/shipping/exceptions")
    assert [(e["order_number"], e["status"]) for e in listed] == [(number, status)]
    notes = [h["note"] for h in hub.ok("GET", f"/api/v1/orders/{number}")["history"]]
    assert f"tracking {tracking}: {status} (x)" in notes


def test_easypost_label_through_the_hub_survives_a_lost_answer_with_one_charge(hub: Hub) -> None:
    from app.carriers.easypost import EasyPostCarrier
    from tests.fakes.easypost import API_KEY, FakeEasyPost
    from tests.fakes.server import serve

    fake = FakeEasyPost(lose_next_buy_answer=True)
    with serve(fake.app()) as url:
        fake.base_url = url
        carrier = EasyPostCarrier(API_KEY, base_url=f"{url}/v2", timeout_s=0.3)
        rules = ShoppingRules(excluded_services=frozenset({"localcourier:*"}))
        number, station = packed_order(hub, RecordingSink())
        hub.client.app.state.shipping = ShippingConfig(carriers=[make_courier(), carrier], rules=rules)  # type: ignore[union-attr]
        assert label(hub, station, number).status_code == 503
        answer = label(hub, station, number)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert fake.charges == 1 and len(fake.shipments) == 1
    assert body["carrier"] == "easypost" and body["service"] == "USPS GroundAdvantage"
    assert body["zpl"].startswith("^XA") and body["tracking_number"] in body["zpl"]


def test_signed_easypost_tracker_webhook_delivers_the_order_and_a_forged_one_changes_nothing(hub: Hub) -> None:
    import hashlib
    import hmac
    import json

    sink = RecordingSink()
    number, station = packed_order(hub, sink)
    hub.client.app.state.shipping = ShippingConfig(  # type: ignore[union-attr]
        carriers=[make_courier()], channels={"web": sink}, webhook_secrets={"easypost": "ep-secret"}
    )
    tracking = label(hub, station, number).json()["tracking_number"]
    printed = LabelPrinted(order_number=number, parcel_no=1, tracking_number=tracking, carrier="localcourier")
    post(hub, station, [printed.to_wire()])
    event = {
        "object": "Event",
        "description": "tracker.updated",
        "result": {"object": "Tracker", "tracking_code": tracking, "status": "delivered", "tracking_details": []},
    }
    body = json.dumps(event).encode()
    url = "/api/v1/channels/easypost/webhooks"
    forged = hub.client.post(url, content=body, headers={"X-Hmac-Signature": "hmac-sha256-hex=00"})
    assert forged.status_code == 401
    assert hub.ok("GET", f"/api/v1/orders/{number}")["status"] == "shipped"
    sig = "hmac-sha256-hex=" + hmac.new(b"ep-secret", body, hashlib.sha256).hexdigest()
    assert hub.client.post(url, content=body, headers={"X-Hmac-Signature": sig}).status_code == 200
    assert hub.ok("GET", f"/api/v1/orders/{number}")["status"] == "delivered"
