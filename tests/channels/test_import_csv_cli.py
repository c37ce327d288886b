"""``packbench hub import-csv``: all or nothing by default, only the good orders with the flag."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.cli import main
from app.hub import models as m
from app.hub.database import make_engine, make_session_factory, migrate, unit_of_work
from app.hub.services import catalog, stock

HEADER = "order_id,sku,quantity,ship_name,ship_line1,ship_city,ship_postcode,ship_country\n"


@pytest.fixture
def db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'hub.sqlite'}"
    migrate(url)
    engine = make_engine(url)
    with unit_of_work(make_session_factory(engine)) as s:
        catalog.create_location(s, code="WH1", name="Leeds")
        catalog.create_product(s, sku="A", name="A", weight_g=100, length_mm=10, width_mm=10, height_mm=10)
        stock.adjust(s, location_code="WH1", sku="A", delta=100, reason="received")
    engine.dispose()
    return url


def orders_in(url: str) -> int:
    engine = make_engine(url)
    with make_session_factory(engine)() as s:
        n = int(s.scalar(select(func.count(m.Order.id))) or 0)
    engine.dispose()
    return n


def write(tmp_path: Path, rows: list[str]) -> str:
    path = tmp_path / "orders.csv"
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    return str(path)


GOOD = ["1,A,1,Ada,1 Row,Leeds,LS1 5AB,GB\n", "2,A,2,Bob,2 Row,Leeds,LS1 5AB,GB\n"]
BAD = ["3,A,none,Cy,3 Row,Leeds,LS1 5AB,GB\n"]


def test_file_with_a_bad_row_reports_it_and_imports_nothing(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["hub", "import-csv", write(tmp_path, GOOD + BAD), "--db", db])
    err = capsys.readouterr().err
    assert code == 1
    assert "row 4, column quantity: 'none' is not a whole number" in err
    assert "nothing imported" in err
    assert orders_in(db) == 0


def test_only_good_rows_imports_the_good_orders_and_a_rerun_stores_nothing_twice(
    db: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, GOOD + BAD)
    assert main(["hub", "import-csv", path, "--db", db, "--only-good-rows"]) == 0
    out = capsys.readouterr()
    assert "stored 2 new orders" in out.out and "storing" in out.err
    assert main(["hub", "import-csv", path, "--db", db, "--only-good-rows"]) == 0
    assert "stored 0 new orders (0 on hold), 2 already stored" in capsys.readouterr().out
    assert orders_in(db) == 2


def reserved_and_queued(url: str) -> tuple[int, int, list[str]]:
    engine = make_engine(url)
    with make_session_factory(engine)() as s:
        reserved = int(s.scalar(select(func.sum(m.StockLevel.reserved))) or 0)
        queued = int(
            s.scalar(
                select(func.sum(m.OrderLine.quantity))
                .join(m.Order, m.Order.id == m.OrderLine.order_id)
                .where(m.Order.status == "queued")
            )
            or 0
        )
        holds = [h or "" for h in s.scalars(select(m.Order.hold_reason).where(m.Order.status == "on_hold"))]
    engine.dispose()
    return reserved, queued, holds


def test_batch_import_reserves_exactly_what_it_queues_and_holds_the_rest_with_the_reason(
    db: str, tmp_path: Path
) -> None:
    rows = [f"{i},A,7,Ada,1 Row,Leeds,LS1 5AB,GB\n" for i in range(20)]  # 140 units wanted, 100 in stock
    assert main(["hub", "import-csv", write(tmp_path, rows), "--db", db]) == 0
    reserved, queued, holds = reserved_and_queued(db)
    assert reserved == queued == 98  # 14 orders of 7
    assert len(holds) == 6 and all("no single location has every unit in stock" in h for h in holds)


def test_batch_that_meets_a_concurrent_writer_falls_back_to_order_by_order(
    db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy.exc import IntegrityError

    from app.hub.services import bulk_import

    def clash(*_args: object) -> None:
        raise IntegrityError("INSERT", {}, Exception("uq_orders_channel_order"))

    monkeypatch.setattr(bulk_import, "import_batch", clash)
    assert main(["hub", "import-csv", write(tmp_path, GOOD), "--db", db]) == 0
    assert orders_in(db) == 2
    reserved, queued, _ = reserved_and_queued(db)
    assert reserved == queued == 3


def test_first_order_rule_in_a_batch_holds_only_each_customers_first_big_order(db: str) -> None:
    from app.channels.csv_import import parse_orders
    from app.domain.validation import RiskRules
    from app.hub.services import bulk_import, dom

    text = (
        "order_id,sku,quantity,unit_price,currency,ship_name,ship_line1,ship_city,ship_postcode,ship_country,email\n"
        "1,A,1,900.00,GBP,Ada,1 Row,Leeds,LS1 5AB,GB,ada@example.com\n"
        "2,A,1,900.00,GBP,Ada,1 Row,Leeds,LS1 5AB,GB,ada@example.com\n"
        "3,A,1,5.00,GBP,Bob,2 Row,Leeds,LS1 5AB,GB,bob@example.com\n"
    )
    rules = dom.OrderRules(risk=RiskRules(first_order_limit_minor=50_000))
    engine = make_engine(db)
    with unit_of_work(make_session_factory(engine)) as s:
        result = bulk_import.import_batch(s, parse_orders(text).orders, rules)
    engine.dispose()
    assert (result.created, result.held) == (3, 1)
    _reserved, _queued, holds = reserved_and_queued(db)
    assert holds == ["first order from this customer is 900.00 GBP, above the 500.00 limit"]
