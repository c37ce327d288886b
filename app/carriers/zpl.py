"""A minimal shipping label in ZPL II, with every field's data hex-escaped.

Customer text goes through ``^FH`` (field hex): characters outside printable ASCII, and the
characters ZPL treats as commands (``^``, ``~``) or as the hex indicator (``_``), become ``_XX``
escapes of their UTF-8 bytes, so an address cannot inject printer commands. ``^CI28`` makes the
printer read the bytes as UTF-8.
"""

from __future__ import annotations

from collections.abc import Sequence

from app.domain.orders import Address

_SAFE = frozenset(chr(c) for c in range(0x20, 0x7F)) - {"^", "~", "_", "\\"}


def escape_field(text: str) -> str:
    """``text`` as ``^FH``-escaped field data (hex indicator ``_``)."""
    out: list[str] = []
    for ch in text:
        if ch in _SAFE:
            out.append(ch)
        else:
            out.extend(f"_{b:02X}" for b in ch.encode("utf-8"))
    return "".join(out)


def text_field(x: int, y: int, text: str, height: int = 30) -> str:
    return f"^FO{x},{y}^A0N,{height},{height}^FH_^FD{escape_field(text)}^FS"


def address_block(x: int, y: int, address: Address, height: int = 30) -> list[str]:
    lines = [address.name, address.line1, address.line2, f"{address.postcode} {address.city}".strip()]
    lines += [address.region, address.country]
    out = []
    for line in (ln for ln in lines if ln.strip()):
        out.append(text_field(x, y, line, height))
        y += height + 6
    return out


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
) -> str:
    """A 4x6 inch label at 203 dpi: sender, recipient, service, weight and a Code 128 barcode."""
    parts = ["^XA", "^CI28", "^PW812", "^LL1218"]
    parts.append(text_field(30, 30, f"FROM: {ship_from.name}", 24))
    parts += address_block(30, 60, ship_from, 22)
    parts.append("^FO20,250^GB772,3,3^FS")
    parts.append(text_field(30, 270, "TO:", 28))
    parts += address_block(30, 310, ship_to, 44)
    parts.append("^FO20,650^GB772,3,3^FS")
    parts.append(text_field(30, 670, f"{carrier.upper()}  {service}", 40))
    parts.append(text_field(30, 720, f"{weight_g / 1000:.2f} kg   {reference}", 28))
    for i, line in enumerate(extra):
        parts.append(text_field(30, 760 + 34 * i, line, 26))
    parts.append(f"^FO60,880^BY3^BCN,200,Y,N,N^FH_^FD{escape_field(tracking_number)}^FS")
    parts.append("^XZ")
    return "\n".join(parts) + "\n"
