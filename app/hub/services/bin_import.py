"""Bins and bin stock from CSV: ``packbench hub import-bins FILE --location CODE`` and
``POST /api/v1/admin/bins/import`` go through ``import_bins``.

Columns (header row, names case-insensitive): ``bin``, ``zone``, ``aisle``, ``bay``, ``level``,
``pickable`` (true/false, yes/no, 1/0), ``sku``, ``quantity``. One row per (bin, SKU); a bin without
stock has an empty ``sku``. The walk sequence of every bin is worked out from the file's layout
(``app.domain.picking.walk_sequence``). ``quantity`` sets the bin's units: the difference comes first
out of the default bin ``STOCK`` (slotting old stock), then as a received (or counted-out) adjustment,
so the location figure stays the sum of its bins. All or nothing: any bad row imports nothing and every
bad row is listed with its file row number (the header is row 1).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.domain import limits
from app.hub import models as m
from app.hub.bin_models import Bin, BinStock
from app.hub.services import bins, catalog, stock
from app.hub.services.errors import Invalid

COLUMNS = ("bin", "zone", "aisle", "bay", "level", "pickable", "sku", "quantity")
_TRUE = {"true", "yes", "1", "y"}
_FALSE = {"false", "no", "0", "n"}
MAX_ROWS = 100_000


class BinFileError(Invalid):
    """The file as a whole cannot be read (not CSV, missing columns)."""


@dataclass
class BinRow:
    row: int
    code: str
    zone: str
    aisle: str
    bay: int
    level: int
    pickable: bool
    sku: str
    quantity: int


@dataclass
class BinImportResult:
    bins: int = 0
    stock_rows: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        if self.errors:
            return f"{len(self.errors)} bad rows: nothing imported"
        return f"imported {self.bins} bins and {self.stock_rows} bin stock rows"


def _whole(value: str, name: str, low: int, high: int) -> int:
    if not value.strip().isdigit() or not low <= int(value) <= high:
        raise ValueError(f"{name} must be a whole number from {low} to {high}, not {value[:20]!r}")
    return int(value)


def _text(value: str, name: str, limit: int, *, required: bool) -> str:
    value = value.strip()
    problem = limits.text_problem(value, limit, allow_empty=not required)
    if problem:
        raise ValueError(f"{name} {problem}")
    return value


def parse(text: str) -> tuple[list[BinRow], list[str]]:
    """The rows and the row errors; BinFileError when the header is not there."""
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise BinFileError(f"the file lacks the columns {', '.join(missing)} (needs {', '.join(COLUMNS)})")
    reader.fieldnames = header
    rows: list[BinRow] = []
    errors: list[str] = []
    try:
        for n, raw in enumerate(reader, start=2):
            if n > MAX_ROWS:
                raise BinFileError(f"the file holds more than {MAX_ROWS} rows")
            cell = {k: (v or "") for k, v in raw.items() if isinstance(k, str) and isinstance(v, str)}
            try:
                flag = cell["pickable"].strip().lower()
                if flag not in _TRUE | _FALSE:
                    raise ValueError(f"pickable must be true or false, not {flag[:10]!r}")
                sku = _text(cell["sku"], "sku", limits.SKU, required=False)
                qty = cell["quantity"].strip()
                rows.append(
                    BinRow(
                        row=n,
                        code=_text(cell["bin"], "bin", limits.BIN, required=True),
                        zone=_text(cell["zone"], "zone", 20, required=False),
                        aisle=_text(cell["aisle"], "aisle", 20, required=True),
                        bay=_whole(cell["bay"], "bay", 1, 999),
                        level=_whole(cell["level"], "level", 1, 99),
                        pickable=flag in _TRUE,
                        sku=sku,
                        quantity=_whole(qty, "quantity", 0, limits.MAX_QUANTITY) if sku or qty else 0,
                    )
                )
            except ValueError as exc:
                errors.append(f"row {n}: {exc}")
    except csv.Error as exc:
        raise BinFileError(f"the file is not CSV: {exc}") from exc
    return rows, errors


def import_bins(session: Session, location_code: str, text: str) -> BinImportResult:
    """Store the file's bins and bin stock at the location, or nothing (the errors say why)."""
    loc = catalog.location_by_code(session, location_code)
    rows, errors = parse(text)
    result = BinImportResult(errors=errors)
    layout: dict[str, BinRow] = {}
    for r in rows:
        first = layout.setdefault(r.code, r)
        if (first.zone, first.aisle, first.bay, first.level, first.pickable) != (
            r.zone,
            r.aisle,
            r.bay,
            r.level,
            r.pickable,
        ):
            errors.append(f"row {r.row}: bin {r.code} is described differently on row {first.row}")
    products = catalog.products_by_sku(session, {r.sku for r in rows if r.sku})
    errors.extend(f"row {r.row}: unknown SKU {r.sku!r}" for r in rows if r.sku and r.sku not in products)
    try:
        walk = bins.layout_walk((b.code, b.aisle, b.bay, b.level) for b in layout.values())
    except Invalid as exc:
        errors.append(exc.message)
    if errors or not rows:
        if not rows and not errors:
            errors.append("the file holds no rows")
        return result
    for code, r in layout.items():
        found = bins.bin_by_code(session, loc.id, code) or Bin(location_id=loc.id, code=code)
        found.zone, found.aisle, found.bay, found.level = r.zone, r.aisle, r.bay, r.level
        found.pickable, found.walk_seq = r.pickable, walk[code]
        session.add(found)
    session.flush()
    for r in rows:
        if r.sku:
            _set_quantity(session, loc, layout_bin(session, loc.id, r.code), products[r.sku], r.quantity)
            result.stock_rows += 1
    result.bins = len(layout)
    return result


def layout_bin(session: Session, location_id: int, code: str) -> Bin:
    found = bins.bin_by_code(session, location_id, code)
    assert found is not None
    return found


def _set_quantity(session: Session, loc: m.Location, where: Bin, product: m.Product, quantity: int) -> None:
    row = session.scalar(select(BinStock).where(BinStock.bin_id == where.id, BinStock.product_id == product.id))
    delta = quantity - (row.on_hand if row else 0)
    if delta == 0:
        if row is None:
            session.add(BinStock(bin_id=where.id, product_id=product.id, on_hand=0))
        return
    if delta > 0 and where.code != bins.DEFAULT_BIN:
        default = bins.bin_by_code(session, loc.id, bins.DEFAULT_BIN)
        spare = session.get(BinStock, (default.id, product.id)) if default else None
        moved = min(delta, spare.on_hand if spare else 0)
        if moved and default is not None:
            bins.take_from(session, default.id, product.id, moved)
            bins.put(session, loc.id, product.id, moved, where.code)
            delta -= moved
    if delta:
        reason = "received" if delta > 0 else "cycle_count"
        stock.adjust(
            session,
            location_code=loc.code,
            sku=product.sku,
            delta=delta,
            reason=reason,
            note="bin import",
            bin_code=where.code,
        )
