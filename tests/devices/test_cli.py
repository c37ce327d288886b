"""``packbench scale read`` and ``packbench print test`` against the simulators."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import main
from app.devices.sim import ScaleSimulator, ZebraSimulator


def test_scale_read_prints_the_grams_from_each_simulator(
    scale_sim: ScaleSimulator, capsys: pytest.CaptureFixture[str]
) -> None:
    scale_sim.set_weight(2468)
    code = main(["scale", "read", "--port", scale_sim.port, "--protocol", scale_sim.protocol, "--timeout", "5"])
    assert (code, capsys.readouterr().out) == (0, "2468 g stable\n")


def test_scale_read_reports_motion_with_its_own_exit_status(capsys: pytest.CaptureFixture[str]) -> None:
    with ScaleSimulator("nci") as sim:
        sim.set_weight(100)
        sim.set_motion(True)
        assert main(["scale", "read", "--port", sim.port, "--protocol", "nci", "--timeout", "5"]) == 2
        assert "in motion" in capsys.readouterr().out


def test_scale_read_as_a_process_prints_the_weight() -> None:
    with ScaleSimulator("sics") as sim:
        sim.set_weight(1000)
        done = subprocess.run(
            [sys.executable, "-m", "app", "scale", "read", "--port", sim.port, "--protocol", "sics"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    assert (done.returncode, done.stdout) == (0, "1000 g stable\n")


def test_scale_read_on_a_silent_port_fails_with_a_clear_message(capsys: pytest.CaptureFixture[str]) -> None:
    with ScaleSimulator("sics") as sim:
        sim.silence(True)
        code = main(["scale", "read", "--port", sim.port, "--protocol", "sics"])  # default: 2 s
    err = capsys.readouterr().err
    assert code == 1
    assert "not answering" in err and sim.port in err


def test_scale_read_on_a_missing_port_fails_with_a_clear_message(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scale", "read", "--port", "/dev/does-not-exist", "--protocol", "cas"]) == 1
    assert "not connected on /dev/does-not-exist" in capsys.readouterr().err


def test_print_test_over_tcp_prints_one_label(zebra: ZebraSimulator, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["print", "test", "--printer", zebra.uri]) == 0
    assert len(zebra.printed) == 1
    assert zebra.printed[0].startswith(b"^XA^CI28")


def test_print_test_with_paper_out_fails_and_prints_nothing(
    zebra: ZebraSimulator, capsys: pytest.CaptureFixture[str]
) -> None:
    zebra.set_paper_out(True)
    assert main(["print", "test", "--printer", zebra.uri]) == 1
    assert "paper out" in capsys.readouterr().err
    assert zebra.printed == [] and zebra.buffered == []


def test_print_test_to_a_file_writes_zpl(tmp_path: Path) -> None:
    target = tmp_path / "labels.zpl"
    assert main(["print", "test", "--printer", f"file:{target}", "--dpi", "300", "--size", "4x4"]) == 0
    assert target.read_bytes().startswith(b"^XA^CI28^PW1218^LL1218")  # 4x4 at 12 dots/mm


def test_print_test_with_an_unknown_uri_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["print", "test", "--printer", "lpt1"]) == 1
    assert "unknown printer URI" in capsys.readouterr().err


def test_devices_list_names_each_kind(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["devices", "list"]) == 0
    out = capsys.readouterr().out
    assert "Serial ports:" in out and "Print queues:" in out and "USB HID scales:" in out


def test_print_test_on_an_escpos_network_printer_sends_a_packing_slip(capsys: pytest.CaptureFixture[str]) -> None:
    from app.devices.sim.escpos_sim import EscPosSimulator

    with EscPosSimulator() as printer:
        assert main(["print", "test", "--printer", printer.uri]) == 0
        assert b"PACKING SLIP" in printer.received and b"Test item" in printer.received
    assert "Test packing slip printed" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("fault", "words"),
    [("paper_end", "out of paper"), ("cover_open", "cover open"), ("silent", "did not answer")],
)
def test_print_test_on_a_faulted_or_silent_escpos_printer_fails_with_the_reason(
    fault: str, words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from app.devices.sim.escpos_sim import EscPosSimulator

    with EscPosSimulator() as printer:
        setattr(printer, fault, True)
        assert main(["print", "test", "--printer", printer.uri]) == 1
    captured = capsys.readouterr()
    assert "printed" not in captured.out and words in captured.err
    assert captured.err.startswith("error: ") and "error: error:" not in captured.err


def test_scale_read_for_a_hid_scale_without_hidapi_names_the_missing_library(
    capsys: pytest.CaptureFixture[str],
) -> None:
    try:
        import hid  # noqa: F401
    except ImportError:
        pass
    else:
        pytest.skip("hidapi is installed here; this pins the message for machines without it")
    assert main(["scale", "read", "--port", "0922:8003", "--protocol", "hid"]) == 1
    assert "hidapi" in capsys.readouterr().err
