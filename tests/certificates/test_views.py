"""The certificate pages of the organization and the staff: tenancy, the certificate page and
its PDF status, downloads, lists, approval, and the panel on the application pages."""

import datetime
import hashlib
import itertools

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from applications.constants import ApplicationState
from applications.models import Application
from certificates import services
from certificates.constants import CertificateState
from certificates.models import Certificate
from certificates.numbers import make_number
from certificates.signing import signature_is_valid
from registrasi.accounts.constants import Province
from tests.certificates.factories import make_certificate, passed_application, render_pdf_now
from tests.factories import OrganizationFactory, StaffFactory, UserFactory

S = CertificateState
_serial = itertools.count(900001)


def quick_certificate(organization=None, *, with_pdf=False, province=Province.DKI, name=None):
    """An active certificate created directly (default state, no transition): the full path
    through applications, inspections and approval costs seconds per certificate, and list,
    tenancy and verification pages depend only on the certificate row. Tests of the approval
    itself use the real path (tests.certificates.factories)."""
    organization = organization or OrganizationFactory()
    application = Application.objects.create(organization=organization, created_by=UserFactory())
    issued_on = timezone.localdate()
    certificate = Certificate.objects.create(
        application=application,
        organization=organization,
        number=make_number(issued_on.year, next(_serial)),
        legal_name=name or organization.legal_name,
        nib=organization.nib,
        address=organization.address,
        province=province,
        agent_seats=30,
        sites="Jl. Jenderal Sudirman Kav. 52, Jakarta Selatan (DKI Jakarta)",
        issued_on=issued_on,
        expires_on=services.expiry_date(issued_on),
    )
    return render_pdf_now(certificate) if with_pdf else certificate


def attach_pdf(certificate, data=b"%PDF-1.7\n% a stand-in for the signed PDF\n%%EOF\n"):
    """Store `data` as the certificate's PDF without rendering (rendering takes seconds; the
    tests that need the real signed PDF use render_pdf_now)."""
    name = default_storage.save(f"certificates/test-{certificate.pk}.pdf", ContentFile(data))
    Certificate.objects.filter(pk=certificate.pk).update(
        pdf=name, pdf_sha256=hashlib.sha256(data).hexdigest(), pdf_rendered_at=timezone.now()
    )
    return fresh(certificate)


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def messages_of(response):
    return " ".join(str(m) for m in response.context["messages"])


@pytest.fixture
def certificate(organization):
    return quick_certificate(organization)


@pytest.fixture
def certificate_with_pdf(organization):
    return attach_pdf(quick_certificate(organization))


ALLOWED = [("applicant", 200), ("member", 200), ("staff_user", 200)]
REFUSED = [("outsider", 404), ("inspector", 404), ("no_role_user", 404)]


def as_user(client, request, who):
    if who is not None:
        client.force_login(request.getfixturevalue(who))
    return client


# Tenancy -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["detail", "pdf_status", "download"])
@pytest.mark.parametrize("who,status", ALLOWED + REFUSED)
def test_certificate_urls_are_for_the_organization_and_staff_only(
    client, request, certificate_with_pdf, name, who, status
):
    as_user(client, request, who)
    response = client.get(reverse(f"certificates:{name}", args=[certificate_with_pdf.pk]))
    assert response.status_code == status


@pytest.mark.parametrize("name", ["detail", "pdf_status", "download"])
def test_certificate_urls_send_anonymous_visitors_to_log_in(client, certificate, name):
    url = reverse(f"certificates:{name}", args=[certificate.pk])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def staff_urls(certificate, fine):
    return {
        "suspend": reverse("certificates:suspend", args=[certificate.pk]),
        "reinstate": reverse("certificates:reinstate", args=[certificate.pk]),
        "revoke": reverse("certificates:revoke", args=[certificate.pk]),
        "fine": reverse("certificates:fine", args=[certificate.pk]),
        "fine_paid": reverse("certificates:fine_paid", args=[certificate.pk, fine.pk]),
        "staff_list": reverse("certificates:staff_list"),
        "approve": reverse("certificates:approve", args=[certificate.application_id]),
    }


@pytest.fixture
def fine(certificate, staff_user):
    return services.fine_impose(
        certificate=certificate,
        actor=staff_user,
        amount=5_000_000,
        due_date=timezone.localdate() + datetime.timedelta(days=30),
        reason="Late report of a new site.",
    )


STAFF_PAGES = ["suspend", "reinstate", "revoke", "fine", "fine_paid", "staff_list", "approve"]


@pytest.mark.parametrize("page", STAFF_PAGES)
@pytest.mark.parametrize(
    "who,status",
    [("staff_user", 200), ("applicant", 404), ("member", 404)] + REFUSED,
)
def test_staff_pages_are_refused_to_everyone_else(
    client, request, certificate, fine, page, who, status
):
    as_user(client, request, who)
    assert client.get(staff_urls(certificate, fine)[page]).status_code == status


@pytest.mark.parametrize("page", STAFF_PAGES)
def test_staff_pages_send_anonymous_visitors_to_log_in(client, certificate, fine, page):
    response = client.get(staff_urls(certificate, fine)[page])
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


# The certificate page ----------------------------------------------------------------------


def test_certificate_page_shows_number_state_dates_and_the_company(client, applicant, certificate):
    client.force_login(applicant)
    response = client.get(reverse("certificates:detail", args=[certificate.pk]))
    body = response.content.decode()
    assert certificate.number in body
    assert certificate.legal_name in body
    assert certificate.nib in body
    assert "Jl. Jenderal Sudirman Kav. 52" in body
    assert "DKI Jakarta" in body
    assert f"{certificate.issued_on.year}" in body
    assert f"{certificate.expires_on.year}" in body
    assert "badge ok" in body  # active
    assert reverse("applications:detail", args=[certificate.application_id]) in body


def test_certificate_page_shows_fines_with_amount_and_due_date_to_the_organization(
    client, applicant, certificate, fine
):
    client.force_login(applicant)
    response = client.get(reverse("certificates:detail", args=[certificate.pk]))
    body = response.content.decode()
    assert "Rp 5.000.000" in body
    assert "Late report of a new site." in body
    assert f"{fine.due_date.year}" in body
    # The organization sees the fine but not the staff's actions on it.
    assert reverse("certificates:fine_paid", args=[certificate.pk, fine.pk]) not in body


def test_only_staff_see_the_history_and_the_ministry_actions(
    client, applicant, staff_user, certificate, fine
):
    client.force_login(applicant)
    body = client.get(reverse("certificates:detail", args=[certificate.pk])).content.decode()
    assert "Fine imposed" not in body
    assert reverse("certificates:revoke", args=[certificate.pk]) not in body

    client.force_login(staff_user)
    body = client.get(reverse("certificates:detail", args=[certificate.pk])).content.decode()
    assert "Fine imposed" in body  # the audit timeline
    assert reverse("certificates:revoke", args=[certificate.pk]) in body
    assert reverse("certificates:fine_paid", args=[certificate.pk, fine.pk]) in body


def test_certificate_page_says_the_pdf_is_being_made_and_polls(client, applicant, certificate):
    client.force_login(applicant)
    body = client.get(reverse("certificates:detail", args=[certificate.pk])).content.decode()
    status_url = reverse("certificates:pdf_status", args=[certificate.pk])
    assert "being made" in body
    assert f'hx-get="{status_url}"' in body
    assert 'hx-trigger="every 2s"' in body
    assert reverse("certificates:download", args=[certificate.pk]) not in body


def test_pdf_status_partial_polls_until_the_pdf_exists_then_shows_the_download(
    client, applicant, certificate
):
    client.force_login(applicant)
    url = reverse("certificates:pdf_status", args=[certificate.pk])
    download_url = reverse("certificates:download", args=[certificate.pk])

    before = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert 'hx-trigger="every 2s"' in before
    assert f'hx-get="{url}"' in before
    assert download_url not in before
    assert "<html" not in before  # a partial, not a page

    render_pdf_now(certificate)
    after = client.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in after
    assert "hx-get" not in after
    assert f'href="{download_url}"' in after


def test_pdf_status_says_when_it_is_slow_and_stops_polling_when_rendering_gave_up(
    client, applicant, certificate
):
    client.force_login(applicant)
    url = reverse("certificates:pdf_status", args=[certificate.pk])
    Certificate.objects.filter(pk=certificate.pk).update(
        render_attempts=2, render_error="OSError: disk full"
    )
    slow = client.get(url).content.decode()
    assert 'hx-trigger="every 2s"' in slow
    assert "longer than usual" in slow
    assert "disk full" not in slow  # technical details are for the logs

    Certificate.objects.filter(pk=certificate.pk).update(render_attempts=6)
    gave_up = client.get(url).content.decode()
    assert "hx-trigger" not in gave_up
    assert "could not be made yet" in gave_up


def test_download_returns_the_signed_pdf(client, member, organization):
    certificate = quick_certificate(organization, with_pdf=True)
    client.force_login(member)
    response = client.get(reverse("certificates:download", args=[certificate.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f"{certificate.number}.pdf" in response["Content-Disposition"]
    data = b"".join(response.streaming_content)
    assert hashlib.sha256(data).hexdigest() == certificate.pdf_sha256
    assert signature_is_valid(data)


def test_download_before_the_pdf_exists_says_so(client, applicant, certificate):
    client.force_login(applicant)
    response = client.get(reverse("certificates:download", args=[certificate.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("certificates:detail", args=[certificate.pk])
    assert "still being made" in messages_of(response)


def test_superseded_certificate_page_links_to_the_new_one(client, applicant, organization):
    old = make_certificate(S.SUPERSEDED, organization=organization)
    newer = Certificate.objects.get(supersedes=old)
    client.force_login(applicant)
    body = client.get(reverse("certificates:detail", args=[old.pk])).content.decode()
    assert "replaced by a newer one" in body
    assert reverse("certificates:detail", args=[newer.pk]) in body


# My certificates ---------------------------------------------------------------------------


def test_my_certificates_lists_the_organizations_certificates_only(
    client, member, organization, other_organization
):
    own = quick_certificate(organization)
    other = quick_certificate(other_organization)
    client.force_login(member)
    body = client.get(reverse("certificates:mine")).content.decode()
    assert own.number in body
    assert other.number not in body
    assert reverse("certificates:detail", args=[own.pk]) in body


def test_my_certificates_explains_when_there_is_none(client, applicant):
    client.force_login(applicant)
    body = client.get(reverse("certificates:mine")).content.decode()
    assert "no certificate yet" in body


def test_my_certificates_sends_staff_to_the_staff_list(client, staff_user):
    client.force_login(staff_user)
    response = client.get(reverse("certificates:mine"))
    assert response.status_code == 302
    assert response["Location"] == reverse("certificates:staff_list")


def test_my_certificates_needs_a_login(client):
    response = client.get(reverse("certificates:mine"))
    assert response.status_code == 302


# Staff list --------------------------------------------------------------------------------


def test_staff_list_filters_by_state_province_and_expiry(client, staff_user):
    active = quick_certificate(name="PT Aktif")
    suspended = quick_certificate(name="PT Ditangguhkan", province=Province.BALI)
    services.certificate_suspend(certificate=suspended, actor=staff_user, reason="Complaints")
    client.force_login(staff_user)
    url = reverse("certificates:staff_list")

    body = client.get(url, {"state": "suspended"}).content.decode()
    assert suspended.number in body and active.number not in body

    body = client.get(url, {"province": Province.DKI}).content.decode()
    assert active.number in body and suspended.number not in body

    body = client.get(url, {"expiring_within_days": 30}).content.decode()
    assert active.number not in body
    soon = active.expires_on - timezone.localdate()
    body = client.get(url, {"expiring_within_days": soon.days}).content.decode()
    assert active.number in body
    assert suspended.number not in body  # only active certificates expire


def test_staff_list_rejects_a_bad_filter_without_failing(client, staff_user):
    quick_certificate()
    client.force_login(staff_user)
    response = client.get(reverse("certificates:staff_list"), {"expiring_within_days": "-3"})
    assert response.status_code == 200


@pytest.mark.parametrize("count", [5, 50])
def test_staff_list_runs_a_fixed_number_of_queries(
    client, staff_user, count, django_assert_num_queries
):
    for _ in range(count):
        quick_certificate()
    client.force_login(staff_user)
    # session, user, second-factor device, groups, count, page
    with django_assert_num_queries(6):
        response = client.get(reverse("certificates:staff_list"))
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == min(count, 25)


def test_staff_list_counts_at_most_the_cap(client, staff_user, monkeypatch):
    """At national scale the list never counts every certificate: past the cap it says
    "more than" (filters and the export reach the rest), as the public register does."""
    from certificates.views.common import CappedPaginator

    monkeypatch.setattr(CappedPaginator, "COUNT_CAP", 3)
    for _ in range(5):
        quick_certificate()
    client.force_login(staff_user)
    response = client.get(reverse("certificates:staff_list"))
    assert response.context["page"].paginator.capped
    assert "More than 3 certificates" in response.content.decode()
    for _ in range(3):
        Certificate.objects.order_by("-pk").first().delete()
    response = client.get(reverse("certificates:staff_list"))
    assert not response.context["page"].paginator.capped
    assert "2 certificates." in response.content.decode()


def test_staff_list_reads_only_the_columns_it_shows(client, staff_user):
    quick_certificate()
    client.force_login(staff_user)
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("certificates:staff_list"))
    (listed,) = [
        q["sql"]
        for q in queries
        if 'FROM "certificates_certificate"' in q["sql"] and "COUNT(" not in q["sql"]
    ]
    assert "accounts_organization" not in listed  # no join: the page shows no organization
    assert '"address"' not in listed and '"sites"' not in listed


def test_staff_list_flags_a_pdf_that_failed(client, staff_user):
    certificate = quick_certificate()
    Certificate.objects.filter(pk=certificate.pk).update(
        render_attempts=services.RENDER_MAX_ATTEMPTS, render_error="WeasyPrint crashed"
    )
    fine = quick_certificate()
    client.force_login(staff_user)
    body = client.get(reverse("certificates:staff_list")).content.decode()
    rows = {row.split("</tr>")[0] for row in body.split("<tr>")[1:]}
    (failed_row,) = [row for row in rows if certificate.number in row]
    (fine_row,) = [row for row in rows if fine.number in row]
    assert '<span class="badge bad">PDF failed</span>' in failed_row
    assert "PDF failed" not in fine_row


def test_staff_list_paginates_by_25(client, staff_user):
    for _ in range(27):
        quick_certificate()
    client.force_login(staff_user)
    response = client.get(reverse("certificates:staff_list"), {"page": 2})
    assert len(response.context["page"].object_list) == 2


# Approve -----------------------------------------------------------------------------------


@pytest.fixture
def passed(organization, staff_user):
    return passed_application(organization, staff=staff_user)


def approve_url(application):
    return reverse("certificates:approve", args=[application.pk])


def test_approve_first_asks_for_confirmation_and_changes_nothing(client, staff_user, passed):
    client.force_login(staff_user)
    response = client.post(approve_url(passed), {"expected_state": "inspection_passed"})
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="confirm" value="1"' in body
    assert 'name="expected_state" value="inspection_passed"' in body
    assert not Certificate.objects.filter(application=passed).exists()
    assert fresh(passed).state == ApplicationState.INSPECTION_PASSED


def test_approve_issues_one_certificate_and_shows_it(
    client, staff_user, passed, django_capture_on_commit_callbacks
):
    client.force_login(staff_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            approve_url(passed), {"expected_state": "inspection_passed", "confirm": "1"}
        )
    certificate = Certificate.objects.get(application=passed)
    assert response.status_code == 302
    assert response["Location"] == reverse("certificates:detail", args=[certificate.pk])
    assert fresh(passed).state == ApplicationState.APPROVED
    assert fresh(certificate).pdf  # rendered after commit (eager tasks)


def test_a_double_click_on_approve_issues_one_certificate_and_says_so(client, staff_user, passed):
    client.force_login(staff_user)
    data = {"expected_state": "inspection_passed", "confirm": "1"}
    client.post(approve_url(passed), data)
    response = client.post(approve_url(passed), data, follow=True)
    assert response.status_code == 200
    assert Certificate.objects.filter(application=passed).count() == 1
    assert "You already did this" in messages_of(response)


def test_approving_an_application_that_did_not_pass_is_refused_with_a_message(
    client, staff_user, organization
):
    from tests.applications.factories import ApplicationFactory

    application = ApplicationFactory(organization=organization, submitted=True)
    client.force_login(staff_user)
    response = client.post(
        approve_url(application), {"expected_state": "submitted", "confirm": "1"}, follow=True
    )
    assert response.status_code == 200
    assert "not possible" in messages_of(response)
    assert not Certificate.objects.filter(application=application).exists()


def test_applicant_cannot_approve(client, applicant, passed):
    client.force_login(applicant)
    response = client.post(
        approve_url(passed), {"expected_state": "inspection_passed", "confirm": "1"}
    )
    assert response.status_code == 404
    assert fresh(passed).state == ApplicationState.INSPECTION_PASSED


# The panel on the application pages --------------------------------------------------------


def render_panel(application, user):
    request = RequestFactory().get("/")
    request.user = user
    return render_to_string(
        "certificates/_application_certificate.html",
        {"application": application, "user": user},
        request=request,
    )


def test_panel_offers_staff_the_approval_of_a_passed_application(staff_user, passed):
    body = render_panel(passed, staff_user)
    assert approve_url(passed) in body
    assert 'name="expected_state" value="inspection_passed"' in body
    assert "Approve and issue certificate" in body


def test_panel_tells_the_applicant_what_happens_next_without_the_button(applicant, passed):
    body = render_panel(passed, applicant)
    assert approve_url(passed) not in body
    assert "will now approve" in body


def test_panel_shows_the_issued_certificate_in_one_query(applicant, organization):
    certificate = make_certificate(organization=organization)
    application = Application.objects.get(pk=certificate.application_id)
    applicant.is_ministry_staff  # noqa: B018  (the groups are loaded once per request)
    with CaptureQueriesContext(connection) as queries:
        body = render_panel(application, applicant)
    assert len(queries) == 1
    assert certificate.number in body
    assert reverse("certificates:detail", args=[certificate.pk]) in body
    assert approve_url(application) not in body


def test_panel_is_empty_before_the_inspection_passed(staff_user, organization):
    from tests.applications.factories import ApplicationFactory

    body = render_panel(ApplicationFactory(organization=organization), staff_user).strip()
    assert "Approve" not in body


def test_a_second_staff_member_sees_the_issued_certificate_instead_of_the_button(passed):
    services.application_approve(application=passed, actor=StaffFactory())
    body = render_panel(fresh(passed), StaffFactory())
    assert "Approve and issue certificate" not in body
    assert Certificate.objects.get(application=passed).number in body


def test_the_application_pages_carry_the_panel(client, staff_user, applicant, passed):
    client.force_login(staff_user)
    staff_page = client.get(reverse("applications:detail", args=[passed.pk])).content.decode()
    assert f'action="{approve_url(passed)}"' in staff_page

    certificate = services.application_approve(application=passed, actor=staff_user)
    client.force_login(applicant)
    own_page = client.get(reverse("applications:detail", args=[passed.pk])).content.decode()
    assert certificate.number in own_page
    assert reverse("certificates:detail", args=[certificate.pk]) in own_page
    assert reverse("certificates:mine") in own_page
