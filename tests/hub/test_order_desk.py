"""The order desk at the hub: find an order by any key a person holds (exact, indexed lookups, a bounded
page), its timeline, and only supervisors and admins may ask — wherever they are signed in."""

from __future__ import annotations

from sqlalchemy import Connection, Engine, Select, func, select, text

from app.hub.models import CUSTOMER_NAME_KEY, Order
from app.hub.services import order_search
from tests.hub.conftest import Hub
from tests.hub.scope_scene import two_locations


def found(hub: Hub, q: str, headers: dict[str, str] | None = None) -> list[str]:
    return [o["number"] for o in hub.ok("GET", "/api/v1/orders", headers=headers, params={"q": q})["orders"]]


def test_an_order_is_found_by_number_channel_id_email_name_and_tracking_and_nothing_else(hub: Hub) -> None:
    scene = two_locations(hub)
    order = hub.order(
        "WEB-77",
        {"A": 1},
        customer_email="Grace.Hopper@example.com",
        ship_to={"name": "Grace Hopper", "line1": "1 Main St", "city": "Leeds", "postcode": "LS1 1AA", "country": "GB"},
    )
    number = order["number"]
    for key in (number, "WEB-77", "grace.hopper@EXAMPLE.com", " grace  HOPPER ", f"  {number} "):
        assert found(hub, key) == [number], key
    assert found(hub, "1Z-A-SHIPPED") == [scene.shipped]
    assert found(hub, "Grace") == [] and found(hub, "WEB-7") == []  # exact keys, not a scan for parts


def test_many_orders_of_one_customer_come_back_as_a_bounded_page_newest_first(hub: Hub) -> None:
    hub.scene(orders=0)
    numbers = [hub.order(f"r{i}", {"A": 1}, customer_email="repeat@example.com")["number"] for i in range(5)]
    page = hub.ok("GET", "/api/v1/orders", params={"q": "repeat@example.com", "limit": 2})
    assert page["total"] == 5 and [o["number"] for o in page["orders"]] == numbers[::-1][:2]


def test_station_packer_and_receiver_may_not_search_or_read_a_timeline(hub: Hub) -> None:
    scene = two_locations(hub)
    for who, headers in {**scene.outsiders(), "station A": scene.station_a}.items():
        for path, params in (
            ("/api/v1/orders", {"q": scene.shipped}),
            (f"/api/v1/orders/{scene.shipped}/timeline", {}),
        ):
            r = hub.client.get(path, headers=headers, params=params)
            assert r.status_code == 403 and "may not do this" in r.json()["error"], (who, path)


def test_a_supervisor_signed_in_at_b_finds_and_reads_an_order_of_a(hub: Hub) -> None:
    scene = two_locations(hub)
    supervisor = hub.operator(scene.station_b, "SV-B", "supervisor")
    assert found(hub, "1Z-A-SHIPPED", supervisor) == [scene.shipped]
    line = hub.ok("GET", f"/api/v1/orders/{scene.shipped}/timeline", headers=supervisor)
    assert line["order"]["location"] == "WH1"


def test_the_timeline_tells_hold_routing_packing_label_and_return_in_order(hub: Hub) -> None:
    scene = two_locations(hub)
    hub.ok("POST", f"/api/v1/orders/{scene.leased}/hold", json={"reason": "address check <b>now</b>"})
    held = hub.ok("GET", f"/api/v1/orders/{scene.leased}/timeline")
    assert held["order"]["hold_reason"] == "address check <b>now</b>"
    assert held["order"]["routing_reason"]
    assert "on_hold: address check <b>now</b>" in [e["text"] for e in held["entries"]]
    shipped = hub.ok("GET", f"/api/v1/orders/{scene.shipped}/timeline")
    kinds = [e["kind"] for e in shipped["entries"]]
    assert kinds[0] == "received" and "parcel" in kinds and kinds[-1] == "return"
    assert [e["at"] for e in shipped["entries"]] == sorted(e["at"] for e in shipped["entries"])
    assert [(p["parcel_no"], p["tracking_number"]) for p in shipped["parcels"]] == [(1, "1Z-A-SHIPPED")]
    assert [r["number"] for r in shipped["returns"]] == [scene.rma]
    assert "parcel 1: BOX-M, 1000 g, localcourier 1Z-A-SHIPPED" in [e["text"] for e in shipped["entries"]]


def test_a_timeline_of_an_unknown_order_is_a_404_with_an_error(hub: Hub) -> None:
    hub.scene(orders=0)
    r = hub.client.get("/api/v1/orders/NOPE-1/timeline", headers=hub.admin)
    assert r.status_code == 404 and "error" in r.json()


# Each key the search looks up, and the index that lookup must use (so a search never scans every order).
LOOKUPS: dict[str, Select[tuple[int]]] = {
    "ix_orders_channel_order_id": select(Order.id).where(Order.channel_order_id == "x"),
    "ix_orders_customer_email_lower": select(Order.id).where(func.lower(Order.customer_email) == "x"),
    "ix_orders_customer_name_postgresql": select(Order.id).where(CUSTOMER_NAME_KEY["postgresql"] == "x"),
    "ix_orders_customer_name_sqlite": select(Order.id).where(CUSTOMER_NAME_KEY["sqlite"] == "x"),
}


def plan(engine: Engine, conn: Connection, query: Select[tuple[int]]) -> str:
    sql = str(query.compile(engine, compile_kwargs={"literal_binds": True}))
    explain = "EXPLAIN QUERY PLAN" if engine.dialect.name == "sqlite" else "EXPLAIN"
    return "\n".join(str(r[-1]) for r in conn.execute(text(f"{explain} {sql}")))


def test_each_search_key_is_an_index_lookup_on_sqlite_and_postgresql(hub: Hub) -> None:
    dialect = hub.engine.dialect.name
    with hub.engine.begin() as conn:
        if dialect == "postgresql":
            conn.execute(text("SET LOCAL enable_seqscan = off"))  # a small table: may the index be used?
        for index, query in LOOKUPS.items():
            if index.startswith("ix_orders_customer_name_") and not index.endswith(dialect):
                continue
            assert index in plan(hub.engine, conn, query), index


def test_the_whole_search_reads_no_table_from_end_to_end(hub: Hub) -> None:
    dialect = hub.engine.dialect.name
    with hub.factory() as session, hub.engine.begin() as conn:
        query = select(Order.id).where(Order.id.in_(order_search.matching_ids(session, "someone@example.com")))
        if dialect == "postgresql":
            conn.execute(text("SET LOCAL enable_seqscan = off"))  # a small table: may indexes serve it all?
        shown = plan(hub.engine, conn, query)
    scans = [
        line for line in shown.splitlines() if ("Seq Scan" in line or line.startswith("SCAN ")) and "anon" not in line
    ]
    assert scans == [], shown
    for index in ("ix_parcels_tracking_number", "ix_shipping_labels_tracking", "ix_rmas_return_tracking_number"):
        assert index in shown, shown
