"""Where a parcel's shipping label comes from: "a label for order X parcel N" → carrier, tracking, ZPL.

``HubLabels`` is the real source: the hub holds the carrier accounts and buys the label. When the hub
is offline, or has no label service yet, it raises ``LabelUnavailable`` and the parcel waits as
"packed, label pending"; the engine tries again after each sync.

``LocalFallbackLabels`` makes a label on the bench itself, with a locally generated tracking number
and carrier ``LOCAL-FALLBACK``. It exists only so that a headless shift can exercise the printer path
while the hub has no label endpoint; those labels are not carrier labels and must not ship parcels.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any, Protocol

from app.bench.hub_client import HubClient, HubOffline, HubRefused
from app.bench.model import PackOrder
from app.devices.labels.layout import LABEL_4X6, Box, Code128, Label, Text
from app.devices.labels.zpl import render_zpl


@dataclass(frozen=True)
class ShippingLabel:
    carrier: str
    tracking_number: str
    zpl: bytes


class LabelUnavailable(Exception):
    """No label now (hub offline, no label service, carrier down): the parcel waits, retried later."""


class LabelRefused(Exception):
    """The hub will not label this parcel (order cancelled, not packed …): do not print it."""


class LabelSource(Protocol):
    def request(self, order: PackOrder, parcel: dict[str, Any]) -> ShippingLabel:
        """A label for ``parcel`` (``parcel_no``, ``carton_code``, ``weight_g``, ``items``) of ``order``."""
        ...


class HubLabels:
    """Labels bought by the hub through its carrier path."""

    def __init__(self, client: HubClient) -> None:
        self.client = client

    def request(self, order: PackOrder, parcel: dict[str, Any]) -> ShippingLabel:
        try:
            answer = self.client.request_label(order.number, parcel)
        except HubOffline as exc:
            raise LabelUnavailable(str(exc)) from exc
        except HubRefused as exc:
            if exc.status in (404, 405, 501, 503):  # no label service at this hub (yet), or carrier down
                raise LabelUnavailable(f"the hub has no label for it now: {exc}") from exc
            raise LabelRefused(str(exc)) from exc
        zpl = answer.get("zpl", "")
        return ShippingLabel(
            carrier=str(answer["carrier"]),
            tracking_number=str(answer["tracking_number"]),
            zpl=zpl.encode("utf-8") if isinstance(zpl, str) else bytes(zpl),
        )


class LocalFallbackLabels:
    """FALLBACK ONLY: a bench-made label with a local tracking number (see the module docstring)."""

    CARRIER = "LOCAL-FALLBACK"

    def __init__(self, station: str, dpi: int = 203) -> None:
        self.station = station
        self.dpi = dpi

    def tracking_number(self, order_number: str, parcel_no: int) -> str:
        digest = hashlib.sha256(f"{self.station}/{order_number}/{parcel_no}".encode()).hexdigest()[:10].upper()
        return f"LF{digest}"

    def request(self, order: PackOrder, parcel: dict[str, Any]) -> ShippingLabel:
        tracking = self.tracking_number(order.number, int(parcel["parcel_no"]))
        to = order.ship_to
        lines = [str(to.get(k, "")) for k in ("name", "line1", "line2", "city", "postcode", "country") if to.get(k)]
        elements: list[Any] = [Box(3, 3, 95.6, 146.4), Text(6, 8, "SHIP TO", height_mm=3)]
        elements += [Text(6, 14 + 7 * i, line, height_mm=5) for i, line in enumerate(lines)]
        elements += [
            Text(6, 62, f"{order.number}  parcel {parcel['parcel_no']}  {parcel['weight_g']} g", height_mm=4),
            Text(6, 70, f"{self.CARRIER} - NOT A CARRIER LABEL", height_mm=4),
            Code128(6, 80, tracking, height_mm=25),
        ]
        zpl = render_zpl(Label(LABEL_4X6, tuple(elements)), dpi=self.dpi)
        return ShippingLabel(self.CARRIER, tracking, zpl)
