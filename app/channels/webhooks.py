"""Webhook signatures: checked on the raw request body, before anything is parsed or stored."""

from __future__ import annotations

import base64
import hashlib
import hmac


def hmac_sha256_base64(secret: str, body: bytes) -> str:
    return base64.b64encode(hmac.new(secret.encode("utf-8"), body, hashlib.sha256).digest()).decode("ascii")


def verify_base64_hmac(body: bytes, signature: str | None, secret: str) -> bool:
    """True when ``signature`` is the base64 HMAC-SHA256 of ``body`` under ``secret``.

    This is the scheme of both Shopify (``X-Shopify-Hmac-Sha256``, keyed with the app's client
    secret) and WooCommerce (``X-WC-Webhook-Signature``, keyed with the webhook's secret). An empty
    secret never verifies: an unconfigured channel accepts nothing.
    """
    if not secret or not signature:
        return False
    expected = hmac_sha256_base64(secret, body)
    return hmac.compare_digest(expected.encode("ascii"), signature.strip().encode("ascii", "replace"))


def verify_shopify_webhook(body: bytes, hmac_header: str | None, client_secret: str) -> bool:
    return verify_base64_hmac(body, hmac_header, client_secret)


def verify_woocommerce_webhook(body: bytes, signature_header: str | None, webhook_secret: str) -> bool:
    return verify_base64_hmac(body, signature_header, webhook_secret)
