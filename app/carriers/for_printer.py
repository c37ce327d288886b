"""A bought label as ZPL for the bench's printer profile, and the check made before buying one.

A carrier that lays out its own labels (``label_for``, the table-rate carriers) lays the label out
afresh for the profile; any other carrier's ZPL (EasyPost: 4x6 at 203 dpi, its ``label_dpi`` and
``label_size``) is rescaled by the ratio of dots per millimetre and checked against the media. Both
raise ``LabelDoesNotFit`` rather than hand out a label that would print cut off.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from app.carriers.base import Carrier, Label, ParcelRequest
from app.domain.money import Money
from app.printing.fit import LabelDoesNotFit
from app.printing.profile import PrinterProfile
from app.printing.rescale import fit_zpl
from app.printing.shipping import MIN_HEIGHT_MM


def check_printable(carriers: Sequence[Carrier], request: ParcelRequest, profile: PrinterProfile) -> None:
    """Before anything is bought: the media can hold a shipping label, and every carrier that lays out
    its own labels can place this parcel's addresses on it (length, script). Raises LabelDoesNotFit."""
    if profile.label.height_mm < MIN_HEIGHT_MM:
        raise LabelDoesNotFit(
            f"a shipping label needs 4x4 or 4x6 labels; this printer is set up for {profile.describe()}"
        )
    probe = Label(request.parcel_ref, "", "W" * 12, "RR000000000GB", "", Money(0))
    for carrier in carriers:
        layout = getattr(carrier, "label_for", None)
        if layout is not None:
            layout(request, replace(probe, carrier=carrier.name), profile)


def zpl_for_printer(carriers: Sequence[Carrier], request: ParcelRequest, label: Label, profile: PrinterProfile) -> str:
    """``label`` as ZPL for ``profile``. Raises LabelDoesNotFit when it cannot fit the media."""
    carrier = next((c for c in carriers if c.name == label.carrier), None)
    layout = getattr(carrier, "label_for", None)
    if layout is not None:
        return str(layout(request, label, profile))
    dpi, size = int(getattr(carrier, "label_dpi", 203)), str(getattr(carrier, "label_size", "4x6"))
    return fit_zpl(label.zpl.encode("utf-8"), dpi, profile, size).decode("utf-8")
