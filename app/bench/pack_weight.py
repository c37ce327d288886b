"""The weighing steps of the pack workflow: a stable weight in tolerance closes a parcel, one out of
tolerance blocks the label until the packer fixes it or a supervisor overrides; the carton can be changed.

``WeighingSteps`` is mixed into ``PackSession`` (``app.bench.packing``), whose state it reads and moves.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from app.bench.feedback import Feedback, FeedbackKind, refused
from app.bench.model import PackCatalog
from app.bench.pack_types import EMPTY_SCALE_G, PackState, ParcelInProgress, WeightTolerance
from app.devices.weights import WeightReading
from app.domain import limits
from app.domain.catalog import Carton
from app.domain.events import BenchEvent, ExceptionKind

K = FeedbackKind


class WeighingSteps:
    """Weight, override and carton steps (the session's state lives in ``PackSession``)."""

    if TYPE_CHECKING:
        catalog: PackCatalog
        tolerance: WeightTolerance
        is_supervisor: Callable[[str], bool]
        state: PackState
        mismatch_reported: bool
        scale_cleared: bool

        @property
        def current(self) -> ParcelInProgress | None: ...
        def _stopped(self) -> Feedback | None: ...
        def _carton(self, code: str | None) -> Carton | None: ...
        def _exception(
            self, kind: ExceptionKind, *, sku: str | None = None, quantity: int = 0, detail: str = ""
        ) -> BenchEvent: ...
        def _parcel_weighed(self, message: str, kind: FeedbackKind) -> Feedback: ...

    def expected_weight_g(self, parcel: ParcelInProgress) -> int:
        """Items plus the carton's tare, in grams."""
        total = 0
        for sku, q in parcel.items.items():
            p = self.catalog.product(sku)
            total += (p.weight_g if p else 0) * q
        carton = self._carton(parcel.carton_code)
        return total + (carton.tare_g if carton else 0)

    def weight(self, reading: WeightReading) -> Feedback:
        """A scale reading. Only a stable reading counts; it is ignored unless a parcel is being weighed.

        Stream every reading: a (near) zero one tells the session the last parcel came off the scale,
        and until one has, no weight counts ("take the last parcel off the scale").
        """
        if reading.grams is not None and reading.grams <= EMPTY_SCALE_G:
            self.scale_cleared = True
        if self.state not in (PackState.WEIGHING, PackState.WEIGHT_MISMATCH):
            return Feedback(K.IGNORED, "No parcel to weigh.", accepted=False)
        if (blocked := self._stopped()) is not None:
            return blocked
        parcel = self.current
        assert parcel is not None
        if parcel.carton_code is None:
            return refused(
                K.NOT_ALLOWED, "None of our cartons fits: scan the carton you used, or close a smaller parcel."
            )
        if not reading.is_stable or reading.grams is None:
            return Feedback(K.WAITING, f"Waiting for a steady weight ({reading.describe()}).", accepted=False)
        if reading.grams <= EMPTY_SCALE_G:
            return Feedback(K.WAITING, "Put the parcel on the scale.", accepted=False)
        if reading.grams > limits.MAX_WEIGHT_G:  # a garbled or overloaded frame, not a parcel
            return Feedback(
                K.WAITING, f"{reading.grams} g is not a parcel weight: check the scale and weigh again.", accepted=False
            )
        if not self.scale_cleared:
            return Feedback(
                K.WAITING,
                f"Take the last parcel off the scale ({reading.grams} g still on it), "
                f"then put parcel {parcel.parcel_no} on.",
                accepted=False,
            )
        expected = self.expected_weight_g(parcel)
        allowed = self.tolerance.allowed_g(expected)
        diff = reading.grams - expected
        if abs(diff) > allowed:
            events: tuple[BenchEvent, ...] = ()
            if not self.mismatch_reported:
                events = (
                    self._exception(
                        ExceptionKind.WEIGHT_MISMATCH,
                        detail=f"parcel {parcel.parcel_no}: {reading.grams} g, expected {expected} g ± {allowed} g",
                    ),
                )
            self.state = PackState.WEIGHT_MISMATCH
            self.mismatch_reported = True
            parcel.weight_g = reading.grams  # what the scale said; kept if a supervisor overrides
            more_less = "heavier" if diff > 0 else "lighter"
            return Feedback(
                K.WEIGHT_MISMATCH,
                f"Parcel weighs {reading.grams} g, {abs(diff)} g {more_less} than expected "
                f"({expected} g ± {allowed} g). "
                "Check the contents and weigh again, or ask a supervisor to scan their badge.",
                accepted=False,
                events=events,
            )
        parcel.weight_g = reading.grams
        parcel.expected_weight_g = expected
        return self._parcel_weighed(f"{reading.grams} g, expected {expected} g: OK.", K.WEIGHT_OK)

    def override_weight(self, badge: str) -> Feedback:
        """A supervisor accepts the parcel's weight as it is (``badge`` must be a supervisor's)."""
        if self.state != PackState.WEIGHT_MISMATCH:
            return refused(K.NOT_ALLOWED, "There is no weight mismatch to override.")
        if not self.is_supervisor(badge):
            return refused(K.NOT_ALLOWED, f"Badge {badge} may not override a weight: ask a supervisor.")
        parcel = self.current
        assert parcel is not None
        parcel.expected_weight_g = self.expected_weight_g(parcel)
        parcel.override_by = badge
        return self._parcel_weighed(f"Weight accepted by supervisor {badge}.", K.OVERRIDDEN)

    def choose_carton(self, code: str) -> Feedback:
        """Use carton ``code`` for the parcel being weighed instead of the suggested one."""
        if self.state not in (PackState.WEIGHING, PackState.WEIGHT_MISMATCH):
            return refused(K.NOT_ALLOWED, "Close the parcel before choosing its carton.")
        carton = self._carton(code)
        if carton is None:
            return refused(K.UNKNOWN_CODE, f"{code} is not one of our cartons.")
        parcel = self.current
        assert parcel is not None
        parcel.carton_code = carton.code
        self.state = PackState.WEIGHING
        return Feedback(K.CARTON_CHOSEN, f"Carton {carton.code}: expected {self.expected_weight_g(parcel)} g.")
