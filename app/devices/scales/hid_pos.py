"""USB HID POS scales (HID Point of Sale usage page 0x8D): DYMO, Stamps.com, Fairbanks, Mettler Toledo.

Scale data report: ``report id`` (3), ``status``, ``unit``, ``exponent`` (signed, power of ten),
``weight`` (16-bit little endian). Status: 1 fault, 2 stable at zero, 3 in motion, 4 stable,
5 under zero, 6 over the weight limit, 7 needs calibration, 8 needs re-zeroing.

The optional ``hid`` package (and the hidapi C library) is imported only when a HID scale is opened.
The first report after opening is often stale and is dropped; when reports stop arriving the scale
is reported as not answering rather than repeating the last value.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any, Protocol

from app.devices.errors import DependencyMissing, DeviceError
from app.devices.weights import ScaleState, WeightReading, error, reading

#: USB vendor ids of HID POS scale makers: DYMO, Stamps.com, Fairbanks, Mettler Toledo.
SCALE_VENDORS: dict[int, str] = {0x0922: "DYMO", 0x1446: "Stamps.com", 0x0B67: "Fairbanks", 0x0EB8: "Mettler Toledo"}
SCALE_USAGE_PAGE = 0x8D
DATA_REPORT_ID = 3

#: HID POS weight unit codes → grams per unit (tael omitted: its size differs by region).
UNIT_GRAMS: dict[int, Decimal] = {
    1: Decimal("0.001"),  # milligram
    2: Decimal(1),  # gram
    3: Decimal(1000),  # kilogram
    4: Decimal("0.2"),  # carat
    6: Decimal("0.06479891"),  # grain
    7: Decimal("1.55517384"),  # pennyweight
    8: Decimal(1000000),  # metric ton
    9: Decimal("907184.74"),  # avoirdupois (short) ton
    10: Decimal("31.1034768"),  # troy ounce
    11: Decimal("28.349523125"),  # ounce
    12: Decimal("453.59237"),  # pound
}


def parse_report(report: bytes, *, report_ids: Iterable[int] = (DATA_REPORT_ID,)) -> WeightReading:
    """Decode one scale data report (6 bytes or more, report id first)."""
    if len(report) < 6:
        return error(f"short report from USB scale ({len(report)} bytes)")
    if report[0] not in tuple(report_ids):
        return error(f"USB scale sent report id {report[0]}, not a scale data report")
    status, unit_code, exponent = report[1], report[2], int.from_bytes(report[3:4], "little", signed=True)
    raw = int.from_bytes(report[4:6], "little")
    if status == 1:
        return error("USB scale reports a fault")
    if status == 3:
        pass
    elif status == 5:
        return WeightReading(ScaleState.UNDERLOAD, None, "below zero: clear the scale and zero it")
    elif status == 6:
        return WeightReading(ScaleState.OVERLOAD, None, "too heavy for the scale")
    elif status == 7:
        return error("USB scale needs calibration")
    elif status == 8:
        return error("USB scale needs re-zeroing: clear it and press zero")
    elif status not in (2, 4):
        return error(f"USB scale sent an unknown status {status}")
    factor = UNIT_GRAMS.get(unit_code)
    if factor is None:
        return error(f"USB scale sent an unknown unit code {unit_code}")
    if not -8 <= exponent <= 3:
        return error(f"USB scale sent an implausible exponent {exponent}")
    grams = int((Decimal(raw).scaleb(exponent) * factor).quantize(Decimal(1), rounding="ROUND_HALF_UP"))
    if status == 2:
        return WeightReading(ScaleState.ZERO, 0) if grams == 0 else error("USB scale says zero but sent a weight")
    return reading(grams, stable=status == 4)


class HidDevice(Protocol):
    """The part of ``hid.Device`` we use: ``read(size, timeout_ms)`` returns b"" on timeout."""

    def read(self, size: int, timeout: int | None = None) -> bytes: ...

    def close(self) -> None: ...


def _import_hid() -> Any:
    try:
        import hid
    except ImportError as exc:
        raise DependencyMissing(
            "USB scale support needs the hidapi library: install packbench[hid] and libhidapi "
            f"(apt install libhidapi-hidraw0) — {exc}"
        ) from exc
    return hid


def find_hid_scales() -> list[dict[str, Any]]:
    """Attached HID scales as dicts with ``vendor_id``, ``product_id``, ``path``, ``maker``."""
    hid = _import_hid()
    found = []
    for info in hid.enumerate():
        vid = int(info.get("vendor_id", 0))
        if vid in SCALE_VENDORS or info.get("usage_page") == SCALE_USAGE_PAGE:
            found.append({**info, "maker": SCALE_VENDORS.get(vid, "unknown")})
    return found


def parse_vid_pid(text: str) -> tuple[int, int]:
    """``"0922:8003"`` → (0x0922, 0x8003). Raises ValueError."""
    vid, _, pid = text.partition(":")
    return int(vid, 16), int(pid, 16)


class HidScale:
    """A USB HID POS scale. ``target`` is ``VID:PID`` in hex or a hidraw path; ``opener`` is for tests.

    ``read()`` never raises: unplugging gives DISCONNECTED, and the next ``read()`` reopens.
    Safe to call from one worker thread at a time (a lock serialises calls).
    """

    def __init__(
        self,
        target: str,
        *,
        timeout_s: float = 2.0,
        report_ids: Iterable[int] = (DATA_REPORT_ID,),
        opener: Callable[[str], HidDevice] | None = None,
    ) -> None:
        self.target = target
        self.timeout_s = timeout_s
        self.report_ids = tuple(report_ids)
        self._opener = opener or self._open_real
        self._device: HidDevice | None = None
        self._lock = threading.Lock()

    def _open_real(self, target: str) -> HidDevice:
        hid = _import_hid()
        try:
            if ":" in target and not target.startswith("/"):
                vid, pid = parse_vid_pid(target)
                device: HidDevice = hid.Device(vid=vid, pid=pid)
            else:
                device = hid.Device(path=target.encode())
        except (hid.HIDException, OSError, ValueError) as exc:
            raise DeviceError(f"USB scale {target} not found: check the cable ({exc})") from exc
        return device

    def read(self) -> WeightReading:
        with self._lock:
            try:
                if self._device is None:
                    self._device = self._opener(self.target)
                    self._next_report()  # the first report after opening is often stale
                report = self._next_report()
            except DeviceError as exc:
                self.close()
                return WeightReading(ScaleState.DISCONNECTED, None, str(exc))
            except Exception as exc:  # hid.HIDException and OSError from a pulled cable
                self.close()
                return WeightReading(ScaleState.DISCONNECTED, None, f"USB scale {self.target} disconnected ({exc})")
            if report is None:
                self.close()
                return WeightReading(
                    ScaleState.DISCONNECTED, None, f"USB scale {self.target} stopped reporting: is it asleep or off?"
                )
            return parse_report(report, report_ids=self.report_ids)

    def _next_report(self) -> bytes | None:
        assert self._device is not None
        deadline = time.monotonic() + self.timeout_s
        while True:
            remaining_ms = max(1, int((deadline - time.monotonic()) * 1000))
            data = self._device.read(64, remaining_ms)
            if data:
                return bytes(data)
            if time.monotonic() >= deadline:
                return None

    def close(self) -> None:
        device, self._device = self._device, None
        if device is not None:
            with contextlib.suppress(Exception):  # a vanished device fails to close in many ways
                device.close()
