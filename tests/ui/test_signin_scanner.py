"""Sign-in with a keyboard-wedge scanner: the badge scanned at 8 ms per key into whatever has focus, the PIN
typed at any speed. Keys travel the real path: posted key events, the app's wedge decoder, the screen."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.devices.sim.wedge_sim import WedgeScannerSimulator
from app.ui.demo_panel import type_like_a_scanner
from tests.ui.conftest import Bench

SCANNER = WedgeScannerSimulator(key_interval_s=0.008, jitter_s=0.002, seed=1)


def _focus(bench: Bench, widget: object) -> None:
    bench.window.activateWindow()
    widget.setFocus()  # type: ignore[attr-defined]
    bench.qtbot.waitUntil(lambda: QApplication.focusWidget() is widget, timeout=5000)


def _scan_badge(bench: Bench, code: str) -> None:
    type_like_a_scanner(code, bench.window, SCANNER)
    s = bench.window.signin
    bench.qtbot.waitUntil(lambda: s.badge.text() == code and s.pin.hasFocus(), timeout=5000)


def _type_pin(bench: Bench, pin: str, delay_ms: int) -> None:
    s = bench.window.signin
    with bench.qtbot.waitSignal(s.signed_in, timeout=15000):
        bench.qtbot.keyClicks(s.pin, pin, delay=delay_ms)
        bench.qtbot.keyClick(s.pin, Qt.Key.Key_Return, delay=delay_ms)


def test_a_badge_scanned_into_the_badge_field_fills_it_and_a_fast_pin_signs_in(bench: Bench) -> None:
    s = bench.window.signin
    assert bench.window.current() == "signin"
    _focus(bench, s.badge)
    _scan_badge(bench, "PK-1001")
    assert s.pin.text() == ""  # none of the badge's keys leaked into the PIN
    _type_pin(bench, "1111", delay_ms=8)  # a PIN keyed as fast as a scanner is still the PIN
    assert bench.window.current() == "pack"
    assert "Pat Packer" in bench.window.status.operator.text()


def test_a_badge_scanned_while_the_pin_field_has_focus_goes_to_the_badge(bench: Bench) -> None:
    s = bench.window.signin
    _focus(bench, s.pin)
    _scan_badge(bench, "SV-1001")
    assert s.pin.text() == ""
    _type_pin(bench, "3333", delay_ms=150)  # typed by hand, slowly
    assert "Sam Supervisor" in bench.window.status.operator.text()


def test_a_badge_scanned_with_a_button_focused_fills_the_badge(bench: Bench) -> None:
    s = bench.window.signin
    _focus(bench, s.button)
    _scan_badge(bench, "RC-1001")
    _type_pin(bench, "2222", delay_ms=40)
    assert bench.window.current() == "returns"


def test_a_fast_pin_never_overwrites_the_badge_and_a_wrong_one_is_refused_keeping_the_badge(bench: Bench) -> None:
    s = bench.window.signin
    _focus(bench, s.badge)
    _scan_badge(bench, "PK-1001")
    bench.qtbot.keyClicks(s.pin, "0000", delay=5)
    bench.qtbot.keyClick(s.pin, Qt.Key.Key_Return, delay=5)
    bench.qtbot.waitUntil(lambda: s.message.isVisible(), timeout=15000)
    assert s.badge.text() == "PK-1001"
    assert "not recognised" in s.message.text()
    assert bench.window.operator is None
