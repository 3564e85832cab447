import datetime

import pytest
import time_machine
from django.utils import timezone

from applications import selectors, services
from applications.constants import REQUIRED_DOCUMENT_TYPES, ApplicationKind, DocumentType
from applications.constants import ApplicationState as S
from applications.models import Application
from registrasi.accounts.models import User
from tests.applications.factories import (
    ApplicationFactory,
    current_versions,
    pay_invoice,
    pdf_upload,
)
from tests.bulk import copies_of_application
from tests.factories import OrganizationFactory, make_applicant


def fresh_user(user):
    return User.objects.get(pk=user.pk)


# Applicant dashboard ----------------------------------------------------------------------
@pytest.mark.parametrize("rows", [5, 50])
def test_the_dashboard_takes_a_fixed_number_of_queries(
    applicant, staff_user, rows, django_assert_num_queries
):
    for n in range(rows):
        ApplicationFactory(created_by=applicant, to_state=S.SUBMITTED if n < 3 else S.DRAFT)
    user = fresh_user(applicant)
    with django_assert_num_queries(3):  # membership, applications, their invoices
        dashboard = selectors.applicant_dashboard(user=user)
        texts = [(row.state_display, row.next_step, row.waits_on_applicant) for row in dashboard]
    assert len(texts) == rows


def test_the_dashboard_shows_only_the_organizations_applications_newest_first(
    applicant, member, outsider
):
    first = ApplicationFactory(created_by=applicant)
    second = ApplicationFactory(created_by=member)
    ApplicationFactory(created_by=outsider)
    rows = selectors.applicant_dashboard(user=fresh_user(member))
    assert [row.application for row in rows] == [second, first]


@pytest.mark.parametrize("who", ["staff_user", "inspector", "no_role_user"])
def test_people_without_an_organization_have_an_empty_dashboard(request, applicant, who):
    ApplicationFactory(created_by=applicant)
    assert selectors.applicant_dashboard(user=request.getfixturevalue(who)) == []


@pytest.mark.parametrize(
    ("state", "paid", "waits"),
    [
        (S.DRAFT, False, True),
        (S.SUBMITTED, False, True),  # the invoice is unpaid
        (S.SUBMITTED, True, False),
        (S.UNDER_REVIEW, True, False),
        (S.RETURNED, True, True),
        (S.AWAITING_INSPECTION, False, True),
        (S.AWAITING_INSPECTION, True, False),
        (S.REJECTED, False, False),
        (S.WITHDRAWN, False, False),
    ],
)
def test_the_dashboard_says_whether_it_waits_on_the_applicant(applicant, state, paid, waits):
    ApplicationFactory(created_by=applicant, to_state=state, paid=paid)
    (row,) = selectors.applicant_dashboard(user=fresh_user(applicant))
    assert row.state == state
    assert row.waits_on_applicant is waits
    assert row.next_step


def test_next_step_mentions_payment_while_unpaid(applicant, staff_user):
    application = ApplicationFactory(created_by=applicant, awaiting_inspection=True)
    assert "invoice" in selectors.next_step(application).lower()
    pay_invoice(application, staff_user)
    assert "invoice" not in selectors.next_step(Application.objects.get(pk=application.pk)).lower()


def test_every_state_has_a_next_step():
    for state in S.values:
        application = Application(state=state)
        assert selectors.next_step(application)


# Staff queue ------------------------------------------------------------------------------
@pytest.mark.parametrize("rows", [5, 50])
def test_the_staff_queue_takes_a_fixed_number_of_queries(
    applicant, staff_user, rows, django_assert_num_queries
):
    first = ApplicationFactory(created_by=applicant, submitted=True)
    copies_of_application(first, rows - 1)  # tests.bulk: with their invoices
    with django_assert_num_queries(2):  # applications, their invoices
        shown = [
            (a.reference, a.organization.legal_name, a.invoice.amount, a.get_state_display())
            for a in selectors.staff_queue(filters={})
        ]
    assert len(shown) == rows


def test_the_queue_lists_submitted_and_under_review_oldest_first(applicant, staff_user):
    with time_machine.travel(timezone.now() - datetime.timedelta(days=3)):
        old = ApplicationFactory(created_by=applicant, submitted=True)
    newer = ApplicationFactory(created_by=applicant, under_review=True)
    with time_machine.travel(timezone.now() - datetime.timedelta(days=1)):
        middle = ApplicationFactory(created_by=applicant, submitted=True)
    ApplicationFactory(created_by=applicant)  # a draft is not the ministry's business
    ApplicationFactory(created_by=applicant, awaiting_inspection=True)
    assert list(selectors.staff_queue(filters={})) == [old, middle, newer]


def test_the_queue_filters_by_state_kind_province_and_age(applicant, staff_user):
    with time_machine.travel(timezone.now() - datetime.timedelta(days=10)):
        old_renewal = ApplicationFactory(
            created_by=applicant, submitted=True, kind=ApplicationKind.RENEWAL
        )
    bali = ApplicationFactory(created_by=applicant, submitted=True)
    services.application_withdraw(application=bali, actor=applicant)
    accepted = ApplicationFactory(created_by=applicant, awaiting_inspection=True)
    other_org = OrganizationFactory(province="bali")
    in_bali = ApplicationFactory(created_by=make_applicant(other_org), submitted=True)

    def queue(**filters):
        return set(selectors.staff_queue(filters=filters))

    assert queue(state=S.AWAITING_INSPECTION) == {accepted}
    assert queue(state="all") == {
        old_renewal,
        Application.objects.get(pk=bali.pk),
        accepted,
        in_bali,
    }
    assert queue(kind=ApplicationKind.RENEWAL) == {old_renewal}
    assert queue(province="bali") == {in_bali}
    assert queue(min_age_days=7) == {old_renewal}
    assert queue(max_age_days=7) == {in_bali}
    assert queue(state="nonsense", kind="nonsense", min_age_days="x") == {old_renewal, in_bali}


# Application detail -----------------------------------------------------------------------
def test_the_detail_has_documents_in_a_fixed_order_with_versions_newest_first(applicant):
    application = ApplicationFactory(created_by=applicant, with_documents=True)
    sop = services.document_upload(
        application=application,
        actor=applicant,
        document_type=DocumentType.SOP_MANUAL,
        uploaded_file=pdf_upload("sop-v2.pdf"),
    )
    services.document_upload(
        application=application,
        actor=applicant,
        document_type=DocumentType.OTHER,
        uploaded_file=pdf_upload("extra.pdf"),
    )
    detail = selectors.application_detail(application=application)
    types = [slot.document_type for slot in detail.documents]
    assert types == [
        DocumentType.NIB,
        DocumentType.DEED_OF_ESTABLISHMENT,
        DocumentType.SOP_MANUAL,
        DocumentType.TRAINING_PROGRAMME,
        DocumentType.DATA_PROTECTION_POLICY,
        DocumentType.ORGANISATION_CHART,
        DocumentType.OTHER,
    ]
    sop_slot = detail.documents[2]
    assert [v.number for v in sop_slot.versions] == [2, 1]
    assert sop_slot.current == sop
    assert detail.missing == []
    assert detail.invoice is None
    assert detail.fee.total == 5_000_000


def test_the_detail_of_a_returned_application_shows_what_to_fix(applicant, staff_user):
    application = ApplicationFactory(created_by=applicant, returned=True, staff=staff_user)
    detail = selectors.application_detail(application=application)
    assert detail.return_reason == "Please send a readable NIB."
    assert [v.review_reason for v in detail.rejected_versions] == ["Unreadable scan"]
    assert detail.documents[0].needs_upload
    assert any("rejected" in item for item in detail.missing)
    assert detail.waits_on_applicant
    assert detail.invoice.number.startswith("INV-")
    actions = [event.action for event in detail.timeline]
    assert "return_for_changes" in actions and "document_review" in actions


def test_the_detail_of_a_draft_names_missing_documents(applicant):
    application = ApplicationFactory(created_by=applicant)
    detail = selectors.application_detail(application=application)
    assert len(detail.missing) == len(REQUIRED_DOCUMENT_TYPES) == 6
    assert all(slot.needs_upload for slot in detail.documents)


@pytest.mark.parametrize("extra_versions", [0, 3])
def test_the_detail_takes_a_fixed_number_of_queries(
    applicant, staff_user, extra_versions, django_assert_num_queries
):
    application = ApplicationFactory(
        created_by=applicant, returned=True, staff=staff_user, paid=True
    )
    for _n in range(extra_versions):
        for version in current_versions(application):
            services.document_upload(
                application=application,
                actor=applicant,
                document_type=version.document.document_type,
                uploaded_file=pdf_upload(),
            )
    application = Application.objects.get(pk=application.pk)
    # documents, versions (+ users), invoices, payments (+ user), sites, timeline (+ actors),
    # fee schedule, tiers, site count, submission check (sites, current versions); the fee
    # change reuses the quote and the invoices.
    with django_assert_num_queries(11):
        detail = selectors.application_detail(application=application)
        for slot in detail.documents:
            for version in slot.versions:
                str(version.uploaded_by)
                str(version.reviewed_by)
        for event in detail.timeline:
            str(event.actor)
        for payment in detail.payments:
            str(payment.recorded_by)
