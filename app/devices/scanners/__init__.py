"""Barcode scanners: keyboard-wedge decoding, serial scanners, AIM identifiers and GS1 parsing."""

from app.devices.scanners.parse import Scan, ScanConfig, parse_scan
from app.devices.scanners.serial_scanner import SerialScanner
from app.devices.scanners.wedge import KeyboardWedgeDecoder, TypedText, WedgeConfig, WedgeScan

__all__ = [
    "KeyboardWedgeDecoder",
    "Scan",
    "ScanConfig",
    "SerialScanner",
    "TypedText",
    "WedgeConfig",
    "WedgeScan",
    "parse_scan",
]
