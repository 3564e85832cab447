import pytest
from django.urls import reverse

from registrasi.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_the_profile_page_needs_a_login(client):
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_saving_the_profile_changes_the_language_of_the_interface(client, applicant):
    client.force_login(applicant)

    response = client.post(
        reverse("accounts:profile"), {"full_name": "Budi Baru", "language": "en"}
    )

    assert response.status_code == 302
    applicant.refresh_from_db()
    assert (applicant.full_name, applicant.language) == ("Budi Baru", "en")
    assert response.cookies["django_language"].value == "en"
    page = client.get(reverse("accounts:profile"))
    assert '<html lang="en">' in page.content.decode()
    assert AuditEvent.objects.filter(action="profile_updated", actor=applicant).exists()


def test_the_profile_refuses_an_unknown_language(client, applicant):
    client.force_login(applicant)

    response = client.post(reverse("accounts:profile"), {"full_name": "Budi", "language": "xx"})

    assert response.status_code == 200
    applicant.refresh_from_db()
    assert applicant.language == "id"


def test_the_organization_page_shows_the_details_and_the_change_report_note(client, member):
    client.force_login(member)

    response = client.get(reverse("accounts:organization"))

    html = response.content.decode()
    assert response.status_code == 200
    assert member.organization.nib in html
    assert "change report" in html
    assert 'name="contact_email"' not in html


def test_an_owner_edits_the_contact_details(client, applicant):
    client.force_login(applicant)
    organization = applicant.organization
    nib, legal_name = organization.nib, organization.legal_name

    response = client.post(
        reverse("accounts:organization"),
        {
            "contact_email": "Baru@Company.test",
            "contact_phone": "0812 3456 7890",
            "address": "Jl. Baru 2, Bandung",
            # Not editable here: ignored.
            "nib": "9999999999999",
            "legal_name": "PT Lain",
        },
    )

    assert response.status_code == 302
    organization.refresh_from_db()
    assert organization.contact_email == "baru@company.test"
    assert organization.contact_phone == "0812 3456 7890"
    assert organization.address == "Jl. Baru 2, Bandung"
    assert (organization.nib, organization.legal_name) == (nib, legal_name)
    event = AuditEvent.objects.get(action="organization_contact_updated")
    assert event.actor == applicant
    assert "contact_email" in event.data


def test_it_refuses_a_malformed_contact_phone(client, applicant):
    client.force_login(applicant)
    organization = applicant.organization
    phone = organization.contact_phone

    response = client.post(
        reverse("accounts:organization"),
        {"contact_email": "a@b.test", "contact_phone": "123", "address": "x"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors["contact_phone"]
    organization.refresh_from_db()
    assert organization.contact_phone == phone


def test_a_member_cannot_edit_the_organization(client, member):
    client.force_login(member)
    organization = member.organization
    email = organization.contact_email

    response = client.post(
        reverse("accounts:organization"),
        {"contact_email": "hijack@example.test", "contact_phone": "0812 3456 7890", "address": "x"},
    )

    assert response.status_code == 403
    organization.refresh_from_db()
    assert organization.contact_email == email


def test_a_person_without_an_organization_gets_404(client, no_role_user, staff_user):
    for person in (no_role_user, staff_user):
        client.force_login(person)
        assert client.get(reverse("accounts:organization")).status_code == 404
