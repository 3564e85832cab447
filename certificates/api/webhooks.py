"""Webhooks: an organization's owner registers an HTTPS endpoint and chooses events; every
matching audit event of the organization's applications, inspections and certificates
becomes a delivery, written in the event's own transaction (with its outbox row), and sent
by Celery (certificates.api.tasks) as a signed JSON POST.

The body is fixed when the event happens. Each POST carries
`X-Registrasi-Signature: t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>" with the secret>`.
A 2xx answer delivers it; anything else (a redirect too: redirects are not followed) is
logged as an attempt and tried again with exponential backoff for WEBHOOK_RETRY_HOURS. An
endpoint whose attempts failed for WEBHOOK_DISABLE_AFTER_HOURS is disabled and its owners
are emailed; the owner enables it again, and may send any delivery again.

Addresses are checked against SSRF when registered and again before every POST (the name
may resolve elsewhere by then), and the POST goes to the address checked. HTTPS to public
addresses only; private, loopback, link-local (cloud metadata) and reserved addresses are
refused, except that development (settings.WEBHOOK_ALLOW_PRIVATE_HOSTS, never in production)
allows a private address, and plain HTTP to this machine.
"""

import datetime
import hashlib
import hmac
import ipaddress
import json
import secrets
import socket
import time
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import requests
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from requests.adapters import HTTPAdapter

from applications.models import Application
from certificates.api.models import (
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from certificates.constants import EXPIRY_REMINDER
from certificates.models import Certificate
from inspections.models import Inspection
from registrasi import outbox
from registrasi.audit.services import audit_record
from registrasi.services import NotAllowed

DELIVER_TASK = "certificates.api.tasks.deliver_webhook"
DISABLED_TASK = "certificates.api.tasks.tell_endpoint_disabled"
SIGNATURE_HEADER = "X-Registrasi-Signature"
MAX_ENDPOINTS = 10
E = WebhookEvent

# Which audit action on which object is which webhook event (an application's change of
# state is recognised by its from and to states, see event_type_for).
ACTIONS = {
    Application: {
        "invoice_issued": E.INVOICE_ISSUED,
        "billing_paid": E.INVOICE_PAID,
        "billing_discrepancy_applied": E.INVOICE_PAID,
        "payment_recorded": E.INVOICE_PAID,
    },
    Inspection: {
        "schedule": E.INSPECTION_SCHEDULED,
        "reschedule": E.INSPECTION_SCHEDULED,
        "submit_pass": E.INSPECTION_OUTCOME,
        "submit_fail": E.INSPECTION_OUTCOME,
    },
    Certificate: {
        "issue": E.CERTIFICATE_ISSUED,
        "suspend": E.CERTIFICATE_SUSPENDED,
        "carry_suspension": E.CERTIFICATE_SUSPENDED,
        "reinstate": E.CERTIFICATE_REINSTATED,
        "lift_suspension": E.CERTIFICATE_REINSTATED,
        "revoke": E.CERTIFICATE_REVOKED,
        EXPIRY_REMINDER: E.CERTIFICATE_EXPIRING,
    },
}
# How an endpoint is reached from each kind of object (one query per matching event).
ENDPOINTS_OF = {
    Application: "organization__applications__pk",
    Inspection: "organization__applications__inspections__pk",
    Certificate: "organization__certificates__pk",
}
# Fields of the object the body carries (nothing personal).
FIELDS = {
    Application: ("reference", "kind", "state"),
    Inspection: ("application_id", "state", "window_start", "window_end"),
    Certificate: ("number", "state", "issued_on", "expires_on", "application_id"),
}
# From the event's details, what the body carries.
DATA_KEYS = ("number", "amount", "milestone", "invoice")


# Addresses ------------------------------------------------------------------------------
def _refused(ip: ipaddress.IPv4Address | ipaddress.IPv6Address, allow_private: bool) -> bool:
    if getattr(ip, "ipv4_mapped", None):
        ip = ip.ipv4_mapped
    if ip.is_link_local or ip.is_multicast or ip.is_unspecified:
        return True  # never: 169.254.169.254 is the cloud's metadata service
    if allow_private and (ip.is_private or ip.is_loopback):
        return False
    return not ip.is_global


def resolve(host: str, port: int) -> list:
    """Every address `host` resolves to."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]


def check_url(url: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """Refuse (ValidationError) an address a webhook may not be sent to; else return the
    checked address to connect to (so the name is not resolved again, elsewhere)."""
    allow_private = settings.WEBHOOK_ALLOW_PRIVATE_HOSTS
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValidationError(_("Enter an https:// address."), code="scheme")
    if parts.username or parts.password:
        raise ValidationError(_("The address may not contain a user name or password."))
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        addresses = resolve(parts.hostname, port)
    except (OSError, ValueError, UnicodeError) as error:
        raise ValidationError(_("The address's host name cannot be resolved."), "dns") from error
    if any(_refused(ip, allow_private) for ip in addresses):
        raise ValidationError(
            _("The address points to a private, local or reserved network."), code="private"
        )
    if parts.scheme == "http" and not (allow_private and all(ip.is_loopback for ip in addresses)):
        raise ValidationError(_("Enter an https:// address."), code="scheme")
    return addresses[0]


class PinnedAdapter(HTTPAdapter):
    """Connects to the address check_url approved while TLS still checks the certificate
    against (and SNI names) the endpoint's host name: a name that resolves to a public
    address when checked and to a private one a moment later (DNS rebinding) gets nowhere."""

    def __init__(self, hostname: str):
        self.hostname = hostname
        super().__init__(max_retries=0)

    def init_poolmanager(self, *args, **kwargs):
        kwargs.update(server_hostname=self.hostname, assert_hostname=self.hostname)
        super().init_poolmanager(*args, **kwargs)


def pinned_post(url: str, address, **kwargs) -> requests.Response:
    """POST to `url` at `address`, without proxies from the environment, redirects or
    retries."""
    parts = urlsplit(url)
    host = f"[{address}]" if address.version == 6 else str(address)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    with requests.Session() as session:
        session.trust_env = False
        session.mount(f"{parts.scheme}://", PinnedAdapter(parts.hostname))
        headers = {**kwargs.pop("headers", {}), "Host": parts.netloc}
        target = urlunsplit(parts._replace(netloc=f"{host}:{port}"))
        return session.post(target, headers=headers, allow_redirects=False, **kwargs)


# Endpoints ------------------------------------------------------------------------------
@dataclass(frozen=True)
class NewEndpoint:
    endpoint: WebhookEndpoint
    secret: str  # shown once


def _refuse_unless_owner(actor, organization_id):
    membership = actor.membership if actor.is_authenticated else None
    if (
        membership is None
        or not membership.is_owner
        or membership.organization_id != (organization_id)
    ):
        raise NotAllowed(_("Only an owner of the organization can manage webhooks."))


def endpoint_create(*, organization, actor, url: str, events: list[str]) -> NewEndpoint:
    _refuse_unless_owner(actor, organization.pk)
    check_url(url)
    unknown = set(events) - set(WebhookEvent.values)
    if unknown or not events:
        raise NotAllowed(_("Choose at least one event from the list."))
    if organization.webhook_endpoints.count() >= MAX_ENDPOINTS:
        raise NotAllowed(
            _("An organization may have at most %(n)s endpoints.") % {"n": MAX_ENDPOINTS}
        )
    secret = f"whsec_{secrets.token_urlsafe(32)}"
    with transaction.atomic():
        endpoint = WebhookEndpoint.objects.create(
            organization=organization,
            created_by=actor,
            url=url,
            events=sorted(set(events)),
            secret=secret,
        )
        _audit(actor, "webhook_create", endpoint)
    return NewEndpoint(endpoint=endpoint, secret=secret)


def endpoint_enable(*, endpoint, actor) -> WebhookEndpoint:
    """Enable a disabled endpoint; its deliveries still pending are tried at once."""
    _refuse_unless_owner(actor, endpoint.organization_id)
    with transaction.atomic():
        locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
        if locked.disabled_at is not None:
            locked.disabled_at, locked.failing_since = None, None
            locked.save(update_fields=["disabled_at", "failing_since"])
            _audit(actor, "webhook_enable", locked)
            locked.deliveries.filter(status=DeliveryStatus.PENDING).update(
                next_attempt_at=timezone.now()
            )
    return locked


def endpoint_delete(*, endpoint, actor) -> None:
    _refuse_unless_owner(actor, endpoint.organization_id)
    with transaction.atomic():
        _audit(actor, "webhook_delete", endpoint)
        endpoint.delete()


def delivery_send_again(*, delivery, actor) -> None:
    """The owner's "send again": one more attempt now, whatever the delivery's status."""
    _refuse_unless_owner(actor, delivery.endpoint.organization_id)
    with transaction.atomic():
        _audit(actor, "webhook_send_again", delivery.endpoint, delivery=delivery.pk)
        outbox.enqueue(DELIVER_TASK, delivery.pk, True)


def _audit(actor, action, endpoint, **data):
    audit_record(
        actor=actor,
        action=action,
        obj=endpoint.organization,
        data={"url": endpoint.url, "endpoint": endpoint.pk, **data},
    )


def recent_deliveries(endpoint, limit: int = 50):
    """The endpoint's latest deliveries, newest first, each with its attempts (newest
    first): the owner's page and the API show the same."""
    attempts = WebhookAttempt.objects.order_by("-started_at", "-pk")
    return endpoint.deliveries.prefetch_related(Prefetch("attempts", queryset=attempts))[:limit]


# Events -> deliveries -------------------------------------------------------------------
def _model_of(event):
    if event.content_type_id is None:
        return None
    model = event.content_type.model_class()
    return model if model in ACTIONS else None


def event_type_for(event) -> str | None:
    """The webhook event an audit event is, or None."""
    model = _model_of(event)
    if model is None:
        return None
    if event.action in ACTIONS[model]:
        return ACTIONS[model][event.action]
    # A change from one state to another (a draft being created is not one).
    if model is Application and event.from_state and event.to_state != event.from_state:
        return E.APPLICATION_STATE
    return None


def payload_for(event, event_type: str, obj) -> dict:
    model = type(obj)
    data = {"object": model._meta.model_name, "id": obj.pk}
    data.update({name: getattr(obj, name) for name in FIELDS[model]})
    data.update({key: event.data[key] for key in DATA_KEYS if key in event.data})
    return {
        "id": f"evt_{event.pk}",
        "type": event_type,
        "created_at": event.created_at,
        "action": event.action,
        "from_state": event.from_state,
        "to_state": event.to_state,
        "data": data,
    }


def on_audit_event(event) -> int:
    """Write a delivery (and its outbox row) for each enabled endpoint of the event's
    organization that chose its event type; returns how many. Runs inside the event's
    transaction, so a rolled-back change sends nothing."""
    return on_audit_events([event])


def on_audit_events(events: list) -> int:
    """`on_audit_event` for events of one model (a single event, or a daily scan's batch
    written in one INSERT): a fixed number of queries however many events."""
    typed = [(event, event_type_for(event)) for event in events]
    typed = [(event, kind) for event, kind in typed if kind is not None]
    if not typed:
        return 0
    model = _model_of(typed[0][0])
    wanted = _subscriptions(model, typed)
    if not wanted:
        return 0
    objects = model._default_manager.in_bulk({event.object_id for event, _kind, _e in wanted})
    rows = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(
            endpoint=endpoint,
            event=event,
            event_type=kind,
            payload=_payload(event, kind, objects[int(event.object_id)]),
        )
        for event, kind, endpoint in wanted
    )
    outbox.enqueue_many(DELIVER_TASK, [[row.pk] for row in rows])
    return len(rows)


def _subscriptions(model, typed: list) -> list:
    """(event, event type, endpoint) for every enabled endpoint of an event's organization
    that chose the event's type: one query."""
    path = ENDPOINTS_OF[model]
    ids = {event.object_id for event, _kind in typed}
    endpoints = WebhookEndpoint.objects.filter(
        disabled_at__isnull=True, **{f"{path}__in": ids}
    ).annotate(object_pk=F(path))
    by_object = {}
    for endpoint in endpoints:
        by_object.setdefault(str(endpoint.object_pk), []).append(endpoint)
    return [
        (event, kind, endpoint)
        for event, kind in typed
        for endpoint in by_object.get(event.object_id, [])
        if kind in endpoint.events
    ]


def _payload(event, kind: str, obj) -> dict:
    """The body as JSON types (dates as ISO strings), as stored and sent."""
    return json.loads(json.dumps(payload_for(event, kind, obj), cls=DjangoJSONEncoder))


# Sending --------------------------------------------------------------------------------
def body_of(delivery) -> bytes:
    return json.dumps(delivery.payload, sort_keys=True, separators=(",", ":")).encode()


def signature(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={digest.hexdigest()}"


def _claim(delivery_id: int, manual: bool) -> WebhookDelivery | None:
    now = timezone.now()
    lease = now + datetime.timedelta(seconds=settings.WEBHOOK_TIMEOUT + 60)
    rows = WebhookDelivery.objects.filter(
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now), pk=delivery_id
    )
    if not manual:
        due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
        rows = rows.filter(due, status=DeliveryStatus.PENDING, endpoint__disabled_at__isnull=True)
    if rows.update(claimed_until=lease) != 1:
        return None
    return WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)


def _post(delivery) -> tuple[int | None, str]:
    """(status code or None, error) of one POST."""
    endpoint = delivery.endpoint
    try:
        address = check_url(endpoint.url)
    except ValidationError as refusal:
        return None, f"refused: {' '.join(refusal.messages)}"
    body = body_of(delivery)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Registrasi-Webhooks/1",
        "X-Registrasi-Event": delivery.event_type,
        "X-Registrasi-Delivery": str(delivery.pk),
        SIGNATURE_HEADER: signature(endpoint.secret, int(time.time()), body),
    }
    try:
        response = pinned_post(
            endpoint.url, address, data=body, headers=headers, timeout=settings.WEBHOOK_TIMEOUT
        )
    except (requests.RequestException, SoftTimeLimitExceeded) as error:
        return None, f"{type(error).__name__}: {error}"
    response.close()
    if 200 <= response.status_code < 300:
        return response.status_code, ""
    return response.status_code, f"HTTP {response.status_code}"


def attempt(delivery_id: int, manual: bool = False) -> WebhookAttempt | None:
    """POST one delivery once, log the attempt, and decide what follows; None when there
    was nothing to do (delivered already, not due, endpoint disabled, another run has it)."""
    delivery = _claim(delivery_id, manual)
    if delivery is None:
        return None
    started = timezone.now()
    clock = time.monotonic()
    status_code, error = _post(delivery)
    logged = WebhookAttempt.objects.create(
        delivery=delivery,
        started_at=started,
        duration_ms=int((time.monotonic() - clock) * 1000),
        status_code=status_code,
        error=error[:500],
        succeeded=not error,
        manual=manual,
    )
    if logged.succeeded:
        _delivered(delivery)
    else:
        _failed(delivery, started, manual)
    return logged


def _delivered(delivery):
    now = timezone.now()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=DeliveryStatus.DELIVERED, delivered_at=now, next_attempt_at=None, claimed_until=None
    )
    WebhookEndpoint.objects.filter(pk=delivery.endpoint_id, failing_since__isnull=False).update(
        failing_since=None
    )


def backoff(attempts: int) -> datetime.timedelta:
    seconds = settings.WEBHOOK_RETRY_BACKOFF_BASE * 2 ** max(attempts - 1, 0)
    return datetime.timedelta(seconds=min(seconds, settings.WEBHOOK_RETRY_BACKOFF_MAX))


def _failed(delivery, now, manual):
    rows = WebhookDelivery.objects.filter(pk=delivery.pk)
    if manual:
        rows.update(claimed_until=None)
    elif now - delivery.created_at >= datetime.timedelta(hours=settings.WEBHOOK_RETRY_HOURS):
        rows.update(status=DeliveryStatus.FAILED, next_attempt_at=None, claimed_until=None)
    else:
        tries = delivery.attempts.filter(manual=False).count()
        rows.update(next_attempt_at=now + backoff(tries), claimed_until=None)
    _endpoint_failed(delivery.endpoint_id, now)


def _endpoint_failed(endpoint_id, now):
    """Note the failure; disable the endpoint (and tell its owners) once it has failed for
    WEBHOOK_DISABLE_AFTER_HOURS."""
    WebhookEndpoint.objects.filter(pk=endpoint_id, failing_since__isnull=True).update(
        failing_since=now
    )
    since = now - datetime.timedelta(hours=settings.WEBHOOK_DISABLE_AFTER_HOURS)
    with transaction.atomic():
        disabled = WebhookEndpoint.objects.filter(
            pk=endpoint_id, disabled_at__isnull=True, failing_since__lte=since
        ).update(disabled_at=now)
        if disabled:
            endpoint = WebhookEndpoint.objects.select_related("organization").get(pk=endpoint_id)
            _audit(None, "webhook_disabled", endpoint)
            outbox.enqueue(DISABLED_TASK, endpoint_id)


def retry_due(limit: int = 500) -> int:
    """Queue the pending deliveries whose next attempt is due, and those whose attempt
    died with its worker (its claim lapsed, nothing logged); the beat runs it each minute.
    Returns how many."""
    now = timezone.now()
    due_now = Q(next_attempt_at__lte=now) | Q(next_attempt_at__isnull=True, claimed_until__lt=now)
    with transaction.atomic():
        due = list(
            WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(due_now, status=DeliveryStatus.PENDING, endpoint__disabled_at__isnull=True)
            .order_by("next_attempt_at")
            .values_list("pk", flat=True)[:limit]
        )
        WebhookDelivery.objects.filter(pk__in=due).update(next_attempt_at=None, claimed_until=None)
        outbox.enqueue_many(DELIVER_TASK, [[pk] for pk in due])
    return len(due)
