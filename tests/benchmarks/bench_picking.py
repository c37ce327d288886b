"""Picking on the demo warehouse layout (``app.hub.demo_layout``), through the hub's own services on SQLite.

1. *Walking per line*: a cluster batch of 8 orders, walked once in the batch's stop order (S-shaped walk
   sequence), against the same 8 orders picked one by one, each walked in its order-line order from the
   depot and back (the bins the allocation chose for it). Distance model: aisles 3 m apart, bays 1.2 m
   wide, cross-aisles at the front and back; the depot is at the front of aisle A.
2. *Building a 20-order cluster batch* (lease + allocation + walk plan + alternates), against a plain
   queue lease of 20 orders in the same run on the same database (released after each try).
"""

from __future__ import annotations

import itertools
import tempfile
import time
from pathlib import Path

from tests.benchmarks.common import Row, ms, percentile

AISLE_PITCH_M = 3.0
BAY_M = 1.2
TRIES = 15


def _position(code: str) -> tuple[float, float]:
    """(x, y) in metres of a pick face: x across the aisles, y along the aisle from the front."""
    from app.hub import demo_layout

    aisle, bay, _level, _pos = code.split("-")
    x = demo_layout.PICK_AISLES.index(aisle) * AISLE_PITCH_M if aisle in demo_layout.PICK_AISLES else 0.0
    return x, int(bay) * BAY_M


def _leg(a: tuple[float, float], b: tuple[float, float]) -> float:
    from app.hub import demo_layout

    length = (demo_layout.BAYS + 1) * BAY_M
    if a[0] == b[0]:
        return abs(a[1] - b[1])
    return abs(a[0] - b[0]) + min(a[1] + b[1], 2 * length - a[1] - b[1])  # round the front or the back


def route_length(codes: list[str]) -> float:
    """From the depot through the bins in this order (a bin twice in a row is one visit) and back."""
    points = [(0.0, 0.0)]
    for c in codes:
        p = _position(c)
        if p != points[-1]:
            points.append(p)
    points.append((0.0, 0.0))
    return sum(_leg(a, b) for a, b in itertools.pairwise(points))


def _hub() -> tuple[object, object]:
    from app.hub import demo
    from app.hub.database import make_engine, make_session_factory, migrate, unit_of_work
    from app.hub.services import auth

    path = Path(tempfile.mkdtemp(prefix="pb-pick-")) / "hub.sqlite"
    url = f"sqlite:///{path}"
    migrate(url)
    factory = make_session_factory(make_engine(url))
    with unit_of_work(factory) as s:
        code = demo.seed(s, orders=220).enrolment_code
        station, _token = auth.enrol(s, code)
        station_id = station.id
    return factory, station_id


def walking(factory: object, station_id: int) -> tuple[float, float, int]:
    from app.domain.picking import PickMode
    from app.hub import models as m
    from app.hub.database import unit_of_work
    from app.hub.services import picks, queue

    with unit_of_work(factory) as s:  # type: ignore[arg-type]
        station = s.get(m.Station, station_id)
        assert station is not None
        plan = picks.lease_pick_batch(s, station, mode=PickMode.CLUSTER, max_orders=8, totes=8, lease_seconds=600)
        cluster = route_length([p.stop.bin_code for p in plan.stops])
        lines = sum(len(o.lines) for o in plan.orders)
        one_by_one = 0.0
        for order in plan.orders:
            mine = [p.stop for p in plan.stops if p.stop.order_number == order.number]
            in_line_order = [st.bin_code for ln in order.lines for st in mine if st.sku == ln.sku]
            one_by_one += route_length(in_line_order)
        queue.release(s, station, plan.lease.id)
    return cluster / lines, one_by_one / lines, lines


def building(factory: object, station_id: int) -> tuple[list[float], list[float], int]:
    from app.domain.picking import PickMode
    from app.hub import models as m
    from app.hub.database import unit_of_work
    from app.hub.services import picks, queue

    batch_s: list[float] = []
    lease_s: list[float] = []
    stops = 0
    for _ in range(TRIES):
        with unit_of_work(factory) as s:  # type: ignore[arg-type]
            station = s.get(m.Station, station_id)
            assert station is not None
            t0 = time.perf_counter()
            leased = queue.lease_batch(s, station, batch_size=20, lease_seconds=600)
            lease_s.append(time.perf_counter() - t0)
            queue.release(s, station, leased.lease.id)
        with unit_of_work(factory) as s:  # type: ignore[arg-type]
            station = s.get(m.Station, station_id)
            assert station is not None
            t0 = time.perf_counter()
            plan = picks.lease_pick_batch(s, station, mode=PickMode.CLUSTER, max_orders=20, totes=20, lease_seconds=600)
            batch_s.append(time.perf_counter() - t0)
            stops = len(plan.stops)
            queue.release(s, station, plan.lease.id)
    return batch_s, lease_s, stops


def run() -> list[Row]:
    factory, station_id = _hub()
    cluster, single, lines = walking(factory, station_id)
    batch_s, lease_s, stops = building(factory, station_id)
    b50, l50 = percentile(batch_s, 50), percentile(lease_s, 50)
    return [
        Row(
            "picking: walking per line, cluster of 8 orders (demo layout)",
            f"{cluster:.1f} m per line ({cluster / single:.2f} of one by one, {1 - cluster / single:.0%} less walking)",
            baseline=f"the same orders one by one in order-line order: {single:.1f} m per line ({lines} lines)",
            target="less walking than one by one (the literature reports ~35-50 % less)",
            met=cluster < single,
            note="aisles 3 m apart, bays 1.2 m, cross-aisles front and back, depot at the front of aisle A",
        ),
        Row(
            "picking: building a 20-order cluster batch (SQLite)",
            f"median {ms(b50)}, p95 {ms(percentile(batch_s, 95))} ({stops} stops), {b50 / l50:.1f}x the plain lease",
            baseline=f"plain queue lease of 20 orders, same run: median {ms(l50)}",
            target="no target set; figure for capacity planning",
            note=f"{TRIES} tries each, demo data (220 orders, 312 bins), leases released between tries",
        ),
    ]


if __name__ == "__main__":
    from tests.benchmarks.run import table

    print(table(run()))
