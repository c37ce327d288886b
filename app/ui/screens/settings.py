"""Settings: hub address and enrolment, devices with test buttons, label format, weight tolerance."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.bench.settings import LABEL_SIZES, PACK_VERIFICATIONS, PRINTER_DPIS, SCALE_PROTOCOLS, BenchSettings
from app.ui.workers import TaskRunner


class SettingsScreen(QWidget):
    """Edits a copy of the settings; ``save`` stores them through the callback (which may refuse)."""

    saved = Signal(object)

    def __init__(
        self,
        settings: BenchSettings,
        runner: TaskRunner,
        *,
        save: Callable[[BenchSettings], None],
        enrol: Callable[[str, str], str],
        test_scale: Callable[[BenchSettings], str],
        test_printer: Callable[[BenchSettings], str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self._save, self._enrol = save, enrol
        self._test_scale, self._test_printer = test_scale, test_printer
        title = QLabel(self.tr("Bench settings"))
        title.setObjectName("title")
        self.hub_url = QLineEdit()
        self.enrol_code = QLineEdit()
        self.enrol_code.setPlaceholderText(self.tr("one-time code from the admin"))
        self.enrol_button = QPushButton(self.tr("&Enrol this bench"))
        self.scale_port = QLineEdit()
        self.scale_protocol = QComboBox()
        self.scale_protocol.addItems(list(SCALE_PROTOCOLS))
        self.scale_baud = QComboBox()
        self.scale_baud.addItems(["2400", "4800", "9600", "19200", "38400"])
        self.test_scale_button = QPushButton(self.tr("&Read the scale"))
        self.label_printer = QLineEdit()
        self.label_printer.setPlaceholderText("tcp://192.0.2.10:9100  |  queue:ZEBRA  |  file:/tmp/labels")
        self.slip_printer = QLineEdit()
        self.printer_dpi = QComboBox()
        self.printer_dpi.addItems([str(d) for d in PRINTER_DPIS])
        self.label_size = QComboBox()
        self.label_size.addItems(list(LABEL_SIZES))
        self.test_printer_button = QPushButton(self.tr("&Print a test label"))
        self.tolerance_pct = QDoubleSpinBox()
        self.tolerance_pct.setRange(0, 50)
        self.tolerance_pct.setSuffix(" %")
        self.tolerance_min = QSpinBox()
        self.tolerance_min.setRange(0, 5000)
        self.tolerance_min.setSuffix(" g")
        self.idle = QSpinBox()
        self.idle.setRange(1, 480)
        self.idle.setSuffix(" min")
        self.ui_scale = QDoubleSpinBox()
        self.ui_scale.setRange(0.75, 2.5)
        self.ui_scale.setSingleStep(0.25)
        self.sounds = QCheckBox(self.tr("Play sounds"))
        self.pack_verification = QComboBox()  # a picked tote: re-scan every unit, or one of each line
        self.pack_verification.addItems(list(PACK_VERIFICATIONS))
        self.save_button = QPushButton(self.tr("&Save settings"))
        self.message = QLabel("")
        self.message.setWordWrap(True)

        form = QFormLayout()
        form.addRow(self.tr("Hub address"), self.hub_url)
        enrol_row = QHBoxLayout()
        enrol_row.addWidget(self.enrol_code)
        enrol_row.addWidget(self.enrol_button)
        form.addRow(self.tr("Enrolment"), enrol_row)
        form.addRow(self.tr("Scale port"), self.scale_port)
        form.addRow(self.tr("Scale protocol"), self.scale_protocol)
        form.addRow(self.tr("Scale baud"), self.scale_baud)
        form.addRow("", self.test_scale_button)
        form.addRow(self.tr("Label printer"), self.label_printer)
        form.addRow(self.tr("Packing-slip printer"), self.slip_printer)
        form.addRow(self.tr("Printer dpi"), self.printer_dpi)
        form.addRow(self.tr("Label size"), self.label_size)
        form.addRow("", self.test_printer_button)
        form.addRow(self.tr("Weight tolerance"), self.tolerance_pct)
        form.addRow(self.tr("…but at least"), self.tolerance_min)
        form.addRow(self.tr("Sign out when idle"), self.idle)
        form.addRow(self.tr("Text size"), self.ui_scale)
        form.addRow("", self.sounds)
        form.addRow(self.tr("Picked totes: scan"), self.pack_verification)
        # The form scrolls: at large text sizes it is taller than a 768-pixel bench screen.
        body = QWidget()
        body.setLayout(form)
        scroll = QScrollArea()
        scroll.setWidget(body)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.save_button)
        layout.addWidget(self.message)
        self.enrol_button.clicked.connect(self.enrol)
        self.test_scale_button.clicked.connect(lambda: self._test(self._test_scale))
        self.test_printer_button.clicked.connect(lambda: self._test(self._test_printer))
        self.save_button.clicked.connect(self.save)
        self.load(settings)

    def load(self, s: BenchSettings) -> None:
        self._original = s
        self.hub_url.setText(s.hub_url)
        self.scale_port.setText(s.scale_port)
        self.scale_protocol.setCurrentText(s.scale_protocol)
        self.scale_baud.setCurrentText(str(s.scale_baud))
        self.label_printer.setText(s.label_printer)
        self.slip_printer.setText(s.slip_printer)
        self.printer_dpi.setCurrentText(str(s.printer_dpi))
        self.label_size.setCurrentText(s.label_size)
        self.tolerance_pct.setValue(s.weight_tolerance_pct)
        self.tolerance_min.setValue(s.weight_tolerance_min_g)
        self.idle.setValue(s.idle_sign_out_minutes)
        self.ui_scale.setValue(s.ui_scale)
        self.sounds.setChecked(s.sounds)
        self.pack_verification.setCurrentText(s.pack_verification)

    def current(self) -> BenchSettings:
        return replace(
            self._original,
            hub_url=self.hub_url.text().strip(),
            scale_port=self.scale_port.text().strip(),
            scale_protocol=self.scale_protocol.currentText(),
            scale_baud=int(self.scale_baud.currentText()),
            label_printer=self.label_printer.text().strip(),
            slip_printer=self.slip_printer.text().strip(),
            printer_dpi=int(self.printer_dpi.currentText()),
            label_size=self.label_size.currentText(),
            weight_tolerance_pct=self.tolerance_pct.value(),
            weight_tolerance_min_g=self.tolerance_min.value(),
            idle_sign_out_minutes=self.idle.value(),
            ui_scale=self.ui_scale.value(),
            sounds=self.sounds.isChecked(),
            pack_verification=self.pack_verification.currentText(),
        )

    def _say(self, text: str, ok: bool) -> None:
        self.message.setText(text)
        self.message.setStyleSheet("color: #1b7f3b;" if ok else "color: #c62828; font-weight: 700;")

    def save(self) -> None:
        s = self.current()
        problems = s.problems()
        if problems:
            self._say("; ".join(problems), False)
            return
        try:
            self._save(s)
        except (OSError, ValueError) as exc:
            self._say(self.tr("Not saved: %1").replace("%1", str(exc)), False)
            return
        self._original = s
        self._say(self.tr("Saved."), True)
        self.saved.emit(s)

    def enrol(self) -> None:
        url, code = self.hub_url.text().strip(), self.enrol_code.text().strip()
        if not code:
            self._say(self.tr("Type the enrolment code the admin gave you."), False)
            return
        self._say(self.tr("Enrolling…"), True)
        self._runner.run(lambda: self._enrol(url, code), self._enrolled, lambda e: self._say(str(e), False))

    def _enrolled(self, what: Any) -> None:
        self.enrol_code.clear()
        self._say(self.tr("Enrolled: %1").replace("%1", str(what)), True)

    def _test(self, fn: Callable[[BenchSettings], str]) -> None:
        s = self.current()
        self._say(self.tr("Testing…"), True)
        self._runner.run(lambda: fn(s), lambda r: self._say(str(r), True), lambda e: self._say(str(e), False))
