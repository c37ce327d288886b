"""What the bench tells the packer after each input: a kind the UI maps to colour and sound, and words.

A ``Feedback`` also carries the events the step produced; the engine writes them to the outbox in
the same transaction as the session's new state. Workflows never write anything themselves.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field

from app.domain.barcodes import CodeKind, ScannedCode, classify
from app.domain.errors import InvalidBarcode
from app.domain.events import BenchEvent


class FeedbackKind(enum.StrEnum):
    # accepted (green / "ding")
    ORDER_STARTED = "order_started"
    RIGHT = "right"
    PARCEL_CLOSED = "parcel_closed"
    CARTON_CHOSEN = "carton_chosen"
    WEIGHT_OK = "weight_ok"
    OVERRIDDEN = "overridden"
    PACKED = "packed"
    LABEL_PRINTED = "label_printed"
    LABEL_PENDING = "label_pending"
    DONE = "done"
    RETURN_STARTED = "return_started"
    GRADED = "graded"
    DISPOSED = "disposed"
    RECEIVED = "received"
    # picking, accepted
    BATCH_STARTED = "batch_started"
    TOTE_ASSIGNED = "tote_assigned"
    BIN_CONFIRMED = "bin_confirmed"
    UNIT_PICKED = "unit_picked"
    STOP_DONE = "stop_done"
    BATCH_DONE = "batch_done"
    SKIPPED = "skipped"
    SORTED = "sorted"  # batch-mode sorting at the pack bench: this unit goes to that order
    # refused (red / "buzz"): nothing changed
    WRONG_ITEM = "wrong_item"
    OVER_SCAN = "over_scan"
    UNKNOWN_CODE = "unknown_code"
    CANCELLED = "cancelled"
    ON_HOLD = "on_hold"
    LOST = "lost"  # this bench's lease no longer holds the order (another bench took it…)
    NOT_FOUND = "not_found"
    WEIGHT_MISMATCH = "weight_mismatch"
    NOT_ALLOWED = "not_allowed"
    # picking, refused: nothing changed
    WRONG_BIN = "wrong_bin"
    WRONG_TOTE = "wrong_tote"
    OVER_PICK = "over_pick"
    # an exception was recorded and the order stopped (amber / "alert")
    EXCEPTION = "exception"
    PICK_SHORT = "pick_short"  # a short pick was recorded (the picker is sent to another bin, or the order held)
    # neutral: waiting for something (grey / silent)
    WAITING = "waiting"
    IGNORED = "ignored"


class Tone(enum.StrEnum):
    GOOD = "good"
    BAD = "bad"
    ALERT = "alert"
    QUIET = "quiet"


_TONES: dict[FeedbackKind, Tone] = {
    FeedbackKind.WRONG_ITEM: Tone.BAD,
    FeedbackKind.OVER_SCAN: Tone.BAD,
    FeedbackKind.UNKNOWN_CODE: Tone.BAD,
    FeedbackKind.CANCELLED: Tone.BAD,
    FeedbackKind.ON_HOLD: Tone.BAD,
    FeedbackKind.LOST: Tone.BAD,
    FeedbackKind.NOT_FOUND: Tone.BAD,
    FeedbackKind.WEIGHT_MISMATCH: Tone.BAD,
    FeedbackKind.NOT_ALLOWED: Tone.BAD,
    FeedbackKind.WRONG_BIN: Tone.BAD,
    FeedbackKind.WRONG_TOTE: Tone.BAD,
    FeedbackKind.OVER_PICK: Tone.BAD,
    FeedbackKind.PICK_SHORT: Tone.ALERT,
    FeedbackKind.SKIPPED: Tone.QUIET,
    FeedbackKind.EXCEPTION: Tone.ALERT,
    FeedbackKind.LABEL_PENDING: Tone.ALERT,
    FeedbackKind.WAITING: Tone.QUIET,
    FeedbackKind.IGNORED: Tone.QUIET,
}


@dataclass(frozen=True)
class Feedback:
    """The answer to one input. ``accepted`` is False when the input was refused and changed nothing."""

    kind: FeedbackKind
    message: str
    accepted: bool = True
    sku: str | None = None
    events: tuple[BenchEvent, ...] = field(default=())

    @property
    def tone(self) -> Tone:
        """How the UI should sound and colour this: good, bad, alert or quiet."""
        return _TONES.get(self.kind, Tone.GOOD)


def refused(
    kind: FeedbackKind, message: str, *, sku: str | None = None, events: tuple[BenchEvent, ...] = ()
) -> Feedback:
    return Feedback(kind, message, accepted=False, sku=sku, events=events)


def read_code(raw: str, command: Callable[[str], Feedback]) -> ScannedCode | Feedback:
    """What a scan is; a command card's answer (``command(word)``), or the refusal when it cannot be read."""
    try:
        code = classify(raw)
    except InvalidBarcode as exc:
        return refused(FeedbackKind.UNKNOWN_CODE, f"Cannot read that code ({exc}). Scan it again.")
    return command(code.value) if code.kind == CodeKind.COMMAND else code
