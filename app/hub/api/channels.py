"""Channel and carrier webhooks. The signature is checked on the raw body before anything is
parsed or stored; a forged call gets 401 and changes nothing. Each delivery id is applied once
(a replay answers ``duplicate``), and a channel order id is stored once per channel whatever
arrives. An edit (``orders/updated``, ``order.updated``, ``orders/paid``) goes through the order
pipeline: applied and routed again, or held for a person with the difference (``note``, ``changes``)."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from app.carriers.base import CarrierError
from app.carriers.easypost import tracker_update
from app.carriers.easypost import verify_webhook as verify_easypost
from app.channels.base import ChannelError, ChannelOrder
from app.channels.shopify import order_from_webhook
from app.channels.webhooks import verify_shopify_webhook, verify_woocommerce_webhook
from app.channels.woocommerce import order_from_rest
from app.hub.api.deps import Factory, public
from app.hub.api.schemas import refuse_bad_scalars
from app.hub.api.shipping import Config
from app.hub.database import unit_of_work
from app.hub.services import pipeline, shipping
from app.hub.services.clock import now
from app.hub.services.errors import HubError, Invalid, Unauthorized
from app.hub.shipping_models import WebhookReceipt

router = APIRouter(prefix="/api/v1/channels", tags=["channels"])

SHOPIFY_TOPICS = {"orders/create", "orders/updated", "orders/cancelled", "orders/paid"}
WOO_TOPICS = {"order.created", "order.updated", "order.deleted", "order.restored"}


def _parse(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise Invalid("webhook body is not JSON") from exc
    if not isinstance(data, dict):
        raise Invalid("webhook body is not a JSON object")
    try:
        refuse_bad_scalars(data, "webhook body")  # the same rule as every request body
    except ValueError as exc:
        raise Invalid(str(exc)) from exc
    return data


def _apply(
    factory: sessionmaker[Session], channel: str, delivery_id: str, topic: str, incoming: ChannelOrder, cfg: Any
) -> dict[str, Any]:
    with unit_of_work(factory) as session:
        if delivery_id and session.get(WebhookReceipt, (channel, delivery_id)) is not None:
            return {"duplicate": True}
        result = pipeline.ingest(session, incoming, cfg.order_rules)
        if delivery_id:
            session.add(
                WebhookReceipt(
                    channel=channel,
                    delivery_id=delivery_id,
                    topic=topic,
                    received_at=now(),
                    outcome=f"{result.number} {result.status} {result.note}".strip(),
                )
            )
        return {
            "duplicate": False,
            "order": result.number,
            "created": result.created,
            "status": result.status,
            "note": result.note,
            "changes": list(result.changes),
        }


@router.post("/shopify/webhooks", **public())
async def shopify_webhook(request: Request, factory: Factory, cfg: Config) -> JSONResponse:
    body = await request.body()
    if not verify_shopify_webhook(
        body, request.headers.get("X-Shopify-Hmac-Sha256"), cfg.webhook_secrets.get("shopify", "")
    ):
        raise Unauthorized("webhook signature does not match")
    topic = request.headers.get("X-Shopify-Topic", "")
    if topic not in SHOPIFY_TOPICS:
        return JSONResponse({"ignored": topic})
    try:
        incoming = order_from_webhook(_parse(body))
    except ChannelError as exc:
        raise Invalid(str(exc)) from exc
    if topic == "orders/cancelled":
        incoming = ChannelOrder(incoming.order, cancelled=True, updated_at=incoming.updated_at)
    delivery = request.headers.get("X-Shopify-Webhook-Id", "")
    return JSONResponse(await run_in_threadpool(_apply, factory, "shopify", delivery, topic, incoming, cfg))


@router.post("/woocommerce/webhooks", **public())
async def woocommerce_webhook(request: Request, factory: Factory, cfg: Config) -> JSONResponse:
    body = await request.body()
    topic = request.headers.get("X-WC-Webhook-Topic", "")
    if not topic:
        # WooCommerce pings a new webhook with a form body and no topic; answer 200, store nothing.
        return JSONResponse({"ignored": "ping"})
    if not verify_woocommerce_webhook(
        body, request.headers.get("X-WC-Webhook-Signature"), cfg.webhook_secrets.get("woocommerce", "")
    ):
        raise Unauthorized("webhook signature does not match")
    if topic not in WOO_TOPICS:
        return JSONResponse({"ignored": topic})
    try:
        incoming = order_from_rest(_parse(body))
    except ChannelError as exc:
        raise Invalid(str(exc)) from exc
    if topic == "order.deleted":
        incoming = ChannelOrder(incoming.order, cancelled=True, updated_at=incoming.updated_at)
    delivery = request.headers.get("X-WC-Webhook-Delivery-ID", "")
    return JSONResponse(await run_in_threadpool(_apply, factory, "woocommerce", delivery, topic, incoming, cfg))


@router.post("/easypost/webhooks", **public())
async def easypost_webhook(request: Request, factory: Factory, cfg: Config) -> JSONResponse:
    body = await request.body()
    if not verify_easypost(body, request.headers.get("X-Hmac-Signature"), cfg.webhook_secrets.get("easypost", "")):
        raise Unauthorized("webhook signature does not match")
    event = _parse(body)
    if not str(event.get("description", "")).startswith("tracker."):
        return JSONResponse({"ignored": event.get("description")})
    try:
        upd = tracker_update(event.get("result") or {})
    except CarrierError as exc:
        raise Invalid(f"EasyPost tracker refused: {exc}") from exc
    try:
        outcome = await run_in_threadpool(shipping.apply_tracking, factory, cfg, upd)
    except HubError as exc:
        return JSONResponse({"ignored": exc.message})
    return JSONResponse({"outcome": outcome})
