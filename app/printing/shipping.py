"""The shipping label we lay out ourselves (table-rate carriers, the bench's local fallback), for any
printer profile: sender, recipient (company included), service, weight, reference and a Code 128 of the
tracking number.

Long address lines wrap (two lines a field) and the type shrinks step by step until everything fits
the media; what cannot fit even in the smallest type is refused with ``LabelDoesNotFit`` naming the line.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from app.domain.orders import Address
from app.printing.fit import LabelDoesNotFit, bounds, code128_module, code128_modules, wrap
from app.printing.layout import Box, Code128, Element, Label, Text, label_dots
from app.printing.profile import PrinterProfile
from app.printing.zpl import render_zpl

#: (recipient, sender, barcode height) in mm, largest first
_SCALES = ((5.5, 3.0, 25.0), (4.6, 2.7, 20.0), (3.9, 2.5, 16.0), (3.2, 2.2, 13.0), (2.6, 2.0, 11.0))
_LINES_PER_FIELD = 2
MARGIN_MM = 2.5
LINE_MM = 0.5
MIN_HEIGHT_MM = 90.0


@dataclass(frozen=True, slots=True)
class ShippingContent:
    carrier: str
    service: str
    tracking_number: str
    ship_from: Address
    ship_to: Address
    weight_g: int
    reference: str = ""
    extra: Sequence[str] = ()


def address_lines(a: Address) -> list[str]:
    lines = [a.name, a.company, a.line1, a.line2, f"{a.postcode} {a.city}".strip(), a.region, a.country]
    return [ln.strip() for ln in lines if ln.strip()]


class _Flow:
    """Lines placed top to bottom inside ``width_mm``; a field needing too many lines is refused."""

    def __init__(self, x_mm: float, y_mm: float, width_mm: float) -> None:
        self.x, self.y, self.width = x_mm, y_mm, width_mm
        self.elements: list[Element] = []

    def text(self, text: str, height_mm: float, *, max_lines: int = _LINES_PER_FIELD) -> None:
        lines = wrap(text, height_mm, self.width)
        if len(lines) > max_lines:
            raise LabelDoesNotFit(f"{text!r} needs {len(lines)} lines")
        for line in lines:
            self.elements.append(Text(self.x, self.y, line, height_mm=height_mm))
            self.y += height_mm * 1.3

    def rule(self, left_mm: float, width_mm: float) -> None:
        self.elements.append(Box(left_mm, self.y, width_mm, 0.4, line_mm=0.4))
        self.y += 2.0


def _attempt(content: ShippingContent, profile: PrinterProfile, scale: tuple[float, float, float]) -> Label:
    size = profile.label
    to_h, from_h, bar_h = scale
    inner = MARGIN_MM + LINE_MM
    flow = _Flow(inner + 2.0, inner + 2.0, size.width_mm - 2 * (inner + 2.0))
    flow.text("FROM", from_h * 0.85, max_lines=1)
    for line in address_lines(content.ship_from)[:5]:
        flow.text(line, from_h)
    flow.rule(MARGIN_MM, size.width_mm - 2 * MARGIN_MM)
    flow.text("TO", from_h, max_lines=1)
    for line in address_lines(content.ship_to):
        flow.text(line, to_h)
    flow.rule(MARGIN_MM, size.width_mm - 2 * MARGIN_MM)
    flow.text(f"{content.carrier.upper()}  {content.service}", to_h * 0.9)
    flow.text(f"{content.weight_g / 1000:.2f} kg   {content.reference}".strip(), from_h * 1.2)
    for line in content.extra[:2]:
        flow.text(line, from_h)
    interior = size.width_mm - 2 * inner
    module = code128_module(content.tracking_number, interior, profile.dpi)
    bar_w = len(code128_modules(content.tracking_number)) * module
    elements: list[Element] = [
        Box(MARGIN_MM, MARGIN_MM, size.width_mm - 2 * MARGIN_MM, size.height_mm - 2 * MARGIN_MM, LINE_MM)
    ]
    elements += flow.elements
    elements.append(
        Code128((size.width_mm - bar_w) / 2, flow.y + 1.0, content.tracking_number, height_mm=bar_h, module_mm=module)
    )
    _, height = label_dots(size, profile.dpi)
    bottom = max(bounds(el, profile.dpi)[3] for el in elements[1:])
    if bottom > height - round(inner * profile.dots_per_mm):
        raise LabelDoesNotFit(f"content runs {bottom} dots down a {height}-dot label")
    return Label(size, tuple(elements))


def shipping_label_layout(content: ShippingContent, profile: PrinterProfile) -> Label:
    """The label for ``profile``'s media in the largest type that fits. Raises LabelDoesNotFit."""
    if profile.label.height_mm < MIN_HEIGHT_MM:
        raise LabelDoesNotFit(
            f"a shipping label needs 4x4 or 4x6 labels; this printer is set up for {profile.describe()}"
        )
    reason = ""
    for scale in _SCALES:
        try:
            return _attempt(content, profile, scale)
        except LabelDoesNotFit as exc:
            reason = str(exc)
    raise LabelDoesNotFit(
        f"the shipping label for {content.tracking_number} does not fit {profile.describe()} even in the "
        f"smallest type ({reason}): shorten the address or load larger labels"
    )


def render_shipping_label(content: ShippingContent, profile: PrinterProfile) -> bytes:
    """ZPL for ``profile``. Raises LabelDoesNotFit (also NeedsUnicodeFont) when it cannot be printed."""
    return render_zpl(shipping_label_layout(content, profile), profile=profile)
