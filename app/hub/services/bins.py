"""Stock per bin: where a location's units are, kept in step with the location's figure.

Every change is a conditional UPDATE (``on_hand >= n``), and the schema refuses a negative bin besides,
so no caller drives a bin below zero. Units going in land in the named bin, else the product's first
bin (walk order), else the location's default bin ``STOCK`` (where the migration put the stock of
hubs without bins). Units going out leave by the picking allocation (pickable bins in walk order),
then from reserve bins, so the location figure stays the sum of its bins and its totes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from app.domain import picking
from app.domain.errors import DomainError
from app.hub import models as m
from app.hub.bin_models import Bin, BinStock
from app.hub.services.errors import Invalid

DEFAULT_BIN = "STOCK"
DEFAULT_WALK_SEQ = 2_000_000_000  # after every bin of a laid-out warehouse


@dataclass(frozen=True)
class Slot:
    """A product's stock in one bin."""

    bin: Bin
    product_id: int
    on_hand: int

    def as_domain(self, sku: str) -> picking.BinStock:
        return picking.BinStock(self.bin.code, sku, self.bin.walk_seq, self.on_hand, self.bin.pickable)


def default_bin(session: Session, location_id: int) -> Bin:
    found = bin_by_code(session, location_id, DEFAULT_BIN)
    if found is not None:
        return found
    made = Bin(location_id=location_id, code=DEFAULT_BIN, walk_seq=DEFAULT_WALK_SEQ, pickable=True)
    with session.begin_nested():
        session.add(made)
    return made


def bin_by_code(session: Session, location_id: int, code: str) -> Bin | None:
    return session.scalar(select(Bin).where(Bin.location_id == location_id, Bin.code == code))


def slots(session: Session, location_id: int, product_ids: Iterable[int], *, lock: bool = False) -> list[Slot]:
    """Every bin of the location holding a row for one of the products, in walk order."""
    wanted = sorted(set(product_ids))
    if not wanted:
        return []
    q = (
        select(Bin, BinStock.product_id, BinStock.on_hand)
        .join(BinStock, BinStock.bin_id == Bin.id)
        .where(Bin.location_id == location_id, BinStock.product_id.in_(wanted))
        .order_by(Bin.walk_seq, Bin.code, BinStock.product_id)
    )
    if lock:
        q = q.with_for_update(of=BinStock)
    return [Slot(b, pid, qty) for b, pid, qty in session.execute(q).all()]


def _ensure_row(session: Session, bin_id: int, product_id: int) -> None:
    if session.get(BinStock, (bin_id, product_id)) is None:
        with session.begin_nested():
            session.add(BinStock(bin_id=bin_id, product_id=product_id, on_hand=0))


def put(session: Session, location_id: int, product_id: int, quantity: int, bin_code: str | None = None) -> Bin:
    """``quantity`` units into a bin: the one named (when it is at the location), else the product's home."""
    target = bin_by_code(session, location_id, bin_code) if bin_code else None
    if target is None:
        homes = slots(session, location_id, [product_id])
        pickable = [s.bin for s in homes if s.bin.pickable]
        target = (pickable or [s.bin for s in homes] or [default_bin(session, location_id)])[0]
    session.flush()
    _ensure_row(session, target.id, product_id)
    session.execute(
        update(BinStock)
        .where(BinStock.bin_id == target.id, BinStock.product_id == product_id)
        .values(on_hand=BinStock.on_hand + quantity)
    )
    return target


def take_from(session: Session, bin_id: int, product_id: int, quantity: int) -> bool:
    """Take exactly ``quantity`` from one bin; False (nothing taken) when it holds fewer."""
    done = session.execute(
        update(BinStock)
        .where(BinStock.bin_id == bin_id, BinStock.product_id == product_id, BinStock.on_hand >= quantity)
        .values(on_hand=BinStock.on_hand - quantity)
    )
    return bool(done.rowcount == 1)  # type: ignore[attr-defined]


def take(session: Session, location_id: int, units: dict[int, int]) -> dict[int, int]:
    """Units leave the location's bins by the picking allocation, then from reserve bins; returns what
    no bin held (per product id) — nothing, while the location figure is the sum of its bins."""
    missing: dict[int, int] = {}
    found = slots(session, location_id, units, lock=True)
    for product_id, qty in sorted(units.items()):
        need = qty
        mine = [s for s in found if s.product_id == product_id]
        for s in [s for s in mine if s.bin.pickable] + [s for s in mine if not s.bin.pickable]:
            part = min(need, s.on_hand)
            if part and take_from(session, s.bin.id, product_id, part):
                need -= part
            if need == 0:
                break
        if need:
            missing[product_id] = need
    return missing


def adjust(session: Session, location_id: int, product_id: int, delta: int, bin_code: str | None = None) -> None:
    """The bins' side of a stock adjustment at the location (``stock.adjust``)."""
    if delta > 0:
        put(session, location_id, product_id, delta, bin_code)
        return
    target = bin_by_code(session, location_id, bin_code) if bin_code else None
    if target is not None and take_from(session, target.id, product_id, -delta):
        return
    take(session, location_id, {product_id: -delta})


def layout_walk(rows: Iterable[tuple[str, str, int, int]]) -> dict[str, int]:
    """Walk sequence numbers for (bin code, aisle, bay, level) rows: aisles in name order, S-shaped."""
    listed = list(rows)
    aisles = sorted({a for _c, a, _b, _lv in listed})
    bays: dict[str, int] = {}
    for _c, a, b, _lv in listed:
        bays[a] = max(bays.get(a, 1), b)
    out: dict[str, int] = {}
    for code, aisle, bay, level in listed:
        try:
            out[code] = picking.walk_sequence(aisles.index(aisle), bay, level, bays[aisle])
        except DomainError as exc:
            raise Invalid(f"bin {code}: {exc}") from exc
    return out


def bins_sum(session: Session, location_id: int, product_id: int) -> int:
    """Units of the product in the location's bins (for checks and tests)."""
    rows = slots(session, location_id, [product_id])
    return sum(s.on_hand for s in rows)


def location_ids(session: Session, codes: Iterable[str]) -> dict[str, int]:
    wanted = set(codes)
    return dict(session.execute(select(m.Location.code, m.Location.id).where(m.Location.code.in_(wanted))).all())
