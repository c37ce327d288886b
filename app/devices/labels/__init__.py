"""Label layout (one model), ZPL rendering with escaped field data, carrier ZPL rescaling, previews."""

from app.printing.layout import (
    LABEL_2X1,
    LABEL_4X4,
    LABEL_4X6,
    Box,
    Code128,
    DataMatrix,
    Image,
    Label,
    LabelSize,
    MonoBitmap,
    QRCode,
    Text,
)
from app.printing.rescale import rescale_zpl
from app.printing.zpl import escape_field, render_zpl

__all__ = [
    "LABEL_2X1",
    "LABEL_4X4",
    "LABEL_4X6",
    "Box",
    "Code128",
    "DataMatrix",
    "Image",
    "Label",
    "LabelSize",
    "MonoBitmap",
    "QRCode",
    "Text",
    "escape_field",
    "render_zpl",
    "rescale_zpl",
]
