"""Personal data (UU 27/2022): the notice, its acceptance at sign-up, a person's own data as a
page and as JSON, deleting one's account, and the retention rules."""

import json
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import translation

from registrasi.accounts import services
from registrasi.accounts.models import Membership, PrivacyAcceptance, User
from registrasi.accounts.privacy import PRIVACY_NOTICE_VERSION
from registrasi.audit.models import AuditEvent
from tests.accounts.test_signup_verification import signup_data
from tests.factories import PASSWORD


@pytest.mark.parametrize(
    ("language", "words"), [("en", "Privacy notice"), ("id", "Pemberitahuan Privasi")]
)
def test_the_notice_exists_in_indonesian_and_english(client, db, language, words):
    with translation.override(language):
        response = client.get(reverse("accounts:privacy"), HTTP_ACCEPT_LANGUAGE=language)
    body = response.content.decode()
    assert response.status_code == 200
    assert words in body
    assert PRIVACY_NOTICE_VERSION in body


def test_every_page_links_to_the_notice(client, db, applicant):
    assert reverse("accounts:privacy") in client.get(reverse("home")).content.decode()
    client.force_login(applicant)
    assert reverse("accounts:privacy") in client.get(reverse("accounts:profile")).content.decode()


def test_the_retention_rules_are_listed_on_one_page(client, db):
    body = client.get(reverse("accounts:retention")).content.decode()
    assert "Audit log" in body and "Unconfirmed sign-ups" in body and "10 years" in body


def test_sign_up_needs_the_notice_accepted_and_records_its_version(client, db):
    data = signup_data()
    del data["privacy_accepted"]
    response = client.post(reverse("accounts:signup"), data)
    assert "Accept the privacy notice" in response.content.decode()
    with mock.patch.object(services.secrets, "token_urlsafe", return_value="privacy-token"):
        client.post(reverse("accounts:signup"), {**data, "privacy_accepted": "on"})
    client.post(reverse("accounts:signup_confirm", args=["privacy-token"]))
    acceptance = PrivacyAcceptance.objects.get()
    assert acceptance.user.email == data["email"]
    assert acceptance.version == PRIVACY_NOTICE_VERSION


@pytest.mark.parametrize("person", ["applicant", "outsider", "no_role_user", "staff_user"])
def test_each_person_sees_and_downloads_only_their_own_data(client, request, person, outsider):
    user = request.getfixturevalue(person)
    client.force_login(user)
    page = client.get(reverse("accounts:my_data")).content.decode()
    download = client.get(reverse("accounts:my_data_json"))
    assert download["Content-Disposition"].startswith("attachment")
    exported = json.loads(download.content)
    assert exported["data"]["account"]["rows"][0]["email"] == user.email
    assert user.email in page
    others = {outsider.email, "someone-else@example.test"} - {user.email}
    text = download.content.decode()
    assert not any(email in text for email in others)
    assert "password" not in exported["data"]["account"]["rows"][0]
    assert user.password not in text


def test_the_export_includes_what_points_at_the_person(client, applicant):
    client.force_login(applicant)
    exported = json.loads(client.get(reverse("accounts:my_data_json")).content)["data"]
    assert "accounts.membership.user" in exported
    assert exported["accounts.membership.user"]["rows"][0]["role"] == "owner"


def test_anonymous_visitors_are_sent_to_log_in(client, db):
    for name in ("my_data", "my_data_json", "delete_account"):
        response = client.get(reverse(f"accounts:{name}"))
        assert response.status_code == 302
        assert reverse("accounts:login") in response.url


def test_a_member_deletes_their_account(client, member, organization):
    email = member.email
    client.force_login(member)
    page = client.get(reverse("accounts:delete_account")).content.decode()
    assert "Legal obligation" in page or "legal obligation" in page
    client.post(reverse("accounts:delete_account"), {"confirm": "yes"})
    member.refresh_from_db()
    assert member.email != email and not member.is_active
    assert not member.has_usable_password()
    assert not Membership.objects.filter(user=member).exists()
    assert AuditEvent.objects.filter(action="account_erased").exists()
    assert not client.login(username=email, password=PASSWORD)
    assert not User.objects.filter(email=email).exists()


def test_deletion_without_the_box_ticked_changes_nothing(client, member):
    client.force_login(member)
    client.post(reverse("accounts:delete_account"), {})
    member.refresh_from_db()
    assert member.is_active


def test_the_only_owner_with_members_hands_over_first(client, applicant, member):
    client.force_login(applicant)
    response = client.post(reverse("accounts:delete_account"), {"confirm": "yes"}, follow=True)
    applicant.refresh_from_db()
    assert applicant.is_active
    assert "owner first" in response.content.decode()


def test_ministry_accounts_are_not_deleted_by_their_holder(client, staff_user, inspector):
    for user in (staff_user, inspector):
        client.force_login(user)
        client.post(reverse("accounts:delete_account"), {"confirm": "yes"})
        user.refresh_from_db()
        assert user.is_active
