from unittest import mock

import pytest
import time_machine
from django.urls import reverse

from registrasi.accounts import services
from registrasi.accounts.constants import MembershipRole
from registrasi.accounts.forms import SignupForm
from registrasi.accounts.models import Membership, Organization, User
from registrasi.accounts.services import RegistrationConflict, organization_register
from registrasi.audit.models import AuditEvent
from tests.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

STRONG = "Kuat-Sekali-2026"
URL = reverse("accounts:signup")


def signup_data(**overrides):
    data = {
        "email": "Budi.Santoso@Example.test",
        "full_name": "Budi Santoso",
        "language": "en",
        "password1": STRONG,
        "password2": STRONG,
        "legal_name": "PT Suara Pelanggan",
        "legal_form": "pt_pma",
        "nib": "8120000000001",
        "address": "Jl. Jend. Sudirman Kav. 1, Jakarta",
        "province": "dki_jakarta",
        "foreign_owned": "on",
        "contact_email": "CS@suara.test",
        "contact_phone": "+62 21 555 1234",
        "privacy_accepted": "on",
    }
    data.update(overrides)
    return data


def counts():
    return User.objects.count(), Organization.objects.count(), Membership.objects.count()


def test_the_signup_page_shows_both_sections(client):
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="nib"' in html and 'name="password1"' in html and 'name="email"' in html


def sign_up_and_confirm(client, data):
    """Post the form, then press the button behind the emailed link (verified sign-up)."""
    with mock.patch.object(services.secrets, "token_urlsafe", return_value="known-token"):
        assert client.post(URL, data).status_code == 200
    assert not User.objects.exists()  # nothing until the address is confirmed
    return client.post(reverse("accounts:signup_confirm", args=["known-token"]))


def test_it_registers_the_operator_as_owner_and_logs_them_in(client):
    response = sign_up_and_confirm(client, signup_data())

    assert response.status_code == 302
    assert response.url == reverse("accounts:organization")
    user = User.objects.get()
    assert user.email == "budi.santoso@example.test"
    assert user.full_name == "Budi Santoso"
    assert user.language == "en"
    assert user.check_password(STRONG)
    organization = Organization.objects.get()
    assert organization.nib == "8120000000001"
    assert organization.legal_form == "pt_pma"
    assert organization.foreign_owned is True
    assert organization.contact_email == "cs@suara.test"
    membership = Membership.objects.get()
    assert (membership.user, membership.organization) == (user, organization)
    assert membership.role == MembershipRole.OWNER
    assert client.session["_auth_user_id"] == str(user.pk)
    assert response.cookies["django_language"].value == "en"


def test_it_writes_an_audit_event_for_the_registration(client):
    sign_up_and_confirm(client, signup_data())

    event = AuditEvent.objects.get(action="organization_registered")
    assert event.actor == User.objects.get()
    assert event.object_id == str(Organization.objects.get().pk)
    assert event.data["nib"] == "8120000000001"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"nib": "12345"}, "nib"),
        ({"nib": "812000000000A"}, "nib"),
        ({"nib": "81200000000012"}, "nib"),
        ({"contact_phone": "12345"}, "contact_phone"),
        ({"contact_phone": "+1 555 123 4567"}, "contact_phone"),
        ({"password1": "short", "password2": "short"}, "password2"),
        ({"password1": "password1234", "password2": "password1234"}, "password2"),
        ({"password1": "83749201746", "password2": "83749201746"}, "password2"),
        ({"password2": "Kuat-Sekali-2027"}, "password2"),
        ({"email": "not-an-email"}, "email"),
        ({"contact_email": "nope"}, "contact_email"),
        ({"legal_name": ""}, "legal_name"),
        ({"province": "atlantis"}, "province"),
    ],
)
def test_it_refuses_bad_input_and_creates_nothing(client, overrides, field):
    before = counts()

    response = client.post(URL, signup_data(**overrides))

    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert counts() == before
    assert "_auth_user_id" not in client.session
    assert not AuditEvent.objects.filter(action="organization_registered").exists()


def _take_email():
    UserFactory(email="budi.santoso@example.test")


def _take_nib():
    OrganizationFactory(nib="8120000000001")


def test_it_refuses_a_taken_nib_with_a_form_error(client):
    _take_nib()
    before = counts()

    response = client.post(URL, signup_data())

    assert response.status_code == 200
    assert "already registered" in str(response.context["form"].errors["nib"])
    assert counts() == before


@pytest.mark.parametrize("email", ["BUDI.Santoso@example.TEST", "budi.santoso@example.test"])
def test_a_taken_email_gets_the_same_answer_as_a_new_one(client, email):
    """The form does not reveal who has an account: the owner of the address is emailed."""
    _take_email()
    before = counts()

    response = client.post(URL, signup_data(email=email))

    assert response.status_code == 200
    assert "form" not in response.context
    assert "Check your email" in response.content.decode()
    assert counts() == before


def test_the_service_rolls_everything_back_on_a_duplicate_nib():
    OrganizationFactory(nib="8120000000001")
    before = counts()
    data = SignupForm(signup_data()).data
    skipped = ("password1", "password2", "privacy_accepted")
    kwargs = {k: v for k, v in data.items() if k not in skipped}
    kwargs.update(password=STRONG, foreign_owned=True, email="new@example.test")

    with pytest.raises(RegistrationConflict) as exc:
        organization_register(**kwargs)

    assert exc.value.field == "nib"
    assert counts() == before


def test_a_logged_in_person_is_sent_home_instead_of_signing_up_again(client, applicant):
    client.force_login(applicant)
    before = counts()

    response = client.post(URL, signup_data())

    assert response.status_code == 302
    assert counts() == before


# The limiter counts per time window: freeze the clock so no window boundary falls inside.
@time_machine.travel("2026-11-28 10:00:00+07:00", tick=False)
def test_sign_ups_are_limited_per_client_address(client):
    for _ in range(20):
        client.post(URL, signup_data(nib="1"), REMOTE_ADDR="198.51.100.1")

    response = client.post(URL, signup_data(), REMOTE_ADDR="198.51.100.1")

    assert response.status_code == 429
    assert not User.objects.exists()
