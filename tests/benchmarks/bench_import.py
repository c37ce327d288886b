"""Order import through the channel path on PostgreSQL.

A CSV of orders (1-3 lines each, 50 SKUs, 3 warehouses with stock) goes through
``packbench hub import-csv`` (parse and check every row, then store, validate and route each order
with the DOM rule chain and reserve its stock), run in-process so that interpreter start-up is not
counted. Where that command has not landed, ``app.hub.services.pipeline.submit`` is measured
instead, and the row says so. The baseline is a bulk INSERT of the same orders and lines (no
checks, no routing, no stock) into the same database.
"""

from __future__ import annotations

import contextlib
import csv
import io
import random
import tempfile
import time
from collections import Counter
from pathlib import Path

from tests.benchmarks.common import Row, libpq_url, pg_database, rate, utcnow

ORDERS = 5_000
SKUS = 50
LOCATIONS = (("WH1", 53.8, -1.55, 10), ("WH2", 51.5, -0.12, 20), ("WH3", 55.95, -3.19, 30))


def make_csv(count: int, seed: int = 11) -> tuple[str, int]:
    """The CSV text and its number of lines."""
    rnd = random.Random(seed)
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(
        [
            "order_id",
            "sku",
            "quantity",
            "ship_country",
            "ship_name",
            "ship_line1",
            "ship_city",
            "ship_postcode",
            "email",
            "unit_price",
            "currency",
        ]
    )
    lines = 0
    for i in range(count):
        for sku in rnd.sample(range(SKUS), rnd.randint(1, 3)):
            w.writerow(
                [
                    f"csv-{i}",
                    f"SKU-{sku:04d}",
                    rnd.randint(1, 2),
                    "GB",
                    f"Customer {i}",
                    f"{i} High Street",
                    "Leeds",
                    "LS1 1AA",
                    f"customer{i}@example.com",
                    "12.50",
                    "GBP",
                ]
            )
            lines += 1
    return out.getvalue(), lines


def seed_catalog(url: str) -> None:
    from app.hub import models as m
    from app.hub.database import make_engine, make_session_factory, unit_of_work
    from app.hub.services import catalog

    engine = make_engine(url)
    with unit_of_work(make_session_factory(engine)) as s:
        locs = [
            catalog.create_location(s, code=c, name=c, latitude=lat, longitude=lon, rank=rank)
            for c, lat, lon, rank in LOCATIONS
        ]
        for i in range(SKUS):
            p = catalog.create_product(
                s, sku=f"SKU-{i:04d}", name=f"Product {i}", weight_g=300, length_mm=100, width_mm=80, height_mm=50
            )
            for loc in locs:
                s.add(m.StockLevel(location_id=loc.id, product_id=p.id, on_hand=1_000_000, reserved=0))
    engine.dispose()


def import_with_cli(url: str, text: str) -> tuple[float, str]:
    """Seconds for ``packbench hub import-csv``; raises LookupError when the command does not exist."""
    from app.cli import build_parser, main

    try:
        with contextlib.redirect_stderr(io.StringIO()):
            build_parser().parse_args(["hub", "import-csv", "x.csv"])
    except SystemExit as exc:
        raise LookupError("packbench hub import-csv does not exist") from exc
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "orders.csv"
        path.write_text(text, encoding="utf-8")
        out, err = io.StringIO(), io.StringIO()
        t0 = time.perf_counter()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(["hub", "import-csv", str(path), "--db", url])
        seconds = time.perf_counter() - t0
    if code != 0:
        raise RuntimeError(f"import-csv exited {code}: {err.getvalue()[-500:]}")
    return seconds, out.getvalue().strip().splitlines()[-1]


def import_with_create_order(url: str, count: int, seed: int = 11) -> float:
    from app.hub.database import make_engine, make_session_factory, unit_of_work
    from app.hub.services.dom import OrderRules
    from app.hub.services.orders import NewOrder, NewOrderLine
    from app.hub.services.pipeline import submit

    rnd = random.Random(seed)
    ship_to = {"name": "Ada", "line1": "1 High St", "city": "Leeds", "postcode": "LS1 1AA", "country": "GB"}
    engine = make_engine(url)
    factory = make_session_factory(engine)
    t0 = time.perf_counter()
    for first in range(0, count, 500):
        with unit_of_work(factory) as s:
            for i in range(first, min(first + 500, count)):
                skus = rnd.sample(range(SKUS), rnd.randint(1, 3))
                lines = [NewOrderLine(f"SKU-{k:04d}", rnd.randint(1, 2), 1250) for k in skus]
                submit(s, NewOrder("csv", f"csv-{i}", lines, dict(ship_to), currency="GBP"), OrderRules())
    seconds = time.perf_counter() - t0
    engine.dispose()
    return seconds


def bulk_insert(url: str, text: str) -> float:
    """Seconds to INSERT the CSV's orders and lines in bulk, in one transaction, no checks."""
    import psycopg

    rows = list(csv.DictReader(io.StringIO(text)))
    by_order: dict[str, list[dict[str, str]]] = {}
    for r in rows:
        by_order.setdefault(r["order_id"], []).append(r)
    at = utcnow()
    t0 = time.perf_counter()
    with psycopg.connect(libpq_url(url)) as conn, conn.cursor() as cur:
        cur.execute("CREATE TABLE raw_orders (LIKE orders INCLUDING ALL)")
        cur.execute("CREATE TABLE raw_lines (LIKE order_lines INCLUDING ALL)")
        cur.execute("CREATE SEQUENCE raw_orders_id")
        cur.execute("ALTER TABLE raw_orders ALTER COLUMN id SET DEFAULT nextval('raw_orders_id')")
        cur.execute("CREATE SEQUENCE raw_lines_id")
        cur.execute("ALTER TABLE raw_lines ALTER COLUMN id SET DEFAULT nextval('raw_lines_id')")
        ids = {}
        for oid, lines in by_order.items():
            head = lines[0]
            ship = (
                f'{{"name": "{head["ship_name"]}", "line1": "{head["ship_line1"]}", "city": "Leeds",'
                ' "postcode": "LS1 1AA", "country": "GB"}'
            )
            cur.execute(
                "INSERT INTO raw_orders (channel, channel_order_id, status, order_type, priority, service_level,"
                " created_at, updated_at, paid, total_minor, currency, ship_to, customer_email)"
                " VALUES ('csv', %s, 'received', 'ship', 0, 'standard', %s, %s, true, 0, 'GBP', %s, %s) RETURNING id",
                (oid, at, at, ship, head["email"]),
            )
            got = cur.fetchone()
            assert got is not None
            ids[oid] = got[0]
        cur.executemany(
            "INSERT INTO raw_lines (order_id, product_id, sku, name, quantity, unit_price_minor)"
            " VALUES (%s, 1, %s, '', %s, 1250)",
            [(ids[r["order_id"]], r["sku"], int(r["quantity"])) for r in rows],
        )
        conn.commit()
    return time.perf_counter() - t0


def statuses(url: str) -> Counter[str]:
    import psycopg

    with psycopg.connect(libpq_url(url)) as conn:
        return Counter({s: n for s, n in conn.execute("SELECT status, count(*) FROM orders GROUP BY status")})


def run() -> list[Row]:
    text, lines = make_csv(ORDERS)
    with pg_database("packbench_bm_import") as url:
        seed_catalog(url)
        try:
            seconds, summary = import_with_cli(url, text)
            path = "packbench hub import-csv (parse, check, store, validate, DOM-route, reserve)"
        except LookupError:
            seconds = import_with_create_order(url, ORDERS)
            summary = ""
            path = "app.hub.services.pipeline.submit (the CSV channel command has not landed)"
        stored = statuses(url)
        base_s = bulk_insert(url, text)
    got = rate(ORDERS, seconds)
    return [
        Row(
            f"order import, {ORDERS:,} orders ({lines:,} lines) through the channel path",
            f"{got:,.0f} orders/s ({seconds:.1f} s)",
            baseline=f"bulk INSERT of the same orders and lines, no checks: {rate(ORDERS, base_s):,.0f} orders/s",
            target=">= 1,000 orders/s",
            met=got >= 1000 and sum(stored.values()) == ORDERS,
            note=f"path: {path}; store: {dict(stored)}" + (f"; {summary}" if summary else ""),
        )
    ]
