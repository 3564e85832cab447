"""The local billing simulator's payment side: "pay as a bank would". It builds the payment
report a bank and the state treasury would (a fresh NTPN and NTB), signs it with the shared
secret and POSTs it over HTTP to the portal's callback, exactly as the real billing system
does, so the whole path (signature, freshness, replay, idempotency) is exercised."""

import json
import secrets
from dataclasses import dataclass

import requests
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from applications.billing import signing

ALPHANUM = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def may_use(user) -> bool:
    """Staff always (with the simulator backend); applicants when the setting allows it
    (development)."""
    if settings.BILLING_BACKEND != "simulator" or not user.is_authenticated:
        return False
    if user.is_ministry_staff:
        return True
    return settings.BILLING_SIMULATOR_FOR_APPLICANTS and user.is_applicant


def callback_url(request) -> str:
    return settings.BILLING_SIMULATOR_CALLBACK_URL or request.build_absolute_uri(
        reverse("billing:callback")
    )


@dataclass(frozen=True)
class Answer:
    status: int
    text: str

    @property
    def ok(self):
        return self.status == 200


def report_for(code, *, amount: int, channel: str) -> dict:
    return {
        "billing_code": code.code,
        "ntpn": "".join(secrets.choice(ALPHANUM) for _ in range(16)),
        "ntb": "".join(secrets.choice("0123456789") for _ in range(12)),
        "amount": amount,
        "channel": channel,
        "paid_at": timezone.now().isoformat(),
    }


def send(url: str, body: bytes, headers: dict) -> Answer:
    """POST the signed report; tests replace this to reach the test client."""
    try:
        response = requests.post(url, data=body, headers=headers, timeout=10)
    except requests.RequestException as exc:
        return Answer(status=0, text=str(exc))
    return Answer(status=response.status_code, text=response.text[:500])


def pay(*, code, amount: int, channel: str, callback_url: str) -> Answer:
    body = json.dumps(report_for(code, amount=amount, channel=channel)).encode()
    headers = {"Content-Type": "application/json", **signing.signed_headers(body)}
    return send(callback_url, body, headers)
