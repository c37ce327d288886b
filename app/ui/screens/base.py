"""What the pack and returns screens share: engine steps off the GUI thread, the banner, key-in.

A step runs on the engine's worker thread and reads the screen's view model there too (``read_view``);
both come back to the GUI thread together, by the runner's signal, and the screen draws the view
(``apply_view``). The GUI thread never reads the engine's sessions or the store.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLineEdit, QWidget

from app.bench.engine import BenchEngine
from app.bench.feedback import Feedback
from app.domain import limits
from app.ui.widgets.feedback import FeedbackBanner
from app.ui.workers import TaskRunner


class ScanScreen(QWidget):
    """A screen driven by scans. Subclasses say what a code does (``submit_code``) and how to ``refresh``."""

    feedback_shown = Signal(object)

    def __init__(
        self, engine: BenchEngine, runner: TaskRunner, banner: FeedbackBanner, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.engine = engine
        self.runner = runner
        self.banner = banner
        self.history: list[Feedback] = []
        self.key_in = QLineEdit()
        self.key_in.setMaxLength(limits.FREE_TEXT)  # typed details and reasons: what the hub stores
        self.key_in.setPlaceholderText(self.tr("key in a code and press Enter (or just scan)"))
        self.key_in.setFocusPolicy(Qt.FocusPolicy.ClickFocus)  # scanner keys must not land here by default
        self.key_in.returnPressed.connect(self._keyed_in)

    def submit_code(self, code: str) -> Feedback:
        """Run on the engine's worker thread: what a scanned or keyed-in code does here."""
        raise NotImplementedError

    def read_view(self) -> Any:
        """Run on the engine's worker thread: the screen's view model (a frozen value)."""
        raise NotImplementedError

    def apply_view(self, view: Any) -> None:
        """On the GUI thread: draw ``view``."""
        raise NotImplementedError

    def refresh(self) -> None:
        """Read the view on the worker thread and draw it when it comes."""
        self.runner.run(self.read_view, self.apply_view, self._failed)

    def step(self, fn: Callable[[], Feedback]) -> None:
        """Run an engine step on the worker thread (inputs stay in order) and show its answer."""
        self.runner.run(lambda: (fn(), self.read_view()), self._answered, self._failed)

    def _answered(self, result: tuple[Feedback, Any]) -> None:
        fb, view = result
        self.apply_view(view)
        self.show_feedback(fb)

    def handle_scan(self, code: str) -> None:
        self.step(lambda: self.submit_code(code))

    def handle_typed(self, text: str) -> None:
        """Keys typed slowly (not a scanner) collect in the key-in field; Enter submits them."""
        for char in text:
            if char == "\r":
                self._keyed_in()
            else:
                self.key_in.setText(self.key_in.text() + char)

    def _keyed_in(self) -> None:
        code = self.key_in.text().strip()
        self.key_in.clear()
        if code:
            self.handle_scan(code)

    def _failed(self, exc: Exception) -> None:
        self.banner.show_text(self.tr("Could not do that: %1").replace("%1", str(exc)), "wrong")
        self.banner.sounds.play("wrong")

    def on_feedback(self, fb: Feedback) -> None:
        """Hook for a screen to react to an answer before it refreshes."""

    def show_feedback(self, fb: Feedback) -> None:
        self.history.append(fb)
        self.banner.show_feedback(fb)
        self.on_feedback(fb)
        self.feedback_shown.emit(fb)
