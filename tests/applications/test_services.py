import datetime
import re

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from applications import services
from applications.constants import (
    REQUIRED_DOCUMENT_TYPES,
    ApplicationKind,
    ApplicationState,
    Direction,
    DocumentType,
    ReviewStatus,
)
from applications.models import Application, ApplicationSite, Invoice, Payment
from registrasi.audit.selectors import timeline_for
from registrasi.services import NotAllowed
from tests.applications.factories import (
    ApplicationFactory,
    current_versions,
    pay_invoice,
    pdf_upload,
    upload_required_documents,
)

S = ApplicationState


def fresh(application):
    return Application.objects.get(pk=application.pk)


# Creating and editing ---------------------------------------------------------------------
def test_a_member_creates_a_draft_prefilled_from_the_organization(applicant, organization):
    application = services.application_create(organization=organization, actor=applicant)
    assert application.state == S.DRAFT
    assert application.kind == ApplicationKind.NEW
    assert application.company_legal_name == organization.legal_name
    assert application.company_address == organization.address
    assert application.company_province == organization.province
    assert application.reference is None
    assert timeline_for(application).get().action == "create"


def test_a_renewal_can_be_created(applicant, organization):
    application = services.application_create(
        organization=organization, actor=applicant, kind=ApplicationKind.RENEWAL
    )
    assert application.kind == ApplicationKind.RENEWAL


@pytest.mark.parametrize("who", ["outsider", "staff_user", "inspector", "no_role_user"])
def test_only_members_create_applications_for_their_organization(request, organization, who):
    with pytest.raises(NotAllowed):
        services.application_create(organization=organization, actor=request.getfixturevalue(who))
    assert not Application.objects.exists()


def test_details_can_be_changed_in_a_draft(applicant):
    application = ApplicationFactory(created_by=applicant)
    services.application_update_details(
        application=application,
        actor=applicant,
        data={"agent_seats": "120", "direction": Direction.BOTH, "foreign_owned": True},
    )
    application = fresh(application)
    assert application.agent_seats == 120
    assert application.direction == Direction.BOTH
    assert application.foreign_owned is True
    event = timeline_for(application).filter(action="update_details").last()
    assert event.data["agent_seats"] == 120


def test_details_can_be_changed_when_returned(applicant):
    application = ApplicationFactory(created_by=applicant, returned=True)
    services.application_update_details(
        application=application, actor=applicant, data={"agent_seats": 75}
    )
    assert fresh(application).agent_seats == 75


@pytest.mark.parametrize("state", [S.SUBMITTED, S.UNDER_REVIEW, S.AWAITING_INSPECTION])
def test_details_cannot_be_changed_once_submitted(applicant, state):
    application = ApplicationFactory(created_by=applicant, to_state=state)
    with pytest.raises(NotAllowed):
        services.application_update_details(
            application=application, actor=applicant, data={"agent_seats": 999}
        )
    assert fresh(application).agent_seats == 30


@pytest.mark.parametrize(
    "data",
    [
        {"agent_seats": 0},
        {"agent_seats": -5},
        {"agent_seats": "many"},
        {"direction": "sideways"},
        {"sourcing": "offshore"},
        {"company_province": "atlantis"},
        {"state": "approved"},
    ],
)
def test_bad_details_are_refused(applicant, data):
    application = ApplicationFactory(created_by=applicant)
    with pytest.raises(ValidationError):
        services.application_update_details(application=application, actor=applicant, data=data)
    assert fresh(application).state == S.DRAFT


def test_another_organization_cannot_change_details(applicant, outsider):
    application = ApplicationFactory(created_by=applicant)
    with pytest.raises(NotAllowed):
        services.application_update_details(
            application=application, actor=outsider, data={"agent_seats": 2}
        )


def test_sites_are_replaced(applicant):
    application = ApplicationFactory(created_by=applicant)
    services.application_set_sites(
        application=application,
        actor=applicant,
        sites=[
            {"address": "Jl. A 1, Bandung", "province": "jawa_barat", "agent_seats": 20},
            {"address": "Jl. B 2, Surabaya", "province": "jawa_timur", "agent_seats": "10"},
        ],
    )
    sites = list(ApplicationSite.objects.filter(application=application))
    assert [(s.province, s.agent_seats) for s in sites] == [("jawa_barat", 20), ("jawa_timur", 10)]


@pytest.mark.parametrize(
    "site",
    [
        {"address": "", "province": "jawa_barat", "agent_seats": 1},
        {"address": "Jl. A", "province": "mars", "agent_seats": 1},
        {"address": "Jl. A", "province": "jawa_barat", "agent_seats": -1},
    ],
)
def test_bad_sites_are_refused_and_the_old_ones_kept(applicant, site):
    application = ApplicationFactory(created_by=applicant)
    with pytest.raises(ValidationError):
        services.application_set_sites(application=application, actor=applicant, sites=[site])
    assert application.sites.count() == 1


def test_sites_cannot_change_after_submission(applicant):
    application = ApplicationFactory(created_by=applicant, submitted=True)
    with pytest.raises(NotAllowed):
        services.application_set_sites(application=application, actor=applicant, sites=[])
    assert application.sites.count() == 1


# Submitting -------------------------------------------------------------------------------
def test_submission_names_every_missing_document(applicant):
    application = ApplicationFactory(created_by=applicant)
    upload_required_documents(application, applicant, types=REQUIRED_DOCUMENT_TYPES[:2])
    with pytest.raises(services.SubmissionIncomplete) as excinfo:
        services.application_submit(application=application, actor=applicant)
    missing = excinfo.value.missing
    assert len(missing) == len(REQUIRED_DOCUMENT_TYPES) - 2 == 4
    for document_type in REQUIRED_DOCUMENT_TYPES[2:]:
        label = str(DocumentType(document_type).label)
        assert any(label in item for item in missing)
        assert label in excinfo.value.message
    assert fresh(application).state == S.DRAFT
    assert not Invoice.objects.exists()


def test_submission_names_missing_facts_and_sites(applicant):
    application = ApplicationFactory(
        created_by=applicant, agent_seats=None, sourcing="", sites=[], with_documents=True
    )
    with pytest.raises(services.SubmissionIncomplete) as excinfo:
        services.application_submit(application=application, actor=applicant)
    assert len(excinfo.value.missing) == 3


def test_submission_assigns_the_reference_and_issues_the_invoice(applicant):
    application = ApplicationFactory(created_by=applicant, with_documents=True, agent_seats=51)
    with time_machine.travel(datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)):
        application = services.application_submit(application=application, actor=applicant)
    assert application.state == S.SUBMITTED
    assert application.reference == f"REG-2026-{application.pk:06d}"
    assert re.fullmatch(r"REG-\d{4}-\d{6}", application.reference)
    assert application.submitted_at == datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
    invoice = Invoice.objects.get(application=application)
    assert invoice.number == f"INV-2026-{application.pk:06d}"
    assert invoice.amount == 10_000_000
    assert invoice.due_date == datetime.date(2026, 3, 16)
    assert not invoice.is_paid
    actions = list(timeline_for(application).order_by("id").values_list("action", flat=True))
    assert actions[-2:] == ["submit", "invoice_issued"]


def test_references_are_unique_and_follow_the_row(applicant):
    first = ApplicationFactory(created_by=applicant, submitted=True)
    second = ApplicationFactory(created_by=applicant, submitted=True)
    assert first.reference != second.reference
    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.filter(pk=second.pk).update(reference=first.reference)


def test_a_resubmission_after_a_return_keeps_the_reference_and_the_single_invoice(
    applicant, staff_user
):
    application = ApplicationFactory(created_by=applicant, returned=True, staff=staff_user)
    reference = application.reference
    invoice = Invoice.objects.get(application=application)
    rejected = [v for v in current_versions(application) if v.is_rejected]
    for version in rejected:
        services.document_upload(
            application=application,
            actor=applicant,
            document_type=version.document.document_type,
            uploaded_file=pdf_upload(),
        )
    application = services.application_submit(application=application, actor=applicant)
    assert application.reference == reference
    assert Invoice.objects.filter(application=application).count() == 1
    assert Invoice.objects.get(application=application).number == invoice.number


def test_a_rejected_document_must_be_replaced_before_resubmitting(applicant, staff_user):
    application = ApplicationFactory(created_by=applicant, returned=True, staff=staff_user)
    rejected = next(v for v in current_versions(application) if v.is_rejected)
    label = str(rejected.document.get_document_type_display())
    with pytest.raises(services.SubmissionIncomplete) as excinfo:
        services.application_submit(application=application, actor=applicant)
    assert any(label in item and "rejected" in item for item in excinfo.value.missing)
    services.document_upload(
        application=application,
        actor=applicant,
        document_type=rejected.document.document_type,
        uploaded_file=pdf_upload("fixed.pdf"),
    )
    assert services.application_submit(application=application, actor=applicant).state == (
        S.SUBMITTED
    )


# Re-pricing on resubmission (replace, supplementary, no refund): test_fee_repricing.py.
def test_a_paid_invoice_is_never_changed(applicant, staff_user):
    application = ApplicationFactory(
        created_by=applicant, returned=True, staff=staff_user, paid=True
    )
    paid = Invoice.objects.get(application=application)
    services.application_update_details(
        application=application, actor=applicant, data={"agent_seats": 300}
    )
    _replace_rejected(application, applicant)
    services.application_submit(application=application, actor=applicant)
    paid.refresh_from_db()
    assert (paid.amount, paid.is_paid, paid.is_cancelled) == (5_000_000, True, False)


def _replace_rejected(application, applicant):
    for version in current_versions(application):
        if version.is_rejected:
            services.document_upload(
                application=application,
                actor=applicant,
                document_type=version.document.document_type,
                uploaded_file=pdf_upload(),
            )


# Desk review ------------------------------------------------------------------------------
def test_staff_accept_and_reject_documents_with_a_reason(applicant, staff_user):
    application = ApplicationFactory(created_by=applicant, under_review=True)
    first, second = current_versions(application)[:2]
    services.document_review(version=first, actor=staff_user, accepted=True)
    services.document_review(
        version=second, actor=staff_user, accepted=False, reason="  The scan is unreadable. "
    )
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.review_status, first.reviewed_by) == (ReviewStatus.ACCEPTED, staff_user)
    assert second.review_status == ReviewStatus.REJECTED
    assert second.review_reason == "The scan is unreadable."
    assert second.reviewed_at is not None
    event = timeline_for(application).filter(action="document_review").last()
    assert event.note == "The scan is unreadable."


def test_rejecting_a_document_needs_a_reason(applicant, staff_user):
    application = ApplicationFactory(created_by=applicant, under_review=True)
    version = current_versions(application)[0]
    with pytest.raises(ValidationError) as excinfo:
        services.document_review(version=version, actor=staff_user, accepted=False, reason=" ")
    assert "reason" in excinfo.value.message_dict
    version.refresh_from_db()
    assert version.review_status == ReviewStatus.PENDING


@pytest.mark.parametrize("who", ["applicant", "inspector", "outsider", "no_role_user"])
def test_only_staff_review_documents(request, applicant, who):
    application = ApplicationFactory(created_by=applicant, under_review=True)
    version = current_versions(application)[0]
    with pytest.raises(NotAllowed):
        services.document_review(version=version, actor=request.getfixturevalue(who), accepted=True)


# Later states (awaiting inspection and after): see test_document_review_rule.py.
@pytest.mark.parametrize("state", [S.SUBMITTED, S.RETURNED, S.REJECTED])
def test_documents_are_not_reviewed_before_the_desk_review_or_once_final(
    applicant, staff_user, state
):
    application = ApplicationFactory(created_by=applicant, to_state=state, staff=staff_user)
    version = current_versions(application)[-1]
    with pytest.raises(NotAllowed):
        services.document_review(version=version, actor=staff_user, accepted=True)


def test_only_the_newest_version_is_reviewed(applicant, staff_user):
    application = ApplicationFactory(created_by=applicant, with_documents=True)
    old = current_versions(application)[0]
    services.document_upload(
        application=application,
        actor=applicant,
        document_type=old.document.document_type,
        uploaded_file=pdf_upload(),
    )
    services.application_submit(application=application, actor=applicant)
    services.application_start_review(application=application, actor=staff_user)
    with pytest.raises(NotAllowed):
        services.document_review(version=old, actor=staff_user, accepted=True)


def test_a_return_stores_the_note_for_the_applicant(applicant, staff_user):
    application = ApplicationFactory(created_by=applicant, under_review=True)
    services.application_return_for_changes(
        application=application, actor=staff_user, reason="Add the supervisors' names."
    )
    application = fresh(application)
    assert application.state == S.RETURNED
    assert application.return_reason == "Add the supervisors' names."
    assert timeline_for(application).last().note == "Add the supervisors' names."


@pytest.mark.parametrize(
    "service", [services.application_return_for_changes, services.application_reject]
)
def test_return_and_reject_need_a_reason(applicant, staff_user, service):
    application = ApplicationFactory(created_by=applicant, under_review=True)
    with pytest.raises(ValidationError):
        service(application=application, actor=staff_user, reason="   ")
    assert fresh(application).state == S.UNDER_REVIEW


def test_a_rejection_stores_the_reason(applicant, staff_user):
    application = ApplicationFactory(created_by=applicant, under_review=True)
    services.application_reject(application=application, actor=staff_user, reason="Fraud.")
    assert fresh(application).rejection_reason == "Fraud."


def test_a_withdrawal_keeps_the_reason_in_the_timeline(applicant):
    application = ApplicationFactory(created_by=applicant, submitted=True)
    services.application_withdraw(application=application, actor=applicant, reason="Merged.")
    event = timeline_for(application).filter(action="withdraw").get()
    assert event.note == "Merged."


# Payment ----------------------------------------------------------------------------------
def record(invoice, actor, **overrides):
    values = {
        "paid_on": timezone.localdate(),
        "reference": "TRF-001",
        "amount": invoice.amount,
    }
    values.update(overrides)
    return services.invoice_record_payment(invoice=invoice, actor=actor, **values)


def test_staff_record_a_payment(applicant, staff_user):
    application = ApplicationFactory(created_by=applicant, submitted=True)
    invoice = Invoice.objects.get(application=application)
    assert not services.invoice_is_paid(application)
    payment = record(invoice, staff_user, amount=str(invoice.amount))
    invoice.refresh_from_db()
    assert invoice.is_paid
    assert services.invoice_is_paid(application)
    assert (payment.amount, payment.reference, payment.recorded_by) == (
        5_000_000,
        "TRF-001",
        staff_user,
    )
    event = timeline_for(application).last()
    assert event.action == "payment_recorded"
    assert event.data["amount"] == 5_000_000


@pytest.mark.parametrize("amount", [4_999_999, 5_000_001, "5000000.50", "abc", None, 0])
def test_a_wrong_amount_is_refused(applicant, staff_user, amount):
    application = ApplicationFactory(created_by=applicant, submitted=True)
    invoice = Invoice.objects.get(application=application)
    with pytest.raises(ValidationError) as excinfo:
        record(invoice, staff_user, amount=amount)
    assert "Rp 5.000.000" in excinfo.value.message_dict["amount"][0]
    assert not Payment.objects.exists()
    assert not services.invoice_is_paid(application)


def test_paying_twice_is_refused(applicant, staff_user):
    application = ApplicationFactory(created_by=applicant, submitted=True)
    invoice = Invoice.objects.get(application=application)
    record(invoice, staff_user)
    with pytest.raises(NotAllowed):
        record(invoice, staff_user, reference="TRF-002")
    assert Payment.objects.count() == 1


def test_the_database_refuses_a_second_payment(applicant, staff_user):
    application = ApplicationFactory(created_by=applicant, submitted=True, paid=True)
    payment = Payment.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.create(
            invoice=payment.invoice,
            paid_on=payment.paid_on,
            reference="again",
            amount=payment.amount,
            recorded_by=staff_user,
        )
    assert application.invoice.is_paid


@pytest.mark.parametrize("who", ["applicant", "inspector", "outsider", "no_role_user"])
def test_only_staff_record_payments(request, applicant, who):
    application = ApplicationFactory(created_by=applicant, submitted=True)
    with pytest.raises(NotAllowed):
        record(Invoice.objects.get(application=application), request.getfixturevalue(who))
    assert not Payment.objects.exists()


@pytest.mark.parametrize(
    "overrides",
    [
        {"reference": "  "},
        {"paid_on": None},
        {"paid_on": datetime.date.today() + datetime.timedelta(days=2)},
        {"paid_on": datetime.date(2000, 1, 1)},
    ],
)
def test_a_payment_needs_a_reference_and_a_plausible_date(applicant, staff_user, overrides):
    application = ApplicationFactory(created_by=applicant, submitted=True)
    with pytest.raises(ValidationError):
        record(Invoice.objects.get(application=application), staff_user, **overrides)
    assert not Payment.objects.exists()


def test_a_withdrawn_application_cannot_be_paid(applicant, staff_user):
    application = ApplicationFactory(created_by=applicant, submitted=True)
    services.application_withdraw(application=application, actor=applicant)
    with pytest.raises(NotAllowed):
        record(Invoice.objects.get(application=application), staff_user)


def test_the_factory_pays_an_invoice_through_the_service(applicant, staff_user):
    application = ApplicationFactory(created_by=applicant, awaiting_inspection=True, paid=True)
    assert application.invoice.is_paid
    assert services.invoice_is_paid(application)
    unpaid = ApplicationFactory(created_by=applicant, awaiting_inspection=True)
    assert not services.invoice_is_paid(unpaid)
    pay_invoice(unpaid, staff_user)
    assert services.invoice_is_paid(unpaid)


def test_draft_has_no_invoice(applicant):
    application = ApplicationFactory(created_by=applicant)
    assert not services.invoice_is_paid(application)
