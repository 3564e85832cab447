"""The second factor: ministry accounts set it up at first login and type a code at every
login; applicants may use it, and an owner can require it of every member."""

import pytest
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from registrasi.audit.models import AuditEvent
from tests.factories import PASSWORD, UserFactory
from tests.second_factor import authenticator_for, code_for, plain_force_login

pytestmark = pytest.mark.django_db

SETUP = reverse("accounts:second_factor_setup")
VERIFY = reverse("accounts:second_factor_verify")


def _log_in(client, user):
    return client.post(reverse("accounts:login"), {"username": user.email, "password": PASSWORD})


@pytest.fixture
def admin_user(db):
    return UserFactory(is_staff=True, is_superuser=True)


@pytest.mark.parametrize("person", ["staff_user", "inspector", "admin_user"])
def test_a_ministry_account_without_a_second_factor_is_sent_to_set_it_up(client, request, person):
    user = request.getfixturevalue(person)
    _log_in(client, user)

    for url in [reverse("home"), reverse("accounts:profile"), "/admin/"]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(SETUP), url


def test_an_applicant_without_a_second_factor_uses_the_portal_directly(client, applicant):
    _log_in(client, applicant)

    assert client.get(reverse("accounts:profile")).status_code == 200


def test_setting_up_confirms_the_authenticator_shows_backup_codes_and_opens_the_portal(
    client, staff_user
):
    _log_in(client, staff_user)
    page = client.get(SETUP)
    assert page.status_code == 200
    assert page.context["qr"].startswith("data:image/svg+xml")
    device = TOTPDevice.objects.get(user=staff_user, confirmed=False)

    done = client.post(SETUP, {"code": code_for(device), "next": "/"})

    assert done.status_code == 200
    assert len(done.context["codes"]) == 10
    device.refresh_from_db()
    assert device.confirmed
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert client.get(reverse("applications:staff_queue")).status_code == 200
    assert AuditEvent.objects.filter(action="second_factor_enabled", actor=staff_user).exists()


def test_a_wrong_code_at_set_up_changes_nothing(client, staff_user):
    _log_in(client, staff_user)
    client.get(SETUP)

    response = client.post(SETUP, {"code": "000000"})

    assert response.status_code == 200
    assert response.context["form"].errors["code"]
    assert not TOTPDevice.objects.filter(user=staff_user, confirmed=True).exists()
    assert client.get(reverse("home")).status_code == 302


def test_a_login_with_a_second_factor_asks_for_the_code_before_anything_else(client, staff_user):
    device = authenticator_for(staff_user)
    _log_in(client, staff_user)

    response = client.get(reverse("applications:staff_queue"))
    assert response.status_code == 302
    assert response.url.startswith(VERIFY)

    verified = client.post(f"{VERIFY}?next=/applications/queue/", {"code": code_for(device)})
    assert verified.status_code == 302
    assert verified.url == "/applications/queue/"
    assert client.get(reverse("applications:staff_queue")).status_code == 200


def test_a_backup_code_works_once(client, staff_user):
    authenticator_for(staff_user)
    _log_in(client, staff_user)
    client.get(SETUP)  # confirmed already: sent on to the overview
    from registrasi.accounts import second_factor

    codes = second_factor.backup_codes_renew(actor=staff_user)
    response = client.post(VERIFY, {"code": codes[0].upper()})

    assert response.status_code == 302
    assert not StaticToken.objects.filter(token=codes[0]).exists()


def test_an_applicant_with_a_second_factor_types_the_code_too(client, applicant):
    device = authenticator_for(applicant)
    _log_in(client, applicant)

    assert client.get(reverse("accounts:profile")).url.startswith(VERIFY)
    client.post(VERIFY, {"code": code_for(device)})
    assert client.get(reverse("accounts:profile")).status_code == 200


def test_an_applicant_turns_the_second_factor_off_but_staff_cannot(client, applicant, staff_user):
    authenticator_for(applicant)
    client.force_login(applicant)
    client.post(reverse("accounts:second_factor_remove"))
    assert not TOTPDevice.objects.filter(user=applicant).exists()

    authenticator_for(staff_user)
    client.force_login(staff_user)
    client.post(reverse("accounts:second_factor_remove"))
    assert TOTPDevice.objects.filter(user=staff_user).exists()


def test_an_owner_requires_a_second_factor_of_every_member(client, applicant, member):
    client.force_login(applicant)
    response = client.post(reverse("accounts:organization_second_factor"), {"required": "1"})
    assert response.status_code == 302
    applicant.organization.refresh_from_db()
    assert applicant.organization.require_second_factor
    assert AuditEvent.objects.filter(action="organization_second_factor_required").exists()

    plain_force_login(client, member)
    response = client.get(reverse("applications:dashboard"))
    assert response.status_code == 302
    assert response.url.startswith(SETUP)


def test_a_member_who_is_not_owner_cannot_require_it(client, member):
    client.force_login(member)

    response = client.post(reverse("accounts:organization_second_factor"), {"required": "1"})

    assert response.status_code == 403
    member.organization.refresh_from_db()
    assert not member.organization.require_second_factor


def test_someone_without_an_organization_gets_404_for_the_requirement(client, no_role_user):
    client.force_login(no_role_user)

    response = client.post(reverse("accounts:organization_second_factor"), {"required": "1"})

    assert response.status_code == 404


def test_the_set_up_and_verify_pages_need_a_login(client, db):
    for url in [SETUP, VERIFY, reverse("accounts:second_factor")]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:login"))


def test_a_verified_person_moves_to_a_new_authenticator(client, staff_user):
    old = authenticator_for(staff_user)
    client.force_login(staff_user)
    client.get(SETUP)
    new = TOTPDevice.objects.get(user=staff_user, confirmed=False)

    response = client.post(SETUP, {"code": code_for(new)})

    assert response.status_code == 200
    assert not TOTPDevice.objects.filter(pk=old.pk).exists()
    new.refresh_from_db()
    assert new.confirmed


def test_an_unverified_login_cannot_replace_the_authenticator(client, staff_user):
    authenticator_for(staff_user)
    plain_force_login(client, staff_user)

    response = client.get(SETUP)

    assert response.status_code == 302
    assert response.url.startswith(VERIFY)
    assert not TOTPDevice.objects.filter(user=staff_user, confirmed=False).exists()
