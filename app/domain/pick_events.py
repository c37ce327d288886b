"""The events of picking (bench outbox → hub, applied once like every bench event).

``tote_assigned``: an empty tote scanned for a slot of the batch (cluster: one per order).
``pick_confirmed``: units taken from a bin into a tote. ``pick_short``: units the bin did not have
(with the reason); the hub moves them off the bin, raises a count task and holds the order when no
other pickable bin has them. ``order_number`` is None in batch mode (one SKU for several orders).
They register themselves in ``app.domain.events`` (``EVENT_TYPES`` and ``from_wire``).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any, ClassVar

from app.domain import limits
from app.domain.events import EVENT_TYPES, PARSERS, BenchEvent, Fields

MAX_SLOT = 50
TOTE = 40
BATCH_ID = 36


class ShortReason(enum.StrEnum):
    BIN_EMPTY = "bin_empty"
    DAMAGED = "damaged"
    NOT_FOUND = "not_found"


@dataclass(frozen=True, kw_only=True)
class ToteAssigned(BenchEvent):
    TYPE: ClassVar[str] = "tote_assigned"
    batch_id: str
    order_number: str | None
    tote: str
    slot: int


@dataclass(frozen=True, kw_only=True)
class _AtBin(BenchEvent):
    """What a pick and a short pick both say: which batch, order, bin, SKU and how many."""

    batch_id: str
    order_number: str | None
    bin: str
    sku: str
    quantity: int


@dataclass(frozen=True, kw_only=True)
class PickConfirmed(_AtBin):
    TYPE: ClassVar[str] = "pick_confirmed"
    tote: str


@dataclass(frozen=True, kw_only=True)
class PickShort(_AtBin):
    TYPE: ClassVar[str] = "pick_short"
    reason: ShortReason


def _batch(p: Fields) -> dict[str, Any]:
    return {
        "batch_id": p.text("batch_id", BATCH_ID),
        "order_number": p.optional_text("order_number", limits.ORDER_NUMBER),
    }


def _at_bin(p: Fields) -> dict[str, Any]:
    return {
        **_batch(p),
        "bin": p.text("bin", limits.BIN),
        "sku": p.text("sku", limits.SKU),
        "quantity": p.integer("quantity", 1, limits.MAX_QUANTITY),
    }


def _tote_assigned(common: dict[str, Any], p: Fields) -> BenchEvent:
    return ToteAssigned(**common, **_batch(p), tote=p.text("tote", TOTE), slot=p.integer("slot", 1, MAX_SLOT))


def _pick_confirmed(common: dict[str, Any], p: Fields) -> BenchEvent:
    return PickConfirmed(**common, **_at_bin(p), tote=p.text("tote", TOTE))


def _pick_short(common: dict[str, Any], p: Fields) -> BenchEvent:
    return PickShort(**common, **_at_bin(p), reason=p.choice("reason", ShortReason))


for _cls, _parse in ((ToteAssigned, _tote_assigned), (PickConfirmed, _pick_confirmed), (PickShort, _pick_short)):
    EVENT_TYPES[_cls.TYPE] = _cls
    PARSERS[_cls] = _parse
