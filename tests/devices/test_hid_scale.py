"""HidScale with a fake HID device: stale first report, silence, unplug and replug."""

from __future__ import annotations

import pytest

from app.devices.scales.hid_pos import HidScale
from app.devices.weights import ScaleState


class FakeHid:
    def __init__(self, reports: list[bytes]) -> None:
        self.reports = reports
        self.closed = False

    def read(self, size: int, timeout: int | None = None) -> bytes:
        if not self.reports:
            return b""
        item = self.reports.pop(0)
        if item == b"UNPLUG":
            raise OSError("read error")
        return item


def grams_report(grams: int, status: int = 4) -> bytes:
    return bytes([3, status, 2, 0]) + grams.to_bytes(2, "little")


def test_first_report_after_opening_is_dropped_as_stale() -> None:
    device = FakeHid([grams_report(999), grams_report(250)])
    scale = HidScale("0922:8003", opener=lambda _t: device, timeout_s=0.2)
    assert scale.read().grams == 250


def test_a_scale_that_stops_reporting_is_not_answering_rather_than_frozen() -> None:
    device = FakeHid([grams_report(1), grams_report(250)])
    scale = HidScale("0922:8003", opener=lambda _t: device, timeout_s=0.2)
    assert scale.read().grams == 250
    got = scale.read()
    assert got.state is ScaleState.DISCONNECTED and "stopped reporting" in got.message


def test_unplugged_hid_scale_is_reopened_on_the_next_read() -> None:
    devices = [FakeHid([grams_report(0), grams_report(10), b"UNPLUG"]), FakeHid([grams_report(0), grams_report(20)])]
    scale = HidScale("0922:8003", opener=lambda _t: devices.pop(0), timeout_s=0.2)
    assert scale.read().grams == 10
    assert scale.read().state is ScaleState.DISCONNECTED
    assert scale.read().grams == 20


def test_missing_hidapi_gives_a_disconnected_reading_naming_the_library() -> None:
    try:
        import hid  # noqa: F401
    except ImportError:
        pass
    else:
        pytest.skip("hidapi is installed here; this pins the message when it is not")
    got = HidScale("0922:8003", timeout_s=0.2).read()
    assert got.state is ScaleState.DISCONNECTED
    assert "hidapi" in got.message
