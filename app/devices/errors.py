"""Device errors: library exceptions are translated here, at the boundary, into messages a packer can act on."""

from __future__ import annotations


class DeviceError(Exception):
    """A device did not do what was asked. ``str(err)`` is a message for the packer.

    ``retry_safe`` says whether repeating the request can do no harm: true when nothing reached the
    device (printer not ready, port not open), false when the device may already have acted on it
    (a label sent but not confirmed must not be sent again).
    """

    retry_safe: bool = True

    def __init__(self, message: str, *, retry_safe: bool | None = None) -> None:
        super().__init__(message)
        if retry_safe is not None:
            self.retry_safe = retry_safe


class PrinterNotReady(DeviceError):
    """The printer reported a fault (or did not answer) before the job: nothing was sent."""

    retry_safe = True


class PrintUnconfirmed(DeviceError):
    """The job reached the printer but it did not confirm printing; do not send it again."""

    retry_safe = False


class InvalidScan(DeviceError):
    """A scanned code could not be understood (bad check digit, malformed GS1 data …)."""


class DependencyMissing(DeviceError):
    """An optional library the device needs is not installed."""
