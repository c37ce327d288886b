"""The big banner that answers every scan: a colour and a sound per kind, readable from a step away."""

from __future__ import annotations

from PySide6.QtCore import Qt
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
    K.WAITING: ("info", ""),
    K.IGNORED: ("info", ""),
}
BY_TONE = {Tone.GOOD: ("right", "right"), Tone.BAD: ("wrong", "wrong"), Tone.ALERT: ("waiting", "attention")}


def style_for(fb: Feedback) -> tuple[str, str]:
    return STYLE.get(fb.kind) or BY_TONE.get(fb.tone, ("info", ""))


class FeedbackBanner(QLabel):
    def __init__(self, sounds: SoundBoard, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("feedback")
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setWordWrap(True)
        self.setMinimumHeight(110)
        self.sounds = sounds
        self.colour = "info"
        self.show_text(self.tr("Scan an order, tote or packing slip to start"), "info")

    def show_text(self, text: str, colour: str) -> None:
        bg, fg = FEEDBACK[colour]
        self.colour = colour
        self.setText(text)
        # Short answers in the biggest type; long instructions smaller so they are never cut off.
        base = QApplication.font().pointSizeF() or 15.0
        factor = 2.2 if len(text) <= 60 else 1.5 if len(text) <= 120 else 1.15
        self.setStyleSheet(f"background: {bg}; color: {fg}; font-size: {base * factor:.0f}pt;")

    def show_feedback(self, fb: Feedback) -> None:
        colour, sound = style_for(fb)
        self.show_text(fb.message, colour)
        if sound:
            self.sounds.play(sound)
