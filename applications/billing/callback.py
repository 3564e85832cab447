"""Reading the billing system's callback: body size, signature, freshness, JSON fields.

The body is JSON: {"billing_code": "15 digits", "ntpn": "16 chars", "ntb": "...",
"amount": integer Rupiah, "paid_at": ISO 8601 with offset, "channel": "..."}.
"""

import json

from django.conf import settings
from django.utils.dateparse import parse_datetime

from applications.billing import signing
from applications.billing.models import PaymentSource
from applications.billing.services import CODE_RE, NTPN_RE

is_fresh = signing.is_fresh
verify = signing.is_valid


def read_body(request) -> tuple[bytes, tuple | None]:
    """The raw body, or a refusal (status, reason) when it is too large."""
    limit = settings.BILLING_CALLBACK_MAX_BYTES
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return b"", (400, "bad content length")
    if declared > limit:
        return b"", (413, "body too large")
    body = request.read(limit + 1)
    if len(body) > limit:
        return b"", (413, "body too large")
    return body, None


def _text(data, key, max_length):
    value = data.get(key)
    if not isinstance(value, str) or not value.strip() or len(value) > max_length:
        return None
    value = value.strip()
    return value if value.isascii() and value.isprintable() else None


def parse(body: bytes) -> tuple[dict | None, str | None]:
    """The payment report for services.payment_receive, or (None, what is wrong)."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None, "malformed JSON"
    if not isinstance(data, dict):
        return None, "malformed JSON"
    code = _text(data, "billing_code", 15)
    ntpn = _text(data, "ntpn", 16)
    ntb = _text(data, "ntb", 32)
    channel = _text(data, "channel", 32)
    amount = data.get("amount")
    paid_at = parse_datetime(data["paid_at"]) if isinstance(data.get("paid_at"), str) else None
    if code is None or not CODE_RE.match(code):
        return None, "bad billing_code"
    if ntpn is None or not NTPN_RE.match(ntpn):
        return None, "bad ntpn"
    if ntb is None or channel is None:
        return None, "missing ntb or channel"
    if isinstance(amount, bool) or not isinstance(amount, int) or not 0 < amount < 10**15:
        return None, "bad amount"
    if paid_at is None or paid_at.tzinfo is None:
        return None, "bad paid_at"
    return {
        "code": code,
        "ntpn": ntpn,
        "ntb": ntb,
        "channel": channel,
        "amount": amount,
        "paid_at": paid_at,
        "source": PaymentSource.CALLBACK,
    }, None
