import pytest

from app.domain.catalog import Carton, Dimensions, PackItem, StockLevel, suggest_carton
from app.domain.errors import InsufficientStock, InvalidQuantity, InvalidTransition
from app.domain.inventory import AdjustmentReason, adjust, consume, reserve
from app.domain.orders import Address, Order, OrderLine, OrderStatus

ADDR = Address(name="Ada", line1="1 Main St", city="Leeds", postcode="LS1 1AA", country="GB")


def make_order() -> Order:
    return Order(channel="web", channel_order_id="1001", lines=[OrderLine("A", 2)], ship_to=ADDR)


def test_order_walks_the_happy_lifecycle() -> None:
    o = make_order()
    for s in ["validated", "routed", "queued", "leased", "packed", "shipped", "delivered"]:
        o.move_to(OrderStatus(s))
    assert o.status == OrderStatus.DELIVERED


def test_shipped_order_cannot_be_cancelled() -> None:
    o = make_order()
    for s in ["validated", "routed", "queued", "leased", "packed", "shipped"]:
        o.move_to(OrderStatus(s))
    with pytest.raises(InvalidTransition):
        o.cancel("too late")


def test_hold_on_a_leased_order_releases_back_to_the_queue() -> None:
    o = make_order()
    for s in ["validated", "routed", "queued", "leased"]:
        o.move_to(OrderStatus(s))
    o.hold("address check")
    assert o.status == OrderStatus.ON_HOLD and o.hold_reason == "address check"
    assert o.release_hold() == OrderStatus.QUEUED


def test_line_with_zero_quantity_is_refused() -> None:
    with pytest.raises(InvalidQuantity):
        OrderLine("A", 0)


def test_reserving_more_than_available_is_refused_and_changes_nothing() -> None:
    level = StockLevel("W1", "A", on_hand=3, reserved=2)
    with pytest.raises(InsufficientStock):
        reserve(level, 2)
    assert (level.on_hand, level.reserved, level.available) == (3, 2, 1)


def test_adjustment_cannot_take_on_hand_below_reserved() -> None:
    level = StockLevel("W1", "A", on_hand=3, reserved=2)
    with pytest.raises(InsufficientStock):
        adjust(level, -2, AdjustmentReason.DAMAGED)
    adjust(level, -1, AdjustmentReason.DAMAGED)
    consume(level, 2)
    assert (level.on_hand, level.reserved) == (0, 0)


def test_smallest_carton_that_fits_is_suggested() -> None:
    small = Carton("S", Dimensions(200, 150, 100), tare_g=120)
    medium = Carton("M", Dimensions(350, 250, 200), tare_g=250)
    book = PackItem(Dimensions(240, 170, 30), weight_g=400)
    assert suggest_carton([medium, small], [book]) == medium
    mug = PackItem(Dimensions(120, 90, 90), weight_g=350)
    assert suggest_carton([medium, small], [mug]) == small
    piano = PackItem(Dimensions(1500, 600, 1200), weight_g=200_000)
    assert suggest_carton([medium, small], [piano]) is None
