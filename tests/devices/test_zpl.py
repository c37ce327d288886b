"""ZPL rendering, field escaping and carrier ZPL rescaling."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.devices.labels import (
    LABEL_2X1,
    LABEL_4X4,
    LABEL_4X6,
    Box,
    Code128,
    DataMatrix,
    Image,
    Label,
    MonoBitmap,
    QRCode,
    Text,
    escape_field,
    render_zpl,
    rescale_zpl,
)
from app.devices.sim import ZebraSimulator
from app.printing.profile import PrinterProfile

FIELD = re.compile(rb"\^FD(.*?)\^FS", re.S)
UNICODE = PrinterProfile(unicode_font="E:NOTOSANS.TTF")


def unescape(field: bytes) -> str:
    return re.sub(rb"_([0-9A-F]{2})", lambda m: bytes([int(m.group(1), 16)]), field).decode("utf-8")


def label_with(text: str) -> Label:
    return Label(
        LABEL_4X6,
        (Text(5, 5, text), DataMatrix(5, 40, text or "x"), QRCode(50, 40, text or "x"), Box(1, 1, 99, 150)),
    )


# Zebra ZPL II Programming Guide, ^MU "Set Units of Measurement": "Assume 8 dot/millimeter (203
# dot/inch) printer" — the heads are 8, 12 and 24 dots/mm ("203", "300", "600 dpi"). A 4x6 label is
# 812 x 1218 dots at 8 dots/mm, so 1218 x 1827 at 12 and 2436 x 3654 at 24 (not 1200 x 1800: 1.6 % small).
@pytest.mark.parametrize(
    ("size", "dpi", "pw", "ll"),
    [
        (LABEL_4X6, 203, 812, 1218),
        (LABEL_4X6, 300, 1218, 1827),
        (LABEL_4X6, 600, 2436, 3654),
        (LABEL_4X4, 203, 812, 812),
        (LABEL_4X4, 300, 1218, 1218),
        (LABEL_2X1, 203, 406, 203),
        (LABEL_2X1, 300, 609, 305),
        (LABEL_2X1, 600, 1218, 609),
    ],
)
def test_labels_render_at_the_printer_resolution(size: object, dpi: int, pw: int, ll: int) -> None:
    zpl = render_zpl(Label(size, (Text(0, 0, "x"),)), dpi)  # type: ignore[arg-type]
    assert zpl.startswith(b"^XA^CI28" + f"^PW{pw}^LL{ll}".encode())
    assert zpl.endswith(b"^XZ")


def test_element_positions_are_dots_per_millimetre() -> None:
    # ^FO in dots: 10 mm is 80 dots at 8 dots/mm, 120 at 12, 240 at 24
    for dpi, want in ((203, b"^FO80,80"), (300, b"^FO120,120"), (600, b"^FO240,240")):
        assert want in render_zpl(Label(LABEL_4X6, (Text(10, 10, "x"),)), dpi)


def test_unsupported_resolution_is_refused() -> None:
    with pytest.raises(ValueError, match="dpi"):
        render_zpl(label_with("x"), 150)


def test_customer_text_with_commands_is_hex_escaped() -> None:
    zpl = render_zpl(label_with("Ana ^XZ ~JR ^DF Müller"))
    assert b"~" not in zpl and zpl.count(b"^XZ") == 1
    assert b"Ana _5EXZ _7EJR _5EDF M_C3_BCller" in zpl


def test_code128_keeps_a_literal_greater_than_sign() -> None:
    zpl = render_zpl(Label(LABEL_4X6, (Code128(20, 1, "A>B"),)))
    assert unescape(FIELD.findall(zpl)[0]) == "A><B"


def test_code128_refuses_non_ascii() -> None:
    with pytest.raises(ValueError):
        Code128(1, 1, "Grüße")


def test_images_become_hex_graphic_fields_at_the_printer_resolution() -> None:
    bitmap = MonoBitmap(8, 2, (b"\xf0", b"\x0f"))
    zpl = render_zpl(Label(LABEL_4X6, (Image(0, 0, 2.0, bitmap),)), 203)  # 2 mm = 16 dots wide, 4 rows
    assert b"^GFA,8,8,2,FF00FF0000FF00FF^FS" in zpl


@settings(deadline=None)  # a loaded CI machine must not turn slowness into failure
@given(st.text(max_size=80))
def test_no_text_can_put_a_command_outside_its_field(text: str) -> None:
    # escaping, whatever the text's length and script (non-Latin text goes to the profile's ^A@ font)
    zpl = render_zpl(label_with(text), profile=UNICODE, check=False)
    assert zpl.count(b"~") == 1 and b"^PR4~SD15^" in zpl  # the profile's darkness, nothing else
    zpl = zpl.replace(b"~SD15", b"")
    assert zpl.startswith(b"^XA") and zpl.endswith(b"^XZ")
    assert zpl.count(b"^XA") == 1 and zpl.count(b"^XZ") == 1
    for field in FIELD.findall(zpl):
        assert b"^" not in field and b"~" not in field
    outside = FIELD.sub(b"", zpl)
    assert set(re.findall(rb"\^([A-Z0-9@]{2})", outside)) <= {
        b"XA",
        b"CI",
        b"PW",
        b"LL",
        b"LH",
        b"FO",
        b"A0",
        b"A@",
        b"MT",
        b"PR",
        b"FH",
        b"BX",
        b"BQ",
        b"GB",
        b"FS",
        b"XZ",
    }


@settings(deadline=None)  # a loaded CI machine must not turn slowness into failure
@given(st.text(max_size=80))
def test_escaped_fields_decode_back_to_the_text(text: str) -> None:
    assert unescape(escape_field(text).encode("ascii")) == text


def test_the_printer_simulator_shows_why_escaping_matters(zebra: ZebraSimulator) -> None:
    import socket

    evil = "x^XZ~JR^XA^FDinjected^FS^XZ"
    with socket.create_connection((zebra.host, zebra.port)) as sock:
        sock.sendall(b"^XA^FO0,0^FD" + evil.encode() + b"^FS^XZ")
        sock.sendall(render_zpl(label_with(evil)))
    assert zebra.wait_printed(3, timeout_s=30)
    assert zebra.immediate == ["JR"]  # only the unescaped format reset the printer
    assert any(b"injected" in label for label in zebra.printed[:2])
    assert zebra.printed[-1] == render_zpl(label_with(evil))


def test_carrier_zpl_at_203_dpi_is_scaled_for_a_300_dpi_printer() -> None:
    # 8 → 12 dots/mm is exactly 1.5 (^MU: "^MUd,200,300" converts a 200 dpi format to 300 dpi)
    carrier = b"^XA^FO100,50^A0N,30,30^FDShip ^FO1,1 to^FS^BY2,3,100^BCN,100,Y^FD12345^FS^GB812,1218,4^FS^XZ"
    got = rescale_zpl(carrier, 203, 300)
    assert got == (b"^XA^FO150,75^A0N,45,45^FDShip ^FO1,1 to^FS^BY3,3,150^BCN,150,Y^FD12345^FS^GB1218,1827,6^FS^XZ")
    assert rescale_zpl(carrier, 203, 203) == carrier


def test_carrier_graphics_and_field_bytes_pass_through_unchanged() -> None:
    carrier = b"^XA^FO10,10^GFA,4,4,1,F0F00F0F^FS^FO10,20^FD\xe9t\xe9^FS^XZ"
    got = rescale_zpl(carrier, 300, 600)
    assert b"^GFA,4,4,1,F0F00F0F" in got and b"^FD\xe9t\xe9^FS" in got and b"^FO20,40" in got


def test_carrier_zpl_font_by_name_is_rescaled_too() -> None:
    # ^A@o,h,w,d:o.x — height and width are dots; the font name is kept
    got = rescale_zpl(b"^XA^FO10,10^A@N,30,20,E:NOTOSANS.TTF^FDx^FS^XZ", 203, 600)
    assert got == b"^XA^FO30,30^A@N,90,60,E:NOTOSANS.TTF^FDx^FS^XZ"
