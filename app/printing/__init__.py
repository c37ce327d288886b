"""Label printing shared by carriers, bench and devices: one layout (mm), printer profiles (dots/mm,
media, language), fit checks with barcode quiet zones, ZPL rendering with escaped field data, carrier
ZPL rescaling, and the shipping label layout."""

from app.printing.fit import LabelDoesNotFit, check_fits
from app.printing.layout import LABEL_2X1, LABEL_4X4, LABEL_4X6, Label, LabelSize, dots, label_dots, label_size
from app.printing.profile import DEFAULT_PROFILE, PrinterProfile, ProfileError
from app.printing.rescale import fit_zpl, rescale_zpl
from app.printing.zpl import NeedsUnicodeFont, escape_field, render_zpl

__all__ = [
    "DEFAULT_PROFILE",
    "LABEL_2X1",
    "LABEL_4X4",
    "LABEL_4X6",
    "Label",
    "LabelDoesNotFit",
    "LabelSize",
    "NeedsUnicodeFont",
    "PrinterProfile",
    "ProfileError",
    "check_fits",
    "dots",
    "escape_field",
    "fit_zpl",
    "label_dots",
    "label_size",
    "render_zpl",
    "rescale_zpl",
]
