"""The bench's lease answer on PostgreSQL in one statement: pick, lock and mark the orders (``SKIP LOCKED``),
write the lease and the orders' history, and return the orders with their lines, the products they need
(with barcodes) and the cartons — everything the bench needs to pack offline, in one round trip.

The ORM path (``queue.lease_batch``) stays for callers that work on the orders afterwards and for SQLite;
both share ``queue.plan_lease`` and ``queue.lease_ctes``, so the queue's order and the marks are the same.
The statement is built once; a lease executes it with its parameters.
"""

from __future__ import annotations

import json
from functools import cache
from typing import Any

from sqlalchemy import ColumnClause, Text, cast, func, literal_column, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.orm import Session

from app.hub import models as m
from app.hub.services import queue

_LINES = m.Base.metadata.tables[m.OrderLine.__tablename__]
_PRODUCTS = m.Base.metadata.tables[m.Product.__tablename__]
_BARCODES = m.Base.metadata.tables[m.ProductBarcode.__tablename__]
_CARTONS = m.Base.metadata.tables[m.Carton.__tablename__]
_EMPTY: ColumnClause[Any] = literal_column("'[]'::json")

_ORDER_FIELDS = ("number", "status", "priority", "ship_by", "created_at", "channel", "service_level", "order_type")


def _json_list(obj: Any, *order_by: Any) -> Any:
    return func.coalesce(func.json_agg(aggregate_order_by(obj, *order_by)), _EMPTY)


@cache
def _statement() -> Any:
    """Built once; executed with ``LeasePlan.params``."""
    new_lease, marked, history = queue.lease_ctes()
    lines = (
        select(
            _json_list(
                func.json_build_object(
                    "sku", _LINES.c.sku, "name", _LINES.c.name, "quantity", _LINES.c.quantity,
                    "unit_price_minor", _LINES.c.unit_price_minor,
                ),
                _LINES.c.id,
            )
        )
        .where(_LINES.c.order_id == marked.c.id)
        .scalar_subquery()
    )  # fmt: skip
    barcodes = (
        select(_json_list(_BARCODES.c.raw, _BARCODES.c.raw))
        .where(_BARCODES.c.product_id == _PRODUCTS.c.id)
        .scalar_subquery()
    )
    skus = select(_LINES.c.sku).where(_LINES.c.order_id.in_(select(marked.c.id)))
    products = (
        select(
            _json_list(
                func.json_build_object(
                    "sku", _PRODUCTS.c.sku, "name", _PRODUCTS.c.name, "weight_g", _PRODUCTS.c.weight_g,
                    "length_mm", _PRODUCTS.c.length_mm, "width_mm", _PRODUCTS.c.width_mm,
                    "height_mm", _PRODUCTS.c.height_mm, "barcodes", barcodes, "image_url", _PRODUCTS.c.image_url,
                ),
                _PRODUCTS.c.sku,
            ).label("products")
        )
        .where(_PRODUCTS.c.sku.in_(skus))
        .cte("products_needed")
    )  # fmt: skip
    cartons = select(
        _json_list(
            func.json_build_object(
                "code", _CARTONS.c.code, "name", _CARTONS.c.name, "length_mm", _CARTONS.c.length_mm,
                "width_mm", _CARTONS.c.width_mm, "height_mm", _CARTONS.c.height_mm, "tare_g", _CARTONS.c.tare_g,
                "max_weight_g", _CARTONS.c.max_weight_g,
            ),
            _CARTONS.c.code,
        ).label("cartons")
    ).cte("all_cartons")  # fmt: skip
    fields: list[Any] = []
    for name in (*_ORDER_FIELDS, "ship_to", "hold_reason"):
        fields += [name, marked.c[name]]
    orders = select(
        _json_list(
            func.json_build_object(*fields, "lines", lines),
            marked.c.priority.desc(),
            marked.c.ship_by.asc().nulls_last(),
            marked.c.id,
        )
    ).scalar_subquery()
    body = func.json_build_object(
        "orders", orders,
        "products", select(products.c.products).scalar_subquery(),
        "cartons", select(cartons.c.cartons).scalar_subquery(),
    )  # fmt: skip
    return select(cast(body, Text)).add_cte(new_lease, history)


def lease_payload(
    session: Session, station: queue.StationRef, location_code: str, *, batch_size: int, lease_seconds: int
) -> bytes:
    """``LeaseOut`` as JSON, built by the database (PostgreSQL only): the orders in queue order, each with its
    lines; the products their lines need; every carton."""
    plan = queue.plan_lease(station, batch_size=batch_size, lease_seconds=lease_seconds)
    built: str = session.execute(_statement(), plan.params).scalar_one()
    head = json.dumps(
        {"lease_id": plan.lease.id, "location": location_code, "expires_at": plan.lease.expires_at.isoformat()}
    )
    return f"{head[:-1]}, {built[1:]}".encode()
