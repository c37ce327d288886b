"""Does a label fit its media? Element bounds in dots, barcode quiet zones, text measure and wrapping.

A label that does not fit is refused (``LabelDoesNotFit``) rather than printed cut off. Code 128 needs
a clear quiet zone of 10 modules on each side (ISO/IEC 15417 §4.3.3 "The minimum width of the quiet zone
is 10X"): ``code128_module`` picks the widest module that keeps it inside the space given.
Text is measured with the same TrueType font the preview draws with (DejaVu Sans, wider than the
printer's condensed ^A0 font, so what fits on the preview fits on the label).
"""

from __future__ import annotations

import functools
import unicodedata
from typing import Any

from app.printing.layout import Box, Code128, DataMatrix, Element, Image, Label, QRCode, Text, dots, label_dots

QUIET_MODULES = 10
#: PIL font sizes are the em; a text element's height is its cap height (about 0.73 em for DejaVu Sans)
EM_PER_CAP = 1.0


class LabelDoesNotFit(ValueError):
    """The label's content cannot be placed on this media; the message says what and where."""


# ---------------------------------------------------------------- text measure
@functools.lru_cache(maxsize=8)
def _font(size_px: int) -> Any:
    from PIL import ImageFont

    for name in ("DejaVuSans.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", "arial.ttf", "Arial.ttf"):
        try:
            return ImageFont.truetype(name, size_px)
        except OSError:
            continue
    try:
        return ImageFont.load_default(size=size_px)
    except (TypeError, OSError):
        return ImageFont.load_default()


def text_width_mm(text: str, height_mm: float) -> float:
    """The printed width of ``text`` at ``height_mm`` (measured at 100 px and scaled)."""
    # East Asian wide characters are a full em in any CJK font; the measuring font may lack them and
    # would measure its narrower "missing glyph" box instead.
    wide = sum(1 for c in text if unicodedata.east_asian_width(c) in ("W", "F"))
    rest = "".join(c for c in text if unicodedata.east_asian_width(c) not in ("W", "F"))
    try:
        width = float(_font(100).getlength(rest)) / 100 + wide
    except Exception:  # text the shaping engine refuses (stray combining marks …): a wide estimate
        width = 0.75 * len(text)
    return width * height_mm * EM_PER_CAP


def wrap(text: str, height_mm: float, width_mm: float) -> list[str]:
    """``text`` broken at spaces (or inside a word longer than the line) into lines of ``width_mm``."""
    lines: list[str] = []
    for word in text.split():
        while text_width_mm(word, height_mm) > width_mm and len(word) > 1:
            cut = len(word)
            while cut > 1 and text_width_mm(word[:cut], height_mm) > width_mm:
                cut -= 1
            if lines and text_width_mm(lines[-1] + " " + word[:cut], height_mm) <= width_mm:
                lines[-1] += " " + word[:cut]
            else:
                lines.append(word[:cut])
            word = word[cut:]
        if lines and text_width_mm(lines[-1] + " " + word, height_mm) <= width_mm:
            lines[-1] += " " + word
        elif word:
            lines.append(word)
    return lines


# ---------------------------------------------------------------- barcodes
def code128_modules(data: str) -> str:
    """The bars of ``data`` as ``1``/``0`` modules (python-barcode's Code 128 encoder)."""
    from barcode.codex import Code128 as Encoder  # type: ignore[import-untyped]

    modules: str = Encoder(data).build()[0]
    return modules


def code128_module(data: str, width_mm: float, dpi: int, preferred_mm: float = 0.375) -> float:
    """The module width (mm, a whole number of dots) for ``data`` so that the symbol and its two 10-module
    quiet zones fit in ``width_mm``: the preferred width when it fits, else the widest that does.
    Raises LabelDoesNotFit when even one dot per module is too wide."""
    per_mm = dots(1, dpi) if dpi else 8
    count = len(code128_modules(data)) + 2 * QUIET_MODULES
    best = min(max(1, round(preferred_mm * per_mm)), int(width_mm * per_mm) // count)
    if best < 1:
        raise LabelDoesNotFit(f"barcode {data!r} needs {count} dots with its quiet zones; only {width_mm:.1f} mm free")
    return best / per_mm


def hr_height(height_dots: int) -> int:
    """The interpretation line's height under a Code 128 (as the preview draws it)."""
    return max(10, height_dots // 5) + 2


def qr_size(data: str) -> int:
    import qrcode  # type: ignore[import-untyped]

    qr = qrcode.QRCode(border=0, error_correction=qrcode.constants.ERROR_CORRECT_Q)
    qr.add_data(data)
    qr.make(fit=True)
    return len(qr.get_matrix())


# ---------------------------------------------------------------- bounds
def bounds(el: Element, dpi: int) -> tuple[int, int, int, int]:
    """``(x0, y0, x1, y1)`` in dots of what ``el`` prints (x1/y1 exclusive)."""
    x, y = dots(el.x_mm, dpi), dots(el.y_mm, dpi)
    if isinstance(el, Text):
        h = max(1, dots(el.height_mm, dpi))
        w = dots(el.width_mm, dpi) if el.width_mm is not None else dots(text_width_mm(el.text, el.height_mm), dpi)
        return x, y, x + w, y + h * max(1, el.max_lines if el.width_mm is not None else 1)
    if isinstance(el, Code128):
        module, h = max(1, dots(el.module_mm, dpi)), max(1, dots(el.height_mm, dpi))
        bottom = y + h + (hr_height(h) if el.human_readable else 0)
        return x, y, x + module * len(code128_modules(el.data)), bottom
    if isinstance(el, QRCode):
        side = qr_size(el.data) * min(10, max(1, dots(el.module_mm, dpi)))
        return x, y, x + side, y + side
    if isinstance(el, DataMatrix):
        side = (10 + 2 * min(20, len(el.data) // 3)) * max(1, dots(el.module_mm, dpi))
        return x, y, x + side, y + side
    if isinstance(el, Box):
        t = max(1, dots(el.line_mm, dpi))
        return x, y, x + max(t, dots(el.width_mm, dpi)), y + max(t, dots(el.height_mm, dpi))
    assert isinstance(el, Image)
    w = max(1, dots(el.width_mm, dpi))
    return x, y, x + w, y + max(1, round(el.bitmap.height * w / el.bitmap.width))


def _ink(el: Element, dpi: int) -> list[tuple[int, int, int, int]]:
    """Where ``el`` puts black: a Box's four strokes, every other element's bounds."""
    x0, y0, x1, y1 = bounds(el, dpi)
    if isinstance(el, Box):
        t = max(1, dots(el.line_mm, dpi))
        return [(x0, y0, x1, y0 + t), (x0, y1 - t, x1, y1), (x0, y0, x0 + t, y1), (x1 - t, y0, x1, y1)]
    return [(x0, y0, x1, y1)]


def _overlaps(a: tuple[int, int, int, int], b: tuple[int, int, int, int]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def check_fits(label: Label, dpi: int) -> None:
    """Raise LabelDoesNotFit unless every element lies inside the label and every Code 128 keeps its
    10-module quiet zones clear of the edges and of every other element's ink."""
    width, height = label_dots(label.size, dpi)
    for el in label.elements:
        x0, y0, x1, y1 = bounds(el, dpi)
        if x0 < 0 or y0 < 0 or x1 > width or y1 > height:
            what = el.text if isinstance(el, Text) else type(el).__name__
            raise LabelDoesNotFit(
                f"{what!r} does not fit a {label.size.name} label: it spans {x0}..{x1} x {y0}..{y1} dots "
                f"of {width} x {height}"
            )
    for el in label.elements:
        if not isinstance(el, Code128):
            continue
        x0, y0, x1, y1 = bounds(el, dpi)
        qz = QUIET_MODULES * max(1, dots(el.module_mm, dpi))
        zones = [(x0 - qz, y0, x0, y1), (x1, y0, x1 + qz, y1)]
        if zones[0][0] < 0 or zones[1][2] > width:
            raise LabelDoesNotFit(f"barcode {el.data!r} has no room for its quiet zones ({qz} dots each side)")
        for other in label.elements:
            if other is el:
                continue
            if any(_overlaps(zone, ink) for zone in zones for ink in _ink(other, dpi)):
                raise LabelDoesNotFit(f"barcode {el.data!r}: another mark lies in its quiet zone")
