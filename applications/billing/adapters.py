"""One adapter for the billing system, chosen by settings.BILLING_BACKEND.

- SimulatorBackend ("simulator", the embedded default): issues codes itself; payments are
  made on the simulator's page (views.simulator_pay), which sends the same signed callback
  over HTTP that the real billing system sends.
- HttpBackend ("http"): a real billing gateway, JSON over HTTPS (README: "Billing gateway").

`issue(request)` returns an IssuedCode or raises BillingUnavailable (try again later: a
timeout, a connection error, a 5xx) or BillingRefused (the gateway said no: a 4xx).
"""

import datetime
import json
import secrets
from dataclasses import dataclass

import requests
from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_datetime


class BillingUnavailable(Exception):
    """The billing system did not answer usefully; the request is retried."""


class BillingRefused(Exception):
    """The billing system refused the request; retrying will not help."""


@dataclass(frozen=True)
class CodeRequest:
    reference: str  # our billing code row, "BC-<pk>": the gateway's idempotency key
    invoice_number: str
    amount: int
    payer_name: str
    expires_at: datetime.datetime


@dataclass(frozen=True)
class IssuedCode:
    code: str
    expires_at: datetime.datetime


def code_request_for(billing_code) -> CodeRequest:
    validity = datetime.timedelta(days=settings.BILLING_CODE_VALIDITY_DAYS)
    return CodeRequest(
        reference=f"BC-{billing_code.pk}",
        invoice_number=billing_code.reference,
        amount=billing_code.amount,
        payer_name=billing_code.payer_name,
        expires_at=billing_code.created_at + validity,
    )


class SimulatorBackend:
    name = "simulator"

    def issue(self, request: CodeRequest) -> IssuedCode:
        # 15 digits, like SIMPONI's; the unique column refuses the (very unlikely) repeat.
        code = "8" + "".join(secrets.choice("0123456789") for _ in range(14))
        return IssuedCode(code=code, expires_at=request.expires_at)


class HttpBackend:
    name = "http"

    def issue(self, request: CodeRequest) -> IssuedCode:
        payload = {
            "reference": request.reference,
            "invoice_number": request.invoice_number,
            "amount": request.amount,
            "payer_name": request.payer_name,
            "expires_at": request.expires_at.isoformat(),
        }
        data = self._post("/billing-codes", payload)
        if not isinstance(data, dict):
            raise BillingUnavailable(f"unusable answer from the billing gateway: {data!r}")
        code = str(data.get("billing_code", ""))
        expires_at = parse_datetime(str(data.get("expires_at", "")))
        if len(code) != 15 or not code.isascii() or not code.isdigit() or expires_at is None:
            raise BillingUnavailable(f"unusable answer from the billing gateway: {data!r}")
        if timezone.is_naive(expires_at):
            raise BillingUnavailable("the billing gateway's expiry has no time zone")
        return IssuedCode(code=code, expires_at=expires_at)

    def _post(self, path: str, payload: dict) -> dict:
        try:
            response = requests.post(
                settings.BILLING_GATEWAY_URL + path,
                json=payload,
                headers={"Authorization": f"Bearer {settings.BILLING_GATEWAY_TOKEN}"},
                timeout=settings.BILLING_GATEWAY_TIMEOUT,
            )
        except requests.RequestException as exc:
            raise BillingUnavailable(f"billing gateway unreachable: {exc}") from exc
        if response.status_code >= 500:
            raise BillingUnavailable(f"billing gateway answered {response.status_code}")
        if response.status_code >= 400:
            raise BillingRefused(f"billing gateway refused: {response.status_code}")
        try:
            return response.json()
        except (ValueError, json.JSONDecodeError) as exc:
            raise BillingUnavailable("billing gateway answered no JSON") from exc


BACKENDS = {"simulator": SimulatorBackend, "http": HttpBackend}


def get_backend():
    return BACKENDS[settings.BILLING_BACKEND]()
