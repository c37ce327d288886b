"""Label printer transports: TCP 9100 with ~HS checks, the print spool, files, the OS queue (CUPS)."""

from __future__ import annotations

import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.devices.errors import PrinterNotReady, PrintUnconfirmed
from app.devices.labels import LABEL_4X6, Label, Text, render_zpl
from app.devices.printers import (
    FileLabelPrinter,
    JobState,
    PrintSpool,
    QueueLabelPrinter,
    TcpLabelPrinter,
    open_label_printer,
    parse_host_status,
)
from app.devices.printers.status import PrinterStatus, format_host_status
from app.devices.sim import ZebraSimulator

LABEL = render_zpl(Label(LABEL_4X6, (Text(5, 5, "Order PB123456"),)))


def printer_for(sim: ZebraSimulator, timeout_s: float = 3.0) -> TcpLabelPrinter:
    return TcpLabelPrinter(sim.host, sim.port, timeout_s=timeout_s, settle_s=10.0)


# -- ~HS --------------------------------------------------------------------------------------


def test_host_status_flags_are_decoded() -> None:
    status = PrinterStatus(True, False, 2, False, True, False, 2)
    got = parse_host_status(format_host_status(status))
    assert got == status
    assert got.faults == ["Printer paper out: load labels", "Printer head open: close the lid"]


@pytest.mark.parametrize(
    "answer",
    [b"", b"\x02030,1,0\x03", b"garbage", format_host_status(PrinterStatus(*[False] * 2, 0, *[False] * 3, 0))[:40]],
)
def test_incomplete_or_garbled_status_is_refused(answer: bytes) -> None:
    with pytest.raises(ValueError):
        parse_host_status(answer)


def test_a_status_flag_that_is_not_0_or_1_is_refused() -> None:
    good = format_host_status(PrinterStatus(False, False, 0, False, False, False, 0))
    with pytest.raises(ValueError):
        parse_host_status(good.replace(b"030,0,", b"030,7,", 1))


# -- TCP --------------------------------------------------------------------------------------


def test_a_ready_printer_prints_the_label_once(zebra: ZebraSimulator) -> None:
    printer_for(zebra).send(LABEL)
    assert zebra.printed == [LABEL]


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        ("set_paper_out", "paper out"),
        ("set_head_open", "head open"),
        ("set_paused", "paused"),
        ("set_buffer_full", "buffer full"),
    ],
)
def test_a_fault_before_the_job_sends_nothing(zebra: ZebraSimulator, fault: str, message: str) -> None:
    getattr(zebra, fault)(True)
    with pytest.raises(PrinterNotReady, match=message):
        printer_for(zebra).send(LABEL)
    assert zebra.printed == [] and zebra.buffered == []


def test_a_printer_silent_while_faulted_counts_as_a_fault(zebra: ZebraSimulator) -> None:
    zebra.answer_when_faulted = False
    zebra.set_head_open(True)
    with pytest.raises(PrinterNotReady, match="does not answer"):
        printer_for(zebra, timeout_s=0.5).send(LABEL)
    assert zebra.printed == [] and zebra.buffered == []


def test_an_unreachable_printer_is_not_ready() -> None:
    with ZebraSimulator() as sim:
        host, port = sim.host, sim.port
    with pytest.raises(PrinterNotReady, match="not reachable"):
        TcpLabelPrinter(host, port, timeout_s=1).send(LABEL)


def test_paper_out_leaves_the_job_pending_and_it_prints_exactly_once_after(zebra: ZebraSimulator) -> None:
    spool = PrintSpool(printer_for(zebra))
    zebra.set_paper_out(True)
    job = spool.submit(LABEL)
    assert job.state is JobState.PENDING and "paper out" in job.error
    assert spool.retry() == [job]  # still out of paper: still pending, still nothing printed
    assert zebra.printed == []
    zebra.set_paper_out(False)
    assert spool.retry() == []
    assert job.state is JobState.PRINTED
    spool.retry()
    assert zebra.printed == [LABEL]


def test_a_fault_after_sending_holds_the_job_and_never_resends_it(zebra: ZebraSimulator) -> None:
    spool = PrintSpool(printer_for(zebra))
    zebra.paper_runs_out_after(0)  # the label reaches the printer just as the roll ends
    job = spool.submit(LABEL)
    assert job.state is JobState.HELD and "do not print it again" in job.error
    assert zebra.buffered == [LABEL]
    spool.retry()
    assert job.state is JobState.HELD and zebra.printed == []
    zebra.set_paper_out(False)  # new roll: the waiting label comes out now
    spool.retry()
    assert job.state is JobState.PRINTED
    spool.retry()
    assert zebra.printed == [LABEL]


def test_a_known_job_id_is_not_printed_twice(zebra: ZebraSimulator) -> None:
    spool = PrintSpool(printer_for(zebra))
    spool.submit(LABEL, job_id="order-1")
    spool.submit(LABEL, job_id="order-1")
    assert zebra.printed == [LABEL]


def _wait(condition: object, timeout_s: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():  # type: ignore[operator]
            return True
        time.sleep(0.01)
    return False


# -- file -------------------------------------------------------------------------------------


def test_a_folder_gets_one_file_per_label(tmp_path: Path) -> None:
    printer = open_label_printer(f"file:{tmp_path}")
    printer.send(LABEL)
    printer.send(LABEL)
    files = sorted(tmp_path.iterdir())
    assert [f.read_bytes() for f in files] == [LABEL, LABEL]


def test_a_file_is_appended_to(tmp_path: Path) -> None:
    target = tmp_path / "out.zpl"
    FileLabelPrinter(target).send(LABEL)
    FileLabelPrinter(target).send(LABEL)
    assert target.read_bytes() == LABEL + LABEL


def test_an_unwritable_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(PrinterNotReady, match="Cannot write labels"):
        FileLabelPrinter(tmp_path / "missing" / "out.zpl").send(LABEL)


def test_printer_uris_pick_their_transport() -> None:
    assert isinstance(open_label_printer("tcp://10.0.0.5:9100"), TcpLabelPrinter)
    assert isinstance(open_label_printer("queue:Zebra"), QueueLabelPrinter)
    with pytest.raises(ValueError):
        open_label_printer("usb:1")


# -- OS print queue ---------------------------------------------------------------------------


def test_lpr_refusing_a_job_is_reported_not_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "lpr"
    fake.write_text("#!/bin/sh\ncat >/dev/null\necho 'lpr: The printer or class does not exist.' >&2\nexit 1\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:/usr/bin:/bin")
    with pytest.raises(PrinterNotReady, match="does not exist"):
        QueueLabelPrinter("nope").send(LABEL)


def test_the_queue_gets_the_exact_bytes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "lpr"
    out = tmp_path / "job"
    fake.write_text(f'#!/bin/sh\necho "$@" > {out}.args\ncat > {out}\n')
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:/usr/bin:/bin")
    label = render_zpl(Label(LABEL_4X6, (Text(5, 5, "Grüße"),)))
    QueueLabelPrinter("Zebra").send(label)
    assert out.read_bytes() == label
    assert out.with_suffix(".args").read_text().split() == ["-PZebra", "-oraw"]


def _cups_available() -> str | None:
    for tool in ("cupsd", "lpadmin", "lpr", "lpstat"):
        if shutil.which(tool) is None:
            return f"CUPS is not installed ({tool} missing); apt-get install cups cups-bsd to run this test"
    return None


def _scheduler_running() -> bool:
    done = subprocess.run(["lpstat", "-r"], capture_output=True, text=True, check=False)
    return "scheduler is running" in done.stdout


@pytest.fixture
def cups_queue(zebra: ZebraSimulator) -> Iterator[str]:
    reason = _cups_available()
    if reason:
        pytest.skip(reason)
    cupsd: subprocess.Popen[bytes] | None = None
    if not _scheduler_running():
        # Run our own scheduler in the foreground so that we stop exactly the process we started.
        cupsd = subprocess.Popen(["cupsd", "-f"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if (
            not _wait(lambda: _scheduler_running() or cupsd.poll() is not None, timeout_s=30)
            or not _scheduler_running()
        ):
            cupsd.terminate()
            err = cupsd.communicate(timeout=10)[1].decode(errors="replace").strip()
            pytest.skip(f"cupsd is installed but could not be started here: {err or 'no scheduler'}")
    name = f"packbench_test_{uuid.uuid4().hex[:8]}"
    added = subprocess.run(
        ["lpadmin", "-p", name, "-E", "-v", f"socket://{zebra.host}:{zebra.port}", "-m", "raw"],
        capture_output=True,
        text=True,
        check=False,
    )
    if added.returncode != 0:
        if cupsd is not None:
            cupsd.terminate()
        pytest.skip(f"CUPS refused a raw queue here: {added.stderr.strip()}")
    try:
        yield name
    finally:
        subprocess.run(["lpadmin", "-x", name], capture_output=True, check=False)
        if cupsd is not None:
            cupsd.terminate()
            cupsd.wait(timeout=30)


def test_a_label_goes_through_a_real_cups_raw_queue(cups_queue: str, zebra: ZebraSimulator) -> None:
    label = render_zpl(Label(LABEL_4X6, (Text(5, 5, "Grüße via CUPS ^XZ"),)))
    QueueLabelPrinter(cups_queue).send(label)
    assert zebra.wait_printed(1, timeout_s=60), "CUPS did not deliver the label to the printer"
    assert zebra.printed == [label]


def test_a_printer_that_falls_silent_after_the_job_holds_it_unconfirmed(zebra: ZebraSimulator) -> None:
    zebra.answer_when_faulted = False
    zebra.paper_runs_out_after(0)
    spool = PrintSpool(printer_for(zebra, timeout_s=0.5))
    job = spool.submit(LABEL)
    assert job.state is JobState.HELD and "stopped answering" in job.error
    zebra.set_paper_out(False)
    spool.retry()
    assert job.state is JobState.PRINTED and zebra.printed == [LABEL]


def test_send_raises_print_unconfirmed_when_the_label_is_stuck_in_the_printer(zebra: ZebraSimulator) -> None:
    zebra.paper_runs_out_after(0)
    with pytest.raises(PrintUnconfirmed, match="paper out"):
        printer_for(zebra).send(LABEL)
    assert zebra.buffered == [LABEL]
