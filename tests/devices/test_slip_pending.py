"""A packing slip stays pending until the receipt printer confirms it (DLE EOT after the job), and the
status bar says why it waits."""

from __future__ import annotations

from pathlib import Path

from pytestqt.qtbot import QtBot

from app.bench.compose import open_bench
from app.bench.feedback import FeedbackKind as K
from app.bench.packing import PackState
from app.demo.embedded_hub import EmbeddedHub
from app.devices.receipts import PackingSlip, SlipLine, print_packing_slip
from app.devices.sim.escpos_sim import EscPosSimulator
from app.ui.widgets.statusbar import BenchStatusBar
from tests.bench.conftest import demo_hub  # noqa: F401  (fixture)
from tests.bench.test_engine_with_hub import bench, pack_all_items, weigh_ok

SLIP = PackingSlip("PB0000007", ("Ada",), (SlipLine("A", "Mug", 1),))


def test_a_slip_waits_while_the_paper_is_out_and_prints_when_it_is_back(tmp_path: Path) -> None:
    with EscPosSimulator() as printer:
        engine = open_bench(
            tmp_path, hub_url="http://127.0.0.1:9", slip_printer=lambda s: print_packing_slip(printer.uri, s)
        )
        try:
            printer.set_paper_end(True)
            engine.slips.add(SLIP)
            assert list(engine.slips.pending) == ["PB0000007"] and printer.jobs == []
            assert "out of paper" in engine.status.state.slip_printer
            printer.set_paper_end(False)
            assert engine.slips.still_waiting("PB0000007") is False  # tried again: printed now
            assert engine.slips.pending == {} and engine.status.state.slip_printer == ""
            assert len(printer.jobs) == 1 and b"Mug" in printer.jobs[0]
        finally:
            engine.close()


def test_the_status_bar_shows_why_slips_wait_and_hides_when_none_does(qtbot: QtBot) -> None:
    bar = BenchStatusBar()
    qtbot.addWidget(bar)
    bar.show()
    bar.set_slip_printer("1 slip(s) waiting: receipt printer cover open: close it")
    assert bar.slip.isVisible() and "cover open" in bar.slip.text()
    bar.set_slip_printer("")
    assert not bar.slip.isVisible()


def test_the_status_bar_says_why_a_label_could_not_be_made_for_this_printer(qtbot: QtBot) -> None:
    bar = BenchStatusBar()
    qtbot.addWidget(bar)
    bar.show()
    bar.set_label_refused("label for PB1/1: '山田 太郎' needs a Unicode font that this printer profile does not name")
    assert bar.label_problem.isVisible() and "Unicode font" in bar.label_problem.text()
    bar.set_label_refused("")
    assert not bar.label_problem.isVisible()


def test_slip_done_is_refused_while_the_slip_has_not_printed_and_accepted_once_it_has(
    demo_hub: EmbeddedHub,  # noqa: F811
    tmp_path: Path,
) -> None:
    with EscPosSimulator() as slips:
        e = bench(demo_hub, tmp_path, slip_printer=lambda s: print_packing_slip(slips.uri, s), labels="local-fallback")
        slips.set_paper_end(True)
        e.lease(2)
        number = e.orders_to_pack()[0].number
        pack_all_items(e, number)
        assert weigh_ok(e).kind == K.LABEL_PRINTED  # type: ignore[attr-defined]
        assert number in e.slips.pending and "out of paper" in e.status.state.slip_printer
        refused = e.scan("CMD:SLIP_DONE")
        assert not refused.accepted and "has not printed" in refused.message and e.pack.state == PackState.SLIP
        slips.set_paper_end(False)
        assert e.scan("CMD:SLIP_DONE").kind == K.DONE
        assert len(slips.jobs) == 1 and number.encode() in slips.jobs[0]
        e.close()
