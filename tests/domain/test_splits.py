"""Split policies and the status a split order takes from its fulfilments."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.domain.errors import DomainError, InvalidTransition
from app.domain.orders import Address, Order, OrderLine, OrderStatus, fulfilled_status
from app.domain.splits import SplitMode, SplitPolicies, SplitPolicy

S = OrderStatus
AT = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


def test_policies_parse_per_channel_with_a_default() -> None:
    got = SplitPolicies.parse("shopify=allow, woocommerce=after_days:3,*=never")
    assert got.for_channel("shopify") == SplitPolicy(SplitMode.ALLOW)
    assert got.for_channel("woocommerce") == SplitPolicy(SplitMode.AFTER_DAYS, 3)
    assert got.for_channel("csv") == SplitPolicy(SplitMode.NEVER)
    assert SplitPolicies.parse("allow").for_channel("anything").mode == SplitMode.ALLOW
    assert SplitPolicies.parse("").for_channel("web").mode == SplitMode.NEVER


@pytest.mark.parametrize("text", ["sometimes", "after_days", "after_days:x", "after_days:0", "allow:2"])
def test_a_policy_that_means_nothing_is_refused(text: str) -> None:
    with pytest.raises(DomainError):
        SplitPolicy.parse(text)


def test_after_days_splits_only_once_the_order_has_waited_that_long() -> None:
    policy = SplitPolicy(SplitMode.AFTER_DAYS, 2)
    assert not policy.may_split(AT - timedelta(days=1, hours=23), AT)
    assert policy.may_split(AT - timedelta(days=2), AT)
    assert policy.splits_on(AT) == AT + timedelta(days=2)
    assert SplitPolicy(SplitMode.ALLOW).may_split(AT, AT) and not SplitPolicy().may_split(AT - timedelta(days=99), AT)


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        ([S.QUEUED, S.LEASED], S.SPLIT),
        ([S.SHIPPED, S.PACKED], S.PARTIALLY_SHIPPED),
        ([S.SHIPPED, S.SHIPPED], S.SHIPPED),
        ([S.DELIVERED, S.SHIPPED], S.SHIPPED),
        ([S.SHIPPED, S.CANCELLED], S.SHIPPED),
        ([S.DELIVERED, S.DELIVERED], S.DELIVERED),
        ([S.CANCELLED, S.CANCELLED], S.CANCELLED),
        ([S.DELIVERED, S.ON_HOLD], S.PARTIALLY_SHIPPED),
    ],
)
def test_a_split_order_follows_its_fulfilments(parts: list[OrderStatus], expected: OrderStatus) -> None:
    assert fulfilled_status(parts) == expected


def order() -> Order:
    return Order("web", "1", [OrderLine("A", 1)], Address("Ada", "1 Main St", "Leeds", "LS1 1AA", "GB"))


def test_only_a_validated_order_splits_and_then_moves_with_its_parts() -> None:
    o = order()
    with pytest.raises(InvalidTransition):
        o.split("two locations")
    o.move_to(S.VALIDATED)
    o.split("two locations")
    assert o.status == S.SPLIT and o.location_code is None
    assert not o.follow([S.QUEUED, S.PACKED])
    assert o.follow([S.SHIPPED, S.PACKED]) and o.status == S.PARTIALLY_SHIPPED
    with pytest.raises(InvalidTransition):
        o.cancel("too late")  # a part has shipped: the rest is cancelled part by part
    assert o.follow([S.SHIPPED, S.SHIPPED]) and o.status == S.SHIPPED
