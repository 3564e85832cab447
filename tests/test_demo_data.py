"""`manage.py load_demo_data`: one account per role, idempotent, every printed login works;
with --world, the demo world (certificates/demo.py) built once through the services."""

import datetime
from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from applications import selectors
from applications.constants import ApplicationKind, ApplicationState
from applications.kinds import validity_end
from applications.models import Application
from certificates.constants import CertificateState, SanctionKind
from certificates.models import Certificate
from inspections.constants import InspectionState
from inspections.models import Inspection
from registrasi.accounts.constants import MembershipRole
from registrasi.accounts.management.commands.load_demo_data import (
    DEMO_PASSWORD,
    NUSANTARA,
    SUARA_PELANGGAN,
)
from registrasi.accounts.models import Membership, Organization, User
from registrasi.accounts.validators import validate_nib, validate_phone
from registrasi.audit.models import AuditEvent
from registrasi.dates import today


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


# The demo world (issue 15, point 11) ----------------------------------------------------
def load_world():
    out = StringIO()
    call_command("load_demo_data", "--world", stdout=out)
    return out.getvalue()


def test_the_world_has_applications_in_every_state(db):
    load_world()

    states = set(Application.objects.values_list("state", flat=True))
    assert states == set(ApplicationState.values)


def test_the_demo_inspector_has_an_inspection_today_and_tomorrow(db):
    load_world()
    inspector = User.objects.get(email="inspektur@registrasi.test")
    today = timezone.localdate()

    scheduled = Inspection.objects.filter(inspector=inspector, state=InspectionState.SCHEDULED)
    days = sorted(timezone.localtime(i.window_start).date() for i in scheduled)

    assert days == [today, today + datetime.timedelta(days=1)]
    done = Inspection.objects.filter(inspector=inspector).values_list("state", flat=True)
    assert {InspectionState.PASSED, InspectionState.FAILED} <= set(done)


@pytest.mark.parametrize("nib", [NUSANTARA.nib, SUARA_PELANGGAN.nib])
def test_each_demo_organization_has_applications_in_every_state(db, nib):
    load_world()

    states = set(Application.objects.filter(organization__nib=nib).values_list("state", flat=True))
    assert states == set(ApplicationState.values)


def test_the_register_shows_active_suspended_revoked_and_expired_certificates(db):
    load_world()

    by_state = {c.state: c for c in Certificate.objects.all()}
    assert set(by_state) == {
        CertificateState.ACTIVE,
        CertificateState.SUSPENDED,
        CertificateState.REVOKED,
        CertificateState.EXPIRED,
    }
    suspended = by_state[CertificateState.SUSPENDED]
    assert suspended.sanctions.filter(kind=SanctionKind.FINE, paid_at__isnull=True).exists()
    assert Organization.objects.count() >= 4


def test_a_change_report_waits_for_review(db):
    load_world()

    change = Application.objects.get(kind=ApplicationKind.CHANGE)
    assert change.state == ApplicationState.SUBMITTED
    assert change.basis_certificate.state == CertificateState.ACTIVE
    assert change.organization.nib == "8120104567231"


def test_an_expired_certificate_expired_through_the_daily_scan(db):
    load_world()

    expired = Certificate.objects.get(state=CertificateState.EXPIRED)
    assert expired.expires_on < today()
    # Five years, as issued: only the dates were moved back.
    assert expired.expires_on == validity_end(expired.issued_on)
    assert expired.organization.nib == NUSANTARA.nib
    event = AuditEvent.objects.filter(
        content_type__model="certificate", object_id=str(expired.pk), to_state__gt=""
    ).last()
    assert (event.action, event.to_state) == ("expire", CertificateState.EXPIRED)


def test_a_renewal_is_in_progress_for_a_certificate_near_its_end(db):
    load_world()

    renewal = Application.objects.get(kind=ApplicationKind.RENEWAL)
    assert renewal.state == ApplicationState.SUBMITTED
    assert renewal.organization.nib == SUARA_PELANGGAN.nib
    basis = renewal.basis_certificate
    assert basis.state == CertificateState.ACTIVE
    assert today() < basis.expires_on <= today() + datetime.timedelta(days=180)
    assert basis.expires_on == validity_end(basis.issued_on)
    # The staff queue shows it, with its invoice to pay.
    assert renewal.invoice is not None and not renewal.invoice.is_paid


def test_every_certificate_is_valid_five_years(db):
    load_world()

    for certificate in Certificate.objects.all():
        assert certificate.expires_on == validity_end(certificate.issued_on), certificate
        # Its number names the year it was issued in.
        assert f"-{certificate.issued_on.year}-" in certificate.number, certificate


def test_the_demo_drafts_wait_at_the_fee_step(db):
    """Details saved, documents uploaded: the applicant has yet to see the fee (issue 15.6)."""
    load_world()

    for draft in Application.objects.filter(state=ApplicationState.DRAFT):
        status = selectors.step_status(detail=selectors.application_detail(application=draft))
        assert status == {
            "company": True,
            "operation": True,
            "documents": True,
            "fee": False,
            "review": False,
        }


def test_every_state_was_reached_through_the_services(db):
    """Each application past draft has its audit trail, ending in its current state."""
    load_world()

    for application in Application.objects.exclude(state=ApplicationState.DRAFT):
        last = (
            AuditEvent.objects.filter(object_id=str(application.pk), to_state__gt="")
            .filter(content_type__model="application")
            .order_by("pk")
            .last()
        )
        assert last is not None and last.to_state == application.state, application


def world_counts():
    return (
        Application.objects.count(),
        Inspection.objects.count(),
        Certificate.objects.count(),
        Organization.objects.count(),
        AuditEvent.objects.count(),
        sorted(Certificate.objects.values_list("state", "issued_on", "expires_on")),
        sorted(Application.objects.values_list("kind", "state")),
    )


def test_loading_the_world_twice_adds_nothing(db):
    load_world()
    first = world_counts()

    output = load_world()

    assert world_counts() == first
    assert "nothing added" in output


def test_without_world_only_the_accounts_are_made(db):
    load()

    assert Application.objects.count() == 0


def test_the_world_is_refused_in_production(db, settings):
    settings.PRODUCTION = True

    with pytest.raises(CommandError, match="production"):
        call_command("load_demo_world", stdout=StringIO())
    with pytest.raises(CommandError, match="production"):
        call_command("load_demo_data", "--allow-production", "--world", stdout=StringIO())

    assert Application.objects.count() == 0
