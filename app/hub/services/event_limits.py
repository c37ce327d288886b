"""Does every field of a bench event fit the column it is stored in (or looked up by)?

The limits are read from the hub's own table definitions (``app/hub/models.py``): a text's length from
its ``String(n)`` column (unbounded ``Text`` columns take ``limits.FREE_TEXT``), an integer's range from
its ``Integer``/``BigInteger`` column. So a column made shorter or longer moves this check with it;
nothing here repeats a number. ``check_fits`` runs before an event touches the database, which is what
keeps a poison value from ever reaching it (and the batch from failing on it).
"""

from __future__ import annotations

import enum
import math
from dataclasses import fields, is_dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ColumnElement, Integer, String

from app.domain import limits
from app.domain.errors import DomainError
from app.domain.events import BenchEvent
from app.hub import bin_models as bm
from app.hub import models as m


def _col(table: type[m.Base], name: str) -> ColumnElement[Any]:
    return m.Base.metadata.tables[table.__tablename__].c[name]


# "<dataclass name>.<field>" → the column that value is stored in or compared with.
COLUMNS: dict[str, ColumnElement[Any]] = {
    "BenchEvent.event_id": _col(m.AppliedEvent, "event_id"),
    "BenchEvent.operator_badge": _col(m.AppliedEvent, "operator_badge"),
    "OrderPacked.order_number": _col(m.Order, "number"),
    "OrderPacked.weight_override_by": _col(m.Operator, "badge"),
    "Parcel.parcel_no": _col(m.Parcel, "parcel_no"),
    "Parcel.carton_code": _col(m.Parcel, "carton_code"),
    "Parcel.weight_g": _col(m.Parcel, "weight_g"),
    "Parcel.expected_weight_g": _col(m.Parcel, "expected_weight_g"),
    "Parcel.items.key": _col(m.OrderLine, "sku"),
    "Parcel.items.value": _col(m.OrderLine, "quantity"),
    "PackExceptionRaised.order_number": _col(m.Order, "number"),
    "PackExceptionRaised.sku": _col(m.PackException, "sku"),
    "PackExceptionRaised.quantity": _col(m.PackException, "quantity"),
    "PackExceptionRaised.detail": _col(m.PackException, "detail"),
    "LabelPrinted.order_number": _col(m.Order, "number"),
    "LabelPrinted.parcel_no": _col(m.Parcel, "parcel_no"),
    "LabelPrinted.tracking_number": _col(m.Parcel, "tracking_number"),
    "LabelPrinted.carrier": _col(m.Parcel, "carrier"),
    "ReturnReceived.rma_number": _col(m.Rma, "number"),
    "ReturnReceived.location_code": _col(m.Location, "code"),
    "ReceivedUnit.sku": _col(m.ReturnReceiptLine, "sku"),
    "ReceivedUnit.quantity": _col(m.ReturnReceiptLine, "quantity"),
    "ReceivedUnit.bin": _col(m.ReturnReceiptLine, "bin"),
    "ToteAssigned.batch_id": _col(bm.PickBatch, "id"),
    "ToteAssigned.order_number": _col(m.Order, "number"),
    "ToteAssigned.tote": _col(bm.Tote, "code"),
    "ToteAssigned.slot": _col(bm.Tote, "slot"),
    "PickConfirmed.batch_id": _col(bm.PickBatch, "id"),
    "PickConfirmed.order_number": _col(m.Order, "number"),
    "PickConfirmed.bin": _col(bm.Bin, "code"),
    "PickConfirmed.sku": _col(m.OrderLine, "sku"),
    "PickConfirmed.quantity": _col(bm.Pick, "quantity"),
    "PickConfirmed.tote": _col(bm.Pick, "tote"),
    "PickShort.batch_id": _col(bm.PickBatch, "id"),
    "PickShort.order_number": _col(m.Order, "number"),
    "PickShort.bin": _col(bm.Bin, "code"),
    "PickShort.sku": _col(m.OrderLine, "sku"),
    "PickShort.quantity": _col(bm.Pick, "quantity"),
    "PickShort.reason": _col(bm.Pick, "reason"),
}

_BASE_FIELDS = {f.name for f in fields(BenchEvent)}


def column_problem(value: object, column: ColumnElement[Any]) -> str | None:
    """Why ``value`` cannot be stored in ``column`` (too long, out of range, NUL), or None when it can."""
    kind = column.type
    if isinstance(value, str):
        length = kind.length if isinstance(kind, String) and kind.length else limits.FREE_TEXT
        return limits.text_problem(value, length)
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and isinstance(kind, Integer):
        low, high = limits.INT64 if isinstance(kind, BigInteger) else limits.INT32
        return limits.int_problem(value, low, high)
    return None


def _walk(obj: Any, owner: str, path: str) -> None:
    for f in fields(obj):
        value = getattr(obj, f.name)
        key = f"{'BenchEvent' if isinstance(obj, BenchEvent) and f.name in _BASE_FIELDS else owner}.{f.name}"
        _check(value, key, f"{path}.{f.name}" if path else f.name)


def _check(value: Any, key: str, path: str) -> None:
    if value is None or isinstance(value, enum.Enum | datetime):
        return
    if isinstance(value, float):
        if not math.isfinite(value):
            raise DomainError(f"{path} must be a finite number, not {value}")
        return
    if is_dataclass(value) and not isinstance(value, type):
        _walk(value, type(value).__name__, path)
        return
    if isinstance(value, tuple | list):
        for i, item in enumerate(value):
            _check(item, key, f"{path}[{i}]")
        return
    if isinstance(value, dict):
        for k, v in value.items():
            _check(k, f"{key}.key", f"{path} key")
            _check(v, f"{key}.value", f"{path}[{k!r}]")
        return
    column = COLUMNS.get(key)
    if column is None:  # a new event field must say where it is stored before events carry it
        raise DomainError(f"{path}: the hub does not know where this field is stored")
    problem = column_problem(value, column)
    if problem is not None:
        raise DomainError(f"{path} {problem}")


def check_fits(event: BenchEvent) -> None:
    """Raise DomainError naming the first field of ``event`` that its column cannot hold."""
    _walk(event, type(event).__name__, "")
