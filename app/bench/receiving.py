"""The returns workflow as a state machine: look up, scan, grade, dispose, receive.

No Qt, no database, no network. The engine looks the code up at the hub and hands the answer to
``begin``; from then on the clerk's scans and choices drive the session, and ``finish`` returns
one ``ReturnReceived`` event for the hub, which restocks only the units disposed as restock.

    idle ──begin(RMAs)──▶ scanning (one open RMA) or choosing (several: scan the RMA number)
    scanning ──item on the RMA──▶ grading ──condition──▶ disposing ──disposition (+bin)──▶ scanning
    scanning ──finish (at least one unit)──▶ done
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any

from app.bench.feedback import Feedback, FeedbackKind, read_code, refused
from app.bench.model import RmaInfo, RmaLineInfo
from app.domain import limits
from app.domain.barcodes import CodeKind, product_code_key
from app.domain.events import ReturnReceived
from app.domain.returns import ALLOWED_DISPOSITIONS, Condition, Disposition, ReceivedUnit, default_disposition

K = FeedbackKind


class ReturnState(enum.StrEnum):
    IDLE = "idle"
    CHOOSING = "choosing"
    SCANNING = "scanning"
    GRADING = "grading"
    DISPOSING = "disposing"
    DONE = "done"


@dataclass
class GradedUnit:
    sku: str
    condition: Condition
    disposition: Disposition
    bin: str


class ReturnSession:
    """One clerk receiving one return at ``location_code``. ``restock_bin`` is where restocked units go by default."""

    def __init__(self, location_code: str, *, operator_badge: str = "", restock_bin: str = "RETURNS") -> None:
        self.location_code = location_code
        self.operator_badge = operator_badge
        self.restock_bin = restock_bin
        self.state = ReturnState.IDLE
        self.candidates: list[RmaInfo] = []
        self.rma: RmaInfo | None = None
        self.units: list[GradedUnit] = []
        self.pending_sku: str | None = None
        self.pending_condition: Condition | None = None

    # ------------------------------------------------------------------ views
    def received(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for u in self.units:
            out[u.sku] = out.get(u.sku, 0) + 1
        if self.pending_sku:
            out[self.pending_sku] = out.get(self.pending_sku, 0) + 1
        return out

    def outstanding(self) -> dict[str, int]:
        """Units per SKU the RMA still expects, counting the ones scanned in this session."""
        if self.rma is None:
            return {}
        got = self.received()
        out: dict[str, int] = {}
        for ln in self.rma.lines:
            out[ln.sku] = out.get(ln.sku, 0) + ln.outstanding
        return {s: q - got.get(s, 0) for s, q in out.items() if q - got.get(s, 0) > 0}

    def suggested_disposition(self) -> Disposition | None:
        return default_disposition(self.pending_condition) if self.pending_condition else None

    # ------------------------------------------------------------------ inputs
    def begin(self, found: list[RmaInfo]) -> Feedback:
        """Start with what the hub's lookup found (by RMA number, tracking number or order number)."""
        if self.state not in (ReturnState.IDLE, ReturnState.DONE):
            return refused(K.NOT_ALLOWED, "Finish the return in hand first.")
        open_ones = [r for r in found if r.open]
        if not found:
            return refused(K.NOT_FOUND, "No return found for that code. Check the label or ask for the RMA number.")
        if not open_ones:
            return refused(K.NOT_ALLOWED, f"Return {found[0].number} has been received already.")
        self._reset()
        if len(open_ones) > 1:
            self.candidates = open_ones
            self.state = ReturnState.CHOOSING
            numbers = ", ".join(r.number for r in open_ones)
            return Feedback(K.WAITING, f"Several returns are open for this order ({numbers}): scan the RMA number.")
        return self._open(open_ones[0])

    def scan(self, raw: str) -> Feedback:
        code = read_code(raw, self.command)
        if isinstance(code, Feedback):
            return code
        if self.state == ReturnState.CHOOSING:
            chosen = next((r for r in self.candidates if r.number == code.value), None)
            if chosen is None:
                return refused(K.NOT_FOUND, f"{code.value} is not one of the open returns shown.")
            return self._open(chosen)
        if self.state != ReturnState.SCANNING:
            if self.state in (ReturnState.GRADING, ReturnState.DISPOSING):
                return refused(K.NOT_ALLOWED, "Grade and place the item in hand first.")
            return refused(K.NOT_ALLOWED, "Scan the return label, RMA or order number first.")
        if code.kind in (CodeKind.ORDER, CodeKind.RMA, CodeKind.TOTE):
            return refused(K.NOT_ALLOWED, "Finish this return first (CMD:DONE), then scan the next one.")
        return self._item(product_code_key(code.value))

    def command(self, name: str) -> Feedback:
        word = name.upper()
        if word == "DONE":
            return self.finish()[0]
        for cond in Condition:
            if word == cond.name:
                return self.grade(cond)
        for disp in Disposition:
            if word == disp.name:
                return self.dispose(disp)
        return refused(K.UNKNOWN_CODE, f"Unknown command card {name!r}.")

    def grade(self, condition: Condition) -> Feedback:
        if self.state != ReturnState.GRADING:
            return refused(K.NOT_ALLOWED, "Scan an item before grading it.")
        self.pending_condition = condition
        self.state = ReturnState.DISPOSING
        allowed = ", ".join(sorted(d.value for d in ALLOWED_DISPOSITIONS[condition]))
        return Feedback(
            K.GRADED,
            f"{condition.value}: suggested {default_disposition(condition).value} (allowed: {allowed}).",
            sku=self.pending_sku,
        )

    def dispose(self, disposition: Disposition, bin_code: str | None = None) -> Feedback:
        """Decide what happens to the graded item. Restock goes to ``bin_code`` or the default bin."""
        if self.state != ReturnState.DISPOSING:
            return refused(K.NOT_ALLOWED, "Grade the item before deciding where it goes.")
        assert self.pending_sku is not None and self.pending_condition is not None
        if disposition not in ALLOWED_DISPOSITIONS[self.pending_condition]:
            return refused(
                K.NOT_ALLOWED,
                f"A {self.pending_condition.value} item cannot go to {disposition.value}: choose another.",
                sku=self.pending_sku,
            )
        where = (bin_code or self.restock_bin) if disposition == Disposition.RESTOCK else (bin_code or "")
        if (problem := limits.text_problem(where, limits.BIN)) is not None:
            return refused(K.NOT_ALLOWED, f"Bin code {problem}: type a shorter one.", sku=self.pending_sku)
        self.units.append(GradedUnit(self.pending_sku, self.pending_condition, disposition, where))
        sku = self.pending_sku
        self.pending_sku = None
        self.pending_condition = None
        self.state = ReturnState.SCANNING
        place = f" to bin {where}" if where else ""
        left = sum(self.outstanding().values())
        return Feedback(K.DISPOSED, f"{sku}: {disposition.value}{place}. {left} more expected.", sku=sku)

    def finish(self) -> tuple[Feedback, ReturnReceived | None]:
        """Close the receipt: one event with every graded unit (grouped), or a refusal."""
        if self.state != ReturnState.SCANNING:
            return refused(K.NOT_ALLOWED, "Grade and place the item in hand first."), None
        if not self.units:
            return refused(K.NOT_ALLOWED, "Nothing received yet: scan the returned items."), None
        assert self.rma is not None
        grouped: dict[tuple[str, Condition, Disposition, str], int] = {}
        for u in self.units:
            key = (u.sku, u.condition, u.disposition, u.bin)
            grouped[key] = grouped.get(key, 0) + 1
        event = ReturnReceived(
            rma_number=self.rma.number,
            location_code=self.location_code,
            units=tuple(ReceivedUnit(s, q, c, d, b) for (s, c, d, b), q in grouped.items()),
            operator_badge=self.operator_badge,
        )
        restocked = sum(q for (_s, _c, d, _b), q in grouped.items() if d == Disposition.RESTOCK)
        self.state = ReturnState.DONE
        return (
            Feedback(
                K.RECEIVED,
                f"Return {self.rma.number} received: {len(self.units)} unit(s), {restocked} back to stock.",
                events=(event,),
            ),
            event,
        )

    # ------------------------------------------------------------------ persistence
    def snapshot(self) -> dict[str, Any]:
        def rma(r: RmaInfo) -> dict[str, Any]:
            return {
                "number": r.number,
                "order_number": r.order_number,
                "status": r.status,
                "return_tracking_number": r.return_tracking_number,
                "lines": [ln.__dict__ | {"barcodes": list(ln.barcodes)} for ln in r.lines],
            }

        return {
            "state": self.state.value,
            "candidates": [rma(r) for r in self.candidates],
            "rma": rma(self.rma) if self.rma else None,
            "units": [[u.sku, u.condition.value, u.disposition.value, u.bin] for u in self.units],
            "pending_sku": self.pending_sku,
            "pending_condition": self.pending_condition.value if self.pending_condition else None,
            "operator_badge": self.operator_badge,
        }

    def restore(self, data: dict[str, Any]) -> None:
        self.state = ReturnState(data["state"])
        self.candidates = [RmaInfo.from_wire(r) for r in data.get("candidates", [])]
        self.rma = RmaInfo.from_wire(data["rma"]) if data.get("rma") else None
        self.units = [GradedUnit(s, Condition(c), Disposition(d), b) for s, c, d, b in data.get("units", [])]
        self.pending_sku = data.get("pending_sku")
        pc = data.get("pending_condition")
        self.pending_condition = Condition(pc) if pc else None
        self.operator_badge = data.get("operator_badge") or self.operator_badge

    # ------------------------------------------------------------------ steps
    def _reset(self) -> None:
        self.candidates = []
        self.rma = None
        self.units = []
        self.pending_sku = None
        self.pending_condition = None

    def _open(self, rma: RmaInfo) -> Feedback:
        self.rma = rma
        self.candidates = []
        self.state = ReturnState.SCANNING
        units = sum(ln.outstanding for ln in rma.lines)
        return Feedback(
            K.RETURN_STARTED, f"Return {rma.number} for order {rma.order_number}: {units} unit(s) expected."
        )

    def _line_for(self, key: str) -> RmaLineInfo | None:
        assert self.rma is not None
        return next((ln for ln in self.rma.lines if key in ln.code_keys()), None)

    def _item(self, key: str) -> Feedback:
        line = self._line_for(key)
        if line is None:
            return refused(K.WRONG_ITEM, f"{key} is not on return {self.rma.number if self.rma else ''}: set it aside.")
        if self.outstanding().get(line.sku, 0) <= 0:
            return refused(K.OVER_SCAN, f"All {line.quantity} x {line.name} are already received.", sku=line.sku)
        self.pending_sku = line.sku
        self.state = ReturnState.GRADING
        return Feedback(K.RIGHT, f"{line.name}: grade it (new, opened, damaged, defective).", sku=line.sku)
