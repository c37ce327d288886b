import pytest

from app.domain.barcodes import CodeKind, classify, gtin_check_digit, normalize_gtin, product_code_key
from app.domain.errors import InvalidBarcode


def test_gtin13_check_digit_matches_a_real_ean() -> None:
    assert gtin_check_digit("400638133393") == 1  # 4006381333931


def test_upc_and_ean_forms_of_one_product_share_a_key() -> None:
    assert product_code_key("036000291452") == product_code_key("0036000291452") == "00036000291452"


def test_wrong_check_digit_is_refused_with_the_expected_digit() -> None:
    with pytest.raises(InvalidBarcode, match="expected 1"):
        normalize_gtin("4006381333932")


@pytest.mark.parametrize(
    ("raw", "kind", "value"),
    [
        ("PB000123", CodeKind.ORDER, "PB000123"),
        ("rma-0000042", CodeKind.RMA, "RMA-0000042"),
        ("TOTE-A12", CodeKind.TOTE, "TOTE-A12"),
        ("CMD:COMPLETE", CodeKind.COMMAND, "COMPLETE"),
        ("4006381333931", CodeKind.GTIN, "04006381333931"),
        ("SKU-RED-1", CodeKind.OTHER, "SKU-RED-1"),
    ],
)
def test_scans_are_classified_by_shape(raw: str, kind: CodeKind, value: str) -> None:
    code = classify(raw)
    assert (code.kind, code.value) == (kind, value)


def test_gtin_length_digits_with_bad_check_digit_are_not_taken_for_anything_else() -> None:
    with pytest.raises(InvalidBarcode):
        classify("4006381333932")


def test_control_characters_are_refused() -> None:
    with pytest.raises(InvalidBarcode, match="control"):
        classify("ABC\x07")
