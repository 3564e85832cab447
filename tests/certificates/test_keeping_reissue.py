"""Keeping a certificate: reissue after a change report, renewal dating, refusals."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from applications import services as application_services
from applications.constants import ApplicationState
from applications.models import Application
from certificates import keeping, services
from certificates.constants import CertificateState, VerificationStatus
from certificates.models import Certificate
from certificates.sanctions import sanctions_in_force
from certificates.verification import verify_number
from registrasi.audit.models import AuditEvent
from registrasi.services import NotAllowed
from tests.certificates.factories import make_certificate, pass_through_transitions

pytestmark = pytest.mark.django_db
S = CertificateState
ISSUED = datetime.datetime(2026, 4, 1, 3, 0, tzinfo=datetime.UTC)
LAST_DAY = datetime.date(2031, 3, 31)
NEW_ADDRESS = "Jl. Gatot Subroto No. 88, Jakarta Selatan"


def at(on):
    return time_machine.travel(
        datetime.datetime.combine(on, datetime.time(2, 0), tzinfo=datetime.UTC)
    )


@pytest.fixture
def certificate(organization, applicant, staff_user):
    with time_machine.travel(ISSUED):
        return make_certificate(organization=organization, quick=True, staff=staff_user)


def change_report(certificate, applicant, address=NEW_ADDRESS):
    change = keeping.application_start_change(certificate=certificate, actor=applicant)
    return application_services.application_update_details(
        application=change, actor=applicant, data={"company_address": address}
    )


def approve(application, staff_user):
    application = pass_through_transitions(
        Application.objects.get(pk=application.pk), staff=staff_user
    )
    return services.application_approve(application=application, actor=staff_user)


# Change report ---------------------------------------------------------------------------
def test_a_change_report_reissues_with_the_new_address_and_the_same_expiry(
    certificate, organization, applicant, staff_user
):
    with at(datetime.date(2027, 6, 1)):
        change = change_report(certificate, applicant)
        new = approve(change, staff_user)
    certificate.refresh_from_db()
    organization.refresh_from_db()
    assert certificate.state == S.SUPERSEDED
    assert list(certificate.superseded_by.all()) == [new]
    assert new.supersedes == certificate and new.state == S.ACTIVE
    assert new.number != certificate.number
    assert new.expires_on == certificate.expires_on == LAST_DAY
    assert new.issued_on == datetime.date(2027, 6, 1) and new.valid_from is None
    assert new.address == NEW_ADDRESS
    assert organization.address == NEW_ADDRESS  # the organization's record follows
    assert (
        AuditEvent.objects.for_object(organization)
        .filter(action="organization_change_applied")
        .exists()
    )


def test_until_the_change_is_approved_the_current_certificate_stays_valid(
    certificate, applicant, staff_user
):
    change = change_report(certificate, applicant)
    pass_through_transitions(change, staff=staff_user)
    assert verify_number(certificate.number).status == VerificationStatus.VALID


def test_verifying_the_old_number_says_superseded_and_links_the_new_one(
    certificate, applicant, staff_user, client
):
    new = approve(change_report(certificate, applicant), staff_user)
    result = verify_number(certificate.number)
    assert result.status == VerificationStatus.SUPERSEDED and result.replacement == new
    page = client.get(reverse("certificates:verify", args=[certificate.number]))
    assert reverse("certificates:verify", args=[new.number]) in page.content.decode()
    page = client.get(reverse("certificates:verify", args=[new.number]))
    assert NEW_ADDRESS in page.content.decode()  # the reissued certificate's address
    assert verify_number(new.number).status == VerificationStatus.VALID


def test_a_change_report_of_a_revoked_certificate_is_refused_at_approval(
    certificate, applicant, staff_user
):
    change = change_report(certificate, applicant)
    change = pass_through_transitions(change, staff=staff_user)
    services.certificate_revoke(certificate=certificate, actor=staff_user, reason="Fraud.")
    with pytest.raises(NotAllowed, match="revoked"):
        services.application_approve(application=change, actor=staff_user)
    change.refresh_from_db()
    assert change.state == ApplicationState.INSPECTION_PASSED  # nothing was approved
    assert Certificate.objects.count() == 1


def test_a_change_report_of_a_suspended_certificate_replaces_it(certificate, applicant, staff_user):
    change = change_report(certificate, applicant)
    services.certificate_suspend(certificate=certificate, actor=staff_user, reason="No SOPs.")
    application = pass_through_transitions(Application.objects.get(pk=change.pk), staff=staff_user)
    new = services.application_approve(
        application=application,
        actor=staff_user,
        sanctions_confirmed=sanctions_in_force(Certificate.objects.get(pk=certificate.pk)).token,
    )
    certificate.refresh_from_db()
    assert certificate.state == S.SUPERSEDED and new.expires_on == LAST_DAY
    assert new.state == S.SUSPENDED  # the suspension follows (test_sanction_chain.py)


def test_a_change_approved_on_the_last_day_keeps_that_day(certificate, applicant, staff_user):
    with at(LAST_DAY):
        new = approve(change_report(certificate, applicant), staff_user)
    assert new.issued_on == new.expires_on == LAST_DAY


# Renewal ---------------------------------------------------------------------------------
def test_a_renewal_before_expiry_starts_the_day_after_the_old_one_ends(
    certificate, applicant, staff_user, client
):
    with at(datetime.date(2031, 1, 10)):
        renewal = keeping.application_start_renewal(certificate=certificate, actor=applicant)
        new = approve(renewal, staff_user)
        certificate.refresh_from_db()
        assert new.issued_on == datetime.date(2031, 1, 10)
        assert new.valid_from == datetime.date(2031, 4, 1)
        assert new.expires_on == datetime.date(2036, 3, 31)  # the day before the anniversary
        # The old one stays in force until its last day; the new one is issued.
        assert certificate.state == S.ACTIVE
        assert verify_number(certificate.number).status == VerificationStatus.VALID
        page = client.get(reverse("certificates:verify", args=[new.number])).content.decode()
        assert "1 April 2031" in page  # valid from (the same words in both languages)
    with at(LAST_DAY):
        assert services.certificates_hand_over() == 0
    with at(datetime.date(2031, 4, 1)):
        from certificates.tasks import daily_scan

        result = daily_scan.delay().get()
        assert result["handed_over"] == 1 and result["expired"] == 0
        assert daily_scan.delay().get()["handed_over"] == 0
    certificate.refresh_from_db()
    assert certificate.state == S.SUPERSEDED
    assert AuditEvent.objects.for_object(certificate).get(action="hand_over").actor is None
    assert verify_number(certificate.number).replacement == new
    assert verify_number(new.number).status == VerificationStatus.VALID


def test_a_renewal_after_expiry_starts_on_approval(certificate, applicant, staff_user):
    with at(datetime.date(2031, 5, 10)):
        services.certificates_expire()
        renewal = keeping.application_start_renewal(
            certificate=Certificate.objects.get(pk=certificate.pk), actor=applicant
        )
        new = approve(renewal, staff_user)
    certificate.refresh_from_db()
    assert certificate.state == S.EXPIRED and new.supersedes == certificate
    assert new.issued_on == datetime.date(2031, 5, 10) and new.valid_from is None
    assert new.expires_on == datetime.date(2036, 5, 9)


def test_a_renewal_of_an_expired_but_unscanned_certificate_starts_on_approval(
    certificate, applicant, staff_user
):
    """The daily scan did not run yet: the old one is past its last day but still active."""
    with at(datetime.date(2031, 4, 3)):
        renewal = keeping.application_start_renewal(certificate=certificate, actor=applicant)
        new = approve(renewal, staff_user)
    assert new.valid_from is None and new.issued_on == datetime.date(2031, 4, 3)
    certificate.refresh_from_db()
    assert certificate.state == S.SUPERSEDED


def test_a_renewal_of_a_revoked_certificate_is_refused_at_approval(
    certificate, applicant, staff_user
):
    with at(datetime.date(2031, 1, 10)):
        renewal = keeping.application_start_renewal(certificate=certificate, actor=applicant)
        renewal = pass_through_transitions(renewal, staff=staff_user)
        services.certificate_revoke(certificate=certificate, actor=staff_user, reason="Fraud.")
        with pytest.raises(NotAllowed) as refused:
            services.application_approve(application=renewal, actor=staff_user)
    assert "revoked" in refused.value.message
    assert not Certificate.objects.filter(supersedes=certificate).exists()


def test_before_the_scan_hands_over_verification_already_names_the_renewal(
    certificate, applicant, staff_user
):
    with at(datetime.date(2031, 1, 10)):
        renewal = keeping.application_start_renewal(certificate=certificate, actor=applicant)
        new = approve(renewal, staff_user)
    with at(datetime.date(2031, 4, 1)):  # the daily scan has not run yet
        result = verify_number(certificate.number)
        assert Certificate.objects.get(pk=certificate.pk).state == S.ACTIVE
    assert result.status == VerificationStatus.SUPERSEDED and result.replacement == new


def test_a_suspended_certificate_expires_after_its_last_day(certificate, staff_user):
    services.certificate_suspend(certificate=certificate, actor=staff_user, reason="No SOPs.")
    with at(LAST_DAY):
        assert services.certificates_expire() == 0
        assert verify_number(certificate.number).status == VerificationStatus.SUSPENDED
    with at(datetime.date(2031, 4, 1)):
        assert verify_number(certificate.number).status == VerificationStatus.EXPIRED
        assert services.certificates_expire() == 1
    assert Certificate.objects.get(pk=certificate.pk).state == S.EXPIRED
