"""What the shipping label shows: long address lines wrap or shrink inside the label (or are refused),
the company is printed, and text beyond Latin is printed with the profile's Unicode font.

Zebra ZPL II Programming Guide, ^A@ "Use Font Name to Call Font": "^A@o,h,w,d:o.x" — o orientation,
h height and w width in dots, d:o.x the font's drive, name and extension (e.g. E:NOTOSANS.TTF); font
^A0 (CG Triumvirate) has no CJK or Cyrillic glyphs and prints them as empty boxes.
"""

from __future__ import annotations

import re

import pytest
import zxingcpp

from app.devices.labels.preview import render_preview
from app.domain.orders import Address
from app.printing.fit import LabelDoesNotFit, bounds, check_fits
from app.printing.layout import Text, label_dots
from app.printing.profile import PrinterProfile
from app.printing.shipping import ShippingContent, shipping_label_layout
from app.printing.zpl import NeedsUnicodeFont, render_zpl
from tests.carriers.test_hub_shipping import RecordingSink
from tests.carriers.test_label_profiles import label
from tests.hub.conftest import Hub
from tests.hub.test_queue_and_events import packed_event, post

FROM = Address("Packbench Ltd", "Unit 4 Dock Rd", "Leeds", "LS10 1AA", "GB")
FONT = "E:NOTOSANSJP.TTF"
FIELD = re.compile(rb"\^FO\d+,\d+(\^A[^\^]*)\^FH_\^FD([^\^]*)\^FS")


def content(to: Address) -> ShippingContent:
    return ShippingContent("localcourier", "Economy", "RR000000013GB", FROM, to, 1200, "PB0000042")


def fonts_by_text(zpl: bytes) -> dict[str, str]:
    def unescape(b: bytes) -> str:
        return re.sub(rb"_([0-9A-F]{2})", lambda m: bytes([int(m.group(1), 16)]), b).decode("utf-8")

    return {unescape(text): font.decode() for font, text in FIELD.findall(zpl)}


def printed_text(profile: PrinterProfile, to: Address) -> str:
    layout = shipping_label_layout(content(to), profile)
    return " ".join(el.text for el in layout.elements if isinstance(el, Text))


@pytest.mark.parametrize("dpi", [203, 300, 600])
@pytest.mark.parametrize("size", ["4x6", "4x4"])
def test_a_44_character_address_line_wraps_inside_the_label_and_nothing_is_lost(dpi: int, size: str) -> None:
    line = "Flat 12, Building 7, 221B Long Street Estate"  # 44 characters: ran off a 4x6 at 203 dpi
    assert len(line) == 44
    to = Address("Ada Lovelace", line, "London", "SW1A 1AA", "GB")
    profile = PrinterProfile(dpi=dpi, size=size)
    layout = shipping_label_layout(content(to), profile)
    check_fits(layout, dpi)
    width, height = label_dots(layout.size, dpi)
    assert all(bounds(el, dpi)[2] <= width and bounds(el, dpi)[3] <= height for el in layout.elements)
    assert all(word in printed_text(profile, to).split() for word in line.split())
    decoded = [r.text for r in zxingcpp.read_barcodes(render_preview(layout, dpi))]
    assert "RR000000013GB" in decoded


def test_an_address_line_that_cannot_fit_even_small_is_refused_naming_it() -> None:
    to = Address("Ada", "x" * 120 + " " + "y" * 80, "London", "SW1A 1AA", "GB")  # the API allows 200
    with pytest.raises(LabelDoesNotFit, match=r"does not fit 4x6 at 203 dpi.*xxxx"):
        shipping_label_layout(content(to), PrinterProfile())


def test_the_company_is_printed_under_the_name() -> None:
    to = Address("Ada Lovelace", "1 Park Row", "London", "SW1A 1AA", "GB", company="Analytical Engines Ltd")
    text = printed_text(PrinterProfile(), to)
    assert "Ada Lovelace Analytical Engines Ltd 1 Park Row" in text


JAPANESE = Address("山田 太郎", "千代田区千代田1-1", "東京都", "100-8111", "JP", company="株式会社パックベンチ")
CYRILLIC = Address(
    "Иван Петров",
    "ул. Тверская, д. 7",
    "Москва",
    "125009",
    "RU",
    company="\u041e\u041e\u041e \u0420\u043e\u043c\u0430\u0448\u043a\u0430",  # OOO Romashka
)


@pytest.mark.parametrize("to", [JAPANESE, CYRILLIC], ids=["japanese", "cyrillic"])
def test_non_latin_addresses_print_with_the_profiles_unicode_font(to: Address) -> None:
    foreign = to.name
    profile = PrinterProfile(dpi=300, unicode_font=FONT)
    zpl = render_zpl(shipping_label_layout(content(to), profile), profile=profile)
    fonts = fonts_by_text(zpl)
    assert fonts[foreign].startswith("^A@N,") and fonts[foreign].endswith(FONT)
    assert fonts["TO"].startswith("^A0N,")  # Latin text keeps the printer's own font
    for field in (to.name, to.company, to.line1, to.city):  # nothing missing
        assert any(field in text for text in fonts), field
    with pytest.raises(NeedsUnicodeFont, match="Unicode font"):
        render_zpl(shipping_label_layout(content(to), PrinterProfile()), profile=PrinterProfile())


def test_the_hub_refuses_a_japanese_label_for_a_printer_without_the_font_and_prints_it_with_one(hub: Hub) -> None:
    from app.hub.services.shipping import ShippingConfig
    from tests.carriers.conftest import make_courier

    hub.client.app.state.shipping = ShippingConfig(  # type: ignore[union-attr]
        carriers=[make_courier()], channels={"web": RecordingSink()}
    )
    station = hub.scene(orders=0)
    ship_to = {
        "name": "山田 太郎",
        "company": "株式会社パックベンチ",
        "line1": "1 Park Row",
        "city": "London",
        "postcode": "SW1A 1AA",
        "country": "GB",
    }
    hub.order("jp-1", {"A": 1, "B": 2}, ship_to=ship_to)
    number = hub.lease(station)["orders"][0]["number"]
    assert post(hub, station, [packed_event(number)])[0]["status"] == "applied"
    refused = label(hub, station, number, {"dpi": 203})
    assert refused.status_code == 422 and "Unicode font" in refused.json()["error"]
    ok = label(hub, station, number, {"dpi": 203, "unicode_font": FONT})
    assert ok.status_code == 200, ok.text
    fonts = fonts_by_text(ok.json()["zpl"].encode())
    assert fonts["山田 太郎"].endswith(FONT) and fonts["株式会社パックベンチ"].endswith(FONT)


def test_japanese_text_is_measured_a_full_em_a_character_so_it_wraps_before_the_edge() -> None:
    from app.printing.fit import text_width_mm

    assert text_width_mm("山田太郎", 5.0) == 20.0  # four wide characters at 5 mm
    long_line = "東京都千代田区千代田一丁目一番一号皇居東御苑管理事務所気付"  # 29 characters: 160 mm at 5.5 mm
    to = Address("山田 太郎", long_line, "東京都", "100-8111", "JP")
    profile = PrinterProfile(unicode_font=FONT)
    layout = shipping_label_layout(content(to), profile)
    check_fits(layout, 203)
    assert "".join(el.text for el in layout.elements if isinstance(el, Text)).count("千代田区") == 1
