"""Hub fixtures: a migrated store on SQLite and on PostgreSQL, and an API client with an admin token."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text

from app.hub.app import create_app
from app.hub.database import make_engine, make_session_factory, migrate, unit_of_work
from app.hub.models import Base
from app.hub.services import auth


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("hub-template") / "hub.sqlite"
    migrate(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_migrated(pg_url: str) -> str:
    migrate(pg_url)
    return pg_url


def _truncate_pg(engine: Engine) -> None:
    names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", "postgres"])
def hub_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    if request.param == "sqlite":
        path = tmp_path / "hub.sqlite"
        shutil.copy(sqlite_template, path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("pg_migrated")
    engine = make_engine(url)
    _truncate_pg(engine)
    engine.dispose()
    return url


@pytest.fixture
def pg_hub_url(pg_migrated: str) -> str:
    engine = make_engine(pg_migrated)
    _truncate_pg(engine)
    engine.dispose()
    return pg_migrated


class Hub:
    """An API client with helpers to set the scene; ``admin`` holds the admin's headers."""

    def __init__(self, client: TestClient | httpx.Client, engine: Engine) -> None:
        self.client = client
        self.engine = engine
        self.factory = make_session_factory(engine)
        with unit_of_work(self.factory) as s:
            auth.add_operator(s, name="Admin", badge="ADM-1", pin="9999", role="admin")
            _op, token = auth.sign_in(s, badge="ADM-1", pin="9999", station_id=None)
        self.admin = {"Authorization": f"Bearer {token}"}

    def ok(self, method: str, path: str, headers: dict[str, str] | None = None, **kw: Any) -> Any:
        r = self.client.request(method, path, headers=headers or self.admin, **kw)
        assert r.status_code < 300, r.text
        return r.json() if r.content else None

    def location(self, code: str = "WH1", **kw: Any) -> Any:
        return self.ok("POST", "/api/v1/locations", json={"code": code, "name": f"Location {code}", **kw})

    def product(self, sku: str, barcodes: list[str] | None = None, weight_g: int = 250) -> Any:
        body = {
            "sku": sku,
            "name": f"Product {sku}",
            "weight_g": weight_g,
            "length_mm": 100,
            "width_mm": 80,
            "height_mm": 50,
            "barcodes": barcodes or [],
        }
        return self.ok("POST", "/api/v1/products", json=body)

    def carton(self, code: str = "BOX-M") -> Any:
        body = {"code": code, "length_mm": 350, "width_mm": 250, "height_mm": 160, "tare_g": 220}
        return self.ok("POST", "/api/v1/cartons", json=body)

    def stock(self, location: str, sku: str, delta: int) -> Any:
        body = {"location": location, "sku": sku, "delta": delta, "reason": "received"}
        return self.ok("POST", "/api/v1/stock/adjustments", json=body)

    def order(self, channel_order_id: str, lines: dict[str, int], **kw: Any) -> Any:
        body = {
            "channel": kw.pop("channel", "web"),
            "channel_order_id": channel_order_id,
            "lines": [{"sku": k, "quantity": q, "unit_price_minor": 1000} for k, q in lines.items()],
            "ship_to": {"name": "Ada", "line1": "1 Main St", "city": "Leeds", "postcode": "LS1 1AA", "country": "GB"},
            **kw,
        }
        return self.ok("POST", "/api/v1/orders", json=body)

    def station(self, name: str = "BENCH-1", location: str = "WH1") -> dict[str, str]:
        code = self.ok("POST", "/api/v1/admin/enrolment-codes", json={"station_name": name, "location": location})
        r = self.client.post("/api/v1/enrol", json={"code": code["code"]})
        assert r.status_code == 200, r.text
        return {"Authorization": f"Bearer {r.json()['token']}"}

    def operator(self, station: dict[str, str], badge: str, role: str, pin: str = "1234") -> dict[str, str]:
        self.ok("POST", "/api/v1/admin/operators", json={"name": badge, "badge": badge, "pin": pin, "role": role})
        r = self.client.post("/api/v1/sessions", headers=station, json={"badge": badge, "pin": pin})
        assert r.status_code == 200, r.text
        return {"Authorization": f"Bearer {r.json()['token']}"}

    def lease(self, station: dict[str, str], batch_size: int = 10, lease_seconds: int = 600) -> Any:
        return self.ok(
            "POST",
            "/api/v1/queue/leases",
            headers=station,
            json={"batch_size": batch_size, "lease_seconds": lease_seconds},
        )

    def scene(self, orders: int = 3, units: int = 50) -> dict[str, str]:
        """One warehouse WH1 with products A, B and C in stock, ``orders`` orders queued, a station."""
        self.location("WH1")
        for sku, code in (("A", "4006381333931"), ("B", "036000291452"), ("C", None)):
            self.product(sku, [code] if code else [])
            self.stock("WH1", sku, units)
        self.carton("BOX-M")
        for i in range(orders):
            self.order(f"o{i}", {"A": 1, "B": 2})
        return self.station()


@pytest.fixture
def hub(hub_url: str) -> Iterator[Hub]:
    engine = make_engine(hub_url)
    app = create_app(engine)
    with TestClient(app) as client:
        yield Hub(client, engine)
    engine.dispose()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class LiveServer:
    """The hub served by uvicorn on a real socket, in a thread."""

    def __init__(self, url: str) -> None:
        self.engine = (
            make_engine(url, pool_size=40, max_overflow=10) if not url.startswith("sqlite") else make_engine(url)
        )
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(create_app(self.engine), host="127.0.0.1", port=self.port, log_level="warning")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("hub did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
        self.engine.dispose()


@pytest.fixture
def live_pg_hub(pg_hub_url: str) -> Iterator[Hub]:
    with LiveServer(pg_hub_url) as server, httpx.Client(base_url=server.base_url, timeout=30) as client:
        yield Hub(client, server.engine)
