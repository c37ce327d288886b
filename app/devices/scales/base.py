"""The ``Scale`` contract and the serial scale that runs any serial protocol over a ``SerialLink``."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Protocol, runtime_checkable

from app.devices.errors import DeviceError
from app.devices.serial_link import NoAnswer, PortGone, SerialLink
from app.devices.weights import ScaleState, WeightReading, within_capacity


@runtime_checkable
class Scale(Protocol):
    """A scale. ``read()`` returns the current reading and never raises for device trouble:
    an unplugged or silent scale is a DISCONNECTED reading with a message for the packer."""

    def read(self) -> WeightReading: ...


class SerialScaleProtocol(Protocol):
    """One request/answer exchange of a serial scale protocol."""

    name: str

    def exchange(self, link: SerialLink) -> WeightReading: ...


def protocol_for(name: str) -> SerialScaleProtocol:
    """``sics``, ``sics-s``, ``sics-sir``, ``nci``, ``cas`` or ``cas-ecr``."""
    from app.devices.scales.cas import CasEcrProtocol, CasStreamProtocol
    from app.devices.scales.nci import NciProtocol
    from app.devices.scales.sics import SicsProtocol

    factories: dict[str, Callable[[], SerialScaleProtocol]] = {
        "sics": lambda: SicsProtocol("SI"),
        "sics-s": lambda: SicsProtocol("S"),
        "sics-sir": lambda: SicsProtocol("SIR"),
        "nci": NciProtocol,
        "cas": CasStreamProtocol,
        "cas-ecr": CasEcrProtocol,
    }
    try:
        factory = factories[name]
    except KeyError:
        raise ValueError(f"unknown scale protocol {name!r}; choose one of {', '.join(factories)}") from None
    return factory()


class SerialScale:
    """A scale on a serial port speaking ``protocol``. Usable from a worker thread (calls are serialised).

    A pulled cable gives a DISCONNECTED reading; the next ``read()`` reopens the port, so a scale
    plugged back in (same port name) is picked up without restarting anything.
    """

    def __init__(self, link: SerialLink, protocol: SerialScaleProtocol, *, capacity_g: int | None = None) -> None:
        self.link = link
        self.protocol = protocol
        self.capacity_g = capacity_g  # above it a reading is OVERLOAD, never a weight
        self._lock = threading.Lock()

    def read(self) -> WeightReading:
        with self._lock:
            try:
                return within_capacity(self.protocol.exchange(self.link), self.capacity_g)
            except NoAnswer as exc:
                return WeightReading(ScaleState.DISCONNECTED, None, str(exc))
            except PortGone as exc:
                return WeightReading(ScaleState.DISCONNECTED, None, str(exc))

    def zero(self) -> None:
        """Zero the scale where the protocol supports it. Raises DeviceError otherwise."""
        zero = getattr(self.protocol, "zero", None)
        if zero is None:
            raise DeviceError(f"This scale ({self.protocol.name}) cannot be zeroed from the computer")
        with self._lock:
            zero(self.link)

    def close(self) -> None:
        with self._lock:
            self.link.close()


def open_scale(
    port: str, protocol: str, *, baudrate: int = 9600, timeout_s: float = 2.0, capacity_g: int | None = None
) -> SerialScale | Scale:
    """A scale for the CLI and settings: serial protocols by name, or ``hid`` (port = VID:PID or path).

    ``timeout_s`` is how long, in seconds, one reading may wait for the scale before it counts as
    not answering. Nothing is opened until the first ``read()``.
    """
    if protocol == "hid":
        from app.devices.scales.hid_pos import HidScale

        return HidScale(port, timeout_s=timeout_s)
    link = SerialLink(port, baudrate=baudrate, timeout_s=timeout_s)
    return SerialScale(link, protocol_for(protocol), capacity_g=capacity_g)
