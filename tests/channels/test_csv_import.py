from __future__ import annotations

from app.channels.csv_import import parse_orders, write_orders
from app.domain.orders import OrderType

HEADER = (
    "order_id,order_number,sku,quantity,unit_price,currency,"
    "ship_name,ship_line1,ship_city,ship_postcode,ship_country,paid,created_at\n"
)
GOOD = (
    HEADER
    + "1001,M-1001,A,2,12.50,GBP,Ada,1 Park Row,Leeds,LS1 5AB,GB,true,2026-11-20T10:00:00\n"
    + "1001,M-1001,B,1,3.00,GBP,Ada,1 Park Row,Leeds,LS1 5AB,GB,true,2026-11-20T10:00:00\n"
    + "1002,M-1002,A,1,9.99,USD,Bob,2 Elm St,Austin,78701,US,no,\n"
)


def test_rows_of_one_order_become_one_order_with_lines_and_total_in_minor_units() -> None:
    result = parse_orders(GOOD, channel="amazon")
    assert not result.errors
    first, second = result.orders
    assert (first.channel, first.channel_order_id, first.number) == ("amazon", "1001", "M-1001")
    assert [(line.sku, line.quantity) for line in first.lines] == [("A", 2), ("B", 1)]
    assert first.total.amount_minor == 2800 and first.total.currency == "GBP"
    assert first.created_at is not None and first.created_at.utcoffset() is not None
    assert second.paid is False


def test_file_with_one_bad_row_reports_that_row_and_imports_nothing() -> None:
    text = GOOD + "1003,M-1003,C,two,1.00,GBP,Cy,3 Oak Rd,York,YO1 7HH,GB,true,\n"
    result = parse_orders(text)
    assert result.orders == []
    assert [str(e) for e in result.errors] == ["row 5, column quantity: 'two' is not a whole number"]
    assert result.summary.startswith("nothing imported: 1 bad row(s)")


def test_only_good_rows_imports_the_good_orders_and_skips_an_order_with_a_bad_line_whole() -> None:
    text = GOOD + "1002,M-1002,Z,1,notaprice,USD,Bob,2 Elm St,Austin,78701,US,no,\n"
    result = parse_orders(text, only_good_rows=True)
    assert [o.channel_order_id for o in result.orders] == ["1001"]
    assert result.skipped_orders == ["1002"]
    assert result.errors[0].row == 5 and result.errors[0].column == "unit_price"
    assert "skipped whole" in result.summary


def test_rows_of_one_order_that_disagree_on_the_address_are_errors() -> None:
    text = HEADER + "1,,A,1,,,Ada,1 Park Row,Leeds,LS1 5AB,GB,,\n" + "1,,B,1,,,Ada,9 Other St,Leeds,LS1 5AB,GB,,\n"
    result = parse_orders(text)
    assert [(e.row, e.column) for e in result.errors] == [(3, "ship_line1")]


def test_missing_required_column_is_reported_against_the_header() -> None:
    result = parse_orders("order_id,sku\n1,A\n")
    assert result.errors[0].row == 1
    assert "quantity, ship_country" in result.errors[0].message


def test_unknown_column_is_refused_rather_than_silently_ignored() -> None:
    result = parse_orders(HEADER.strip() + ",gift_wrap\n")
    assert "unknown column(s): gift_wrap" in result.errors[0].message


def test_pickup_row_needs_no_street_address() -> None:
    text = "order_id,sku,quantity,ship_country,ship_name,order_type,pickup_location\n7,A,1,GB,Ada,pickup,YRK\n"
    result = parse_orders(text)
    assert not result.errors
    assert result.orders[0].order_type == OrderType.PICKUP and result.orders[0].location_code == "YRK"


def test_more_decimals_than_the_currency_has_is_an_error() -> None:
    text = HEADER + "1,,A,1,100.5,JPY,Ada,1 Park Row,Leeds,LS1 5AB,GB,,\n"
    assert parse_orders(text).errors[0].column == "unit_price"


def test_progress_is_reported_with_the_total_and_ends_at_the_row_count() -> None:
    calls: list[tuple[int, int]] = []
    parse_orders(GOOD, progress=lambda done, total: calls.append((done, total)), progress_every=1)
    assert calls[-1] == (3, 3)
    assert [c[0] for c in calls] == sorted(c[0] for c in calls)


def test_written_orders_read_back_the_same() -> None:
    orders = parse_orders(GOOD).orders
    again = parse_orders("".join(write_orders(orders)))
    assert not again.errors
    assert [(o.channel_order_id, o.total, o.units()) for o in again.orders] == [
        (o.channel_order_id, o.total, o.units()) for o in orders
    ]


def test_unknown_sku_is_a_row_error_when_the_catalogue_is_given() -> None:
    result = parse_orders(GOOD, known_skus={"A"})
    assert [(e.row, e.column) for e in result.errors] == [(3, "sku")]
    assert result.orders == []


def test_an_unclosed_quote_is_a_row_error_on_its_own_row_not_a_silent_merge() -> None:
    text = (
        "order_id,sku,quantity,ship_name,ship_line1,ship_city,ship_postcode,ship_country\n"
        'A1,SKU-1,1,"Ann,1 High St,Leeds,LS1 1AA,GB\n'
        "A2,SKU-1,2,Bob,2 High St,Leeds,LS1 1AA,GB\n"
    )
    result = parse_orders(text)
    assert [(e.row, e.column) for e in result.errors] == [(2, "ship_name")]
    assert "quote" in result.errors[0].message
    assert result.orders == []


def test_a_wrong_header_says_so_instead_of_counting_bad_rows() -> None:
    result = parse_orders("order,sku\nA1,S\n")
    assert result.rows == 0 and result.errors
    assert "header row is not right" in result.summary and "bad row" not in result.summary


def test_import_csv_help_lists_every_column() -> None:
    from app.channels.csv_import import COLUMNS, columns_help

    listed = columns_help()
    assert all(f"\n{c} " in listed for c in COLUMNS)
