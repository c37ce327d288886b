"""The hub renders every label for the bench's printer profile (sent with the label request), rescales
a carrier's own ZPL to it, and refuses — before buying anything — a label that cannot fit the media.

Zebra ZPL II Programming Guide, ^MU: "Assume 8 dot/millimeter (203 dot/inch) printer"; the 300 dpi head
is 12 dots/mm, so a 4x6 label is ^PW1218 ^LL1827 there (a 203-dpi label sent as is prints 2/3 size).
"""

from __future__ import annotations

import re
from typing import Any

from app.bench.labels import HubLabels
from app.bench.model import PackOrder
from app.carriers.base import Label, ParcelRequest, Rate
from app.carriers.table_rate import TableRateCarrier
from app.domain.money import Money
from app.hub.services.shipping import ShippingConfig
from app.printing.profile import PrinterProfile
from tests.carriers.conftest import make_courier
from tests.carriers.test_hub_shipping import RecordingSink, packed_order
from tests.hub.conftest import Hub
from tests.hub.test_queue_and_events import packed_event, post

FO = re.compile(r"\^FO(\d+),(\d+)")


def label(hub: Hub, station: dict[str, str], number: str, printer: dict[str, Any] | None = None) -> Any:
    body: dict[str, Any] = {"parcel_no": 1, "carton_code": "BOX-M", "weight_g": 1000, "items": {}}
    if printer is not None:
        body["printer"] = printer
    return hub.client.post(f"/api/v1/orders/{number}/parcels/1/label", headers=station, json=body)


def inside(zpl: str, width: int, height: int) -> bool:
    return all(int(x) < width and int(y) < height for x, y in FO.findall(zpl))


def test_a_300_dpi_bench_gets_its_label_at_1218_by_1827_dots(hub: Hub) -> None:
    number, station = packed_order(hub, RecordingSink())
    r = label(hub, station, number, {"dpi": 300, "size": "4x6"})
    assert r.status_code == 200, r.text
    zpl = r.json()["zpl"]
    assert "^PW1218^LL1827" in zpl and inside(zpl, 1218, 1827)


def test_a_4x4_bench_gets_a_4x4_label(hub: Hub) -> None:
    number, station = packed_order(hub, RecordingSink())
    zpl = label(hub, station, number, {"dpi": 600, "size": "4x4"}).json()["zpl"]
    assert "^PW2436^LL2436" in zpl and inside(zpl, 2436, 2436)


def test_without_a_profile_the_label_is_4x6_at_203_dpi(hub: Hub) -> None:
    number, station = packed_order(hub, RecordingSink())
    assert "^PW812^LL1218" in label(hub, station, number).json()["zpl"]


def test_a_2x1_printer_is_refused_before_anything_is_bought(hub: Hub) -> None:
    sink = RecordingSink()
    number, station = packed_order(hub, sink)
    r = label(hub, station, number, {"dpi": 203, "size": "2x1"})
    assert r.status_code == 422 and "needs 4x4 or 4x6 labels" in r.json()["error"]
    assert sink.shipped == []  # nothing bought, nothing pushed to the channel
    good = label(hub, station, number, {"dpi": 203, "size": "4x6"}).json()
    assert not good["reused"]  # the first real purchase


def test_a_reprint_comes_back_for_the_profile_of_the_reprint(hub: Hub) -> None:
    number, station = packed_order(hub, RecordingSink())
    first = label(hub, station, number, {"dpi": 203}).json()
    again = label(hub, station, number, {"dpi": 300}).json()
    assert again["reused"] and again["tracking_number"] == first["tracking_number"]
    assert "^PW812^LL1218" in first["zpl"] and "^PW1218^LL1827" in again["zpl"]
    assert again["tracking_number"] in again["zpl"]


def test_a_bad_printer_profile_is_a_422_with_an_error(hub: Hub) -> None:
    number, station = packed_order(hub, RecordingSink())
    for bad in ({"dpi": 250}, {"size": "8x10"}, {"darkness": 99}, {"unicode_font": "^XZ"}, {"colour": "red"}):
        r = label(hub, station, number, bad)
        assert r.status_code == 422 and "error" in r.json(), (bad, r.text)


class OwnZplCarrier(TableRateCarrier):
    """A carrier whose labels are its own 4x6 ZPL at 203 dpi (as EasyPost's are): the hub can only rescale."""

    label_dpi = 203
    label_size = "4x6"

    def __init__(self) -> None:
        base = make_courier()
        super().__init__("ownzpl", base.zones, base.services)

    def buy(self, parcel: ParcelRequest, rate: Rate) -> Label:
        zpl = "^XA^PW812^LL1218^FO100,50^A0N,30,30^FDSHIP^FS^BY2,3,100^FO60,900^BCN,100,Y,N,N^FDZZ1^FS^XZ"
        return Label(parcel.parcel_ref, self.name, rate.service, "ZZ1", zpl, Money(500, "GBP"))

    label_for = None  # type: ignore[assignment]  # no own layout: the carrier's ZPL is what there is


def test_a_carriers_own_zpl_is_rescaled_to_the_bench_and_refused_on_smaller_media(hub: Hub) -> None:
    number, station = packed_order(hub, RecordingSink(), OwnZplCarrier())
    zpl = label(hub, station, number, {"dpi": 300}).json()["zpl"]
    assert zpl.startswith("^XA^PW1218^LL1827") and "^FO150,75^A0N,45,45" in zpl and "^BY3,3,150" in zpl
    r = label(hub, station, number, {"dpi": 300, "size": "4x4"})
    assert r.status_code == 422 and "102 x 152 mm" in r.json()["error"] and "4x4" in r.json()["error"]


def test_a_pack_on_the_hub_then_the_bench_sends_its_profile_with_the_label_request(hub: Hub) -> None:
    hub.client.app.state.shipping = ShippingConfig(carriers=[make_courier()])  # type: ignore[union-attr]
    station = hub.scene(orders=1)
    number = hub.lease(station)["orders"][0]["number"]
    assert post(hub, station, [packed_event(number)])[0]["status"] == "applied"

    class Client:
        sent: dict[str, Any] = {}

        def request_label(self, order_number: str, parcel: dict[str, Any]) -> dict[str, Any]:
            Client.sent = parcel
            r = hub.client.post(f"/api/v1/orders/{order_number}/parcels/1/label", headers=station, json=parcel)
            assert r.status_code == 200, r.text
            out: dict[str, Any] = r.json()
            return out

    profile = PrinterProfile(dpi=300, size="4x4", darkness=20, speed_ips=6, media="transfer")
    got = HubLabels(Client(), profile).request(  # type: ignore[arg-type]
        PackOrder(number, "packed", {}), {"parcel_no": 1, "carton_code": "BOX-M", "weight_g": 900, "items": {}}
    )
    assert Client.sent["printer"] == profile.to_json()
    assert got.zpl.startswith(b"^XA^CI28^PW1218^LL1218^LH0,0^MTT^PR6~SD20")
