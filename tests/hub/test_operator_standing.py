"""Events made under a badge that is no longer an active operator are applied and flagged for a supervisor;
an admin's role change or deactivation is what a bench back online reads (``/operators/standing``).
Both stores (the ``hub`` fixture runs on SQLite and PostgreSQL)."""

from __future__ import annotations

from sqlalchemy import func, select

from app.domain.operators import BENCH_SCREENS, Role
from app.hub import models as m
from app.hub.operator_models import OperatorEventFlag
from tests.hub.conftest import Hub
from tests.hub.test_queue_and_events import packed_event, post


def packed_by(hub: Hub, number: str) -> int | None:
    with hub.factory() as s:
        return s.scalar(select(m.Order.packed_operator_id).where(m.Order.number == number))


def operator_id(hub: Hub, badge: str) -> int:
    with hub.factory() as s:
        found = s.scalar(select(m.Operator.id).where(m.Operator.badge == badge))
    assert found is not None
    return found


def test_events_of_a_deactivated_operator_are_applied_credited_and_flagged_once(hub: Hub) -> None:
    station = hub.scene(orders=3)
    hub.operator(station, "PK-7", "packer")
    hub.operator(station, "PK-8", "packer")
    numbers = [o["number"] for o in hub.lease(station)["orders"]]
    hub.ok("PATCH", "/api/v1/admin/operators/PK-7", json={"active": False})
    batch = [packed_event(numbers[0], badge="PK-7"), packed_event(numbers[1], badge="PK-8")]
    batch.append(packed_event(numbers[2], badge="PK-GONE"))
    assert [r["status"] for r in post(hub, station, batch)] == ["applied", "applied", "applied"]
    assert [r["status"] for r in post(hub, station, batch)] == ["duplicate"] * 3  # the resend flags nothing more
    assert packed_by(hub, numbers[0]) == operator_id(hub, "PK-7")  # the work is theirs
    flags = hub.ok("GET", "/api/v1/admin/operator-flags")
    got = sorted((f["subject"], f["operator_badge"], f["reason"], f["station"], f["type"]) for f in flags)
    assert got == sorted(
        [
            (numbers[0], "PK-7", "inactive", "BENCH-1", "order_packed"),
            (numbers[2], "PK-GONE", "unknown_badge", "BENCH-1", "order_packed"),
        ]
    )
    with hub.factory() as s:
        assert s.scalar(select(func.count()).select_from(OperatorEventFlag)) == 2
    shift = hub.ok("GET", "/api/v1/reports/shift")  # where supervisors look
    assert sorted(f["subject"] for f in shift["operator_flags"]) == sorted([numbers[0], numbers[2]])


def test_a_supervisor_may_read_the_flags_and_a_packer_may_not(hub: Hub) -> None:
    station = hub.scene(orders=1)
    supervisor = hub.operator(station, "SV-7", "supervisor")
    packer = hub.operator(station, "PK-7", "packer")
    assert hub.client.get("/api/v1/admin/operator-flags", headers=supervisor).status_code == 200
    r = hub.client.get("/api/v1/admin/operator-flags", headers=packer)
    assert r.status_code == 403 and "error" in r.json()


def test_deactivating_an_operator_ends_their_sessions_and_the_bench_reads_it_from_the_standing(hub: Hub) -> None:
    station = hub.scene(orders=0)
    packer = hub.operator(station, "PK-7", "packer")
    hub.operator(station, "RC-7", "receiver")
    assert hub.client.get("/api/v1/whoami", headers=packer).status_code == 200
    hub.ok("PATCH", "/api/v1/admin/operators/PK-7", json={"active": False})
    hub.ok("PATCH", "/api/v1/admin/operators/RC-7", json={"role": "supervisor"})
    assert hub.client.get("/api/v1/whoami", headers=packer).status_code == 401
    body = {"badges": ["PK-7", "RC-7", "NOBODY"]}
    answer = hub.ok("POST", "/api/v1/operators/standing", headers=station, json=body)
    assert answer == [
        {"badge": "PK-7", "active": False, "role": None, "screens": []},
        {"badge": "RC-7", "active": True, "role": "supervisor", "screens": list(BENCH_SCREENS[Role.SUPERVISOR])},
        {"badge": "NOBODY", "active": False, "role": None, "screens": []},
    ]


def test_operator_changes_refuse_bad_input_and_unknown_badges_with_an_error(hub: Hub) -> None:
    station = hub.scene(orders=0)
    r = hub.client.patch("/api/v1/admin/operators/NOBODY", headers=hub.admin, json={"active": False})
    assert r.status_code == 404 and "error" in r.json()
    r = hub.client.patch("/api/v1/admin/operators/ADM-1", headers=hub.admin, json={"role": "pilot"})
    assert r.status_code == 422 and "error" in r.json()
    r = hub.client.post("/api/v1/operators/standing", headers=station, json={"badges": []})
    assert r.status_code == 422 and "error" in r.json()
    r = hub.client.post("/api/v1/operators/standing", headers=hub.admin, json={"badges": ["ADM-1"]})
    assert r.status_code == 403  # a bench's call
