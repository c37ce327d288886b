"""A preview image of one of our labels, drawn from the layout (not from ZPL), for the packer's screen.

Uses Pillow. Code 128 bars come from python-barcode and QR modules from qrcode (both installed with
python-escpos); DataMatrix is drawn as a recognisable placeholder (finder pattern + data-derived
modules), since a preview only has to show where the symbol goes. Sizes follow the printer's dpi, so
the preview is what the printer will print, dot for dot (text uses Pillow's font, not the printer's).
"""

from __future__ import annotations

import hashlib
import io
from typing import Any

from PIL import Image as PILImage
from PIL import ImageDraw, ImageFont

from app.printing.fit import hr_height
from app.printing.layout import (
    SUPPORTED_DPI,
    Box,
    Code128,
    DataMatrix,
    Image,
    Label,
    QRCode,
    Text,
    dots,
    label_dots,
)
from app.printing.zpl import scale_bitmap

BLACK, WHITE = 0, 255


#: fonts with wide Unicode coverage tried before Pillow's built-in font (which lacks ü, ß, …)
FONT_CANDIDATES = ("DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "arial.ttf", "Arial.ttf")


def _font(size_px: int) -> Any:
    for name in FONT_CANDIDATES:
        try:
            return ImageFont.truetype(name, max(6, size_px))
        except OSError:
            continue
    try:
        return ImageFont.load_default(size=max(6, size_px))
    except (TypeError, OSError):  # Pillow without FreeType: the fixed bitmap font
        return ImageFont.load_default()


def _code128_modules(data: str) -> str:
    try:
        from barcode.codex import Code128 as BarcodeCode128  # type: ignore[import-untyped]
    except ImportError:
        return "1010" * (len(data) * 3)
    modules: str = BarcodeCode128(data).build()[0]
    return modules


def _qr_matrix(data: str) -> list[list[bool]]:
    try:
        import qrcode  # type: ignore[import-untyped]
    except ImportError:
        return _placeholder_matrix(data, 21)
    qr = qrcode.QRCode(border=0, error_correction=qrcode.constants.ERROR_CORRECT_Q)
    qr.add_data(data)
    qr.make(fit=True)
    matrix: list[list[bool]] = qr.get_matrix()
    return matrix


def _placeholder_matrix(data: str, size: int) -> list[list[bool]]:
    bits = "".join(f"{b:08b}" for b in hashlib.sha256(data.encode()).digest() * (size * size // 256 + 1))
    rows = []
    for y in range(size):
        row = []
        for x in range(size):
            if x == 0 or y == size - 1:
                row.append(True)  # DataMatrix "L" finder
            elif y == 0 or x == size - 1:
                row.append((x + y) % 2 == 0)  # clock track
            else:
                row.append(bits[y * size + x] == "1")
        rows.append(row)
    return rows


def _matrix(draw: ImageDraw.ImageDraw, x: int, y: int, matrix: list[list[bool]], module: int) -> None:
    for r, row in enumerate(matrix):
        for c, on in enumerate(row):
            if on:
                draw.rectangle(
                    (x + c * module, y + r * module, x + (c + 1) * module - 1, y + (r + 1) * module - 1), BLACK
                )


def render_preview(label: Label, dpi: int = 203) -> PILImage.Image:
    """The label as a greyscale image, one pixel per printer dot at ``dpi`` (8/12/24 dots per mm)."""
    if dpi not in SUPPORTED_DPI:
        raise ValueError(f"unsupported printer resolution {dpi} dpi; use one of {SUPPORTED_DPI}")
    img = PILImage.new("L", label_dots(label.size, dpi), WHITE)
    draw = ImageDraw.Draw(img)
    for el in label.elements:
        x, y = dots(el.x_mm, dpi), dots(el.y_mm, dpi)
        if isinstance(el, Text):
            font = _font(dots(el.height_mm, dpi))
            text = el.text
            if el.width_mm is not None:
                text = _wrap(draw, text, font, dots(el.width_mm, dpi), el.max_lines)
            draw.multiline_text((x, y), text, fill=BLACK, font=font)
        elif isinstance(el, Code128):
            module, height = max(1, dots(el.module_mm, dpi)), max(1, dots(el.height_mm, dpi))
            for i, bit in enumerate(_code128_modules(el.data)):
                if bit == "1":
                    draw.rectangle((x + i * module, y, x + (i + 1) * module - 1, y + height - 1), BLACK)
            if el.human_readable:
                draw.text((x, y + height + 2), el.data, fill=BLACK, font=_font(hr_height(height) - 2))
        elif isinstance(el, QRCode):
            _matrix(draw, x, y, _qr_matrix(el.data), min(10, max(1, dots(el.module_mm, dpi))))
        elif isinstance(el, DataMatrix):
            size = 10 + 2 * min(20, len(el.data) // 3)
            _matrix(draw, x, y, _placeholder_matrix(el.data, size), max(1, dots(el.module_mm, dpi)))
        elif isinstance(el, Box):
            t = max(1, dots(el.line_mm, dpi))
            w, h = max(t, dots(el.width_mm, dpi)), max(t, dots(el.height_mm, dpi))
            draw.rectangle((x, y, x + w - 1, y + h - 1), outline=BLACK, width=t)
        elif isinstance(el, Image):
            width, height, rows = scale_bitmap(el.bitmap, dots(el.width_mm, dpi))
            bitmap = PILImage.frombytes("1", (width, height), b"".join(rows))
            # packed 1 = black for the printer; Pillow's "1" mode has 1 = white
            img.paste(BLACK, (x, y), bitmap.convert("L").point(lambda v: 255 if v else 0).convert("1"))
    return img


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: Any, width_px: int, max_lines: int) -> str:
    lines: list[str] = []
    for word in text.split():
        if lines and draw.textlength(lines[-1] + " " + word, font=font) <= width_px:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "\n".join(lines[: max(1, max_lines)])


def preview_png(label: Label, dpi: int = 203) -> bytes:
    """``render_preview`` as PNG bytes (for a QPixmap or a file)."""
    buf = io.BytesIO()
    render_preview(label, dpi).save(buf, format="PNG")
    return buf.getvalue()
