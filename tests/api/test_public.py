import pytest
from django.core.cache import cache

from certificates.constants import CertificateState
from tests.certificates.factories import make_certificate

pytestmark = pytest.mark.django_db


def test_it_verifies_a_certificate_by_number_without_personal_data(api):
    certificate = make_certificate(quick=True)
    response = api.get(f"/api/v1/verify/{certificate.number}/")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "valid" and body["found"] is True
    assert body["certificate"]["holder"] == certificate.legal_name
    assert body["certificate"]["province"] == certificate.province
    assert body["in_force"] is None
    text = response.content.decode()
    assert certificate.nib not in text
    assert certificate.issued_by.email not in text


def test_it_names_the_certificate_in_force_when_one_was_replaced(api):
    old = make_certificate(CertificateState.SUPERSEDED, quick=True)
    body = api.get(f"/api/v1/verify/{old.number}/").json()
    assert body["status"] == "superseded"
    newest = old.superseded_by.get()
    assert body["in_force"]["number"] == newest.number
    assert body["in_force"]["status"] == "valid"


def test_it_answers_unknown_and_mistyped_numbers(api):
    assert api.get("/api/v1/verify/nonsense/").json()["status"] == "mistyped"


def test_it_checks_up_to_100_numbers_at_once(api):
    certificate = make_certificate(quick=True)
    response = api.post(
        "/api/v1/verify-bulk/", {"numbers": [certificate.number, "x"]}, format="json"
    )
    assert response.status_code == 200
    statuses = [r["status"] for r in response.json()["results"]]
    assert statuses == ["valid", "mistyped"]


def test_it_refuses_more_than_100_numbers(api):
    response = api.post("/api/v1/verify-bulk/", {"numbers": ["x"] * 101}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "numbers"


def test_it_refuses_unknown_fields_and_malformed_json(api):
    response = api.post("/api/v1/verify-bulk/", {"numbers": ["x"], "extra": 1}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"][0] == {
        "field": "extra",
        "code": "unknown_field",
        "message": "Unknown field.",
    }
    response = api.post("/api/v1/verify-bulk/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["errors"][0]["code"] == "parse_error"


def test_it_refuses_an_oversized_body_with_413(api, settings):
    settings.API_MAX_JSON_BYTES = 1000
    response = api.post("/api/v1/verify-bulk/", {"numbers": ["x" * 50] * 30}, format="json")
    assert response.status_code == 413
    assert response.json()["errors"][0]["code"] == "too_large"


def test_it_answers_in_the_requests_language(api):
    response = api.post(
        "/api/v1/verify-bulk/", {"numbers": []}, format="json", HTTP_ACCEPT_LANGUAGE="id"
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] != "This list may not be empty."


def test_it_searches_the_register_with_filters_and_pages(api):
    first = make_certificate(quick=True)
    make_certificate(CertificateState.REVOKED, quick=True)
    response = api.get("/api/v1/register/", {"state": "active"})
    assert response.status_code == 200
    body = response.json()
    assert [e["number"] for e in body["results"]] == [first.number]
    assert body["count"] == 1
    response = api.get("/api/v1/register/", {"name": first.legal_name[:5], "page_size": 1})
    assert response.status_code == 200
    assert response.json()["results"][0]["holder"].startswith(first.legal_name[:5])


def test_it_refuses_an_unknown_province_filter(api):
    response = api.get("/api/v1/register/", {"province": "atlantis"})
    assert response.status_code == 400
    assert response.json()["errors"][0]["field"] == "province"


def test_the_open_data_file_answers_304_to_a_conditional_get(api):
    certificate = make_certificate(quick=True)
    for path, kind in (
        ("/api/v1/open-data/register.csv", "text/csv"),
        ("/api/v1/open-data/register.json", "application/json"),
    ):
        response = api.get(path)
        assert response.status_code == 200
        assert response["Content-Type"].startswith(kind)
        assert certificate.number in response.content.decode()
        etag, modified = response["ETag"], response["Last-Modified"]
        assert api.get(path, HTTP_IF_NONE_MATCH=etag).status_code == 304
        assert api.get(path, HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
        assert api.get(path, HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_the_open_data_file_changes_when_the_register_does(api, staff_user):
    from certificates import services

    certificate = make_certificate(quick=True)
    before = api.get("/api/v1/open-data/register.json")
    services.certificate_revoke(certificate=certificate, actor=staff_user, reason="Fraud found.")
    after = api.get("/api/v1/open-data/register.json", HTTP_IF_NONE_MATCH=before["ETag"])
    assert after.status_code == 200
    assert after.json()["entries"][0]["status"] == "revoked"


def test_public_endpoints_are_rate_limited_per_address(api, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"public": "2/min", "token": "600/min"},
    }
    from rest_framework.throttling import SimpleRateThrottle

    SimpleRateThrottle.THROTTLE_RATES = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    try:
        cache.clear()
        codes = [api.get("/api/v1/verify/x/").status_code for _ in range(3)]
        assert codes == [200, 200, 429]
        limited = api.get("/api/v1/verify/x/")
        assert int(limited["Retry-After"]) > 0
        assert limited.json()["errors"][0]["code"] == "throttled"
        other = api.get("/api/v1/verify/x/", REMOTE_ADDR="10.0.0.9")
        assert other.status_code == 200
    finally:
        from rest_framework.settings import api_settings

        SimpleRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES


def test_the_open_data_file_is_sent_again_after_an_older_date(api):
    make_certificate(quick=True)
    old = "Mon, 01 Jan 2001 00:00:00 GMT"
    response = api.get("/api/v1/open-data/register.csv", HTTP_IF_MODIFIED_SINCE=old)
    assert response.status_code == 200
