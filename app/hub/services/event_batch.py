"""What a whole event batch does at once, around the per-event handlers in ``events.py``.

One batch is one transaction:

1. the exactly-once keys of every event are claimed in one ``INSERT … ON CONFLICT DO NOTHING RETURNING``
   (sorted by id, so two batches claiming the same ids lock them in the same order and cannot deadlock);
   an id not returned is already applied (or was applied by a racing copy that committed while this
   insert waited on its key): that event is ``duplicate``;
2. the orders the batch names are read and locked in one statement (in id order), with their lines
   and leases, so the handlers find them in the session instead of asking the database one by one;
3. each event runs in its own SAVEPOINT; a rejected one is rolled back alone and its key given back;
4. stock moves are summed per (location, product) and written at the end, one UPDATE per row, all
   rows in one executemany.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from app.domain.events import BenchEvent
from app.hub import models as m
from app.hub.services import stock

ORDERS_KEY = "event_batch.orders"  # session.info: order number -> locked Order, for the handlers
LEASES_KEY = "event_batch.leases"  # session.info: the leases of those orders
MOVES_KEY = "event_batch.stock_moves"  # session.info: the current event's StockMoves


@dataclass
class StockMoves:
    """Units consumed per (location id, product id), one entry per event that consumed them."""

    parts: dict[tuple[int, int], list[int]] = field(default_factory=lambda: defaultdict(list))
    parcels: list[dict[str, Any]] = field(default_factory=list)  # rows written by ``write_parcels``

    def write_parcels(self, session: Session) -> None:
        """The parcels of this savepoint's events in one executemany without RETURNING (their ids are not
        needed here): one short statement the driver pipelines, not a multi-row VALUES text per batch size."""
        if self.parcels:
            session.execute(insert(m.Base.metadata.tables[m.Parcel.__tablename__]), self.parcels)
            self.parcels = []

    def consume(self, location_id: int, units: dict[int, int]) -> None:
        for product_id, qty in units.items():
            self.parts[(location_id, product_id)].append(qty)

    def merge(self, other: StockMoves) -> None:
        for key, qtys in other.parts.items():
            self.parts[key].extend(qtys)

    def write(self, session: Session) -> bool:
        """One conditional UPDATE per row for the summed units, sent as one executemany (sorted rows: two
        batches lock them in the same order). False when some row had fewer units reserved or on hand than
        the sum: nothing should then be kept of this batch (the caller applies it again event by event)."""
        if not self.parts:
            return True
        table = m.Base.metadata.tables[m.StockLevel.__tablename__]
        stmt = (
            update(table)
            .where(
                table.c.location_id == bindparam("loc"),
                table.c.product_id == bindparam("product"),
                table.c.reserved >= bindparam("qty"),
                table.c.on_hand >= bindparam("qty"),
            )
            .values(on_hand=table.c.on_hand - bindparam("qty"), reserved=table.c.reserved - bindparam("qty"))
        )
        rows = [{"loc": loc, "product": product, "qty": sum(q)} for (loc, product), q in sorted(self.parts.items())]
        done = session.connection().execute(stmt, rows).rowcount
        return bool(done == len(rows))


def add_parcels(session: Session, rows: list[dict[str, Any]]) -> None:
    """Parcels of the event being applied: written with its savepoint's flush inside a batch, at once outside."""
    moves: StockMoves | None = session.info.get(MOVES_KEY)
    if moves is None:
        session.execute(insert(m.Base.metadata.tables[m.Parcel.__tablename__]), rows)
    else:
        moves.parcels.extend(rows)


def consume(session: Session, location_id: int, units: dict[int, int]) -> None:
    """Consume stock for the event being applied: deferred to the batch's end inside a batch, at once outside."""
    moves: StockMoves | None = session.info.get(MOVES_KEY)
    if moves is None:
        stock.consume(session, location_id, units)
    else:
        moves.consume(location_id, units)


def key_row(event: BenchEvent, station_id: int | None, operator_id: int | None, at: datetime) -> dict[str, Any]:
    return {
        "event_id": event.event_id,
        "type": event.TYPE,
        "station_id": station_id,
        "operator_id": operator_id,
        "operator_badge": event.operator_badge,
        "occurred_at": event.occurred_at,
        "applied_at": at,
        "payload": event.payload(),
    }


def claim_keys(session: Session, rows: Sequence[dict[str, Any]]) -> set[str]:
    """Insert the exactly-once keys that are not taken yet; returns the ids this transaction now holds."""
    if not rows:
        return set()
    ordered = sorted(rows, key=lambda r: str(r["event_id"]))
    table = m.Base.metadata.tables[m.AppliedEvent.__tablename__]
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return _claim_keys_pg(session, ordered)
    builder = postgresql.insert if dialect == "postgresql" else sqlite.insert
    stmt = builder(table).on_conflict_do_nothing(index_elements=["event_id"]).returning(table.c.event_id)
    # An executemany with RETURNING: SQLAlchemy sends it as one multi-row INSERT ("insertmanyvalues").
    return set(session.connection().execute(stmt, ordered).scalars().all())


_CLAIM_PG = """
INSERT INTO applied_events (event_id, type, station_id, operator_id, operator_badge, occurred_at, applied_at, payload)
SELECT * FROM unnest(%(event_id)s::varchar[], %(type)s::varchar[], %(station_id)s::bigint[], %(operator_id)s::bigint[],
                     %(operator_badge)s::varchar[], %(occurred_at)s::timestamptz[], %(applied_at)s::timestamptz[],
                     %(payload)s::json[])
ON CONFLICT (event_id) DO NOTHING
RETURNING event_id
"""


def _claim_keys_pg(session: Session, ordered: Sequence[dict[str, Any]]) -> set[str]:
    """PostgreSQL: the keys as arrays through ``unnest`` — one short statement whatever the batch size (the
    driver parses it once and the server prepares it), where a multi-row VALUES list is a new, long text for
    every batch size. The rows go in in id order, as above."""
    columns = ("event_id", "type", "station_id", "operator_id", "operator_badge", "occurred_at", "applied_at")
    params: dict[str, Any] = {c: [r[c] for r in ordered] for c in columns}
    params["payload"] = [json.dumps(r["payload"]) for r in ordered]
    return {row[0] for row in session.connection().exec_driver_sql(_CLAIM_PG, params)}


def release_key(session: Session, event_id: str) -> None:
    """Give back the key of an event that was rejected, so a corrected retry can still apply."""
    session.execute(delete(m.AppliedEvent).where(m.AppliedEvent.event_id == event_id))


def insert_key(session: Session, row: dict[str, Any]) -> None:
    """The one-event path's key: a racing copy waits on it and then collides."""
    session.execute(insert(m.AppliedEvent).values(row))


def operator_ids(session: Session, badges: Iterable[str]) -> dict[str, int]:
    wanted = {b for b in badges if b}
    if not wanted:
        return {}
    return {
        b: i for b, i in session.execute(select(m.Operator.badge, m.Operator.id).where(m.Operator.badge.in_(wanted)))
    }


def lock_orders(session: Session, numbers: Iterable[str]) -> None:
    """Read and lock the named orders (id order), their lines and their leases, for the handlers to find."""
    wanted = sorted(set(numbers))
    if not wanted:
        session.info[ORDERS_KEY] = {}
        return
    orders = session.scalars(
        select(m.Order).where(m.Order.number.in_(wanted)).order_by(m.Order.id).with_for_update()
    ).all()
    lease_ids = {o.lease_id for o in orders if o.lease_id}
    # Held here (the identity map only keeps objects someone refers to), so session.get finds them.
    leases = list(session.scalars(select(m.Lease).where(m.Lease.id.in_(lease_ids))).all()) if lease_ids else []
    session.info[ORDERS_KEY] = {o.number: o for o in orders}
    session.info[LEASES_KEY] = leases


def locked_order(session: Session, number: str) -> m.Order | None:
    """The order as read and locked by ``lock_orders`` (None when this is not a batch or it was not named)."""
    found: dict[str, m.Order] | None = session.info.get(ORDERS_KEY)
    return found.get(number) if found is not None else None
