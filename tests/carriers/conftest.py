from __future__ import annotations

import pytest

from app.carriers.base import ParcelRequest
from app.carriers.table_rate import TableRateCarrier, TableService, WeightBracket, Zone
from app.domain.orders import Address
from tests.hub.conftest import hub, hub_url, pg_migrated, sqlite_template  # noqa: F401  (hub fixtures)

WAREHOUSE = Address("Packbench Ltd", "Unit 4 Dock Rd", "Leeds", "LS10 1AA", "GB")
CUSTOMER = Address("Ada Lovelace", "1 Park Row", "London", "SW1A 1AA", "GB")
HIGHLANDS = Address("Bob", "2 Loch Rd", "Inverness", "IV1 1AA", "GB")


def make_courier() -> TableRateCarrier:
    zones = [Zone("mainland", "GB"), Zone("highlands", "GB", ("IV", "HS", "KW")), Zone("eu", "FR")]
    services = [
        TableService(
            "next_day",
            "Next Day",
            prices={
                "mainland": [WeightBracket(2_000, 695), WeightBracket(10_000, 995)],
                "highlands": [WeightBracket(2_000, 1_495)],
            },
            transit_days={"mainland": 1, "highlands": 2},
        ),
        TableService(
            "economy",
            "Economy",
            prices={
                "mainland": [WeightBracket(2_000, 395), WeightBracket(20_000, 795)],
                "highlands": [WeightBracket(20_000, 995)],
                "eu": [WeightBracket(5_000, 1_800)],
            },
            transit_days={"mainland": 3, "highlands": 5, "eu": 6},
        ),
    ]
    return TableRateCarrier("localcourier", zones, services)


@pytest.fixture
def courier() -> TableRateCarrier:
    return make_courier()


def parcel(weight_g: int = 1_500, to: Address = CUSTOMER, ref: str = "PB0000001/1", **kw: str) -> ParcelRequest:
    return ParcelRequest(ref, WAREHOUSE, to, weight_g, **kw)  # type: ignore[arg-type]
