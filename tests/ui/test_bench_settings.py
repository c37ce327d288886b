from pathlib import Path

import pytest

from app.bench.settings import BenchSettings


def test_settings_round_trip_through_the_bench_file(tmp_path: Path) -> None:
    path = tmp_path / "bench" / "settings.json"
    s = BenchSettings(hub_url="https://hub.example:8765", printer_dpi=300, label_size="4x4", weight_tolerance_pct=3.5)
    s.save(path)
    assert BenchSettings.load(path) == s


def test_invalid_settings_are_refused_with_reasons_and_the_old_file_stays(tmp_path: Path) -> None:
    path = tmp_path / "settings.json"
    BenchSettings().save(path)
    before = path.read_text()
    with pytest.raises(ValueError, match="dpi must be one of 203, 300, 600"):
        BenchSettings(printer_dpi=250).save(path)
    assert path.read_text() == before


def test_a_missing_file_gives_defaults_and_unknown_keys_are_ignored(tmp_path: Path) -> None:
    assert BenchSettings.load(tmp_path / "none.json") == BenchSettings()
    path = tmp_path / "old.json"
    path.write_text('{"hub_url": "http://h:1", "retired_option": 3}')
    assert BenchSettings.load(path).hub_url == "http://h:1"
