"""The label printer contract."""

from __future__ import annotations

from typing import Protocol, runtime_checkable


@runtime_checkable
class LabelPrinter(Protocol):
    """Send one job (printer language bytes, e.g. ZPL). Returns when the printer has it.

    Raises ``PrinterNotReady`` when nothing was sent (safe to retry) and ``PrintUnconfirmed`` when
    the job reached the printer but was not confirmed printed (never resend it automatically).
    """

    def send(self, data: bytes) -> None: ...


@runtime_checkable
class StatusPrinter(LabelPrinter, Protocol):
    """A printer that can say whether everything it was sent has printed (used to settle held jobs)."""

    def is_idle(self) -> bool: ...
