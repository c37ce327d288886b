"""A fake of the picking contract (notes/PICK_CONTRACT.md) as an httpx transport: batches, events, tote claims.

Enough of the hub for bench tests before (and beside) the real hub side: ``POST /picks/batches`` answers a
cluster batch of the orders given, ``POST /events`` applies each event id once (``applied``, then
``duplicate``), ``POST /totes/{code}/claim`` answers the lease shape from the tote events seen, and the
station calls the sync loop makes (enrol, whoami, renew). ``stopped = True`` plays a hub that is down.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

PRODUCTS = {
    "MUG-01": {"name": "Mug", "barcode": "4006381333931", "weight_g": 350, "bin": "A-01-01-1", "walk": 100101},
    "SOCK-01": {"name": "Socks", "barcode": "0012345678905", "weight_g": 80, "bin": "B-02-01-1", "walk": 100201},
}
ALTERNATE = {"MUG-01": [{"bin": "C-04-02-1", "walk_seq": 204002, "available": 5}]}


class FakePickHub:
    def __init__(self, orders: Sequence[tuple[str, dict[str, int]]], mode: str = "cluster") -> None:
        self.orders = {n: lines for n, lines in orders}
        self.mode = mode
        self.stopped = False
        self.applied: dict[str, dict[str, Any]] = {}  # event id -> wire, applied once
        self.deliveries = 0  # event wires received (duplicates too)
        self.totes: dict[str, list[str]] = {}
        self.claims: list[str] = []
        self.leased = False

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self._handle)

    # ------------------------------------------------------------------ answers
    def _handle(self, request: httpx.Request) -> httpx.Response:
        if self.stopped:
            raise httpx.ConnectError("hub stopped", request=request)
        path = request.url.path.removeprefix("/api/v1")
        body = json.loads(request.content) if request.content else {}
        if path == "/enrol":
            return httpx.Response(200, json={"token": "t", "station_name": "BENCH-1", "location": "WH-LDS"})
        if path == "/sessions":
            return httpx.Response(200, json={"token": "op", "name": "Pat Packer", "badge": body["badge"],
                                             "role": "packer", "screens": ["pack", "pick"]})  # fmt: skip
        if path == "/whoami":
            return httpx.Response(200, json={"station": "BENCH-1"})
        if path == "/picks/batches":
            return httpx.Response(200, json=self.batch())
        if path == "/events":
            return httpx.Response(200, json={"results": [self._apply(w) for w in body["events"]]})
        if path.endswith("/renew"):
            lease_id = path.split("/")[-2]
            return httpx.Response(200, json={"lease_id": lease_id, "expires_at": _later(), "orders": []})
        if path.startswith("/totes/") and path.endswith("/claim"):
            return self._claim(path.split("/")[2])
        return httpx.Response(404, json={"error": f"no route {path}"})

    def batch(self) -> dict[str, Any]:
        if self.leased:
            return {"batch_id": str(uuid.uuid4()), "lease_id": str(uuid.uuid4()), "mode": self.mode,
                    "expires_at": _later(), "orders": [], "stops": []}  # fmt: skip
        self.leased = True
        orders, stops = [], []
        for slot, (number, lines) in enumerate(self.orders.items(), start=1):
            orders.append({"number": number, "tote_slot": slot, "priority": 0, "ship_by": None,
                           "lines": [_line(sku, q) for sku, q in lines.items()]})  # fmt: skip
            for sku, q in lines.items():
                p = PRODUCTS[sku]
                stops.append({"bin": p["bin"], "zone": p["bin"][0], "walk_seq": p["walk"], "sku": sku,
                              "name": p["name"], "barcode": p["barcode"], "quantity": q, "order_number": number,
                              "tote_slot": slot, "alternates": ALTERNATE.get(sku, [])})  # fmt: skip
        if self.mode == "batch":  # one stop per (bin, sku) summed across orders, sorted at the pack bench
            merged: dict[str, dict[str, Any]] = {}
            for s in stops:
                m = merged.setdefault(s["bin"], {**s, "quantity": 0, "order_number": None, "tote_slot": None})
                m["quantity"] += s["quantity"]
            stops = list(merged.values())
            for o in orders:
                o["tote_slot"] = None
        stops.sort(key=lambda s: (s["walk_seq"], s["tote_slot"] or 0))
        for i, s in enumerate(stops, start=1):
            s["seq"] = i
        lease = {"batch_id": "batch-1", "lease_id": "pick-lease-1", "mode": self.mode, "expires_at": _later()}
        return {**lease, "orders": orders, "stops": stops}

    def _apply(self, wire: dict[str, Any]) -> dict[str, Any]:
        self.deliveries += 1
        if wire["event_id"] in self.applied:
            return {"event_id": wire["event_id"], "status": "duplicate"}
        self.applied[wire["event_id"]] = wire
        p = wire["payload"]
        if wire["type"] == "tote_assigned":
            self.totes[p["tote"]] = [p["order_number"]] if p["order_number"] else list(self.orders)
        return {"event_id": wire["event_id"], "status": "applied"}

    def _claim(self, tote: str) -> httpx.Response:
        numbers = self.totes.get(tote)
        if not numbers:
            return httpx.Response(404, json={"error": f"tote {tote} is empty"})
        self.claims.append(tote)
        picked: dict[str, dict[str, int]] = {}
        for w in self.applied.values():
            if w["type"] == "pick_confirmed" and w["payload"]["tote"] == tote:
                got = picked.setdefault(w["payload"]["order_number"] or "", {})
                got[w["payload"]["sku"]] = got.get(w["payload"]["sku"], 0) + w["payload"]["quantity"]
        orders = []
        for n in numbers:
            mine = picked.get(n, {})
            orders.append({"number": n, "status": "leased", "priority": 0, "ship_by": None, "channel": "web",
                           "service_level": "standard", "ship_to": {"name": "A Customer"},
                           "lines": [_line(s, q) for s, q in self.orders[n].items()],
                           "picked": [{"sku": s, "quantity": q} for s, q in mine.items()]})  # fmt: skip
        products = [{"sku": s, "name": p["name"], "weight_g": p["weight_g"], "length_mm": 100, "width_mm": 80,
                     "height_mm": 60, "barcodes": [p["barcode"]]} for s, p in PRODUCTS.items()]  # fmt: skip
        cartons = [{"code": "BOX-M", "length_mm": 400, "width_mm": 300, "height_mm": 200, "tare_g": 150}]
        mode = "batch" if len(numbers) > 1 else self.mode
        return httpx.Response(200, json={"tote": tote, "mode": mode, "lease_id": "pick-lease-1",
                                         "location": "WH-LDS", "expires_at": _later(), "orders": orders,
                                         "products": products, "cartons": cartons})  # fmt: skip

    # ------------------------------------------------------------------ what the tests read
    def applied_of(self, kind: str) -> list[dict[str, Any]]:
        return [w["payload"] for w in self.applied.values() if w["type"] == kind]


def fake_hub_window(hub: FakePickHub, folder: Path, sounds: Any) -> tuple[Any, Any]:
    """An enrolled bench engine over ``hub`` and its window (no scale, no printer), a packer signed in."""
    from app.bench.compose import open_bench
    from app.bench.hub_client import HubClient
    from app.bench.settings import BenchSettings
    from app.ui.main_window import BenchWindow

    engine = open_bench(folder, client=HubClient("http://hub.test", transport=hub.transport()))
    engine.enrol("CODE")
    hub.stopped = True  # the sync thread is not started: events stay in the outbox until pushed
    window = BenchWindow(
        engine, BenchSettings(), save_settings=lambda s: None, test_scale=str, test_printer=str, sounds=sounds
    )
    window.resize(1366, 768)
    window.show()
    hub.stopped = False
    window._signed_in(engine.sign_in("PK-1001", "1111"))
    return engine, window


def _line(sku: str, q: int) -> dict[str, Any]:
    return {"sku": sku, "name": PRODUCTS[sku]["name"], "barcode": PRODUCTS[sku]["barcode"], "quantity": q}


def _later() -> str:
    return (datetime.now(UTC) + timedelta(minutes=30)).isoformat()
