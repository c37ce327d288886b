"""Packing slips waiting for the receipt printer: a slip stays here until the printer confirms it.

The printer call raises DeviceError when the printer reports paper end or cover open, or does not
answer its status after the job (``app.devices.receipts``); the slip then waits, the bench's status says
why (the status bar shows it), and the next attempt prints the oldest first.
"""

from __future__ import annotations

from collections.abc import Callable

from app.bench.sync import SyncStatus
from app.devices.errors import DeviceError
from app.devices.receipts import PackingSlip


class SlipQueue:
    def __init__(self, printer: Callable[[PackingSlip], None] | None, status: SyncStatus) -> None:
        self.printer = printer
        self.status = status
        self.pending: dict[str, PackingSlip] = {}  # order number → slip not yet confirmed printed

    def add(self, slip: PackingSlip) -> None:
        """Queue ``slip`` and print what waits (nothing happens without a slip printer)."""
        if self.printer is None:
            return
        self.pending[slip.order_number] = slip
        self.print_pending()

    def print_pending(self) -> None:
        """Print every waiting slip, oldest first; stop at the first the printer does not confirm."""
        if self.printer is None:
            return
        for number, slip in list(self.pending.items()):
            try:
                self.printer(slip)
            except DeviceError as exc:
                self.status.update(
                    last_error=f"packing slip for {number}: {exc}",
                    slip_printer=f"{len(self.pending)} slip(s) waiting: {exc}",
                )
                return
            del self.pending[number]
        self.status.update(slip_printer="")

    def still_waiting(self, number: str) -> bool:
        """Try the waiting slips again; True when ``number``'s slip has still not printed."""
        if number not in self.pending:
            return False
        self.print_pending()
        return number in self.pending
