"""The bench's local store: one SQLite file (WAL) with the leased queue, sessions in progress and the outbox.

Everything a step changes is written in one transaction by ``record``: the session's new snapshot,
the events it produced (into the outbox) and what those events mean locally (an order packed or
put aside, label jobs to print). A crash therefore leaves either the step or nothing, never half.

The store also answers the ``PackCatalog`` port for the pack workflow. It is safe to use from the
engine's thread and the sync thread at once: each call takes its own connection, and every write
transaction takes SQLite's write lock up front (``BEGIN IMMEDIATE``) so writers queue, not fail.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Integer,
    String,
    Table,
    Text,
    create_engine,
    delete,
    event,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from app.bench.label_jobs import LabelJob, LabelJobStore, labels
from app.bench.model import STOPPED, PackOrder, carton_from_wire, order_from_wire, product_from_wire
from app.bench.outbox import OutboxStore, metadata, outbox
from app.domain.barcodes import product_code_key
from app.domain.catalog import Carton, Product
from app.domain.events import (
    HOLDING_EXCEPTIONS,
    BenchEvent,
    ExceptionKind,
    LabelPrinted,
    OrderPacked,
    PackExceptionRaised,
)

meta = Table("meta", metadata, Column("key", String, primary_key=True), Column("value", Text, nullable=False))
leases = Table(
    "leases",
    metadata,
    Column("lease_id", String, primary_key=True),
    Column("location", String, nullable=False),
    Column("expires_at", String, nullable=False),
    Column("active", Integer, nullable=False, default=1),
)
orders = Table(
    "orders",
    metadata,
    Column("number", String, primary_key=True),
    Column("lease_id", String),
    Column("hub_status", String, nullable=False),
    # open | packed | held: what this bench did with it (the hub's status lags until the outbox drains)
    Column("progress", String, nullable=False, default="open"),
    Column("tote", String, index=True),
    Column("body", Text, nullable=False),
    Column("seq", Integer, nullable=False),
)
products = Table("products", metadata, Column("sku", String, primary_key=True), Column("body", Text, nullable=False))
product_codes = Table(
    "product_codes", metadata, Column("key", String, primary_key=True), Column("sku", String, nullable=False)
)
cartons = Table("cartons", metadata, Column("code", String, primary_key=True), Column("body", Text, nullable=False))
sessions = Table(
    "sessions",
    metadata,
    Column("kind", String, primary_key=True),
    Column("snapshot", Text, nullable=False),
    Column("updated_at", String, nullable=False),
)
__all__ = ["ENDING_EXCEPTIONS", "BenchStore", "LabelJob"]  # LabelJob lives in label_jobs; kept importable here

# An exception that ends the order at this bench (it is put aside, not packed).
ENDING_EXCEPTIONS = HOLDING_EXCEPTIONS | {ExceptionKind.CANCELLED_ORDER}


def _now() -> str:
    return datetime.now(UTC).isoformat()


class BenchStore(LabelJobStore, OutboxStore):
    """The local store at ``path`` (created and brought up to schema on first use)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.engine = create_engine(f"sqlite:///{path}", connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(self.engine, "connect")
        def _on_connect(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")  # an acknowledged step survives a power cut
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        @event.listens_for(self.engine, "begin")
        def _on_begin(conn: Connection) -> None:
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        metadata.create_all(self.engine)
        self._codes: dict[str, str] | None = None
        self._products: dict[str, Product] = {}
        # Orders are read on every scan; this process is the only writer, so a cache cleared on each write is exact.
        self._orders: dict[str, PackOrder | None] = {}

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def _tx(self) -> Iterator[Connection]:
        try:
            with self.engine.begin() as conn:
                yield conn
        finally:
            self._orders = {}

    # ------------------------------------------------------------------ meta
    def get_meta(self, key: str) -> str | None:
        with self.engine.connect() as conn:
            return conn.scalar(select(meta.c.value).where(meta.c.key == key))

    def set_meta(self, key: str, value: str) -> None:
        with self._tx() as conn:
            stmt = sqlite_insert(meta).values(key=key, value=value)
            conn.execute(stmt.on_conflict_do_update(index_elements=["key"], set_={"value": value}))

    # ------------------------------------------------------------------ the leased queue
    def save_lease(self, lease: dict[str, Any]) -> list[str]:
        """Cache a lease answer (orders, products, cartons). Returns the order numbers new to this bench."""
        lease_id = str(lease["lease_id"])
        new: list[str] = []
        with self._tx() as conn:
            conn.execute(
                sqlite_insert(leases)
                .values(lease_id=lease_id, location=lease["location"], expires_at=str(lease["expires_at"]), active=1)
                .on_conflict_do_update(index_elements=["lease_id"], set_={"expires_at": str(lease["expires_at"])})
            )
            for p in lease.get("products", []):
                body = json.dumps(p)
                conn.execute(
                    sqlite_insert(products)
                    .values(sku=p["sku"], body=body)
                    .on_conflict_do_update(index_elements=["sku"], set_={"body": body})
                )
                for key in product_from_wire(p).code_keys():
                    conn.execute(
                        sqlite_insert(product_codes)
                        .values(key=key, sku=p["sku"])
                        .on_conflict_do_update(index_elements=["key"], set_={"sku": p["sku"]})
                    )
            for c in lease.get("cartons", []):
                body = json.dumps(c)
                conn.execute(
                    sqlite_insert(cartons)
                    .values(code=c["code"], body=body)
                    .on_conflict_do_update(index_elements=["code"], set_={"body": body})
                )
            seq = int(conn.scalar(select(func.coalesce(func.max(orders.c.seq), 0))) or 0)
            for o in lease.get("orders", []):
                known = conn.scalar(select(orders.c.number).where(orders.c.number == o["number"]))
                if known is None:
                    seq += 1
                    new.append(str(o["number"]))
                    conn.execute(
                        insert(orders).values(
                            number=o["number"],
                            lease_id=lease_id,
                            hub_status=o["status"],
                            progress="open",
                            body=json.dumps(o, default=str),
                            seq=seq,
                        )
                    )
                else:
                    conn.execute(
                        update(orders)
                        .where(orders.c.number == o["number"])
                        .values(hub_status=o["status"], lease_id=lease_id)
                    )
        self._codes = None
        self._products = {}
        return new

    def apply_renewal(self, lease: dict[str, Any]) -> list[str]:
        """Take in the hub's current status of a lease's orders. Returns those newly stopped here
        (cancelled, on hold, or ``lost``: an order still open here that the lease no longer holds)."""
        stopped: list[str] = []
        with self._tx() as conn:
            conn.execute(
                update(leases).where(leases.c.lease_id == lease["lease_id"]).values(expires_at=str(lease["expires_at"]))
            )
            for o in lease.get("orders", []):
                row = conn.execute(
                    select(orders.c.hub_status, orders.c.progress, orders.c.body).where(orders.c.number == o["number"])
                ).first()
                if row is None:
                    continue
                status = str(o["status"])
                values: dict[str, Any] = {"hub_status": status}
                if o.get("lease") == "lost" and status not in ("cancelled", "on_hold") and row.progress == "open":
                    body = json.loads(row.body)
                    body["lost_detail"] = str(o.get("lost_detail") or o.get("lost_reason") or "")
                    values = {"hub_status": "lost", "body": json.dumps(body, default=str)}
                if values["hub_status"] in STOPPED and row.hub_status != values["hub_status"]:
                    stopped.append(str(o["number"]))
                conn.execute(update(orders).where(orders.c.number == o["number"]).values(**values))
        return stopped

    def lose_lease(self, lease_id: str, detail: str) -> list[str]:
        """Every order of ``lease_id`` still open here is lost (the hub no longer holds it for us)."""
        with self._tx() as conn:
            rows = conn.execute(
                select(orders.c.number, orders.c.body).where(
                    orders.c.lease_id == lease_id, orders.c.progress == "open", orders.c.hub_status.not_in(STOPPED)
                )
            ).all()
            for number, body in rows:
                wire = json.loads(body)
                wire["lost_detail"] = detail
                conn.execute(
                    update(orders)
                    .where(orders.c.number == number)
                    .values(hub_status="lost", body=json.dumps(wire, default=str))
                )
        return [str(r.number) for r in rows]

    def end_lease(self, lease_id: str) -> None:
        with self._tx() as conn:
            conn.execute(update(leases).where(leases.c.lease_id == lease_id).values(active=0))

    def active_leases(self) -> list[str]:
        with self.engine.connect() as conn:
            return list(conn.scalars(select(leases.c.lease_id).where(leases.c.active == 1)))

    def lease_is_finished(self, lease_id: str) -> bool:
        """True when none of the lease's orders is still open here and no label waits for them."""
        with self.engine.connect() as conn:
            open_orders = conn.scalar(
                select(func.count())
                .select_from(orders)
                .where(orders.c.lease_id == lease_id, orders.c.progress == "open")
                .where(orders.c.hub_status.not_in(STOPPED))
            )
            waiting = conn.scalar(
                select(func.count())
                .select_from(labels.join(orders, orders.c.number == labels.c.order_number))
                .where(orders.c.lease_id == lease_id, labels.c.status == "pending")
            )
            return not open_orders and not waiting

    def assign_tote(self, tote: str, order_number: str) -> None:
        with self._tx() as conn:
            conn.execute(update(orders).where(orders.c.number == order_number).values(tote=tote.upper()))

    def orders_to_pack(self) -> list[PackOrder]:
        """Orders leased to this bench that are neither packed, put aside, cancelled nor held, oldest lease first."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(orders).where(orders.c.progress == "open").order_by(orders.c.seq)).all()
        out = [self._order(r._mapping) for r in rows]
        return [o for o in out if not o.stopped]

    def order_progress(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            return {
                str(k): int(n)
                for k, n in conn.execute(select(orders.c.progress, func.count()).group_by(orders.c.progress))
            }

    # ------------------------------------------------------------------ PackCatalog
    def order(self, number: str) -> PackOrder | None:
        cache = self._orders
        if number in cache:
            return cache[number]
        with self.engine.connect() as conn:
            row = conn.execute(select(orders).where(orders.c.number == number)).first()
        found = self._order(row._mapping) if row else None
        cache[number] = found
        return found

    def order_for_tote(self, tote: str) -> PackOrder | None:
        with self.engine.connect() as conn:
            row = conn.execute(
                select(orders).where(orders.c.tote == tote.upper(), orders.c.progress == "open").order_by(orders.c.seq)
            ).first()
        return self._order(row._mapping) if row else None

    def product(self, sku: str) -> Product | None:
        cached = self._products.get(sku)
        if cached is not None:
            return cached
        with self.engine.connect() as conn:
            body = conn.scalar(select(products.c.body).where(products.c.sku == sku))
        if not body:
            return None
        product = self._products[sku] = product_from_wire(json.loads(body))
        return product

    def product_for_code(self, key: str) -> Product | None:
        if self._codes is None:
            with self.engine.connect() as conn:
                self._codes = {k: s for k, s in conn.execute(select(product_codes.c.key, product_codes.c.sku))}
        sku = self._codes.get(product_code_key(key))
        return self.product(sku) if sku else None

    def cartons(self) -> list[Carton]:
        with self.engine.connect() as conn:
            return [
                carton_from_wire(json.loads(b)) for b in conn.scalars(select(cartons.c.body).order_by(cartons.c.code))
            ]

    @staticmethod
    def _order(row: Any) -> PackOrder:
        o = order_from_wire(json.loads(row["body"]), row["lease_id"])
        status = row["hub_status"]
        if status not in STOPPED:
            if row["progress"] == "packed":
                status = "packed"
            elif row["progress"] == "held":
                status = "on_hold"
        return replace(o, status=status, tote=row["tote"], lease_id=row["lease_id"])

    # ------------------------------------------------------------------ one step, one transaction
    def record(self, kind: str | None, snapshot: dict[str, Any] | None, events: Sequence[BenchEvent] = ()) -> None:
        """Write one step: session ``kind``'s snapshot (None clears it), its events and their local effects."""
        with self._tx() as conn:
            if kind is not None:
                if snapshot is None:
                    conn.execute(delete(sessions).where(sessions.c.kind == kind))
                else:
                    body = json.dumps(snapshot)
                    conn.execute(
                        sqlite_insert(sessions)
                        .values(kind=kind, snapshot=body, updated_at=_now())
                        .on_conflict_do_update(index_elements=["kind"], set_={"snapshot": body, "updated_at": _now()})
                    )
            for ev in events:
                conn.execute(
                    insert(outbox).values(
                        event_id=ev.event_id,
                        type=ev.TYPE,
                        order_number=getattr(ev, "order_number", None),
                        body=json.dumps(ev.to_wire()),
                        created_at=_now(),
                        status="pending",
                        reason="",
                        attempts=0,
                    )
                )
                self._apply_locally(conn, ev)

    @staticmethod
    def _apply_locally(conn: Connection, ev: BenchEvent) -> None:
        if isinstance(ev, OrderPacked):
            conn.execute(update(orders).where(orders.c.number == ev.order_number).values(progress="packed"))
            for p in ev.parcels:
                parcel = {
                    "parcel_no": p.parcel_no,
                    "carton_code": p.carton_code,
                    "weight_g": p.weight_g,
                    "items": p.items,
                }
                conn.execute(
                    sqlite_insert(labels)
                    .values(
                        order_number=ev.order_number, parcel_no=p.parcel_no, status="pending", parcel=json.dumps(parcel)
                    )
                    .on_conflict_do_nothing()
                )
        elif isinstance(ev, LabelPrinted):
            conn.execute(
                update(labels)
                .where(labels.c.order_number == ev.order_number, labels.c.parcel_no == ev.parcel_no)
                .values(status="printed", carrier=ev.carrier, tracking_number=ev.tracking_number)
            )
        elif isinstance(ev, PackExceptionRaised) and ev.kind in ENDING_EXCEPTIONS:
            conn.execute(
                update(orders)
                .where(orders.c.number == ev.order_number, orders.c.progress == "open")
                .values(progress="held")
            )

    def load_session(self, kind: str) -> dict[str, Any] | None:
        with self.engine.connect() as conn:
            body = conn.scalar(select(sessions.c.snapshot).where(sessions.c.kind == kind))
        return json.loads(body) if body else None
