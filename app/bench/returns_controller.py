"""The returns controller: the return session over the store's unit of work (no network, no printer).

Every step is written by ``BenchStore.record`` with the session's new snapshot and its events in one
transaction. The hub look-up that starts a return is the engine's (outside the input lock); its
answer comes in through ``begin``.
"""

from __future__ import annotations

from collections.abc import Callable

from app.bench.feedback import Feedback
from app.bench.model import RmaInfo
from app.bench.receiving import ReturnSession, ReturnState
from app.bench.store import BenchStore
from app.bench.views import ReturnView, UnitView
from app.domain.events import BenchEvent
from app.domain.returns import Condition, Disposition


class ReturnsController:
    """Drives ``session`` and records each step; ``kick`` asks the sync loop to push new events."""

    def __init__(self, store: BenchStore, session: ReturnSession, kick: Callable[[], None]) -> None:
        self.store = store
        self.session = session
        self.kick = kick

    def recover(self) -> None:
        saved = self.store.load_session("returns")
        if saved:
            self.session.restore(saved)

    @property
    def idle(self) -> bool:
        """No return in hand: the next code is looked up at the hub."""
        return self.session.state in (ReturnState.IDLE, ReturnState.DONE)

    def begin(self, found: list[RmaInfo]) -> Feedback:
        return self._step(self.session.begin(found))

    def scan(self, raw: str) -> Feedback:
        return self._step(self.session.scan(raw))

    def grade(self, condition: Condition) -> Feedback:
        return self._step(self.session.grade(condition))

    def dispose(self, disposition: Disposition, bin_code: str | None = None) -> Feedback:
        return self._step(self.session.dispose(disposition, bin_code))

    def finish(self) -> Feedback:
        fb, _event = self.session.finish()
        return self._step(fb)

    def _step(self, fb: Feedback) -> Feedback:
        events: tuple[BenchEvent, ...] = fb.events
        self.store.record("returns", self.session.snapshot(), events)
        if events:
            self.kick()
        return fb

    def view(self) -> ReturnView:
        s = self.session
        return ReturnView(
            state=s.state.value,
            rma=s.rma,
            candidates=tuple(s.candidates),
            received=s.received(),
            outstanding=s.outstanding(),
            units=tuple(UnitView(u.sku, u.condition, u.disposition, u.bin) for u in s.units),
            pending_condition=s.pending_condition,
            suggested=s.suggested_disposition(),
        )
