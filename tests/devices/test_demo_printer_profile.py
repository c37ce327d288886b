"""``packbench demo --headless`` with a 300-dpi printer profile prints every shipping label for it."""

from __future__ import annotations

import json

import pytest

from app.cli import main


@pytest.mark.slow
def test_the_headless_demo_at_300_dpi_prints_every_label_1218_dots_wide(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["demo", "--headless", "--json", "--orders", "6", "--printer-dpi", "300", "--cancellations", "0"])
    report = json.loads(capsys.readouterr().out)
    assert code == 0 and report["balanced"] and report["label_source"] == "hub"
    assert report["labels_printed"] >= 6 and report["label_widths"] == [1218]


def test_a_bad_printer_resolution_is_refused_by_the_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["demo", "--headless", "--printer-dpi", "250"])
    assert exc.value.code == 2 and "invalid choice: 250" in capsys.readouterr().err
