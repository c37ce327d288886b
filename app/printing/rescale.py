"""Carrier-supplied ZPL passes through untouched, except that positions and sizes are rescaled when the
label was made for another resolution (a 203 dpi label on a 300 dpi printer prints at two thirds size).
The factor is the ratio of dots per millimetre (8, 12, 24), so 203 → 300 dpi is exactly 1.5.

Field data (``^FD`` … ``^FS``), comments and graphics are copied byte for byte; only the numeric
dot parameters of layout commands are multiplied. ``^GF`` bitmaps keep their pixel size (logos come
out smaller or larger; barcodes and text are right).
"""

from __future__ import annotations

import re

from app.printing.fit import LabelDoesNotFit
from app.printing.layout import dots_per_mm, label_dots, label_size
from app.printing.profile import PrinterProfile

#: command → indexes of parameters measured in dots
_DOT_PARAMS: dict[str, tuple[int, ...]] = {
    "FO": (0, 1),
    "FT": (0, 1),
    "LH": (0, 1),
    "PW": (0,),
    "LL": (0,),
    "LS": (0,),
    "LT": (0,),
    "GB": (0, 1, 2),
    "GC": (0, 1),
    "GE": (0, 1, 2),
    "GD": (0, 1, 2),
    "CF": (1, 2),
    "FB": (0,),
    "TB": (1, 2),
    "BY": (0, 2),
    "BC": (1,),
    "B3": (2,),
    "BE": (1,),
    "B8": (1,),
    "BU": (1,),
    "B2": (1,),
    "B9": (1,),
    "BA": (1,),
    "B7": (1,),
    "BX": (1,),
    "BQ": (2,),
}
_CMD_RE = re.compile(r"[\^~]")


def _scale_params(params: str, indexes: tuple[int, ...], factor: float, minimum: int = 1) -> str:
    parts = params.split(",")
    for i in indexes:
        if i < len(parts) and parts[i].strip().isdigit():
            value = int(parts[i])
            parts[i] = str(max(minimum if value else 0, int(value * factor + 0.5)))
    return ",".join(parts)


def rescale_zpl(zpl: bytes, from_dpi: int, to_dpi: int) -> bytes:
    """``zpl`` made for ``from_dpi`` adjusted for a ``to_dpi`` printer; unchanged when they match."""
    if from_dpi == to_dpi:
        return zpl
    factor = dots_per_mm(to_dpi) / dots_per_mm(from_dpi)
    text = zpl.decode("latin-1")  # byte-exact round trip for field data in any encoding
    out: list[str] = []
    i = 0
    while True:
        m = _CMD_RE.search(text, i)
        if m is None:
            out.append(text[i:])
            break
        out.append(text[i : m.start()])
        start = m.start()
        code = text[start + 1 : start + 3].upper()
        if code in ("FD", "FV", "FX", "GF", "DG", "DY"):
            # data runs to the next ^FS (fields) or the next command (comments, graphics)
            end = text.find("^FS", start + 3) if code in ("FD", "FV") else _next_cmd(text, start + 3)
            end = len(text) if end < 0 else end
            out.append(text[start:end])
            i = end
            continue
        end = _next_cmd(text, start + 1)
        command = text[start:end]
        if code == "A@" and "," in command:
            # ^A@<orientation>,<height>,<width>,<font name>
            head, _, params = command.partition(",")
            command = head + "," + _scale_params(params, (0, 1), factor)
        elif code.startswith("A") and code != "A@" and len(command) >= 3:
            # ^A<font><orientation>,<height>,<width>
            head, _, params = command.partition(",")
            command = head + ("," + _scale_params(params, (0, 1), factor) if params else "")
        elif code in _DOT_PARAMS:
            prefix, params = command[:3], command[3:]
            if code == "BQ":
                params = _scale_params(params, (2,), factor)
                parts = params.split(",")
                if len(parts) > 2 and parts[2].isdigit():
                    parts[2] = str(min(10, int(parts[2])))
                params = ",".join(parts)
            else:
                params = _scale_params(params, _DOT_PARAMS[code], factor)
            command = prefix + params
        out.append(command)
        i = end
    return "".join(out).encode("latin-1")


def _next_cmd(text: str, pos: int) -> int:
    m = _CMD_RE.search(text, pos)
    return len(text) if m is None else m.start()


_PW_RE = re.compile(rb"\^PW(\d+)")
_LL_RE = re.compile(rb"\^LL(\d+)")
_FO_RE = re.compile(rb"\^F[OT](\d+),(\d+)")


def fit_zpl(zpl: bytes, from_dpi: int, profile: PrinterProfile, size: str = "4x6") -> bytes:
    """A carrier's ZPL (made for ``from_dpi``, on ``size`` labels unless its ``^PW``/``^LL`` say otherwise)
    rescaled for ``profile``, with the profile's ``^PW``/``^LL``.

    Raises LabelDoesNotFit when the label is larger than the media (a 4x6 carrier label on 4x4 stock)
    or a field starts outside it: such a label is refused, never printed cut off.
    """
    if profile.language != "zpl":
        raise LabelDoesNotFit(f"this printer speaks {profile.language.upper()}; the carrier's label is ZPL")
    src_w, src_h = label_dots(label_size(size), from_dpi)
    pw, ll = _PW_RE.search(zpl), _LL_RE.search(zpl)
    src_w = int(pw.group(1)) if pw else src_w
    src_h = int(ll.group(1)) if ll else src_h
    per_mm = dots_per_mm(from_dpi)
    tol = 1.0  # a millimetre of rounding between label stocks
    if src_w / per_mm > profile.label.width_mm + tol or src_h / per_mm > profile.label.height_mm + tol:
        raise LabelDoesNotFit(
            f"the carrier's label is {src_w / per_mm:.0f} x {src_h / per_mm:.0f} mm; this printer has "
            f"{profile.describe()} media ({profile.label.width_mm:.0f} x {profile.label.height_mm:.0f} mm): "
            "load labels the carrier's size"
        )
    out = rescale_zpl(zpl, from_dpi, profile.dpi)
    width, height = profile.width_dots, profile.height_dots
    for m in _FO_RE.finditer(out):
        if int(m.group(1)) >= width or int(m.group(2)) >= height:
            raise LabelDoesNotFit("a field of the carrier's label lies outside this printer's media")
    out = _PW_RE.sub(b"", out)
    out = _LL_RE.sub(b"", out)
    head = out.find(b"^XA")
    if head < 0:
        raise LabelDoesNotFit("the carrier's label is not a ZPL format (no ^XA)")
    return out[: head + 3] + f"^PW{width}^LL{height}".encode() + out[head + 3 :]
