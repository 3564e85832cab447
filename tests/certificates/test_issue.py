import datetime

import pytest
import time_machine
from django.core import mail
from django.db import IntegrityError, transaction

from applications.constants import ApplicationKind, ApplicationState
from applications.models import Application
from certificates import public_cache, services
from certificates.constants import CertificateState
from certificates.models import Certificate
from certificates.numbers import check_number, make_number
from registrasi.audit.models import AuditEvent
from registrasi.services import NotAllowed, StaleState
from tests.certificates.factories import (
    make_certificate,
    passed_application,
    quick_passed_application,
)

pytestmark = pytest.mark.django_db
JAKARTA_EVENING = datetime.datetime(2026, 3, 10, 20, 0, tzinfo=datetime.UTC)


@pytest.fixture
def application(organization, applicant, staff_user):
    return passed_application(organization, staff=staff_user)


def test_it_issues_one_certificate_when_staff_approve(application, staff_user, organization):
    with time_machine.travel(JAKARTA_EVENING):
        certificate = services.application_approve(application=application, actor=staff_user)
    application.refresh_from_db()
    assert application.state == ApplicationState.APPROVED
    assert certificate.state == CertificateState.ACTIVE
    assert check_number(certificate.number) == certificate.number
    # 20:00 UTC is 03:00 the next day in Jakarta.
    assert certificate.issued_on == datetime.date(2026, 3, 11)
    assert certificate.expires_on == datetime.date(2031, 3, 10)
    assert certificate.organization == organization
    assert certificate.issued_by == staff_user
    assert certificate.legal_name == (application.company_legal_name or organization.legal_name)
    assert certificate.nib == organization.nib
    assert certificate.address
    assert certificate.sites  # the declared site(s), one per line
    assert AuditEvent.objects.for_object(certificate).get().action == "issue"
    assert AuditEvent.objects.for_object(application).filter(action="approve").count() == 1


def test_it_issues_nothing_when_approving_twice(application, staff_user):
    services.application_approve(application=application, actor=staff_user)
    with pytest.raises(NotAllowed):
        services.application_approve(application=application, actor=staff_user)
    assert Certificate.objects.filter(application=application).count() == 1


def test_it_refuses_an_approval_made_on_a_stale_page(application, staff_user):
    services.application_approve(application=application, actor=staff_user)
    with pytest.raises(StaleState):
        services.application_approve(
            application=application,
            actor=staff_user,
            expected_state=ApplicationState.INSPECTION_PASSED,
        )
    assert Certificate.objects.count() == 1


@pytest.mark.parametrize("who", ["applicant", "member", "inspector", "no_role_user", "outsider"])
def test_it_refuses_approval_by_anyone_but_staff(application, who, request):
    actor = request.getfixturevalue(who)
    with pytest.raises(NotAllowed):
        services.application_approve(application=application, actor=actor)
    assert Application.objects.get(pk=application.pk).state == ApplicationState.INSPECTION_PASSED
    assert not Certificate.objects.exists()


def test_it_refuses_to_approve_before_the_inspection_passed(organization, staff_user):
    from tests.applications.factories import ApplicationFactory

    waiting = ApplicationFactory(organization=organization, awaiting_inspection=True)
    with pytest.raises(NotAllowed):
        services.application_approve(application=waiting, actor=staff_user)
    assert not Certificate.objects.exists()


def test_the_database_refuses_a_second_certificate_for_one_application(application, staff_user):
    certificate = services.application_approve(application=application, actor=staff_user)
    with pytest.raises(IntegrityError), transaction.atomic():
        Certificate.objects.create(
            application=application,
            organization=certificate.organization,
            number=make_number(2026, 999),
            legal_name="PT Dua Kali",
            nib=certificate.nib,
            address="Jl. Lain",
            province=certificate.province,
            issued_on=certificate.issued_on,
            expires_on=certificate.expires_on,
        )


@pytest.mark.parametrize(
    ("issued", "expires"),
    [
        (datetime.date(2026, 3, 11), datetime.date(2031, 3, 10)),
        (datetime.date(2026, 1, 1), datetime.date(2030, 12, 31)),
        (datetime.date(2026, 12, 31), datetime.date(2031, 12, 30)),
        (datetime.date(2028, 2, 29), datetime.date(2033, 2, 28)),  # no 29 Feb in 2033
        (datetime.date(2028, 3, 1), datetime.date(2033, 2, 28)),
        (datetime.date(2027, 2, 28), datetime.date(2032, 2, 27)),
    ],
)
def test_it_dates_expiry_the_day_before_the_fifth_anniversary(issued, expires):
    assert services.expiry_date(issued) == expires


def test_it_keeps_29_february_valid_until_28_february_when_issued_on_it(staff_user):
    application = quick_passed_application(staff=staff_user)
    # 29 Feb 2028, 10:00 in Jakarta.
    with time_machine.travel(datetime.datetime(2028, 2, 29, 3, 0, tzinfo=datetime.UTC)):
        certificate = services.application_approve(application=application, actor=staff_user)
    assert certificate.issued_on == datetime.date(2028, 2, 29)
    assert certificate.expires_on == datetime.date(2033, 2, 28)


def test_it_numbers_certificates_in_sequence_per_year(staff_user):
    with time_machine.travel(datetime.datetime(2026, 6, 1, 3, 0, tzinfo=datetime.UTC)):
        first = make_certificate(quick=True, staff=staff_user)
        second = make_certificate(quick=True, staff=staff_user)
    with time_machine.travel(datetime.datetime(2027, 1, 2, 3, 0, tzinfo=datetime.UTC)):
        next_year = make_certificate(quick=True, staff=staff_user)
    assert first.number == make_number(2026, 1)
    assert second.number == make_number(2026, 2)
    assert next_year.number == make_number(2027, 1)


def test_it_keeps_the_company_as_it_stood_when_issued(application, staff_user, organization):
    certificate = services.application_approve(application=application, actor=staff_user)
    name, address = certificate.legal_name, certificate.address
    organization.legal_name = "PT Nama Baru"
    organization.address = "Jl. Baru No. 1"
    organization.save()
    certificate.refresh_from_db()
    assert (certificate.legal_name, certificate.address) == (name, address)


def test_it_renders_the_pdf_and_emails_the_members_after_commit(
    application, staff_user, applicant, member, django_capture_on_commit_callbacks
):
    member.language = "en"
    member.save(update_fields=["language"])
    with time_machine.travel(JAKARTA_EVENING, tick=False):
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            certificate = services.application_approve(application=application, actor=staff_user)
        # Nothing happens before the transaction commits (the outbox hands both tasks over
        # in one callback; the others bump the public pages' version again on commit).
        handovers = [callback for callback in callbacks if callback is not public_cache._bump]
        assert len(handovers) == 1
        assert not Certificate.objects.get(pk=certificate.pk).pdf
        assert mail.outbox == []
        for callback in callbacks:
            callback()
    certificate.refresh_from_db()
    assert certificate.pdf and len(certificate.pdf_sha256) == 64
    assert certificate.render_attempts == 1 and certificate.render_error == ""
    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert set(by_recipient) == {applicant.email, member.email}
    for message in mail.outbox:
        assert certificate.number in message.subject
        assert certificate.number in message.body
        assert f"/verify/{certificate.number}/" in message.body
    # Each in their own language: the validity dates name the month in it.
    assert "10 Maret 2031" in by_recipient[applicant.email].body
    assert "10 March 2031" in by_recipient[member.email].body


def test_it_supersedes_the_active_certificate_when_a_change_report_is_approved(staff_user):
    old = make_certificate(CertificateState.SUPERSEDED, quick=True, staff=staff_user)
    new = Certificate.objects.get(supersedes=old)
    assert new.state == CertificateState.ACTIVE
    assert new.application.kind == ApplicationKind.CHANGE
    assert list(old.superseded_by.all()) == [new]
    assert AuditEvent.objects.for_object(old).filter(action="supersede").exists()


def test_it_does_not_supersede_anything_for_a_new_registration(organization, staff_user):
    first = make_certificate(organization=organization, quick=True, staff=staff_user)
    second = make_certificate(organization=organization, quick=True, staff=staff_user)
    first.refresh_from_db()
    assert first.state == CertificateState.ACTIVE
    assert second.supersedes is None
