"""End-of-day manifests: one per location and carrier (a carrier's collection is per address).

Each bought, unvoided, unmanifested label belongs to the location its order (a split order's
fulfilment) ships from; ``close_day`` hands one carrier the labels of one location, or of every
location one manifest each. The job (``manifest``), ``packbench hub close-day`` and
``POST /api/v1/shipping/manifests`` all come here.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from app.carriers.base import CarrierError
from app.hub import models as m
from app.hub.database import unit_of_work
from app.hub.services import catalog
from app.hub.services.errors import Invalid
from app.hub.services.label_store import CarrierUnavailable, label_of
from app.hub.services.shipping import ShippingConfig
from app.hub.shipping_models import ShippingLabel


@dataclass(frozen=True)
class ManifestAnswer:
    carrier: str
    location: str
    manifest_id: str
    tracking_numbers: tuple[str, ...]
    document: str
    document_url: str


def waiting(session: Session, carrier_name: str, location: str | None = None) -> dict[str, list[ShippingLabel]]:
    """The labels of ``carrier_name`` waiting for a manifest, by location code."""
    q = (
        select(ShippingLabel, m.Location.code)
        .join(m.Order, m.Order.id == ShippingLabel.order_id)
        .join(m.Location, m.Location.id == m.Order.location_id)
        .where(
            ShippingLabel.carrier == carrier_name,
            ShippingLabel.status == "bought",
            ShippingLabel.manifest_id.is_(None),
        )
        .order_by(m.Location.code, ShippingLabel.id)
    )
    if location is not None:
        q = q.where(m.Location.code == location)
    out: dict[str, list[ShippingLabel]] = {}
    for row, code in session.execute(q):
        out.setdefault(code, []).append(row)
    return out


def close_day(
    factory: sessionmaker[Session], config: ShippingConfig, carrier_name: str, location: str | None = None
) -> list[ManifestAnswer]:
    """A manifest of ``carrier_name`` for ``location`` (or one per location with labels waiting)."""
    carrier = config.carrier(carrier_name)
    with unit_of_work(factory) as session:
        if location is not None:
            catalog.location_by_code(session, location)
        groups = {
            code: ([label_of(r) for r in rows], [r.id for r in rows])
            for code, rows in waiting(session, carrier_name, location).items()
        }
    if not groups:
        at = f" at {location}" if location else ""
        raise Invalid(f"no {carrier_name} labels waiting for a manifest{at}")
    answers = []
    for code, (labels, ids) in sorted(groups.items()):
        try:
            manifest = carrier.manifest(labels)
        except CarrierError as exc:
            raise CarrierUnavailable(f"{code}: {exc}") from exc
        with unit_of_work(factory) as session:
            session.execute(
                update(ShippingLabel).where(ShippingLabel.id.in_(ids)).values(manifest_id=manifest.manifest_id)
            )
        answers.append(
            ManifestAnswer(
                manifest.carrier,
                code,
                manifest.manifest_id,
                manifest.tracking_numbers,
                manifest.document,
                manifest.document_url,
            )
        )
    return answers


def close_one(
    factory: sessionmaker[Session], config: ShippingConfig, carrier_name: str, location: str | None
) -> ManifestAnswer:
    """One manifest: for ``location``, or for the only location with labels waiting (Invalid naming
    them when several have)."""
    if location is None:
        with unit_of_work(factory) as session:
            found = sorted(waiting(session, carrier_name))
        if len(found) > 1:
            raise Invalid(f"{carrier_name} labels are waiting at {', '.join(found)}: name the location")
        location = found[0] if found else None
    return close_day(factory, config, carrier_name, location)[0]
