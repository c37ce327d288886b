"""Every route in the OpenAPI document is tried: no token → 401, wrong token → 401, wrong role → 403."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from app.hub import models as m
from app.hub.app import create_app
from app.hub.database import make_engine, migrate
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
