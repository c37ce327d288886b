"""Input that used to pass validation and then fail in the store (5xx) is refused with 4xx and ``error``.

Each case from the fuzzing report, on SQLite and PostgreSQL (PostgreSQL refuses NUL in text and
overflows INTEGER/BIGINT columns; SQLite does neither, so only both together prove the rule).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

import pytest
from sqlalchemy import func, select

from app.hub import models as m
from app.hub.services.shipping import ShippingConfig
from tests.carriers.conftest import make_courier
from tests.hub.conftest import Hub

ORDER = {
    "channel": "web",
    "channel_order_id": "edge-1",
    "lines": [{"sku": "A", "quantity": 1, "unit_price_minor": 1000}],
    "ship_to": {"name": "Ada", "line1": "1 Main St", "city": "Leeds", "postcode": "LS1 1AA", "country": "GB"},
}


def order_with(**changes: Any) -> dict[str, Any]:
    body = json.loads(json.dumps(ORDER))
    for key, value in changes.items():
        if key == "unit_price_minor":
            body["lines"][0][key] = value
        else:
            body[key] = value
    return body


def stored(hub: Hub) -> tuple[int, int, int]:
    with hub.factory() as s:
        return (
            int(s.scalar(select(func.count()).select_from(m.Order)) or 0),
            int(s.scalar(select(func.count()).select_from(m.Location)) or 0),
            int(s.scalar(select(func.count()).select_from(m.EnrolmentCode)) or 0),
        )


def refused(r: Any, status: int = 422) -> str:
    assert r.status_code == status, r.text
    body = r.json()
    assert "detail" not in body and body["error"], body
    return str(body["error"])


@pytest.fixture
def scene(hub: Hub) -> Hub:
    hub.location("WH1")
    hub.product("A")
    hub.stock("WH1", "A", 10)
    return hub


BAD_CALLS = [
    ("POST", "/api/v1/orders", {"json": order_with(channel="we\x00b")}, "NUL"),
    ("GET", "/api/v1/orders", {"params": {"q": "a\x00b"}}, "NUL"),
    ("GET", "/api/v1/orders", {"params": {"channel": "\x00"}}, "NUL"),
    ("GET", "/api/v1/stock", {"params": {"sku": "A\x00"}}, "NUL"),
    ("GET", "/api/v1/orders/PB%000001", {}, "NUL"),
    ("POST", "/api/v1/admin/enrolment-codes", {"json": {"station_name": "B\x00", "location": "WH1"}}, "NUL"),
    ("POST", "/api/v1/admin/enrolment-codes", {"json": {"station_name": "B" * 101, "location": "WH1"}}, "100"),
    ("GET", "/api/v1/orders", {"params": {"offset": str(2**64)}}, "offset"),
    ("GET", "/api/v1/products", {"params": {"offset": str(2**40)}}, "offset"),
    ("POST", "/api/v1/locations", {"json": {"code": "W2", "name": "W2", "daily_capacity": 2**64}}, "daily_capacity"),
    ("POST", "/api/v1/locations", {"json": {"code": "W2", "name": "W2", "daily_capacity": 2**31}}, "daily_capacity"),
    ("POST", "/api/v1/orders", {"json": order_with(unit_price_minor=2**62)}, "unit_price_minor"),
    ("POST", "/api/v1/orders", {"json": order_with(ship_by="0001-01-01T00:00:00+01:00")}, "range"),
    ("GET", "/api/v1/reports/shift", {"params": {"since": "0001-01-01T00:00:00+01:00"}}, "range"),
    ("GET", "/api/v1/reports/shift", {"params": {"until": "yesterday"}}, "until"),
]


def test_input_the_store_would_refuse_is_a_422_with_an_error_and_changes_nothing(scene: Hub) -> None:
    before = stored(scene)
    wrong = []
    for method, path, kw, says in BAD_CALLS:
        r = scene.client.request(method, path, headers=scene.admin, **kw)
        body = r.json()
        if r.status_code != 422 or "detail" in body or says not in str(body.get("error")):
            wrong.append((method, path, r.status_code, r.text[:300]))
    assert wrong == []
    assert stored(scene) == before


def test_a_time_without_a_zone_is_taken_as_utc(scene: Hub) -> None:
    created = scene.ok("POST", "/api/v1/orders", json=order_with(ship_by="2026-12-05T10:00:00"))
    assert created["ship_by"].startswith("2026-12-05T10:00:00") and created["ship_by"].endswith(("Z", "+00:00"))
    report = scene.ok("GET", "/api/v1/reports/shift", params={"since": "2026-12-01T08:00:00"})
    assert report["since"] == "2026-12-01T08:00:00+00:00"


def test_refusals_from_the_framework_itself_carry_error_not_detail(scene: Hub) -> None:
    headers = {**scene.admin, "content-type": "application/json"}
    assert "JSON" in refused(scene.client.post("/api/v1/orders", headers=headers, content=b"{"))
    refused(scene.client.get("/api/v1/no-such-route", headers=scene.admin), 404)
    refused(scene.client.delete("/api/v1/orders", headers=scene.admin), 405)
    refused(scene.client.post("/api/v1/orders", headers=headers, content=b"[" * 1_100_000), 413)


def test_a_signed_easypost_tracker_with_a_time_that_is_not_a_time_is_refused(scene: Hub) -> None:
    scene.client.app.state.shipping = ShippingConfig(  # type: ignore[union-attr]
        carriers=[make_courier()], webhook_secrets={"easypost": "ep-secret"}
    )
    bad_results: list[Any] = [
        {"tracking_code": "LC1", "status": "delivered", "updated_at": "yesterday"},
        {"tracking_code": "LC1", "status": "delivered", "tracking_details": [{"datetime": "0001-01-01T00:00+01:00"}]},
        {"tracking_code": "LC1", "status": "delivered", "tracking_details": {"not": "a list"}},
        ["not", "an", "object"],
        {"tracking_code": "LC\x001", "status": "delivered"},
    ]
    for result in bad_results:
        body = json.dumps({"object": "Event", "description": "tracker.updated", "result": result}).encode()
        sig = "hmac-sha256-hex=" + hmac.new(b"ep-secret", body, hashlib.sha256).hexdigest()
        r = scene.client.post("/api/v1/channels/easypost/webhooks", content=body, headers={"X-Hmac-Signature": sig})
        refused(r)


def test_every_route_declares_the_refusals_it_can_answer(scene: Hub) -> None:
    doc = scene.client.get("/openapi.json").json()
    for path, item in doc["paths"].items():
        for method, op in item.items():
            declared = set(op["responses"])
            assert {"404", "413", "422"} <= declared, (method, path, declared)
            assert "401" in declared, (method, path)
            if "public" not in op.get("x-roles", []):
                assert "403" in declared, (method, path)
            assert op["responses"]["422"]["content"]["application/json"]["schema"] == {
                "$ref": "#/components/schemas/ErrorOut"
            }


def _unbounded(schema: dict[str, Any], *, strings: bool = True) -> list[str]:
    """What in ``schema`` (one property or parameter, any of its alternatives) has no upper bound."""
    out = []
    for alt in schema.get("anyOf", [schema]):
        kind = alt.get("type")
        if kind == "integer" and {"enum", "const"} & set(alt):
            continue  # a closed set of values is bounded
        if kind == "integer" and not ("maximum" in alt and ("minimum" in alt or "exclusiveMinimum" in alt)):
            out.append("integer without both bounds")
        elif kind == "string" and strings and not {"maxLength", "enum", "format", "const"} & set(alt):
            out.append("string without maxLength")
        elif kind == "array" and "maxItems" not in alt:
            out.append("array without maxItems")
    return out


def _refs(node: Any) -> set[str]:
    if isinstance(node, dict):
        found = {node["$ref"].rsplit("/", 1)[-1]} if "$ref" in node else set()
        return found.union(*(_refs(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(_refs(v) for v in node))
    return set()


def test_every_integer_text_and_list_a_route_accepts_is_bounded(hub: Hub) -> None:
    """Walks the OpenAPI document, so a route added later is held to the same rule."""
    doc = hub.client.get("/openapi.json").json()
    models = doc["components"]["schemas"]
    problems = []
    todo = set()
    for path, item in doc["paths"].items():
        for method, op in item.items():
            todo |= _refs(op.get("requestBody", {}))
            for p in op.get("parameters", []):  # path strings are only looked up, never stored
                for why in _unbounded(p["schema"], strings=p["in"] != "path"):
                    problems.append(f"{method} {path} {p['in']} {p['name']}: {why}")
    seen: set[str] = set()
    while todo:
        name = todo.pop()
        seen.add(name)
        todo |= _refs(models[name]) - seen
        for prop, schema in models[name].get("properties", {}).items():
            problems += [f"{name}.{prop}: {why}" for why in _unbounded(schema)]
    assert "OrderIn" in seen and problems == []
