from __future__ import annotations

import pytest

from app.domain.money import Money
from app.domain.orders import Address, Order, OrderLine, OrderStatus, OrderType
from app.domain.validation import (
    IssueCode,
    RiskRules,
    address_issues,
    apply_validation,
    postcode_issue,
    validate_order,
)

GOOD = Address("Ada", "1 Park Row", "Leeds", "LS1 5AB", "GB")


def make(address: Address = GOOD, **kw: object) -> Order:
    return Order(
        channel=str(kw.pop("channel", "web")),
        channel_order_id="1",
        lines=[OrderLine("A", 1)],
        ship_to=address,
        **kw,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize(
    ("country", "postcode"),
    [
        ("US", "90210"),
        ("US", "90210-1234"),
        ("GB", "SW1A 1AA"),
        ("GB", "m1 1ae"),
        ("CA", "K1A 0B1"),
        ("DE", "10115"),
        ("NL", "1012 AB"),
        ("JP", "100-0001"),
        ("IE", "D02 X285"),
        ("PL", "00-950"),
        ("HK", ""),
        ("ZZ", "anything"),
    ],
)
def test_valid_postcodes_pass(country: str, postcode: str) -> None:
    assert postcode_issue(country, postcode) is None


@pytest.mark.parametrize(
    ("country", "postcode", "code"),
    [
        ("US", "9021", IssueCode.POSTCODE_INVALID),
        ("GB", "12345", IssueCode.POSTCODE_INVALID),
        ("CA", "D1A 0B1", IssueCode.POSTCODE_INVALID),
        ("DE", "1011", IssueCode.POSTCODE_INVALID),
        ("NL", "1012", IssueCode.POSTCODE_INVALID),
        ("FR", "", IssueCode.ADDRESS_INCOMPLETE),
    ],
)
def test_bad_postcodes_are_reported(country: str, postcode: str, code: IssueCode) -> None:
    issue = postcode_issue(country, postcode)
    assert issue is not None and issue.code == code


def test_us_address_without_state_is_incomplete() -> None:
    issues = address_issues(Address("Ada", "1 Main St", "Springfield", "62701", "US"))
    assert [i.code for i in issues] == [IssueCode.ADDRESS_INCOMPLETE]
    assert "state/province" in issues[0].message


def test_address_missing_street_and_city_lists_both() -> None:
    issues = address_issues(Address("Ada", " ", "", "LS1 5AB", "GB"))
    assert "street, city" in issues[0].message


def test_clean_paid_order_is_validated() -> None:
    o = make()
    result = validate_order(o, RiskRules())
    assert result.ok
    assert apply_validation(o, result) == OrderStatus.VALIDATED


def test_unpaid_order_is_held_with_the_reason_and_released_by_an_admin() -> None:
    o = make(paid=False)
    status = apply_validation(o, validate_order(o, RiskRules()))
    assert status == OrderStatus.ON_HOLD
    assert o.hold_reason == "payment not captured"
    assert o.release_hold() == OrderStatus.RECEIVED


def test_billing_country_differing_from_shipping_country_holds_the_order() -> None:
    result = validate_order(make(billing_country="FR"), RiskRules())
    assert result.hold_reason == "billing country FR differs from shipping country GB"


def test_country_mismatch_rule_can_be_turned_off() -> None:
    assert validate_order(make(billing_country="FR"), RiskRules(hold_on_country_mismatch=False)).ok


def test_first_order_above_the_limit_is_held_but_a_repeat_customer_is_not() -> None:
    rules = RiskRules(first_order_limit_minor=50_000)
    big = make(total=Money(75_000, "GBP"))
    first = validate_order(big, rules, previous_orders=0)
    assert [i.code for i in first.issues] == [IssueCode.FIRST_ORDER_VALUE]
    assert "750.00 GBP, above the 500.00 limit" in (first.hold_reason or "")
    assert validate_order(big, rules, previous_orders=3).ok


def test_channel_risk_flag_holds_unless_the_channel_is_trusted() -> None:
    assert not validate_order(make(risk_flag=True), RiskRules()).ok
    assert validate_order(make(risk_flag=True, channel="pos"), RiskRules(trusted_channels=frozenset({"pos"}))).ok


def test_every_reason_is_reported_together() -> None:
    bad = Address("Ada", "1 Main St", "Springfield", "6270", "US")
    result = validate_order(make(bad, paid=False, billing_country="CA"), RiskRules())
    assert [i.code for i in result.issues] == [
        IssueCode.UNPAID,
        IssueCode.ADDRESS_INCOMPLETE,
        IssueCode.POSTCODE_INVALID,
        IssueCode.COUNTRY_MISMATCH,
    ]


def test_pickup_order_needs_no_street_address_but_a_way_to_reach_the_customer() -> None:
    bare = Address("Ada", "", "", "", "GB")
    assert not validate_order(make(bare, order_type=OrderType.PICKUP), RiskRules()).ok
    assert validate_order(make(bare, order_type=OrderType.PICKUP, customer_email="a@x.io"), RiskRules()).ok


def test_first_order_limit_message_uses_the_currency_minor_unit() -> None:
    result = validate_order(make(total=Money(120_000, "JPY")), RiskRules(first_order_limit_minor=100_000))
    assert "120000 JPY, above the 100000 limit" in (result.hold_reason or "")
