"""Buying a label exactly once per parcel.

The purchase is recorded as *pending* (carrier and chosen rate) before the carrier is asked, and as
*bought* once the label is back. A retry of a parcel with a bought label returns that label; a retry
of a pending one asks the same carrier for the same rate again, which each carrier adapter answers
with the label it already bought (the aggregator looks the shipment up before buying). So a timeout
followed by a retry gives one label and one charge, never a new rate shop.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from app.carriers.base import Carrier, CarrierError, Label, ParcelRequest, Rate, VoidResult
from app.carriers.shopping import ShoppingRules, choose_rate


@dataclass(frozen=True, slots=True)
class PendingPurchase:
    parcel_ref: str
    rate: Rate
    reason: str


class LabelStore(Protocol):
    """Where purchases are remembered (the hub's database; a dict in tests)."""

    def bought(self, parcel_ref: str) -> Label | None: ...

    def pending(self, parcel_ref: str) -> PendingPurchase | None: ...

    def save_pending(self, pending: PendingPurchase) -> None: ...

    def save_bought(self, label: Label, reason: str) -> None: ...

    def mark_voided(self, parcel_ref: str, reason: str) -> None: ...


class MemoryLabelStore:
    def __init__(self) -> None:
        self.labels: dict[str, Label] = {}
        self.reasons: dict[str, str] = {}
        self.pendings: dict[str, PendingPurchase] = {}
        self.voided: dict[str, str] = {}

    def bought(self, parcel_ref: str) -> Label | None:
        return self.labels.get(parcel_ref)

    def pending(self, parcel_ref: str) -> PendingPurchase | None:
        return self.pendings.get(parcel_ref)

    def save_pending(self, pending: PendingPurchase) -> None:
        self.pendings[pending.parcel_ref] = pending

    def save_bought(self, label: Label, reason: str) -> None:
        self.labels[label.parcel_ref] = label
        self.reasons[label.parcel_ref] = reason
        self.pendings.pop(label.parcel_ref, None)

    def mark_voided(self, parcel_ref: str, reason: str) -> None:
        self.labels.pop(parcel_ref, None)
        self.voided[parcel_ref] = reason


@dataclass(frozen=True, slots=True)
class Purchase:
    label: Label
    reason: str
    reused: bool  # True when this call returned a label bought earlier


class LabelBuyer:
    def __init__(self, carriers: Sequence[Carrier], rules: ShoppingRules, store: LabelStore) -> None:
        self.carriers: Mapping[str, Carrier] = {c.name: c for c in carriers}
        self.rules = rules
        self.store = store

    def shop(self, parcel: ParcelRequest) -> tuple[Rate, str]:
        rates: list[Rate] = []
        failures: list[str] = []
        for carrier in self.carriers.values():
            try:
                rates.extend(carrier.rates(parcel))
            except CarrierError as exc:  # one carrier down must not stop the bench
                failures.append(f"{carrier.name}: {exc}")
        choice = choose_rate(rates, self.rules, channel=parcel.channel, service_level=parcel.service_level)
        reason = choice.reason
        if failures:
            reason += " (no rates from " + "; ".join(failures) + ")"
        return choice.rate, reason

    def buy(self, parcel: ParcelRequest) -> Purchase:
        """The parcel's label: bought now, or the one bought before. Raises ``CarrierError`` (or
        ``CarrierTimeout``: call again with the same parcel)."""
        done = self.store.bought(parcel.parcel_ref)
        if done is not None:
            return Purchase(done, "label already bought for this parcel", reused=True)
        pending = self.store.pending(parcel.parcel_ref)
        if pending is None:
            rate, reason = self.shop(parcel)
            pending = PendingPurchase(parcel.parcel_ref, rate, reason)
            self.store.save_pending(pending)
        carrier = self.carriers.get(pending.rate.carrier)
        if carrier is None:
            raise CarrierError(f"carrier {pending.rate.carrier} of the pending purchase is not configured")
        label = carrier.buy(parcel, pending.rate)
        self.store.save_bought(label, pending.reason)
        return Purchase(label, pending.reason, reused=False)

    def void(self, parcel_ref: str, reason: str) -> VoidResult:
        if not reason.strip():
            raise CarrierError("a void needs a reason")
        label = self.store.bought(parcel_ref)
        if label is None:
            raise CarrierError(f"no label bought for parcel {parcel_ref}")
        result = self.carriers[label.carrier].void(label, reason)
        if result.accepted:
            self.store.mark_voided(parcel_ref, reason)
        return result
