"""packbench devices: scanners, scales and printers — protocols, transports and simulators.

Contracts (one method each, like an httpx transport):

- ``Scale.read() -> WeightReading`` (``app.devices.scales``): SerialScale over MT-SICS, NCI, CAS,
  CAS ECR; HidScale for USB HID POS scales.
- ``LabelPrinter.send(bytes)`` (``app.devices.printers``): TcpLabelPrinter (9100 + ``~HS``),
  QueueLabelPrinter (OS queue), FileLabelPrinter; PrintSpool keeps jobs pending/held/printed.
- Scanners (``app.devices.scanners``): KeyboardWedgeDecoder, SerialScanner, ``parse_scan``.

Labels: ``app.devices.labels`` (layout → ZPL, previews). Simulators: ``app.devices.sim``.
Every failure reaches callers as ``DeviceError`` with a message for the packer.
"""

from app.devices.errors import DependencyMissing, DeviceError, InvalidScan, PrinterNotReady, PrintUnconfirmed
from app.devices.weights import ScaleState, WeightReading

__all__ = [
    "DependencyMissing",
    "DeviceError",
    "InvalidScan",
    "PrintUnconfirmed",
    "PrinterNotReady",
    "ScaleState",
    "WeightReading",
]
