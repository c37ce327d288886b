"""Table-rate carriers from plain data (a JSON file an admin edits), and a small built-in default.

Shape::

    {"name": "localcourier", "currency": "GBP", "tracking_prefix": "LC", "country": "GB",
     "zones": [{"name": "mainland", "country": "GB", "postcode_prefixes": []}, ...],
     "services": [{"code": "economy", "name": "Economy", "transit_days": {"mainland": 3},
                   "prices": {"mainland": [[2000, 395], [20000, 795]]}}]}

Prices are ``[max weight in grams, amount in minor units]`` brackets, ascending.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

from app.carriers.table_rate import TableRateCarrier, TableService, WeightBracket, Zone

DEFAULT: dict[str, Any] = {
    "name": "localcourier",
    "currency": "GBP",
    "tracking_prefix": "LC",
    "country": "GB",
    "zones": [
        {"name": "mainland", "country": "GB", "postcode_prefixes": []},
        {"name": "highlands_islands", "country": "GB", "postcode_prefixes": ["IV", "HS", "KW", "ZE", "PA2", "PH"]},
    ],
    "services": [
        {
            "code": "next_day",
            "name": "Next Day",
            "transit_days": {"mainland": 1, "highlands_islands": 2},
            "prices": {"mainland": [[2000, 695], [10000, 995]], "highlands_islands": [[2000, 1495]]},
        },
        {
            "code": "economy",
            "name": "Economy 48",
            "transit_days": {"mainland": 2, "highlands_islands": 4},
            "prices": {"mainland": [[2000, 395], [20000, 795]], "highlands_islands": [[20000, 995]]},
        },
    ],
}


def table_rate_from_data(data: dict[str, Any], next_serial: Callable[[], int] | None = None) -> TableRateCarrier:
    zones = [Zone(z["name"], z["country"], tuple(z.get("postcode_prefixes") or ())) for z in data["zones"]]
    services = [
        TableService(
            code=s["code"],
            name=s.get("name") or s["code"],
            prices={
                zone: [WeightBracket(int(w), int(a)) for w, a in brackets] for zone, brackets in s["prices"].items()
            },
            transit_days={k: int(v) for k, v in s.get("transit_days", {}).items()},
        )
        for s in data["services"]
    ]
    return TableRateCarrier(
        name=data["name"],
        zones=zones,
        services=services,
        currency=data.get("currency", "GBP"),
        tracking_prefix=data.get("tracking_prefix", "LC"),
        country=data.get("country", "GB"),
        next_serial=next_serial or itertools.count(1).__next__,
    )
