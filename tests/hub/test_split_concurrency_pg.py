"""Two benches ship the two parts of the same split orders at the same instant, on PostgreSQL over
real HTTP: every split order ends shipped (neither bench may read the other's part as not shipped)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from app.domain.events import LabelPrinted
from app.domain.splits import SplitPolicies
from app.hub.database import unit_of_work
from app.hub.services import orders, pipeline
from app.hub.services.dom import OrderRules
from tests.hub.conftest import Hub
from tests.hub.test_concurrency_pg import run_together
from tests.hub.test_queue_and_events import packed_event, post
from tests.hub.test_split_shipments import a_here_b_there

pytestmark = pytest.mark.postgres
ORDERS = 8


def test_two_benches_shipping_the_two_parts_at_once_leave_every_order_shipped(live_pg_hub: Hub) -> None:
    hub = live_pg_hub
    # The live server keeps its default configuration (splits never): the orders are split through
    # the pipeline here, with splits allowed.
    rules = OrderRules(splits=SplitPolicies.parse("allow"))
    a_here_b_there(hub, 100)
    address = {"name": "Ada", "line1": "1 Main St", "city": "Leeds", "postcode": "LS1 1AA", "country": "GB"}
    numbers = []
    with unit_of_work(hub.factory) as s:
        for i in range(ORDERS):
            lines = [orders.NewOrderLine("A", 1), orders.NewOrderLine("B", 1)]
            numbers.append(pipeline.submit(s, orders.NewOrder("web", f"s{i}", lines, address), rules).number)
    benches = [hub.station("BENCH-1", "WH1"), hub.station("BENCH-2", "WH2")]
    for i, bench in enumerate(benches):
        parts = [o["number"] for o in hub.lease(bench, batch_size=ORDERS)["orders"]]
        assert parts == [f"{n}-{i + 1}" for n in numbers]
        assert all(r["status"] == "applied" for r in post(hub, bench, [packed_event(p) for p in parts]))

    def ship_all(i: int, client: httpx.Client) -> list[Any]:
        out = []
        for n in numbers:
            ev = LabelPrinted(order_number=f"{n}-{i + 1}", parcel_no=1, tracking_number=f"T{n}{i}", carrier="table")
            r = client.post("/api/v1/events", headers=benches[i], json={"events": [ev.to_wire()]})
            assert r.status_code == 200, r.text
            out += [x["status"] for x in r.json()["results"]]
        return out

    results = run_together(2, ship_all, str(hub.client.base_url))
    assert results == [["applied"] * ORDERS] * 2
    statuses = [hub.ok("GET", f"/api/v1/orders/{n}")["status"] for n in numbers]
    assert statuses == ["shipped"] * ORDERS
