"""Picking rules: S-shaped walk numbers, allocation across bins, the stops of each pick mode."""

from __future__ import annotations

import pytest

from app.domain.errors import DomainError
from app.domain.picking import BinStock, Line, PickMode, allocate, plan, walk_sequence


def test_walk_sequence_runs_up_one_aisle_and_down_the_next() -> None:
    up = [walk_sequence(0, bay, 1, 10) for bay in range(1, 11)]
    down = [walk_sequence(1, bay, 1, 10) for bay in range(10, 0, -1)]
    assert up == sorted(up)
    assert down == sorted(down)
    assert max(up) < min(down)
    # the last bay of aisle A is next to the first stop in aisle B (the far end)
    assert walk_sequence(1, 10, 1, 10) < walk_sequence(1, 1, 1, 10)


def test_bin_outside_the_layout_is_refused() -> None:
    with pytest.raises(DomainError, match="outside the layout"):
        walk_sequence(0, 11, 1, 10)


def test_short_bin_splits_the_line_across_bins_in_walk_order() -> None:
    bins = [BinStock("A-01-01-1", "MUG", 101, 2), BinStock("B-02-01-1", "MUG", 900, 5)]
    result = allocate([Line("O1", "MUG", 4)], bins)
    assert [(s.bin_code, s.quantity) for s in result.stops] == [("A-01-01-1", 2), ("B-02-01-1", 2)]
    assert result.short == ()


def test_reserve_bins_are_never_picked_and_what_is_missing_is_short() -> None:
    bins = [BinStock("R-01-01-5", "MUG", 50, 100, pickable=False), BinStock("A-01-01-1", "MUG", 101, 1)]
    result = allocate([Line("O1", "MUG", 3)], bins)
    assert [s.bin_code for s in result.stops] == ["A-01-01-1"]
    assert result.short == (Line("O1", "MUG", 2),)


def test_two_orders_never_take_a_bin_below_zero() -> None:
    bins = [BinStock("A-01-01-1", "MUG", 101, 3)]
    result = allocate([Line("O1", "MUG", 2), Line("O2", "MUG", 2)], bins)
    assert sum(s.quantity for s in result.stops) == 3
    assert result.short == (Line("O2", "MUG", 1),)


def test_cluster_stops_are_in_walk_order_with_one_tote_per_order() -> None:
    bins = [BinStock("C-01-01-1", "CAP", 300, 9), BinStock("A-01-01-1", "MUG", 101, 9)]
    alloc = allocate([Line("O1", "CAP", 1), Line("O2", "MUG", 1), Line("O1", "MUG", 2)], bins)
    stops = plan(PickMode.CLUSTER, alloc, ["O1", "O2"], totes=4)
    assert [(s.bin_code, s.order_number, s.tote) for s in stops] == [
        ("A-01-01-1", "O1", 1),
        ("A-01-01-1", "O2", 2),
        ("C-01-01-1", "O1", 1),
    ]


def test_cluster_with_fewer_totes_than_orders_is_refused() -> None:
    alloc = allocate([Line("O1", "MUG", 1)], [BinStock("A-01-01-1", "MUG", 101, 9)])
    with pytest.raises(DomainError, match="totes"):
        plan(PickMode.CLUSTER, alloc, ["O1", "O2"], totes=1)


def test_batch_mode_consolidates_one_sku_across_orders() -> None:
    alloc = allocate([Line("O1", "MUG", 1), Line("O2", "MUG", 2)], [BinStock("A-01-01-1", "MUG", 101, 9)])
    stops = plan(PickMode.BATCH, alloc, ["O1", "O2"], totes=0)
    assert [(s.bin_code, s.sku, s.quantity, s.order_number) for s in stops] == [("A-01-01-1", "MUG", 3, None)]
