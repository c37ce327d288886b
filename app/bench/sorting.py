"""Sorting a batch-mode tote at the pack bench: scan a unit, be told which order it belongs to.

A batch-mode pick puts one SKU for several orders in one tote. ``SortSession`` takes the tote's orders
(in the hub's order: priority, then ship-by) and gives each scanned unit to the first order still
needing that SKU; when an order has all its units the packer is told to pack it (scan its number).
Pure, like the other sessions: a plain-dict snapshot, no I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from app.bench.feedback import Feedback, FeedbackKind, refused
from app.domain.barcodes import product_code_key
from app.domain.catalog import Product

K = FeedbackKind


class SortSession:
    def __init__(self) -> None:
        self.tote = ""
        self.needs: dict[str, dict[str, int]] = {}  # order -> sku -> units still to sort into it
        self.places: dict[str, int] = {}  # order -> its place on the sorting shelf (1…)

    @property
    def active(self) -> bool:
        return any(q for lines in self.needs.values() for q in lines.values())

    def begin(self, tote: str, orders: Sequence[dict[str, Any]]) -> Feedback:
        self.tote = tote
        self.needs = {}
        self.places = {}
        for i, o in enumerate(orders, start=1):
            lines: dict[str, int] = {}
            for ln in o.get("lines") or ():
                lines[str(ln["sku"])] = lines.get(str(ln["sku"]), 0) + int(ln["quantity"])
            self.needs[str(o["number"])] = lines
            self.places[str(o["number"])] = i
        units = sum(q for lines in self.needs.values() for q in lines.values())
        return Feedback(
            K.ORDER_STARTED, f"Sort {tote}: {units} unit(s) for {len(self.needs)} order(s). Scan each item."
        )

    def scan(self, raw: str, find: Callable[[str], Product | None]) -> Feedback:
        if not self.active:
            return refused(K.NOT_ALLOWED, "Nothing to sort: scan a tote.")
        product = find(product_code_key(raw))
        if product is None:
            return refused(K.UNKNOWN_CODE, f"{raw.strip()} is not a product we know.")
        number = next((n for n, lines in self.needs.items() if lines.get(product.sku, 0) > 0), None)
        if number is None:
            in_tote = any(product.sku in lines for lines in self.needs.values())
            kind = K.OVER_SCAN if in_tote else K.WRONG_ITEM
            return refused(kind, f"{product.name} is not wanted by any order of {self.tote}: set it aside.")
        self.needs[number][product.sku] -= 1
        place = self.places[number]
        if not any(self.needs[number].values()):
            return Feedback(
                K.SORTED, f"{product.name} → place {place}: order {number} complete, scan {number} to pack it."
            )
        return Feedback(K.SORTED, f"{product.name} → place {place} (order {number}).", sku=product.sku)

    def snapshot(self) -> dict[str, Any]:
        return {"tote": self.tote, "needs": self.needs, "places": self.places}

    def restore(self, snap: dict[str, Any]) -> None:
        self.tote = str(snap["tote"])
        self.needs = {k: dict(v) for k, v in snap["needs"].items()}
        self.places = {k: int(v) for k, v in snap["places"].items()}
