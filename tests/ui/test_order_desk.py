"""The order desk driven as a supervisor would, over the embedded hub: find an order by each key (typed,
or scanned at 8 ms a key), read its timeline, release, cancel and re-route it — and what the hub then
stores. A packer never gets the desk."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.bench.hub_client import HubOffline, HubRefused
from app.bench.order_desk import OrderDesk
from app.devices.sim.wedge_sim import WedgeScannerSimulator
from app.domain.events import LabelPrinted
from app.ui.demo_panel import type_like_a_scanner
from app.ui.screens.order_desk import OrderDeskScreen
from app.ui.workers import TaskRunner
from tests.hub.test_queue_and_events import packed_event
from tests.ui.conftest import Bench

SCANNER = WedgeScannerSimulator(key_interval_s=0.008, jitter_s=0.002, seed=3)
NAME = "Zoë <b>O'Brien</b> & Co"  # customer text that rich text would swallow
EMAIL = "Zoe.OBrien@Example.com"


class Admin:
    """The hub as the admin sees it (setting the scene, reading back what is stored)."""

    def __init__(self, bench: Bench) -> None:
        self.client = bench.engine.client
        self.token = self.client.sign_in("AD-1001", "4444")["token"]

    def call(self, method: str, path: str, **kw: Any) -> Any:
        return self.client.call(method, path, token=self.token, **kw)

    def order(self, number: str) -> dict[str, Any]:
        out: dict[str, Any] = self.call("GET", f"/orders/{number}")
        return out

    def reserved(self, location: str, sku: str) -> int:
        rows = self.call("GET", "/stock", params={"location": location, "sku": sku})
        return int(rows[0]["reserved"])

    def new_order(self, channel_order_id: str, **kw: Any) -> dict[str, Any]:
        sku = self.call("GET", "/products")[0]["sku"]
        body = {
            "channel": "web",
            "channel_order_id": channel_order_id,
            "lines": [{"sku": sku, "quantity": 1, "unit_price_minor": 1000}],
            "ship_to": {"name": NAME, "line1": "1 Main St", "city": "Leeds", "postcode": "LS1 1AA", "country": "GB"},
            "customer_email": EMAIL,
            **kw,
        }
        out: dict[str, Any] = self.call("POST", "/orders", json=body)
        return out


def open_desk(bench: Bench, badge: str = "SV-1001", pin: str = "3333") -> OrderDeskScreen:
    bench.sign_in(badge, pin)
    bench.qtbot.keyClick(bench.window, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier)
    assert bench.window.current() == "orders", (bench.window.operator, bench.window.status.operator.text())
    desk = bench.window.desk
    bench.window.activateWindow()
    bench.qtbot.waitUntil(lambda: QApplication.focusWidget() is desk.search, timeout=5000)
    return desk


def scan(bench: Bench, desk: OrderDeskScreen, code: str) -> dict[str, Any]:
    """Scan ``code`` at 8 ms a key into whatever has focus; the one order found opens."""

    def this_scan(_found: dict[str, Any]) -> bool:  # not an earlier search's order opening late
        return desk.search.text() == code

    with bench.qtbot.waitSignal(desk.opened, timeout=15000, check_params_cb=this_scan) as opened:
        type_like_a_scanner(code, bench.window, SCANNER)
    found: dict[str, Any] = opened.args[0]
    return found


def type_in(bench: Bench, desk: OrderDeskScreen, text: str) -> list[dict[str, Any]]:
    """Type ``text`` by hand into the search box (pasted when it is not ASCII) and press Enter."""
    desk.search.clear()
    bench.qtbot.mouseClick(desk.search, Qt.MouseButton.LeftButton)  # keys go where the focus is
    bench.qtbot.waitUntil(desk.search.hasFocus, timeout=5000)
    with bench.qtbot.waitSignal(desk.searched, timeout=15000) as searched:
        if text.isascii():
            bench.qtbot.keyClicks(desk.search, text, delay=40)
        else:
            desk.search.setText(text)  # QTest types ASCII only
        bench.qtbot.keyClick(desk.search, Qt.Key.Key_Return, delay=40)
    orders: list[dict[str, Any]] = searched.args[0]
    return orders


def pack_and_label(bench: Bench, number: str, tracking: str) -> None:
    """A bench at the order's location packs and labels it (the events its engine would send)."""
    lease = bench.engine.client.lease(1, 600)  # the desk's order is the most urgent one waiting
    assert [o["number"] for o in lease["orders"]] == [number]
    label = LabelPrinted(order_number=number, parcel_no=1, tracking_number=tracking, carrier="localcourier")
    results = bench.engine.client.post_events([packed_event(number), label.to_wire()])
    assert [r["status"] for r in results] == ["applied", "applied"], results


def test_a_supervisor_finds_an_order_by_each_key_typed_or_scanned(bench: Bench) -> None:
    admin = Admin(bench)
    number = admin.new_order("DESK-1", priority=100)["number"]
    pack_and_label(bench, number, "1ZDESK0001")
    desk = open_desk(bench)
    for key in ("DESK-1", "zoë <b>o'brien</b> & co", EMAIL.upper()):
        assert [o["number"] for o in type_in(bench, desk, key)] == [number], key
    assert scan(bench, desk, number)["order"]["number"] == number
    desk.table.setFocus()  # a scan lands in the search box wherever focus is
    bench.qtbot.waitUntil(lambda: QApplication.focusWidget() is desk.table, timeout=5000)
    found = scan(bench, desk, "1ZDESK0001")
    assert found["order"]["number"] == number and desk.search.text() == "1ZDESK0001"
    assert desk.header.text().startswith(f"{number} · shipped")
    assert "parcel 1: localcourier 1ZDESK0001" in desk.shipments.text()
    texts = [desk.timeline.item(i).text() for i in range(desk.timeline.count())]
    assert any("parcel 1: " in t and "1ZDESK0001" in t for t in texts)
    assert any("packed: packed at" in t for t in texts)
    assert desk.customer.text().startswith(NAME)  # shown as typed, as plain text
    assert desk.customer.textFormat() == Qt.TextFormat.PlainText
    assert type_in(bench, desk, "NO-SUCH-ORDER") == []
    assert "No order has NO-SUCH-ORDER" in desk.message.text()


def test_a_held_order_shows_why_and_released_goes_back_to_its_queue(bench: Bench) -> None:
    admin = Admin(bench)
    number = admin.new_order("DESK-2")["number"]
    admin.call("POST", f"/orders/{number}/hold", json={"reason": "address <i>check</i>"})
    desk = open_desk(bench)
    scan(bench, desk, number)
    assert desk.hold.text() == "Held: address <i>check</i>"
    assert desk.routing.text().startswith("Routing: routed to WH-LDS")
    assert desk.release_button.isEnabled()
    desk.release_button.click()
    assert desk.confirm_box.isVisible() and number in desk.question.text()
    assert admin.order(number)["status"] == "on_hold"  # nothing until confirmed
    with bench.qtbot.waitSignal(desk.acted, timeout=15000) as acted:
        desk.confirm_button.click()
    assert acted.args[1]["status"] == "queued"
    assert admin.order(number)["status"] == "queued" and admin.order(number)["hold_reason"] is None
    bench.qtbot.waitUntil(lambda: "queued" in desk.header.text(), timeout=15000)
    assert not desk.release_button.isEnabled()


def test_cancel_needs_a_reason_and_then_the_hub_has_it_cancelled(bench: Bench) -> None:
    admin = Admin(bench)
    number = admin.new_order("DESK-3")["number"]
    desk = open_desk(bench)
    scan(bench, desk, number)
    desk.cancel_button.click()
    desk.confirm_button.click()  # no reason yet
    assert "Say why" in desk.message.text() and admin.order(number)["status"] == "queued"
    bench.qtbot.keyClicks(desk.reason, "customer asked <by phone>", delay=30)
    with bench.qtbot.waitSignal(desk.acted, timeout=15000):
        desk.confirm_button.click()
    stored = admin.order(number)
    assert stored["status"] == "cancelled" and stored["cancel_reason"] == "customer asked <by phone>"
    bench.qtbot.waitUntil(lambda: desk.hold.text() == "Cancelled: customer asked <by phone>", timeout=15000)
    desk.cancel_button.click()
    bench.qtbot.keyClicks(desk.reason, "again", delay=30)
    with bench.qtbot.waitSignal(desk.refused, timeout=15000) as refused:
        desk.confirm_button.click()
    assert refused.args[0].startswith("The hub refused: ") and desk.message.text() == refused.args[0]


def test_re_route_sends_the_order_and_its_reservation_to_the_chosen_location(bench: Bench) -> None:
    admin = Admin(bench)
    order = admin.new_order("DESK-4")
    number, sku = order["number"], order["lines"][0]["sku"]
    assert order["location"] == "WH-LDS"
    before = {loc: admin.reserved(loc, sku) for loc in ("WH-LDS", "WH-BRS")}
    desk = open_desk(bench)
    scan(bench, desk, number)
    desk.reroute_button.click()
    bench.qtbot.waitUntil(lambda: desk.location.count() > 0, timeout=15000)
    assert desk.location.findText("WH-LDS") == -1  # not where it is already
    desk.location.setCurrentText("WH-BRS")
    with bench.qtbot.waitSignal(desk.acted, timeout=15000):
        desk.confirm_button.click()
    assert admin.order(number)["location"] == "WH-BRS"
    assert admin.reserved("WH-LDS", sku) == before["WH-LDS"] - 1
    assert admin.reserved("WH-BRS", sku) == before["WH-BRS"] + 1
    bench.qtbot.waitUntil(lambda: "WH-BRS" in desk.header.text(), timeout=15000)
    texts = [desk.timeline.item(i).text() for i in range(desk.timeline.count())]
    assert any("re-routed to WH-BRS by a supervisor" in t for t in texts)


def test_a_packer_does_not_get_the_desk_and_the_hub_refuses_a_packer_anyway(bench: Bench) -> None:
    bench.sign_in("PK-1001", "1111")
    bench.qtbot.keyClick(bench.window, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier)
    assert bench.window.current() == "pack"
    assert "cannot open orders" in bench.window.status.operator.text()
    desk = bench.window.desk
    with bench.qtbot.waitSignal(desk.refused, timeout=15000) as refused:
        desk.handle_scan("PB0000001")  # even driven directly, the desk asks the hub as nobody
    assert "supervisor" in refused.args[0]
    packer = bench.engine.client.sign_in("PK-1001", "1111")["token"]
    with pytest.raises(HubRefused) as refusal:
        bench.engine.client.find_orders(packer, "PB0000001")
    assert refusal.value.status == 403 and "may not do this" in str(refusal.value)


class OfflineDesk(OrderDesk):
    """The desk with the hub unreachable: every call fails as the client reports it."""

    def __init__(self) -> None:
        pass

    def find(self, q: str) -> list[dict[str, Any]]:
        raise HubOffline("hub unreachable: ConnectError: connection refused")


def test_a_hub_that_does_not_answer_is_said_plainly_and_nothing_is_shown_as_found(qtbot: QtBot) -> None:
    desk = OrderDeskScreen(OfflineDesk(), TaskRunner(synchronous=True))
    qtbot.addWidget(desk)
    with qtbot.waitSignal(desk.refused, timeout=1000) as refused:
        desk.handle_scan("PB0000001")
    assert refused.args[0].startswith("The hub did not answer") and "try again" in desk.message.text()
    assert desk.model.rowCount() == 0 and not desk.cancel_button.isEnabled()


class SplitDesk(OrderDesk):
    """A hub that answers split fulfilments for the order (as GET /orders/{number} does once it splits)."""

    def __init__(self) -> None:
        pass

    def find(self, q: str) -> list[dict[str, Any]]:
        return [{"number": "PB0000009", "status": "partly_shipped", "location": "WH-LDS", "ship_to": {"name": "Ada"}}]

    def timeline(self, number: str) -> dict[str, Any]:
        order = {
            "number": number,
            "status": "partly_shipped",
            "location": "WH-LDS",
            "channel": "web",
            "channel_order_id": "W-9",
            "ship_to": {"name": "Ada"},
            "routing_reason": "split: no location has every unit",
            "fulfilments": [
                {
                    "number": "F1",
                    "location": "WH-LDS",
                    "status": "shipped",
                    "lines": [{"sku": "A", "quantity": 1}],
                    "tracking": [{"tracking_number": "1Z1", "carrier": "ups"}],
                },
                {
                    "number": "F2",
                    "location": "WH-BRS",
                    "status": "queued",
                    "lines": [{"sku": "B", "quantity": 2}],
                    "tracking": [],
                },
            ],
        }
        return {"order": order, "entries": [], "parcels": [], "returns": []}


def test_split_fulfilments_are_shown_one_line_each_with_their_location_lines_and_tracking(qtbot: QtBot) -> None:
    desk = OrderDeskScreen(SplitDesk(), TaskRunner(synchronous=True))
    qtbot.addWidget(desk)
    desk.handle_scan("W-9")
    assert desk.shipments.text().splitlines() == [
        "F1 from WH-LDS: shipped — A x1 — tracking 1Z1",
        "F2 from WH-BRS: queued — B x2",
    ]
