from __future__ import annotations

import pytest

from app.devices.weights import ScaleState, WeightReading, reading, to_grams


@pytest.mark.parametrize(
    ("value", "unit", "grams"),
    [
        ("1.234", "kg", 1234),
        ("-0.005", "kg", -5),
        ("250", "g", 250),
        ("2.5", "lb", 1134),
        ("16.0", "oz", 454),
        ("0.0005", "kg", 1),
        ("+12.0", "g", 12),
    ],
)
def test_weights_convert_to_integer_grams_rounding_half_up(value: str, unit: str, grams: int) -> None:
    assert to_grams(value, unit) == grams


@pytest.mark.parametrize(("value", "unit"), [("1.2", "stone"), ("1..2", "kg"), ("", "kg"), ("1e3", "g"), ("--1", "g")])
def test_bad_numbers_and_unknown_units_are_refused(value: str, unit: str) -> None:
    with pytest.raises(ValueError):
        to_grams(value, unit)


def test_only_stable_and_zero_readings_count_as_stable() -> None:
    assert reading(0, stable=True).state is ScaleState.ZERO
    assert reading(10, stable=True).is_stable
    assert not reading(10, stable=False).is_stable
    assert not WeightReading(ScaleState.OVERLOAD).is_stable
    assert reading(10, stable=False).describe() == "in motion (10 g)"
    assert reading(10, stable=True).describe() == "10 g stable"
