"""A fake EasyPost v2 API: shipments with rates, buy (once), ZPL label download, refund, trackers,
scan forms. ``lose_next_buy_answer`` makes the next buy succeed but answer too late (the client
times out): exactly the case idempotent purchase must survive."""

from __future__ import annotations

import asyncio
import base64
import json
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

API_KEY = "EZTK_test"


@dataclass
class FakeEasyPost:
    base_url: str = ""
    shipments: dict[str, dict[str, Any]] = field(default_factory=dict)
    charges: int = 0
    lose_next_buy_answer: bool = False
    late_seconds: float = 1.0
    rate_limit_next: int = 0
    tracker_status: dict[str, tuple[str, str]] = field(default_factory=dict)
    received: list[dict[str, Any]] = field(default_factory=list)

    def app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/v2/shipments", self.create, methods=["POST"]),
                Route("/v2/shipments/{id}", self.get, methods=["GET"]),
                Route("/v2/shipments/{id}/buy", self.buy, methods=["POST"]),
                Route("/v2/shipments/{id}/refund", self.refund, methods=["POST"]),
                Route("/v2/trackers", self.tracker, methods=["POST"]),
                Route("/v2/scan_forms", self.scan_form, methods=["POST"]),
                Route("/labels/{id}.zpl", self.label_file, methods=["GET"]),
            ]
        )

    def _guard(self, request: Request) -> Response | None:
        expected = "Basic " + base64.b64encode(f"{API_KEY}:".encode()).decode()
        if request.headers.get("authorization") != expected:
            return JSONResponse({"error": {"code": "APIKEY.INACTIVE", "message": "bad key"}}, 401)
        if self.rate_limit_next:
            self.rate_limit_next -= 1
            return JSONResponse({"error": {"code": "RATE_LIMITED", "message": "slow down"}}, 429, {"Retry-After": "1"})
        return None

    async def create(self, request: Request) -> Response:
        if (refused := self._guard(request)) is not None:
            return refused
        body = json.loads(await request.body())["shipment"]
        self.received.append(body)
        sid = f"shp_{len(self.shipments) + 1:04d}"
        oz = float(body["parcel"]["weight"])
        rates = [
            {"id": f"rate_{sid}_1", "object": "Rate", "carrier": "USPS", "service": "GroundAdvantage",
             "rate": f"{5 + oz * 0.1:.2f}", "currency": "USD", "delivery_days": 4, "shipment_id": sid},
            {"id": f"rate_{sid}_2", "object": "Rate", "carrier": "USPS", "service": "Priority",
             "rate": f"{8 + oz * 0.1:.2f}", "currency": "USD", "delivery_days": 2, "shipment_id": sid},
            {"id": f"rate_{sid}_3", "object": "Rate", "carrier": "UPS", "service": "NextDayAir",
             "rate": "31.15", "currency": "USD", "delivery_days": 1, "shipment_id": sid},
        ]  # fmt: skip
        shipment = {
            "id": sid,
            "object": "Shipment",
            "reference": body.get("reference"),
            "options": body.get("options", {}),
            "rates": rates,
            "selected_rate": None,
            "postage_label": None,
            "tracking_code": None,
            "tracker": None,
            "refund_status": None,
        }
        self.shipments[sid] = shipment
        return JSONResponse(shipment, 201)

    async def get(self, request: Request) -> Response:
        if (refused := self._guard(request)) is not None:
            return refused
        shipment = self.shipments.get(request.path_params["id"])
        if shipment is None:
            return JSONResponse({"error": {"code": "NOT_FOUND", "message": "no such shipment"}}, 404)
        return JSONResponse(shipment)

    async def buy(self, request: Request) -> Response:
        if (refused := self._guard(request)) is not None:
            return refused
        shipment = self.shipments[request.path_params["id"]]
        if shipment["tracking_code"]:
            return JSONResponse(
                {"error": {"code": "SHIPMENT.POSTAGE.EXISTS", "message": "postage already exists"}}, 422
            )
        rate_id = json.loads(await request.body())["rate"]["id"]
        rate = next(r for r in shipment["rates"] if r["id"] == rate_id)
        self.charges += 1
        code = f"9400100000000000{len(self.shipments):04d}{self.charges:02d}"
        shipment.update(
            selected_rate=rate,
            tracking_code=code,
            postage_label={
                "object": "PostageLabel",
                "label_file_type": "application/zpl",
                "label_url": f"{self.base_url}/labels/{shipment['id']}.png",
                "label_zpl_url": f"{self.base_url}/labels/{shipment['id']}.zpl",
            },
            tracker={"id": f"trk_{shipment['id']}", "public_url": f"https://track.easypost.com/{code}"},
        )
        if self.lose_next_buy_answer:
            self.lose_next_buy_answer = False
            await asyncio.sleep(self.late_seconds)
        return JSONResponse(shipment)

    async def label_file(self, request: Request) -> Response:
        sid = request.path_params["id"]
        code = self.shipments[sid]["tracking_code"]
        return PlainTextResponse(f"^XA^FO50,50^BCN,100^FD{code}^FS^XZ\n")

    async def refund(self, request: Request) -> Response:
        if (refused := self._guard(request)) is not None:
            return refused
        shipment = self.shipments[request.path_params["id"]]
        shipment["refund_status"] = "submitted" if shipment["tracking_code"] else "rejected"
        return JSONResponse(shipment)

    async def tracker(self, request: Request) -> Response:
        if (refused := self._guard(request)) is not None:
            return refused
        code = json.loads(await request.body())["tracker"]["tracking_code"]
        status, detail = self.tracker_status.get(code, ("pre_transit", "label_created"))
        return JSONResponse(
            {
                "id": f"trk_{code}",
                "object": "Tracker",
                "tracking_code": code,
                "status": status,
                "status_detail": detail,
                "tracking_details": [
                    {
                        "object": "TrackingDetail",
                        "message": f"{status} ({detail})",
                        "status": status,
                        "datetime": "2026-11-22T15:04:00Z",
                    }
                ],
            }
        )

    async def scan_form(self, request: Request) -> Response:
        if (refused := self._guard(request)) is not None:
            return refused
        ids = [s["id"] for s in json.loads(await request.body())["shipments"]]
        codes = [self.shipments[i]["tracking_code"] for i in ids]
        return JSONResponse(
            {
                "id": "sf_0001",
                "object": "ScanForm",
                "status": "created",
                "tracking_codes": codes,
                "form_url": f"{self.base_url}/forms/sf_0001.pdf",
            }
        )
