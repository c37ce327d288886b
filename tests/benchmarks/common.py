"""What every benchmark shares: result rows, timing helpers, a throw-away PostgreSQL database,
a hub scene seeded straight into the store, and hub processes started the way a site runs them."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

PG_ENV = "PACKBENCH_TEST_PG_URL"
ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Row:
    """One line of the results table. ``met`` is None when there is no target or nothing was measured."""

    name: str
    figure: str
    baseline: str = ""
    target: str = ""
    met: bool | None = None
    note: str = ""

    @property
    def verdict(self) -> str:
        if self.figure.startswith("n/a"):
            return "n/a"
        if self.met is None:
            return "-"
        return "met" if self.met else "MISSED"


def na(name: str, reason: str, target: str = "") -> Row:
    return Row(name, f"n/a: {reason}", target=target)


def percentile(values: Sequence[float], pct: float) -> float:
    """Nearest-rank percentile (``pct`` in 0..100) of ``values``; 0.0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(pct / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def rate(count: float, seconds: float) -> float:
    return count / seconds if seconds > 0 else 0.0


def admin_pg_url() -> str | None:
    return os.environ.get(PG_ENV) or None


@contextmanager
def pg_database(prefix: str = "packbench_bm") -> Iterator[str]:
    """A fresh, migrated PostgreSQL database (URL with the psycopg driver), dropped afterwards."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from app.hub.database import migrate, normalize_url

    base = admin_pg_url()
    if not base:
        raise RuntimeError(f"{PG_ENV} is not set")
    url = make_url(normalize_url(base))
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        db_url = url.set(database=name).render_as_string(hide_password=False)
        migrate(db_url)
        yield db_url
    finally:
        with admin.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"), {"n": name})
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin.dispose()


def libpq_url(sqlalchemy_url: str) -> str:
    """The same database as a plain ``postgresql://`` URL for psycopg itself."""
    from sqlalchemy.engine import make_url

    return make_url(sqlalchemy_url).set(drivername="postgresql").render_as_string(hide_password=False)


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass
class Scene:
    """A location with products and stock, and enrolled stations with their bearer tokens."""

    location_id: int
    location_code: str
    skus: list[str]
    product_ids: list[int]
    tokens: list[str]


def seed_scene(url: str, *, stations: int, products: int = 20, units: int = 10_000_000) -> Scene:
    """One warehouse WH1 with ``products`` SKUs (``units`` each on hand), a carton, ``stations`` benches."""
    from app.hub import models as m
    from app.hub.database import make_engine, make_session_factory, unit_of_work
    from app.hub.services import auth, catalog

    engine = make_engine(url)
    factory = make_session_factory(engine)
    with unit_of_work(factory) as s:
        loc = catalog.create_location(s, code="WH1", name="Warehouse 1", latitude=53.8, longitude=-1.55)
        catalog.create_carton(s, code="BOX-M", length_mm=350, width_mm=250, height_mm=160, tare_g=220)
        prods = [
            catalog.create_product(
                s, sku=f"SKU-{i:04d}", name=f"Product {i}", weight_g=200 + i, length_mm=100, width_mm=80, height_mm=50
            )
            for i in range(products)
        ]
        for p in prods:
            s.add(m.StockLevel(location_id=loc.id, product_id=p.id, on_hand=units, reserved=0))
        tokens = []
        for i in range(stations):
            code = auth.create_enrolment_code(s, f"BENCH-{i:03d}", "WH1")
            _station, token = auth.enrol(s, code)
            tokens.append(token)
        scene = Scene(loc.id, loc.code, [p.sku for p in prods], [p.id for p in prods], tokens)
    engine.dispose()
    return scene


def seed_queued_orders(url: str, scene: Scene, count: int, *, lines: int = 2, start: int = 0) -> None:
    """``count`` orders queued at the scene's location, written in bulk (their stock counted as reserved)."""
    from sqlalchemy import insert, select, update

    from app.hub import models as m
    from app.hub.database import make_engine

    engine = make_engine(url)
    at = utcnow()
    ship_to = {"name": "Ada", "line1": "1 Main St", "city": "Leeds", "postcode": "LS1 1AA", "country": "GB"}
    chunk = 5000
    with engine.begin() as conn:
        for first in range(start, start + count, chunk):
            ids = range(first, min(first + chunk, start + count))
            rows = [
                {
                    "number": f"BM{i:08d}",
                    "channel": "bench",
                    "channel_order_id": f"bm-{i}",
                    "status": "queued",
                    "order_type": "ship",
                    "priority": 0,
                    "service_level": "standard",
                    "created_at": at,
                    "updated_at": at,
                    "paid": True,
                    "total_minor": 2000,
                    "currency": "GBP",
                    "ship_to": ship_to,
                    "customer_email": "",
                    "location_id": scene.location_id,
                }
                for i in ids
            ]
            conn.execute(insert(m.Order), rows)
            order_ids = conn.scalars(
                select(m.Order.id).where(m.Order.channel_order_id.in_([f"bm-{i}" for i in ids])).order_by(m.Order.id)
            ).all()
            line_rows = []
            for k, oid in enumerate(order_ids):
                for j in range(lines):
                    p = (k + j) % len(scene.skus)
                    line_rows.append(
                        {
                            "order_id": oid,
                            "product_id": scene.product_ids[p],
                            "sku": scene.skus[p],
                            "name": f"Product {p}",
                            "quantity": 1,
                            "unit_price_minor": 1000,
                        }
                    )
            conn.execute(insert(m.OrderLine), line_rows)
        per_product = count * lines // len(scene.skus) + lines
        conn.execute(
            update(m.StockLevel)
            .where(m.StockLevel.location_id == scene.location_id)
            .values(reserved=m.StockLevel.reserved + per_product)
        )
    engine.dispose()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def hub_processes(url: str, count: int = 1) -> Iterator[list[str]]:
    """``count`` ``packbench hub serve`` processes on one database; yields their base URLs."""
    import httpx

    procs: list[subprocess.Popen[bytes]] = []
    bases: list[str] = []
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    try:
        for _ in range(count):
            port = free_port()
            cmd = [sys.executable, "-m", "app", "hub", "serve", "--db", url, "--host", "127.0.0.1"]
            cmd += ["--port", str(port), "--log-level", "warning"]
            procs.append(subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE))
            bases.append(f"http://127.0.0.1:{port}")
        deadline = time.monotonic() + 60
        for proc, base in zip(procs, bases, strict=True):
            while True:
                if proc.poll() is not None:
                    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
                    raise RuntimeError(f"hub process exited with {proc.returncode}: {err[-2000:]}")
                try:
                    if httpx.get(f"{base}/health", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError(f"hub at {base} did not answer within 60 s")
                time.sleep(0.1)
        yield bases
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def module_missing(*names: str) -> str | None:
    """The first of ``names`` that cannot be imported, as a reason string, or None when all can."""
    import importlib
    import importlib.util

    for name in names:
        try:
            if importlib.util.find_spec(name) is None:
                return f"{name} does not exist yet"
        except ModuleNotFoundError:
            return f"{name} does not exist yet"
    return None


def json_ok(resp: Any) -> Any:
    if resp.status_code >= 300:
        raise RuntimeError(f"{resp.request.method} {resp.request.url.path} -> {resp.status_code}: {resp.text[:500]}")
    return resp.json()
