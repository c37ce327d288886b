"""Webhook signatures made the way the platforms make them, without the hub's own helper: the HMAC is
OpenSSL's (``openssl dgst -sha256 -hmac``), so a test signed here checks ``app.channels.webhooks``
against an independent implementation, and the published vectors below pin OpenSSL's use here too.

Shopify: ``X-Shopify-Hmac-Sha256`` is the base64 of the HMAC-SHA256 of the raw body keyed with the
app's client secret (described at https://webhookrelay.com/verify-shopify-webhook-signature/).
WooCommerce: ``X-WC-Webhook-Signature`` is the base64 of the HMAC-SHA256 of the payload keyed with the
webhook's secret (https://woocommerce.github.io/woocommerce-rest-api-docs/#webhooks, "Delivery/payload").
"""

from __future__ import annotations

import base64
import shutil
import subprocess

import pytest

# Published examples of the Shopify scheme (secret, raw body, X-Shopify-Hmac-Sha256), each checked by hand
# with ``printf BODY | openssl dgst -sha256 -hmac SECRET -binary | base64``:
SHOPIFY_VECTORS = (
    # https://gist.github.com/joyrexus/946ea887e2d21b950e20972c2f4f7139 ("make_hmac.py secret foo", as per
    # Shopify's documentation for webhook requests)
    ("secret", b"foo", "dzukRpPHVT1u4g9h6l0nV6mk9KRNKEGuTpW1LkzWLbQ="),
    # SQLPage's test "Shopify webhook HMAC validation with base64 output" (https://github.com/sqlpage/SQLPage,
    # sqlpage.hmac(..., 'sha256-base64'))
    (
        "test-webhook-secret",
        b'{"id":1234567890,"email":"customer@example.com","total_price":"123.45"}',
        "QNyObTlKbMx2qDlPF/ZOZcBqg5OgPg+2oky3zldc0Gw=",
    ),
)


def openssl_signature(secret: str, body: bytes) -> str:
    """base64(HMAC-SHA256(body, secret)) computed by the ``openssl`` command, not by Python's hmac."""
    if shutil.which("openssl") is None:
        pytest.skip("the openssl command is needed to sign webhooks independently of the hub")
    out = subprocess.run(
        ["openssl", "dgst", "-sha256", "-hmac", secret, "-binary"], input=body, capture_output=True, check=True
    )
    return base64.b64encode(out.stdout).decode("ascii")
