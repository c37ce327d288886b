"""What a scanned string is: AIM symbology identifier, GS1 element strings (via biip), GTINs, our numbers.

Scanners configured to send AIM identifiers prefix each code with ``]`` + symbology + modifier:
``]C1`` GS1-128, ``]d2`` GS1 DataMatrix, ``]Q3`` GS1 QR, ``]e0`` GS1 DataBar, ``]E0`` EAN-13/UPC-A,
``]E4`` EAN-8, ``]C0`` plain Code 128. Keyboard wedges often lose the GS separator (ASCII 29) or map it
to another key: ``ScanConfig.gs_substitute`` names the character(s) that stand for GS.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from app.devices.errors import InvalidScan
from app.domain.barcodes import ScannedCode, classify, normalize_gtin
from app.domain.errors import InvalidBarcode

GS = "\x1d"
GS1_AIM = {"C1", "d2", "Q3", "e0", "e1", "e2", "J1"}
GTIN_AIM = {"E0", "E3", "E4", "I1"}


@dataclass(frozen=True, slots=True)
class ScanConfig:
    """``gs_substitute``: characters the scanner sends instead of GS (e.g. ``("|",)``)."""

    gs_substitute: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Scan:
    """A parsed scan. ``code`` is the domain's view (GTIN/order/tote/RMA/…); GS1 fields when present."""

    raw: str
    data: str
    symbology: str | None
    code: ScannedCode | None
    gtin: str | None = None
    sscc: str | None = None
    batch: str | None = None
    expiry: dt.date | None = None
    serial: str | None = None
    elements: dict[str, str] = field(default_factory=dict)

    @property
    def is_gs1(self) -> bool:
        return bool(self.elements)


# biip (and its GS1 prefix tables, ~20 MB) loads on the first AIM-prefixed or GS1 scan, not at start.


def _split_aim(raw: str) -> tuple[str | None, str]:
    if not raw.startswith("]") or len(raw) < 3:
        return None, raw
    import biip
    from biip.symbology import SymbologyIdentifier

    try:
        ident = SymbologyIdentifier.extract(raw)
    except biip.ParseError as exc:
        raise InvalidScan(f"Unknown symbology identifier in {raw[:4]!r}") from exc
    return ident.value[1:], raw[len(ident.value) :]


def _looks_gs1(data: str) -> bool:
    return GS in data or data.startswith("(") or (data[:2] in ("00", "01", "02") and len(data) > 14)


def parse_gs1(data: str, *, raw: str | None = None, symbology: str | None = None) -> Scan:
    """Parse GS1 element strings (``GS``-separated, or HRI with parentheses). Raises InvalidScan."""
    import biip
    import biip.gs1_messages

    config = biip.ParseConfig(separator_chars=(GS,))
    try:
        if data.startswith("("):
            message = biip.gs1_messages.GS1Message.parse_hri(data, config=config)
        else:
            message = biip.gs1_messages.GS1Message.parse(data.lstrip(GS), config=config)
    except biip.ParseError as exc:
        raise InvalidScan(f"Not a valid GS1 barcode: {exc}") from exc
    elements = {es.ai.ai: es.value for es in message.element_strings}
    got = message.element_strings.get
    gtin_es, sscc_es, exp_es = got(ai="01"), got(ai="00"), got(ai="17")
    for es in message.element_strings:
        if es.gtin_error or es.sscc_error:
            raise InvalidScan(f"Not a valid GS1 barcode: {es.gtin_error or es.sscc_error}")
    gtin = gtin_es.value if gtin_es else None
    code = ScannedCode(kind=classify(gtin).kind, value=gtin, raw=raw or data) if gtin else None
    return Scan(
        raw=raw if raw is not None else data,
        data=data,
        symbology=symbology,
        code=code,
        gtin=gtin,
        sscc=sscc_es.value if sscc_es else None,
        batch=elements.get("10"),
        expiry=exp_es.date if exp_es else None,
        serial=elements.get("21"),
        elements=elements,
    )


def parse_scan(raw: str, config: ScanConfig | None = None) -> Scan:
    """Turn one scanned string into a ``Scan``. Raises InvalidScan with a reason for the packer."""
    config = config or ScanConfig()
    text = raw.rstrip("\r\n")
    if not text.strip():
        raise InvalidScan("Empty scan")
    symbology, data = _split_aim(text)
    for sub in config.gs_substitute:
        if sub:
            data = data.replace(sub, GS)
    if symbology in GS1_AIM or (symbology is None and _looks_gs1(data)):
        try:
            return parse_gs1(data, raw=raw, symbology=symbology)
        except InvalidScan:
            if symbology in GS1_AIM:
                raise
    if symbology in GTIN_AIM:
        try:
            gtin = normalize_gtin(data)
        except InvalidBarcode as exc:
            raise InvalidScan(f"Bad product barcode: {exc}") from exc
        return Scan(raw=raw, data=data, symbology=symbology, code=classify(gtin), gtin=gtin)
    try:
        code = classify(data)
    except InvalidBarcode as exc:
        raise InvalidScan(f"Bad barcode: {exc}") from exc
    return Scan(
        raw=raw,
        data=data,
        symbology=symbology,
        code=code,
        gtin=code.value if code.kind == "gtin" else None,
    )
