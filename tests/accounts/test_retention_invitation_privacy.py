"""Joining through an invitation asks for the privacy notice when the person has not accepted
its current version, and records the version accepted."""

import pytest

from registrasi.accounts.models import Membership, PrivacyAcceptance, User
from registrasi.accounts.privacy import PRIVACY_NOTICE_VERSION, record_acceptance
from tests.accounts.test_invitations import ACCEPT_PRIVACY, accept_url, invite, new_person

pytestmark = pytest.mark.django_db


def without_privacy(data):
    return {key: value for key, value in data.items() if key != "privacy_accepted"}


def test_a_new_person_accepts_the_privacy_notice_and_its_version_is_recorded(client, applicant):
    _, token = invite(applicant)
    page = client.get(accept_url(token)).content.decode()
    assert 'name="privacy_accepted"' in page

    assert client.post(accept_url(token), new_person()).status_code == 302

    user = User.objects.get(email="siti@example.test")
    assert list(user.privacy_acceptances.values_list("version", flat=True)) == [
        PRIVACY_NOTICE_VERSION
    ]


def test_a_new_person_who_does_not_accept_is_refused_and_nothing_is_written(client, applicant):
    invitation, token = invite(applicant)

    response = client.post(accept_url(token), without_privacy(new_person()))

    assert response.status_code == 200
    assert "Accept the privacy notice to join." in response.content.decode()
    assert not User.objects.filter(email="siti@example.test").exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_a_logged_in_person_without_acceptance_is_asked_and_it_is_recorded(
    client, applicant, no_role_user
):
    invitation, token = invite(applicant, email=no_role_user.email)
    client.force_login(no_role_user)

    page = client.get(accept_url(token)).content.decode()
    refused = client.post(accept_url(token))

    assert 'name="privacy_accepted"' in page
    assert refused.status_code == 200
    assert "Accept the privacy notice to join." in refused.content.decode()
    assert not Membership.objects.filter(user=no_role_user).exists()
    assert not PrivacyAcceptance.objects.filter(user=no_role_user).exists()

    assert client.post(accept_url(token), ACCEPT_PRIVACY).status_code == 302
    assert Membership.objects.get(user=no_role_user).organization == applicant.organization
    acceptance = PrivacyAcceptance.objects.get(user=no_role_user)
    assert acceptance.version == PRIVACY_NOTICE_VERSION


def test_a_person_who_accepted_the_current_notice_is_not_asked_again(
    client, applicant, no_role_user
):
    record_acceptance(user=no_role_user)
    _, token = invite(applicant, email=no_role_user.email)
    client.force_login(no_role_user)

    assert 'name="privacy_accepted"' not in client.get(accept_url(token)).content.decode()
    assert client.post(accept_url(token)).status_code == 302
    assert PrivacyAcceptance.objects.filter(user=no_role_user).count() == 1


def test_a_person_who_accepted_an_older_notice_is_asked_for_the_current_one(
    client, applicant, no_role_user
):
    record_acceptance(user=no_role_user, version="2020-01-01")
    _, token = invite(applicant, email=no_role_user.email)
    client.force_login(no_role_user)

    assert 'name="privacy_accepted"' in client.get(accept_url(token)).content.decode()
    assert client.post(accept_url(token), ACCEPT_PRIVACY).status_code == 302
    versions = set(
        PrivacyAcceptance.objects.filter(user=no_role_user).values_list("version", flat=True)
    )
    assert versions == {"2020-01-01", PRIVACY_NOTICE_VERSION}


def test_the_address_check_still_comes_first(client, applicant, no_role_user):
    invitation, token = invite(applicant, email="siti@example.test")
    client.force_login(no_role_user)

    response = client.post(accept_url(token), ACCEPT_PRIVACY)

    assert "sent to another email address" in response.content.decode()
    assert not PrivacyAcceptance.objects.filter(user=no_role_user).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None
