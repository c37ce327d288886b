"""Packing slips on ESC/POS printers (python-escpos Dummy records the bytes)."""

from __future__ import annotations

from pathlib import Path

import pytest
from escpos.printer import Dummy
from hypothesis import given, settings
from hypothesis import strategies as st

from app.devices.errors import PrinterNotReady
from app.devices.receipts import PackingSlip, SlipLine, clean_text, print_packing_slip, render_packing_slip

SLIP = PackingSlip(
    "PB123456",
    ("Ana Müller", "Hauptstraße 1", "10115 Berlin"),
    (SlipLine("SKU-1", "Blue mug", 2), SlipLine("SKU-2", "Tea towel", 1)),
    note="Gift — no invoice",
)


def test_a_packing_slip_prints_order_address_and_lines() -> None:
    printer = Dummy(profile="TM-T88V")
    render_packing_slip(printer, SLIP)
    out = printer.output
    for text in (b"PACKING SLIP", b"Order PB123456", b"Blue mug", b"SKU-2", b"10115 Berlin"):
        assert text in out
    assert b"\x1dk" in out  # the printer draws the order barcode itself (its profile supports it)
    assert b"\x1dV" in out[-8:]  # and the paper is cut


def test_a_profile_without_hardware_barcodes_gets_no_barcode_command() -> None:
    printer = Dummy(profile="simple")
    render_packing_slip(printer, SLIP)
    assert b"\x1dk" not in printer.output


def test_customer_text_cannot_send_printer_commands() -> None:
    evil = PackingSlip("PB1", ("\x1b@\x1dV\x00 Eve",), (SlipLine("S\x1bp\x00", "Mug\x10\x14", 1),), note="\x1bd\x09")
    clean = PackingSlip("PB1", (" Eve",), (SlipLine("S", "Mug", 1),))
    a, b = Dummy(profile="TM-T88V"), Dummy(profile="TM-T88V")
    render_packing_slip(a, evil)
    render_packing_slip(b, clean)
    assert b"\x1b@\x1dV" not in a.output and b"\x1bp\x00" not in a.output and b"\x1bd\x09" not in a.output
    assert a.output.count(b"\x1b") == b.output.count(b"\x1b")


@settings(deadline=None)  # a loaded CI machine must not turn slowness into failure
@given(st.text())
def test_clean_text_leaves_no_control_characters(text: str) -> None:
    assert all(ord(c) >= 32 and not 0x7F <= ord(c) < 0xA0 for c in clean_text(text))


def test_an_unreachable_receipt_printer_is_reported() -> None:
    with pytest.raises(PrinterNotReady, match="not reachable"):
        print_packing_slip("escpos+tcp://127.0.0.1:1", SLIP)


def test_a_file_receipt_printer_gets_the_slip(tmp_path: Path) -> None:
    target = tmp_path / "slip.bin"
    target.touch()
    print_packing_slip(f"escpos+file:{target}", SLIP, profile="TM-T88V")
    assert b"Blue mug" in target.read_bytes()
