"""Label layout (one model), ZPL rendering with escaped field data, carrier ZPL rescaling, previews."""

from app.devices.labels.layout import (
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
from app.devices.labels.zpl import escape_field, render_zpl
from app.devices.labels.zpl_scale import rescale_zpl

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
