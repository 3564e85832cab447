"""Pages for keeping a certificate: the dashboard's certificates, the start pages (confirmation
and POST), tenancy, the kind and the basis certificate on the application pages and queue."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from applications import services
from applications.constants import ApplicationKind, ApplicationState
from applications.models import Application
from certificates import keeping
from certificates.keeping import renewal_window_opens
from tests.applications.factories import ApplicationFactory
from tests.bulk import copies_of_application, copies_of_certificate
from tests.certificates.factories import make_certificate

JAKARTA = ZoneInfo("Asia/Jakarta")


def noon(day):
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=JAKARTA)


def messages_of(response):
    return " ".join(str(m) for m in response.context["messages"])


@pytest.fixture
def certificate(applicant, staff_user):
    return make_certificate(organization=applicant.organization, staff=staff_user)


@pytest.fixture
def applicant_client(client, applicant):
    client.force_login(applicant)
    return client


def change_url(certificate):
    return reverse("certificates:start_follow_up", args=[certificate.pk, "change"])


def renewal_url(certificate):
    return reverse("certificates:start_follow_up", args=[certificate.pk, "renewal"])


# Dashboard ----------------------------------------------------------------------------------------


def test_the_dashboard_offers_a_change_report_but_no_renewal_yet(applicant_client, certificate):
    response = applicant_client.get(reverse("applications:dashboard"))

    html = response.content.decode()
    assert certificate.number in html
    assert change_url(certificate) in html
    assert renewal_url(certificate) not in html
    assert "Renewal possible from" in html


def test_the_dashboard_offers_a_renewal_from_180_days_before_expiry(client, applicant, certificate):
    with time_machine.travel(noon(renewal_window_opens(certificate))):
        client.force_login(applicant)
        response = client.get(reverse("applications:dashboard"))

    html = response.content.decode()
    assert renewal_url(certificate) in html
    assert change_url(certificate) in html


def test_the_dashboard_links_the_open_follow_up_instead(applicant_client, applicant, certificate):
    change = keeping.application_start_change(certificate=certificate, actor=applicant)

    html = applicant_client.get(reverse("applications:dashboard")).content.decode()

    assert change_url(certificate) not in html
    assert reverse("applications:detail", args=[change.pk]) in html
    assert "Change report" in html


def test_the_dashboard_does_not_show_another_organizations_certificate(
    client, outsider, certificate
):
    client.force_login(outsider)

    html = client.get(reverse("applications:dashboard")).content.decode()

    assert certificate.number not in html
    assert change_url(certificate) not in html


# Start pages --------------------------------------------------------------------------------------


def test_the_change_page_asks_for_confirmation(applicant_client, certificate):
    response = applicant_client.get(change_url(certificate))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'method="post"' in html
    assert "Start the change report" in html
    assert not Application.objects.filter(basis_certificate=certificate).exists()


def test_posting_starts_the_change_report_and_opens_its_first_step(applicant_client, certificate):
    response = applicant_client.post(change_url(certificate))

    application = Application.objects.get(basis_certificate=certificate)
    assert application.kind == ApplicationKind.CHANGE
    assert response.status_code == 302
    assert response.url == reverse("applications:step", args=[application.pk, "company"])


def test_posting_a_renewal_inside_the_window_starts_it(client, applicant, certificate):
    with time_machine.travel(noon(certificate.expires_on - datetime.timedelta(days=30))):
        client.force_login(applicant)
        response = client.post(renewal_url(certificate))

    application = Application.objects.get(basis_certificate=certificate)
    assert application.kind == ApplicationKind.RENEWAL
    assert response.status_code == 302


def test_the_renewal_page_before_the_window_says_from_when(applicant_client, certificate):
    response = applicant_client.get(renewal_url(certificate))

    html = response.content.decode()
    assert response.status_code == 200
    assert "A renewal of certificate" in html
    assert "Start the renewal" not in html


def test_posting_a_renewal_before_the_window_is_refused_with_the_reason(
    applicant_client, certificate
):
    response = applicant_client.post(renewal_url(certificate), follow=True)

    assert "A renewal of certificate" in messages_of(response)
    assert not Application.objects.filter(basis_certificate=certificate).exists()


def test_posting_a_change_for_a_revoked_certificate_is_refused(
    applicant_client, applicant, staff_user
):
    revoked = make_certificate(
        "revoked", organization=applicant.organization, staff=staff_user, quick=True
    )

    response = applicant_client.post(change_url(revoked), follow=True)

    assert "revoked" in messages_of(response)
    assert not Application.objects.filter(basis_certificate=revoked).exists()


@pytest.mark.parametrize("url", [change_url, renewal_url])
@pytest.mark.parametrize("method", ["get", "post"])
def test_another_organizations_certificate_is_not_found(client, outsider, certificate, url, method):
    client.force_login(outsider)

    response = getattr(client, method)(url(certificate))

    assert response.status_code == 404
    assert not Application.objects.filter(basis_certificate=certificate).exists()


def test_staff_cannot_start_a_follow_up_for_the_organization(client, staff_user, certificate):
    client.force_login(staff_user)

    assert client.post(change_url(certificate)).status_code == 404


def test_the_start_pages_need_a_login(client, certificate):
    response = client.post(change_url(certificate))

    assert response.status_code == 302
    assert "login" in response.url


# The kind and the basis certificate on the pages --------------------------------------------------


def test_the_application_pages_show_the_kind_and_the_certificate(
    client, applicant, staff_user, certificate
):
    change = keeping.application_start_change(certificate=certificate, actor=applicant)
    client.force_login(applicant)

    detail = client.get(reverse("applications:detail", args=[change.pk])).content.decode()
    step = client.get(reverse("applications:step", args=[change.pk, "company"])).content.decode()

    assert 'data-kind="change"' in detail
    assert certificate.number in detail
    assert 'data-kind="change"' in step
    assert "What changes" in detail


def test_the_staff_page_shows_the_basis_certificate_and_the_changes(
    client, applicant, staff_user, certificate
):
    change = keeping.application_start_change(certificate=certificate, actor=applicant)
    services.application_update_details(
        application=change, actor=applicant, data={"agent_seats": 99}
    )
    services.application_submit(application=change, actor=applicant)
    client.force_login(staff_user)

    html = client.get(reverse("applications:detail", args=[change.pk])).content.decode()

    assert 'data-kind="change"' in html
    assert certificate.number in html
    assert reverse("certificates:detail", args=[certificate.pk]) in html
    assert certificate.expires_on.strftime("%Y") in html
    assert "99" in html
    assert "carried over" in html


def test_the_queue_shows_and_filters_the_kind(client, applicant, staff_user, certificate):
    change = keeping.application_start_change(certificate=certificate, actor=applicant)
    services.application_update_details(
        application=change, actor=applicant, data={"agent_seats": 99}
    )
    services.application_submit(application=change, actor=applicant)
    new = ApplicationFactory(organization=applicant.organization, submitted=True, staff=staff_user)
    client.force_login(staff_user)

    response = client.get(reverse("applications:staff_queue"), {"kind": "change"})

    listed = list(response.context["page"].object_list)
    assert listed == [Application.objects.get(pk=change.pk)]
    assert new.pk not in [a.pk for a in listed]
    assert "Change report" in response.content.decode()


# Query counts -------------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [5, 50])
def test_the_dashboard_query_count_stays_fixed_with_certificates(
    client, applicant, organization, staff_user, django_assert_num_queries, count
):
    from tests.applications.test_views_queries import DASHBOARD_QUERIES

    first = make_certificate(organization=organization, staff=staff_user, quick=True)
    certificates = [first, *copies_of_certificate(first, count - 1)]  # tests.bulk
    # Some with an open follow-up, so every branch of the panel renders.
    for certificate in certificates[::3]:
        keeping.application_start_change(certificate=certificate, actor=applicant)
    client.force_login(applicant)

    # One more than without certificates: their sanctions, read for the whole list at once.
    with django_assert_num_queries(DASHBOARD_QUERIES + 1):
        response = client.get(reverse("applications:dashboard"))

    assert response.status_code == 200
    assert len(response.context["certificates"]) == count
    assert response.context["applications"]
    assert all(
        row.application.state == ApplicationState.DRAFT
        or row.application.state == ApplicationState.INSPECTION_PASSED
        or row.application.state == ApplicationState.APPROVED
        for row in response.context["applications"]
    )


def test_the_approved_applications_page_offers_to_keep_its_certificate(
    applicant_client, certificate
):
    url = reverse("applications:detail", args=[certificate.application_id])

    html = applicant_client.get(url).content.decode()

    assert change_url(certificate) in html


def test_a_change_report_offers_an_upload_for_each_document_type(
    applicant_client, applicant, certificate
):
    change = keeping.application_start_change(certificate=certificate, actor=applicant)

    response = applicant_client.get(reverse("applications:step", args=[change.pk, "documents"]))

    html = response.content.decode()
    assert html.count('name="document_type"') == 7  # six types and "other"
    assert "carried over" in html


def test_a_change_report_uploaded_through_the_page_can_be_submitted(
    applicant_client, applicant, certificate
):
    from tests.applications.factories import pdf_upload

    change = keeping.application_start_change(certificate=certificate, actor=applicant)
    applicant_client.post(
        reverse("applications:upload", args=[change.pk]),
        {"document_type": "sop_manual", "file": pdf_upload("sop-new.pdf")},
    )

    response = applicant_client.post(reverse("applications:submit", args=[change.pk]))

    assert response.status_code == 302
    assert Application.objects.get(pk=change.pk).state == ApplicationState.SUBMITTED


@pytest.mark.parametrize("count", [5, 50])
def test_the_queue_query_count_stays_fixed_with_change_reports(
    client, applicant, organization, staff_user, django_assert_num_queries, count
):
    from tests.applications.test_views_queries import QUEUE_QUERIES

    certificate = make_certificate(organization=organization, staff=staff_user, quick=True)
    change = keeping.application_start_change(certificate=certificate, actor=applicant)
    sites = [{"address": "Jl. Braga 1, Bandung", "province": "jawa_barat", "agent_seats": 5}]
    services.application_set_sites(application=change, actor=applicant, sites=sites)
    data = {"direction": "inbound", "sourcing": "in_house"}
    services.application_update_details(application=change, actor=applicant, data=data)
    services.application_submit(application=change, actor=applicant)
    # The others: copies (tests.bulk), each change report of a copy of the certificate.
    others = copies_of_certificate(certificate, count - 1)
    copies_of_application(
        Application.objects.get(pk=change.pk), count - 1, basis_certificates=others
    )
    client.force_login(staff_user)

    with django_assert_num_queries(QUEUE_QUERIES):
        response = client.get(reverse("applications:staff_queue"), {"kind": "change"})

    assert len(response.context["page"].object_list) == min(count, 25)
    assert 'data-kind="change"' in response.content.decode()
