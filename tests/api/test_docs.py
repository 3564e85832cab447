import pytest

pytestmark = pytest.mark.django_db


def test_the_schema_is_served_as_openapi_3(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/verify/{number}/" in schema["paths"]
    assert "/api/v1/applications/{id}/submit/" in schema["paths"]


def test_the_docs_page_uses_static_files_only_under_the_csp(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    csp = response["Content-Security-Policy"]
    assert "unsafe-inline" not in csp
    assert "<style" not in html
    assert "<script>" not in html
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "http://" not in html.replace("http://testserver", "")
    assert "https://" not in html
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200
    assert "SwaggerUIBundle" in script.content.decode()


def test_the_schema_documents_webhooks_and_billing_codes(client):
    schema = client.get("/api/schema/?format=json").json()
    payload = schema["components"]["schemas"]["WebhookPayload"]
    assert "certificate.revoked" in payload["properties"]["type"]["enum"]
    assert "X-Registrasi-Signature" in schema["info"]["description"]
    assert "application.state_changed" in schema["x-webhooks"]
    assert "/api/v1/invoices/" in schema["paths"]
    invoice = schema["components"]["schemas"]["Invoice"]
    assert "billing_codes" in invoice["properties"]
