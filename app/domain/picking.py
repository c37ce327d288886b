"""Picking rules without a database: walk sequence, allocation to bins, and the stops of a pick batch.

Walk sequence (S-shape): aisles are walked in order; odd-numbered aisle positions (1st, 3rd, …) are
walked up (bay ascending), the others down (bay descending), so the picker never walks an aisle back
empty. Inside a bay, levels go bottom to top. ``walk_sequence`` gives every bin its number from its
layout (aisle index, bay, level); the hub stores it per bin, so a layout change is a re-import.

Allocation: each line takes units from pickable bins that hold stock, lowest walk sequence first,
splitting across bins when one is short; reserve bins are never picked and no bin is taken below zero.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from app.domain.errors import DomainError

LEVELS_PER_BAY = 100  # walk numbers leave room for up to 99 levels in one bay
BAYS_PER_AISLE = 1000


class PickMode(enum.StrEnum):
    SINGLE = "single"
    BATCH = "batch"
    CLUSTER = "cluster"


def walk_sequence(aisle_index: int, bay: int, level: int, bays_in_aisle: int) -> int:
    """The S-shaped walk number of a bin at (aisle position from 0, bay from 1, level from 1)."""
    if aisle_index < 0 or not 1 <= bay <= bays_in_aisle < BAYS_PER_AISLE or not 1 <= level < LEVELS_PER_BAY:
        raise DomainError(f"bin position aisle {aisle_index} bay {bay} level {level} is outside the layout")
    step = bay if aisle_index % 2 == 0 else bays_in_aisle + 1 - bay
    return (aisle_index * BAYS_PER_AISLE + step) * LEVELS_PER_BAY + level


@dataclass(frozen=True)
class BinStock:
    code: str
    sku: str
    walk_seq: int
    on_hand: int
    pickable: bool = True


@dataclass(frozen=True)
class Line:
    order_number: str
    sku: str
    quantity: int


@dataclass(frozen=True)
class Stop:
    bin_code: str
    walk_seq: int
    sku: str
    quantity: int
    order_number: str | None  # None in batch mode: one SKU for several orders, sorted at the pack bench
    tote: int | None = None


@dataclass(frozen=True)
class Allocation:
    stops: tuple[Stop, ...]
    short: tuple[Line, ...]  # what no pickable bin could give (the hub holds these orders)


def allocate(lines: Iterable[Line], bins: Sequence[BinStock]) -> Allocation:
    """Take each line from pickable bins with stock (walk order), splitting when a bin is short."""
    left = {(b.code, b.sku): b.on_hand for b in bins if b.pickable and b.on_hand > 0}
    by_sku: dict[str, list[BinStock]] = {}
    for b in sorted(bins, key=lambda b: (b.walk_seq, b.code)):
        if (b.code, b.sku) in left:
            by_sku.setdefault(b.sku, []).append(b)
    stops: list[Stop] = []
    short: list[Line] = []
    for line in lines:
        if line.quantity <= 0:
            raise DomainError(f"order {line.order_number}: {line.sku} quantity must be positive")
        need = line.quantity
        for b in by_sku.get(line.sku, []):
            take = min(need, left[(b.code, b.sku)])
            if take:
                left[(b.code, b.sku)] -= take
                need -= take
                stops.append(Stop(b.code, b.walk_seq, b.sku, take, line.order_number))
            if need == 0:
                break
        if need:
            short.append(Line(line.order_number, line.sku, need))
    return Allocation(tuple(stops), tuple(short))


def plan(mode: PickMode, allocation: Allocation, order_numbers: Sequence[str], totes: int) -> list[Stop]:
    """The batch's stops in walk order: cluster gives each order its tote (1…), batch merges one SKU per bin."""
    stops = list(allocation.stops)
    if mode == PickMode.CLUSTER:
        if len(order_numbers) > totes:
            raise DomainError(f"{len(order_numbers)} orders need {len(order_numbers)} totes; {totes} given")
        tote_of = {n: i + 1 for i, n in enumerate(order_numbers)}
        stops = [
            Stop(s.bin_code, s.walk_seq, s.sku, s.quantity, s.order_number, tote_of[s.order_number or ""])
            for s in stops
        ]
    elif mode == PickMode.BATCH:
        merged: dict[tuple[str, str], int] = {}
        seq: dict[str, int] = {}
        for s in stops:
            merged[(s.bin_code, s.sku)] = merged.get((s.bin_code, s.sku), 0) + s.quantity
            seq[s.bin_code] = s.walk_seq
        stops = [Stop(code, seq[code], sku, q, None) for (code, sku), q in merged.items()]
    rank = {n: i for i, n in enumerate(order_numbers)}
    return sorted(stops, key=lambda s: (s.walk_seq, s.bin_code, rank.get(s.order_number or "", -1)))
