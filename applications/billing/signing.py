"""The callback signature: HMAC-SHA256 with the shared secret over `<timestamp>.<raw body>`,
hex-encoded, sent in X-Billing-Signature with the Unix timestamp in X-Billing-Timestamp."""

import hashlib
import hmac
import time

from django.conf import settings

SIGNATURE_HEADER = "X-Billing-Signature"
TIMESTAMP_HEADER = "X-Billing-Timestamp"


def signature(body: bytes, timestamp: str, secret: str | None = None) -> str:
    key = (secret or settings.BILLING_CALLBACK_SECRET).encode()
    return hmac.new(key, timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def signed_headers(body: bytes, timestamp: int | None = None) -> dict:
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    return {TIMESTAMP_HEADER: stamp, SIGNATURE_HEADER: signature(body, stamp)}


def is_valid(body: bytes, timestamp: str, given: str) -> bool:
    return hmac.compare_digest(signature(body, timestamp), given or "")


def is_fresh(timestamp: str, now: float | None = None) -> bool:
    """Within BILLING_CALLBACK_MAX_AGE_SECONDS of now (either way: clocks drift a little)."""
    if not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 12:
        return False
    now = time.time() if now is None else now
    return abs(now - int(timestamp)) <= settings.BILLING_CALLBACK_MAX_AGE_SECONDS
