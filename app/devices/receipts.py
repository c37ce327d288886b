"""Packing slips on ESC/POS receipt printers through python-escpos.

Capability profiles (``profile="TM-T88V"`` …) decide line width and whether the printer draws
barcodes itself. Every text from an order goes through ``clean_text``: control characters (ESC,
GS, …) are removed so customer text cannot send printer commands, exactly as label fields are escaped.

URIs: ``escpos+tcp://HOST:PORT``, ``escpos+serial:///dev/ttyS0?baud=9600``,
``escpos+usb://VID:PID`` (hex), ``escpos+file:PATH``.

Every job starts with ``ESC @`` (Epson ESC/POS reference, "ESC @  Initialize printer": "Clears the data in
the print buffer and resets the printer modes to the modes that were in effect when the power was turned
on"), so no size, alignment or code page of an earlier job carries over. On TCP and serial printers the
real-time status (``DLE EOT``, ``app.devices.escpos_status``) is asked before the slip (a fault: nothing is
sent) and after it (paper ran out, or no answer: the slip is not confirmed and stays pending).
"""

from __future__ import annotations

import contextlib
import unicodedata
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from app.devices.errors import DependencyMissing, DeviceError, PrinterNotReady, PrintUnconfirmed
from app.devices.escpos_status import EscPosStatus, query_status


@dataclass(frozen=True, slots=True)
class SlipLine:
    sku: str
    name: str
    quantity: int


@dataclass(frozen=True, slots=True)
class PackingSlip:
    order_number: str
    ship_to: tuple[str, ...]
    lines: tuple[SlipLine, ...]
    note: str = ""
    footer: tuple[str, ...] = field(default=())


def clean_text(text: str) -> str:
    """``text`` without control characters (Unicode category C*), tabs and newlines become spaces."""
    return "".join(
        " " if ch in "\t\r\n" else ch for ch in text if ch in "\t\r\n" or not unicodedata.category(ch).startswith("C")
    )


def _columns(printer: Any) -> int:
    try:
        return int(printer.profile.get_columns("a"))
    except Exception:  # profiles without font data: a common 80 mm printer
        return 42


def render_packing_slip(printer: Any, slip: PackingSlip) -> None:
    """Write ``slip`` to a python-escpos printer object (``Dummy()`` in tests). Raises DeviceError."""
    width = _columns(printer)
    try:
        printer.hw("INIT")  # ESC @: modes of an earlier job do not carry over
        printer.set(align="center", bold=True, double_height=True)
        printer.textln("PACKING SLIP")
        printer.set(align="center", bold=False, normal_textsize=True)
        order = clean_text(slip.order_number)
        printer.textln(f"Order {order}")
        if printer.profile.supports("barcodeB") and order.isascii() and order.isprintable():
            printer.barcode("{B" + order, "CODE128", function_type="B", height=60, width=2)
        printer.set(align="left")
        printer.textln("-" * width)
        for line in slip.ship_to:
            printer.textln(clean_text(line)[:width])
        printer.textln("-" * width)
        for item in slip.lines:
            qty = f"{item.quantity:>3} x "
            printer.textln((qty + clean_text(item.name))[:width])
            printer.textln(("      " + clean_text(item.sku))[:width])
        if slip.note:
            printer.textln("-" * width)
            printer.textln(clean_text(slip.note))
        for line in slip.footer:
            printer.textln(clean_text(line)[:width])
        printer.cut()
    except DeviceError:
        raise
    except Exception as exc:  # python-escpos raises its own errors and OSError from the transport
        raise PrinterNotReady(f"Receipt printer failed: {exc}") from exc


def open_receipt_printer(uri: str, *, profile: str | None = None, timeout_s: float = 5.0) -> Any:
    """A python-escpos printer object for ``uri`` (not yet connected). Raises ValueError for a bad URI."""
    try:
        from escpos import printer as escpos_printer
    except ImportError as exc:
        raise DependencyMissing(f"Receipt printers need python-escpos ({exc})") from exc
    if uri.startswith("escpos+file:"):
        return escpos_printer.File(uri[len("escpos+file:") :], profile=profile)
    parts = urlsplit(uri)
    if parts.scheme == "escpos+tcp" and parts.hostname:
        return escpos_printer.Network(parts.hostname, port=parts.port or 9100, timeout=timeout_s, profile=profile)
    if parts.scheme == "escpos+serial" and parts.path:
        baud = int(parse_qs(parts.query).get("baud", ["9600"])[0])
        return escpos_printer.Serial(parts.path, baudrate=baud, timeout=timeout_s, profile=profile)
    if parts.scheme == "escpos+usb" and parts.netloc:
        vid, _, pid = parts.netloc.partition(":")
        return escpos_printer.Usb(int(vid, 16), int(pid, 16), profile=profile)
    raise ValueError(f"unknown receipt printer URI {uri!r}")


def print_packing_slip(
    uri: str, slip: PackingSlip, *, profile: str | None = None, status_timeout_s: float = 1.0
) -> EscPosStatus:
    """Open the printer at ``uri``, print ``slip``, close; returns the printer's status after the slip.

    Raises PrinterNotReady when the printer is unreachable or reports paper end / cover open before the
    slip (nothing sent), PrintUnconfirmed when it reports a fault after the slip or does not answer its
    status (``status_timeout_s`` per request), DeviceError for other failures. Printers that cannot be
    asked (file, USB) return an unknown status: sent, not confirmed.
    """
    printer = open_receipt_printer(uri, profile=profile)
    try:
        try:
            printer.open()
        except Exception as exc:  # DeviceNotFoundError, OSError, serial errors
            raise PrinterNotReady(f"Receipt printer not reachable at {uri}: check power and cable ({exc})") from exc
        askable = uri.startswith(("escpos+tcp:", "escpos+serial:"))
        if askable:
            before = query_status(printer, status_timeout_s)
            if before.known and not before.ready:
                raise PrinterNotReady(f"Slip not printed: {before.describe()}")
        render_packing_slip(printer, slip)
        if not askable:
            return query_status(printer, status_timeout_s)
        after = query_status(printer, status_timeout_s)
        if not after.ready:
            raise PrintUnconfirmed(f"Slip sent but not confirmed: {after.describe()}")
        return after
    finally:
        with contextlib.suppress(Exception):  # closing a half-open connection
            printer.close()
