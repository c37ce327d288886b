"""``packbench hub import-csv`` at the edges of files, as a real process: each bad file is one clear
line on stderr (row errors on their row), a non-zero exit, no traceback, and nothing stored."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.channels.test_import_csv_cli import HEADER, db, orders_in

__all__ = ["db"]  # the fixture, imported for these tests

ROOT = Path(__file__).resolve().parents[2]
ROW = "{id},A,{qty},{name},1 Row,Leeds,LS1 5AB,GB\n"


def run(db_url: str, path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app", "hub", "import-csv", str(path), "--db", db_url],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def messages(proc: subprocess.CompletedProcess[str]) -> list[str]:
    """stderr without the progress bar (its lines start with a carriage return)."""
    assert "Traceback" not in proc.stderr, proc.stderr
    return [ln for ln in proc.stderr.splitlines() if ln.strip() and "\r" not in ln and not ln.startswith("checking")]


def test_a_latin_1_file_is_refused_in_one_line(db: str, tmp_path: Path) -> None:
    path = tmp_path / "latin1.csv"
    path.write_bytes((HEADER + ROW.format(id=1, qty=1, name="José")).encode("latin-1"))
    proc = run(db, path)
    assert proc.returncode == 1
    assert messages(proc) == [
        f"packbench: {path}: the file is not UTF-8 text (byte 0xE9 at offset {len(HEADER) + 9}; "
        "perhaps Latin-1 or Windows-1252): save it as CSV UTF-8"
    ]
    assert orders_in(db) == 0


def test_a_utf_16_file_is_refused_in_one_line(db: str, tmp_path: Path) -> None:
    path = tmp_path / "utf16.csv"
    path.write_text(HEADER + ROW.format(id=1, qty=1, name="Ada"), encoding="utf-16")
    proc = run(db, path)
    assert proc.returncode == 1
    assert messages(proc) == [f"packbench: {path}: the file looks like UTF-16 text: save it as CSV UTF-8"]
    assert orders_in(db) == 0


def test_a_missing_file_is_refused_in_one_line(db: str, tmp_path: Path) -> None:
    proc = run(db, tmp_path / "nowhere.csv")
    assert proc.returncode == 1
    assert messages(proc) == [f"packbench: cannot read {tmp_path / 'nowhere.csv'}: No such file or directory"]


@pytest.mark.parametrize(
    ("row", "error"),
    [
        (ROW.format(id=1, qty=1, name="N" * 200_000), "row 3: cannot read this row (field larger than field limit"),
        (ROW.format(id="9" * 100_000, qty=1, name="Ada"), "row 3, column order_id: 100000 characters, at most 100"),
        (ROW.format(id=1, qty=10**20, name="Ada"), f"row 3, column quantity: {10**20} is not between 1 and 10000"),
        (ROW.format(id=1, qty=1, name="A\x00da"), "row 3, column ship_name: contains a NUL character"),
        (
            "1,A,1,Ada,1 Row,Leeds,LS1 5AB,GB,1e999999999\n",
            "row 3, column unit_price: amount '1e999999999' is too large",
        ),
    ],
    ids=["200k-character field", "100k-character order id", "quantity 10^20", "NUL", "price 1e999999999"],
)
def test_an_oversized_or_impossible_cell_is_an_error_on_its_row_and_nothing_is_stored(
    db: str, tmp_path: Path, row: str, error: str
) -> None:
    path = tmp_path / "orders.csv"
    header = HEADER.rstrip("\n") + (",unit_price\n" if "1e999" in row else "\n")
    good = "2,A,1,Bob,2 Row,Leeds,LS1 5AB,GB" + (",1.00" if "1e999" in row else "") + "\n"
    path.write_text(header + good + row, encoding="utf-8")
    proc = run(db, path)
    assert proc.returncode == 1
    lines = messages(proc)
    assert lines[0].strip().startswith(error), lines
    assert lines[-1].startswith("nothing imported: 1 bad row(s) of")
    assert all(len(ln) < 300 for ln in lines)  # the 100,000 characters are not echoed back
    assert orders_in(db) == 0
