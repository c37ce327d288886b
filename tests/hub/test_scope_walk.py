"""Location scope, walked over the whole OpenAPI document: every route says what it is scoped by
(``x-scope``), and every scoped route refuses location B's station, packer and receiver when the call
names location A's order, parcel, lease, stock or return — with nothing changed in the store. A new
route is walked as soon as it exists; one without ``x-scope`` fails here."""

from __future__ import annotations

import re

from app.hub.services.scope import Scope
from tests.hub.conftest import Hub
from tests.hub.scope_scene import request, routes, snapshot, two_locations

# Path and query parameters that name a location-bound object: a route that has one is scoped.
SCOPED_PARAMS = {"number", "lease_id", "parcel_no", "location"}
REFUSED = (403, 404)


def params_of(path: str, op: dict[str, object]) -> set[str]:
    names = set(re.findall(r"\{([^}]+)\}", path))
    names |= {str(p["name"]) for p in op.get("parameters", []) if isinstance(p, dict)}  # type: ignore[attr-defined]
    return names


def test_every_route_declares_its_location_scope_and_names_no_object_unless_scoped(hub: Hub) -> None:
    found = routes(hub)
    assert len(found) >= 30
    kinds = {s.value for s in Scope}
    undeclared = [(m, p) for p, m, op in found if op.get("x-scope") not in kinds]
    assert undeclared == []
    unscoped_naming = [(m, p) for p, m, op in found if op["x-scope"] == "none" and params_of(p, op) & SCOPED_PARAMS]
    assert unscoped_naming == []
    assert {p for p, _m, op in found if op["x-scope"] == "station"} == {
        "/api/v1/queue/leases",
        "/api/v1/picks/batches",
        "/api/v1/totes/{code}/claim",
    }


def test_location_b_is_refused_on_every_scoped_route_naming_location_a_and_nothing_changes(hub: Hub) -> None:
    scene = two_locations(hub)
    values = scene.values()
    walked = 0
    for path, method, op in routes(hub):
        kind = op["x-scope"]
        if kind in ("none", "event", "station"):  # events: test_scope_events.py; station: below
            continue
        url, kw = request(hub, method, path, op, values)
        for who, headers in scene.outsiders().items():
            before = snapshot(hub)
            r = hub.client.request(method.upper(), url, headers=headers, **kw)
            assert r.status_code in REFUSED, (who, method, path, r.status_code, r.text)
            assert "error" in r.json(), (who, method, path)
            assert snapshot(hub) == before, (who, method, path)
            walked += 1
    assert walked >= 3 * 15
    assert scene.courier.calls == 0  # the label call was refused before any carrier was asked


def test_the_walk_is_not_vacuous_location_a_is_admitted_on_the_same_calls(hub: Hub) -> None:
    scene = two_locations(hub)
    values = scene.values()
    admitted = []
    for path, method, op in routes(hub):
        if op["x-scope"] in ("none", "event", "station") or "station" not in op["x-roles"]:
            continue
        url, kw = request(hub, method, path, op, values)
        r = hub.client.request(method.upper(), url, headers=scene.station_a, **kw)
        assert r.status_code not in (401, *REFUSED), (method, path, r.text)
        admitted.append((method, path))
    assert ("post", "/api/v1/orders/{number}/parcels/{parcel_no}/label") in admitted
    assert ("get", "/api/v1/stock") in admitted
    assert scene.courier.calls > 0


def test_a_station_of_b_reads_only_its_own_stock_and_is_refused_location_a(hub: Hub) -> None:
    scene = two_locations(hub)
    r = hub.client.get("/api/v1/stock", headers=scene.station_b, params={"location": "WH1"})
    assert r.status_code == 403 and "not at this station's location (WH2)" in r.json()["error"]
    own = hub.ok("GET", "/api/v1/stock", headers=scene.station_b)
    assert {row["location"] for row in own} == {"WH2"}
    wide = hub.ok("GET", "/api/v1/stock", params={"location": "WH1"})  # the admin keeps the wide view
    assert {row["location"] for row in wide} == {"WH1"}


def test_a_label_for_location_a_is_refused_to_b_before_any_carrier_call(hub: Hub) -> None:
    scene = two_locations(hub)
    before = snapshot(hub)
    for who, headers in scene.outsiders().items():
        if who == "receiver at B":
            continue
        r = hub.client.post(f"/api/v1/orders/{scene.packed}/parcels/1/label", headers=headers)
        assert r.status_code == 403, (who, r.text)
        assert f"order {scene.packed} is not at this station's location" in r.json()["error"]
    assert scene.courier.calls == 0
    assert snapshot(hub) == before
    own = hub.client.post(f"/api/v1/orders/{scene.packed}/parcels/1/label", headers=scene.station_a)
    assert own.status_code == 200, own.text


def test_leasing_at_b_never_touches_location_a(hub: Hub) -> None:
    scene = two_locations(hub)
    before = snapshot(hub, skip=frozenset({"leases"}))
    for headers in (scene.station_b, scene.packer_b):
        lease = hub.lease(headers)
        assert lease["location"] == "WH2" and lease["orders"] == []
    assert snapshot(hub, skip=frozenset({"leases"})) == before


def test_a_supervisor_signed_in_at_b_keeps_the_wide_view(hub: Hub) -> None:
    scene = two_locations(hub)
    supervisor = hub.operator(scene.station_b, "SV-B", "supervisor")
    assert hub.ok("GET", f"/api/v1/orders/{scene.packed}", headers=supervisor)["location"] == "WH1"
    rows = hub.ok("GET", "/api/v1/stock", headers=supervisor, params={"location": "WH1"})
    assert {row["location"] for row in rows} == {"WH1"}
    found = hub.ok("GET", "/api/v1/returns/lookup", headers=supervisor, params={"code": scene.rma})
    assert [r["number"] for r in found] == [scene.rma]


def test_returns_of_location_a_are_not_found_from_b(hub: Hub) -> None:
    scene = two_locations(hub)
    for code in (scene.rma, scene.shipped, "1Z-A-SHIPPED"):
        r = hub.client.get("/api/v1/returns/lookup", headers=scene.station_b, params={"code": code})
        assert r.status_code == 404, code
        assert hub.ok("GET", "/api/v1/returns/lookup", headers=scene.station_a, params={"code": code})
