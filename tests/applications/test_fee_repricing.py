"""Re-pricing is shown before it happens (issue 9, item 6).

The fee and review steps show the new fee and the difference from the invoice already
issued; resubmitting replaces an unpaid invoice (the old one cancelled, kept) or adds a
supplementary invoice for the difference when the old one is paid; a lower fee on a paid
invoice is not refunded, and the page says so.
"""

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from applications import services
from applications.constants import ApplicationState, Direction, InvoiceKind, Sourcing
from applications.models import Application, Invoice
from inspections import services as inspection_services
from registrasi.audit.selectors import timeline_for
from registrasi.services import NotAllowed, StaleState
from tests.applications.factories import (
    ApplicationFactory,
    current_versions,
    pay_invoice,
    pdf_upload,
    review_all_documents,
)
from tests.applications.office_payments import issue_codes, office_form, office_payment_url
from tests.inspections.factories import window

S = ApplicationState
BIG = {"agent_seats": 5000, "direction": Direction.OUTBOUND, "sourcing": Sourcing.OUTSOURCED}
BIG_FEE = 48_125_000  # 35.000.000 × 1,25 × 1,10


def fresh(application):
    return Application.objects.get(pk=application.pk)


def returned(staff, *, paid=False, seats=10):
    return ApplicationFactory(returned=True, staff=staff, paid=paid, agent_seats=seats)


def change_facts(application, data=BIG):
    applicant = application.created_by
    services.application_update_details(application=application, actor=applicant, data=data)
    for version in current_versions(application):
        if version.is_rejected:
            services.document_upload(
                application=application,
                actor=applicant,
                document_type=version.document.document_type,
                uploaded_file=pdf_upload("fixed.pdf"),
            )


def resubmit(application, **kwargs):
    return services.application_submit(
        application=application, actor=application.created_by, **kwargs
    )


def invoices(application):
    return list(Invoice.objects.filter(application=application).order_by("pk"))


# What the steps show before submitting -----------------------------------------------------
@pytest.fixture
def applicant_client(client):
    def login(application):
        client.force_login(application.created_by)
        return client

    return login


@pytest.mark.parametrize("step", ["fee", "review"])
def test_the_step_shows_the_new_fee_and_the_difference_before_resubmitting(
    step, staff_user, applicant_client
):
    application = returned(staff_user)
    change_facts(application)
    client = applicant_client(application)
    response = client.get(reverse("applications:step", args=[application.pk, step]))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-fee-action="replace"' in html
    assert "Rp 48.125.000" in html
    assert "+Rp 43.125.000" in html  # against the Rp 5.000.000 invoice already issued
    old = invoices(application)[0]
    assert f"the unpaid invoice {old.number} is cancelled" in html
    # Nothing changed yet: showing is not re-pricing.
    assert [i.amount for i in invoices(application)] == [5_000_000]


def test_the_fee_step_says_plainly_that_a_paid_fee_is_not_refunded(staff_user, applicant_client):
    application = returned(staff_user, paid=True, seats=300)  # Rp 20.000.000, paid
    change_facts(application, {"agent_seats": 10})
    client = applicant_client(application)
    html = client.get(reverse("applications:step", args=[application.pk, "fee"])).content.decode()
    assert 'data-fee-action="no_refund"' in html
    assert "Fees already paid are not refunded" in html
    assert "-Rp 15.000.000" in html


def test_the_fee_step_names_a_supplementary_invoice_for_a_paid_fee(staff_user, applicant_client):
    application = returned(staff_user, paid=True)
    change_facts(application)
    client = applicant_client(application)
    html = client.get(reverse("applications:step", args=[application.pk, "fee"])).content.decode()
    assert 'data-fee-action="supplementary"' in html
    assert "a supplementary invoice for the difference, Rp 43.125.000, is issued" in html


def test_an_unchanged_fee_says_the_invoice_stays(staff_user, applicant_client):
    application = returned(staff_user)
    change_facts(application, {"agent_seats": 20})  # same tier
    client = applicant_client(application)
    html = client.get(reverse("applications:step", args=[application.pk, "fee"])).content.decode()
    assert 'data-fee-action="unchanged"' in html


# What resubmitting does -----------------------------------------------------------------
def test_resubmitting_replaces_an_unpaid_invoice_and_keeps_the_old_one_cancelled(staff_user):
    application = returned(staff_user)
    change_facts(application)
    resubmit(application)
    old, new = invoices(application)
    assert old.amount == 5_000_000 and old.is_cancelled and not old.is_paid
    assert new.amount == BIG_FEE and new.is_open and new.kind == InvoiceKind.FEE
    assert new.replaces_id == old.pk
    assert new.number == f"{old.number}-2"
    assert fresh(application).invoice == new
    actions = [e.action for e in timeline_for(application)]
    assert actions[-3:] == ["submit", "invoice_cancelled", "invoice_issued"]
    assert not services.invoice_is_paid(application)


def test_a_lower_fee_on_an_unpaid_invoice_replaces_it_with_the_lower_amount(staff_user):
    application = returned(staff_user, seats=300)
    change_facts(application, {"agent_seats": 10})
    resubmit(application)
    old, new = invoices(application)
    assert (old.amount, old.is_cancelled) == (20_000_000, True)
    assert (new.amount, new.is_open) == (5_000_000, True)


def test_resubmitting_adds_a_supplementary_invoice_when_the_fee_was_paid(staff_user):
    application = returned(staff_user, paid=True)
    change_facts(application)
    resubmit(application)
    paid, supplementary = invoices(application)
    assert paid.amount == 5_000_000 and paid.is_paid and not paid.is_cancelled
    assert supplementary.kind == InvoiceKind.SUPPLEMENTARY
    assert supplementary.amount == BIG_FEE - 5_000_000
    assert not services.invoice_is_paid(application)
    pay_invoice(application, staff_user)
    assert services.invoice_is_paid(application)


def test_a_lower_fee_on_a_paid_invoice_issues_nothing_and_refunds_nothing(staff_user):
    application = returned(staff_user, paid=True, seats=300)
    change_facts(application, {"agent_seats": 10})
    resubmit(application)
    (paid,) = invoices(application)
    assert paid.amount == 20_000_000 and paid.is_paid
    assert services.invoice_is_paid(application)


def test_an_unchanged_fee_keeps_the_single_invoice(staff_user):
    application = returned(staff_user)
    change_facts(application, {"agent_seats": 20})
    resubmit(application)
    (invoice,) = invoices(application)
    assert invoice.amount == 5_000_000 and invoice.is_open


def test_an_unpaid_supplementary_invoice_is_cancelled_when_the_fee_goes_back(staff_user):
    application = returned(staff_user, paid=True)
    change_facts(application)
    resubmit(application)
    services.application_start_review(application=application, actor=staff_user)
    versions = current_versions(application)
    services.document_review(
        version=versions[0], actor=staff_user, accepted=False, reason="Unreadable"
    )
    services.application_return_for_changes(
        application=application, actor=staff_user, reason="Seats?"
    )
    change_facts(fresh(application), {"agent_seats": 10, "direction": Direction.INBOUND})
    change_facts(fresh(application), {"sourcing": Sourcing.IN_HOUSE})
    resubmit(fresh(application))
    paid, supplementary = invoices(application)
    assert paid.is_paid and supplementary.is_cancelled
    assert services.invoice_is_paid(application)


# Refusals, each with its allowed case -----------------------------------------------------
def test_a_submission_showing_a_stale_fee_is_refused_and_changes_nothing(staff_user):
    application = returned(staff_user)
    change_facts(application)
    with pytest.raises(StaleState, match="Rp 48.125.000"):
        resubmit(application, expected_fee=5_000_000)
    assert fresh(application).state == S.RETURNED
    assert [i.amount for i in invoices(application)] == [5_000_000]


def test_a_submission_showing_the_current_fee_goes_through(staff_user):
    application = returned(staff_user)
    change_facts(application)
    assert resubmit(application, expected_fee=BIG_FEE).state == S.SUBMITTED


def test_the_review_page_sends_the_fee_it_showed(staff_user, applicant_client):
    application = returned(staff_user)
    change_facts(application)
    client = applicant_client(application)
    html = client.get(reverse("applications:step", args=[application.pk, "review"])).content
    assert f'name="expected_fee" value="{BIG_FEE}"'.encode() in html
    url = reverse("applications:submit", args=[application.pk])
    stale = client.post(url, {"expected_state": S.RETURNED, "expected_fee": "5000000"})
    assert stale.status_code == 302
    assert fresh(application).state == S.RETURNED
    client.post(url, {"expected_state": S.RETURNED, "expected_fee": str(BIG_FEE)})
    assert fresh(application).state == S.SUBMITTED


def test_a_payment_against_a_cancelled_invoice_is_refused(staff_user):
    application = returned(staff_user)
    change_facts(application)
    resubmit(application)
    old, new = invoices(application)
    payment = {"paid_on": timezone.localdate(), "reference": "TRF-1", "amount": old.amount}
    with pytest.raises(NotAllowed, match="was cancelled"):
        services.invoice_record_payment(invoice=old, actor=staff_user, **payment)
    payment["amount"] = new.amount
    services.invoice_record_payment(invoice=new, actor=staff_user, **payment)
    assert services.invoice_is_paid(application)


def test_the_database_refuses_two_open_invoices(staff_user):
    application = returned(staff_user)
    invoice = invoices(application)[0]
    with pytest.raises(IntegrityError), transaction.atomic():
        Invoice.objects.create(
            application=application,
            number="INV-2026-999999",
            amount=1,
            issued_at=invoice.issued_at,
            due_date=invoice.due_date,
        )


def test_scheduling_waits_for_the_supplementary_invoice(staff_user, inspector):
    application = returned(staff_user, paid=True)
    change_facts(application)
    resubmit(application)
    services.application_start_review(application=application, actor=staff_user)
    review_all_documents(application, staff_user)
    services.application_accept(application=application, actor=staff_user)
    start, end = window(days=3)

    def schedule():
        return inspection_services.inspection_schedule(
            application=fresh(application),
            actor=staff_user,
            inspector=inspector,
            window_start=start,
            window_end=end,
        )

    with pytest.raises(inspection_services.SchedulingRefused, match="not paid"):
        schedule()
    pay_invoice(application, staff_user)
    assert schedule().application_id == application.pk


# Pages and tenancy ------------------------------------------------------------------------
def test_the_history_tells_the_cancelled_and_the_new_invoice(staff_user, applicant_client):
    application = returned(staff_user)
    change_facts(application)
    resubmit(application)
    old, new = invoices(application)
    client = applicant_client(application)
    html = client.get(reverse("applications:detail", args=[application.pk])).content.decode()
    assert f"Invoice {old.number} (Rp 5.000.000) was cancelled" in html
    assert f"Invoice {new.number} for Rp 48.125.000 replaces invoice {old.number}" in html
    assert f'data-invoice="{old.number}" data-invoice-state="cancelled"' in html


def test_the_application_page_shows_the_fee_change_while_returned(staff_user, applicant_client):
    application = returned(staff_user, paid=True)
    change_facts(application)
    client = applicant_client(application)
    html = client.get(reverse("applications:detail", args=[application.pk])).content.decode()
    assert 'data-fee-action="supplementary"' in html


def test_the_staff_page_lists_every_invoice_and_takes_the_payment_of_the_open_one(
    client, staff_user
):
    application = returned(staff_user, paid=True)
    change_facts(application)
    resubmit(application)
    client.force_login(staff_user)
    html = client.get(reverse("applications:detail", args=[application.pk])).content.decode()
    paid, supplementary = invoices(application)
    assert f'data-invoice="{paid.number}" data-invoice-state="paid"' in html
    assert f'data-invoice="{supplementary.number}" data-invoice-state="open"' in html
    assert office_payment_url(supplementary) in html
    assert office_payment_url(paid) not in html  # a paid invoice takes no payment
    issue_codes(supplementary)
    response = client.post(office_payment_url(supplementary), office_form())
    assert response.status_code == 302
    supplementary.refresh_from_db()
    assert supplementary.is_paid


def test_another_organizations_member_gets_404_on_the_fee_step(client, outsider, staff_user):
    application = returned(staff_user)
    change_facts(application)
    client.force_login(outsider)
    for step in ("fee", "review"):
        url = reverse("applications:step", args=[application.pk, step])
        assert client.get(url).status_code == 404
    submit = client.post(
        reverse("applications:submit", args=[application.pk]),
        {"expected_state": S.RETURNED, "expected_fee": str(BIG_FEE)},
    )
    assert submit.status_code == 404
    assert fresh(application).state == S.RETURNED
