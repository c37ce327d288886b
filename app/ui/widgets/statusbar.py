"""The strip that is always visible: hub and outbox, live weight, printer, operator."""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from app.devices.weights import ScaleState, WeightReading


class BenchStatusBar(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("statusbar")
        row = QHBoxLayout(self)
        row.setContentsMargins(4, 2, 4, 2)
        self.hub = QLabel(self.tr("Hub: connecting…"))
        self.outbox = QLabel(self.tr("Outbox: 0"))
        # Events the hub rejected: hidden while there are none; a supervisor clicks it to review them.
        self.dead_letters = QPushButton()
        self.dead_letters.setFlat(True)
        self.dead_letters.setStyleSheet("background: #c62828; color: #fff; font-weight: 700; padding: 0 6px;")
        self.dead_letters.hide()
        self.scale = QLabel(self.tr("Scale: —"))
        self.printer = QLabel(self.tr("Printer: —"))
        self.slip = QLabel("")
        self.slip.hide()
        self.label_problem = QLabel("")
        self.label_problem.setWordWrap(True)
        self.label_problem.hide()
        self.operator = QLabel(self.tr("Not signed in"))
        for w in (self.hub, self.outbox, self.dead_letters, self.scale, self.printer, self.slip, self.label_problem):
            row.addWidget(w)
        row.addStretch(1)
        row.addWidget(self.operator)

    def set_sync(self, online: bool | None, outbox_depth: int, *, dead_letters: int = 0, refused: str = "") -> None:
        """``online`` None: not known yet (no sync round finished). ``refused``: the hub refuses this bench
        (its reason); ``dead_letters``: events the hub rejected, waiting for a supervisor."""
        if refused:
            self.hub.setText(self.tr("Hub refused this bench: re-enrol"))
            self.hub.setToolTip(refused)
        elif online is None:
            self.hub.setText(self.tr("Hub: connecting…"))
        else:
            self.hub.setText(self.tr("Hub: online") if online else self.tr("Hub: OFFLINE"))
        if not refused:
            self.hub.setToolTip("")
        bad = online is False or bool(refused)
        self.hub.setStyleSheet("background: #c62828; color: #fff; font-weight: 700;" if bad else "")
        self.outbox.setText(self.tr("Outbox: %n event(s)", "", outbox_depth))
        self.dead_letters.setText(self.tr("Rejected: %n event(s)", "", dead_letters))
        self.dead_letters.setToolTip(self.tr("Events the hub refused. A supervisor reviews them here."))
        self.dead_letters.setVisible(dead_letters > 0)

    def set_weight(self, reading: WeightReading) -> None:
        marker = {
            ScaleState.STABLE: "●",
            ScaleState.ZERO: "●",
            ScaleState.MOTION: "~",
        }.get(reading.state, "!")
        self.scale.setText(self.tr("Scale: %1 %2").replace("%1", marker).replace("%2", reading.describe()))
        bad = reading.state in (ScaleState.DISCONNECTED, ScaleState.ERROR, ScaleState.OVERLOAD, ScaleState.UNDERLOAD)
        self.scale.setStyleSheet("background: #c62828; color: #fff;" if bad else "")

    def set_printer(self, state: str, ok: bool) -> None:
        self.printer.setText(self.tr("Printer: %1").replace("%1", state))
        self.printer.setStyleSheet("" if ok else "background: #c62828; color: #fff; font-weight: 700;")

    def set_slip_printer(self, problem: str) -> None:
        """Why packing slips wait (paper out, cover open, no answer); hidden while none waits."""
        self.slip.setVisible(bool(problem))
        self.slip.setText(self.tr("Slip printer: %1").replace("%1", problem))
        self.slip.setStyleSheet("background: #c62828; color: #fff; font-weight: 700;" if problem else "")

    def set_label_refused(self, problem: str) -> None:
        """Why the last label could not be made for this printer (media too small, no Unicode font …)."""
        self.label_problem.setVisible(bool(problem))
        self.label_problem.setText(self.tr("Label: %1").replace("%1", problem))
        self.label_problem.setToolTip(problem)
        self.label_problem.setStyleSheet("background: #c62828; color: #fff; font-weight: 700;" if problem else "")

    def set_operator(self, text: str) -> None:
        self.operator.setText(text or self.tr("Not signed in"))
