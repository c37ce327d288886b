"""The pack workflow's plain types: its states, the command cards, the weight tolerance, a parcel in progress."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any


class PackState(enum.StrEnum):
    IDLE = "idle"
    SCANNING = "scanning"
    WEIGHING = "weighing"
    WEIGHT_MISMATCH = "weight_mismatch"
    LABEL = "label"
    SLIP = "slip"
    DONE = "done"
    HELD = "held"


class PackCommand(enum.StrEnum):
    """Command cards a packer can scan (``CMD:CLOSE_PARCEL`` …) or press as a button."""

    CLOSE_PARCEL = "CLOSE_PARCEL"
    SHORT_PICK = "SHORT_PICK"
    DAMAGED = "DAMAGED"
    SLIP_DONE = "SLIP_DONE"
    CANCEL = "CANCEL"


# At or below this gross weight (grams) the scale counts as empty: the last parcel came off it.
EMPTY_SCALE_G = 10

# States in which an order is in the packer's hands.
BUSY = (PackState.SCANNING, PackState.WEIGHING, PackState.WEIGHT_MISMATCH, PackState.LABEL, PackState.SLIP)
# A new order scan is refused in these until the order ends (in SLIP the next order scan ends it).
IN_HAND = (PackState.SCANNING, PackState.WEIGHING, PackState.WEIGHT_MISMATCH, PackState.LABEL)


@dataclass(frozen=True)
class WeightTolerance:
    """How far a parcel's weight may be from the expected weight: the larger of ``pct`` % and ``min_g`` grams."""

    pct: float = 5.0
    min_g: int = 20

    def allowed_g(self, expected_g: int) -> int:
        return max(self.min_g, round(expected_g * self.pct / 100))


@dataclass
class ParcelInProgress:
    parcel_no: int
    items: dict[str, int]
    carton_code: str | None = None
    weight_g: int | None = None
    expected_weight_g: int = 0
    override_by: str | None = None
    label: str = "none"  # none | printed | pending
    tracking_number: str | None = None
    carrier: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)
