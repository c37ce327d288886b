"""One label layout for every printer and for the on-screen preview. Positions and sizes in millimetres.

Printers count in dots per millimetre (Zebra ZPL II Programming Guide, ^MU: "Assume 8 dot/millimeter
(203 dot/inch) printer"): the "203", "300" and "600 dpi" heads are 8, 12 and 24 dots/mm, so a millimetre
is ``dots_per_mm`` dots, not ``dpi / 25.4``. A label's own size is its 8 dots/mm size (4x6 = 812 x 1218)
times ``dots_per_mm / 8`` (1218 x 1827 at 12, 2436 x 3654 at 24), so a 203-dpi carrier label rescales
exactly onto the same media at any resolution.

label = Label(LABEL_4X6, (
    Text(5, 5, "Ship to: Ana Müller", height_mm=5),
    Code128(5, 20, "PB123456", height_mm=15),
    QRCode(70, 20, "https://example.com/t/1"),
    Box(3, 3, 95.6, 146.4, line_mm=0.5),
))
zpl = render_zpl(label, dpi=203)       # bytes for the printer
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "DOTS_PER_MM",
    "LABEL_2X1",
    "LABEL_4X4",
    "LABEL_4X6",
    "LABEL_SIZES",
    "MM_PER_INCH",
    "SUPPORTED_DPI",
    "Box",
    "Code128",
    "DataMatrix",
    "Element",
    "Image",
    "Label",
    "LabelSize",
    "MonoBitmap",
    "QRCode",
    "Text",
    "dots",
    "dots_per_mm",
    "label_dots",
    "label_size",
]

MM_PER_INCH = 25.4
SUPPORTED_DPI = (203, 300, 600)
#: the resolution printers are sold by → the dots per millimetre their heads really have
DOTS_PER_MM = {203: 8, 300: 12, 600: 24}


@dataclass(frozen=True, slots=True)
class LabelSize:
    name: str
    width_mm: float
    height_mm: float


LABEL_4X6 = LabelSize("4x6", 101.6, 152.4)
LABEL_4X4 = LabelSize("4x4", 101.6, 101.6)
LABEL_2X1 = LabelSize("2x1", 50.8, 25.4)


@dataclass(frozen=True, slots=True)
class Text:
    """A line of text (or a block of ``max_lines`` wrapped into ``width_mm``). ``height_mm`` is the cap height."""

    x_mm: float
    y_mm: float
    text: str
    height_mm: float = 4.0
    width_mm: float | None = None
    max_lines: int = 1


@dataclass(frozen=True, slots=True)
class Code128:
    """A Code 128 barcode of printable ASCII. ``module_mm`` is the narrow bar width."""

    x_mm: float
    y_mm: float
    data: str
    height_mm: float = 15.0
    module_mm: float = 0.375
    human_readable: bool = True

    def __post_init__(self) -> None:
        if not self.data or any(not 32 <= ord(c) < 127 for c in self.data):
            raise ValueError(f"Code 128 data must be printable ASCII: {self.data!r}")


@dataclass(frozen=True, slots=True)
class DataMatrix:
    x_mm: float
    y_mm: float
    data: str
    module_mm: float = 0.5


@dataclass(frozen=True, slots=True)
class QRCode:
    x_mm: float
    y_mm: float
    data: str
    module_mm: float = 0.5


@dataclass(frozen=True, slots=True)
class Box:
    x_mm: float
    y_mm: float
    width_mm: float
    height_mm: float
    line_mm: float = 0.5


@dataclass(frozen=True, slots=True)
class MonoBitmap:
    """A 1-bit image: ``rows`` of ``width`` pixels packed MSB first, 1 = black."""

    width: int
    height: int
    rows: tuple[bytes, ...]

    def __post_init__(self) -> None:
        if len(self.rows) != self.height or any(len(r) != (self.width + 7) // 8 for r in self.rows):
            raise ValueError("bitmap rows do not match its size")

    def pixel(self, x: int, y: int) -> bool:
        return bool(self.rows[y][x // 8] & (0x80 >> (x % 8)))


@dataclass(frozen=True, slots=True)
class Image:
    """A bitmap printed ``width_mm`` wide (height keeps the aspect ratio)."""

    x_mm: float
    y_mm: float
    width_mm: float
    bitmap: MonoBitmap


Element = Text | Code128 | DataMatrix | QRCode | Box | Image


@dataclass(frozen=True, slots=True)
class Label:
    size: LabelSize
    elements: tuple[Element, ...]


def dots_per_mm(dpi: int) -> int:
    """8, 12 or 24 for a 203, 300 or 600 dpi printer. Raises ValueError for any other resolution."""
    try:
        return DOTS_PER_MM[dpi]
    except KeyError:
        raise ValueError(f"unsupported printer resolution {dpi} dpi; use one of {SUPPORTED_DPI}") from None


def dots(mm: float, dpi: int) -> int:
    """Millimetres → printer dots at ``dpi`` (8/12/24 dots per mm), rounded to the nearest dot."""
    return int(mm * dots_per_mm(dpi) + 0.5)


def label_dots(size: LabelSize, dpi: int) -> tuple[int, int]:
    """The label's width and length in dots (``^PW``/``^LL``): its 8 dots/mm size scaled by dots/mm."""
    factor = dots_per_mm(dpi) / 8
    base = (int(size.width_mm / MM_PER_INCH * 203 + 0.5), int(size.height_mm / MM_PER_INCH * 203 + 0.5))
    return int(base[0] * factor + 0.5), int(base[1] * factor + 0.5)


LABEL_SIZES = {s.name: s for s in (LABEL_4X6, LABEL_4X4, LABEL_2X1)}


def label_size(name: str) -> LabelSize:
    """``"4x6"``, ``"4x4"`` or ``"2x1"``. Raises ValueError for any other size."""
    try:
        return LABEL_SIZES[name]
    except KeyError:
        raise ValueError(f"unknown label size {name!r}; use one of {', '.join(LABEL_SIZES)}") from None
