"""Our own carriers' shipping label: the shared layout in ``app.printing.shipping`` rendered for a printer
profile (default 4x6 at 203 dpi); its renderer hex-escapes every field (``^FH``) so an address can never
inject printer commands."""

from __future__ import annotations

from collections.abc import Sequence

from app.domain.orders import Address
from app.printing.profile import DEFAULT_PROFILE, PrinterProfile
from app.printing.shipping import ShippingContent, render_shipping_label
from app.printing.zpl import escape_field

__all__ = ["escape_field", "shipping_label"]


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
    profile: PrinterProfile = DEFAULT_PROFILE,
) -> str:
    """The label as ZPL text for ``profile``. Raises LabelDoesNotFit when it cannot fit the media."""
    content = ShippingContent(carrier, service, tracking_number, ship_from, ship_to, weight_g, reference, tuple(extra))
    return render_shipping_label(content, profile).decode("ascii")
