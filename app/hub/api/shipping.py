"""Labels for the bench, voids, end-of-day manifests and tracking.

``POST /api/v1/orders/{number}/parcels/{parcel_no}/label`` is the bench's label call: it buys (or
returns the already bought) label for a packed order's parcel through rate shopping. 503 means
"not now, retry" (carrier down or timed out: the purchase stays pending and the retry completes it);
409 means "do not ship" (cancelled, not packed).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from app.carriers.base import TrackingStatus, TrackingUpdate
from app.hub.api import schemas as s
from app.hub.api.deps import DB, PACKING, SUPERVISION, Caller, Factory, ParcelNo, allow
from app.hub.services import manifests, scope, shipping
from app.hub.services.scope import Scope
from app.printing.profile import DEFAULT_PROFILE, FONT_PATTERN, PrinterProfile

router = APIRouter(prefix="/api/v1", tags=["shipping"])


def config(request: Request) -> shipping.ShippingConfig:
    """The app's shipping configuration: set on ``app.state.shipping`` (tests, embedders) or read from
    the environment once."""
    cfg: shipping.ShippingConfig | None = getattr(request.app.state, "shipping", None)
    if cfg is None:
        cfg = shipping.from_env(request.app.state.session_factory)
        request.app.state.shipping = cfg
    return cfg


Config = Annotated[shipping.ShippingConfig, Depends(config)]


class PrinterIn(s.Checked):
    """The bench's label printer profile: the label comes back as ZPL for it (default 4x6 at 203 dpi)."""

    model_config = ConfigDict(extra="forbid")
    dpi: Literal[203, 300, 600] = 203
    size: Literal["4x6", "4x4", "2x1"] = "4x6"
    darkness: int = Field(15, ge=0, le=30)
    speed_ips: int = Field(4, ge=2, le=14)
    media: Literal["direct", "transfer"] = "direct"
    language: Literal["zpl", "epl"] = "zpl"
    unicode_font: str = Field("", max_length=24, pattern=FONT_PATTERN)

    def profile(self) -> PrinterProfile:
        return PrinterProfile(**self.model_dump())


class ParcelIn(s.Checked):
    """What the bench sends; the hub uses its own record of the parcel (from the packed event).
    ``printer`` is the bench's printer profile the label is rendered (or rescaled) for."""

    parcel_no: int | None = Field(None, ge=1, le=1000)
    carton_code: str | None = Field(None, max_length=32)
    weight_g: s.Grams | None = None
    items: dict[s.Sku, Annotated[int, Field(ge=0, le=10_000)]] | None = Field(None, max_length=500)
    printer: PrinterIn | None = None


class LabelOut(BaseModel):
    carrier: str
    service: str
    tracking_number: str
    tracking_url: str
    zpl: str
    amount_minor: int
    currency: str
    reason: str
    reused: bool


class VoidIn(s.Checked):
    reason: Annotated[str, Field(min_length=1, max_length=500)]


class ManifestIn(s.Checked):
    """One carrier's manifest for one location; without ``location``, for the one location that has
    labels waiting (422 naming them when several have: a manifest is per location and carrier)."""

    carrier: Annotated[str, Field(min_length=1, max_length=40)]
    location: s.Code | None = None


class ManifestOut(BaseModel):
    carrier: str
    location: str
    manifest_id: str
    tracking_numbers: list[str]
    document: str
    document_url: str


class TrackingIn(s.Checked):
    tracking_number: Annotated[str, Field(min_length=1, max_length=64)]
    status: TrackingStatus
    detail: str = Field("", max_length=500)


@router.post(
    "/orders/{number}/parcels/{parcel_no}/label", response_model=LabelOut, **allow(*PACKING, scope=Scope.PARCEL)
)
async def buy_label(
    number: str, parcel_no: ParcelNo, factory: Factory, cfg: Config, body: ParcelIn | None = None
) -> LabelOut:
    profile = body.printer.profile() if body is not None and body.printer is not None else DEFAULT_PROFILE
    answer = await run_in_threadpool(shipping.buy_label, factory, cfg, number, parcel_no, profile)
    return LabelOut(**answer.__dict__)


@router.post("/orders/{number}/parcels/{parcel_no}/void", **allow(*SUPERVISION, scope=Scope.PARCEL))
async def void_label(number: str, parcel_no: ParcelNo, body: VoidIn, factory: Factory, cfg: Config) -> dict[str, str]:
    detail = await run_in_threadpool(shipping.void_label, factory, cfg, number, parcel_no, body.reason)
    return {"voided": f"{number}/{parcel_no}", "detail": detail}


@router.post("/shipping/manifests", response_model=ManifestOut, **allow(*SUPERVISION, scope=Scope.NONE))
async def close_day(body: ManifestIn, factory: Factory, cfg: Config) -> ManifestOut:
    m = await run_in_threadpool(manifests.close_one, factory, cfg, body.carrier, body.location)
    return ManifestOut(
        carrier=m.carrier,
        location=m.location,
        manifest_id=m.manifest_id,
        tracking_numbers=list(m.tracking_numbers),
        document=m.document,
        document_url=m.document_url,
    )


@router.post("/shipping/tracking", **allow(*SUPERVISION, scope=Scope.PARCEL))
async def record_tracking(body: TrackingIn, factory: Factory, cfg: Config, caller: Caller) -> dict[str, str]:
    """A tracking status from a courier without an API (or typed in by a supervisor)."""
    upd = TrackingUpdate(body.tracking_number, body.status, body.detail)
    return {"outcome": await run_in_threadpool(shipping.apply_tracking, factory, cfg, upd, caller)}


@router.post("/shipping/tracking/poll", **allow(*SUPERVISION, scope=Scope.NONE))
async def poll_tracking(factory: Factory, cfg: Config) -> dict[str, list[str]]:
    return {"changes": await run_in_threadpool(shipping.poll_tracking, factory, cfg)}


@router.get("/shipping/exceptions", **allow(*SUPERVISION, scope=Scope.PARCEL))
def tracking_exceptions(session: DB, caller: Caller) -> list[dict[str, Any]]:
    """Parcels returned to sender, lost or stuck, newest first."""
    return shipping.exceptions(session, scope.visible_location_id(caller))
