"""Poison events: every field a bench sends is checked against what the store holds before it is applied.

A value the database would refuse (too long for its column, out of an integer column's range, NaN, NUL,
a UUID in another spelling, a dict where a SKU belongs) is answered ``rejected`` with the field and the
reason; the good events of the same batch are applied; the hub never answers 5xx.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import fields
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import String, func, select
from sqlalchemy.exc import DataError

from app.domain import limits
from app.domain.events import EVENT_TYPES, Parcel
from app.domain.returns import ReceivedUnit
from app.hub import models as m
from app.hub.services import event_limits
from app.hub.services import events as event_service
from tests.hub.conftest import Hub

NOW = datetime.now(UTC).isoformat()
FRESH = "<fresh>"  # replaced by a new UUID at post time, so a replayed example never meets its own id


def post_raw(hub: Hub, station: dict[str, str], events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """POST the batch as JSON written by the standard library (NaN and Infinity as JavaScript tokens)."""
    r = hub.client.post(
        "/api/v1/events",
        headers={**station, "Content-Type": "application/json"},
        content=json.dumps({"events": events}).encode(),
    )
    assert r.status_code == 200, r.text
    results: list[dict[str, Any]] = r.json()["results"]
    return results


def fresh(event: dict[str, Any]) -> dict[str, Any]:
    event = json.loads(json.dumps(event))  # a deep copy (NaN survives the round trip)
    new = str(uuid.uuid4())
    eid = event.get("event_id")
    if eid == FRESH:
        event["event_id"] = new
    elif isinstance(eid, str) and FRESH in eid:
        event["event_id"] = eid.replace(FRESH, new)
    elif eid == "<FRESH-UPPER>":
        event["event_id"] = new.upper()
    elif eid == "<FRESH-HEX>":
        event["event_id"] = uuid.UUID(new).hex
    return event


def base_events(number: str) -> dict[str, dict[str, Any]]:
    """One well-formed event of each type (for ``number``); a mutation below makes each one bad."""
    common = {"event_id": FRESH, "occurred_at": NOW, "operator_badge": ""}
    return {
        "order_packed": {
            **common,
            "type": "order_packed",
            "payload": {
                "order_number": number,
                "parcels": [
                    {"parcel_no": 1, "carton_code": "BOX-M", "weight_g": 900, "expected_weight_g": 900, "items": {}}
                ],
                "weight_override_by": None,
                "pack_seconds": 12.5,
            },
        },
        "pack_exception": {
            **common,
            "type": "pack_exception",
            "payload": {"order_number": number, "kind": "wrong_item", "sku": "A", "quantity": 1, "detail": ""},
        },
        "label_printed": {
            **common,
            "type": "label_printed",
            "payload": {"order_number": number, "parcel_no": 1, "tracking_number": "1Z999", "carrier": "ups"},
        },
        "return_received": {
            **common,
            "type": "return_received",
            "payload": {
                "rma_number": "RMA0000001",
                "location_code": "WH1",
                "units": [{"sku": "A", "quantity": 1, "condition": "new", "disposition": "restock", "bin": "R-1"}],
            },
        },
        **pick_events(common, number),
    }


PICK_BATCH = "00000000-0000-4000-8000-000000000001"  # any well-formed id: the poison is refused before a lookup


def pick_events(common: dict[str, Any], number: str) -> dict[str, dict[str, Any]]:
    at_bin = {"batch_id": PICK_BATCH, "order_number": number, "bin": "A-01-01-1", "sku": "A", "quantity": 1}
    return {
        "tote_assigned": {
            **common,
            "type": "tote_assigned",
            "payload": {"batch_id": PICK_BATCH, "order_number": number, "tote": "TOTE-1", "slot": 1},
        },
        "pick_confirmed": {**common, "type": "pick_confirmed", "payload": {**at_bin, "tote": "TOTE-1"}},
        "pick_short": {**common, "type": "pick_short", "payload": {**at_bin, "reason": "bin_empty"}},
    }


NAN = float("nan")
# (event type, path into the event, a value the store cannot hold there)
POISON: list[tuple[str, tuple[Any, ...], Any]] = [
    ("pack_exception", ("event_id",), "{" + FRESH + "}"),
    ("pack_exception", ("event_id",), "urn:uuid:" + FRESH),
    ("pack_exception", ("event_id",), "<FRESH-UPPER>"),
    ("pack_exception", ("event_id",), "<FRESH-HEX>"),
    ("pack_exception", ("event_id",), 12345),
    ("pack_exception", ("operator_badge",), "B" * (limits.BADGE + 1)),
    ("pack_exception", ("operator_badge",), {"badge": "x"}),
    ("pack_exception", ("operator_badge",), "PK\x001"),
    ("pack_exception", ("occurred_at",), "yesterday"),
    ("pack_exception", ("occurred_at",), "0001-01-01T00:00:00+01:00"),
    ("pack_exception", ("payload", "sku"), {"sku": "A"}),
    ("pack_exception", ("payload", "sku"), "S" * (limits.SKU + 1)),
    ("pack_exception", ("payload", "sku"), "A\x00"),
    ("pack_exception", ("payload", "quantity"), 2**31),
    ("pack_exception", ("payload", "quantity"), 2**70),
    ("pack_exception", ("payload", "quantity"), -1),
    ("pack_exception", ("payload", "quantity"), "3"),
    ("pack_exception", ("payload", "quantity"), NAN),
    ("pack_exception", ("payload", "detail"), "d" * (limits.FREE_TEXT + 1)),
    ("pack_exception", ("payload", "detail"), "short\x00pick"),
    ("pack_exception", ("payload", "detail"), ["a list"]),
    ("pack_exception", ("payload", "order_number"), "N" * (limits.ORDER_NUMBER + 1)),
    ("pack_exception", ("payload", "order_number"), {"number": 1}),
    ("pack_exception", ("payload", "kind"), "teleported"),
    ("pack_exception", ("payload",), ["not", "an", "object"]),
    ("order_packed", ("payload", "parcels", 0, "weight_g"), 99_999_999_999_000_000),
    ("order_packed", ("payload", "parcels", 0, "weight_g"), limits.MAX_WEIGHT_G + 1),
    ("order_packed", ("payload", "parcels", 0, "weight_g"), 0),
    ("order_packed", ("payload", "parcels", 0, "weight_g"), NAN),
    ("order_packed", ("payload", "parcels", 0, "weight_g"), "900"),
    ("order_packed", ("payload", "parcels", 0, "weight_g"), True),
    ("order_packed", ("payload", "parcels", 0, "expected_weight_g"), -1),
    ("order_packed", ("payload", "parcels", 0, "parcel_no"), 2**31),
    ("order_packed", ("payload", "parcels", 0, "carton_code"), "C" * (limits.CARTON_CODE + 1)),
    ("order_packed", ("payload", "parcels", 0, "items"), {"A": 2**40}),
    ("order_packed", ("payload", "parcels", 0, "items"), {"A" * (limits.SKU + 1): 1}),
    ("order_packed", ("payload", "parcels", 0, "items"), {"A": "1"}),
    ("order_packed", ("payload", "parcels", 0, "items"), ["A"]),
    ("order_packed", ("payload", "pack_seconds"), NAN),
    ("order_packed", ("payload", "pack_seconds"), float("inf")),
    ("order_packed", ("payload", "pack_seconds"), "nan"),
    ("order_packed", ("payload", "weight_override_by"), "S" * (limits.BADGE + 1)),
    ("order_packed", ("payload", "weight_override_by"), {"badge": "SV-1"}),
    ("order_packed", ("payload", "parcels"), []),
    ("label_printed", ("payload", "tracking_number"), "T" * (limits.TRACKING_NUMBER + 1)),
    ("label_printed", ("payload", "carrier"), "c" * (limits.CARRIER + 1)),
    ("label_printed", ("payload", "parcel_no"), 2**63),
    ("return_received", ("payload", "units", 0, "bin"), "B" * (limits.BIN + 1)),
    ("return_received", ("payload", "units", 0, "quantity"), 2**33),
    ("return_received", ("payload", "units", 0, "sku"), {"sku": "A"}),
    ("return_received", ("payload", "rma_number"), "R" * (limits.RMA_NUMBER + 1)),
    ("return_received", ("payload", "location_code"), ["WH1"]),
    ("tote_assigned", ("payload", "tote"), "T" * 41),
    ("tote_assigned", ("payload", "tote"), "TOTE\x001"),
    ("tote_assigned", ("payload", "slot"), 51),
    ("tote_assigned", ("payload", "batch_id"), "b" * 37),
    ("pick_confirmed", ("payload", "quantity"), 2**31),
    ("pick_confirmed", ("payload", "quantity"), 0),
    ("pick_confirmed", ("payload", "bin"), "B" * (limits.BIN + 1)),
    ("pick_confirmed", ("payload", "sku"), {"sku": "A"}),
    ("pick_confirmed", ("payload", "order_number"), "N" * (limits.ORDER_NUMBER + 1)),
    ("pick_short", ("payload", "reason"), "eaten"),
    ("pick_short", ("payload", "quantity"), NAN),
]


def poisoned(number: str, kind: str, path: tuple[Any, ...], value: Any) -> dict[str, Any]:
    event = json.loads(json.dumps(base_events(number)[kind]))
    target = event
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    return event


SAFE_TEXT = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")


def good_events(number: str) -> st.SearchStrategy[dict[str, Any]]:
    """Pack exceptions that do not hold the order: any number of them apply, with any storable text."""
    return st.builds(
        lambda kind, sku, qty, detail, badge: {
            "event_id": FRESH,
            "type": "pack_exception",
            "occurred_at": NOW,
            "operator_badge": badge,
            "payload": {"order_number": number, "kind": kind, "sku": sku, "quantity": qty, "detail": detail},
        },
        st.sampled_from(["wrong_item", "over_scan", "unknown_code", "weight_mismatch"]),
        st.one_of(st.none(), st.text(SAFE_TEXT, max_size=limits.SKU)),
        st.integers(0, limits.MAX_QUANTITY),
        st.text(SAFE_TEXT, max_size=limits.FREE_TEXT),
        st.text(SAFE_TEXT, max_size=limits.BADGE),
    )


def bad_events(number: str) -> st.SearchStrategy[dict[str, Any]]:
    return st.sampled_from(POISON).map(lambda p: poisoned(number, *p))


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_poison_events_mixed_with_good_ones_are_each_rejected_and_the_good_ones_applied(
    hub: Hub, data: st.DataObject
) -> None:
    if not hasattr(hub, "poison_station"):
        hub.poison_station = hub.scene(orders=1)  # type: ignore[attr-defined]
        hub.poison_order = hub.ok("GET", "/api/v1/orders")["orders"][0]["number"]  # type: ignore[attr-defined]
    station, number = hub.poison_station, hub.poison_order  # type: ignore[attr-defined]
    marked = data.draw(
        st.lists(
            st.one_of(good_events(number).map(lambda e: (True, e)), bad_events(number).map(lambda e: (False, e))),
            min_size=1,
            max_size=12,
        )
    )
    batch = [fresh(e) for _good, e in marked]
    results = post_raw(hub, station, batch)
    assert len(results) == len(batch)
    for (good, event), result in zip(marked, results, strict=True):
        expected = "applied" if good else "rejected"
        assert result["status"] == expected, (event, result)
        if not good:
            assert result["reason"]
    good_ids = [e["event_id"] for (good, _), e in zip(marked, batch, strict=True) if good]
    bad_ids = [str(e["event_id"]) for (good, _), e in zip(marked, batch, strict=True) if not good]
    with hub.factory() as s:
        stored_good = s.scalar(
            select(func.count()).select_from(m.PackException).where(m.PackException.event_id.in_(good_ids))
        )
        assert stored_good == len(good_ids)
        stored_bad = s.scalar(
            select(func.count()).select_from(m.AppliedEvent).where(m.AppliedEvent.event_id.in_(bad_ids))
        )
        assert stored_bad == 0


def test_issue_examples_are_rejected_naming_the_field_and_the_events_behind_them_apply(hub: Hub) -> None:
    station = hub.scene(orders=1)
    number = hub.ok("GET", "/api/v1/orders")["orders"][0]["number"]
    eid = str(uuid.uuid4())
    batch = [
        poisoned(number, "return_received", ("payload", "units", 0, "bin"), "B" * 41),
        poisoned(number, "order_packed", ("payload", "parcels", 0, "weight_g"), 99_999_999_999_000_000),
        poisoned(number, "pack_exception", ("operator_badge",), "P" * 65),
        {**poisoned(number, "pack_exception", ("payload", "kind"), "wrong_item"), "event_id": "{" + eid + "}"},
        poisoned(number, "pack_exception", ("payload", "sku"), {"sku": "A"}),
        poisoned(number, "order_packed", ("payload", "pack_seconds"), "nan"),
        base_events(number)["pack_exception"],
    ]
    results = post_raw(hub, station, [fresh(e) for e in batch])
    assert [r["status"] for r in results] == ["rejected"] * 6 + ["applied"]
    reasons = [r["reason"] for r in results]
    assert "payload.units[0].bin" in reasons[0] and "41 characters" in reasons[0] and "at most 40" in reasons[0]
    assert "payload.parcels[0].weight_g" in reasons[1] and "1000000" in reasons[1]
    assert "operator_badge" in reasons[2] and "at most 64" in reasons[2]
    assert "canonical UUID" in reasons[3] and eid in reasons[3]
    assert results[3]["event_id"] == "{" + eid + "}"  # answered under the id it was sent with
    assert "payload.sku must be text" in reasons[4]
    assert "payload.pack_seconds must be a number" in reasons[5]


def test_an_unexpected_store_error_rejects_only_that_event(hub: Hub, monkeypatch: pytest.MonkeyPatch) -> None:
    station = hub.scene(orders=1)
    number = hub.ok("GET", "/api/v1/orders")["orders"][0]["number"]

    def refuse(*_a: object) -> None:
        raise DataError("UPDATE parcels ...", {}, Exception("value out of range"))

    monkeypatch.setattr(event_service, "_label_printed", refuse)
    events = base_events(number)
    results = post_raw(hub, station, [fresh(events["label_printed"]), fresh(events["pack_exception"])])
    assert [r["status"] for r in results] == ["rejected", "applied"]
    assert "the store refused this event (DataError)" in results[0]["reason"]
    with hub.factory() as s:
        assert s.scalar(select(func.count()).select_from(m.AppliedEvent)) == 1


def test_every_event_field_names_the_column_it_is_stored_in() -> None:
    """A field added to an event without a column here would be refused, never stored unchecked."""
    owners = {cls.__name__: cls for cls in (*EVENT_TYPES.values(), Parcel, ReceivedUnit)}
    base = {"event_id", "occurred_at", "operator_badge"}
    for name, cls in owners.items():
        for f in fields(cls):
            if f.name in ("occurred_at", "kind", "condition", "disposition", "pack_seconds", "parcels", "units"):
                continue
            key = f"BenchEvent.{f.name}" if f.name in base else f"{name}.{f.name}"
            if f.name == "items":
                assert f"{key}.key" in event_limits.COLUMNS and f"{key}.value" in event_limits.COLUMNS
            else:
                assert key in event_limits.COLUMNS, key


def test_the_limits_the_bench_caps_with_are_the_columns_the_hub_stores_into() -> None:
    by_limit = {
        "BenchEvent.operator_badge": limits.BADGE,
        "OrderPacked.order_number": limits.ORDER_NUMBER,
        "Parcel.carton_code": limits.CARTON_CODE,
        "Parcel.items.key": limits.SKU,
        "PackExceptionRaised.sku": limits.SKU,
        "LabelPrinted.tracking_number": limits.TRACKING_NUMBER,
        "LabelPrinted.carrier": limits.CARRIER,
        "ReturnReceived.rma_number": limits.RMA_NUMBER,
        "ReturnReceived.location_code": limits.LOCATION_CODE,
        "ReceivedUnit.sku": limits.SKU,
        "ReceivedUnit.bin": limits.BIN,
    }
    for key, limit in by_limit.items():
        column_type = event_limits.COLUMNS[key].type
        assert isinstance(column_type, String) and column_type.length == limit, key


def test_poison_in_a_pick_event_is_refused_by_the_field_check_before_any_lookup(hub: Hub) -> None:
    station = hub.scene(orders=1)
    number = hub.ok("GET", "/api/v1/orders")["orders"][0]["number"]
    kinds = {"tote_assigned", "pick_confirmed", "pick_short"}
    cases = [p for p in POISON if p[0] in kinds]
    assert {kind for kind, _path, _value in cases} == kinds
    for kind, path, value in cases:
        result = post_raw(hub, station, [fresh(poisoned(number, kind, path, value))])[0]
        assert result["status"] == "rejected", (kind, path, result)
        assert f"payload.{path[-1]}" in result["reason"], (kind, path, result)  # the field, not the batch lookup
