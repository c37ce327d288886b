"""Products, locations and cartons."""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field

from app.domain.barcodes import product_code_key
from app.domain.errors import DomainError


@dataclass(frozen=True, slots=True)
class Dimensions:
    """Outer size in millimetres."""

    length_mm: int
    width_mm: int
    height_mm: int

    def __post_init__(self) -> None:
        if min(self.length_mm, self.width_mm, self.height_mm) <= 0:
            raise DomainError("dimensions must be positive millimetres")

    @property
    def volume_mm3(self) -> int:
        return self.length_mm * self.width_mm * self.height_mm

    def sorted(self) -> tuple[int, int, int]:
        a, b, c = sorted((self.length_mm, self.width_mm, self.height_mm), reverse=True)
        return a, b, c


@dataclass(frozen=True, slots=True)
class Product:
    sku: str
    name: str
    weight_g: int
    dimensions: Dimensions
    barcodes: tuple[str, ...] = ()
    image_url: str | None = None

    def __post_init__(self) -> None:
        if not self.sku.strip():
            raise DomainError("a product needs a SKU")
        if self.weight_g < 0:
            raise DomainError(f"{self.sku}: weight must be >= 0 grams")

    def code_keys(self) -> set[str]:
        """All keys a scan of this product may arrive as (GTIN-14 or upper-case alias, and the SKU)."""
        keys = {product_code_key(b) for b in self.barcodes}
        keys.add(product_code_key(self.sku))
        return keys


class LocationKind(enum.StrEnum):
    WAREHOUSE = "warehouse"
    STORE = "store"


@dataclass(frozen=True, slots=True)
class Location:
    code: str
    name: str
    kind: LocationKind = LocationKind.WAREHOUSE
    latitude: float = 0.0
    longitude: float = 0.0
    rank: int = 100
    daily_capacity: int | None = None
    ships: bool = True
    accepts_pickup: bool = False

    def distance_km(self, latitude: float, longitude: float) -> float:
        """Great-circle (haversine) distance in kilometres."""
        r = 6371.0088
        p1, p2 = math.radians(self.latitude), math.radians(latitude)
        dp = p2 - p1
        dl = math.radians(longitude - self.longitude)
        a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
        return 2 * r * math.asin(min(1.0, math.sqrt(a)))


@dataclass(frozen=True, slots=True)
class Carton:
    """A box the bench can pack into: inner size in mm, its own weight (tare) in grams."""

    code: str
    inner: Dimensions
    tare_g: int
    max_weight_g: int = 30_000
    name: str = ""


@dataclass(frozen=True, slots=True)
class PackItem:
    dimensions: Dimensions
    weight_g: int
    quantity: int = 1


# Share of a carton's volume that real packing fills; the rest is dunnage and air.
FILL_FACTOR = 0.85


def carton_fits(carton: Carton, items: list[PackItem]) -> bool:
    total_volume = sum(i.dimensions.volume_mm3 * i.quantity for i in items)
    total_weight = sum(i.weight_g * i.quantity for i in items) + carton.tare_g
    if total_weight > carton.max_weight_g:
        return False
    if total_volume > carton.inner.volume_mm3 * FILL_FACTOR:
        return False
    box = carton.inner.sorted()
    return all(all(d <= b for d, b in zip(i.dimensions.sorted(), box, strict=True)) for i in items)


def suggest_carton(cartons: list[Carton], items: list[PackItem]) -> Carton | None:
    """The smallest carton (by inner volume) that holds every item, or None when none does."""
    for carton in sorted(cartons, key=lambda c: (c.inner.volume_mm3, c.tare_g, c.code)):
        if carton_fits(carton, items):
            return carton
    return None


@dataclass(slots=True)
class StockLevel:
    """Units of one SKU at one location. ``available`` = on hand - reserved."""

    location_code: str
    sku: str
    on_hand: int = 0
    reserved: int = 0
    history: list[tuple[int, str]] = field(default_factory=list)

    @property
    def available(self) -> int:
        return self.on_hand - self.reserved
