"""Events the bench reports to the hub.

Each event carries its own id (a UUID the bench makes when it writes the event to its outbox),
so the hub can apply it exactly once however often it is sent. ``to_wire``/``from_wire`` give the
JSON shape both sides use: ``{"event_id", "type", "occurred_at", "operator_badge", "payload"}``.
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from typing import Any, ClassVar

from app.domain.errors import DomainError
from app.domain.returns import Condition, Disposition, ReceivedUnit


class ExceptionKind(enum.StrEnum):
    WRONG_ITEM = "wrong_item"
    OVER_SCAN = "over_scan"
    UNKNOWN_CODE = "unknown_code"
    WEIGHT_MISMATCH = "weight_mismatch"
    SHORT_PICK = "short_pick"
    DAMAGED = "damaged"
    CANCELLED_ORDER = "cancelled_order"


# Exceptions that stop the order: it goes on hold at the hub until a supervisor decides.
HOLDING_EXCEPTIONS = frozenset({ExceptionKind.SHORT_PICK, ExceptionKind.DAMAGED})


def new_event_id() -> str:
    return str(uuid.uuid4())


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class Parcel:
    parcel_no: int
    carton_code: str
    weight_g: int
    expected_weight_g: int
    items: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class BenchEvent:
    TYPE: ClassVar[str] = ""
    event_id: str = field(default_factory=new_event_id)
    occurred_at: datetime = field(default_factory=utcnow)
    operator_badge: str = ""

    def payload(self) -> dict[str, Any]:
        base = {f.name for f in fields(BenchEvent)}
        return {k: v for k, v in _plain(asdict(self)).items() if k not in base}

    def to_wire(self) -> dict[str, Any]:
        return {
            "event_id": self.event_id,
            "type": self.TYPE,
            "occurred_at": self.occurred_at.isoformat(),
            "operator_badge": self.operator_badge,
            "payload": self.payload(),
        }


@dataclass(frozen=True, kw_only=True)
class OrderPacked(BenchEvent):
    TYPE: ClassVar[str] = "order_packed"
    order_number: str
    parcels: tuple[Parcel, ...]
    weight_override_by: str | None = None
    pack_seconds: float = 0.0


@dataclass(frozen=True, kw_only=True)
class PackExceptionRaised(BenchEvent):
    TYPE: ClassVar[str] = "pack_exception"
    order_number: str
    kind: ExceptionKind
    sku: str | None = None
    quantity: int = 0
    detail: str = ""


@dataclass(frozen=True, kw_only=True)
class LabelPrinted(BenchEvent):
    TYPE: ClassVar[str] = "label_printed"
    order_number: str
    parcel_no: int
    tracking_number: str
    carrier: str


@dataclass(frozen=True, kw_only=True)
class ReturnReceived(BenchEvent):
    TYPE: ClassVar[str] = "return_received"
    rma_number: str
    location_code: str
    units: tuple[ReceivedUnit, ...]


EVENT_TYPES: dict[str, type[BenchEvent]] = {
    cls.TYPE: cls for cls in (OrderPacked, PackExceptionRaised, LabelPrinted, ReturnReceived)
}


def _plain(value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _require(payload: dict[str, Any], key: str, kind: type | tuple[type, ...]) -> Any:
    if key not in payload:
        raise DomainError(f"payload is missing {key!r}")
    value = payload[key]
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is int):
        raise DomainError(f"payload field {key!r} has the wrong type")
    return value


def from_wire(data: dict[str, Any]) -> BenchEvent:
    """Build an event from its JSON shape; raises DomainError with the reason when it is malformed."""
    try:
        event_type = data["type"]
        cls = EVENT_TYPES[event_type]
    except KeyError as exc:
        raise DomainError(f"unknown event type {data.get('type')!r}") from exc
    event_id = str(data.get("event_id") or "")
    try:
        uuid.UUID(event_id)
    except ValueError as exc:
        raise DomainError(f"event_id {event_id!r} is not a UUID") from exc
    try:
        occurred = datetime.fromisoformat(str(data["occurred_at"]))
    except (KeyError, ValueError) as exc:
        raise DomainError("occurred_at must be an ISO 8601 time") from exc
    if occurred.tzinfo is None:
        occurred = occurred.replace(tzinfo=UTC)
    p = data.get("payload")
    if not isinstance(p, dict):
        raise DomainError("payload must be an object")
    common: dict[str, Any] = {
        "event_id": event_id,
        "occurred_at": occurred,
        "operator_badge": str(data.get("operator_badge") or ""),
    }
    try:
        if cls is OrderPacked:
            parcels = []
            for raw in _require(p, "parcels", list):
                if not isinstance(raw, dict):
                    raise DomainError("each parcel must be an object")
                items = raw.get("items") or {}
                if not isinstance(items, dict) or any(not isinstance(q, int) or q <= 0 for q in items.values()):
                    raise DomainError("parcel items must map SKU to a positive quantity")
                parcels.append(
                    Parcel(
                        parcel_no=int(_require(raw, "parcel_no", int)),
                        carton_code=str(_require(raw, "carton_code", str)),
                        weight_g=int(_require(raw, "weight_g", int)),
                        expected_weight_g=int(raw.get("expected_weight_g", 0)),
                        items={str(k): int(v) for k, v in items.items()},
                    )
                )
            if not parcels:
                raise DomainError("an order_packed event needs at least one parcel")
            return OrderPacked(
                **common,
                order_number=str(_require(p, "order_number", str)),
                parcels=tuple(parcels),
                weight_override_by=p.get("weight_override_by"),
                pack_seconds=float(p.get("pack_seconds", 0.0)),
            )
        if cls is PackExceptionRaised:
            return PackExceptionRaised(
                **common,
                order_number=str(_require(p, "order_number", str)),
                kind=ExceptionKind(_require(p, "kind", str)),
                sku=p.get("sku"),
                quantity=int(p.get("quantity", 0)),
                detail=str(p.get("detail", "")),
            )
        if cls is LabelPrinted:
            return LabelPrinted(
                **common,
                order_number=str(_require(p, "order_number", str)),
                parcel_no=int(_require(p, "parcel_no", int)),
                tracking_number=str(_require(p, "tracking_number", str)),
                carrier=str(_require(p, "carrier", str)),
            )
        units = []
        for raw in _require(p, "units", list):
            if not isinstance(raw, dict):
                raise DomainError("each returned unit must be an object")
            units.append(
                ReceivedUnit(
                    sku=str(_require(raw, "sku", str)),
                    quantity=int(_require(raw, "quantity", int)),
                    condition=Condition(_require(raw, "condition", str)),
                    disposition=Disposition(_require(raw, "disposition", str)),
                    bin=str(raw.get("bin", "")),
                )
            )
        if not units:
            raise DomainError("a return_received event needs at least one unit")
        return ReturnReceived(
            **common,
            rma_number=str(_require(p, "rma_number", str)),
            location_code=str(_require(p, "location_code", str)),
            units=tuple(units),
        )
    except (ValueError, TypeError) as exc:  # bad enum value, bad number
        raise DomainError(str(exc)) from exc
