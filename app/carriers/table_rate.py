"""A carrier priced from tables: local couriers, own vans, and offline use.

Zones match a destination by country and postcode prefix (the longest matching prefix wins, an
empty prefix list covers the whole country). Each service has weight brackets per zone (the first
bracket whose ``max_weight_g`` holds the parcel prices it) and transit days per zone. Tracking
numbers follow the UPU S10 shape, ``LC123456785GB``: two letters, eight serial digits, a mod-11
check digit and the issuing country.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from app.carriers.base import (
    CarrierError,
    Label,
    Manifest,
    ParcelRequest,
    Rate,
    TrackingStatus,
    TrackingUpdate,
    VoidResult,
)
from app.carriers.zpl import shipping_label
from app.domain.money import Money
from app.printing.fit import LabelDoesNotFit
from app.printing.profile import PrinterProfile

#: the stored copy of a label: 4x6 at 203 dpi, any script (the printer's font named generically)
RECORD_PROFILE = PrinterProfile(unicode_font="E:UNICODE.TTF")

_S10_WEIGHTS = (8, 6, 4, 2, 3, 5, 9, 7)


def s10_check_digit(serial: str) -> int:
    """The UPU S10 check digit of an 8-digit serial number."""
    if len(serial) != 8 or not serial.isdigit():
        raise ValueError(f"an S10 serial is 8 digits, got {serial!r}")
    check = 11 - sum(int(d) * w for d, w in zip(serial, _S10_WEIGHTS, strict=True)) % 11
    return {10: 0, 11: 5}.get(check, check)


def s10_tracking_number(prefix: str, serial: int, country: str) -> str:
    digits = f"{serial:08d}"
    if len(digits) != 8:
        raise CarrierError("tracking serial numbers are used up (more than 8 digits)")
    return f"{prefix.upper()}{digits}{s10_check_digit(digits)}{country.upper()}"


def is_valid_s10(number: str) -> bool:
    n = number.strip().upper()
    return (
        len(n) == 13
        and n[:2].isalpha()
        and n[11:].isalpha()
        and n[2:11].isdigit()
        and s10_check_digit(n[2:10]) == int(n[10])
    )


@dataclass(frozen=True, slots=True)
class Zone:
    name: str
    country: str
    postcode_prefixes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class WeightBracket:
    max_weight_g: int
    amount_minor: int


@dataclass(frozen=True, slots=True)
class TableService:
    code: str
    name: str
    prices: Mapping[str, Sequence[WeightBracket]]  # zone name -> brackets, ascending by weight
    transit_days: Mapping[str, int]  # zone name -> working days


@dataclass
class TableRateCarrier:
    """``next_serial`` hands out tracking serials; the hub gives one backed by its database so numbers
    survive restarts. Scans recorded with ``record_scan`` are what ``track`` reports."""

    name: str
    zones: Sequence[Zone]
    services: Sequence[TableService]
    currency: str = "GBP"
    tracking_prefix: str = "LC"
    country: str = "GB"
    next_serial: Callable[[], int] = field(default_factory=lambda: itertools.count(1).__next__)
    scans: dict[str, list[TrackingUpdate]] = field(default_factory=dict)

    def zone_for(self, country: str, postcode: str) -> Zone | None:
        code = postcode.replace(" ", "").upper()
        best: tuple[int, Zone] | None = None
        for zone in self.zones:
            if zone.country.upper() != country.upper():
                continue
            if not zone.postcode_prefixes:
                score = 0
            else:
                hits = [len(p) for p in zone.postcode_prefixes if code.startswith(p.replace(" ", "").upper())]
                if not hits:
                    continue
                score = max(hits)
            if best is None or score > best[0]:
                best = (score, zone)
        return best[1] if best else None

    def rates(self, parcel: ParcelRequest) -> list[Rate]:
        zone = self.zone_for(parcel.ship_to.country, parcel.ship_to.postcode)
        if zone is None:
            return []
        out = []
        for service in self.services:
            brackets = service.prices.get(zone.name, ())
            bracket = next((b for b in brackets if parcel.weight_g <= b.max_weight_g), None)
            if bracket is None:
                continue
            out.append(
                Rate(
                    carrier=self.name,
                    service=service.code,
                    amount=Money(bracket.amount_minor, self.currency),
                    transit_days=service.transit_days.get(zone.name),
                    rate_id=f"{service.code}@{zone.name}",
                )
            )
        return out

    def buy(self, parcel: ParcelRequest, rate: Rate) -> Label:
        offered = {r.service: r for r in self.rates(parcel)}
        current = offered.get(rate.service)
        if current is None:
            raise CarrierError(
                f"{self.name} does not offer {rate.service} to {parcel.ship_to.country} {parcel.ship_to.postcode}"
            )
        number = s10_tracking_number(self.tracking_prefix, self.next_serial(), self.country)
        label = Label(parcel.parcel_ref, self.name, rate.service, number, "", current.amount, shipment_id=number)
        try:  # the record kept with the purchase; the bench gets ``label_for`` its own printer profile
            return replace(label, zpl=self.label_for(parcel, label, RECORD_PROFILE))
        except LabelDoesNotFit:
            return label

    def label_for(self, parcel: ParcelRequest, label: Label, profile: PrinterProfile) -> str:
        """The label laid out afresh for ``profile`` (our own layout: any resolution, 4x6 or 4x4 media).
        Raises LabelDoesNotFit when it cannot fit."""
        service_name = next((s.name for s in self.services if s.code == label.service), label.service)
        return shipping_label(
            carrier=self.name,
            service=service_name,
            tracking_number=label.tracking_number,
            ship_from=parcel.ship_from,
            ship_to=parcel.ship_to,
            weight_g=parcel.weight_g,
            reference=parcel.reference or parcel.parcel_ref,
            profile=profile,
        )

    def void(self, label: Label, reason: str) -> VoidResult:
        # Nothing was paid to anyone: the label is simply not handed over.
        return VoidResult(True, f"voided locally: {reason}")

    def record_scan(self, update: TrackingUpdate) -> None:
        self.scans.setdefault(update.tracking_number, []).append(update)

    def track(self, tracking_number: str) -> TrackingUpdate:
        if not is_valid_s10(tracking_number):
            raise CarrierError(f"{tracking_number!r} is not a {self.name} tracking number (check digit)")
        history = self.scans.get(tracking_number)
        if not history:
            return TrackingUpdate(tracking_number, TrackingStatus.PRE_TRANSIT, "label created, not scanned yet")
        return history[-1]

    def manifest(self, labels: Sequence[Label]) -> Manifest:
        mine = [lb for lb in labels if lb.carrier == self.name]
        if not mine:
            raise CarrierError(f"no {self.name} labels to manifest")
        stamp = datetime.now(UTC)
        lines = [f"{self.name} manifest {stamp:%Y-%m-%d %H:%M} UTC, {len(mine)} parcel(s)"]
        lines += [f"{lb.tracking_number}\t{lb.service}\t{lb.parcel_ref}" for lb in mine]
        return Manifest(
            carrier=self.name,
            # Its first tracking number keeps it apart from another location's manifest of the same second.
            manifest_id=f"{self.name}-{stamp:%Y%m%d%H%M%S}-{mine[0].tracking_number}",
            tracking_numbers=tuple(lb.tracking_number for lb in mine),
            document="\n".join(lines) + "\n",
        )
