"""`manage.py load_demo_data`: one account per role, idempotent, every printed login works."""

from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError

from registrasi.accounts.constants import MembershipRole
from registrasi.accounts.management.commands.load_demo_data import DEMO_PASSWORD
from registrasi.accounts.models import Membership, Organization, User
from registrasi.accounts.validators import validate_nib, validate_phone


def load():
    out = StringIO()
    call_command("load_demo_data", stdout=out)
    return out.getvalue()


def printed_logins(output):
    """(role, email, password) for every row of the printed table."""
    logins = []
    for line in output.splitlines():
        cells = line.split()
        if len(cells) >= 3 and "@" in cells[1]:
            logins.append((cells[0], cells[1], cells[2]))
    return logins


def counts():
    return (User.objects.count(), Organization.objects.count(), Membership.objects.count())


def test_it_creates_one_account_per_role(db):
    load()

    admin = User.objects.get(email="admin@registrasi.test")
    staff = User.objects.get(email="staff@registrasi.test")
    inspector = User.objects.get(email="inspektur@registrasi.test")
    assert admin.is_superuser and admin.is_staff
    assert staff.is_ministry_staff and not staff.is_inspector and not staff.is_superuser
    assert staff.is_staff  # admin site access, for the fee schedule
    assert inspector.is_inspector and not inspector.is_ministry_staff
    assert counts() == (5, 2, 2)


def test_it_makes_each_owner_the_owner_of_a_valid_organization(db):
    load()

    for email, legal_name in [
        ("pemilik@nusantara.test", "PT Nusantara Kontak Prima"),
        ("pemilik@suarapelanggan.test", "PT Suara Pelanggan Indonesia"),
    ]:
        owner = User.objects.get(email=email)
        assert owner.organization.legal_name == legal_name
        assert owner.membership.role == MembershipRole.OWNER
        organization = owner.organization
        validate_nib(organization.nib)
        validate_phone(organization.contact_phone)
        organization.full_clean()


def test_running_it_twice_creates_nothing_new(db):
    load()
    first = counts()

    load()

    assert counts() == first == (5, 2, 2)


def test_running_it_again_resets_the_demo_passwords(db):
    load()
    staff = User.objects.get(email="staff@registrasi.test")
    staff.set_password("changed-during-the-demo")
    staff.is_active = False
    staff.save()

    load()

    assert authenticate(username="staff@registrasi.test", password=DEMO_PASSWORD) is not None


def test_every_printed_login_authenticates_with_its_role(db):
    output = load()
    logins = printed_logins(output)

    assert [email for _role, email, _password in logins] == [
        "admin@registrasi.test",
        "staff@registrasi.test",
        "inspektur@registrasi.test",
        "pemilik@nusantara.test",
        "pemilik@suarapelanggan.test",
    ]
    for role, email, password in logins:
        user = authenticate(username=email, password=password)
        assert user is not None, email
        expected = {
            "admin": user.is_superuser,
            "staff": user.is_ministry_staff,
            "inspector": user.is_inspector,
            "applicant": user.is_applicant,
        }
        assert expected[role], (role, email)


def test_it_refuses_to_run_in_production(db, settings):
    settings.PRODUCTION = True

    with pytest.raises(CommandError, match="production"):
        call_command("load_demo_data", stdout=StringIO())

    assert User.objects.count() == 0


def test_the_demo_staff_member_can_edit_the_fee_schedule_in_the_admin(client, db):
    call_command("load_demo_data", stdout=StringIO())
    client.login(username="staff@registrasi.test", password=DEMO_PASSWORD)

    assert client.get("/admin/applications/feeschedule/").status_code == 200
    assert client.get("/admin/accounts/user/").status_code == 403
