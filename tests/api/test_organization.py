"""Organization endpoints with a token: the same services, rules and tenancy as the pages."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from applications.constants import REQUIRED_DOCUMENT_TYPES, ApplicationState
from applications.models import Application, DocumentVersion
from certificates.api import tokens
from certificates.api.models import ApiToken, TokenScope
from registrasi.audit.models import AuditEvent
from tests.api.conftest import client_for, make_token
from tests.applications.factories import DEFAULT_SITES, PDF_BYTES, make_application
from tests.certificates.factories import make_certificate, render_pdf_now

pytestmark = pytest.mark.django_db

DETAILS = {
    "company_address": "Jl. Sudirman 1, Jakarta",
    "company_province": "dki_jakarta",
    "agent_seats": 40,
    "direction": "inbound",
    "sourcing": "in_house",
    "sites": [
        {"address": s["address"], "province": s["province"], "agent_seats": s["agent_seats"]}
        for s in DEFAULT_SITES
    ],
}


def _upload(client, pk, document_type, content=PDF_BYTES, name="nib.pdf"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(name, content, content_type="application/pdf")
    return client.post(
        f"/api/v1/applications/{pk}/documents/",
        {"document_type": document_type, "file": upload},
        format="multipart",
    )


def test_a_token_creates_fills_uploads_and_submits_an_application(write_client, applicant):
    response = write_client.post("/api/v1/applications/", DETAILS, format="json")
    assert response.status_code == 201, response.json()
    pk = response.json()["id"]
    assert response.json()["state"] == "draft"
    assert response.json()["agent_seats"] == 40

    refused = write_client.post(f"/api/v1/applications/{pk}/submit/", {}, format="json")
    assert refused.status_code == 409
    assert refused.json()["errors"][0]["code"] == "incomplete"

    for document_type in REQUIRED_DOCUMENT_TYPES:
        assert _upload(write_client, pk, document_type).status_code == 201
    response = write_client.post(f"/api/v1/applications/{pk}/submit/", {}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["state"] == "submitted" and body["reference"]
    assert body["next_step"]
    assert [e["action"] for e in body["timeline"]][:1] == ["create"]
    invoices = write_client.get(f"/api/v1/applications/{pk}/invoices/").json()
    assert len(invoices) == 1 and invoices[0]["amount"] > 0
    # The services recorded the owner behind the token as the actor.
    assert AuditEvent.objects.filter(action="submit", actor=applicant).exists()


def test_an_upload_is_checked_like_the_page(write_client, applicant):
    application = make_application(created_by=applicant)
    response = _upload(
        write_client, application.pk, REQUIRED_DOCUMENT_TYPES[0], b"MZ\x90 not a pdf"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"]
    assert not DocumentVersion.objects.filter(document__application=application).exists()


def test_an_oversized_upload_is_refused_with_413(write_client, applicant, settings):
    settings.MAX_UPLOAD_SIZE = 1000
    application = make_application(created_by=applicant)
    response = _upload(
        write_client, application.pk, REQUIRED_DOCUMENT_TYPES[0], b"%PDF" + b"0" * 70000
    )
    assert response.status_code == 413, response.json()
    assert not DocumentVersion.objects.filter(document__application=application).exists()


def test_bad_input_writes_nothing(write_client, applicant):
    before = Application.objects.count()
    cases = [
        {"agent_seats": "many"},
        {"company_province": "atlantis"},
        {"colour": "blue"},
        {"sites": [{"address": "x"}]},
        {"company_legal_name": "Evil\u202eCorp"},
    ]
    for payload in cases:
        response = write_client.post("/api/v1/applications/", payload, format="json")
        assert response.status_code == 400, payload
        error = response.json()["errors"][0]
        assert set(error) == {"field", "code", "message"}
    malformed = write_client.post("/api/v1/applications/", "[1,", content_type="application/json")
    assert malformed.status_code == 400
    not_an_object = write_client.post("/api/v1/applications/", [1, 2], format="json")
    assert not_an_object.status_code == 400
    assert Application.objects.count() == before


def test_a_refusal_by_a_service_is_a_json_error(write_client, applicant):
    application = make_application(ApplicationState.SUBMITTED, created_by=applicant)
    response = write_client.patch(
        f"/api/v1/applications/{application.pk}/", {"agent_seats": 3}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "not_allowed"


def test_a_read_token_may_read_but_not_write(read_client, applicant):
    application = make_application(created_by=applicant)
    assert read_client.get(f"/api/v1/applications/{application.pk}/").status_code == 200
    response = read_client.patch(
        f"/api/v1/applications/{application.pk}/", {"agent_seats": 3}, format="json"
    )
    assert response.status_code == 403
    assert response.json()["errors"][0]["code"] == "permission_denied"
    assert read_client.post("/api/v1/applications/", {}, format="json").status_code == 403
    application.refresh_from_db()
    assert application.agent_seats == 30


def test_no_token_a_wrong_one_a_revoked_one_and_an_expired_one_are_401(api, applicant):
    new = make_token(applicant)
    assert api.get("/api/v1/applications/").status_code == 401
    assert client_for("rgs_abc_def").get("/api/v1/applications/").status_code == 401
    wrong = new.secret[:-2] + ("aa" if not new.secret.endswith("aa") else "bb")
    assert client_for(wrong).get("/api/v1/applications/").status_code == 401
    assert client_for(new.secret).get("/api/v1/applications/").status_code == 200
    with time_machine.travel(timezone.now() + datetime.timedelta(days=31)):
        response = client_for(new.secret).get("/api/v1/applications/")
        assert response.status_code == 401
        assert response.json()["errors"][0]["code"] == "authentication_failed"
    tokens.token_revoke(token=new.token, actor=applicant)
    assert client_for(new.secret).get("/api/v1/applications/").status_code == 401


def test_a_token_stops_working_when_its_owner_leaves_the_organization(applicant):
    new = make_token(applicant)
    applicant.membership.delete()
    assert client_for(new.secret).get("/api/v1/applications/").status_code == 401


def test_the_secret_is_stored_hashed_and_last_use_recorded(applicant):
    new = make_token(applicant)
    row = ApiToken.objects.get()
    assert new.secret not in (row.token_hash, row.key_id)
    assert row.last_used_at is None
    client_for(new.secret).get("/api/v1/applications/")
    row.refresh_from_db()
    assert row.last_used_at is not None


def test_another_organizations_objects_are_404_on_every_object_endpoint(other_client, applicant):
    application = make_application(ApplicationState.SUBMITTED, created_by=applicant)
    certificate = render_pdf_now(make_certificate(quick=True, organization=applicant.organization))
    paths = [
        ("get", f"/api/v1/applications/{application.pk}/"),
        ("patch", f"/api/v1/applications/{application.pk}/"),
        ("post", f"/api/v1/applications/{application.pk}/submit/"),
        ("get", f"/api/v1/applications/{application.pk}/invoices/"),
        ("get", f"/api/v1/applications/{application.pk}/inspections/"),
        ("get", f"/api/v1/certificates/{certificate.pk}/"),
        ("get", f"/api/v1/certificates/{certificate.pk}/pdf/"),
    ]
    for method, path in paths:
        response = getattr(other_client, method)(path, {}, format="json")
        assert response.status_code == 404, path
        assert response.json()["errors"][0]["code"] == "not_found"
    upload = _upload(other_client, application.pk, REQUIRED_DOCUMENT_TYPES[0])
    assert upload.status_code == 404
    assert other_client.get("/api/v1/applications/").json() == []
    assert other_client.get("/api/v1/certificates/").json() == []


def test_the_owners_token_lists_certificates_and_downloads_the_signed_pdf(applicant):
    certificate = render_pdf_now(make_certificate(quick=True, organization=applicant.organization))
    client = client_for(make_token(applicant, scope=TokenScope.READ).secret)
    listed = client.get("/api/v1/certificates/").json()
    assert [c["number"] for c in listed] == [certificate.number]
    assert listed[0]["pdf_ready"] is True
    response = client.get(f"/api/v1/certificates/{certificate.pk}/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_inspection_outcomes_show_once_submitted(applicant):
    certificate = make_certificate(organization=applicant.organization)
    client = client_for(make_token(applicant, scope=TokenScope.READ).secret)
    outcomes = client.get(f"/api/v1/applications/{certificate.application_id}/inspections/").json()
    assert outcomes and outcomes[0]["state"] == "passed"
    draft = make_application(created_by=applicant)
    assert client.get(f"/api/v1/applications/{draft.pk}/inspections/").json() == []


def test_errors_come_in_the_requests_language(write_client, applicant):
    application = make_application(ApplicationState.SUBMITTED, created_by=applicant)
    english = write_client.patch(
        f"/api/v1/applications/{application.pk}/", {"agent_seats": 3}, format="json"
    )
    indonesian = write_client.patch(
        f"/api/v1/applications/{application.pk}/",
        {"agent_seats": 3},
        format="json",
        HTTP_ACCEPT_LANGUAGE="id",
    )
    assert english.json()["errors"][0]["message"] != indonesian.json()["errors"][0]["message"]


def test_a_token_is_rate_limited_with_429_and_retry_after(applicant, settings):
    from rest_framework.settings import api_settings
    from rest_framework.throttling import SimpleRateThrottle

    SimpleRateThrottle.THROTTLE_RATES = {"public": "60/min", "token": "2/min"}
    try:
        client = client_for(make_token(applicant).secret)
        codes = [client.get("/api/v1/applications/").status_code for _ in range(3)]
        assert codes == [200, 200, 429]
        assert int(client.get("/api/v1/applications/")["Retry-After"]) > 0
    finally:
        SimpleRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES


def test_a_token_never_reaches_the_logs(applicant, caplog):
    new = make_token(applicant, scope=TokenScope.READ)
    with caplog.at_level("DEBUG"):
        client_for(new.secret).post("/api/v1/applications/", {}, format="json")
        tokens.token_revoke(token=new.token, actor=applicant)
        client_for(new.secret).get("/api/v1/applications/")
    assert caplog.records
    assert new.secret not in caplog.text
    assert new.secret.split("_", 2)[2] not in caplog.text
