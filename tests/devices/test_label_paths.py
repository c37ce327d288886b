"""Every label path, at 203, 300 and 600 dpi, on 4x6, 4x4 and 2x1 labels: the ZPL's ^PW/^LL are the profile's, every
element lies inside the label with its barcode quiet zones, and the project's preview of the label
decodes with an independent reader (zxing-cpp) to the data that was printed.

Zebra ZPL II Programming Guide, ^PW "Print Width": "^PWa  a = label width (in dots)"; ^LL "Label Length":
"^LLy  y = y-axis position (in dots)". ^MU: "Assume 8 dot/millimeter (203 dot/inch) printer" — so the
"300 dpi" head is 12 dots/mm and a 4x6 label there is ^PW1218 ^LL1827.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
import zxingcpp

from app.bench.cards import PACK_COMMANDS, RETURN_COMMANDS, bench_cards
from app.bench.labels import LabelRefused, LocalFallbackLabels
from app.bench.model import PackOrder
from app.carriers.table_rate import is_valid_s10, s10_tracking_number
from app.devices.cli import test_label as make_test_label
from app.devices.labels.preview import render_preview
from app.domain.orders import Address
from app.printing.fit import QUIET_MODULES, LabelDoesNotFit, bounds, check_fits
from app.printing.layout import Code128, Label, dots
from app.printing.profile import PrinterProfile
from app.printing.shipping import ShippingContent, shipping_label_layout
from app.printing.zpl import render_zpl

DPIS = (203, 300, 600)
TRACKING = s10_tracking_number("RR", 1, "GB")
SIZES = ("4x6", "4x4", "2x1")
PW_LL = re.compile(rb"\^PW(\d+)\^LL(\d+)")
EXPECTED = {  # (dpi, size) → (^PW, ^LL)
    (203, "4x6"): (812, 1218),
    (300, "4x6"): (1218, 1827),
    (600, "4x6"): (2436, 3654),
    (203, "4x4"): (812, 812),
    (300, "4x4"): (1218, 1218),
    (600, "4x4"): (2436, 2436),
    (203, "2x1"): (406, 203),
    (300, "2x1"): (609, 305),
    (600, "2x1"): (1218, 609),
}
TO = Address("Ana Müller", "Hauptstraße 12", "Berlin", "10115", "DE", company="Müller & Söhne GmbH")
FROM = Address("Packbench Ltd", "Unit 4 Dock Rd", "Leeds", "LS10 1AA", "GB")
ORDER = PackOrder(
    "PB0000042",
    "packed",
    {"SKU-1": 1},
    ship_to={
        "name": "Ana Müller",
        "line1": "Hauptstraße 12",
        "city": "Berlin",
        "postcode": "10115",
        "country": "DE",
        "company": "Müller & Söhne GmbH",
    },
)


def carrier_label(profile: PrinterProfile) -> list[Label]:
    """What the hub's table-rate carrier (and so every hub label and reprint of it) lays out."""
    content = ShippingContent("localcourier", "Economy", TRACKING, FROM, TO, 1500, "PB0000042")
    return [shipping_label_layout(content, profile)]


def fallback_label(profile: PrinterProfile) -> list[Label]:
    try:
        return [LocalFallbackLabels("BENCH-1", profile).layout(ORDER, {"parcel_no": 1, "weight_g": 1500})]
    except LabelRefused as exc:
        raise LabelDoesNotFit(str(exc)) from exc


def cards(profile: PrinterProfile) -> list[Label]:
    return bench_cards("PACKING", PACK_COMMANDS, profile) + bench_cards("RETURNS", RETURN_COMMANDS, profile)


def the_test_label(profile: PrinterProfile) -> list[Label]:
    return [make_test_label(profile.size, profile.dpi)]


PATHS: dict[str, Callable[[PrinterProfile], list[Label]]] = {
    "carrier": carrier_label,
    "fallback": fallback_label,
    "bench card": cards,
    "test label": the_test_label,
}
SHIPPING = {"carrier", "fallback"}


def decoded(label: Label, dpi: int) -> list[str]:
    return sorted(
        r.text for r in zxingcpp.read_barcodes(render_preview(label, dpi)) if r.format == zxingcpp.BarcodeFormat.Code128
    )


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("dpi", DPIS)
@pytest.mark.parametrize("path", list(PATHS))
def test_every_label_path_renders_for_the_profile_inside_the_label_and_decodes(path: str, dpi: int, size: str) -> None:
    profile = PrinterProfile(dpi=dpi, size=size)
    if path in SHIPPING and size == "2x1":
        with pytest.raises(LabelDoesNotFit, match="needs 4x4 or 4x6 labels"):
            PATHS[path](profile)
        return
    labels = PATHS[path](profile)
    assert labels
    for label in labels:
        zpl = render_zpl(label, profile=profile)
        m = PW_LL.search(zpl)
        assert m is not None and (int(m.group(1)), int(m.group(2))) == EXPECTED[dpi, size]
        check_fits(label, dpi)  # inside the label, quiet zones clear (raises otherwise)
        width, height = EXPECTED[dpi, size]
        for el in label.elements:
            x0, y0, x1, y1 = bounds(el, dpi)
            assert x0 >= 0 and y0 >= 0 and x1 <= width and y1 <= height, el
        barcodes = sorted(el.data for el in label.elements if isinstance(el, Code128))
        assert barcodes and decoded(label, dpi) == barcodes


@pytest.mark.parametrize("dpi", DPIS)
@pytest.mark.parametrize("size", SIZES)
def test_every_barcode_keeps_ten_modules_clear_on_both_sides(dpi: int, size: str) -> None:
    # ISO/IEC 15417 (Code 128) §4.3.3: "The minimum width of the quiet zone is 10X" either side.
    profile = PrinterProfile(dpi=dpi, size=size)
    labels = cards(profile) + the_test_label(profile)
    if size != "2x1":
        labels += carrier_label(profile) + fallback_label(profile)
    width = EXPECTED[dpi, size][0]
    for label in labels:
        for el in label.elements:
            if isinstance(el, Code128):
                x0, _, x1, _ = bounds(el, dpi)
                qz = QUIET_MODULES * dots(el.module_mm, dpi)
                assert x0 >= qz and width - x1 >= qz, (el.data, x0, width - x1, qz)


def test_the_2x1_test_label_that_had_16_and_21_dots_clear_now_has_its_quiet_zones() -> None:
    label = make_test_label("2x1", 203)
    bars = next(el for el in label.elements if isinstance(el, Code128))
    x0, _, x1, _ = bounds(bars, 203)
    module = dots(bars.module_mm, 203)
    assert x0 >= 10 * module and 406 - x1 >= 10 * module


def test_a_barcode_against_the_edge_is_refused_not_printed() -> None:
    from app.printing.layout import LABEL_2X1

    with pytest.raises(LabelDoesNotFit, match="quiet zone"):
        render_zpl(Label(LABEL_2X1, (Code128(2, 7, "PB000001", height_mm=10),)), 203)


def test_the_tracking_number_on_the_carrier_label_is_a_valid_s10_and_decodes() -> None:
    label = carrier_label(PrinterProfile(dpi=300))[0]
    assert decoded(label, 300) == [TRACKING] and is_valid_s10(TRACKING)


def test_bench_card_command_prints_every_card_page_for_the_printers_profile(tmp_path: object) -> None:
    from app.cli import main
    from app.devices.sim import ZebraSimulator

    with ZebraSimulator() as printer:
        assert main(["bench-card", "--printer", printer.uri, "--dpi", "300", "--size", "2x1"]) == 0
        assert printer.wait_printed(15, timeout_s=20)  # one command a label on 2x1: 5 pack + 10 returns
    assert len(printer.printed) == 15 and all(b"^PW609^LL305" in job for job in printer.printed)


def test_the_settings_profile_is_what_the_bench_sends() -> None:
    from app.bench.settings import BenchSettings

    s = BenchSettings(printer_dpi=600, label_size="4x4", extra={"printer_unicode_font": "E:NOTOSANS.TTF"})
    assert s.printer_profile() == PrinterProfile(dpi=600, size="4x4", unicode_font="E:NOTOSANS.TTF")
