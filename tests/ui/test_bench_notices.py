"""What the bench tells the operator about things it did on its own or on a key: F10, idle sign-out."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.ui.conftest import Bench


def test_f10_says_how_many_orders_came_from_the_hub(bench: Bench) -> None:
    bench.sign_in("PK-1001", "1111")
    screen = bench.window.pack
    before = len(bench.engine.orders_to_pack())
    bench.qtbot.keyClick(bench.window, Qt.Key.Key_F10)
    bench.qtbot.waitUntil(lambda: "from the hub" in screen.banner.text(), timeout=15000)
    got = len(bench.engine.orders_to_pack()) - before
    assert got > 0 and f"{got} new order(s) from the hub" in screen.banner.text()
    assert screen.queue.rowCount() == before + got


def test_f10_with_nothing_left_to_lease_says_the_queue_is_empty(bench: Bench) -> None:
    bench.sign_in("PK-1001", "1111")
    while bench.engine.lease(100):
        pass
    screen = bench.window.pack
    bench.qtbot.keyClick(bench.window, Qt.Key.Key_F10)
    bench.qtbot.waitUntil(lambda: "No new orders" in screen.banner.text(), timeout=15000)


def test_an_idle_sign_out_says_why_on_the_sign_in_screen(bench: Bench) -> None:
    bench.sign_in("PK-1001", "1111")
    bench.window.last_input -= bench.window.settings.idle_sign_out_minutes * 60 + 1
    bench.window._check_idle()
    s = bench.window.signin
    assert bench.window.current() == "signin" and s.message.isVisible()
    minutes = bench.window.settings.idle_sign_out_minutes
    assert f"Pat Packer was signed out after {minutes} minutes without input" in s.message.text()
    bench.qtbot.keyClick(bench.window, Qt.Key.Key_F12)  # a plain sign-out shows no stale reason
    assert not s.message.isVisible()
