"""The demo warehouse's layout (WH-LDS): six pick aisles A to F of 12 bays and 4 levels (288 pickable
bins, walked S-shaped), a reserve aisle R of 24 bins at the back, every product slotted — a fifth of
them in a second pick face, a few with overstock in reserve."""

from __future__ import annotations

import random

from sqlalchemy.orm import Session

from app.hub import models as m
from app.hub.bin_models import Bin
from app.hub.services import bins

PICK_AISLES = "ABCDEF"
BAYS = 12
LEVELS = 4
RESERVE_BAYS = 6


def bin_code(aisle: str, bay: int, level: int) -> str:
    return f"{aisle}-{bay:02d}-{level:02d}-1"


def layout() -> list[tuple[str, str, int, int, bool]]:
    """(code, aisle, bay, level, pickable) of every bin."""
    rows = [
        (bin_code(a, b, lv), a, b, lv, True)
        for a in PICK_AISLES
        for b in range(1, BAYS + 1)
        for lv in range(1, LEVELS + 1)
    ]
    rows += [
        (bin_code("R", b, lv), "R", b, lv, False) for b in range(1, RESERVE_BAYS + 1) for lv in range(1, LEVELS + 1)
    ]
    return rows


def lay_out(session: Session, location: m.Location) -> int:
    rows = layout()
    walk = bins.layout_walk((c, a, b, lv) for c, a, b, lv, _p in rows)
    for code, aisle, bay, level, pickable in rows:
        session.add(
            Bin(
                location_id=location.id,
                code=code,
                zone=aisle,
                aisle=aisle,
                bay=bay,
                level=level,
                walk_seq=walk[code],
                pickable=pickable,
            )
        )
    session.flush()
    return len(rows)


def slotting(skus: list[str], seed_value: int = 11) -> dict[str, list[str]]:
    """The bins each SKU lives in: its pick face (spread over the aisles), maybe a second one, maybe reserve."""
    rnd = random.Random(seed_value)
    faces = [c for c, _a, _b, _lv, p in layout() if p]
    reserve = [c for c, _a, _b, _lv, p in layout() if not p]
    rnd.shuffle(faces)
    out: dict[str, list[str]] = {}
    for i, sku in enumerate(skus):
        homes = [faces[i]]
        if i % 5 == 0:
            homes.append(faces[len(skus) + i])
        if i % 7 == 0:
            homes.append(reserve[i % len(reserve)])
        out[sku] = homes
    return out


def split(quantity: int, homes: list[str]) -> list[tuple[str, int]]:
    """The units of a SKU over its bins: the first pick face takes the most."""
    if len(homes) == 1:
        return [(homes[0], quantity)]
    first = max(1, quantity // 2)
    rest = quantity - first
    parts = [(homes[0], first)]
    for i, code in enumerate(homes[1:]):
        share = rest // (len(homes) - 1 - i)
        parts.append((code, share))
        rest -= share
    return [(c, q) for c, q in parts if q > 0]
