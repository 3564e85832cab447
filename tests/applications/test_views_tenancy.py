"""Every object URL of the applications app is a 404 for people who may not see the object:
a member of another organization, an inspector not assigned to it, and a user without a role.
Nothing changes when they POST."""

import pytest
from django.urls import reverse

from applications.models import Application, DocumentVersion, Payment
from registrasi.audit.models import AuditEvent
from tests.applications.factories import ApplicationFactory, current_versions

# (url name, method, whether the URL takes the version instead of the application)
OBJECT_URLS = [
    ("detail", "get"),
    ("resume", "get"),
    ("step:company", "get"),
    ("step:company", "post"),
    ("step:operation", "get"),
    ("step:operation", "post"),
    ("step:documents", "get"),
    ("step:fee", "get"),
    ("step:review", "get"),
    ("upload", "post"),
    ("document_download", "get"),
    ("submit", "post"),
    ("withdraw", "get"),
    ("withdraw", "post"),
    ("start_review", "post"),
    ("return", "post"),
    ("accept", "post"),
    ("reject", "get"),
    ("reject", "post"),
    ("review_document", "post"),
]


@pytest.fixture
def application(staff_user):
    """Under review: it has documents, an invoice and every action in play."""
    return ApplicationFactory(under_review=True, staff=staff_user)


def url_for(name, application):
    version = current_versions(application)[0]
    if name.startswith("step:"):
        return reverse("applications:step", args=[application.pk, name.split(":")[1]])
    if name == "document_download":
        return reverse("applications:document_download", args=[version.pk])
    if name == "review_document":
        return reverse("applications:review_document", args=[application.pk, version.pk])
    return reverse(f"applications:{name}", args=[application.pk])


POST_DATA = {
    "expected_state": "under_review",
    "reason": "x",
    "return-reason": "x",
    "company_legal_name": "Taken over",
    "company_address": "x",
    "company_province": "bali",
    "document_type": "sop_manual",
    "payment-paid_on": "2026-01-01",
    "payment-reference": "x",
    "payment-amount": "1",
}


def request(client, method, url):
    if method == "post":
        return client.post(url, POST_DATA)
    return client.get(url)


def _snapshot(application):
    return (
        Application.objects.get(pk=application.pk).state,
        DocumentVersion.objects.count(),
        Payment.objects.count(),
        AuditEvent.objects.count(),
    )


@pytest.mark.parametrize(("name", "method"), OBJECT_URLS)
def test_a_member_of_another_organization_gets_404(client, outsider, application, name, method):
    client.force_login(outsider)
    before = _snapshot(application)

    response = request(client, method, url_for(name, application))

    assert response.status_code == 404
    assert _snapshot(application) == before


@pytest.mark.parametrize(("name", "method"), OBJECT_URLS)
def test_an_unassigned_inspector_gets_404(client, inspector, application, name, method):
    client.force_login(inspector)
    before = _snapshot(application)

    response = request(client, method, url_for(name, application))

    assert response.status_code == 404
    assert _snapshot(application) == before


@pytest.mark.parametrize(("name", "method"), OBJECT_URLS)
def test_a_user_without_a_role_gets_404(client, no_role_user, application, name, method):
    client.force_login(no_role_user)

    response = request(client, method, url_for(name, application))

    assert response.status_code == 404


@pytest.mark.parametrize(("name", "method"), OBJECT_URLS)
def test_anonymous_visitors_are_sent_to_log_in(client, application, name, method):
    response = request(client, method, url_for(name, application))

    assert response.status_code == 302
    assert reverse("accounts:login") in response.url


def test_the_owning_organizations_member_sees_the_application(client, application):
    client.force_login(application.created_by)

    assert client.get(url_for("detail", application)).status_code == 200
    assert client.get(url_for("document_download", application)).status_code == 200
