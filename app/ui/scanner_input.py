"""Keyboard-wedge scanner input for the whole app.

Installed as an application event filter, it feeds every key to the devices layer's wedge decoder
with its time. When no text field has focus (the pack and returns screens), keys are taken:
a burst ending in the suffix is a scan (``scanned``), slower keys are typing (``typed``) that the
screen may show in its key-in field. When a text field has focus, keys reach it as usual and a
scanner burst is still reported as a scan (a badge scanned into the badge field, say): its characters
are taken back out of the field before the scan is reported, so whoever handles the scan may fill
that same field. A field may claim a burst as typing (``keeps_burst``): a PIN typed fast is a PIN.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

from app.devices.scanners.wedge import KeyboardWedgeDecoder, TypedText, WedgeConfig, WedgeScan

TEXT_WIDGETS = (QLineEdit, QTextEdit, QPlainTextEdit, QAbstractSpinBox, QComboBox)


class ScannerInput(QObject):
    scanned = Signal(str)
    typed = Signal(str)

    def __init__(self, config: WedgeConfig | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.decoder = KeyboardWedgeDecoder(config)
        self.enabled = True
        # (focused widget, burst text) -> True when that field takes the burst as typed text, not a scan.
        self.keeps_burst: Callable[[QWidget, str], bool] = lambda _w, _t: False
        self._timer = QTimer(self)
        self._timer.setInterval(40)
        self._timer.timeout.connect(self._flush)
        self._timer.start()

    def feed(self, char: str, t: float, *, typing_goes_elsewhere: bool = False) -> bool:
        """Hand one key to the decoder; True when the key completed a scan.

        ``typing_goes_elsewhere``: a text field already received the keys, so typing is not re-emitted.
        """
        scans = self._decode(char, t, typing_goes_elsewhere)
        for scan in scans:
            self.scanned.emit(scan.text)
        return bool(scans)

    def _decode(self, char: str, t: float, typing_goes_elsewhere: bool) -> list[WedgeScan]:
        """Feed the decoder; emit typing now, hand back the scans for the caller to report."""
        scans = []
        for ev in self.decoder.feed(char, t):
            if isinstance(ev, WedgeScan):
                scans.append(ev)
            elif not typing_goes_elsewhere:
                self._emit(ev)
        return scans

    def _emit(self, ev: WedgeScan | TypedText) -> None:
        if isinstance(ev, WedgeScan):
            self.scanned.emit(ev.text)
        elif ev.text:
            self.typed.emit(ev.text)  # may hold "\r": the screen submits what was keyed in

    def _flush(self) -> None:
        focus = QApplication.focusWidget()
        for ev in self.decoder.flush(time.monotonic()):
            if isinstance(ev, WedgeScan) or not isinstance(focus, TEXT_WIDGETS):
                self._emit(ev)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if not self.enabled or event.type() != QEvent.Type.KeyPress:
            return False
        key_event = event
        assert isinstance(key_event, QKeyEvent)
        mods = key_event.modifiers() & ~Qt.KeyboardModifier.ShiftModifier & ~Qt.KeyboardModifier.KeypadModifier
        if mods != Qt.KeyboardModifier.NoModifier:
            return False  # shortcuts (Ctrl/Alt) are never scanner input
        key = key_event.key()
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            char = "\r"
        else:
            char = key_event.text()
            if len(char) != 1 or not char.isprintable():
                return False  # arrows, F-keys, Escape … belong to the screen
        if not isinstance(watched, QWidget):
            return False  # the window handle, before the widget: the widget's turn comes next
        focus = watched
        in_text = isinstance(focus, TEXT_WIDGETS)
        scans = self._decode(char, time.monotonic(), in_text)
        if not scans:
            return not in_text
        if in_text and all(self.keeps_burst(focus, scan.text) for scan in scans):
            return False  # the field's own typing (a fast PIN): its Enter goes to the field
        if in_text and isinstance(focus, QLineEdit):
            # The scan's characters went into the field: take them back (and keep its Enter) before the
            # scan is reported, so it is handled once, as a scan, and whoever handles it may fill this field.
            typed = self.decoder.config.prefix + scans[-1].text
            text = focus.text()
            if text.endswith(typed):
                focus.setText(text[: len(text) - len(typed)])
        for scan in scans:
            self.scanned.emit(scan.text)
        return True
