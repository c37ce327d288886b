"""One set of weight rules for every scale protocol: a negative stable weight is never a parcel weight
(the packer is told to zero the scale), a weight above the scale's capacity or 1,000 kg is not a weight,
and NCI upper-case units are units."""

from __future__ import annotations

import pytest

from app.devices.scales import cas, hid_pos, nci, sics
from app.devices.weights import ScaleState, WeightReading, reading, within_capacity


def test_a_sics_frame_of_99999999999_tonnes_is_an_overload_not_a_stable_weight() -> None:
    # MT-SICS reference, "S - Send stable weight value": "S S <WeightValue> <Unit>"; a weight of
    # 99,999,999,999 t (99,999,999,999,000,000 g) is no parcel: a garbled or overloaded scale.
    got = sics.parse_weight_line(b"S S 99999999999 t\r\n")
    assert got.state is ScaleState.OVERLOAD and got.grams is None and not got.is_stable
    assert "above its 1,000 kg capacity" in got.message


def test_anything_above_1000_kg_is_refused_and_1000_kg_is_not() -> None:
    assert reading(1_000_001, stable=True).state is ScaleState.OVERLOAD
    assert reading(1_000_000, stable=True).state is ScaleState.STABLE
    assert reading(-2_000_000, stable=False).state is ScaleState.OVERLOAD


def test_a_weight_above_the_scales_own_capacity_is_an_overload() -> None:
    ok = sics.parse_weight_line(b"S S     15.000 kg\r\n")
    assert within_capacity(ok, 30_000).grams == 15_000
    over = within_capacity(sics.parse_weight_line(b"S S     31.000 kg\r\n"), 30_000)
    assert over.state is ScaleState.OVERLOAD and "30 kg capacity" in over.message


@pytest.mark.parametrize(
    "got",
    [
        sics.parse_weight_line(b"S S     -0.250 kg\r\n"),
        nci.parse_response(b"\n -0.25kg\r\n00\r\x03"),
        cas.parse_stream_frame(b"ST,GS,1" + bytes([0x80]) + b",-000.250 kg\r\n"),
        hid_pos.parse_report(bytes([3, 5, 2, 0, 0, 0])),  # HID POS status 5 "under zero"
    ],
    ids=["sics", "nci", "cas", "hid"],
)
def test_a_negative_weight_is_underload_on_every_protocol(got: WeightReading) -> None:
    assert got.state is ScaleState.UNDERLOAD and not got.is_stable and "zero" in got.message


@pytest.mark.parametrize(
    ("frame", "grams"),
    [
        (b"\n002.50LB\r\n00\r\x03", 1134),  # NCI-ECR variants send the unit in upper case
        (b"\n  1.234KG\r\n00\r\x03", 1234),
        (b"\n 12.0OZ\r\n00\r\x03", 340),
        (b"\n002.50lb\r\n00\r\x03", 1134),  # SCP-01 lower case still works
    ],
)
def test_nci_upper_case_units_are_accepted(frame: bytes, grams: int) -> None:
    got = nci.parse_response(frame)
    assert (got.state, got.grams) == (ScaleState.STABLE, grams)


def test_a_99999999999_t_frame_over_a_pty_is_an_overload_for_the_packer(capsys: pytest.CaptureFixture[str]) -> None:
    from app.cli import main
    from app.devices.sim import ScaleSimulator

    with ScaleSimulator("sics", unit="t") as sim:
        sim.set_weight(99_999_999_999 * 1_000_000)
        code = main(["scale", "read", "--port", sim.port, "--protocol", "sics"])
    assert code == 2 and capsys.readouterr().out.startswith("overload: the scale sent 99,999,999,999,000,000 g")


def test_a_scale_error_is_printed_with_one_error_prefix(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from app.cli import main
    from app.devices.scales import base
    from app.devices.weights import error

    class Broken:
        def read(self) -> WeightReading:
            return error("garbled answer from scale: b'\\x00'")

    monkeypatch.setattr(base, "open_scale", lambda *a, **k: Broken())
    assert main(["scale", "read", "--port", "/dev/x", "--protocol", "sics"]) == 1
    assert capsys.readouterr().err == "error: garbled answer from scale: b'\\x00'\n"
