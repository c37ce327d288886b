"""What a scale said: a state and, when there is one, a weight in integer grams."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation, localcontext

#: grams per unit, exact where the unit is defined exactly (avoirdupois pound = 453.59237 g).
GRAMS_PER_UNIT: dict[str, Decimal] = {
    "mg": Decimal("0.001"),
    "g": Decimal(1),
    "kg": Decimal(1000),
    "t": Decimal(1000000),
    "oz": Decimal("28.349523125"),
    "lb": Decimal("453.59237"),
}


class ScaleState(enum.StrEnum):
    """Everything a packer needs to tell apart. Only ``STABLE`` and ``ZERO`` carry a usable weight."""

    STABLE = "stable"
    ZERO = "zero"
    MOTION = "in motion"
    OVERLOAD = "overload"
    UNDERLOAD = "underload"
    DISCONNECTED = "disconnected"
    ERROR = "error"


@dataclass(frozen=True, slots=True)
class WeightReading:
    """One reading. ``grams`` is set for STABLE and ZERO (0), and, for display only, for MOTION.

    ``message`` explains a non-weight state in words a packer can act on.
    """

    state: ScaleState
    grams: int | None = None
    message: str = ""

    @property
    def is_stable(self) -> bool:
        """True when ``grams`` is a weight that may be used to pack and ship."""
        return self.state in (ScaleState.STABLE, ScaleState.ZERO)

    def describe(self) -> str:
        """``"1234 g stable"``, ``"0 g zero"``, ``"in motion (1200 g)"``, ``"overload"`` …"""
        if self.state in (ScaleState.STABLE, ScaleState.ZERO):
            return f"{self.grams} g {self.state.value}"
        if self.state is ScaleState.MOTION and self.grams is not None:
            return f"in motion ({self.grams} g)"
        if self.message:
            return f"{self.state.value}: {self.message}"
        return self.state.value


def error(message: str) -> WeightReading:
    return WeightReading(ScaleState.ERROR, None, message)


def to_grams(value: str, unit: str) -> int:
    """Convert a decimal text such as ``"-1.250"`` in ``unit`` (g, kg, lb, oz …) to integer grams.

    Rounds half away from zero to the gram. Raises ValueError for an unknown unit or a bad number.
    """
    factor = GRAMS_PER_UNIT.get(unit.strip().lower())
    if factor is None:
        raise ValueError(f"unknown weight unit {unit!r}")
    text = value.strip()
    if not text or any(c not in "+-.0123456789" for c in text) or text.count(".") > 1:
        raise ValueError(f"not a weight: {value!r}")
    with localcontext() as ctx:
        ctx.prec = 34
        try:
            grams = Decimal(text) * factor
        except InvalidOperation as exc:
            raise ValueError(f"not a weight: {value!r}") from exc
        return int(grams.quantize(Decimal(1), rounding="ROUND_HALF_UP"))


#: no bench scale weighs a parcel above this: a larger number is a garbled frame, never a weight
MAX_PARCEL_G = 1_000_000  # 1,000 kg


def reading(grams: int, *, stable: bool, capacity_g: int | None = None) -> WeightReading:
    """A weight reading: ZERO when stable at 0 g, STABLE, or MOTION — the one rule every protocol uses.

    A weight above the scale's ``capacity_g`` or above 1,000 kg is OVERLOAD (a garbled or overloaded
    scale, never a parcel weight); a negative stable weight is UNDERLOAD (the packer zeroes the scale).
    """
    limit = MAX_PARCEL_G if capacity_g is None else min(capacity_g, MAX_PARCEL_G)
    if abs(grams) > limit:
        return WeightReading(
            ScaleState.OVERLOAD,
            None,
            f"the scale sent {grams:,} g, above its {limit // 1000:,} kg capacity: clear the platter, check the scale",
        )
    if not stable:
        return WeightReading(ScaleState.MOTION, grams)
    if grams == 0:
        return WeightReading(ScaleState.ZERO, 0)
    if grams < 0:
        return WeightReading(
            ScaleState.UNDERLOAD, None, f"below zero ({grams} g): clear the platter and zero the scale"
        )
    return WeightReading(ScaleState.STABLE, grams)


def within_capacity(r: WeightReading, capacity_g: int | None) -> WeightReading:
    """``r`` checked against one scale's capacity (protocols check the universal 1,000 kg limit)."""
    if capacity_g is None or r.grams is None or r.state is ScaleState.ZERO:
        return r
    return reading(r.grams, stable=r.state is ScaleState.STABLE, capacity_g=capacity_g)
