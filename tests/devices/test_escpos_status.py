"""ESC/POS real-time status over TCP, from Epson's ESC/POS Command Reference.

"DLE EOT n — Transmit real-time status. [Format] ASCII DLE EOT n / Hex 10 04 n. n = 1: Transmit printer
status; n = 2: Transmit off-line cause status; n = 3: Transmit error cause status; n = 4: Transmit roll
paper sensor status." Printer status bit 3 "Off-line"; off-line cause bit 2 "Cover is open", bit 5
"Printing is being stopped due to paper-end", bit 6 "Error occurred"; roll paper sensor bits 2,3
"Roll paper near-end sensor: paper near end", bits 5,6 "Roll paper end sensor: paper not present".
Bits 1 and 4 are fixed to 1, bits 0 and 7 to 0. Out of paper: 0x1A, 0x32, 0x7E.

"ESC @ — Initialize printer. [Format] Hex 1B 40. Clears the data in the print buffer and resets the
printer modes to the modes that were in effect when the power was turned on."
"""

from __future__ import annotations

import pytest

from app.devices.errors import PrinterNotReady, PrintUnconfirmed
from app.devices.escpos_status import parse_status
from app.devices.receipts import PackingSlip, SlipLine, print_packing_slip
from app.devices.sim.escpos_sim import EscPosSimulator

SLIP = PackingSlip("PB123456", ("Ana Müller", "10115 Berlin"), (SlipLine("SKU-1", "Blue mug", 2),))


def test_the_manuals_paper_end_answers_decode_as_out_of_paper() -> None:
    st = parse_status(0x1A, 0x32, 0x7E)
    assert st.known and st.paper_end and st.paper_near_end and not st.online and not st.cover_open
    assert st.faults == ["receipt printer out of paper: load a new roll"]


def test_cover_open_and_a_ready_printer() -> None:
    assert parse_status(0x1A, 0x16, 0x12).faults == ["receipt printer cover open: close it"]
    ready = parse_status(0x12, 0x12, 0x12)
    assert ready.ready and ready.describe() == "ready"
    assert parse_status(0x12, 0x12, 0x1E).describe() == "ready (paper low)"


def test_a_byte_that_is_not_a_status_byte_is_refused() -> None:
    with pytest.raises(ValueError, match="not an ESC/POS status byte"):
        parse_status(0xFF, 0x12, 0x12)


def test_a_slip_starts_with_esc_at_and_is_asked_for_before_and_after() -> None:
    with EscPosSimulator() as printer:
        status = print_packing_slip(printer.uri, SLIP)
        assert status.ready
        assert printer.received.startswith(b"\x1b@")  # ESC @ first: no mode of an earlier job survives
        assert printer.queries == [1, 2, 4, 1, 2, 4]  # DLE EOT 1, 2, 4 before and after
        assert len(printer.jobs) == 1 and b"Blue mug" in printer.jobs[0]


def test_two_slips_each_start_with_esc_at() -> None:
    with EscPosSimulator() as printer:
        print_packing_slip(printer.uri, SLIP)
        print_packing_slip(printer.uri, SLIP)
        assert len(printer.jobs) == 2 and all(job.startswith(b"\x1b@") for job in printer.jobs)


@pytest.mark.parametrize(("fault", "words"), [("paper_end", "out of paper"), ("cover_open", "cover open")])
def test_a_faulted_printer_gets_nothing(fault: str, words: str) -> None:
    with EscPosSimulator() as printer:
        setattr(printer, fault, True)
        with pytest.raises(PrinterNotReady, match=words):
            print_packing_slip(printer.uri, SLIP)
        assert printer.received == b"" and printer.queries == [1, 2, 4]


def test_paper_running_out_during_the_slip_leaves_it_unconfirmed() -> None:
    with EscPosSimulator() as printer:
        printer.paper_ends_after = 0  # the roll ends in this slip
        with pytest.raises(PrintUnconfirmed, match="out of paper"):
            print_packing_slip(printer.uri, SLIP)


def test_a_printer_that_does_not_answer_is_unknown_not_success() -> None:
    with EscPosSimulator() as printer:
        printer.silent = True
        with pytest.raises(PrintUnconfirmed, match="did not answer"):
            print_packing_slip(printer.uri, SLIP, status_timeout_s=0.2)
        assert b"Blue mug" in printer.received  # sent, but nobody can say it printed
