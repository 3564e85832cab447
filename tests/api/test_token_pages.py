import pytest

from certificates.api.models import ApiToken
from registrasi.audit.models import AuditEvent
from tests.api.conftest import client_for, make_token

pytestmark = pytest.mark.django_db


def test_an_owner_creates_a_token_and_sees_its_secret_once(client, applicant):
    client.force_login(applicant)
    response = client.post("/api/tokens/", {"name": "ERP", "scope": "read", "days": "30"})
    assert response.status_code == 200
    secret = response.context["new"].secret
    assert secret in response.content.decode()
    assert client_for(secret).get("/api/v1/applications/").status_code == 200
    again = client.get("/api/tokens/")
    assert secret not in again.content.decode()
    assert "ERP" in again.content.decode()
    assert AuditEvent.objects.filter(action="api_token_create", actor=applicant).exists()
    assert secret not in str(AuditEvent.objects.values_list("data", flat=True))


def test_an_owner_revokes_a_token(client, applicant):
    new = make_token(applicant)
    client.force_login(applicant)
    response = client.post(f"/api/tokens/{new.token.pk}/revoke/")
    assert response.status_code == 302
    assert ApiToken.objects.get().revoked_at is not None
    assert client_for(new.secret).get("/api/v1/applications/").status_code == 401
    assert AuditEvent.objects.filter(action="api_token_revoke").exists()


def test_a_member_who_is_not_owner_gets_404(client, member, applicant):
    new = make_token(applicant)
    client.force_login(member)
    assert client.get("/api/tokens/").status_code == 404
    assert client.post(f"/api/tokens/{new.token.pk}/revoke/").status_code == 404
    assert ApiToken.objects.get().revoked_at is None


def test_another_organizations_owner_cannot_revoke_a_token(client, outsider, applicant):
    new = make_token(applicant)
    client.force_login(outsider)
    assert client.post(f"/api/tokens/{new.token.pk}/revoke/").status_code == 404
    assert ApiToken.objects.get().revoked_at is None


def test_people_without_an_organization_get_404(client, staff_user, no_role_user):
    for user in (staff_user, no_role_user):
        client.force_login(user)
        assert client.get("/api/tokens/").status_code == 404


def test_the_token_form_refuses_bad_input(client, applicant):
    client.force_login(applicant)
    response = client.post("/api/tokens/", {"name": "", "scope": "admin", "days": "9999"})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"name", "scope", "days"}
    assert not ApiToken.objects.exists()


def test_the_organization_page_links_to_tokens_for_owners(client, applicant):
    client.force_login(applicant)
    assert "/api/tokens/" in client.get("/accounts/organization/").content.decode()
