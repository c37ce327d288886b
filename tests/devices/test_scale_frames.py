"""Byte-level tests of every scale protocol: well-formed frames and garbled ones."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.devices.scales import cas, hid_pos, nci, sics
from app.devices.weights import ScaleState

# -- MT-SICS ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "state", "grams"),
    [
        (b"S S      1.234 kg\r\n", ScaleState.STABLE, 1234),
        (b"S S     100.00 g\r\n", ScaleState.STABLE, 100),
        (b"S D      1.200 kg\r\n", ScaleState.MOTION, 1200),
        (b"S S      0.000 kg\r\n", ScaleState.ZERO, 0),
        (b"S S     -0.010 kg\r\n", ScaleState.UNDERLOAD, None),  # negative: never a parcel weight
        (b"S S       2.50 lb\r\n", ScaleState.STABLE, 1134),
        (b"S +\r\n", ScaleState.OVERLOAD, None),
        (b"S -\r\n", ScaleState.UNDERLOAD, None),
    ],
)
def test_sics_weight_answers_decode_to_states_and_grams(line: bytes, state: ScaleState, grams: int | None) -> None:
    got = sics.parse_weight_line(line)
    assert (got.state, got.grams) == (state, grams)


@pytest.mark.parametrize(
    "line",
    [
        b"S I\r\n",  # busy
        b"ES\r\n",
        b"ET\r\n",
        b"EL\r\n",
        b"S S      1.234 xx\r\n",  # wrong unit
        b"S S      1.2\r\n",  # truncated
        b"S X      1.234 kg\r\n",
        b"\xff\xfe garbage\r\n",
        b"S S   1.2.3 kg\r\n",
        b"S S  1.234 kg\rS S  9.999 kg\r\n",
    ],
)
def test_sics_errors_and_garbled_lines_are_errors_never_weights(line: bytes) -> None:
    got = sics.parse_weight_line(line)
    assert got.state is ScaleState.ERROR and got.grams is None and got.message


# -- NCI --------------------------------------------------------------------------------------


def test_nci_stable_weight_with_status_bytes() -> None:
    got = nci.parse_response(b"\n  1.234kg\r\n00\r\x03")
    assert (got.state, got.grams) == (ScaleState.STABLE, 1234)


def test_nci_pounds_are_converted_to_grams() -> None:
    assert nci.parse_response(b"\n   2.50lb\r\n00\r\x03").grams == 1134


@pytest.mark.parametrize(
    ("frame", "state"),
    [
        (b"\n  1.234kg\r\n" + bytes([0x31, 0x30]) + b"\r\x03", ScaleState.MOTION),
        (b"\n  0.000kg\r\n" + bytes([0x32, 0x30]) + b"\r\x03", ScaleState.ZERO),
        (b"\n^^^^^^kg\r\n" + bytes([0x30, 0x32]) + b"\r\x03", ScaleState.OVERLOAD),
        (b"\n------kg\r\n" + bytes([0x30, 0x31]) + b"\r\x03", ScaleState.UNDERLOAD),
        (b"\n  1.234kg\r\n" + bytes([0x34, 0x30]) + b"\r\x03", ScaleState.ERROR),  # RAM error
        (b"\n  1.234kg\r\n" + bytes([0x30, 0x38]) + b"\r\x03", ScaleState.ERROR),  # calibration
        (b"\n  1.234kg\r\n" + bytes([0x30 | 0x80, 0x30]) + b"\r\x03", ScaleState.STABLE),  # parity bit ignored
    ],
)
def test_nci_status_bytes_give_distinct_states(frame: bytes, state: ScaleState) -> None:
    assert nci.parse_response(frame).state is state


@pytest.mark.parametrize(
    "frame",
    [
        b"\n  1.234kg\r\n00\r",  # truncated: no ETX
        b"\n  1.234xx\r\n00\r\x03",  # wrong unit
        b"\n  1.234kg\r\n\x00\x00\r\x03",  # not status bytes
        b"\n  1.234kg\r\nq0\r\x03",  # bit 6 set in status byte 1
        b"garbage\x03",
        b"\n00\r\x03",  # status only where a weight was asked
        b"\n  1.2.3kg\r\n00\r\x03",
        b"\n  1.234kg\r\n" + bytes([0x32, 0x30]) + b"\r\x03",  # "at zero" with a weight
    ],
)
def test_nci_garbled_frames_are_errors_never_weights(frame: bytes) -> None:
    got = nci.parse_response(frame)
    assert got.state is ScaleState.ERROR and got.grams is None


# -- CAS stream -------------------------------------------------------------------------------


def cas_frame(head: bytes = b"ST", weight: bytes = b"   1.234", unit: bytes = b"kg", lamp: int = 0xC4) -> bytes:
    return head + b",GS,1" + bytes([lamp]) + b"," + weight + b" " + unit + b"\r\n"


def test_cas_stream_frame_is_22_bytes_and_decodes() -> None:
    frame = cas_frame()
    assert len(frame) == 22
    got = cas.parse_stream_frame(frame)
    assert (got.state, got.grams) == (ScaleState.STABLE, 1234)


def test_cas_stream_unstable_and_overload_headers() -> None:
    assert cas.parse_stream_frame(cas_frame(b"US")).state is ScaleState.MOTION
    assert cas.parse_stream_frame(cas_frame(b"OL")).state is ScaleState.OVERLOAD


@pytest.mark.parametrize(
    "frame",
    [
        cas_frame(unit=b"xx"),  # wrong unit
        cas_frame(head=b"QQ"),
        cas_frame(weight=b"  1.2a34"),
        cas_frame(lamp=0x04),
        cas_frame()[:-3] + b"\r\n",  # truncated
        cas_frame().replace(b",GS,", b";GS,"),
        b"\x00" * 20 + b"\r\n",
    ],
)
def test_cas_stream_garbled_frames_are_errors(frame: bytes) -> None:
    assert cas.parse_stream_frame(frame).state is ScaleState.ERROR


# -- CAS ECR ----------------------------------------------------------------------------------


def ecr_frame(sta: bytes = b"S", sign: bytes = b" ", weight: bytes = b"01.234", unit: bytes = b"kg") -> bytes:
    body = sta + sign + weight + unit
    return cas.SOH + cas.STX + body + bytes([cas.bcc(body)]) + cas.ETX + cas.EOT


def test_cas_ecr_frame_with_good_check_byte_decodes() -> None:
    assert len(ecr_frame()) == 15
    got = cas.parse_ecr_frame(ecr_frame())
    assert (got.state, got.grams) == (ScaleState.STABLE, 1234)
    assert cas.parse_ecr_frame(ecr_frame(sta=b"U")).state is ScaleState.MOTION
    assert cas.parse_ecr_frame(ecr_frame(sign=b"-")).state is ScaleState.UNDERLOAD  # one negative-weight rule
    assert cas.parse_ecr_frame(ecr_frame(sign=b"F", weight=b"FFFFFF")).state is ScaleState.OVERLOAD


def test_cas_ecr_wrong_check_byte_is_an_error() -> None:
    frame = bytearray(ecr_frame())
    frame[12] ^= 0x01
    got = cas.parse_ecr_frame(bytes(frame))
    assert got.state is ScaleState.ERROR and "check byte" in got.message


@pytest.mark.parametrize("frame", [ecr_frame()[:-1], ecr_frame(unit=b"xx"), b"\x06" * 15, ecr_frame(sta=b"X")])
def test_cas_ecr_truncated_or_wrong_unit_frames_are_errors(frame: bytes) -> None:
    assert cas.parse_ecr_frame(frame).state is ScaleState.ERROR


@settings(deadline=None)  # a loaded CI machine must not turn slowness into failure
@given(st.integers(2, 11), st.integers(1, 255))
def test_cas_ecr_any_single_corrupted_byte_never_gives_a_weight(pos: int, flip: int) -> None:
    frame = bytearray(ecr_frame())
    frame[pos] ^= flip
    assert cas.parse_ecr_frame(bytes(frame)).grams is None


# -- every serial protocol: truncation and garbage -----------------------------------------

GOOD = {
    "sics": (sics.parse_weight_line, b"S S      1.234 kg\r\n"),
    "nci": (nci.parse_response, b"\n  1.234kg\r\n00\r\x03"),
    "cas": (cas.parse_stream_frame, cas_frame()),
    "cas-ecr": (cas.parse_ecr_frame, ecr_frame()),
}


@pytest.mark.parametrize("name", sorted(GOOD))
@settings(deadline=None)  # a loaded CI machine must not turn slowness into failure
@given(cut=st.integers(0, 30))
def test_a_truncated_frame_never_gives_a_weight(name: str, cut: int) -> None:
    parse, frame = GOOD[name]
    prefix = frame[: min(cut, len(frame) - 1)]
    assert parse(prefix).grams is None


@pytest.mark.parametrize("name", sorted(GOOD))
@settings(deadline=None)  # a loaded CI machine must not turn slowness into failure
@given(junk=st.binary(max_size=40))
def test_random_bytes_never_crash_a_parser(name: str, junk: bytes) -> None:
    parse, frame = GOOD[name]
    got = parse(junk)
    assert got.state in ScaleState
    if junk != frame and got.grams is not None:
        assert got.state in (ScaleState.STABLE, ScaleState.ZERO, ScaleState.MOTION)


# -- HID POS ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("report", "state", "grams"),
    [
        (bytes([3, 4, 2, 0, 0x14, 0x00]), ScaleState.STABLE, 20),  # 20 g
        (bytes([3, 4, 11, 0xFF, 0x34, 0x19]), ScaleState.STABLE, 18291),  # 645.2 oz
        (bytes([3, 2, 2, 0, 0, 0]), ScaleState.ZERO, 0),
        (bytes([3, 3, 3, 0xFD, 0xD2, 0x04]), ScaleState.MOTION, 1234),  # 1.234 kg in motion
        (bytes([3, 5, 2, 0, 0, 0]), ScaleState.UNDERLOAD, None),
        (bytes([3, 6, 2, 0, 0, 0]), ScaleState.OVERLOAD, None),
        (bytes([3, 1, 2, 0, 0, 0]), ScaleState.ERROR, None),
        (bytes([3, 8, 2, 0, 0, 0]), ScaleState.ERROR, None),
    ],
)
def test_hid_pos_reports_decode(report: bytes, state: ScaleState, grams: int | None) -> None:
    got = hid_pos.parse_report(report)
    assert (got.state, got.grams) == (state, grams)


@pytest.mark.parametrize(
    "report",
    [
        bytes([3, 4, 2, 0, 0x14]),  # truncated
        bytes([4, 4, 2, 0, 0x14, 0]),  # wrong report id
        bytes([3, 4, 0x55, 0, 0x14, 0]),  # unknown unit
        bytes([3, 4, 5, 0, 0x14, 0]),  # taels: region-dependent, refused
        bytes([3, 9, 2, 0, 0x14, 0]),  # unknown status
        bytes([3, 2, 2, 0, 0x14, 0]),  # "zero" with a weight
    ],
)
def test_hid_pos_garbled_reports_are_errors(report: bytes) -> None:
    assert hid_pos.parse_report(report).state is ScaleState.ERROR


def test_hid_pos_non_standard_report_id_can_be_configured() -> None:
    assert hid_pos.parse_report(bytes([1, 4, 2, 0, 5, 0]), report_ids=(1, 3)).grams == 5
