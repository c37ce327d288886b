"""Carrier-supplied ZPL passes through untouched, except that positions and sizes are rescaled when the
label was made for another resolution (a 203 dpi label on a 300 dpi printer prints at two thirds size).

Field data (``^FD`` … ``^FS``), comments and graphics are copied byte for byte; only the numeric
dot parameters of layout commands are multiplied. ``^GF`` bitmaps keep their pixel size (logos come
out smaller or larger; barcodes and text are right).
"""

from __future__ import annotations

import re

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
    factor = to_dpi / from_dpi
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
        if code.startswith("A") and code != "A@" and len(command) >= 3:
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
