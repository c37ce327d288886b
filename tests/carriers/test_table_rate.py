from __future__ import annotations

import re

import pytest

from app.carriers.base import CarrierError, TrackingStatus, TrackingUpdate
from app.carriers.table_rate import TableRateCarrier, is_valid_s10, s10_check_digit
from app.carriers.zpl import escape_field
from app.domain.orders import Address
from tests.carriers.conftest import CUSTOMER, HIGHLANDS, parcel


def test_s10_check_digit_matches_the_upu_worked_example() -> None:
    # UPU S10 worked example: serial 47312482 has check digit 9 (RA473124829CH).
    assert s10_check_digit("47312482") == 9
    assert s10_check_digit("99999999") == 5  # 11 becomes 5
    assert is_valid_s10("RA473124829CH")
    assert not is_valid_s10("RA473124828CH")


def test_rates_follow_zone_by_postcode_prefix_and_weight_bracket(courier: TableRateCarrier) -> None:
    mainland = {r.service: (r.amount.amount_minor, r.transit_days) for r in courier.rates(parcel(1_500))}
    assert mainland == {"next_day": (695, 1), "economy": (395, 3)}
    heavy = {r.service: r.amount.amount_minor for r in courier.rates(parcel(5_000))}
    assert heavy == {"next_day": 995, "economy": 795}
    highlands = {r.service: (r.amount.amount_minor, r.transit_days) for r in courier.rates(parcel(to=HIGHLANDS))}
    assert highlands == {"next_day": (1_495, 2), "economy": (995, 5)}


def test_parcel_heavier_than_every_bracket_gets_no_rate(courier: TableRateCarrier) -> None:
    assert courier.rates(parcel(25_000)) == []


def test_destination_outside_every_zone_gets_no_rate(courier: TableRateCarrier) -> None:
    assert courier.rates(parcel(to=Address("Hans", "Hauptstr. 1", "Berlin", "10115", "DE"))) == []


def test_bought_label_has_a_valid_tracking_number_and_zpl(courier: TableRateCarrier) -> None:
    rate = next(r for r in courier.rates(parcel()) if r.service == "economy")
    label = courier.buy(parcel(), rate)
    assert is_valid_s10(label.tracking_number) and label.tracking_number.endswith("GB")
    assert label.zpl.startswith("^XA") and label.zpl.rstrip().endswith("^XZ")
    assert escape_field(label.tracking_number) in label.zpl
    assert label.amount.amount_minor == 395


def test_customer_text_cannot_inject_printer_commands(courier: TableRateCarrier) -> None:
    evil = Address("Eve^XZ^XA~JR", "1 Park Row_", "London", "SW1A 1AA", "GB")
    rate = courier.rates(parcel(to=evil))[0]
    zpl = courier.buy(parcel(to=evil), rate).zpl
    assert zpl.count("^XA") == 1 and zpl.count("^XZ") == 1 and "~JR" not in zpl
    assert "Eve_5EXZ_5EXA_7EJR" in zpl


def test_non_ascii_names_are_hex_escaped_as_utf8() -> None:
    assert escape_field("Zoë") == "Zo_C3_AB"
    assert re.fullmatch(r"[ -~]*", escape_field("東京\n"))


def test_tracking_reports_the_latest_scan_and_refuses_a_bad_check_digit(courier: TableRateCarrier) -> None:
    label = courier.buy(parcel(), courier.rates(parcel())[0])
    assert courier.track(label.tracking_number).status == TrackingStatus.PRE_TRANSIT
    courier.record_scan(TrackingUpdate(label.tracking_number, TrackingStatus.DELIVERED, "left with neighbour"))
    assert courier.track(label.tracking_number).status == TrackingStatus.DELIVERED
    with pytest.raises(CarrierError):
        courier.track(label.tracking_number[:10] + "X" + label.tracking_number[11:])


def test_manifest_lists_only_this_carriers_labels(courier: TableRateCarrier) -> None:
    labels = [courier.buy(parcel(ref=f"PB1/{i}"), courier.rates(parcel())[0]) for i in (1, 2)]
    manifest = courier.manifest(labels)
    assert manifest.tracking_numbers == tuple(lb.tracking_number for lb in labels)
    assert "2 parcel(s)" in manifest.document


def test_buying_a_service_not_offered_to_the_destination_is_refused(courier: TableRateCarrier) -> None:
    rate = next(r for r in courier.rates(parcel()) if r.service == "next_day")
    to_france = parcel(to=Address("Jean", "1 rue X", "Paris", "75001", "FR"))
    with pytest.raises(CarrierError):
        courier.buy(to_france, rate)
    assert CUSTOMER.country == "GB"
