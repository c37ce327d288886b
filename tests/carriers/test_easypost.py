from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator

import pytest

from app.carriers.base import CarrierError, CarrierTimeout, ParcelRequest, TrackingStatus
from app.carriers.easypost import EasyPostCarrier, map_status, verify_webhook
from app.carriers.purchase import LabelBuyer, MemoryLabelStore
from app.carriers.shopping import ShoppingRules
from app.domain.catalog import Dimensions
from app.domain.orders import Address
from tests.fakes.easypost import API_KEY, FakeEasyPost
from tests.fakes.server import serve

FROM = Address("Packbench", "1 Dock St", "Austin", "78701", "US", region="TX")
TO = Address("Ada", "2 Elm St", "Denver", "80202", "US", region="CO")


@pytest.fixture
def fake() -> Iterator[FakeEasyPost]:
    fake = FakeEasyPost()
    with serve(fake.app()) as url:
        fake.base_url = url
        yield fake


def carrier(fake: FakeEasyPost, **kw: object) -> EasyPostCarrier:
    return EasyPostCarrier(API_KEY, base_url=f"{fake.base_url}/v2", sleep=lambda s: None, **kw)  # type: ignore[arg-type]


def parcel(ref: str = "PB0000009/1") -> ParcelRequest:
    return ParcelRequest(ref, FROM, TO, 1_000, Dimensions(300, 200, 100), service_level="standard")


def test_rates_ask_for_zpl_in_inches_and_ounces_and_come_back_in_minor_units(fake: FakeEasyPost) -> None:
    rates = carrier(fake).rates(parcel())
    sent = fake.received[0]
    assert sent["options"] == {"label_format": "ZPL"}
    assert sent["parcel"] == {"weight": 35.3, "length": 11.8, "width": 7.9, "height": 3.9}
    assert sent["reference"] == "PB0000009/1"
    assert [(r.service, r.amount.amount_minor, r.transit_days) for r in rates] == [
        ("USPS GroundAdvantage", 853, 4),
        ("USPS Priority", 1153, 2),
        ("UPS NextDayAir", 3115, 1),
    ]


def test_timeout_during_purchase_then_retry_gives_one_label_and_one_charge(fake: FakeEasyPost) -> None:
    fake.lose_next_buy_answer = True
    store = MemoryLabelStore()
    buyer = LabelBuyer([carrier(fake, timeout_s=0.3)], ShoppingRules(), store)
    with pytest.raises(CarrierTimeout):
        buyer.buy(parcel())
    label = buyer.buy(parcel()).label
    assert fake.charges == 1
    assert len(fake.shipments) == 1  # the retry did not shop again
    assert label.zpl.startswith("^XA") and label.tracking_number in label.zpl
    assert label.service == "USPS GroundAdvantage" and label.amount.amount_minor == 853


def test_rate_limited_create_is_retried(fake: FakeEasyPost) -> None:
    fake.rate_limit_next = 1
    assert len(carrier(fake).rates(parcel())) == 3


def test_bad_api_key_is_a_carrier_error_naming_the_code(fake: FakeEasyPost) -> None:
    with pytest.raises(CarrierError, match=r"APIKEY\.INACTIVE"):
        EasyPostCarrier("wrong", base_url=f"{fake.base_url}/v2").rates(parcel())


def test_void_refunds_and_manifest_makes_a_scan_form(fake: FakeEasyPost) -> None:
    ep = carrier(fake)
    buyer = LabelBuyer([ep], ShoppingRules(), MemoryLabelStore())
    a = buyer.buy(parcel("PB1/1")).label
    b = buyer.buy(parcel("PB2/1")).label
    manifest = ep.manifest([a, b])
    assert manifest.manifest_id == "sf_0001" and manifest.tracking_numbers == (a.tracking_number, b.tracking_number)
    result = buyer.void("PB1/1", "customer cancelled")
    assert result.accepted and "submitted" in result.detail


@pytest.mark.parametrize(
    ("status", "detail", "expected"),
    [
        ("delivered", "arrived_at_destination", TrackingStatus.DELIVERED),
        ("return_to_sender", "return", TrackingStatus.RETURNED_TO_SENDER),
        ("failure", "lost", TrackingStatus.LOST),
        ("failure", "address_not_found", TrackingStatus.EXCEPTION),
        ("in_transit", "arrived_at_facility", TrackingStatus.IN_TRANSIT),
        ("something_new", "", TrackingStatus.UNKNOWN),
    ],
)
def test_tracker_statuses_map_onto_ours(status: str, detail: str, expected: TrackingStatus) -> None:
    assert map_status(status, detail) == expected


def test_tracking_poll_reports_delivery(fake: FakeEasyPost) -> None:
    fake.tracker_status["EZ1"] = ("delivered", "arrived_at_destination")
    update = carrier(fake).track("EZ1")
    assert update.status == TrackingStatus.DELIVERED and update.occurred_at is not None


def test_easypost_webhook_signature_is_hex_hmac_with_prefix() -> None:
    body = b'{"object":"Event","description":"tracker.updated"}'
    sig = "hmac-sha256-hex=" + hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
    assert verify_webhook(body, sig, "s3cret")
    assert not verify_webhook(body, sig, "other")
