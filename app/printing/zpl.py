"""Render a ``Label`` to ZPL II. All field data goes through ``escape_field``.

Every field is written ``^FH_^FD<data>^FS``: ``^FH`` makes ``_`` + two hex digits stand for one
byte, and ``escape_field`` writes every byte outside a small safe set that way. So customer text
can never contain a literal ``^`` or ``~`` (or anything else the printer could parse as a command):
``^XZ`` in a name prints as the three characters, it does not end the label. ``^CI28`` makes the
decoded bytes UTF-8.

Text beyond Latin (Cyrillic, Japanese …) is printed with the profile's TrueType font through ``^A@``
(ZPL II Programming Guide, ^A@ "Use Font Name to Call Font": ``^A@o,h,w,d:o.x``); font ``^A0`` has no such
glyphs and prints empty boxes, so a label that needs the font on a printer without one is refused.
Every label is checked to fit its media (``app.printing.fit.check_fits``) before it becomes bytes.
"""

from __future__ import annotations

import string

from app.printing.fit import LabelDoesNotFit, check_fits
from app.printing.layout import (
    Box,
    Code128,
    DataMatrix,
    Image,
    Label,
    MonoBitmap,
    QRCode,
    Text,
    dots,
    dots_per_mm,
    label_dots,
)
from app.printing.profile import PrinterProfile

SAFE = frozenset((string.ascii_letters + string.digits + " .,-/:#()+*=!?@&%$;'").encode())


def escape_field(text: str) -> str:
    """Field data for ``^FH_^FD…^FS``: safe ASCII kept, every other UTF-8 byte as ``_XX``."""
    return "".join(chr(b) if b in SAFE else f"_{b:02X}" for b in text.encode("utf-8"))


#: what font ^A0 prints with ^CI28: Latin-1, Latin Extended-A and common typographic punctuation
_A0_EXTRA = frozenset("\u2018\u2019\u201a\u201c\u201d\u201e\u2013\u2014\u2026\u20ac\u2022\u2032\u2033")


class NeedsUnicodeFont(LabelDoesNotFit):
    """Text on the label has characters font ^A0 cannot print and the printer profile names no Unicode font."""


def needs_unicode_font(text: str) -> bool:
    return any(ord(c) > 0x17F and c not in _A0_EXTRA for c in text)


def _field(data: str) -> str:
    return f"^FH_^FD{escape_field(data)}^FS"


def _text(el: Text, dpi: int, font: str = "") -> str:
    h = max(1, dots(el.height_mm, dpi))
    out = f"^FO{dots(el.x_mm, dpi)},{dots(el.y_mm, dpi)}"
    if needs_unicode_font(el.text):
        if not font:
            raise NeedsUnicodeFont(
                f"{el.text!r} needs a Unicode font that this printer profile does not name: download a TrueType "
                "font to the printer and set it as the profile's Unicode font (e.g. E:NOTOSANS.TTF)"
            )
        out += f"^A@N,{h},{h},{font}"
    else:
        out += f"^A0N,{h},{h}"
    if el.width_mm is not None:
        out += f"^FB{dots(el.width_mm, dpi)},{max(1, el.max_lines)},0,L,0"
    return out + _field(el.text)


def _code128(el: Code128, dpi: int) -> str:
    module = max(1, dots(el.module_mm, dpi))
    hr = "Y" if el.human_readable else "N"
    # Mode A (automatic) picks subsets C/B the way the layout measured the symbol. Data with ">" goes in
    # mode N, where ">" starts a subset switch and "><" is a literal ">".
    mode = "N" if ">" in el.data else "A"
    data = el.data.replace(">", "><")
    return (
        f"^FO{dots(el.x_mm, dpi)},{dots(el.y_mm, dpi)}^BY{module},3"
        f"^BCN,{max(1, dots(el.height_mm, dpi))},{hr},N,N,{mode}{_field(data)}"
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


def render_zpl(
    label: Label, dpi: int = 203, *, copies: int = 1, profile: PrinterProfile | None = None, check: bool = True
) -> bytes:
    """The label as one ZPL format (``^XA`` … ``^XZ``) for a printer of ``dpi`` (203, 300 or 600), or for
    ``profile`` (its resolution, media size, darkness, speed, media type and Unicode font).

    Raises LabelDoesNotFit when an element lies outside the label, a barcode lacks its quiet zones, the
    label is not the profile's size, or text needs a font the profile lacks; ValueError for bad arguments.
    """
    if profile is not None:
        dpi = profile.dpi
        if profile.language != "zpl":
            raise LabelDoesNotFit(
                f"this printer speaks {profile.language.upper()}; packbench prints ZPL: switch it to ZPL"
            )
        if label.size != profile.label:
            raise LabelDoesNotFit(f"a {label.size.name} label cannot print on {profile.describe()} media")
    dots_per_mm(dpi)  # raises for an unsupported resolution
    if not 1 <= copies <= 999:
        raise ValueError("copies must be 1..999")
    if check:
        check_fits(label, dpi)
    width, height = label_dots(label.size, dpi)
    parts = ["^XA", "^CI28", f"^PW{width}", f"^LL{height}", "^LH0,0"]
    if profile is not None:
        parts.append(f"^MT{'D' if profile.media == 'direct' else 'T'}^PR{profile.speed_ips}~SD{profile.darkness:02d}")
    font = profile.unicode_font if profile is not None else ""
    for el in label.elements:
        if isinstance(el, Text):
            parts.append(_text(el, dpi, font))
        else:
            parts.append(_RENDERERS[type(el)](el, dpi))  # type: ignore[operator]
    if copies > 1:
        parts.append(f"^PQ{copies}")
    parts.append("^XZ")
    return "".join(parts).encode("ascii")
