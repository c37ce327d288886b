from __future__ import annotations

from pathlib import Path

from app.bench.cards import PACK_COMMANDS, RETURN_COMMANDS, pack_card
from app.bench.packing import PackCommand
from app.cli import main
from app.devices.sim.zebra_sim import ZebraSimulator
from app.domain.barcodes import CodeKind, classify
from app.domain.returns import Condition, Disposition
from app.printing.layout import Code128


def test_every_pack_card_barcode_is_a_command_the_pack_session_knows() -> None:
    codes = [el.data for el in pack_card().elements if isinstance(el, Code128)]
    assert len(codes) == len(PACK_COMMANDS)
    for code in codes:
        scanned = classify(code)
        assert scanned.kind == CodeKind.COMMAND
        PackCommand(scanned.value)  # raises for a word the pack session would refuse


def test_every_returns_card_word_is_a_grade_a_disposition_or_done() -> None:
    known = {c.name for c in Condition} | {d.name for d in Disposition} | {"DONE"}
    assert {word for word, _ in RETURN_COMMANDS} <= known


def test_bench_cards_print_on_the_label_printer_and_save_as_images(tmp_path: Path) -> None:
    with ZebraSimulator() as printer:
        assert main(["bench-card", "--printer", printer.uri, "--out", str(tmp_path)]) == 0
        assert printer.wait_printed(2, timeout_s=10)
    assert all(job.startswith(b"^XA") and job.rstrip().endswith(b"^XZ") for job in printer.printed)
    assert (tmp_path / "pack-card.png").read_bytes()[:4] == b"\x89PNG"
