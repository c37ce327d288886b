"""Moved to ``app.printing.layout`` (labels serve carriers, bench and devices alike); kept for importers."""

from app.printing.layout import (
    LABEL_2X1,
    LABEL_4X4,
    LABEL_4X6,
    SUPPORTED_DPI,
    Box,
    Code128,
    DataMatrix,
    Element,
    Image,
    Label,
    LabelSize,
    MonoBitmap,
    QRCode,
    Text,
    dots,
    label_dots,
)

__all__ = [
    "LABEL_2X1",
    "LABEL_4X4",
    "LABEL_4X6",
    "SUPPORTED_DPI",
    "Box",
    "Code128",
    "DataMatrix",
    "Element",
    "Image",
    "Label",
    "LabelSize",
    "MonoBitmap",
    "QRCode",
    "Text",
    "dots",
    "label_dots",
]
