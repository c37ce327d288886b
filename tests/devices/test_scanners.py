"""Keyboard wedge decoding, AIM identifiers, GS1 parsing via biip, serial scanners."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.devices.errors import InvalidScan
from app.devices.scanners import (
    KeyboardWedgeDecoder,
    ScanConfig,
    SerialScanner,
    TypedText,
    WedgeConfig,
    WedgeScan,
    parse_scan,
)
from app.devices.serial_link import SerialLink
from app.devices.sim import PtyPort, WedgeScannerSimulator
from app.domain.barcodes import CodeKind, gtin_check_digit


def feed_all(decoder: KeyboardWedgeDecoder, keys: list[tuple[str, float]]) -> list[WedgeScan | TypedText]:
    events: list[WedgeScan | TypedText] = []
    for char, t in keys:
        events += decoder.feed(char, t)
    return events


# -- keyboard wedge ---------------------------------------------------------------------------


def test_a_fast_burst_ending_in_enter_is_a_scan() -> None:
    keys = WedgeScannerSimulator(seed=1).keystrokes("4006381333931", start=10.0)
    events = feed_all(KeyboardWedgeDecoder(), keys)
    assert [type(e) for e in events] == [WedgeScan]
    assert events[0].text == "4006381333931"  # type: ignore[union-attr]


def test_slow_typing_ending_in_enter_is_typing_not_a_scan() -> None:
    keys = [(c, i * 0.15) for i, c in enumerate("12345678\r")]
    events = feed_all(KeyboardWedgeDecoder(), keys)
    assert not any(isinstance(e, WedgeScan) for e in events)
    assert "".join(e.text for e in events if isinstance(e, TypedText)) == "12345678\r"


def test_a_short_fast_burst_is_typing() -> None:
    events = feed_all(KeyboardWedgeDecoder(WedgeConfig(min_length=4)), [("a", 0.0), ("b", 0.01), ("\r", 0.02)])
    assert events == [TypedText("ab\r")]


def test_a_configured_prefix_is_required_and_stripped() -> None:
    config = WedgeConfig(prefix="\x02", suffix="\x03")
    keys = WedgeScannerSimulator(config, seed=2).keystrokes("PB123456")
    assert feed_all(KeyboardWedgeDecoder(config), keys)[-1] == WedgeScan("PB123456", keys[0][1], keys[-1][1])
    without_prefix = [(c, i * 0.005) for i, c in enumerate("PB123456\x03")]
    assert not any(isinstance(e, WedgeScan) for e in feed_all(KeyboardWedgeDecoder(config), without_prefix))


def test_the_wedge_simulator_types_into_a_decoder_in_real_time() -> None:
    decoder = KeyboardWedgeDecoder(WedgeConfig(max_gap_s=5.0))  # generous: the machine may be loaded
    events: list[WedgeScan | TypedText] = []
    WedgeScannerSimulator(seed=3).type_code("TOTE-A12", lambda ch, t: events.extend(decoder.feed(ch, t)))
    assert [e.text for e in events] == ["TOTE-A12"]


def test_without_a_suffix_a_fast_burst_followed_by_a_pause_is_a_scan() -> None:
    config = WedgeConfig(suffix="")
    decoder = KeyboardWedgeDecoder(config)
    keys = WedgeScannerSimulator(config, seed=4).keystrokes("PB123456")
    assert feed_all(decoder, keys) == []
    assert decoder.flush(keys[-1][1] + 1.0) == [WedgeScan("PB123456", keys[0][1], keys[-1][1])]
    slow = KeyboardWedgeDecoder(config)
    for i, ch in enumerate("PB123456"):
        slow.feed(ch, i * 0.3)
    assert not any(isinstance(e, WedgeScan) for e in slow.flush(10.0))


def test_typed_keys_without_enter_are_handed_back_by_flush() -> None:
    decoder = KeyboardWedgeDecoder()
    assert decoder.feed("x", 1.0) == []
    assert decoder.flush(1.01) == []
    assert decoder.flush(2.0) == [TypedText("x")]


codes = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-", min_size=4, max_size=30)


@settings(deadline=None)  # a loaded CI machine must not turn slowness into failure
@given(st.lists(st.tuples(codes, st.text(alphabet="abcxyz ", max_size=5)), min_size=1, max_size=5), st.integers())
def test_scans_interleaved_with_human_typing_come_out_exactly(items: list[tuple[str, str]], seed: int) -> None:
    sim = WedgeScannerSimulator(seed=seed)
    decoder = KeyboardWedgeDecoder()
    t, events = 0.0, []
    for code, typed in items:
        for ch in typed:  # a person, 200 ms per key, no Enter
            t += 0.2
            events += decoder.feed(ch, t)
        t += 0.5
        keys = sim.keystrokes(code, start=t)
        events += feed_all(decoder, keys)
        t = keys[-1][1]
    events += decoder.flush(t + 1)
    assert [e.text for e in events if isinstance(e, WedgeScan)] == [code for code, _ in items]


# -- AIM identifiers and GS1 ------------------------------------------------------------------


def test_aim_ean13_is_a_gtin_with_check_digit_validated() -> None:
    scan = parse_scan("]E04006381333931")
    assert scan.symbology == "E0" and scan.gtin == "04006381333931"
    with pytest.raises(InvalidScan, match="check digit"):
        parse_scan("]E04006381333932")


def test_aim_gs1_128_is_parsed_into_gtin_batch_expiry_and_serial() -> None:
    scan = parse_scan("]C101040063813339311725063010LOT42\x1d21SN1")
    assert scan.symbology == "C1"
    assert scan.gtin == "04006381333931" and scan.code is not None and scan.code.kind is CodeKind.GTIN
    assert (scan.batch, scan.expiry, scan.serial) == ("LOT42", dt.date(2025, 6, 30), "SN1")


@pytest.mark.parametrize("aim", ["]d2", "]Q3"])
def test_gs1_datamatrix_and_qr_are_parsed(aim: str) -> None:
    assert parse_scan(aim + "00340123450000000000").sscc == "340123450000000000"


def test_a_lost_gs_can_be_substituted_by_a_configured_character() -> None:
    raw = "]C10104006381333931" + "10LOT42|21SN1"
    scan = parse_scan(raw, ScanConfig(gs_substitute=("|",)))
    assert (scan.batch, scan.serial) == ("LOT42", "SN1")
    with pytest.raises(InvalidScan):  # without the setting "|" is not a GS1 character: refused, not misread
        parse_scan(raw)


def test_gs1_with_a_wrong_gtin_check_digit_is_refused() -> None:
    with pytest.raises(InvalidScan):
        parse_scan("]C10104006381333932")


def test_our_own_numbers_are_classified_by_the_domain() -> None:
    assert parse_scan("PB123456").code.kind is CodeKind.ORDER  # type: ignore[union-attr]
    assert parse_scan("]C0TOTE-A12").code.kind is CodeKind.TOTE  # type: ignore[union-attr]


def test_an_unknown_symbology_identifier_is_refused() -> None:
    with pytest.raises(InvalidScan):
        parse_scan("]!0123")


gtin_bodies = st.text(alphabet="0123456789", min_size=13, max_size=13)
batches = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-", min_size=1, max_size=20)
serials = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=1, max_size=20)
dates = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2049, 12, 28))


@settings(deadline=None)  # a loaded CI machine must not turn slowness into failure
@given(
    gtin_bodies,
    batches,
    serials,
    dates,
    st.sampled_from(["\x1d", "|", "#"]),
    st.sampled_from(["]C1", "]d2", "]Q3", ""]),
)
def test_gs1_element_strings_round_trip(
    body: str, batch: str, serial: str, expiry: dt.date, sep: str, aim: str
) -> None:
    gtin = body + str(gtin_check_digit(body))
    raw = f"{aim}01{gtin}17{expiry:%y%m%d}10{batch}{sep}21{serial}"
    scan = parse_scan(raw, ScanConfig(gs_substitute=(sep,) if sep != "\x1d" else ()))
    assert (scan.gtin, scan.expiry, scan.batch, scan.serial) == (gtin, expiry, batch, serial)


@settings(deadline=None)  # a loaded CI machine must not turn slowness into failure
@given(st.text(max_size=60))
def test_any_scanned_text_either_parses_or_is_refused_with_invalid_scan(text: str) -> None:
    try:
        scan = parse_scan(text)
    except InvalidScan as exc:
        assert str(exc)
    else:
        assert scan.raw == text


@settings(deadline=None)  # a loaded CI machine must not turn slowness into failure
@given(st.text(alphabet="0123456789", min_size=12, max_size=12), st.integers(1, 9))
def test_an_ean13_with_a_wrong_check_digit_never_parses(body: str, delta: int) -> None:
    wrong = (gtin_check_digit(body) + delta) % 10
    with pytest.raises(InvalidScan):
        parse_scan(f"]E0{body}{wrong}")


# -- serial scanner over a pty ----------------------------------------------------------------


def test_serial_scanner_reads_codes_up_to_its_terminator() -> None:
    port = PtyPort()
    try:
        scanner = SerialScanner(SerialLink(port.path, timeout_s=5), terminator=b"\r\n")
        scanner.open()  # opening a port drops what arrived before, as on real hardware
        assert port.master_fd is not None
        os.write(port.master_fd, b"]E04006381333931\r\nPB123456\r\n")
        first, second = scanner.read(timeout_s=5), scanner.read(timeout_s=5)
        assert first is not None and first.gtin == "04006381333931"
        assert second is not None and second.data == "PB123456"
        assert scanner.read(timeout_s=0.2) is None
    finally:
        port.close()


def test_a_serial_frame_longer_than_the_limit_is_discarded_whole_and_its_tail_is_not_acted_on() -> None:
    # 4,097 bytes without a terminator, then "CMD:CANCEL" and the terminator: one frame of 4,107 bytes,
    # too long to be a code. None of it may act (before, the tail ran the cancel card).
    port = PtyPort()
    try:
        scanner = SerialScanner(SerialLink(port.path, timeout_s=5), terminator=b"\r")
        scanner.open()
        assert port.master_fd is not None
        os.write(port.master_fd, b"A" * 4097 + b"CMD:CANCEL\r" + b"PB123456\r")
        with pytest.raises(InvalidScan, match="longer than 4096 bytes: discarded whole"):
            scanner.read(timeout_s=5)
        after = scanner.read(timeout_s=5)
        assert after is not None and after.data == "PB123456"  # the next good code is read as it is
        assert scanner.read(timeout_s=0.2) is None
    finally:
        port.close()


def test_a_long_frame_whose_end_comes_later_is_still_dropped_up_to_its_end() -> None:
    port = PtyPort()
    try:
        scanner = SerialScanner(SerialLink(port.path, timeout_s=5), terminator=b"\r")
        scanner.open()
        assert port.master_fd is not None
        os.write(port.master_fd, b"B" * 5000)
        with pytest.raises(InvalidScan):
            scanner.read(timeout_s=0.3)
        assert scanner.read(timeout_s=0.3) is None  # the frame has not ended yet: still discarding
        os.write(port.master_fd, b"CMD:CANCEL\rPB654321\r")
        got = scanner.read(timeout_s=5)
        assert got is not None and got.data == "PB654321"
    finally:
        port.close()
