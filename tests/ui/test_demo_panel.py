"""The demo on its own: seeded shipped orders with open RMAs, offered by the demo panel on the returns screen
(by RMA, return tracking and order number) and received through the scanner path; carton codes offered
when a carton must be scanned; the sign-in screen offers the badges; the order desk offers orders to find."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QListWidgetItem
from pytestqt.qtbot import QtBot

from app.bench.feedback import FeedbackKind as K
from app.bench.packing import PackState
from app.bench.picking import PickState
from app.ui.demo import DemoBench, demo_bench
from app.ui.sounds import SoundBoard


@pytest.fixture
def demo(qtbot: QtBot, tmp_path: Path) -> Iterator[DemoBench]:
    with demo_bench(tmp_path, orders=60, sounds=SoundBoard(enabled=False)) as d:
        qtbot.addWidget(d.window)
        d.window.resize(1366, 768)
        d.window.show()
        yield d


def _sign_in(qtbot: QtBot, demo: DemoBench, badge: str, pin: str) -> None:
    s = demo.window.signin
    s.badge.setText(badge)
    s.pin.setText(pin)
    with qtbot.waitSignal(s.signed_in, timeout=15000):
        s.submit()


def _double_click(demo: DemoBench, code: str, qtbot: QtBot) -> None:
    """Double-click ``code`` in the panel, once it offers it (what it offers is read off the GUI thread)."""
    panel = demo.panel

    def items() -> list[QListWidgetItem]:
        panel.refresh()
        found = [panel.codes.item(i) for i in range(panel.codes.count())]
        return [i for i in found if i.data(Qt.ItemDataRole.UserRole) == code]

    qtbot.waitUntil(lambda: bool(items()), timeout=15000)
    item = items()[0]
    panel.codes.itemDoubleClicked.emit(item)  # what a double-click does: type it at a scanner's speed


def test_the_sign_in_screen_offers_every_demo_badge(demo: DemoBench) -> None:
    codes = [code for code, _what in demo.panel.suggestions()]
    assert codes == ["PK-1001", "RC-1001", "SV-1001", "AD-1001"]


def test_the_demo_seeds_shipped_orders_with_open_returns_found_by_all_three_numbers(
    qtbot: QtBot, demo: DemoBench
) -> None:
    assert len(demo.hub.returns) >= 3
    _sign_in(qtbot, demo, "RC-1001", "2222")
    assert demo.window.current() == "returns"
    offered = dict(demo.panel.suggestions())
    for r in demo.hub.returns:
        assert {r.rma_number, r.return_tracking_number, r.order_number} <= set(offered)
    for r in demo.hub.returns:  # the hub finds each return by any of its three numbers
        for code in (r.rma_number, r.return_tracking_number, r.order_number):
            assert [x["number"] for x in demo.engine.client.lookup_returns(code)] == [r.rma_number]
    screen = demo.window.returns
    r = demo.hub.returns[0]
    _double_click(demo, r.return_tracking_number, qtbot)  # scanned the return label, through the wedge path
    qtbot.waitUntil(lambda: bool(screen.history), timeout=15000)
    assert screen.history[-1].kind == K.RETURN_STARTED, screen.history[-1].message
    assert demo.engine.returns.rma is not None and demo.engine.returns.rma.number == r.rma_number
    product = demo.engine.store.product(r.sku)
    assert product is not None
    assert product.barcodes[0] in [code for code, _w in demo.panel.suggestions()]  # the returned item
    n = len(screen.history)
    _double_click(demo, product.barcodes[0], qtbot)
    qtbot.waitUntil(lambda: len(screen.history) > n, timeout=15000)
    assert [code for code, _w in demo.panel.suggestions()] == ["CMD:NEW", "CMD:OPENED", "CMD:DAMAGED", "CMD:DEFECTIVE"]


def test_the_panel_offers_the_carton_codes_when_a_carton_must_be_scanned(qtbot: QtBot, demo: DemoBench) -> None:
    _sign_in(qtbot, demo, "PK-1001", "1111")
    pack = demo.window.pack
    order = demo.engine.orders_to_pack()[0]
    n = len(pack.history)
    _double_click(demo, order.number, qtbot)
    qtbot.waitUntil(lambda: len(pack.history) > n, timeout=15000)
    sku = next(iter(order.lines))
    product = demo.engine.store.product(sku)
    assert product is not None
    n = len(pack.history)
    _double_click(demo, product.barcodes[0], qtbot)
    qtbot.waitUntil(lambda: len(pack.history) > n, timeout=15000)
    if demo.engine.pack.state == PackState.SCANNING:
        n = len(pack.history)
        _double_click(demo, "CMD:CLOSE_PARCEL", qtbot)
        qtbot.waitUntil(lambda: len(pack.history) > n, timeout=15000)
    assert demo.engine.pack.state == PackState.WEIGHING
    offered = [code for code, _w in demo.panel.suggestions()]
    assert {c.code for c in demo.engine.store.cartons()} <= set(offered)
    n = len(pack.history)
    _double_click(demo, "BOX-XL", qtbot)
    qtbot.waitUntil(lambda: any(fb.kind == K.CARTON_CHOSEN for fb in pack.history[n:]), timeout=15000)
    parcel = demo.engine.pack.current
    assert parcel is not None and parcel.carton_code == "BOX-XL"


def test_on_the_order_desk_the_panel_offers_orders_and_a_scanned_return_label_opens_its_order(
    qtbot: QtBot, demo: DemoBench
) -> None:
    _sign_in(qtbot, demo, "SV-1001", "3333")
    demo.window.show_screen("orders")
    r = demo.hub.returns[0]
    assert {r.order_number, r.return_tracking_number} <= {code for code, _w in demo.panel.suggestions()}
    desk = demo.window.desk
    with qtbot.waitSignal(desk.opened, timeout=15000) as opened:
        _double_click(demo, r.return_tracking_number, qtbot)
    assert opened.args[0]["order"]["number"] == r.order_number
    assert [x["number"] for x in opened.args[0]["returns"]] == [r.rma_number]


def _scan_first_offered(qtbot: QtBot, demo: DemoBench, screen: object) -> None:
    panel = demo.panel
    panel.refresh()
    history = screen.history  # type: ignore[attr-defined]
    before = len(history)
    # What a double-click types, handed on as the decoded scan (timers typing at 8 ms/key are late on a busy
    # machine; the scanner path itself is tested in tests/ui/test_signin_scanner.py and the pick screen test).
    demo.window.route_scan(str(panel.codes.item(0).data(Qt.ItemDataRole.UserRole)))
    qtbot.waitUntil(lambda: len(history) > before, timeout=15000)


def test_a_newcomer_picks_a_batch_from_the_demo_panel_and_packs_a_tote(qtbot: QtBot, demo: DemoBench) -> None:
    w = demo.window
    _sign_in(qtbot, demo, "PK-1001", "1111")
    qtbot.keyClick(w, Qt.Key.Key_P, Qt.KeyboardModifier.ControlModifier)
    assert w.current() == "pick"
    pick = w.pick
    qtbot.mouseClick(pick.buttons["get"], Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: bool(pick.history), timeout=15000)
    assert pick.history[-1].kind == K.BATCH_STARTED, pick.history[-1].message
    session = demo.engine.picking.session
    for _ in range(200):
        if session.state == PickState.DONE:
            break
        _scan_first_offered(qtbot, demo, pick)
        assert pick.history[-1].accepted or pick.history[-1].kind == K.WAITING, pick.history[-1].message
    assert session.state == PickState.DONE and pick.history[-1].kind == K.BATCH_DONE
    qtbot.keyClick(w, Qt.Key.Key_F1)
    offered = [code for code, what in demo.panel.suggestions() if what.startswith("picked tote")]
    assert offered == sorted(session.totes.values())
    _scan_first_offered(qtbot, demo, w.pack)
    assert w.pack.history[-1].kind == K.ORDER_STARTED, w.pack.history[-1].message
    order = demo.engine.pack.order
    assert order is not None and not w.pack.lines_view.isColumnHidden(4)
    picked = [w.pack.lines.index(r, 4).data() for r in range(w.pack.lines.rowCount())]
    assert picked == [str(q) for q in order.lines.values()]  # what the picker shows: every unit picked
