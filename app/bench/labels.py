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
from app.domain.orders import Address
from app.printing.fit import LabelDoesNotFit
from app.printing.layout import Label
from app.printing.profile import DEFAULT_PROFILE, PrinterProfile
from app.printing.shipping import ShippingContent, shipping_label_layout
from app.printing.zpl import render_zpl


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
    """Labels bought by the hub through its carrier path, sent as ZPL for this bench's printer ``profile``
    (the request carries the profile; the hub renders or rescales to it, or refuses what cannot fit)."""

    def __init__(self, client: HubClient, profile: PrinterProfile = DEFAULT_PROFILE) -> None:
        self.client = client
        self.profile = profile

    def request(self, order: PackOrder, parcel: dict[str, Any]) -> ShippingLabel:
        try:
            answer = self.client.request_label(order.number, {**parcel, "printer": self.profile.to_json()})
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
    """FALLBACK ONLY: a bench-made label with a local tracking number (see the module docstring), laid
    out for the bench's printer ``profile`` like every other label."""

    CARRIER = "LOCAL-FALLBACK"

    def __init__(self, station: str, profile: PrinterProfile = DEFAULT_PROFILE) -> None:
        self.station = station
        self.profile = profile

    def tracking_number(self, order_number: str, parcel_no: int) -> str:
        digest = hashlib.sha256(f"{self.station}/{order_number}/{parcel_no}".encode()).hexdigest()[:10].upper()
        return f"LF{digest}"

    def layout(self, order: PackOrder, parcel: dict[str, Any]) -> Label:
        """The fallback label's layout for this bench's profile. Raises LabelRefused when it cannot fit."""
        tracking = self.tracking_number(order.number, int(parcel["parcel_no"]))
        to = {k: str(v) for k, v in order.ship_to.items() if isinstance(v, str | int)}
        fields = ("name", "company", "line1", "line2", "city", "postcode", "region", "country")
        content = ShippingContent(
            carrier=self.CARRIER,
            service="NOT A CARRIER LABEL",
            tracking_number=tracking,
            ship_from=Address(name=f"bench {self.station}", line1="", city="", postcode="", country=""),
            ship_to=Address(**{k: to.get(k, "") for k in fields}),  # type: ignore[arg-type]
            weight_g=int(parcel["weight_g"]),
            reference=f"{order.number}  parcel {parcel['parcel_no']}",
        )
        try:
            return shipping_label_layout(content, self.profile)
        except LabelDoesNotFit as exc:
            raise LabelRefused(f"the fallback label cannot be printed: {exc}") from exc

    def request(self, order: PackOrder, parcel: dict[str, Any]) -> ShippingLabel:
        label = self.layout(order, parcel)
        try:
            zpl = render_zpl(label, profile=self.profile)
        except LabelDoesNotFit as exc:
            raise LabelRefused(f"the fallback label cannot be printed: {exc}") from exc
        return ShippingLabel(self.CARRIER, self.tracking_number(order.number, int(parcel["parcel_no"])), zpl)
