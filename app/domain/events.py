"""Events the bench reports to the hub.

Each event carries its own id (a UUID the bench makes when it writes the event to its outbox),
so the hub can apply it exactly once however often it is sent. ``to_wire``/``from_wire`` give the
JSON shape both sides use: ``{"event_id", "type", "occurred_at", "operator_badge", "payload"}``.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar, TypeVar

from app.domain import limits
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
        return {name: _plain(getattr(self, name)) for name in _own_fields(type(self))}

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


_OWN_FIELDS: dict[type, tuple[str, ...]] = {}


def _own_fields(cls: type) -> tuple[str, ...]:
    """The payload fields of an event class (all but the envelope's), worked out once per class."""
    found = _OWN_FIELDS.get(cls)
    if found is None:
        base = {f.name for f in fields(BenchEvent)}
        found = _OWN_FIELDS[cls] = tuple(f.name for f in fields(cls) if f.name not in base)
    return found


def _plain(value: Any) -> Any:
    """JSON-ready: enums as values, times as ISO 8601, dataclasses as dicts, tuples as lists."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


_E = TypeVar("_E", bound=enum.Enum)

# Event types defined in other modules (``app.domain.pick_events``): class -> payload reader.
PARSERS: dict[type[BenchEvent], Callable[[dict[str, Any], _Fields], BenchEvent]] = {}


class _Fields:
    """Reads the fields of one JSON object strictly: each value of the right type and within its limit.

    Every refusal names the field (``payload.parcels[0].weight_g``) and why, as a DomainError.
    """

    def __init__(self, raw: object, path: str) -> None:
        if not isinstance(raw, dict):
            raise DomainError(f"{path} must be an object")
        self.raw: dict[str, Any] = raw
        self.path = path

    def _get(self, key: str, required: bool) -> Any:
        if key not in self.raw or self.raw[key] is None:
            if required:
                raise DomainError(f"{self.path}.{key} is missing")
            return None
        return self.raw[key]

    def _check(self, key: str, problem: str | None) -> None:
        if problem is not None:
            raise DomainError(f"{self.path}.{key} {problem}")

    def text(self, key: str, limit: int, *, required: bool = True, default: str = "") -> str:
        value = self._get(key, required)
        if value is None:
            return default
        self._check(key, limits.text_problem(value, limit, allow_empty=not required))
        return str(value)

    def optional_text(self, key: str, limit: int) -> str | None:
        value = self._get(key, False)
        if value is None:
            return None
        self._check(key, limits.text_problem(value, limit))
        return str(value)

    def integer(self, key: str, low: int, high: int, *, required: bool = True, default: int = 0) -> int:
        value = self._get(key, required)
        if value is None:
            return default
        self._check(key, limits.int_problem(value, low, high))
        return int(value)

    def number(self, key: str, low: float, high: float, *, default: float = 0.0) -> float:
        value = self._get(key, False)
        if value is None:
            return default
        self._check(key, limits.number_problem(value, low, high))
        return float(value)

    def choice(self, key: str, kind: type[_E]) -> _E:
        value = self._get(key, True)
        try:
            return kind(value)
        except ValueError as exc:
            raise DomainError(f"{self.path}.{key} must be one of {sorted(e.value for e in kind)}") from exc

    def items(self, key: str) -> list[Any]:
        value = self._get(key, True)
        if not isinstance(value, list):
            raise DomainError(f"{self.path}.{key} must be a list")
        if not value:
            raise DomainError(f"{self.path}.{key} must not be empty")
        return value

    def sku_quantities(self, key: str) -> dict[str, int]:
        value = self._get(key, False) or {}
        if not isinstance(value, dict):
            raise DomainError(f"{self.path}.{key} must map SKU to a positive quantity")
        out: dict[str, int] = {}
        for sku, qty in value.items():
            self._check(f"{key} key", limits.text_problem(sku, limits.SKU, allow_empty=False))
            self._check(f"{key}[{sku!r}]", limits.int_problem(qty, 1, limits.MAX_QUANTITY))
            out[str(sku)] = int(qty)
        return out


def canonical_event_id(value: object) -> str:
    """The event id if it is a UUID in canonical form (lower-case 8-4-4-4-12); DomainError otherwise.

    Other spellings of a UUID (``{…}``, ``urn:uuid:…``, no dashes, upper case) are refused rather than
    normalised: the bench matches the hub's answer to its outbox by the id string it sent.
    """
    if not isinstance(value, str):
        raise DomainError(f"event_id must be a UUID string, not {type(value).__name__}")
    try:
        canonical = str(uuid.UUID(value))
    except ValueError as exc:
        raise DomainError(f"event_id {value[:40]!r} is not a UUID") from exc
    if canonical != value:
        raise DomainError(f"event_id {value[:40]!r} is not a canonical UUID (write it as {canonical})")
    return value


# Occurrence times a bench can have: later than this and earlier than the end of the century.
_EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
_LATEST = datetime(2100, 1, 1, tzinfo=UTC)


def _occurred_at(value: object) -> datetime:
    if not isinstance(value, str):
        raise DomainError("occurred_at must be an ISO 8601 time")
    try:
        occurred = datetime.fromisoformat(value)
        if occurred.tzinfo is None:
            occurred = occurred.replace(tzinfo=UTC)
        occurred = occurred.astimezone(UTC)
    except (ValueError, OverflowError) as exc:
        raise DomainError("occurred_at must be an ISO 8601 time") from exc
    if not _EARLIEST <= occurred < _LATEST:
        raise DomainError(f"occurred_at {value[:40]!r} is not a time a bench can have")
    return occurred


def from_wire(data: object) -> BenchEvent:
    """Build an event from its JSON shape; raises DomainError naming the field and the reason when any
    field is missing, of the wrong type, over its length (``app.domain.limits``) or out of its range."""
    if not isinstance(data, dict):
        raise DomainError("each event must be an object")
    event_type = data.get("type")
    cls = EVENT_TYPES.get(event_type) if isinstance(event_type, str) else None
    if cls is None:
        raise DomainError(f"unknown event type {str(event_type)[:40]!r}")
    event_id = canonical_event_id(data.get("event_id"))
    top = _Fields(data, "event")
    common: dict[str, Any] = {
        "event_id": event_id,
        "occurred_at": _occurred_at(data.get("occurred_at")),
        "operator_badge": top.text("operator_badge", limits.BADGE, required=False),
    }
    p = _Fields(data.get("payload"), "payload")
    parser = PARSERS.get(cls)
    if parser is not None:
        return parser(common, p)
    if cls is OrderPacked:
        parcels = []
        raw_parcels = p.items("parcels")
        if len(raw_parcels) > limits.MAX_PARCELS:
            raise DomainError(f"payload.parcels holds {len(raw_parcels)} parcels; at most {limits.MAX_PARCELS}")
        for i, raw in enumerate(raw_parcels):
            f = _Fields(raw, f"payload.parcels[{i}]")
            parcels.append(
                Parcel(
                    parcel_no=f.integer("parcel_no", 1, limits.MAX_PARCELS),
                    carton_code=f.text("carton_code", limits.CARTON_CODE, required=False),
                    weight_g=f.integer("weight_g", 1, limits.MAX_WEIGHT_G),
                    expected_weight_g=f.integer("expected_weight_g", 0, limits.MAX_WEIGHT_G, required=False),
                    items=f.sku_quantities("items"),
                )
            )
        return OrderPacked(
            **common,
            order_number=p.text("order_number", limits.ORDER_NUMBER),
            parcels=tuple(parcels),
            weight_override_by=p.optional_text("weight_override_by", limits.BADGE),
            pack_seconds=p.number("pack_seconds", 0.0, limits.MAX_PACK_SECONDS),
        )
    if cls is PackExceptionRaised:
        return PackExceptionRaised(
            **common,
            order_number=p.text("order_number", limits.ORDER_NUMBER),
            kind=p.choice("kind", ExceptionKind),
            sku=p.optional_text("sku", limits.SKU),
            quantity=p.integer("quantity", 0, limits.MAX_QUANTITY, required=False),
            detail=p.text("detail", limits.FREE_TEXT, required=False),
        )
    if cls is LabelPrinted:
        return LabelPrinted(
            **common,
            order_number=p.text("order_number", limits.ORDER_NUMBER),
            parcel_no=p.integer("parcel_no", 1, limits.MAX_PARCELS),
            tracking_number=p.text("tracking_number", limits.TRACKING_NUMBER),
            carrier=p.text("carrier", limits.CARRIER),
        )
    units = []
    for i, raw in enumerate(p.items("units")):
        f = _Fields(raw, f"payload.units[{i}]")
        try:
            units.append(
                ReceivedUnit(
                    sku=f.text("sku", limits.SKU),
                    quantity=f.integer("quantity", 1, limits.MAX_QUANTITY),
                    condition=f.choice("condition", Condition),
                    disposition=f.choice("disposition", Disposition),
                    bin=f.text("bin", limits.BIN, required=False),
                )
            )
        except (ValueError, TypeError) as exc:
            raise DomainError(f"payload.units[{i}]: {exc}") from exc
    return ReturnReceived(
        **common,
        rma_number=p.text("rma_number", limits.RMA_NUMBER),
        location_code=p.text("location_code", limits.LOCATION_CODE),
        units=tuple(units),
    )


Fields = _Fields  # the payload reader, for event types defined in other modules

from app.domain import pick_events as _pick_events  # noqa: E402, F401  (registers the pick event types)
