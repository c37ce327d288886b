"""The hub's clock, moved forward by a test: ``with HubClock() as clock: clock.advance(31)``.

Every hub module imports ``now`` from ``app.hub.services.clock``; this swaps that name in each
loaded module for one that adds the offset, so leases run out without the test sleeping.
"""

from __future__ import annotations

import sys
from datetime import datetime, timedelta
from types import TracebackType

from app.hub.services import clock


class HubClock:
    def __init__(self) -> None:
        self.offset = timedelta(0)
        self._patched: list[tuple[object, object]] = []
        self._real = clock.now

    def now(self) -> datetime:
        return self._real() + self.offset

    def advance(self, seconds: float) -> None:
        self.offset += timedelta(seconds=seconds)

    def __enter__(self) -> HubClock:
        for name, module in list(sys.modules.items()):
            if name.startswith("app.") and getattr(module, "now", None) is self._real:
                self._patched.append((module, module.now))
                module.now = self.now  # type: ignore[attr-defined]
        return self

    def __exit__(self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None) -> None:
        for module, original in self._patched:
            module.now = original  # type: ignore[attr-defined]
        self._patched.clear()
