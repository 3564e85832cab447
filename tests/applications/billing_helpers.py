"""Shared by the billing tests: a submitted application whose billing code was issued, and
a signed callback posted the way the billing system posts it."""

import json
import secrets
import time

from django.urls import reverse
from django.utils import timezone

from applications.billing import signing
from applications.billing.models import BillingCode, CodeStatus
from applications.models import Application
from tests.applications.factories import ApplicationFactory

CALLBACK = "/billing/callback/"


def submitted_with_code(applicant, capture, **kwargs):
    """A submitted application (by `applicant`) with its code issued and slip rendered."""
    with capture(execute=True):
        application = ApplicationFactory(submitted=True, created_by=applicant, **kwargs)
    application = Application.objects.get(pk=application.pk)
    return application, live_code(application)


def live_code(application):
    return BillingCode.objects.get(
        invoice=application.invoice, status__in=[CodeStatus.PENDING, CodeStatus.ACTIVE]
    )


def new_ntpn():
    return "".join(secrets.choice("0123456789ABCDEF") for _ in range(16))


def report(code, *, amount=None, ntpn=None, paid_at=None):
    return {
        "billing_code": code.code,
        "ntpn": ntpn or new_ntpn(),
        "ntb": "123456789012",
        "amount": code.amount if amount is None else amount,
        "channel": "atm",
        "paid_at": (paid_at or timezone.now()).isoformat(),
    }


def post_callback(client, data=None, *, body=None, timestamp=None, signature=None):
    body = body if body is not None else json.dumps(data).encode()
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    headers = {
        "HTTP_X_BILLING_TIMESTAMP": stamp,
        "HTTP_X_BILLING_SIGNATURE": signature or signing.signature(body, stamp),
    }
    return client.post(
        reverse("billing:callback"), body, content_type="application/json", **headers
    )
