"""Bench cards: command barcodes a packer or clerk scans instead of pressing keys.

Printed once per bench on its label printer, for its printer profile, and taped beside the scanner: one
4x6 label holds every command; smaller labels hold fewer a page (on 2x1, one command a label). Every
barcode keeps its 10-module quiet zones (``app.printing.fit``).
"""

from __future__ import annotations

from app.printing.fit import code128_module, code128_modules, hr_height
from app.printing.layout import Box, Code128, Element, Label, LabelSize, Text, dots
from app.printing.profile import DEFAULT_PROFILE, PrinterProfile
from app.printing.zpl import render_zpl

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
SMALL_MM = 40.0  # labels lower than this get one command each, no title and no frame
STEP_MM = 13.0  # the least room one command needs: meaning, bars, digits


def _command(
    size: LabelSize, y: float, height_mm: float, word: str, meaning: str, dpi: int, x_text: float
) -> list[Element]:
    data = f"CMD:{word}"
    module = code128_module(data, size.width_mm - 2 * x_text + 2, dpi, preferred_mm=0.25)
    bar_w = len(code128_modules(data)) * module
    per_mm = dots(1, dpi)
    bar_h = height_mm - 3.5 - (hr_height(round(height_mm * per_mm)) / per_mm)
    return [
        Text(x_text, y, meaning, height_mm=2.5),
        Code128((size.width_mm - bar_w) / 2, y + 3.5, data, height_mm=max(3.0, bar_h), module_mm=module),
    ]


def bench_cards(title: str, commands: list[tuple[str, str]], profile: PrinterProfile = DEFAULT_PROFILE) -> list[Label]:
    """The card(s) for ``profile``'s media: one ``CMD:…`` Code 128 per command with its meaning above it."""
    size, dpi = profile.label, profile.dpi
    if size.height_mm < SMALL_MM:
        bar = size.height_mm - 4.0 - 1.5
        return [Label(size, tuple(_command(size, 1.0, bar + 3.5, w, m, dpi, 2.0))) for w, m in commands]
    free = size.height_mm - 13.0 - 4.0
    per_page = max(1, min(len(commands), int(free // STEP_MM)))
    step = min(26.0, free / per_page)
    pages = []
    for start in range(0, len(commands), per_page):
        chunk = commands[start : start + per_page]
        page_title = title if len(commands) <= per_page else f"{title} ({start // per_page + 1})"
        elements: list[Element] = [
            Box(2, 2, size.width_mm - 4, size.height_mm - 4),
            Text(5, 5, page_title, height_mm=4),
        ]
        for i, (word, meaning) in enumerate(chunk):
            elements += _command(size, 13 + i * step, step - 2.0, word, meaning, dpi, 5.0)
        pages.append(Label(size, tuple(elements)))
    return pages


def bench_card(title: str, commands: list[tuple[str, str]]) -> Label:
    """The 4x6 card (every command on one label)."""
    return bench_cards(title, commands)[0]


def cards_zpl(title: str, commands: list[tuple[str, str]], profile: PrinterProfile) -> bytes:
    """Every page of the card as ZPL for ``profile`` (one format per label)."""
    return b"".join(render_zpl(card, profile=profile) for card in bench_cards(title, commands, profile))


def pack_card() -> Label:
    return bench_card("PACKING - command card", PACK_COMMANDS)


def returns_card() -> Label:
    return bench_card("RETURNS - command card", RETURN_COMMANDS)
