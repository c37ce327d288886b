"""Sign-in: scan a badge (or type it), enter the PIN. Refusals say why and keep the badge.

A badge may be scanned whatever has focus (the badge field, the PIN field, a button): the scan fills
the badge field and the cursor goes to the PIN. A PIN typed fast into the PIN field arrives as a burst
ending in Enter, like a scan; a burst there that could be a PIN (4 to 12 digits, the hub's PIN rule)
is the PIN, whatever the typing speed. So a badge that is 4 to 12 digits long must be scanned with the
cursor anywhere but the PIN field.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QPushButton, QVBoxLayout, QWidget

from app.domain import limits
from app.ui.workers import TaskRunner


def could_be_pin(text: str) -> bool:
    """True for what the hub accepts as a PIN: 4 to 12 digits."""
    return 4 <= len(text) <= 12 and text.isdigit()


class SignInScreen(QWidget):
    """``sign_in(badge, pin)`` runs off the GUI thread and returns the operator (or raises with a reason)."""

    signed_in = Signal(object)

    def __init__(self, sign_in: Callable[[str, str], Any], runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._sign_in = sign_in
        self._runner = runner
        title = QLabel(self.tr("Sign in"))
        title.setObjectName("title")
        hint = QLabel(self.tr("Scan your badge, then type your PIN and press Enter."))
        hint.setObjectName("hint")
        self.badge = QLineEdit()
        self.badge.setMaxLength(limits.BADGE)
        self.badge.setPlaceholderText(self.tr("badge"))
        self.pin = QLineEdit()
        self.pin.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin.setPlaceholderText(self.tr("PIN"))
        self.button = QPushButton(self.tr("Sign &in"))
        self.message = QLabel("")
        self.message.setObjectName("feedback")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)  # a long refusal wraps, never loses its first and last letters
        self.message.hide()
        form = QFormLayout()
        form.addRow(self.tr("Badge"), self.badge)
        form.addRow(self.tr("PIN"), self.pin)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addWidget(title, alignment=Qt.AlignmentFlag.AlignHCenter)
        layout.addWidget(hint, alignment=Qt.AlignmentFlag.AlignHCenter)
        layout.addLayout(form)
        layout.addWidget(self.button)
        layout.addWidget(self.message)
        layout.addStretch(2)
        self.badge.returnPressed.connect(self.pin.setFocus)
        self.pin.returnPressed.connect(self.submit)
        self.button.clicked.connect(self.submit)
        self.busy = False

    def reset(self) -> None:
        self.badge.clear()
        self.pin.clear()
        self.message.hide()
        self.badge.setFocus()

    def keeps_burst(self, widget: QWidget, text: str) -> bool:
        """A fast burst typed into the PIN field that could be a PIN is the PIN, not a badge scan."""
        return widget is self.pin and could_be_pin(text)

    def accept_badge_scan(self, code: str) -> None:
        """A badge scanned while this screen shows fills the badge field and moves to the PIN."""
        self.badge.setText(code)
        self.pin.setFocus()

    def submit(self) -> None:
        badge, pin = self.badge.text().strip(), self.pin.text()
        if self.busy:
            return
        if not badge or not pin:
            self._refuse(self.tr("Scan your badge and type your PIN."))
            return
        self.busy = True
        self.button.setEnabled(False)
        self._runner.run(lambda: self._sign_in(badge, pin), self._done, self._failed)

    def _done(self, operator: Any) -> None:
        self.busy = False
        self.button.setEnabled(True)
        self.pin.clear()
        self.message.hide()
        self.signed_in.emit(operator)

    def _failed(self, exc: Exception) -> None:
        self.busy = False
        self.button.setEnabled(True)
        self._refuse(str(exc) or self.tr("Sign-in refused"))

    def notice(self, text: str) -> None:
        """Something the next operator should know (why the last one was signed out), not a refusal."""
        self.message.setText(text)
        self.message.setStyleSheet("background: #263238; color: #fff;")
        self.message.show()

    def _refuse(self, text: str) -> None:
        self.pin.clear()
        self.message.setText(text)
        self.message.setStyleSheet("background: #c62828; color: #fff;")
        self.message.show()
        self.pin.setFocus()
