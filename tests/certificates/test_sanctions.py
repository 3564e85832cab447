import datetime

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from applications.billing.models import BillingPayment
from certificates import services
from certificates.constants import CertificateState, SanctionKind, VerificationStatus
from certificates.models import Certificate, Sanction
from certificates.verification import registry, verify_number
from registrasi.audit.models import AuditEvent
from registrasi.services import NotAllowed, StaleState
from tests.certificates.factories import make_certificate
from tests.certificates.fine_payments import office_fine_payment, pay_fine

pytestmark = pytest.mark.django_db
S = CertificateState
REASON = "Customers were called at night without consent."


def due():
    return services.today() + datetime.timedelta(days=30)


ISSUED = datetime.datetime(2026, 4, 1, 3, 0, tzinfo=datetime.UTC)
NOON = datetime.datetime(2026, 5, 4, 5, 0, tzinfo=datetime.UTC)  # 12:00 in Jakarta


@pytest.fixture
def certificate(organization, applicant, staff_user):
    with time_machine.travel(ISSUED):
        return make_certificate(organization=organization, quick=True, staff=staff_user)


def actions(certificate):
    return list(AuditEvent.objects.for_object(certificate).values_list("action", flat=True))


# Suspension and reinstatement ------------------------------------------------------------
def test_staff_suspend_an_active_certificate_with_a_reason(certificate, staff_user):
    with time_machine.travel(NOON):
        until = datetime.date(2026, 6, 1)
        suspended = services.certificate_suspend(
            certificate=certificate, actor=staff_user, reason=REASON, until=until
        )
    assert suspended.state == S.SUSPENDED
    sanction = Sanction.objects.get(certificate=certificate)
    assert sanction.kind == SanctionKind.SUSPENSION
    assert (sanction.starts_on, sanction.ends_on) == (datetime.date(2026, 5, 4), until)
    assert sanction.reason == REASON and sanction.created_by == staff_user
    event = AuditEvent.objects.for_object(certificate).get(action="suspend")
    assert (event.from_state, event.to_state, event.note) == (S.ACTIVE, S.SUSPENDED, REASON)
    assert event.actor == staff_user
    # The public sees it at once.
    result = verify_number(certificate.number)
    assert result.status == VerificationStatus.SUSPENDED
    assert result.since == datetime.date(2026, 5, 4)
    assert registry(state=S.SUSPENDED).get() == certificate


def test_a_suspension_may_record_an_earlier_start_but_not_a_future_one(certificate, staff_user):
    with time_machine.travel(NOON):
        with pytest.raises(ValidationError):
            services.certificate_suspend(
                certificate=certificate,
                actor=staff_user,
                reason=REASON,
                starts_on=datetime.date(2026, 5, 5),
            )
        services.certificate_suspend(
            certificate=certificate,
            actor=staff_user,
            reason=REASON,
            starts_on=datetime.date(2026, 5, 1),
        )
    assert Sanction.objects.get().starts_on == datetime.date(2026, 5, 1)


def test_a_suspension_must_end_after_today(certificate, staff_user):
    with time_machine.travel(NOON), pytest.raises(ValidationError):
        services.certificate_suspend(
            certificate=certificate,
            actor=staff_user,
            reason=REASON,
            until=datetime.date(2026, 5, 4),
        )
    assert Certificate.objects.get(pk=certificate.pk).state == S.ACTIVE


@pytest.mark.parametrize("reason", ["", "   "])
def test_every_sanction_needs_a_reason(certificate, staff_user, reason):
    with pytest.raises(ValidationError):
        services.certificate_suspend(certificate=certificate, actor=staff_user, reason=reason)
    with pytest.raises(ValidationError):
        services.certificate_revoke(certificate=certificate, actor=staff_user, reason=reason)
    with pytest.raises(ValidationError):
        services.fine_impose(
            certificate=certificate,
            actor=staff_user,
            amount=1_000_000,
            due_date=datetime.date.today() + datetime.timedelta(days=30),
            reason=reason,
        )
    assert Certificate.objects.get(pk=certificate.pk).state == S.ACTIVE
    assert not Sanction.objects.exists()


def test_staff_reinstate_a_suspended_certificate(certificate, staff_user):
    with time_machine.travel(NOON):
        services.certificate_suspend(
            certificate=certificate,
            actor=staff_user,
            reason=REASON,
            until=datetime.date(2026, 7, 1),
        )
    with time_machine.travel(NOON + datetime.timedelta(days=10)):
        reinstated = services.certificate_reinstate(
            certificate=certificate, actor=staff_user, reason="Consent records now kept."
        )
    assert reinstated.state == S.ACTIVE
    suspension, reinstatement = Sanction.objects.order_by("pk")
    assert suspension.ends_on == datetime.date(2026, 5, 14)  # ended early, on reinstatement
    assert reinstatement.kind == SanctionKind.REINSTATEMENT
    assert actions(certificate) == ["issue", "suspend", "reinstate"]
    assert verify_number(certificate.number).status == VerificationStatus.VALID


def test_it_refuses_to_reinstate_an_active_certificate(certificate, staff_user):
    with pytest.raises(NotAllowed):
        services.certificate_reinstate(certificate=certificate, actor=staff_user, reason=REASON)
    assert not Sanction.objects.exists()
    assert actions(certificate) == ["issue"]


def test_it_refuses_to_suspend_a_suspended_certificate(certificate, staff_user):
    services.certificate_suspend(certificate=certificate, actor=staff_user, reason=REASON)
    with pytest.raises(NotAllowed):
        services.certificate_suspend(certificate=certificate, actor=staff_user, reason=REASON)
    assert Sanction.objects.count() == 1


def test_it_refuses_a_sanction_decided_on_a_stale_page(certificate, staff_user):
    services.certificate_suspend(certificate=certificate, actor=staff_user, reason=REASON)
    with pytest.raises(StaleState):
        services.certificate_revoke(
            certificate=certificate, actor=staff_user, reason=REASON, expected_state=S.ACTIVE
        )
    assert Certificate.objects.get(pk=certificate.pk).state == S.SUSPENDED


# Revocation ------------------------------------------------------------------------------
@pytest.mark.parametrize("start", [S.ACTIVE, S.SUSPENDED])
def test_staff_revoke_an_active_or_suspended_certificate(certificate, staff_user, start):
    if start == S.SUSPENDED:
        services.certificate_suspend(certificate=certificate, actor=staff_user, reason=REASON)
    with time_machine.travel(NOON):
        revoked = services.certificate_revoke(
            certificate=certificate, actor=staff_user, reason=REASON
        )
    assert revoked.state == S.REVOKED
    assert Sanction.objects.filter(kind=SanctionKind.REVOCATION).get().reason == REASON
    result = verify_number(certificate.number)
    assert result.status == VerificationStatus.REVOKED
    assert result.since == datetime.date(2026, 5, 4)
    assert registry(state=S.REVOKED).get() == certificate


def test_nothing_follows_a_revocation(certificate, staff_user):
    services.certificate_revoke(certificate=certificate, actor=staff_user, reason=REASON)
    for action in (
        services.certificate_suspend,
        services.certificate_reinstate,
        services.certificate_revoke,
    ):
        with pytest.raises(NotAllowed):
            action(certificate=certificate, actor=staff_user, reason=REASON)
    with pytest.raises(NotAllowed):
        services.fine_impose(
            certificate=certificate,
            actor=staff_user,
            amount=500_000,
            due_date=datetime.date.today() + datetime.timedelta(days=30),
            reason=REASON,
        )
    assert Certificate.objects.get(pk=certificate.pk).state == S.REVOKED
    assert Sanction.objects.count() == 1
    assert services.certificates_expire(on=certificate.expires_on + datetime.timedelta(days=1)) == 0


# Fines -----------------------------------------------------------------------------------
def test_staff_fine_the_holder_and_record_the_payment(certificate, staff_user):
    due = datetime.date.today() + datetime.timedelta(days=30)
    fine = services.fine_impose(
        certificate=certificate, actor=staff_user, amount=1_500_000, due_date=due, reason=REASON
    )
    assert (fine.kind, fine.amount, fine.due_date, fine.is_paid) == (
        SanctionKind.FINE,
        1_500_000,
        due,
        False,
    )
    assert Certificate.objects.get(pk=certificate.pk).state == S.ACTIVE  # a fine changes no state
    payment = pay_fine(fine, staff_user)
    paid = Sanction.objects.get(pk=fine.pk)
    assert paid.is_paid and paid.paid_at == payment.paid_at
    assert payment.source == "office" and payment.receipt_scan and payment.amount == 1_500_000
    assert actions(certificate) == ["issue", "fine_impose", "fine_paid"]
    event = AuditEvent.objects.for_object(certificate).get(action="fine_impose")
    assert event.data["amount"] == 1_500_000 and event.note == REASON
    paid_event = AuditEvent.objects.for_object(certificate).get(action="fine_paid")
    assert paid_event.data["ntpn"] == payment.ntpn and paid_event.actor == staff_user
    with pytest.raises(NotAllowed):
        pay_fine(fine, staff_user)
    assert BillingPayment.objects.count() == 1


@pytest.mark.parametrize(
    "bad",
    [
        {"ntpn": ""},
        {"ntpn": "123"},
        {"ntpn": "abcd efgh ijkl m"},
        {"receipt_scan": None},
        {"receipt_scan": "not-a-pdf"},
        {"paid_at": None},
    ],
)
def test_a_fine_is_not_recorded_paid_without_an_ntpn_and_a_scan(certificate, staff_user, bad):
    fine = services.fine_impose(
        certificate=certificate, actor=staff_user, amount=500_000, due_date=due(), reason=REASON
    )
    if bad.get("receipt_scan") == "not-a-pdf":
        bad = {
            "receipt_scan": SimpleUploadedFile("r.pdf", b"hello", content_type="application/pdf")
        }
    with pytest.raises(ValidationError):
        pay_fine(fine, staff_user, **bad)
    assert Sanction.objects.get(pk=fine.pk).paid_at is None
    assert not BillingPayment.objects.exists()
    assert "fine_paid" not in actions(certificate)


def test_a_fine_is_not_recorded_paid_with_an_ntpn_already_used(certificate, staff_user):
    first = services.fine_impose(
        certificate=certificate, actor=staff_user, amount=500_000, due_date=due(), reason=REASON
    )
    second = services.fine_impose(
        certificate=certificate, actor=staff_user, amount=700_000, due_date=due(), reason=REASON
    )
    payment = pay_fine(first, staff_user)
    with pytest.raises(ValidationError) as error:
        pay_fine(second, staff_user, ntpn=payment.ntpn)
    assert "ntpn" in error.value.message_dict
    assert Sanction.objects.get(pk=second.pk).paid_at is None
    assert BillingPayment.objects.count() == 1


def test_a_fine_without_an_issued_code_cannot_be_recorded_paid(certificate, staff_user):
    fine = services.fine_impose(
        certificate=certificate, actor=staff_user, amount=500_000, due_date=due(), reason=REASON
    )
    with pytest.raises(NotAllowed):
        services.fine_mark_paid(sanction=fine, actor=staff_user, **office_fine_payment())
    assert Sanction.objects.get(pk=fine.pk).paid_at is None
    assert not BillingPayment.objects.exists()


@pytest.mark.parametrize(
    ("amount", "days"), [(0, 30), (-5, 30), ("banyak", 30), (None, 30), (100_000, -1)]
)
def test_it_refuses_a_fine_without_a_positive_amount_or_with_a_past_due_date(
    certificate, staff_user, amount, days
):
    with pytest.raises(ValidationError):
        services.fine_impose(
            certificate=certificate,
            actor=staff_user,
            amount=amount,
            due_date=services.today() + datetime.timedelta(days=days),
            reason=REASON,
        )
    assert not Sanction.objects.exists()


def test_only_a_fine_can_be_marked_paid(certificate, staff_user):
    services.certificate_suspend(certificate=certificate, actor=staff_user, reason=REASON)
    with pytest.raises(NotAllowed):
        services.fine_mark_paid(
            sanction=Sanction.objects.get(), actor=staff_user, **office_fine_payment()
        )
    assert not BillingPayment.objects.exists()


# Who may sanction ------------------------------------------------------------------------
@pytest.mark.parametrize("who", ["applicant", "member", "inspector", "no_role_user", "outsider"])
def test_only_staff_may_sanction(certificate, staff_user, who, request):
    actor = request.getfixturevalue(who)
    due = services.today() + datetime.timedelta(days=30)
    with pytest.raises(NotAllowed):
        services.certificate_suspend(certificate=certificate, actor=actor, reason=REASON)
    with pytest.raises(NotAllowed):
        services.certificate_revoke(certificate=certificate, actor=actor, reason=REASON)
    with pytest.raises(NotAllowed):
        services.fine_impose(
            certificate=certificate, actor=actor, amount=100_000, due_date=due, reason=REASON
        )
    services.certificate_suspend(certificate=certificate, actor=staff_user, reason=REASON)
    with pytest.raises(NotAllowed):
        services.certificate_reinstate(certificate=certificate, actor=actor, reason=REASON)
    fine = services.fine_impose(
        certificate=certificate, actor=staff_user, amount=100_000, due_date=due, reason=REASON
    )
    with pytest.raises(NotAllowed):
        pay_fine(fine, actor)
    assert Certificate.objects.get(pk=certificate.pk).state == S.SUSPENDED
    assert Sanction.objects.get(pk=fine.pk).paid_at is None


# Emails ----------------------------------------------------------------------------------
def test_the_members_are_emailed_after_commit_each_in_their_language(
    certificate, staff_user, applicant, member, django_capture_on_commit_callbacks
):
    member.language = "en"
    member.save(update_fields=["language"])
    due = datetime.date(2026, 6, 3)
    with time_machine.travel(NOON):
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            services.fine_impose(
                certificate=certificate,
                actor=staff_user,
                amount=1_500_000,
                due_date=due,
                reason=REASON,
            )
        assert mail.outbox == []  # nothing before the commit
        for callback in callbacks:
            callback()
    by_recipient = {message.to[0]: message for message in mail.outbox}
    assert set(by_recipient) == {applicant.email, member.email}
    for message in mail.outbox:
        assert certificate.number in message.subject
        assert "Rp 1.500.000" in message.body
        assert REASON in message.body
    assert "3 Juni 2026" in by_recipient[applicant.email].body
    assert "3 June 2026" in by_recipient[member.email].body


@pytest.mark.parametrize(
    ("action", "word"),
    [("suspend", "suspended"), ("revoke", "revoked"), ("reinstate", "reinstated")],
)
def test_each_state_change_is_announced(
    certificate, staff_user, applicant, action, word, django_capture_on_commit_callbacks
):
    if action == "reinstate":
        services.certificate_suspend(certificate=certificate, actor=staff_user, reason=REASON)
    applicant.language = "en"
    applicant.save(update_fields=["language"])
    with django_capture_on_commit_callbacks(execute=True):
        getattr(services, f"certificate_{action}")(
            certificate=certificate, actor=staff_user, reason=REASON
        )
    (message,) = mail.outbox
    assert word in message.subject
    assert REASON in message.body
    assert message.to == [applicant.email]


def test_no_email_leaves_when_the_sanction_is_refused(
    certificate, staff_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(NotAllowed):
        services.certificate_reinstate(certificate=certificate, actor=staff_user, reason=REASON)
    assert mail.outbox == []


def test_a_repeated_email_task_sends_nothing_twice(certificate, staff_user, applicant, member):
    from registrasi.audit.models import AuditEvent
    from registrasi.notifications import send_event_emails

    def fined(fine):
        return AuditEvent.objects.get(action="fine_impose", data__sanction=fine.pk).pk

    fine = services.fine_impose(
        certificate=certificate,
        actor=staff_user,
        amount=750_000,
        due_date=services.today() + datetime.timedelta(days=14),
        reason=REASON,
    )
    assert send_event_emails(fined(fine)) == 2
    assert send_event_emails(fined(fine)) == 0
    assert len(mail.outbox) == 2
    # Another fine is another event: announced again.
    other = services.fine_impose(
        certificate=certificate,
        actor=staff_user,
        amount=250_000,
        due_date=services.today() + datetime.timedelta(days=14),
        reason=REASON,
    )
    assert send_event_emails(fined(other)) == 2
