"""Renewals and change reports (started with the applications app's services) replace the
certificate they were based on when approved."""

import datetime

import pytest
import time_machine

from applications.constants import ApplicationKind
from certificates import keeping, services
from certificates.constants import CertificateState, VerificationStatus
from certificates.models import Certificate
from certificates.sanctions import sanctions_in_force
from certificates.verification import verify_number
from tests.certificates.factories import make_certificate, pass_through_transitions

pytestmark = pytest.mark.django_db
S = CertificateState
ISSUED = datetime.datetime(2026, 4, 1, 3, 0, tzinfo=datetime.UTC)
RENEWAL_TIME = datetime.datetime(2030, 11, 2, 3, 0, tzinfo=datetime.UTC)


@pytest.fixture
def certificate(organization, applicant, staff_user):
    with time_machine.travel(ISSUED):
        return make_certificate(organization=organization, quick=True, staff=staff_user)


def approve_follow_up(application, staff_user):
    """Approve as staff who saw (and confirmed) any sanction of the certificate followed."""
    application = pass_through_transitions(application, staff=staff_user)
    return services.application_approve(
        application=application,
        actor=staff_user,
        sanctions_confirmed=sanctions_in_force(application.basis_certificate).token,
    )


def test_an_approved_change_report_supersedes_its_certificate(certificate, applicant, staff_user):
    change = keeping.application_start_change(certificate=certificate, actor=applicant)
    assert change.kind == ApplicationKind.CHANGE
    new = approve_follow_up(change, staff_user)
    certificate.refresh_from_db()
    assert certificate.state == S.SUPERSEDED
    assert new.supersedes == certificate and new.state == S.ACTIVE
    result = verify_number(certificate.number)
    assert result.status == VerificationStatus.SUPERSEDED and result.replacement == new


def test_a_renewal_of_a_suspended_certificate_hands_over_when_it_ends(
    certificate, applicant, staff_user
):
    services.certificate_suspend(certificate=certificate, actor=staff_user, reason="No SOPs.")
    with time_machine.travel(RENEWAL_TIME):
        renewal = keeping.application_start_renewal(certificate=certificate, actor=applicant)
        new = approve_follow_up(renewal, staff_user)
    certificate.refresh_from_db()
    assert certificate.state == S.SUSPENDED  # until its last day, 31 March 2031
    assert new.supersedes == certificate
    assert new.issued_on == datetime.date(2030, 11, 2)
    assert new.valid_from == datetime.date(2031, 4, 1)
    assert new.expires_on == datetime.date(2036, 3, 31)
    assert new.state == S.SUSPENDED  # the suspension follows it (issue 9)
    with time_machine.travel(datetime.datetime(2031, 4, 1, 3, 0, tzinfo=datetime.UTC)):
        assert services.certificates_hand_over() == 1
    certificate.refresh_from_db()
    assert certificate.state == S.SUPERSEDED


def test_a_renewal_of_an_expired_certificate_leaves_it_expired(certificate, applicant, staff_user):
    after = datetime.datetime(2031, 5, 1, 3, 0, tzinfo=datetime.UTC)
    with time_machine.travel(after):
        assert services.certificates_expire() == 1
        renewal = keeping.application_start_renewal(
            certificate=Certificate.objects.get(pk=certificate.pk), actor=applicant
        )
        new = approve_follow_up(renewal, staff_user)
    certificate.refresh_from_db()
    assert certificate.state == S.EXPIRED
    assert new.supersedes == certificate and new.state == S.ACTIVE
