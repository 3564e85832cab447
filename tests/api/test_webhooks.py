"""Webhooks: a small HTTP server on 127.0.0.1 receives the signed POSTs; a failing one (500)
gets its attempts logged, retried with backoff, and the endpoint disabled after a day; the
addresses are checked against SSRF; another organization (or a non-owner) gets 404."""

import datetime
import hashlib
import hmac
import ipaddress
import json
import ssl
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
import requests
import time_machine
from celery.exceptions import SoftTimeLimitExceeded
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from applications import services as application_services
from certificates.api import tasks, webhooks
from certificates.api.models import (
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
)
from inspections.constants import InspectionState
from registrasi.audit.models import AuditEvent
from registrasi.audit.services import audit_record
from tests.applications.factories import ApplicationFactory
from tests.certificates.factories import make_certificate
from tests.inspections.factories import make_inspection

pytestmark = pytest.mark.django_db


class Receiver:
    """An HTTP server on 127.0.0.1 (a thread) that records every POST and answers
    `status`."""

    def __init__(self):
        self.requests = []
        self.status = 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 (http.server's name)
                length = int(self.headers.get("Content-Length", 0))
                receiver.requests.append((dict(self.headers), self.rfile.read(length)))
                self.send_response(receiver.status)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = True  # development: HTTP to this machine
    server = Receiver()
    yield server
    server.close()


def register(owner, url, events=(WebhookEvent.APPLICATION_STATE,)):
    return webhooks.endpoint_create(
        organization=owner.organization, actor=owner, url=url, events=list(events)
    )


def verify(secret, headers, body):
    """What a receiver does: recompute the HMAC over "<t>.<body>" and compare."""
    parts = dict(item.split("=", 1) for item in headers["X-Registrasi-Signature"].split(","))
    expected = hmac.new(secret.encode(), f"{parts['t']}.".encode() + body, hashlib.sha256)
    return hmac.compare_digest(parts["v1"], expected.hexdigest())


def submit(applicant, capture):
    application = ApplicationFactory(created_by=applicant, with_documents=True)
    with capture(execute=True):
        application_services.application_submit(application=application, actor=applicant)
    return application


def test_a_state_change_is_posted_signed_to_the_endpoint(
    receiver, applicant, django_capture_on_commit_callbacks
):
    new = register(applicant, receiver.url)
    application = submit(applicant, django_capture_on_commit_callbacks)
    assert len(receiver.requests) == 1
    headers, body = receiver.requests[0]
    assert verify(new.secret, headers, body)
    assert not verify("whsec_wrong", headers, body)
    payload = json.loads(body)
    assert payload["type"] == "application.state_changed"
    assert payload["to_state"] == "submitted"
    assert payload["data"]["id"] == application.pk
    assert headers["X-Registrasi-Event"] == "application.state_changed"
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.DELIVERED
    attempt = WebhookAttempt.objects.get()
    assert (attempt.status_code, attempt.succeeded, attempt.error) == (200, True, "")
    # The task is idempotent: a delivered delivery is not sent twice.
    assert tasks.deliver_webhook(delivery.pk) is False
    assert len(receiver.requests) == 1


def test_events_not_chosen_and_rolled_back_changes_send_nothing(receiver, applicant):
    register(applicant, receiver.url, events=[WebhookEvent.CERTIFICATE_REVOKED])
    application = ApplicationFactory(created_by=applicant)
    with transaction.atomic():
        audit_record(actor=applicant, action="x", obj=application, from_state="a", to_state="b")
    assert not WebhookDelivery.objects.exists()
    register(applicant, receiver.url)
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(actor=applicant, action="x", obj=application, from_state="a", to_state="b")
        raise RuntimeError
    assert not WebhookDelivery.objects.exists()
    assert receiver.requests == []


def test_another_organizations_event_is_not_sent(
    receiver, applicant, outsider, django_capture_on_commit_callbacks
):
    register(outsider, receiver.url)
    submit(applicant, django_capture_on_commit_callbacks)
    assert receiver.requests == []


def test_a_failing_endpoint_is_retried_with_backoff_then_disabled_after_a_day(
    receiver, applicant, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_RETRY_HOURS = settings.WEBHOOK_DISABLE_AFTER_HOURS = 24
    applicant.language = "en"  # the owner's email is read in their language
    applicant.save(update_fields=["language"])
    receiver.status = 500
    new = register(applicant, receiver.url)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        submit(applicant, django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()
    first = delivery.next_attempt_at
    assert delivery.status == DeliveryStatus.PENDING
    assert first == start + datetime.timedelta(seconds=settings.WEBHOOK_RETRY_BACKOFF_BASE)

    def retry_at(moment):
        with (
            time_machine.travel(moment, tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            return tasks.retry_webhooks()

    assert retry_at(first - datetime.timedelta(seconds=1)) == 0  # not due yet
    assert retry_at(first) == 1
    delivery.refresh_from_db()
    # Backoff doubles: 30 s after the first attempt, 60 s after the second.
    assert delivery.next_attempt_at == first + 2 * datetime.timedelta(
        seconds=settings.WEBHOOK_RETRY_BACKOFF_BASE
    )
    assert retry_at(start + datetime.timedelta(hours=23)) == 1
    assert WebhookDelivery.objects.get().status == DeliveryStatus.PENDING
    assert WebhookEndpoint.objects.get().disabled_at is None
    assert retry_at(start + datetime.timedelta(hours=25)) == 1
    attempts = WebhookAttempt.objects.filter(delivery=delivery)
    assert attempts.count() == 4 == len(receiver.requests)
    assert set(attempts.values_list("status_code", "error")) == {(500, "HTTP 500")}
    assert WebhookDelivery.objects.get().status == DeliveryStatus.FAILED
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.disabled_at is not None
    assert AuditEvent.objects.filter(action="webhook_disabled").exists()
    assert [m.to for m in mail.outbox if "disabled" in m.subject] == [[applicant.email]]
    assert new.secret not in mail.outbox[-1].body
    assert tasks.tell_endpoint_disabled(endpoint.pk) == 0  # told once
    # Disabled: new events are not delivered to it.
    submit(applicant, django_capture_on_commit_callbacks)
    assert WebhookDelivery.objects.count() == 1


def test_the_owner_sends_a_failed_delivery_again_and_enables_the_endpoint(
    receiver, applicant, client, django_capture_on_commit_callbacks
):
    receiver.status = 500
    register(applicant, receiver.url)
    submit(applicant, django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()
    WebhookEndpoint.objects.update(disabled_at=timezone.now(), failing_since=timezone.now())
    receiver.status = 204
    client.force_login(applicant)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/api/webhooks/deliveries/{delivery.pk}/send-again/")
    assert response.status_code == 302
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.DELIVERED
    assert WebhookAttempt.objects.filter(manual=True, status_code=204).exists()
    page = client.get(f"/api/webhooks/{delivery.endpoint_id}/").content.decode()
    assert "204" in page and "500" in page and "Send again" in page
    response = client.post(f"/api/webhooks/{delivery.endpoint_id}/enable/")
    assert response.status_code == 302
    assert WebhookEndpoint.objects.get().disabled_at is None


def test_an_owner_registers_an_endpoint_and_sees_its_secret_once(client, applicant, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = True
    client.force_login(applicant)
    response = client.post(
        "/api/webhooks/",
        {"url": "http://127.0.0.1:9/hook", "events": ["certificate.issued", "invoice.paid"]},
    )
    assert response.status_code == 200
    secret = response.context["new"].secret
    assert secret in response.content.decode()
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.events == ["certificate.issued", "invoice.paid"]
    again = client.get("/api/webhooks/").content.decode()
    assert secret not in again and "127.0.0.1:9" in again
    assert secret not in str(AuditEvent.objects.values_list("data", flat=True))


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "https://169.254.169.254/",
        "http://127.0.0.1/",
        "https://127.0.0.1/",
        "https://localhost/",
        "https://10.0.0.5/",
        "https://192.168.1.10/",
        "https://172.16.0.1/",
        "https://100.64.0.1/",
        "https://0.0.0.0/",
        "https://[::1]/",
        "https://[fd00:ec2::254]/",
        "https://[::ffff:10.0.0.1]/",
        "http://8.8.8.8/",
        "ftp://8.8.8.8/",
        "https://user:pw@8.8.8.8/",
        "https://no-such-host.invalid/",
    ],
)
def test_production_refuses_private_local_and_plain_http_addresses(url, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = False
    with pytest.raises(ValidationError):
        webhooks.check_url(url)


def test_a_public_https_address_is_accepted(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = False
    webhooks.check_url("https://8.8.8.8/hook")


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("http://127.0.0.1:8000/hook", True),
        ("https://10.0.0.5/", True),
        ("http://10.0.0.5/", False),  # plain HTTP only to this machine
        ("http://169.254.169.254/", False),  # the metadata service never
    ],
)
def test_development_allows_this_machine(url, allowed, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = True
    if allowed:
        webhooks.check_url(url)
    else:
        with pytest.raises(ValidationError):
            webhooks.check_url(url)


def test_an_address_checked_again_before_each_post(
    receiver, applicant, settings, django_capture_on_commit_callbacks
):
    register(applicant, receiver.url)
    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = False  # the name now points somewhere refused
    submit(applicant, django_capture_on_commit_callbacks)
    assert receiver.requests == []
    attempt = WebhookAttempt.objects.get()
    assert attempt.status_code is None and attempt.error.startswith("refused")


def test_the_page_refuses_a_private_address(client, applicant, settings):
    settings.WEBHOOK_ALLOW_PRIVATE_HOSTS = False
    client.force_login(applicant)
    response = client.post(
        "/api/webhooks/", {"url": "https://169.254.169.254/", "events": ["invoice.paid"]}
    )
    assert response.status_code == 200
    assert "url" in response.context["form"].errors
    assert not WebhookEndpoint.objects.exists()


def test_others_get_404_on_every_webhook_url(
    client, receiver, applicant, member, outsider, staff_user, django_capture_on_commit_callbacks
):
    register(applicant, receiver.url)
    submit(applicant, django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()
    endpoint = delivery.endpoint
    for user in (member, staff_user):
        client.force_login(user)
        assert client.get("/api/webhooks/").status_code == 404
    for user in (member, outsider, staff_user):  # the outsider owns another organization
        client.force_login(user)
        assert client.get(f"/api/webhooks/{endpoint.pk}/").status_code == 404
        for path in (
            f"/api/webhooks/{endpoint.pk}/enable/",
            f"/api/webhooks/{endpoint.pk}/delete/",
            f"/api/webhooks/deliveries/{delivery.pk}/send-again/",
        ):
            assert client.post(path).status_code == 404, (user, path)
    assert WebhookEndpoint.objects.exists()
    assert WebhookAttempt.objects.count() == 1


def test_another_organizations_owner_gets_404_on_this_endpoint(
    client, receiver, applicant, outsider
):
    endpoint = register(applicant, receiver.url).endpoint
    register(outsider, receiver.url)
    client.force_login(outsider)
    assert client.get(f"/api/webhooks/{endpoint.pk}/").status_code == 404
    assert client.post(f"/api/webhooks/{endpoint.pk}/delete/").status_code == 404
    assert receiver.url in client.get("/api/webhooks/").content.decode()
    assert WebhookEndpoint.objects.count() == 2


def test_the_owner_deletes_an_endpoint(client, receiver, applicant):
    endpoint = register(applicant, receiver.url).endpoint
    client.force_login(applicant)
    assert client.post(f"/api/webhooks/{endpoint.pk}/delete/").status_code == 302
    assert not WebhookEndpoint.objects.exists()
    assert AuditEvent.objects.filter(action="webhook_delete").exists()


def test_inspection_and_certificate_events_reach_the_endpoint(
    receiver, applicant, django_capture_on_commit_callbacks
):
    events = [
        WebhookEvent.INSPECTION_SCHEDULED,
        WebhookEvent.INSPECTION_OUTCOME,
        WebhookEvent.CERTIFICATE_ISSUED,
        WebhookEvent.CERTIFICATE_SUSPENDED,
    ]
    register(applicant, receiver.url, events=events)
    with django_capture_on_commit_callbacks(execute=True):
        certificate = make_certificate(quick=True, organization=applicant.organization)
    with django_capture_on_commit_callbacks(execute=True):
        make_inspection(InspectionState.FAILED, organization=applicant.organization)
    bodies = [json.loads(body) for _headers, body in receiver.requests]
    types = [body["type"] for body in bodies]
    assert {"certificate.issued", "inspection.scheduled", "inspection.outcome"} <= set(types)
    outcome = next(body for body in bodies if body["type"] == "inspection.outcome")
    assert (outcome["action"], outcome["data"]["state"]) == ("submit_fail", "failed")
    issued = next(body for body in bodies if body["type"] == "certificate.issued")
    assert issued["data"]["number"] == certificate.number
    assert issued["data"]["object"] == "certificate"
    scheduled = next(body for body in bodies if body["type"] == "inspection.scheduled")
    assert scheduled["data"]["object"] == "inspection" and scheduled["data"]["window_start"]
    assert WebhookDelivery.objects.filter(status=DeliveryStatus.DELIVERED).count() == len(bodies)


def test_a_token_reads_the_endpoints_and_their_deliveries(
    receiver, applicant, write_client, other_client, django_capture_on_commit_callbacks
):
    endpoint = register(applicant, receiver.url).endpoint
    submit(applicant, django_capture_on_commit_callbacks)
    [listed] = write_client.get("/api/v1/webhooks/").json()
    assert (listed["id"], listed["url"], listed["enabled"]) == (endpoint.pk, receiver.url, True)
    assert "secret" not in listed
    [delivery] = write_client.get(f"/api/v1/webhooks/{endpoint.pk}/deliveries/").json()
    assert delivery["status"] == "delivered"
    assert delivery["attempts"][0]["status_code"] == 200
    assert other_client.get("/api/v1/webhooks/").json() == []
    assert other_client.get(f"/api/v1/webhooks/{endpoint.pk}/deliveries/").status_code == 404


def test_an_attempt_cut_off_by_the_time_limit_is_logged_and_retried(
    receiver, applicant, monkeypatch, django_capture_on_commit_callbacks
):
    def hung(*args, **kwargs):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(webhooks.requests.Session, "post", hung)
    register(applicant, receiver.url)
    submit(applicant, django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == DeliveryStatus.PENDING and delivery.next_attempt_at
    assert WebhookAttempt.objects.get().error.startswith("SoftTimeLimitExceeded")


def test_a_delivery_whose_worker_died_is_sent_by_the_next_scan(
    receiver, applicant, django_capture_on_commit_callbacks
):
    endpoint = register(applicant, receiver.url).endpoint
    application = ApplicationFactory(created_by=applicant)
    with transaction.atomic():  # its task is never run: the worker died mid-attempt
        audit_record(actor=applicant, action="x", obj=application, from_state="a", to_state="b")
    lapsed = timezone.now() - datetime.timedelta(seconds=1)
    WebhookDelivery.objects.update(claimed_until=lapsed)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.retry_webhooks() == 1
    assert WebhookDelivery.objects.get(endpoint=endpoint).status == DeliveryStatus.DELIVERED
    assert len(receiver.requests) == 1


def test_the_post_goes_to_the_address_that_was_checked(
    receiver, applicant, monkeypatch, django_capture_on_commit_callbacks
):
    """The name is resolved once per attempt, by the check; the connection goes to that
    address with the name in the Host header (a second lookup could answer elsewhere)."""
    lookups = []

    def resolve(host, port):
        lookups.append(host)
        return [ipaddress.ip_address("127.0.0.1")]

    monkeypatch.setattr(webhooks, "resolve", resolve)
    port = receiver.server.server_port
    register(applicant, f"http://hooks.example.invalid:{port}/hook")
    submit(applicant, django_capture_on_commit_callbacks)
    [(headers, _body)] = receiver.requests
    assert headers["Host"] == f"hooks.example.invalid:{port}"
    assert lookups == ["hooks.example.invalid"] * 2  # registration, then the attempt
    assert WebhookDelivery.objects.get().status == DeliveryStatus.DELIVERED


def _self_signed(tmp_path, hostname):
    """A certificate for `hostname` (its own CA) and its key, as PEM files."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hostname)])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(hostname)]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file


def test_https_to_the_checked_address_still_verifies_the_certificate_for_the_name(tmp_path):
    cert_file, key_file = _self_signed(tmp_path, "hooks.example.test")
    server = Receiver()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    server.server.socket = context.wrap_socket(server.server.socket, server_side=True)
    try:
        port = server.server.server_port
        loopback = ipaddress.ip_address("127.0.0.1")
        url = f"https://hooks.example.test:{port}/hook"
        response = webhooks.pinned_post(url, loopback, data=b"{}", verify=str(cert_file))
        assert response.status_code == 200
        assert server.requests[0][0]["Host"] == f"hooks.example.test:{port}"
        with pytest.raises(requests.exceptions.SSLError):
            webhooks.pinned_post(
                f"https://other.example.test:{port}/hook", loopback, verify=str(cert_file)
            )
    finally:
        server.close()


def test_the_daily_scans_reminders_reach_the_endpoints_that_chose_them(
    receiver, applicant, staff_user, django_capture_on_commit_callbacks
):
    """The reminder scan writes its events in one INSERT (no post_save): each reminder still
    reaches its own organization's endpoint, and only one that chose "certificate.expiring"."""
    from certificates import reminders
    from tests.factories import OrganizationFactory, make_applicant

    issued = datetime.datetime(2026, 4, 1, 3, 0, tzinfo=datetime.UTC)
    other_owner = make_applicant(OrganizationFactory(), owner=True)
    with time_machine.travel(issued):
        ours = make_certificate(quick=True, organization=applicant.organization, staff=staff_user)
        theirs = make_certificate(quick=True, organization=other_owner.organization)
    register(applicant, receiver.url, events=[WebhookEvent.CERTIFICATE_EXPIRING])
    register(other_owner, receiver.url, events=[WebhookEvent.CERTIFICATE_ISSUED])
    seven_days_before = ours.expires_on - datetime.timedelta(days=7)
    morning = datetime.datetime.combine(seven_days_before, datetime.time(2, 0), tzinfo=datetime.UTC)
    with time_machine.travel(morning), django_capture_on_commit_callbacks(execute=True):
        sent = reminders.send_due_reminders()
    assert len(sent) == 2  # both certificates were due; only ours is a webhook event
    bodies = [json.loads(body) for _headers, body in receiver.requests]
    assert [(b["type"], b["data"]["number"], b["data"]["milestone"]) for b in bodies] == [
        ("certificate.expiring", ours.number, 7)
    ]
    assert not WebhookDelivery.objects.filter(payload__data__number=theirs.number).exists()
