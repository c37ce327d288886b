"""Our own carriers' shipping label, laid out with the shared label layout (``app.devices.labels``)
and rendered to ZPL II by its renderer, which hex-escapes every field (``^FH``) so an address can
never inject printer commands."""

from __future__ import annotations

from collections.abc import Sequence

from app.devices.labels.layout import LABEL_4X6, Box, Code128, Label, Text
from app.devices.labels.zpl import escape_field, render_zpl
from app.domain.orders import Address

__all__ = ["escape_field", "shipping_label"]


def _lines(address: Address) -> list[str]:
    lines = [address.name, address.line1, address.line2, f"{address.postcode} {address.city}".strip()]
    lines += [address.region, address.country]
    return [ln for ln in lines if ln.strip()]


def shipping_label(
    *,
    carrier: str,
    service: str,
    tracking_number: str,
    ship_from: Address,
    ship_to: Address,
    weight_g: int,
    reference: str = "",
    extra: Sequence[str] = (),
    dpi: int = 203,
) -> str:
    """A 4x6 inch label: sender, recipient, service, weight, reference and a Code 128 of the tracking
    number. Returned as text (ZPL is ASCII once escaped)."""
    elements: list[Text | Box | Code128] = [Box(3, 3, 95.6, 146.4), Text(6, 6, "FROM", height_mm=2.5)]
    elements += [Text(6, 10 + 4 * i, line, height_mm=3) for i, line in enumerate(_lines(ship_from)[:4])]
    elements += [Box(3, 30, 95.6, 0.5), Text(6, 33, "TO", height_mm=3)]
    elements += [Text(6, 39 + 7 * i, line, height_mm=5.5) for i, line in enumerate(_lines(ship_to)[:6])]
    elements += [
        Box(3, 84, 95.6, 0.5),
        Text(6, 87, f"{carrier.upper()}  {service}", height_mm=5),
        Text(6, 95, f"{weight_g / 1000:.2f} kg   {reference}".strip(), height_mm=3.5),
    ]
    elements += [Text(6, 101 + 4.5 * i, line, height_mm=3.2) for i, line in enumerate(extra[:2])]
    elements.append(Code128(8, 112, tracking_number, height_mm=25))
    return render_zpl(Label(LABEL_4X6, tuple(elements)), dpi=dpi).decode("ascii")
