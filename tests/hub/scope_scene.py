"""Two locations for the scope tests: A (WH1) owns every object, B (WH2) is the outsider.

A's station has leased three orders: ``shipped`` (packed, labelled, with an RMA), ``packed``
(packed, parcel 1 not yet labelled) and ``leased`` (still leased to A). B has a station, a packer
and a receiver signed in at it, and stock of its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from app.carriers.base import Label, ParcelRequest, Rate
from app.carriers.table_rate import TableRateCarrier
from app.domain.events import LabelPrinted
from app.hub.models import Base
from app.hub.services.shipping import ShippingConfig
from tests.carriers.conftest import make_courier
from tests.hub.conftest import Hub
from tests.hub.test_queue_and_events import packed_event, post

# Columns that change on any authenticated call and say nothing about the objects.
VOLATILE = {("stations", "last_seen_at")}


class CountingCourier(TableRateCarrier):
    """The local courier, counting every call that would reach a carrier."""

    def __init__(self) -> None:
        base = make_courier()
        super().__init__(base.name, base.zones, base.services)
        self.calls = 0

    def rates(self, parcel: ParcelRequest) -> list[Rate]:
        self.calls += 1
        return super().rates(parcel)

    def buy(self, parcel: ParcelRequest, rate: Rate) -> Label:
        self.calls += 1
        return super().buy(parcel, rate)


@dataclass
class TwoLocations:
    hub: Hub
    courier: CountingCourier
    station_a: dict[str, str]
    station_b: dict[str, str]
    packer_b: dict[str, str]
    receiver_b: dict[str, str]
    lease_a: str
    shipped: str
    packed: str
    leased: str
    rma: str
    pick_batch: str = ""  # a (batch-mode, empty) pick batch of A's station

    def outsiders(self) -> dict[str, dict[str, str]]:
        return {"station B": self.station_b, "packer at B": self.packer_b, "receiver at B": self.receiver_b}

    def values(self) -> dict[str, Any]:
        """What a parameter or body field of that name is set to: always one of A's objects."""
        return {
            "number": self.packed,
            "order_number": self.packed,
            "parcel_no": 1,
            "lease_id": self.lease_a,
            "location": "WH1",
            "code": self.rma,
            "rma_number": self.rma,
            "tracking_number": "1Z-A-SHIPPED",
            "name": "BENCH-A",
            "sku": "A",
            "batch_id": self.pick_batch,
        }


def two_locations(hub: Hub) -> TwoLocations:
    courier = CountingCourier()
    hub.client.app.state.shipping = ShippingConfig(carriers=[courier])  # type: ignore[union-attr]
    station_a = hub.scene(orders=3)  # WH1, its orders and BENCH-1
    lease = hub.lease(station_a)
    shipped, packed, leased = (o["number"] for o in lease["orders"])
    for number in (shipped, packed):
        assert post(hub, station_a, [packed_event(number)])[0]["status"] == "applied"
    label = LabelPrinted(order_number=shipped, parcel_no=1, tracking_number="1Z-A-SHIPPED", carrier="localcourier")
    assert post(hub, station_a, [label.to_wire()])[0]["status"] == "applied"
    rma = hub.ok("POST", "/api/v1/returns", json={"order_number": shipped, "lines": [{"sku": "B", "quantity": 1}]})
    hub.location("WH2")
    hub.stock("WH2", "C", 7)
    station_b = hub.station("BENCH-B", "WH2")
    pick_batch = hub.ok(
        "POST", "/api/v1/picks/batches", headers=station_a, json={"mode": "batch", "max_orders": 1, "totes": 1}
    )
    return TwoLocations(
        hub=hub,
        courier=courier,
        station_a=station_a,
        station_b=station_b,
        packer_b=hub.operator(station_b, "PK-B", "packer"),
        receiver_b=hub.operator(station_b, "RC-B", "receiver"),
        lease_a=lease["lease_id"],
        shipped=shipped,
        packed=packed,
        leased=leased,
        rma=rma["number"],
        pick_batch=pick_batch["batch_id"],
    )


def snapshot(hub: Hub, *, skip: frozenset[str] = frozenset()) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every hub table (but ``skip``), as sorted tuples: equal snapshots, nothing changed."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with hub.factory() as session:
        for table in Base.metadata.sorted_tables:
            if table.name in skip:
                continue
            cols = [c for c in table.columns if (table.name, c.name) not in VOLATILE]
            rows = session.execute(select(*cols)).all()
            out[table.name] = sorted((tuple(repr(v) for v in r) for r in rows), key=repr)
    return out


def routes(hub: Hub) -> list[tuple[str, str, dict[str, Any]]]:
    doc = hub.client.get("/openapi.json").json()
    return [(path, method, op) for path, item in doc["paths"].items() for method, op in item.items()]


def components(hub: Hub) -> dict[str, Any]:
    doc: dict[str, Any] = hub.client.get("/openapi.json").json()
    return doc.get("components", {}).get("schemas", {})


def example(schema: dict[str, Any], schemas: dict[str, Any], values: dict[str, Any], name: str = "") -> Any:
    """The smallest valid value for ``schema``; a field named in ``values`` gets that value (A's object)."""
    if name in values:
        return values[name]
    if "$ref" in schema:
        return example(schemas[schema["$ref"].rsplit("/", 1)[1]], schemas, values, name)
    for key in ("anyOf", "oneOf", "allOf"):
        if key in schema:
            options = [s for s in schema[key] if s.get("type") != "null"]
            return example(options[0], schemas, values, name)
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object":
        props = schema.get("properties", {})
        return {k: example(props[k], schemas, values, k) for k in schema.get("required", []) if k in props}
    if kind == "array":
        items = schema.get("items", {})
        return [example(items, schemas, values) for _ in range(schema.get("minItems", 0))]
    if kind == "integer":
        return max(1, int(schema.get("minimum", 1)))
    if kind == "number":
        return 1.0
    if kind == "boolean":
        return False
    if schema.get("format") == "date-time":
        return "2026-01-01T00:00:00+00:00"
    return "x" * max(1, int(schema.get("minLength", 1)))


def request(hub: Hub, method: str, path: str, op: dict[str, Any], values: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The path with A's objects in it, and the query and JSON body keyword arguments to send."""
    concrete = re.sub(r"\{([^}]+)\}", lambda m_: str(values.get(m_.group(1), "x")), path)
    params = {
        p["name"]: values.get(p["name"], example(p.get("schema", {}), {}, values))
        for p in op.get("parameters", [])
        if p["in"] == "query" and (p.get("required") or p["name"] in values)
    }
    kw: dict[str, Any] = {"params": params}
    body = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
    if body is not None:
        kw["json"] = example(body, components(hub), values)
    return concrete, kw
