"""Every route in the OpenAPI document is tried: no token → 401, wrong token → 401, wrong role → 403."""

from __future__ import annotations

import re
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text

from app.domain.operators import Role
from app.hub import models as m
from app.hub import security
from app.hub.app import create_app
from app.hub.database import make_engine, migrate
from app.hub.services import signin
from app.hub.services.clock import now
from app.hub.services.errors import HubError
from app.hub.services.principals import Principal, PrincipalCache
from app.hub.signin_models import SignInFailure
from tests.hub.conftest import Hub

PUBLIC = {
    ("/health", "get"),
    ("/api/v1/enrol", "post"),
    # webhooks: authenticated by their signatures, not by a token
    ("/api/v1/channels/shopify/webhooks", "post"),
    ("/api/v1/channels/woocommerce/webhooks", "post"),
    ("/api/v1/channels/easypost/webhooks", "post"),
}


@pytest.fixture(scope="module")
def sqlite_hub(tmp_path_factory: pytest.TempPathFactory) -> Any:
    url = f"sqlite:///{tmp_path_factory.mktemp('sec') / 'hub.sqlite'}"
    migrate(url)
    engine = make_engine(url)
    with TestClient(create_app(engine)) as client:
        hub = Hub(client, engine)
        station = hub.scene(orders=1)
        yield hub, station
    engine.dispose()


def routes(client: TestClient) -> list[tuple[str, str, list[str]]]:
    doc = client.get("/openapi.json").json()
    out = []
    for path, item in doc["paths"].items():
        for method, op in item.items():
            out.append((path, method, op.get("x-roles", [])))
    return out


def call(client: TestClient, method: str, path: str, headers: dict[str, str]) -> int:
    concrete = re.sub(r"\{[^}]+\}", "x", path)
    return client.request(method.upper(), concrete, headers=headers, json={}).status_code


def test_every_route_declares_who_may_call_it(sqlite_hub: Any) -> None:
    hub, _ = sqlite_hub
    found = routes(hub.client)
    assert len(found) >= 25
    undeclared = [(p, m) for p, m, roles in found if not roles]
    assert undeclared == []
    public = {(p, m) for p, m, roles in found if roles == ["public"]}
    assert public == PUBLIC


def test_every_non_public_route_refuses_a_missing_or_wrong_token(sqlite_hub: Any) -> None:
    hub, _ = sqlite_hub
    for path, method, roles in routes(hub.client):
        if roles == ["public"]:
            continue
        assert call(hub.client, method, path, {}) == 401, (method, path)
        assert call(hub.client, method, path, {"Authorization": "Bearer forged"}) == 401, (method, path)
        assert call(hub.client, method, path, {"Authorization": "Basic YTpi"}) == 401, (method, path)


def test_a_packer_is_refused_on_every_route_not_open_to_packers(sqlite_hub: Any) -> None:
    hub, station = sqlite_hub
    packer = hub.operator(station, "PK-SEC", "packer")
    closed = [(p, m) for p, m, roles in routes(hub.client) if roles != ["public"] and "packer" not in roles]
    assert ("/api/v1/reports/shift", "get") in closed
    for path, method in closed:
        assert call(hub.client, method, path, packer) == 403, (method, path)


def test_a_station_token_cannot_reach_supervisor_or_admin_routes(sqlite_hub: Any) -> None:
    hub, station = sqlite_hub
    closed = [(p, m) for p, m, roles in routes(hub.client) if roles != ["public"] and "station" not in roles]
    assert ("/api/v1/orders", "post") in closed
    for path, method in closed:
        assert call(hub.client, method, path, station) == 403, (method, path)


def test_enrolment_code_works_once_only(sqlite_hub: Any) -> None:
    hub, _ = sqlite_hub
    code = hub.ok("POST", "/api/v1/admin/enrolment-codes", json={"station_name": "ONCE", "location": "WH1"})["code"]
    assert hub.client.post("/api/v1/enrol", json={"code": code.lower()}).status_code == 200
    again = hub.client.post("/api/v1/enrol", json={"code": code})
    assert again.status_code == 401 and "ask an admin" in again.json()["error"]


def test_wrong_pin_is_refused_and_pins_are_not_stored_in_clear(sqlite_hub: Any) -> None:
    hub, station = sqlite_hub
    hub.ok("POST", "/api/v1/admin/operators", json={"name": "P", "badge": "PK-PIN", "pin": "4321", "role": "packer"})
    r = hub.client.post("/api/v1/sessions", headers=station, json={"badge": "PK-PIN", "pin": "1111"})
    assert r.status_code == 401
    with hub.factory() as s:
        stored = s.scalar(select(m.Operator.pin_hash).where(m.Operator.badge == "PK-PIN"))
    assert stored is not None and "4321" not in stored and stored.startswith("$argon2id$")


def test_operators_sign_in_only_through_an_enrolled_station(sqlite_hub: Any) -> None:
    hub, _ = sqlite_hub
    r = hub.client.post("/api/v1/sessions", headers=hub.admin, json={"badge": "ADM-1", "pin": "9999"})
    assert r.status_code == 403


# ---------------------------------------------------------------- sign-in throttling


def sign_in(hub: Hub, station: dict[str, str], badge: str, pin: str) -> Any:
    return hub.client.post("/api/v1/sessions", headers=station, json={"badge": badge, "pin": pin})


def add_operator(hub: Hub, badge: str, pin: str = "1234", role: str = "packer") -> None:
    hub.ok("POST", "/api/v1/admin/operators", json={"name": badge, "badge": badge, "pin": pin, "role": role})


def later(monkeypatch: pytest.MonkeyPatch, seconds: float) -> None:
    """The sign-in clock moves ``seconds`` ahead."""
    moved = now() + timedelta(seconds=seconds)
    monkeypatch.setattr(signin, "now", lambda: moved)


def test_five_wrong_pins_lock_the_badge_for_five_minutes_even_against_the_right_pin(hub: Hub) -> None:
    station = hub.scene(orders=0)
    add_operator(hub, "PK-L")
    add_operator(hub, "PK-OTHER")
    for _ in range(5):
        assert sign_in(hub, station, "PK-L", "0000").status_code == 401
    r = sign_in(hub, station, "PK-L", "1234")
    assert r.status_code == 429
    assert "badge PK-L is locked" in r.json()["error"]
    assert 290 <= r.json()["retry_after_s"] <= 300 and r.headers["Retry-After"] == str(r.json()["retry_after_s"])
    assert sign_in(hub, station, "PK-OTHER", "1234").status_code == 200  # only that badge is locked
    seen = hub.ok("GET", "/api/v1/admin/sign-ins")
    assert [(x["kind"], x["subject"]) for x in seen["locked"]] == [("badge", "PK-L")]
    assert [f["reason"] for f in seen["failures"]] == ["wrong_pin"] * 5
    assert "badge PK-L until" in seen["failures"][0]["locked"] and seen["failures"][0]["station"] == "BENCH-1"


def test_the_badge_unlocks_after_the_lockout_and_the_next_lockout_lasts_twice_as_long(
    hub: Hub, monkeypatch: pytest.MonkeyPatch
) -> None:
    station = hub.scene(orders=0)
    add_operator(hub, "PK-L")
    for _ in range(5):
        sign_in(hub, station, "PK-L", "0000")
    later(monkeypatch, 299)
    assert sign_in(hub, station, "PK-L", "1234").status_code == 429
    later(monkeypatch, 301)
    for _ in range(4):  # the failures before the lockout no longer count
        assert sign_in(hub, station, "PK-L", "0000").status_code == 401
    assert sign_in(hub, station, "PK-L", "0000").status_code == 401
    r = sign_in(hub, station, "PK-L", "1234")
    assert r.status_code == 429 and 590 <= r.json()["retry_after_s"] <= 600  # 5 min, then 10 min
    later(monkeypatch, 301 + 601)
    assert sign_in(hub, station, "PK-L", "1234").status_code == 200


def test_wrong_pins_for_many_badges_lock_sign_in_at_that_station_only(hub: Hub) -> None:
    station = hub.scene(orders=0)
    other = hub.station("BENCH-2", "WH1")
    add_operator(hub, "PK-OK")
    for i in range(10):
        assert sign_in(hub, station, f"GUESS-{i}", "0000").status_code == 401
    r = sign_in(hub, station, "PK-OK", "1234")
    assert r.status_code == 429 and "sign-in at BENCH-1 is locked" in r.json()["error"]
    assert sign_in(hub, other, "PK-OK", "1234").status_code == 200
    seen = hub.ok("GET", "/api/v1/admin/sign-ins")
    assert ("station", "BENCH-1") in {(x["kind"], x["subject"]) for x in seen["locked"]}
    assert {f["reason"] for f in seen["failures"]} == {"unknown_badge"}


def test_the_sign_in_log_is_for_supervisors_only(hub: Hub) -> None:
    station = hub.scene(orders=0)
    packer = hub.operator(station, "PK-1", "packer")
    supervisor = hub.operator(station, "SV-1", "supervisor")
    assert hub.client.get("/api/v1/admin/sign-ins", headers=packer).status_code == 403
    assert hub.client.get("/api/v1/admin/sign-ins", headers=station).status_code == 403
    assert hub.client.get("/api/v1/admin/sign-ins", headers=supervisor).status_code == 200


def test_an_unknown_badge_or_inactive_operator_costs_the_same_argon2_check(
    hub: Hub, monkeypatch: pytest.MonkeyPatch
) -> None:
    station = hub.scene(orders=0)
    add_operator(hub, "PK-REAL")
    with hub.factory() as s, s.begin():
        s.add(m.Operator(name="Gone", badge="PK-GONE", pin_hash=security.hash_pin("1234"), role="packer", active=False))
        real_hash = s.scalar(select(m.Operator.pin_hash).where(m.Operator.badge == "PK-REAL"))
    checked: list[str] = []
    verify = security.verify_pin
    monkeypatch.setattr(security, "verify_pin", lambda h, p: checked.append(h) or verify(h, p))
    assert sign_in(hub, station, "NOBODY", "1234").status_code == 401
    assert sign_in(hub, station, "PK-GONE", "1234").status_code == 401
    assert sign_in(hub, station, "PK-REAL", "9876").status_code == 401
    assert checked == [security.dummy_pin_hash(), security.dummy_pin_hash(), real_hash]
    assert security.dummy_pin_hash().startswith("$argon2id$")


def test_the_pin_is_verified_while_no_transaction_is_open(hub: Hub, monkeypatch: pytest.MonkeyPatch) -> None:
    station = hub.scene(orders=0)
    add_operator(hub, "PK-T")
    held: list[int] = []
    verify = security.verify_pin

    def spy(pin_hash: str, pin: str) -> bool:
        held.append(open_transactions(hub))
        return verify(pin_hash, pin)

    monkeypatch.setattr(security, "verify_pin", spy)
    assert sign_in(hub, station, "PK-T", "0000").status_code == 401
    assert sign_in(hub, station, "PK-T", "1234").status_code == 200
    assert held == [0, 0]


def open_transactions(hub: Hub) -> int:
    """Transactions other connections hold open right now (SQLite: is the write lock free?)."""
    url = hub.engine.url
    if url.get_backend_name() == "sqlite":
        probe = sqlite3.connect(str(url.database), timeout=0, isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.execute("ROLLBACK")
            return 0
        except sqlite3.OperationalError:
            return 1
        finally:
            probe.close()
    with hub.engine.connect() as conn:
        n = conn.execute(
            text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND state LIKE 'idle in transaction%' AND pid <> pg_backend_pid()"
            )
        ).scalar_one()
        return int(n)


def test_a_parallel_burst_of_guesses_gets_no_more_tries_than_the_limit(hub: Hub) -> None:
    station = hub.scene(orders=0)
    add_operator(hub, "PK-B")
    principal = Principal(role=Role.STATION, station_id=1, station_name="BENCH-1", location_id=1, location_code="WH1")
    policy = signin.SignInPolicy()
    pins = [f"{i:04d}" for i in range(20)] + ["1234"]

    def guess(pin: str) -> int:
        try:
            signin.sign_in(hub.factory, policy, badge="PK-B", pin=pin, station=principal)
        except HubError as exc:
            return exc.status
        return 200

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(guess, pins))
    assert set(answers) <= {401, 429} and answers[-1] == 429  # the right PIN comes too late
    with hub.factory() as s:
        recorded = s.scalar(select(func.count(SignInFailure.id)).where(SignInFailure.badge == "PK-B"))
    assert recorded == policy.badge_limit
    assert station  # the station token exists; the burst went through the service directly


# ---------------------------------------------------------------- revocation


def test_revoking_a_station_ends_its_token_every_session_at_it_and_frees_its_orders(hub: Hub) -> None:
    station = hub.scene(orders=2)
    other = hub.station("BENCH-2", "WH1")
    packer = hub.operator(station, "PK-1", "packer")
    packer_elsewhere = hub.operator(other, "PK-2", "packer")
    assert len(hub.lease(station)["orders"]) == 2
    assert hub.client.get("/api/v1/whoami", headers=packer).status_code == 200  # authentication is cached now
    answer = hub.ok("POST", "/api/v1/stations/BENCH-1/revoke")
    assert answer == {"station": "BENCH-1", "sessions_ended": 1, "orders_released": 2}
    for headers in (station, packer):
        assert hub.client.get("/api/v1/whoami", headers=headers).status_code == 401
    for headers in (other, packer_elsewhere):
        assert hub.client.get("/api/v1/whoami", headers=headers).status_code == 200
    assert len(hub.lease(other)["orders"]) == 2  # the revoked station's orders are back in the queue
    listed = {s["name"]: s for s in hub.ok("GET", "/api/v1/admin/stations")}
    assert listed["BENCH-1"]["enrolled"] is False and listed["BENCH-2"]["operator_sessions"] == 1
    again = hub.station("BENCH-1", "WH1")  # a new code brings it back
    assert hub.ok("GET", "/api/v1/whoami", headers=again)["station"] == "BENCH-1"


def test_revoking_is_for_admins_and_an_unknown_station_is_404(hub: Hub) -> None:
    station = hub.scene(orders=0)
    supervisor = hub.operator(station, "SV-1", "supervisor")
    assert hub.client.post("/api/v1/stations/BENCH-1/revoke", headers=supervisor).status_code == 403
    r = hub.client.post("/api/v1/stations/NOPE/revoke", headers=hub.admin)
    assert r.status_code == 404 and "unknown station" in r.json()["error"]
    assert hub.client.get("/api/v1/whoami", headers=station).status_code == 200


def test_re_enrolling_a_station_ends_the_old_token_and_the_sessions_signed_in_under_it(hub: Hub) -> None:
    old = hub.scene(orders=0)
    packer = hub.operator(old, "PK-1", "packer")
    assert hub.client.get("/api/v1/whoami", headers=packer).status_code == 200
    new = hub.station("BENCH-1", "WH1")
    assert hub.client.get("/api/v1/whoami", headers=old).status_code == 401
    assert hub.client.get("/api/v1/whoami", headers=packer).status_code == 401
    assert hub.ok("GET", "/api/v1/whoami", headers=new)["station"] == "BENCH-1"


def test_signing_out_is_refused_at_once_although_authentication_is_cached(hub: Hub) -> None:
    station = hub.scene(orders=0)
    packer = hub.operator(station, "PK-1", "packer")
    assert hub.client.get("/api/v1/whoami", headers=packer).status_code == 200
    assert len(hub.client.app.state.principals) >= 1  # type: ignore[union-attr]
    assert hub.client.delete("/api/v1/sessions/current", headers=packer).status_code == 204
    assert hub.client.get("/api/v1/whoami", headers=packer).status_code == 401


def test_the_principal_cache_expires_and_never_keeps_a_read_older_than_a_revocation() -> None:
    clock = [0.0]
    cache = PrincipalCache(ttl=15, clock=lambda: clock[0])
    p = Principal(role=Role.STATION, station_id=1)
    cache.put("t1", p, cache.generation(), None)
    assert cache.get("t1") == p
    clock[0] = 15.1
    assert cache.get("t1") is None
    read_started = cache.generation()
    cache.forget_all()  # a revocation commits while that read is in flight
    cache.put("t1", p, read_started, None)
    assert cache.get("t1") is None
    cache.put("t2", p, cache.generation(), now() - timedelta(seconds=1))  # the session has expired
    assert cache.get("t2") is None
