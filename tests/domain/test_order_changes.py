"""What an edit of an order does, by the order's state (the domain decides; the hub stores it)."""

import pytest

from app.domain.errors import InvalidTransition
from app.domain.orders import ChangeAction, OrderStatus, change_action
from tests.domain.test_orders_and_stock import make_order

S = OrderStatus


@pytest.mark.parametrize(
    ("status", "before", "action"),
    [
        (S.VALIDATED, None, ChangeAction.APPLY),
        (S.QUEUED, None, ChangeAction.APPLY),
        (S.ON_HOLD, S.RECEIVED, ChangeAction.APPLY),  # held by validation: try again with the edit
        (S.ON_HOLD, S.QUEUED, ChangeAction.HOLD),  # a person held it: a person decides
        (S.LEASED, None, ChangeAction.HOLD),
        (S.PACKED, None, ChangeAction.HOLD),
        (S.SHIPPED, None, ChangeAction.RECORD),
        (S.CANCELLED, None, ChangeAction.RECORD),
    ],
)
def test_an_edit_is_applied_held_or_recorded_by_the_orders_state(
    status: OrderStatus, before: OrderStatus | None, action: ChangeAction
) -> None:
    assert change_action(status, before) == action


def test_a_queued_order_reopens_to_received_and_forgets_its_location() -> None:
    o = make_order()
    for s in ["validated", "routed", "queued"]:
        o.move_to(OrderStatus(s))
    o.location_code = "WH1"
    o.reopen("changed in shopify")
    assert (o.status, o.location_code) == (S.RECEIVED, None)
    assert o.history[-1] == (S.RECEIVED, "changed in shopify")


def test_a_leased_order_cannot_be_reopened_but_a_packed_one_can_be_held_and_released_to_packed() -> None:
    o = make_order()
    for s in ["validated", "routed", "queued", "leased"]:
        o.move_to(OrderStatus(s))
    with pytest.raises(InvalidTransition):
        o.reopen("changed")
    o.move_to(S.PACKED)
    o.hold("changed in shopify after packing")
    assert o.release_hold() == S.PACKED


def test_a_held_packed_order_cannot_be_reopened() -> None:
    o = make_order()
    for s in ["validated", "routed", "queued", "leased", "packed"]:
        o.move_to(OrderStatus(s))
    o.hold("check")
    with pytest.raises(InvalidTransition):
        o.reopen("re-route")
