"""The big banner that answers every scan: a colour and a sound per kind, readable from a step away."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QApplication, QLabel, QWidget

from app.bench.feedback import Feedback, FeedbackKind, Tone
from app.ui.sounds import SoundBoard
from app.ui.theme import FEEDBACK

K = FeedbackKind

# (colour key in theme.FEEDBACK, sound name): wrong, over-scan and unknown each look and sound different.
STYLE: dict[FeedbackKind, tuple[str, str]] = {
    K.RIGHT: ("right", "right"),
    K.ORDER_STARTED: ("info", "right"),
    K.RETURN_STARTED: ("info", "right"),
    K.PACKED: ("complete", "complete"),
    K.LABEL_PRINTED: ("complete", "complete"),
    K.DONE: ("complete", "complete"),
    K.RECEIVED: ("complete", "complete"),
    K.WRONG_ITEM: ("wrong", "wrong"),
    K.OVER_SCAN: ("over_scan", "over_scan"),
    K.UNKNOWN_CODE: ("unknown", "unknown"),
    K.LABEL_PENDING: ("waiting", "attention"),
    K.EXCEPTION: ("waiting", "attention"),
    K.BATCH_STARTED: ("info", "right"),
    K.TOTE_ASSIGNED: ("info", "right"),
    K.BIN_CONFIRMED: ("right", "right"),
    K.UNIT_PICKED: ("right", "right"),
    K.SORTED: ("right", "right"),
    K.STOP_DONE: ("complete", "complete"),
    K.BATCH_DONE: ("complete", "complete"),
    K.WRONG_BIN: ("wrong_bin", "wrong_bin"),
    K.WRONG_TOTE: ("wrong_tote", "wrong_tote"),
    K.OVER_PICK: ("over_pick", "over_pick"),
    K.PICK_SHORT: ("short", "short"),
    K.SKIPPED: ("info", ""),
    K.WAITING: ("info", ""),
    K.IGNORED: ("info", ""),
}
BY_TONE = {Tone.GOOD: ("right", "right"), Tone.BAD: ("wrong", "wrong"), Tone.ALERT: ("waiting", "attention")}


def style_for(fb: Feedback) -> tuple[str, str]:
    return STYLE.get(fb.kind) or BY_TONE.get(fb.tone, ("info", ""))


class FeedbackBanner(QLabel):
    HEIGHT_PX = 124
    FACTORS = (2.2, 1.5, 1.15, 0.95)  # of the base type size, largest first

    def __init__(self, sounds: SoundBoard, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("feedback")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setWordWrap(True)
        # A fixed height: the screen below never jumps when an answer takes one line more or less.
        self.setFixedHeight(self.HEIGHT_PX)
        self.sounds = sounds
        self.colour = "info"
        self.show_text(self.tr("Scan an order, tote or packing slip to start"), "info")

    def show_text(self, text: str, colour: str) -> None:
        self.colour = colour
        self.setText(text)
        self._fit()

    def _fit(self) -> None:
        """The biggest type (of ``FACTORS``) in which the text fits the banner; short answers are huge."""
        bg, fg = FEEDBACK[self.colour]
        base = QApplication.font().pointSizeF() or 15.0
        for factor in self.FACTORS:
            self.setStyleSheet(f"background: {bg}; color: {fg}; font-size: {base * factor:.0f}pt;")
            if self.width() <= 1 or self.heightForWidth(self.width()) <= self.height():
                break

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def show_feedback(self, fb: Feedback) -> None:
        colour, sound = style_for(fb)
        self.show_text(fb.message, colour)
        if sound:
            self.sounds.play(sound)
