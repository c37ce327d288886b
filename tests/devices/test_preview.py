"""Label previews drawn from the layout."""

from __future__ import annotations

import pytest

from app.devices.labels import LABEL_2X1, LABEL_4X6, Box, Code128, DataMatrix, Image, Label, MonoBitmap, QRCode, Text
from app.devices.labels.preview import preview_png, render_preview


@pytest.mark.parametrize(("dpi", "size"), [(203, (812, 1218)), (300, (1218, 1827)), (600, (2436, 3654))])
def test_the_preview_has_one_pixel_per_printer_dot(dpi: int, size: tuple[int, int]) -> None:
    assert render_preview(Label(LABEL_4X6, ()), dpi).size == size


def test_an_empty_label_is_white_and_a_box_draws_its_frame() -> None:
    assert render_preview(Label(LABEL_2X1, ())).getextrema() == (255, 255)
    img = render_preview(Label(LABEL_2X1, (Box(0, 0, 50.8, 25.4, line_mm=1),)))
    assert img.getpixel((0, 0)) == 0 and img.getpixel((img.width // 2, img.height // 2)) == 255


def test_each_element_draws_ink_where_it_is_placed() -> None:
    bitmap = MonoBitmap(8, 1, (b"\xff",))
    elements = [
        Text(2, 2, "Grüße PB1", height_mm=4),
        Code128(2, 10, "PB123456", height_mm=8),
        QRCode(2, 30, "https://example.com"),
        DataMatrix(40, 30, "0104006381333931"),
        Image(60, 60, 10, bitmap),
    ]
    for el in elements:
        img = render_preview(Label(LABEL_4X6, (el,)))
        x, y = round(el.x_mm * 203 / 25.4), round(el.y_mm * 203 / 25.4)
        region = img.crop((x, y, x + 80, y + 40))
        assert region.getextrema()[0] == 0, f"{type(el).__name__} drew nothing at its place"
        assert img.crop((0, img.height - 100, img.width, img.height)).getextrema() == (255, 255)


def test_the_preview_is_available_as_png() -> None:
    assert preview_png(Label(LABEL_2X1, (Text(1, 1, "x"),))).startswith(b"\x89PNG")
