"""Bench cards: command barcodes a packer or clerk scans instead of pressing keys.

Printed once per bench (on the label printer, 4x6) and taped beside the scanner.
"""

from __future__ import annotations

from app.devices.labels.layout import LABEL_4X6, Box, Code128, Label, Text

PACK_COMMANDS = [
    ("CLOSE_PARCEL", "Close parcel (next parcel)"),
    ("SHORT_PICK", "Short pick"),
    ("DAMAGED", "Damaged item (scan the item first)"),
    ("SLIP_DONE", "Packing slip done"),
    ("CANCEL", "Put aside (order stopped)"),
]
RETURN_COMMANDS = [
    ("NEW", "New / unopened"),
    ("OPENED", "Opened"),
    ("DAMAGED", "Damaged"),
    ("DEFECTIVE", "Defective"),
    ("RESTOCK", "Restock"),
    ("QUARANTINE", "Quarantine"),
    ("REFURBISH", "Refurbish"),
    ("SCRAP", "Scrap"),
    ("RETURN_TO_VENDOR", "Return to vendor"),
    ("DONE", "Finish the return"),
]


def bench_card(title: str, commands: list[tuple[str, str]]) -> Label:
    """A 4x6 label with one Code 128 ``CMD:…`` barcode per command, its meaning printed beside it."""
    step = min(26.0, 136.0 / max(1, len(commands)))
    elements: list[Text | Code128 | Box] = [Box(2, 2, 97.6, 148.4), Text(5, 5, title, height_mm=4)]
    for i, (word, meaning) in enumerate(commands):
        y = 13 + i * step
        elements.append(Text(5, y, meaning, height_mm=2.5))
        elements.append(Code128(5, y + 3.5, f"CMD:{word}", height_mm=max(6.0, step - 8), module_mm=0.25))
    return Label(LABEL_4X6, tuple(elements))


def pack_card() -> Label:
    return bench_card("PACKING - command card", PACK_COMMANDS)


def returns_card() -> Label:
    return bench_card("RETURNS - command card", RETURN_COMMANDS)
