"""Verified sign-up: nothing is created and no NIB is claimed until the address is confirmed;
the form never says whether an address has an account."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from registrasi.accounts import services
from registrasi.accounts.models import Membership, Organization, SignupRequest, User
from registrasi.audit.models import AuditEvent
from tests.factories import OrganizationFactory, UserFactory

PASSWORD = "a-Long-enough-pass-2026"


def signup_data(**changes):
    data = {
        "email": "dewi@suara.co.id",
        "full_name": "Dewi Lestari",
        "language": "en",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "legal_name": "PT Suara Nusantara",
        "legal_form": "pt",
        "nib": "9120001234567",
        "address": "Jl. Gatot Subroto 12, Jakarta",
        "province": "dki_jakarta",
        "contact_email": "halo@suara.co.id",
        "contact_phone": "+62 21 555 1234",
        "privacy_accepted": "on",
    }
    data.update(changes)
    return data


def sign_up(client, django_capture_on_commit_callbacks, **changes):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:signup"), signup_data(**changes))
    from registrasi import outbox

    outbox.relay()
    return response


def confirmation_link(message):
    return re.search(r"https?://\S+/accounts/signup/confirm/\S+/", message.body).group(0)


@pytest.fixture
def signed_up(client, db, django_capture_on_commit_callbacks):
    response = sign_up(client, django_capture_on_commit_callbacks)
    assert response.status_code == 200
    return response


def test_signing_up_creates_nothing_until_the_email_is_confirmed(client, signed_up):
    assert "Check your email" in signed_up.content.decode()
    assert not User.objects.filter(email="dewi@suara.co.id").exists()
    assert not Organization.objects.filter(nib="9120001234567").exists()
    assert SignupRequest.objects.get().password_hash.startswith(("pbkdf2", "md5", "argon2"))
    assert [m.to for m in mail.outbox] == [["dewi@suara.co.id"]]
    assert not client.session.get("_auth_user_id")


def test_the_emailed_link_creates_the_account_and_organization(client, signed_up):
    path = confirmation_link(mail.outbox[0]).split("://", 1)[1].split("/", 1)[1]
    page = client.get("/" + path)
    assert page.status_code == 200
    assert not User.objects.filter(email="dewi@suara.co.id").exists()  # a GET changes nothing
    response = client.post("/" + path, follow=True)
    user = User.objects.get(email="dewi@suara.co.id")
    assert user.check_password(PASSWORD)
    membership = Membership.objects.get(user=user)
    assert membership.organization.nib == "9120001234567"
    assert membership.is_owner
    assert "PT Suara Nusantara" in response.content.decode()
    assert AuditEvent.objects.filter(action="email_confirmed").exists()
    # The link works once.
    client.logout()
    assert client.post("/" + path).status_code == 404


def test_an_existing_address_gets_the_same_page_and_an_email_instead(
    client, db, django_capture_on_commit_callbacks
):
    UserFactory(email="dewi@suara.co.id", language="en")  # the owner's email, in their language
    response = sign_up(client, django_capture_on_commit_callbacks)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Check your email" in body
    assert "already exists" not in body
    assert not SignupRequest.objects.exists()
    assert len(mail.outbox) == 1
    assert "already has one" in mail.outbox[0].body


def test_an_unconfirmed_claim_expires_and_the_nib_stays_free(
    client, db, django_capture_on_commit_callbacks
):
    sign_up(client, django_capture_on_commit_callbacks)
    link = confirmation_link(mail.outbox[0]).split("/accounts/", 1)[1]
    with time_machine.travel(timezone.now() + timedelta(hours=49)):
        assert client.post("/accounts/" + link).status_code == 404
        assert services.signup_requests_expire() == 1
    assert not Organization.objects.exists()
    # The real company signs up with the same NIB and confirms.
    mail.outbox.clear()
    sign_up(client, django_capture_on_commit_callbacks, email="owner@suara.co.id")
    link = confirmation_link(mail.outbox[0]).split("/accounts/", 1)[1]
    client.post("/accounts/" + link)
    assert Organization.objects.get(nib="9120001234567").memberships.get().user.email == (
        "owner@suara.co.id"
    )


def test_two_pending_claims_of_one_nib_the_first_to_confirm_wins(
    client, db, django_capture_on_commit_callbacks
):
    sign_up(client, django_capture_on_commit_callbacks, email="a@suara.co.id")
    sign_up(client, django_capture_on_commit_callbacks, email="b@suara.co.id")
    first, second = (confirmation_link(m).split("/accounts/", 1)[1] for m in mail.outbox)
    client.post("/accounts/" + second)
    client.logout()
    response = client.post("/accounts/" + first)
    assert response.status_code == 409
    assert "NIB is already registered" in response.content.decode()
    assert not User.objects.filter(email="a@suara.co.id").exists()


def test_a_registered_nib_is_refused_by_the_form(client, db):
    OrganizationFactory(nib="9120001234567")
    response = client.post(reverse("accounts:signup"), signup_data())
    assert "already registered" in response.content.decode()
    assert not SignupRequest.objects.exists()


def test_an_unknown_link_is_a_404(client, db):
    assert client.get(reverse("accounts:signup_confirm", args=["nope"])).status_code == 404
