"""How big a value the warehouse's records hold: text lengths, integer ranges, weights.

One table for the bench and the hub. The hub's tables take their column lengths from these names
(``app/hub/models.py``), the hub checks every event field against the column it lands in before it
applies the event, and the bench caps what people type with the same numbers, so a bench never writes
an event the hub would refuse.
"""

from __future__ import annotations

import math

# Text, in characters.
SKU = 64
BADGE = 64
ORDER_NUMBER = 20
RMA_NUMBER = 20
LOCATION_CODE = 32
CARTON_CODE = 32
BIN = 40
CARRIER = 40
TRACKING_NUMBER = 64
EVENT_ID = 36  # a canonical UUID: 8-4-4-4-12 hex digits
# Free text (an exception's detail, a reason): stored as unbounded text, capped so one event stays small.
FREE_TEXT = 1000

# Integer column ranges.
INT32 = (-(2**31), 2**31 - 1)
INT64 = (-(2**63), 2**63 - 1)

# Domain bounds. A parcel weighs more than nothing and at most 1,000 kg; above that a scale frame is
# garbage (an overload, a misread), not a weight.
MAX_WEIGHT_G = 1_000_000
MAX_QUANTITY = 100_000  # units of one SKU in one event line
MAX_PARCELS = 999
MAX_PACK_SECONDS = 7 * 24 * 3600.0


def clip(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters (an ellipsis marks the cut), without NUL characters."""
    text = text.replace("\x00", "")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def text_problem(value: object, limit: int, *, allow_empty: bool = True) -> str | None:
    """Why ``value`` is not a storable text of at most ``limit`` characters, or None when it is."""
    if not isinstance(value, str):
        return f"must be text, not {type(value).__name__}"
    if "\x00" in value:
        return "must not contain NUL characters"
    if len(value) > limit:
        return f"is {len(value)} characters long; at most {limit} are stored"
    if not allow_empty and not value.strip():
        return "must not be blank"
    return None


def int_problem(value: object, low: int, high: int) -> str | None:
    """Why ``value`` is not an integer within [low, high], or None when it is (a bool is not an integer)."""
    if isinstance(value, bool) or not isinstance(value, int):
        return f"must be an integer, not {type(value).__name__}"
    if not low <= value <= high:
        return f"must be between {low} and {high}, not {value}"
    return None


def number_problem(value: object, low: float, high: float) -> str | None:
    """Why ``value`` is not a finite number within [low, high] (NaN and infinities are not numbers here)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return f"must be a number, not {type(value).__name__}"
    if isinstance(value, float) and not math.isfinite(value):
        return f"must be a finite number, not {value}"
    if not low <= value <= high:
        return f"must be between {low} and {high}, not {value}"
    return None


def weight_problem(grams: object) -> str | None:
    """Why ``grams`` is not a parcel weight (0 < g ≤ 1,000,000), or None when it is."""
    return int_problem(grams, 1, MAX_WEIGHT_G)
