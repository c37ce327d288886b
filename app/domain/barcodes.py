"""What a scanned code means in the warehouse: GTINs with check digits and our own numbers.

Our numbers are printed by the hub and the bench, so their shapes are ours to fix:
order numbers ``PB`` + 6..10 digits, RMA numbers ``RMA-`` + 6..10 digits, totes ``TOTE-`` + 3..8
alphanumerics, command cards ``CMD:`` + a word. GS1 element strings are parsed in app/devices.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from app.domain.errors import InvalidBarcode

ORDER_RE = re.compile(r"^PB\d{6,10}$")
RMA_RE = re.compile(r"^RMA-\d{6,10}$")
TOTE_RE = re.compile(r"^TOTE-[A-Z0-9]{3,8}$")
COMMAND_RE = re.compile(r"^CMD:([A-Z_]{2,20})$")
GTIN_LENGTHS = (8, 12, 13, 14)


class CodeKind(enum.StrEnum):
    GTIN = "gtin"
    ORDER = "order"
    RMA = "rma"
    TOTE = "tote"
    COMMAND = "command"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class ScannedCode:
    """A code as the warehouse understands it. ``value`` is normalised (GTINs as 14 digits)."""

    kind: CodeKind
    value: str
    raw: str


def gtin_check_digit(body: str) -> int:
    """The GS1 mod-10 check digit for the digits ``body`` (a GTIN without its last digit)."""
    if not body.isdigit():
        raise InvalidBarcode(f"GTIN body must be digits, got {body!r}")
    total = 0
    for i, ch in enumerate(reversed(body)):
        total += int(ch) * (3 if i % 2 == 0 else 1)
    return (10 - total % 10) % 10


def is_valid_gtin(code: str) -> bool:
    return code.isdigit() and len(code) in GTIN_LENGTHS and gtin_check_digit(code[:-1]) == int(code[-1])


def normalize_gtin(code: str) -> str:
    """GTIN-8/12/13/14 → GTIN-14 (left-padded). Raises InvalidBarcode with the reason."""
    code = code.strip()
    if not code.isdigit():
        raise InvalidBarcode(f"{code!r} is not a GTIN: only digits allowed")
    if len(code) not in GTIN_LENGTHS:
        raise InvalidBarcode(f"{code!r} is not a GTIN: {len(code)} digits (8, 12, 13 or 14 expected)")
    expected = gtin_check_digit(code[:-1])
    if expected != int(code[-1]):
        raise InvalidBarcode(f"{code!r} has a wrong check digit (expected {expected})")
    return code.zfill(14)


def classify(raw: str) -> ScannedCode:
    """Tell what a scanned string is. Digits of GTIN length must carry a valid check digit."""
    text = raw.strip()
    if not text:
        raise InvalidBarcode("empty scan")
    if any(ord(c) < 32 and c != "\x1d" for c in text):
        raise InvalidBarcode(f"scan contains control characters: {text!r}")
    upper = text.upper()
    if ORDER_RE.match(upper):
        return ScannedCode(CodeKind.ORDER, upper, raw)
    if RMA_RE.match(upper):
        return ScannedCode(CodeKind.RMA, upper, raw)
    if TOTE_RE.match(upper):
        return ScannedCode(CodeKind.TOTE, upper, raw)
    m = COMMAND_RE.match(upper)
    if m:
        return ScannedCode(CodeKind.COMMAND, m.group(1), raw)
    if text.isdigit() and len(text) in GTIN_LENGTHS:
        return ScannedCode(CodeKind.GTIN, normalize_gtin(text), raw)
    return ScannedCode(CodeKind.OTHER, text, raw)


def product_code_key(code: str) -> str:
    """The key under which a product barcode is stored and looked up.

    GTINs are keyed as GTIN-14 so that a UPC-A and its EAN-13 form find the same product;
    other codes (internal SKU labels, aliases) are keyed as upper-case text.
    """
    text = code.strip()
    if text.isdigit() and len(text) in GTIN_LENGTHS and is_valid_gtin(text):
        return text.zfill(14)
    return text.upper()
