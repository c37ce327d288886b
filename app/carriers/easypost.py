"""EasyPost (``https://api.easypost.com/v2``) as a carrier: many carriers' rates through one API.

Flow, after EasyPost's documentation:

* ``POST /shipments`` with ``to_address``, ``from_address``, ``parcel`` (inches and ounces) and
  ``options.label_format = "ZPL"`` answers the shipment with its ``rates``;
* ``POST /shipments/{id}/buy`` with ``{"rate": {"id": ...}}`` buys one; the answer carries
  ``tracking_code`` and ``postage_label.label_zpl_url``;
* ``POST /shipments/{id}/refund`` voids an unused label (``refund_status``);
* ``POST /trackers`` follows a tracking code (``status`` and ``tracking_details``);
* ``POST /scan_forms`` with the day's shipments is the end-of-day manifest (``form_url``).

Authentication is HTTP Basic with the API key as user name. Each of our carrier names is
``easypost`` and the rate's ``service`` is ``"<carrier> <service>"`` (``"USPS Priority"``).

Buying is safe to repeat: before buying we read the shipment back, and a shipment that already has
a label (a previous attempt whose answer was lost in a timeout) is returned as it is, unbought
again. Rates are requested per parcel reference, so one parcel maps to one EasyPost shipment.
"""

from __future__ import annotations

import hashlib
import hmac
import time
import unicodedata
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx

from app.carriers.base import (
    CarrierError,
    CarrierTimeout,
    Label,
    Manifest,
    ParcelRequest,
    Rate,
    TrackingStatus,
    TrackingUpdate,
    VoidResult,
)
from app.domain.money import Money
from app.domain.orders import Address

GRAMS_PER_OUNCE = 28.349523125
MM_PER_INCH = 25.4

# EasyPost tracker statuses → ours. ``status_detail`` refines ``failure`` (lost parcels).
STATUS_MAP = {
    "unknown": TrackingStatus.UNKNOWN,
    "pre_transit": TrackingStatus.PRE_TRANSIT,
    "in_transit": TrackingStatus.IN_TRANSIT,
    "out_for_delivery": TrackingStatus.OUT_FOR_DELIVERY,
    "available_for_pickup": TrackingStatus.AVAILABLE_FOR_PICKUP,
    "delivered": TrackingStatus.DELIVERED,
    "return_to_sender": TrackingStatus.RETURNED_TO_SENDER,
    "failure": TrackingStatus.EXCEPTION,
    "error": TrackingStatus.EXCEPTION,
    "cancelled": TrackingStatus.EXCEPTION,
}


def map_status(status: str, status_detail: str = "") -> TrackingStatus:
    if "lost" in status_detail.lower():
        return TrackingStatus.LOST
    return STATUS_MAP.get(status.lower(), TrackingStatus.UNKNOWN)


def _when(value: object) -> datetime | None:
    """An EasyPost timestamp (ISO 8601, ``Z`` for UTC) as aware UTC; a time without zone is taken as UTC."""
    if not value:
        return None
    try:
        at = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        return (at if at.tzinfo else at.replace(tzinfo=UTC)).astimezone(UTC)
    except (ValueError, OverflowError) as exc:
        raise CarrierError(f"tracker time {str(value)[:40]!r} is not an ISO 8601 date and time") from exc


def tracker_update(tracker: dict[str, Any]) -> TrackingUpdate:
    """Our tracking update from an EasyPost tracker; ``CarrierError`` when the tracker is malformed."""
    if not isinstance(tracker, dict):
        raise CarrierError("tracker is not a JSON object")
    details = tracker.get("tracking_details") or []
    if not isinstance(details, list) or not all(isinstance(d, dict) for d in details):
        raise CarrierError("tracker tracking_details is not a list of objects")
    last = details[-1] if details else {}
    occurred = _when(last.get("datetime") or tracker.get("updated_at"))
    status = str(tracker.get("status") or "unknown")
    detail = str(tracker.get("status_detail") or "")
    return TrackingUpdate(
        tracking_number=str(tracker.get("tracking_code") or ""),
        status=map_status(status, detail),
        detail=str(last.get("message") or detail),
        carrier_status=status,
        occurred_at=occurred,
    )


def verify_webhook(body: bytes, signature_header: str | None, secret: str) -> bool:
    """EasyPost signs webhooks in ``X-Hmac-Signature: hmac-sha256-hex=<hex digest>``, keyed with the
    webhook secret (NFKD-normalised)."""
    if not secret or not signature_header:
        return False
    key = unicodedata.normalize("NFKD", secret).encode("utf-8")
    expected = "hmac-sha256-hex=" + hmac.new(key, body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), signature_header.strip().encode("ascii", "replace"))


def _address(a: Address) -> dict[str, Any]:
    out = {
        "name": a.name,
        "street1": a.line1,
        "street2": a.line2,
        "city": a.city,
        "state": a.region,
        "zip": a.postcode,
        "country": a.country,
        "phone": a.phone,
        "email": a.email,
    }
    return {k: v for k, v in out.items() if v}


class EasyPostCarrier:
    name = "easypost"
    #: EasyPost's ZPL labels are 4x6 at 203 dpi; the hub rescales them to the bench's printer profile
    label_dpi = 203
    label_size = "4x6"

    def __init__(
        self,
        api_key: str,
        *,
        base_url: str = "https://api.easypost.com/v2",
        http: httpx.Client | None = None,
        timeout_s: float = 20.0,
        sleep: Callable[[float], None] = time.sleep,
        max_attempts: int = 4,
    ) -> None:
        self.base = base_url.rstrip("/")
        self.http = http or httpx.Client(timeout=timeout_s)
        self.auth = httpx.BasicAuth(api_key, "")
        self.sleep = sleep
        self.max_attempts = max_attempts

    def _call(self, method: str, path: str, json: dict[str, Any] | None = None) -> dict[str, Any]:
        for _attempt in range(self.max_attempts):
            try:
                resp = self.http.request(method, self.base + path, json=json, auth=self.auth)
            except httpx.TimeoutException as exc:
                raise CarrierTimeout(f"EasyPost did not answer {method} {path} in time") from exc
            except httpx.TransportError as exc:
                raise CarrierError(f"EasyPost unreachable: {exc}") from exc
            if resp.status_code == 429:
                try:
                    self.sleep(max(0.0, float(resp.headers.get("Retry-After", "2"))))
                except ValueError:
                    self.sleep(2.0)
                continue
            if resp.status_code >= 400:
                try:
                    err = resp.json().get("error") or {}
                except ValueError:
                    err = {}
                code = err.get("code", resp.status_code)
                raise CarrierError(f"EasyPost {code}: {err.get('message') or resp.text[:200]}")
            data: dict[str, Any] = resp.json()
            return data
        raise CarrierError(f"EasyPost still rate-limiting after {self.max_attempts} attempts")

    def rates(self, parcel: ParcelRequest) -> list[Rate]:
        box: dict[str, Any] = {"weight": round(parcel.weight_g / GRAMS_PER_OUNCE, 1)}
        if parcel.dimensions is not None:
            d = parcel.dimensions
            box |= {
                "length": round(d.length_mm / MM_PER_INCH, 1),
                "width": round(d.width_mm / MM_PER_INCH, 1),
                "height": round(d.height_mm / MM_PER_INCH, 1),
            }
        shipment = self._call(
            "POST",
            "/shipments",
            {
                "shipment": {
                    "to_address": _address(parcel.ship_to),
                    "from_address": _address(parcel.ship_from),
                    "parcel": box,
                    "options": {"label_format": "ZPL"},
                    "reference": parcel.parcel_ref,
                }
            },
        )
        out = []
        for r in shipment.get("rates") or []:
            currency = str(r.get("currency") or "USD")
            days = r.get("delivery_days")
            out.append(
                Rate(
                    carrier=self.name,
                    service=f"{r['carrier']} {r['service']}",
                    amount=Money(_minor(str(r["rate"])), currency),
                    transit_days=int(days) if days is not None else None,
                    rate_id=str(r["id"]),
                    shipment_id=str(shipment["id"]),
                )
            )
        return out

    def buy(self, parcel: ParcelRequest, rate: Rate) -> Label:
        if not rate.shipment_id or not rate.rate_id:
            raise CarrierError("an EasyPost rate needs its shipment and rate ids")
        shipment = self._call("GET", f"/shipments/{rate.shipment_id}")
        if not shipment.get("tracking_code"):
            shipment = self._call("POST", f"/shipments/{rate.shipment_id}/buy", {"rate": {"id": rate.rate_id}})
        return self._label(parcel, rate, shipment)

    def _label(self, parcel: ParcelRequest, rate: Rate, shipment: dict[str, Any]) -> Label:
        postage = shipment.get("postage_label") or {}
        url = postage.get("label_zpl_url")
        if not url:
            # Bought in another format: ask EasyPost to convert it.
            postage = self._call("GET", f"/shipments/{shipment['id']}/label?file_format=ZPL").get("postage_label") or {}
            url = postage.get("label_zpl_url")
        if not url:
            raise CarrierError(f"EasyPost gave no ZPL label for {shipment['id']}")
        try:
            zpl = self.http.get(str(url)).text
        except httpx.HTTPError as exc:
            raise CarrierTimeout(f"label bought but its ZPL could not be fetched: {exc}") from exc
        selected = shipment.get("selected_rate") or {}
        amount = rate.amount
        if selected.get("rate"):
            amount = Money(_minor(str(selected["rate"])), str(selected.get("currency") or amount.currency))
        tracker = shipment.get("tracker") or {}
        return Label(
            parcel_ref=parcel.parcel_ref,
            carrier=self.name,
            service=rate.service,
            tracking_number=str(shipment["tracking_code"]),
            zpl=zpl,
            amount=amount,
            shipment_id=str(shipment["id"]),
            tracking_url=str(tracker.get("public_url") or ""),
        )

    def void(self, label: Label, reason: str) -> VoidResult:
        shipment = self._call("POST", f"/shipments/{label.shipment_id}/refund")
        status = str(shipment.get("refund_status") or "")
        return VoidResult(status in {"submitted", "refunded"}, f"EasyPost refund {status or 'unknown'}: {reason}")

    def track(self, tracking_number: str) -> TrackingUpdate:
        tracker = self._call("POST", "/trackers", {"tracker": {"tracking_code": tracking_number}})
        return tracker_update(tracker)

    def manifest(self, labels: Sequence[Label]) -> Manifest:
        mine = [lb for lb in labels if lb.carrier == self.name]
        if not mine:
            raise CarrierError("no EasyPost labels to manifest")
        form = self._call("POST", "/scan_forms", {"shipments": [{"id": lb.shipment_id} for lb in mine]})
        return Manifest(
            carrier=self.name,
            manifest_id=str(form["id"]),
            tracking_numbers=tuple(form.get("tracking_codes") or [lb.tracking_number for lb in mine]),
            document_url=str(form.get("form_url") or ""),
        )


def _minor(amount: str) -> int:
    return int((Decimal(amount) * 100).to_integral_value())
