"""Plain-value test data for the bench workflows (no database, no network)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.bench.model import MemoryCatalog, PackOrder
from app.domain.barcodes import gtin_check_digit
from app.domain.catalog import Carton, Dimensions, Product


def gtin(n: int) -> str:
    body = f"5061414{n:05d}"
    return body + str(gtin_check_digit(body))


MUG = Product("MUG-1", "Mug", 350, Dimensions(120, 90, 95), (gtin(1),))
SOCKS = Product("SOCK-1", "Socks", 90, Dimensions(200, 100, 25), (gtin(2),))
LAMP = Product("LAMP-1", "Lamp", 1250, Dimensions(400, 180, 160), (gtin(3),))
STRAY = Product("STRAY-1", "Stray item", 100, Dimensions(50, 50, 50), (gtin(4),))

MAILER = Carton("MAILER-S", Dimensions(250, 180, 40), tare_g=25)
BOX_M = Carton("BOX-M", Dimensions(350, 250, 160), tare_g=220)
BOX_L = Carton("BOX-L", Dimensions(450, 350, 300), tare_g=420)


def catalog(*orders: PackOrder) -> MemoryCatalog:
    if not orders:
        orders = (PackOrder("PB000001", "leased", {"MUG-1": 2, "SOCK-1": 1}, tote="TOTE-A01"),)
    return MemoryCatalog(list(orders), [MUG, SOCKS, LAMP, STRAY], [MAILER, BOX_M, BOX_L])


class Clock:
    def __init__(self) -> None:
        self.t = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.t += timedelta(seconds=5)
        return self.t
