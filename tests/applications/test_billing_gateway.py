"""The HTTP billing backend against a small fake gateway started on localhost: codes issued,
5xx answers and timeouts retried by the Celery task, "code pending" shown meanwhile."""

import datetime
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import time_machine
from celery.exceptions import Retry
from django.urls import reverse
from django.utils import timezone

from applications.billing.adapters import BillingUnavailable, CodeRequest, HttpBackend
from applications.billing.models import BillingCode, CodeStatus
from applications.billing.services import billing_code_fetch
from tests.applications.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


class FakeGateway:
    """Answers POST /billing-codes with the next planned behaviour: "ok", a status code
    (500, 503, 400...) or "slow" (longer than the client's timeout)."""

    def __init__(self, plan):
        self.plan = list(plan)
        self.requests = []
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                gateway.requests.append((self.path, self.headers.get("Authorization"), body))
                step = gateway.plan.pop(0) if gateway.plan else "ok"
                if step == "slow":
                    time.sleep(1.5)
                    step = "ok"
                if step == "ok":
                    self._answer(
                        200, {"billing_code": "820261130000001", "expires_at": body["expires_at"]}
                    )
                else:
                    self._answer(step, {"error": "planned"})

            def _answer(self, status, data):
                payload = json.dumps(data).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def gateway(settings):
    def start(*plan):
        fake = FakeGateway(plan)
        settings.BILLING_BACKEND = "http"
        settings.BILLING_GATEWAY_URL = fake.url
        settings.BILLING_GATEWAY_TOKEN = "test-token"
        settings.BILLING_GATEWAY_TIMEOUT = 0.5
        return fake

    return start


def submit(applicant, capture):
    with capture(execute=True):
        return ApplicationFactory(submitted=True, created_by=applicant)


def test_the_gateway_issues_the_code(applicant, gateway, django_capture_on_commit_callbacks):
    with gateway("ok") as fake:
        application = submit(applicant, django_capture_on_commit_callbacks)
    code = BillingCode.objects.get(invoice__application=application)
    assert code.status == CodeStatus.ACTIVE and code.code == "820261130000001"
    path, auth, body = fake.requests[0]
    assert path == "/billing-codes" and auth == "Bearer test-token"
    assert body["amount"] == code.amount and body["reference"] == f"BC-{code.pk}"


def test_5xx_and_timeouts_leave_the_code_pending_until_a_retry_gets_it(
    client, applicant, gateway, django_capture_on_commit_callbacks
):
    with gateway(503, "slow", 500, "ok") as fake:
        # Eager mode: the task's first failure propagates (a worker would retry it).
        with pytest.raises((BillingUnavailable, Retry)):
            submit(applicant, django_capture_on_commit_callbacks)
        code = BillingCode.objects.get()
        assert code.status == CodeStatus.PENDING and code.code is None
        assert "503" in code.last_error
        client.force_login(applicant)
        page = client.get(reverse("billing:panel", args=[code.invoice_id])).content.decode()
        assert "data-code-pending" in page and 'hx-trigger="every 3s"' in page
        # The retries, as the worker runs them: a timeout, another 5xx, then the code.
        for _ in range(2):
            with pytest.raises(BillingUnavailable):
                billing_code_fetch(code_id=code.pk)
        assert billing_code_fetch(code_id=code.pk) == "issued"
        assert billing_code_fetch(code_id=code.pk) == "exists"  # a duplicate run: nothing
    code.refresh_from_db()
    assert code.status == CodeStatus.ACTIVE and code.request_attempts == 3
    assert len(fake.requests) == 4


def test_the_task_retries_gateway_failures_with_backoff():
    from applications.billing.tasks import issue_billing_code

    assert issue_billing_code.autoretry_for == (BillingUnavailable,)
    assert issue_billing_code.retry_backoff is True and issue_billing_code.max_retries >= 5
    assert issue_billing_code.acks_late is True


def test_codes_left_pending_are_asked_for_again_by_the_periodic_task(
    applicant, gateway, django_capture_on_commit_callbacks
):
    from applications.billing.tasks import retry_pending_codes

    with gateway(500, "ok"):
        with pytest.raises((BillingUnavailable, Retry)):
            submit(applicant, django_capture_on_commit_callbacks)
        code = BillingCode.objects.get()
        assert retry_pending_codes() == 0  # too young: its own retries are still running
        with time_machine.travel(timezone.now() + datetime.timedelta(minutes=11)):
            assert retry_pending_codes() == 1
    code.refresh_from_db()
    assert code.status == CodeStatus.ACTIVE


def test_a_4xx_is_not_retried(applicant, gateway, django_capture_on_commit_callbacks):
    with gateway(400, "ok") as fake, pytest.raises(Exception, match="refused"):
        submit(applicant, django_capture_on_commit_callbacks)
    assert len(fake.requests) == 1
    assert BillingCode.objects.get().status == CodeStatus.PENDING


@pytest.mark.parametrize(
    "answer",
    [{"billing_code": "12"}, {"billing_code": "820261130000001", "expires_at": "soon"}, []],
)
def test_an_unusable_answer_is_unavailable(gateway, answer, monkeypatch):
    import requests

    class Response:
        status_code = 200

        def json(self):
            return answer

    monkeypatch.setattr(requests, "post", lambda *a, **k: Response())
    request = CodeRequest("BC-1", "INV-1", 10, "PT", timezone.now())
    with pytest.raises(BillingUnavailable):
        HttpBackend().issue(request)
