"""Issue 9: sanctions follow the certificate. A change report or a renewal of a sanctioned
certificate issues a successor that is suspended as its predecessor was and carries its
unpaid fines; staff must confirm the sanction when approving; nothing changes without it."""

import datetime

import pytest
import time_machine

from applications.constants import ApplicationState
from applications.models import Application
from certificates import services
from certificates.constants import CertificateState, SanctionKind, VerificationStatus
from certificates.keeping import application_start_change, application_start_renewal
from certificates.models import Certificate, Sanction
from certificates.sanctions import sanctions_in_force
from certificates.verification import verify_number
from registrasi.audit.models import AuditEvent
from registrasi.services import NotAllowed
from tests.certificates.emails import issue_email
from tests.certificates.factories import make_certificate, pass_through_transitions
from tests.certificates.fine_payments import pay_fine

pytestmark = pytest.mark.django_db
S = CertificateState
ISSUED = datetime.datetime(2026, 4, 1, 3, 0, tzinfo=datetime.UTC)
CHANGED_ON = datetime.date(2027, 6, 1)
SUSPENDED_UNTIL = datetime.date(2027, 9, 30)
REASON = "Customer consent was not recorded."


def at(on):
    return time_machine.travel(
        datetime.datetime.combine(on, datetime.time(2, 0), tzinfo=datetime.UTC)
    )


@pytest.fixture
def certificate(organization, applicant, staff_user):
    with time_machine.travel(ISSUED):
        return make_certificate(organization=organization, quick=True, staff=staff_user)


def passed_change(certificate, applicant, staff_user):
    change = application_start_change(certificate=certificate, actor=applicant)
    return pass_through_transitions(Application.objects.get(pk=change.pk), staff=staff_user)


def suspend(certificate, staff_user, until=SUSPENDED_UNTIL):
    services.certificate_suspend(
        certificate=certificate, actor=staff_user, reason=REASON, until=until
    )


def fine(certificate, staff_user, amount=25_000_000):
    return services.fine_impose(
        certificate=certificate,
        actor=staff_user,
        amount=amount,
        due_date=services.today() + datetime.timedelta(days=60),
        reason="Calls outside permitted hours.",
    )


def approve_confirmed(application, staff_user, basis):
    """Approve as staff who saw and confirmed the basis's sanctions."""
    return services.application_approve(
        application=application,
        actor=staff_user,
        sanctions_confirmed=sanctions_in_force(Certificate.objects.get(pk=basis.pk)).token,
    )


# 1. A change report no longer lifts a suspension -----------------------------------------
def test_the_successor_of_a_suspended_certificate_is_issued_suspended(
    certificate, applicant, staff_user
):
    with at(CHANGED_ON):
        suspend(certificate, staff_user)
        change = passed_change(certificate, applicant, staff_user)
        new = approve_confirmed(change, staff_user, certificate)
    new.refresh_from_db()
    certificate.refresh_from_db()
    assert certificate.state == S.SUPERSEDED
    assert new.state == S.SUSPENDED
    carried = new.sanctions.get(kind=SanctionKind.SUSPENSION)
    assert carried.reason == REASON and carried.ends_on == SUSPENDED_UNTIL
    assert carried.carried_from == certificate
    assert verify_number(new.number).status == VerificationStatus.SUSPENDED
    event = AuditEvent.objects.for_object(new).get(action="carry_suspension")
    assert (event.from_state, event.to_state) == (S.ACTIVE, S.SUSPENDED)


def test_the_successor_of_an_active_certificate_is_issued_active(
    certificate, applicant, staff_user
):
    with at(CHANGED_ON):
        change = passed_change(certificate, applicant, staff_user)
        new = services.application_approve(application=change, actor=staff_user)
    assert new.state == S.ACTIVE and not new.sanctions.exists()


def test_a_carried_suspension_ends_on_its_planned_date(certificate, applicant, staff_user):
    with at(CHANGED_ON):
        suspend(certificate, staff_user)
        new = approve_confirmed(
            passed_change(certificate, applicant, staff_user), staff_user, certificate
        )
    with at(SUSPENDED_UNTIL + datetime.timedelta(days=1)):
        assert services.suspensions_lift_ended() == 1
    assert Certificate.objects.get(pk=new.pk).state == S.ACTIVE
    assert Certificate.objects.get(pk=certificate.pk).state == S.SUPERSEDED


def test_staff_reinstate_the_carried_suspension(certificate, applicant, staff_user):
    with at(CHANGED_ON):
        suspend(certificate, staff_user, until=None)
        new = approve_confirmed(
            passed_change(certificate, applicant, staff_user), staff_user, certificate
        )
        services.certificate_reinstate(certificate=new, actor=staff_user, reason="SOPs fixed.")
    assert Certificate.objects.get(pk=new.pk).state == S.ACTIVE


def test_a_renewal_of_a_suspended_certificate_is_issued_suspended(
    certificate, applicant, staff_user
):
    with at(datetime.date(2031, 1, 10)):
        suspend(certificate, staff_user, until=None)
        renewal = application_start_renewal(certificate=certificate, actor=applicant)
        renewal = pass_through_transitions(renewal, staff=staff_user)
        new = approve_confirmed(renewal, staff_user, certificate)
    assert Certificate.objects.get(pk=new.pk).state == S.SUSPENDED
    assert new.valid_from == datetime.date(2031, 4, 1)
    # The old one is still the one in force (suspended) until it ends; then the scan hands
    # over to the renewed one, which is suspended too.
    with at(datetime.date(2031, 4, 1)):
        assert services.certificates_hand_over() == 1
    assert Certificate.objects.get(pk=certificate.pk).state == S.SUPERSEDED
    assert verify_number(certificate.number).current == new


# 2. Outstanding fines move to the successor ----------------------------------------------
def test_an_unpaid_fine_moves_to_the_successor_and_a_paid_one_stays(
    certificate, applicant, staff_user
):
    with at(CHANGED_ON):
        unpaid = fine(certificate, staff_user)
        paid = fine(certificate, staff_user, amount=1_000_000)
        pay_fine(paid, staff_user)
        change = passed_change(certificate, applicant, staff_user)
        new = approve_confirmed(change, staff_user, certificate)
    unpaid.refresh_from_db()
    paid.refresh_from_db()
    assert unpaid.certificate == new and unpaid.carried_from == certificate
    assert paid.certificate == certificate
    assert sanctions_in_force(new).fines == [unpaid]
    assert sanctions_in_force(new).fines_total == 25_000_000
    assert Certificate.objects.get(pk=new.pk).state == S.ACTIVE  # a fine changes no state
    assert AuditEvent.objects.for_object(new).filter(action="fine_carry").count() == 1
    # The fine is paid once, on the certificate in force.
    pay_fine(unpaid, staff_user)
    assert not sanctions_in_force(new)


def test_a_fine_imposed_on_a_renewed_certificate_before_hand_over_moves_then(
    certificate, applicant, staff_user
):
    with at(datetime.date(2031, 1, 10)):
        renewal = application_start_renewal(certificate=certificate, actor=applicant)
        new = services.application_approve(
            application=pass_through_transitions(renewal, staff=staff_user), actor=staff_user
        )
        late = fine(certificate, staff_user)
    with at(datetime.date(2031, 4, 1)):
        services.certificates_hand_over()
    late.refresh_from_db()
    assert late.certificate == new


# The approval asks staff to confirm the sanction ------------------------------------------
@pytest.mark.parametrize("sanction", ["suspended", "fined"])
def test_approving_a_follow_up_of_a_sanctioned_certificate_needs_a_confirmation(
    certificate, applicant, staff_user, sanction
):
    with at(CHANGED_ON):
        if sanction == "suspended":
            suspend(certificate, staff_user)
        else:
            fine(certificate, staff_user)
        change = passed_change(certificate, applicant, staff_user)
        before = AuditEvent.objects.count()
        with pytest.raises(NotAllowed) as refused:
            services.application_approve(application=change, actor=staff_user)
    assert certificate.number in refused.value.message
    assert "confirm" in refused.value.message
    # Nothing changed.
    assert Application.objects.get(pk=change.pk).state == ApplicationState.INSPECTION_PASSED
    assert Certificate.objects.count() == 1
    assert Certificate.objects.get(pk=certificate.pk).state != S.SUPERSEDED
    assert AuditEvent.objects.count() == before
    assert set(Sanction.objects.values_list("certificate_id", flat=True)) == {certificate.pk}


def test_a_confirmation_of_other_sanctions_than_those_in_force_is_refused(
    certificate, applicant, staff_user
):
    """A fine imposed after staff opened the confirmation: they confirmed something else."""
    with at(CHANGED_ON):
        suspend(certificate, staff_user)
        change = passed_change(certificate, applicant, staff_user)
        seen = sanctions_in_force(Certificate.objects.get(pk=certificate.pk)).token
        fine(certificate, staff_user)
        with pytest.raises(NotAllowed, match="changed"):
            services.application_approve(
                application=change, actor=staff_user, sanctions_confirmed=seen
            )
    assert Application.objects.get(pk=change.pk).state == ApplicationState.INSPECTION_PASSED


def test_a_revoked_certificate_still_has_no_successor(certificate, applicant, staff_user):
    with at(CHANGED_ON):
        change = passed_change(certificate, applicant, staff_user)
        services.certificate_revoke(certificate=certificate, actor=staff_user, reason="Fraud.")
        with pytest.raises(NotAllowed, match="revoked"):
            approve_confirmed(change, staff_user, certificate)
    assert Certificate.objects.count() == 1


# 4. Verification follows the chain ---------------------------------------------------------
def test_verification_walks_the_whole_chain_to_the_certificate_in_force(
    certificate, applicant, staff_user
):
    with at(CHANGED_ON):
        second = services.application_approve(
            application=passed_change(certificate, applicant, staff_user), actor=staff_user
        )
        third = services.application_approve(
            application=passed_change(second, applicant, staff_user), actor=staff_user
        )
        services.certificate_revoke(certificate=third, actor=staff_user, reason="Fraud.")
        result = verify_number(certificate.number)
    assert result.status == VerificationStatus.SUPERSEDED
    assert result.replacement == second
    assert [step.certificate for step in result.chain] == [certificate, second, third]
    assert [step.status for step in result.chain] == [
        VerificationStatus.SUPERSEDED,
        VerificationStatus.SUPERSEDED,
        VerificationStatus.REVOKED,
    ]
    assert result.current == third
    assert result.current_status == VerificationStatus.REVOKED


def test_verifying_the_certificate_in_force_is_a_chain_of_one(certificate):
    result = verify_number(certificate.number)
    assert [step.certificate for step in result.chain] == [certificate]
    assert result.current == certificate and result.current_status == VerificationStatus.VALID


def test_an_unknown_number_has_no_chain(db):
    result = verify_number("KOMINFO-CC-2026-000001-0")
    assert result.chain == () and result.current is None


def test_verifying_a_certificate_renewed_after_it_lapsed_goes_on_to_the_renewal(
    certificate, applicant, staff_user
):
    with at(datetime.date(2031, 5, 10)):
        services.certificates_expire()
        renewal = application_start_renewal(
            certificate=Certificate.objects.get(pk=certificate.pk), actor=applicant
        )
        new = services.application_approve(
            application=pass_through_transitions(renewal, staff=staff_user), actor=staff_user
        )
        result = verify_number(certificate.number)
    assert result.status == VerificationStatus.EXPIRED  # it did expire
    assert [step.certificate for step in result.chain] == [certificate, new]
    assert result.current_status == VerificationStatus.VALID


# Sanctions decided between a renewal's approval and its first day ---------------------------
def test_a_suspension_imposed_before_the_renewal_takes_effect_passes_on_then(
    certificate, applicant, staff_user
):
    with at(datetime.date(2031, 1, 10)):
        renewal = application_start_renewal(certificate=certificate, actor=applicant)
        new = services.application_approve(
            application=pass_through_transitions(renewal, staff=staff_user), actor=staff_user
        )
        suspend(certificate, staff_user, until=None)
    assert Certificate.objects.get(pk=new.pk).state == S.ACTIVE  # not in effect yet
    with at(datetime.date(2031, 4, 1)):
        assert services.certificates_hand_over() == 1
    assert Certificate.objects.get(pk=new.pk).state == S.SUSPENDED
    assert new.sanctions.get(kind=SanctionKind.SUSPENSION).carried_from == certificate


def test_reinstating_the_certificate_in_force_lifts_what_it_passed_to_its_pending_renewal(
    certificate, applicant, staff_user
):
    with at(datetime.date(2031, 1, 10)):
        suspend(certificate, staff_user, until=None)
        renewal = application_start_renewal(certificate=certificate, actor=applicant)
        new = approve_confirmed(
            pass_through_transitions(renewal, staff=staff_user), staff_user, certificate
        )
        services.certificate_reinstate(
            certificate=certificate, actor=staff_user, reason="Consent records fixed."
        )
    assert Certificate.objects.get(pk=certificate.pk).state == S.ACTIVE
    assert Certificate.objects.get(pk=new.pk).state == S.ACTIVE


def test_the_issue_email_of_a_successor_says_it_is_suspended_and_fined(
    certificate, applicant, staff_user
):
    applicant.language = "en"  # the email is in the recipient's language
    with at(CHANGED_ON):
        suspend(certificate, staff_user)
        fine(certificate, staff_user)
        new = approve_confirmed(
            passed_change(certificate, applicant, staff_user), staff_user, certificate
        )
        _subject, body = issue_email(Certificate.objects.get(pk=new.pk), applicant)
    assert "issued suspended too" in body
    assert "Unpaid fines of Rp 25.000.000 moved to this certificate" in body


def test_the_issue_email_of_an_unsanctioned_successor_says_nothing_of_sanctions(
    certificate, applicant, staff_user
):
    applicant.language = "en"
    with at(CHANGED_ON):
        new = services.application_approve(
            application=passed_change(certificate, applicant, staff_user), actor=staff_user
        )
        _subject, body = issue_email(new, applicant)
    assert "has been approved" in body
    assert "suspended" not in body and "fines" not in body
