"""Render a ``Label`` to ZPL II. All field data goes through ``escape_field``.

Every field is written ``^FH_^FD<data>^FS``: ``^FH`` makes ``_`` + two hex digits stand for one
byte, and ``escape_field`` writes every byte outside a small safe set that way. So customer text
can never contain a literal ``^`` or ``~`` (or anything else the printer could parse as a command):
``^XZ`` in a name prints as the three characters, it does not end the label. ``^CI28`` makes the
decoded bytes UTF-8.
"""

from __future__ import annotations

import string

from app.devices.labels.layout import (
    SUPPORTED_DPI,
    Box,
    Code128,
    DataMatrix,
    Image,
    Label,
    MonoBitmap,
    QRCode,
    Text,
    dots,
)

SAFE = frozenset((string.ascii_letters + string.digits + " .,-/:#()+*=!?@&%$;'").encode())


def escape_field(text: str) -> str:
    """Field data for ``^FH_^FD…^FS``: safe ASCII kept, every other UTF-8 byte as ``_XX``."""
    return "".join(chr(b) if b in SAFE else f"_{b:02X}" for b in text.encode("utf-8"))


def _field(data: str) -> str:
    return f"^FH_^FD{escape_field(data)}^FS"


def _text(el: Text, dpi: int) -> str:
    h = max(1, dots(el.height_mm, dpi))
    out = f"^FO{dots(el.x_mm, dpi)},{dots(el.y_mm, dpi)}^A0N,{h},{h}"
    if el.width_mm is not None:
        out += f"^FB{dots(el.width_mm, dpi)},{max(1, el.max_lines)},0,L,0"
    return out + _field(el.text)


def _code128(el: Code128, dpi: int) -> str:
    module = max(1, dots(el.module_mm, dpi))
    hr = "Y" if el.human_readable else "N"
    # In ^BC data ">" starts a subset switch; "><" is a literal ">".
    data = el.data.replace(">", "><")
    return (
        f"^FO{dots(el.x_mm, dpi)},{dots(el.y_mm, dpi)}^BY{module},3"
        f"^BCN,{max(1, dots(el.height_mm, dpi))},{hr},N,N{_field(data)}"
    )


def _datamatrix(el: DataMatrix, dpi: int) -> str:
    return f"^FO{dots(el.x_mm, dpi)},{dots(el.y_mm, dpi)}^BXN,{max(1, dots(el.module_mm, dpi))},200{_field(el.data)}"


def _qr(el: QRCode, dpi: int) -> str:
    mag = min(10, max(1, dots(el.module_mm, dpi)))
    return f"^FO{dots(el.x_mm, dpi)},{dots(el.y_mm, dpi)}^BQN,2,{mag}^FH_^FDQA,{escape_field(el.data)}^FS"


def _box(el: Box, dpi: int) -> str:
    t = max(1, dots(el.line_mm, dpi))
    w, h = max(t, dots(el.width_mm, dpi)), max(t, dots(el.height_mm, dpi))
    return f"^FO{dots(el.x_mm, dpi)},{dots(el.y_mm, dpi)}^GB{w},{h},{t}^FS"


def scale_bitmap(bitmap: MonoBitmap, width_px: int) -> tuple[int, int, list[bytes]]:
    """Nearest-neighbour resample of a MonoBitmap to ``width_px``; returns (width, height, packed rows)."""
    width_px = max(1, width_px)
    height_px = max(1, round(bitmap.height * width_px / bitmap.width))
    rows = []
    for y in range(height_px):
        sy = min(bitmap.height - 1, y * bitmap.height // height_px)
        row = bytearray((width_px + 7) // 8)
        for x in range(width_px):
            if bitmap.pixel(min(bitmap.width - 1, x * bitmap.width // width_px), sy):
                row[x // 8] |= 0x80 >> (x % 8)
        rows.append(bytes(row))
    return width_px, height_px, rows


def _image(el: Image, dpi: int) -> str:
    _w, _h, rows = scale_bitmap(el.bitmap, dots(el.width_mm, dpi))
    data = b"".join(rows)
    per_row = len(rows[0])
    return f"^FO{dots(el.x_mm, dpi)},{dots(el.y_mm, dpi)}^GFA,{len(data)},{len(data)},{per_row},{data.hex().upper()}^FS"


_RENDERERS = {Text: _text, Code128: _code128, DataMatrix: _datamatrix, QRCode: _qr, Box: _box, Image: _image}


def render_zpl(label: Label, dpi: int = 203, *, copies: int = 1) -> bytes:
    """The label as one ZPL format (``^XA`` … ``^XZ``) for a printer of ``dpi`` (203, 300 or 600)."""
    if dpi not in SUPPORTED_DPI:
        raise ValueError(f"unsupported printer resolution {dpi} dpi; use one of {SUPPORTED_DPI}")
    if not 1 <= copies <= 999:
        raise ValueError("copies must be 1..999")
    parts = [
        "^XA",
        "^CI28",
        f"^PW{dots(label.size.width_mm, dpi)}",
        f"^LL{dots(label.size.height_mm, dpi)}",
        "^LH0,0",
    ]
    for el in label.elements:
        parts.append(_RENDERERS[type(el)](el, dpi))  # type: ignore[operator]
    if copies > 1:
        parts.append(f"^PQ{copies}")
    parts.append("^XZ")
    return "".join(parts).encode("ascii")
