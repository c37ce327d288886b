"""The bench window: sign-in first, then the screens the operator's role opens, status bar always on.

Keys: F1 pack, F2 returns, F3 dashboard, F4 settings, Ctrl+O order desk, Ctrl+P pick, F12 sign out.
An operator who leaves the bench is signed out after the configured idle time; the pack or return
session in hand is kept and resumes at the next sign-in.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication, QMainWindow, QStackedWidget, QVBoxLayout, QWidget

from app.bench.engine import BenchEngine, Operator
from app.bench.order_desk import OrderDesk
from app.bench.settings import BenchSettings
from app.bench.sync import SyncState
from app.devices.weights import WeightReading
from app.ui.scanner_input import ScannerInput
from app.ui.screens.dashboard import DashboardScreen
from app.ui.screens.order_desk import OrderDeskScreen
from app.ui.screens.pack import PackScreen
from app.ui.screens.pick import PickScreen
from app.ui.screens.returns import ReturnsScreen
from app.ui.screens.settings import SettingsScreen
from app.ui.screens.signin import SignInScreen
from app.ui.sounds import SoundBoard
from app.ui.widgets.dead_letters import DeadLetterDialog
from app.ui.widgets.feedback import FeedbackBanner
from app.ui.widgets.statusbar import BenchStatusBar
from app.ui.workers import Poller, ScaleMonitor, TaskRunner

SCREEN_KEYS = {
    "pack": "F1",
    "returns": "F2",
    "dashboard": "F3",
    "settings": "F4",
    "orders": "Ctrl+O",
    "pick": "Ctrl+P",
}


class _SyncRelay(QObject):
    """Carries sync-thread state changes to the GUI thread."""

    changed = Signal(object)


class BenchWindow(QMainWindow):
    def __init__(
        self,
        engine: BenchEngine,
        settings: BenchSettings,
        *,
        save_settings: Callable[[BenchSettings], None],
        test_scale: Callable[[BenchSettings], str],
        test_printer: Callable[[BenchSettings], str],
        scale_read: Callable[[], WeightReading] | None = None,
        printer_probe: Callable[[], tuple[str, bool]] | None = None,
        runner: TaskRunner | None = None,
        engine_runner: TaskRunner | None = None,
        sounds: SoundBoard | None = None,
    ) -> None:
        super().__init__()
        self.engine = engine
        self.settings = settings
        self.setWindowTitle(self.tr("packbench — %1").replace("%1", engine.station_name or self.tr("not enrolled")))
        self.runner = runner or TaskRunner(self)
        # One thread for engine input keeps scans, weights and commands in the order they came.
        self.engine_runner = engine_runner or TaskRunner(self, threads=1)
        self.sounds = sounds or SoundBoard(enabled=settings.sounds)
        self.operator: Operator | None = None
        self.status = BenchStatusBar()
        self.status.dead_letters.clicked.connect(self.open_dead_letters)
        self.dead_letter_dialog: DeadLetterDialog | None = None
        self.stack = QStackedWidget()
        self.signin = SignInScreen(self._sign_in, self.runner)
        self.signin.signed_in.connect(self._signed_in)
        self.pack = PackScreen(engine, self.engine_runner, FeedbackBanner(self.sounds))
        self.returns = ReturnsScreen(engine, self.engine_runner, FeedbackBanner(self.sounds))
        self.pick = PickScreen(engine, self.engine_runner, FeedbackBanner(self.sounds))
        self.dashboard = DashboardScreen(self._fetch_report, self.runner)
        self.desk = OrderDeskScreen(OrderDesk(engine.client, lambda: engine.operator), self.runner)
        self.settings_screen = SettingsScreen(
            settings,
            self.runner,
            save=self._save_settings(save_settings),
            enrol=self._enrol,
            test_scale=test_scale,
            test_printer=test_printer,
        )
        self.screens: dict[str, QWidget] = {
            "signin": self.signin,
            "pack": self.pack,
            "returns": self.returns,
            "pick": self.pick,
            "dashboard": self.dashboard,
            "settings": self.settings_screen,
            "orders": self.desk,
        }
        for w in self.screens.values():
            self.stack.addWidget(w)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(6, 6, 6, 0)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.status)
        self.setCentralWidget(central)
        self.resize(1366, 768)

        for name, key in SCREEN_KEYS.items():
            QShortcut(QKeySequence(key), self, lambda n=name: self.show_screen(n))
        QShortcut(QKeySequence("F12"), self, self.sign_out)

        self.scanner = ScannerInput(parent=self)
        self.scanner.scanned.connect(self.route_scan)
        self.scanner.typed.connect(self.route_typed)
        self.scanner.keeps_burst = self.signin.keeps_burst
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self.scanner)
            app.installEventFilter(self)

        self._relay = _SyncRelay()
        self._relay.changed.connect(self._sync_changed)
        self._unsubscribe = engine.status.subscribe(self._relay.changed.emit)
        self._sync_changed(engine.status.state)
        self._guard_relay = _SyncRelay()  # the hub, back online, revoked or changed the operator signed in
        self._guard_relay.changed.connect(self._operator_changed)
        self._unsubscribe_guard = engine.guard.subscribe(self._guard_relay.changed.emit)

        self.scale: ScaleMonitor | None = None
        if scale_read is not None:
            self.scale = ScaleMonitor(scale_read, parent=self)
            self.scale.reading.connect(self._weight)
            self.scale.start()
        self.printer: Poller | None = None
        if printer_probe is not None:
            self.printer = Poller(printer_probe, parent=self)
            self.printer.result.connect(self._printer_state)
            self.printer.start()
        else:
            self.status.set_printer(self.tr("not set up"), False)

        self.last_input = time.monotonic()
        self.idle_timer = QTimer(self)
        self.idle_timer.setInterval(5000)
        self.idle_timer.timeout.connect(self._check_idle)
        self.idle_timer.start()
        self.show_screen("signin" if engine.enrolled else "settings")

    # ------------------------------------------------------------------ navigation
    def allowed(self, name: str) -> bool:
        if name == "signin":
            return True
        if name == "settings" and not self.engine.enrolled:
            return True  # first-run setup
        return self.operator is not None and name in self.operator.screens

    def show_screen(self, name: str) -> bool:
        if not self.allowed(name):
            self.status.operator.setText(
                self.tr("%1 cannot open %2")
                .replace("%1", self.operator.name if self.operator else "?")
                .replace("%2", name)
            )
            return False
        self.stack.setCurrentWidget(self.screens[name])
        if name == "signin":
            self.signin.reset()
        return True

    def current(self) -> str:
        w = self.stack.currentWidget()
        return next(k for k, v in self.screens.items() if v is w)

    def route_scan(self, code: str) -> None:
        screen = self.current()
        if screen == "pack":
            self.pack.handle_scan(code)
        elif screen == "returns":
            self.returns.handle_scan(code)
        elif screen == "pick":
            self.pick.handle_scan(code)
        elif screen == "signin":
            self.signin.accept_badge_scan(code)
        elif screen == "orders":
            self.desk.handle_scan(code)

    def route_typed(self, text: str) -> None:
        screen = self.current()
        if screen == "pack":
            self.pack.handle_typed(text)
        elif screen == "returns":
            self.returns.handle_typed(text)
        elif screen == "orders":
            self.desk.handle_typed(text)
        elif screen == "pick":
            self.pick.handle_typed(text)

    # ------------------------------------------------------------------ people
    def _sign_in(self, badge: str, pin: str) -> Operator:
        return self.engine.sign_in(badge, pin)

    def _signed_in(self, op: Operator) -> None:
        self.operator = op
        self.status.set_operator(f"{op.name} ({op.role})")
        self.last_input = time.monotonic()
        first = next((s for s in ("pack", "returns", "dashboard") if s in op.screens), "settings")
        self.show_screen(first)

    def sign_out(self, reason: str = "") -> None:
        """Sign the operator out (F12); ``reason`` is shown on the sign-in screen (an idle sign-out says so)."""
        self.engine.sign_out()
        self.operator = None
        self.status.set_operator("")
        self.show_screen("signin")
        if reason:
            self.signin.notice(reason)

    def _operator_changed(self, notice: object) -> None:
        op = self.engine.operator
        if op is None:
            if self.operator is not None:
                self.operator = None
                self.status.set_operator("")
                self.show_screen("signin")
                self.signin.notice(str(notice))
            return
        self.operator = op
        self.status.set_operator(f"{op.name} ({op.role})")
        if not self.allowed(self.current()):
            self.show_screen(next((s for s in ("pack", "returns", "dashboard") if s in op.screens), "signin"))

    def _check_idle(self) -> None:
        minutes = self.settings.idle_sign_out_minutes
        if self.operator is not None and time.monotonic() - self.last_input > minutes * 60:
            name = self.operator.name
            self.sign_out(
                self.tr("%1 was signed out after %2 minutes without input; the order in hand is kept.")
                .replace("%1", name)
                .replace("%2", str(minutes))
            )

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress):
            self.last_input = time.monotonic()
        return False

    # ------------------------------------------------------------------ hub and devices
    def _enrol(self, url: str, code: str) -> str:
        if url and url != self.settings.hub_url:
            raise ValueError(self.tr("Save the new hub address first, then enrol."))
        name = self.engine.enrol(code)
        self.engine.start()
        return name

    def _fetch_report(self) -> dict[str, Any]:
        return self.engine.shift_report()

    def _save_settings(self, save: Callable[[BenchSettings], None]) -> Callable[[BenchSettings], None]:
        def run(s: BenchSettings) -> None:
            save(s)
            self.settings = s
            self.sounds.enabled = s.sounds
            self.engine.pack_verification = s.pack_verification

        return run

    def _sync_changed(self, state: SyncState) -> None:
        self.status.set_sync(state.online, state.outbox_depth, dead_letters=state.dead_letters, refused=state.refused)
        self.status.set_slip_printer(state.slip_printer)
        self.status.set_label_refused(state.label_refused)
        self.pack.on_sync(state)

    def open_dead_letters(self) -> DeadLetterDialog | None:
        """The rejected events, for a supervisor (or admin) signed in here; None for anyone else."""
        if self.operator is None or self.operator.role not in ("supervisor", "admin"):
            self.status.dead_letters.setToolTip(self.tr("A supervisor signs in to review rejected events."))
            return None
        engine = self.engine
        dialog = DeadLetterDialog(
            engine.dead_letters, engine.retry_dead_letter, engine.discard_dead_letter, self.runner, self
        )
        self.dead_letter_dialog = dialog
        dialog.show()
        return dialog

    def _weight(self, reading: WeightReading) -> None:
        self.status.set_weight(reading)
        self.pack.on_weight(reading)

    def _printer_state(self, value: Any) -> None:
        if isinstance(value, Exception):
            self.status.set_printer(str(value), False)
        else:
            text, ok = value
            self.status.set_printer(text, ok)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.shutdown()
        super().closeEvent(event)

    def shutdown(self) -> None:
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self.scanner)
            app.removeEventFilter(self)
        self._unsubscribe()
        self._unsubscribe_guard()
        if self.scale is not None:
            self.scale.stop()
        if self.printer is not None:
            self.printer.stop()
        self.runner.wait(5000)
        self.engine_runner.wait(10000)
