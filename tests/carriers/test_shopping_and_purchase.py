from __future__ import annotations

import pytest

from app.carriers.base import CarrierError, CarrierTimeout, Label, ParcelRequest, Rate
from app.carriers.purchase import LabelBuyer, MemoryLabelStore
from app.carriers.shopping import ShoppingRules, choose_rate
from app.carriers.table_rate import TableRateCarrier
from app.domain.money import Money
from tests.carriers.conftest import make_courier, parcel


def rate(carrier: str, service: str, minor: int, days: int | None) -> Rate:
    return Rate(carrier, service, Money(minor, "GBP"), days)


RATES = [
    rate("ups", "ground", 800, 3),
    rate("ups", "next_day_air", 2500, 1),
    rate("royalmail", "tracked48", 450, 2),
    rate("royalmail", "tracked24", 650, 1),
    rate("dpd", "next_day", 600, 1),
]


def test_cheapest_rate_wins_and_the_reason_names_the_runner_up() -> None:
    choice = choose_rate(RATES, ShoppingRules())
    assert choice.rate.key == "royalmail:tracked48"
    assert "cheapest of 5 eligible rate(s)" in choice.reason and "next dpd:next_day" in choice.reason


def test_transit_limit_for_the_service_level_picks_the_cheapest_fast_enough_rate() -> None:
    choice = choose_rate(RATES, ShoppingRules(max_transit_days={"express": 1}), service_level="express")
    assert choice.rate.key == "dpd:next_day"
    assert "within 1 transit day(s)" in choice.reason
    assert "royalmail:tracked48 2 day(s) is over the 1-day express limit" in choice.reason


def test_excluded_services_and_carriers_are_never_chosen() -> None:
    rules = ShoppingRules(excluded_services=frozenset({"royalmail:tracked48", "dpd:*"}))
    choice = choose_rate(RATES, rules)
    assert choice.rate.key == "royalmail:tracked24"
    assert "royalmail:tracked48 excluded service" in choice.reason


def test_preferred_carrier_for_the_channel_wins_over_a_cheaper_carrier() -> None:
    choice = choose_rate(RATES, ShoppingRules(preferred_carrier_by_channel={"amazon": "ups"}), channel="amazon")
    assert choice.rate.key == "ups:ground"
    assert "preferred carrier for channel amazon is ups" in choice.reason


def test_preferred_carrier_without_an_eligible_rate_falls_back_and_says_so() -> None:
    rules = ShoppingRules(max_transit_days={"express": 1}, preferred_carrier_by_service_level={"express": "evri"})
    choice = choose_rate(RATES, rules, service_level="express")
    assert choice.rate.key == "dpd:next_day"
    assert "evri has no eligible rate" in choice.reason


def test_no_eligible_rate_is_an_error_listing_why_each_was_ruled_out() -> None:
    with pytest.raises(CarrierError, match="ups:ground: excluded service"):
        choose_rate(RATES[:1], ShoppingRules(excluded_services=frozenset({"ups:ground"})))


class FlakyCourier(TableRateCarrier):
    """Times out after buying, the first time: the label exists but the answer is lost."""

    def __init__(self) -> None:
        base = make_courier()
        super().__init__(base.name, base.zones, base.services)
        self.bought: dict[str, Label] = {}
        self.charges = 0
        self.fail_next = True

    def buy(self, parcel: ParcelRequest, rate: Rate) -> Label:
        if parcel.parcel_ref in self.bought:  # like the aggregator: look before buying
            return self.bought[parcel.parcel_ref]
        label = super().buy(parcel, rate)
        self.charges += 1
        self.bought[parcel.parcel_ref] = label
        if self.fail_next:
            self.fail_next = False
            raise CarrierTimeout("no answer in 10 s")
        return label


def test_retry_after_a_timeout_returns_one_label_with_one_charge() -> None:
    courier = FlakyCourier()
    store = MemoryLabelStore()
    buyer = LabelBuyer([courier], ShoppingRules(), store)
    with pytest.raises(CarrierTimeout):
        buyer.buy(parcel())
    assert store.pending("PB0000001/1") is not None
    first = buyer.buy(parcel())
    again = buyer.buy(parcel())
    assert courier.charges == 1
    assert again.reused and again.label == first.label


def test_void_needs_a_reason_and_frees_the_parcel_for_a_new_label() -> None:
    store = MemoryLabelStore()
    buyer = LabelBuyer([make_courier()], ShoppingRules(), store)
    first = buyer.buy(parcel()).label
    with pytest.raises(CarrierError):
        buyer.void("PB0000001/1", " ")
    assert buyer.void("PB0000001/1", "wrong carton").accepted
    assert store.voided == {"PB0000001/1": "wrong carton"}
    assert buyer.buy(parcel()).label.tracking_number != first.tracking_number


def test_buyer_reason_is_the_rate_shopping_explanation() -> None:
    buyer = LabelBuyer([make_courier()], ShoppingRules(), MemoryLabelStore())
    purchase = buyer.buy(parcel())
    assert purchase.label.service == "economy"
    assert purchase.reason.startswith("localcourier:economy 3.95 GBP (3 day(s))")
