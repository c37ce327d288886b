"""Setting picking up: ``packbench hub import-bins``, the demo warehouse's layout, and old hubs' stock
moved into a default bin by the migration."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select

from app import cli
from app.hub import demo, demo_layout
from app.hub import models as m
from app.hub.bin_models import Bin, BinStock
from app.hub.database import make_engine, make_session_factory, migrate, unit_of_work
from tests.hub.pick_scene import layout_csv


def _hub(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'hub.sqlite'}"
    migrate(url)
    with unit_of_work(make_session_factory(make_engine(url))) as s:
        s.add(m.Location(code="WH1", name="WH1"))
        for sku in ("A", "B", "C"):
            s.add(m.Product(sku=sku, name=sku, weight_g=1, length_mm=1, width_mm=1, height_mm=1))
    return url


def test_import_bins_stores_the_file_and_a_bad_row_stores_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = _hub(tmp_path)
    good = tmp_path / "bins.csv"
    good.write_text(layout_csv())
    assert cli.main(["hub", "import-bins", str(good), "--location", "WH1", "--db", url]) == 0
    assert "imported 6 bins" in capsys.readouterr().out
    bad = tmp_path / "bad.csv"
    bad.write_text(layout_csv() + "X-1,X,X,1,1,true,NOPE,1\n")
    assert cli.main(["hub", "import-bins", str(bad), "--location", "WH1", "--db", url]) == 1
    assert "row 8: unknown SKU 'NOPE'" in capsys.readouterr().err
    with make_session_factory(make_engine(url))() as s:
        assert s.scalar(select(func.count()).select_from(Bin)) == 6


def test_import_bins_refuses_an_unreadable_file_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = _hub(tmp_path)
    wrong = tmp_path / "wrong.csv"
    wrong.write_text("code,qty\nA,1\n")
    assert cli.main(["hub", "import-bins", str(wrong), "--location", "WH1", "--db", url]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "lacks the columns" in err[0]
    assert cli.main(["hub", "import-bins", str(tmp_path / "missing.csv"), "--location", "WH1", "--db", url]) == 2


def test_the_demo_warehouse_slots_every_product_and_its_figure_is_the_sum_of_its_bins(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.sqlite'}"
    migrate(url)
    factory = make_session_factory(make_engine(url))
    with unit_of_work(factory) as s:
        demo.seed(s, orders=0)
    with factory() as s:
        loc = s.scalar(select(m.Location).where(m.Location.code == "WH-LDS"))
        assert loc is not None
        assert s.scalar(select(func.count()).select_from(Bin).where(Bin.location_id == loc.id)) == len(
            demo_layout.layout()
        )
        per_product = dict(
            s.execute(
                select(BinStock.product_id, func.sum(BinStock.on_hand))
                .join(Bin, Bin.id == BinStock.bin_id)
                .where(Bin.location_id == loc.id)
                .group_by(BinStock.product_id)
            ).all()
        )
        levels = dict(
            s.execute(
                select(m.StockLevel.product_id, m.StockLevel.on_hand).where(m.StockLevel.location_id == loc.id)
            ).all()
        )
        assert per_product == levels and len(levels) == 50
        faces = s.execute(
            select(BinStock.product_id, func.count())
            .join(Bin, Bin.id == BinStock.bin_id)
            .where(Bin.location_id == loc.id, Bin.pickable.is_(True))
            .group_by(BinStock.product_id)
        ).all()
        assert {n for _p, n in faces} == {1, 2}
        assert (
            s.scalar(select(func.count()).select_from(Bin).where(Bin.code == "STOCK", Bin.location_id == loc.id)) == 0
        )


def test_the_migration_moves_old_stock_into_a_default_bin_per_location(tmp_path: Path) -> None:
    from alembic import command

    from app.hub.database import alembic_config

    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    command.upgrade(alembic_config(url), "0009_pipeline_jobs")
    engine = make_engine(url)
    tables = m.Base.metadata.tables
    with engine.begin() as conn:  # the tables as they were at 0009 (these three did not change since)
        conn.execute(
            tables["locations"]
            .insert()
            .values(
                id=1,
                code="OLD",
                name="Old",
                kind="warehouse",
                latitude=0.0,
                longitude=0.0,
                rank=1,
                ships=True,
                accepts_pickup=False,
            )
        )
        conn.execute(
            tables["products"]
            .insert()
            .values(id=1, sku="A", name="A", weight_g=1, length_mm=1, width_mm=1, height_mm=1)
        )
        conn.execute(tables["stock_levels"].insert().values(location_id=1, product_id=1, on_hand=7, reserved=2))
    migrate(url)
    with make_session_factory(engine)() as s:
        row = s.execute(
            select(Bin.code, Bin.pickable, BinStock.on_hand).join(BinStock, BinStock.bin_id == Bin.id)
        ).all()
        assert row == [("STOCK", True, 7)]
