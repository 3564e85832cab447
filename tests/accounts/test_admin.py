import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from registrasi.accounts.constants import INSPECTOR_GROUP
from registrasi.accounts.models import User
from registrasi.accounts.services import invitation_create
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    return client


def test_an_administrator_creates_an_inspector_with_a_password(admin_client):
    group = Group.objects.get(name=INSPECTOR_GROUP)

    response = admin_client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": "Inspektur@Komdigi.test",
            "full_name": "Rina Inspektur",
            "language": "id",
            "usable_password": "true",
            "password1": "Inspeksi-Lapangan-2026",
            "password2": "Inspeksi-Lapangan-2026",
            "groups": [group.pk],
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    user = User.objects.get(email="inspektur@komdigi.test")
    assert user.check_password("Inspeksi-Lapangan-2026")
    assert user.is_inspector
    assert not user.is_staff


def test_the_admin_refuses_a_duplicate_email_in_another_case(admin_client, applicant):
    response = admin_client.post(
        reverse("admin:accounts_user_add"),
        {
            "email": applicant.email.upper(),
            "full_name": "Twin",
            "language": "id",
            "usable_password": "true",
            "password1": "Inspeksi-Lapangan-2026",
            "password2": "Inspeksi-Lapangan-2026",
        },
    )
    assert response.status_code == 200
    assert User.objects.filter(email__iexact=applicant.email).count() == 1


def test_the_user_pages_show_the_groups(admin_client, staff_user):
    assert 'name="groups"' in admin_client.get(reverse("admin:accounts_user_add")).content.decode()
    change = admin_client.get(reverse("admin:accounts_user_change", args=[staff_user.pk]))
    assert 'name="groups"' in change.content.decode()
    changelist = admin_client.get(reverse("admin:accounts_user_changelist"))
    assert "staff" in changelist.content.decode()


def test_the_invitation_admin_never_shows_the_token(admin_client, applicant):
    invitation, token = invitation_create(
        actor=applicant, organization=applicant.organization, email="x@example.test", role="member"
    )

    page = admin_client.get(reverse("admin:accounts_invitation_change", args=[invitation.pk]))

    html = page.content.decode()
    assert page.status_code == 200
    assert token not in html and invitation.token_hash not in html
    assert admin_client.get(reverse("admin:accounts_invitation_add")).status_code == 403


def test_the_organization_and_membership_admin_pages_load(admin_client, applicant):
    organization = applicant.organization
    assert admin_client.get(reverse("admin:accounts_organization_changelist")).status_code == 200
    assert (
        admin_client.get(
            reverse("admin:accounts_organization_change", args=[organization.pk])
        ).status_code
        == 200
    )
    assert admin_client.get(reverse("admin:accounts_membership_changelist")).status_code == 200
