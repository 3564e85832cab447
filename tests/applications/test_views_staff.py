"""The ministry desk: queue, staff application page, review actions and payments."""

import datetime
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from applications import services
from applications.billing.models import BillingPayment
from applications.constants import ApplicationKind, ApplicationState, ReviewStatus
from applications.models import Application, DocumentVersion, Payment
from registrasi.accounts.constants import Province
from registrasi.audit.models import AuditEvent
from tests.applications.factories import (
    ApplicationFactory,
    current_versions,
    review_all_documents,
)
from tests.applications.office_payments import issue_codes, office_form, office_payment_url
from tests.factories import OrganizationFactory, StaffFactory

S = ApplicationState
STALE = "changed by someone else"


def follow_messages(response):
    return " ".join(str(m) for m in response.context["messages"])


def fresh(application):
    return Application.objects.get(pk=application.pk)


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


@pytest.fixture
def submitted(staff_user):
    return ApplicationFactory(submitted=True, staff=staff_user)


@pytest.fixture
def under_review(staff_user):
    return ApplicationFactory(under_review=True, staff=staff_user)


def post(client, name, application, data=None, follow=True, **url_kwargs):
    data = {"expected_state": application.state, **(data or {})}
    url = reverse(f"applications:{name}", kwargs={"pk": application.pk, **url_kwargs})
    return client.post(url, data, follow=follow)


# Queue -------------------------------------------------------------------------------------


def test_the_queue_lists_submitted_and_under_review_oldest_first(staff_client, staff_user):
    with time_machine.travel(timezone.now() - datetime.timedelta(days=10)):
        oldest = ApplicationFactory(submitted=True, staff=staff_user)
    newer = ApplicationFactory(under_review=True, staff=staff_user)
    draft = ApplicationFactory()
    done = ApplicationFactory(rejected=True, staff=staff_user)

    response = staff_client.get(reverse("applications:staff_queue"))

    assert response.status_code == 200
    listed = list(response.context["page"].object_list)
    assert listed == [oldest, newer]
    html = response.content.decode()
    assert reverse("applications:detail", args=[draft.pk]) not in html
    assert reverse("applications:detail", args=[done.pk]) not in html


def test_the_queue_filters_by_state_kind_and_province(staff_client, staff_user):
    jakarta = ApplicationFactory(submitted=True, staff=staff_user)
    bali_org = OrganizationFactory(province=Province.BALI)
    bali = ApplicationFactory(organization=bali_org, under_review=True, staff=staff_user)

    by_state = staff_client.get(reverse("applications:staff_queue"), {"state": "under_review"})
    by_province = staff_client.get(reverse("applications:staff_queue"), {"province": "bali"})
    by_kind = staff_client.get(
        reverse("applications:staff_queue"), {"kind": ApplicationKind.RENEWAL}
    )

    assert list(by_state.context["page"].object_list) == [bali]
    assert list(by_province.context["page"].object_list) == [bali]
    assert list(by_kind.context["page"].object_list) == []
    assert jakarta.pk


def test_the_queue_filters_by_age_in_days(staff_client, staff_user):
    with time_machine.travel(timezone.now() - datetime.timedelta(days=20)):
        old = ApplicationFactory(submitted=True, staff=staff_user)
    new = ApplicationFactory(submitted=True, staff=staff_user)

    older = staff_client.get(reverse("applications:staff_queue"), {"min_age_days": "14"})
    younger = staff_client.get(reverse("applications:staff_queue"), {"max_age_days": "14"})

    assert list(older.context["page"].object_list) == [old]
    assert list(younger.context["page"].object_list) == [new]


def test_the_queue_pages_by_25(staff_client, staff_user):
    organization = OrganizationFactory()
    for _i in range(27):
        ApplicationFactory(organization=organization, submitted=True, staff=staff_user)

    first = staff_client.get(reverse("applications:staff_queue"))
    second = staff_client.get(reverse("applications:staff_queue"), {"page": "2"})

    assert len(first.context["page"].object_list) == 25
    assert len(second.context["page"].object_list) == 2
    assert "page=2" in first.content.decode()


def test_applicants_cannot_open_the_queue(client, applicant):
    client.force_login(applicant)

    assert client.get(reverse("applications:staff_queue")).status_code == 403


def test_the_empty_queue_says_so(staff_client):
    response = staff_client.get(reverse("applications:staff_queue"))

    assert 'class="empty"' in response.content.decode()


# Staff application page --------------------------------------------------------------------


def test_staff_page_shows_facts_documents_invoice_and_timeline(staff_client, submitted):
    response = staff_client.get(reverse("applications:detail", args=[submitted.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert submitted.organization.nib in html
    assert submitted.invoice.number in html
    assert reverse("billing:office_payment", args=[submitted.invoice.pk]) in html
    assert 'name="payment-reference"' not in html  # no payment without an NTPN
    assert 'class="timeline"' in html
    for version in current_versions(submitted):
        assert reverse("applications:document_download", args=[version.pk]) in html


def test_staff_page_offers_only_the_actions_valid_now(staff_client, submitted, under_review):
    page_submitted = staff_client.get(reverse("applications:detail", args=[submitted.pk]))
    page_review = staff_client.get(reverse("applications:detail", args=[under_review.pk]))

    html = page_submitted.content.decode()
    assert reverse("applications:start_review", args=[submitted.pk]) in html
    assert reverse("applications:accept", args=[submitted.pk]) not in html
    assert reverse("applications:return", args=[submitted.pk]) not in html
    html = page_review.content.decode()
    assert reverse("applications:start_review", args=[under_review.pk]) not in html
    assert reverse("applications:accept", args=[under_review.pk]) in html
    assert reverse("applications:return", args=[under_review.pk]) in html
    assert reverse("applications:reject", args=[under_review.pk]) in html
    version = current_versions(under_review)[0]
    assert reverse("applications:review_document", args=[under_review.pk, version.pk]) in html


# Desk actions ------------------------------------------------------------------------------


def test_staff_start_the_review(staff_client, submitted):
    response = post(staff_client, "start_review", submitted)

    assert fresh(submitted).state == S.UNDER_REVIEW
    assert "Review started" in follow_messages(response)


def test_a_second_staff_member_starting_the_same_review_gets_the_stale_message(
    staff_client, submitted
):
    colleague = StaffFactory()
    services.application_start_review(application=submitted, actor=colleague)

    response = post(staff_client, "start_review", submitted)  # the page still said submitted

    assert STALE in follow_messages(response)
    assert "Under review" in follow_messages(response)
    assert AuditEvent.objects.filter(action="start_review").count() == 1


def test_starting_the_review_of_a_draft_is_refused_with_a_message(staff_client):
    draft = ApplicationFactory()

    response = post(staff_client, "start_review", draft)

    assert fresh(draft).state == S.DRAFT
    assert "not possible" in follow_messages(response)


def test_staff_accept_a_document(staff_client, under_review):
    version = current_versions(under_review)[0]

    response = post(
        staff_client,
        "review_document",
        under_review,
        {f"v{version.pk}-decision": "accept"},
        version_pk=version.pk,
    )

    version.refresh_from_db()
    assert version.review_status == ReviewStatus.ACCEPTED
    assert "accepted" in follow_messages(response)


def test_staff_reject_a_document_with_a_reason(staff_client, under_review):
    version = current_versions(under_review)[0]

    post(
        staff_client,
        "review_document",
        under_review,
        {f"v{version.pk}-decision": "reject", f"v{version.pk}-reason": "Blurred scan"},
        version_pk=version.pk,
    )

    version.refresh_from_db()
    assert (version.review_status, version.review_reason) == (ReviewStatus.REJECTED, "Blurred scan")


def test_rejecting_a_document_without_a_reason_is_refused(staff_client, under_review):
    version = current_versions(under_review)[0]

    response = post(
        staff_client,
        "review_document",
        under_review,
        {f"v{version.pk}-decision": "reject"},
        follow=False,
        version_pk=version.pk,
    )

    assert response.status_code == 400
    assert "Say why" in response.content.decode()
    version.refresh_from_db()
    assert version.review_status == ReviewStatus.PENDING


def test_a_document_of_another_application_is_not_found(staff_client, under_review, staff_user):
    other = ApplicationFactory(under_review=True, staff=staff_user)
    version = current_versions(other)[0]

    response = post(
        staff_client,
        "review_document",
        under_review,
        {f"v{version.pk}-decision": "accept"},
        follow=False,
        version_pk=version.pk,
    )

    assert response.status_code == 404


# Returning and rejecting both need a reason, kept on the application.
WITH_REASON = [
    pytest.param("return", "return-reason", S.RETURNED, "return_reason", "returned", id="return"),
    pytest.param("reject", "reason", S.REJECTED, "rejection_reason", "rejected", id="reject"),
]


@pytest.mark.parametrize("action, field, state, attribute, message", WITH_REASON)
def test_staff_return_or_reject_an_application_with_a_reason(
    staff_client, under_review, action, field, state, attribute, message
):
    response = post(staff_client, action, under_review, {field: "Add the 2nd site."})

    application = fresh(under_review)
    assert application.state == state
    assert getattr(application, attribute) == "Add the 2nd site."
    assert message in follow_messages(response)


@pytest.mark.parametrize("action, field, state, attribute, message", WITH_REASON)
def test_returning_or_rejecting_without_a_reason_is_refused(
    staff_client, under_review, action, field, state, attribute, message
):
    response = post(staff_client, action, under_review, {field: " "}, follow=False)

    assert response.status_code == 400
    assert fresh(under_review).state == S.UNDER_REVIEW
    assert b"errorlist" in response.content


def test_accepting_needs_every_document_accepted(staff_client, under_review):
    response = post(staff_client, "accept", under_review)

    assert fresh(under_review).state == S.UNDER_REVIEW
    assert "Accept every required document first" in follow_messages(response)


def test_staff_accept_for_inspection(staff_client, under_review, staff_user):
    review_all_documents(under_review, staff_user)

    response = post(staff_client, "accept", under_review)

    assert fresh(under_review).state == S.AWAITING_INSPECTION
    assert "accepted for inspection" in follow_messages(response)


def test_the_reject_page_asks_for_a_reason_and_confirmation(staff_client, under_review):
    response = staff_client.get(reverse("applications:reject", args=[under_review.pk]))

    assert response.status_code == 200
    assert b'name="reason"' in response.content
    assert fresh(under_review).state == S.UNDER_REVIEW


def test_rejecting_a_submitted_application_is_refused_with_a_message(staff_client, submitted):
    page = staff_client.get(reverse("applications:reject", args=[submitted.pk]))
    response = post(staff_client, "reject", submitted, {"reason": "No."})

    assert page.status_code == 302
    assert fresh(submitted).state == S.SUBMITTED
    assert "not possible" in follow_messages(response)


# Payments ----------------------------------------------------------------------------------


def test_staff_record_a_payment_only_through_the_ntpn_page(
    staff_client, submitted, django_capture_on_commit_callbacks
):
    issue_codes(submitted.invoice)
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            office_payment_url(submitted.invoice), office_form(), follow=True
        )

    payment = BillingPayment.objects.get(billing_code__invoice=submitted.invoice)
    assert payment.source == "office" and payment.receipt_scan
    assert "payment was recorded" in follow_messages(response)
    assert fresh(submitted).invoice.is_paid


def test_the_old_payment_form_without_an_ntpn_is_gone(staff_client, submitted):
    response = staff_client.post(
        f"/applications/{submitted.pk}/payment/",
        {
            "expected_state": submitted.state,
            "payment-paid_on": timezone.localdate().isoformat(),
            "payment-reference": "TRF-0001",
            "payment-amount": "Rp 5.000.000",
        },
    )

    assert response.status_code == 404
    assert not Payment.objects.exists() and not BillingPayment.objects.exists()
    assert not fresh(submitted).invoice.is_paid


def test_a_payment_without_an_ntpn_or_a_scan_is_refused(staff_client, submitted):
    issue_codes(submitted.invoice)
    for bad in ({"ntpn": ""}, {"receipt_scan": ""}):
        response = staff_client.post(office_payment_url(submitted.invoice), office_form(**bad))
        assert response.status_code == 400
    assert not BillingPayment.objects.exists()
    assert not fresh(submitted).invoice.is_paid


# Applicants and desk actions ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("start_review", {}),
        ("return", {"return-reason": "x"}),
        ("accept", {}),
        ("reject", {"reason": "x"}),
    ],
)
def test_an_applicant_gets_404_for_desk_actions_on_their_own_application(
    client, name, data, staff_user
):
    application = ApplicationFactory(under_review=True, staff=staff_user)
    client.force_login(application.created_by)

    response = post(client, name, application, data, follow=False)

    assert response.status_code == 404
    assert fresh(application).state == S.UNDER_REVIEW
    assert not Payment.objects.exists()


def test_an_applicant_cannot_review_their_own_document(client, staff_user):
    application = ApplicationFactory(under_review=True, staff=staff_user)
    version = current_versions(application)[0]
    client.force_login(application.created_by)

    response = post(
        client,
        "review_document",
        application,
        {f"v{version.pk}-decision": "accept"},
        follow=False,
        version_pk=version.pk,
    )

    assert response.status_code == 404
    assert DocumentVersion.objects.get(pk=version.pk).review_status == ReviewStatus.PENDING


def _post_forms_in_main(html):
    main = html.split("<main", 1)[1].split("</main>", 1)[0]
    return re.findall(r"<form[^>]*method=\"post\"[^>]*>.*?</form>", main, flags=re.S)


@pytest.mark.parametrize("who", ["staff", "applicant"])
def test_every_post_form_on_the_application_pages_carries_the_expected_state(
    client, staff_user, who
):
    application = ApplicationFactory(returned=True, staff=staff_user)
    if who == "staff":
        # Under review: every desk form is on the page.
        application = ApplicationFactory(under_review=True, staff=staff_user)
        client.force_login(staff_user)
        urls = [reverse("applications:detail", args=[application.pk])]
        urls.append(reverse("applications:reject", args=[application.pk]))
    else:
        client.force_login(application.created_by)
        urls = [
            reverse("applications:step", args=[application.pk, step])
            for step in ("company", "operation", "documents", "review")
        ]
        urls.append(reverse("applications:withdraw", args=[application.pk]))

    for url in urls:
        forms = _post_forms_in_main(client.get(url).content.decode())
        assert forms, url
        for form in forms:
            assert f'name="expected_state" value="{application.state}"' in form, (url, form[:200])
