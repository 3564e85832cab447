"""Issue 9 on the pages: staff confirm a sanction when approving a follow-up, the holder reads
what a suspension or revocation means, verification walks the chain."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from applications.constants import ApplicationState
from applications.models import Application
from certificates import services
from certificates.constants import CertificateState
from certificates.keeping import application_start_change
from certificates.models import Certificate
from certificates.sanctions import sanctions_in_force
from tests.certificates.factories import make_certificate, pass_through_transitions

pytestmark = pytest.mark.django_db
S = CertificateState
ISSUED = datetime.datetime(2026, 4, 1, 3, 0, tzinfo=datetime.UTC)
REASON = "Customer consent was not recorded."
FINE_REASON = "Calls outside permitted hours."


@pytest.fixture(autouse=True)
def in_2027():
    with time_machine.travel(datetime.datetime(2027, 6, 1, 2, 0, tzinfo=datetime.UTC)):
        yield


@pytest.fixture
def certificate(organization, applicant, staff_user):
    with time_machine.travel(ISSUED):
        return make_certificate(organization=organization, quick=True, staff=staff_user)


@pytest.fixture
def sanctioned(certificate, staff_user):
    """Suspended until staff reinstate it, with an unpaid fine of Rp 25.000.000."""
    services.certificate_suspend(certificate=certificate, actor=staff_user, reason=REASON)
    services.fine_impose(
        certificate=certificate,
        actor=staff_user,
        amount=25_000_000,
        due_date=datetime.date(2027, 7, 31),
        reason=FINE_REASON,
    )
    return Certificate.objects.get(pk=certificate.pk)


def passed_change(certificate, applicant, staff_user):
    change = application_start_change(certificate=certificate, actor=applicant)
    return pass_through_transitions(Application.objects.get(pk=change.pk), staff=staff_user)


def approve_url(application):
    return reverse("certificates:approve", args=[application.pk])


def start_url(certificate):
    return reverse("certificates:start_follow_up", args=[certificate.pk, "change"])


def body(response):
    return response.content.decode()


# Staff approving a follow-up of a sanctioned certificate ------------------------------------
def test_the_approval_confirmation_shows_the_sanction_and_asks_to_tick_it(
    client, staff_user, applicant, sanctioned
):
    change = passed_change(sanctioned, applicant, staff_user)
    client.force_login(staff_user)
    page = body(client.get(approve_url(change)))
    assert "is under sanction" in page
    assert REASON in page and FINE_REASON in page
    assert "Rp 25.000.000" in page or "Rp25.000.000" in page
    assert "issued suspended" in page
    token = sanctions_in_force(sanctioned).token
    assert f'name="sanctions_confirmed" value="{token}"' in page


def test_approving_without_the_tick_says_why_and_changes_nothing(
    client, staff_user, applicant, sanctioned
):
    change = passed_change(sanctioned, applicant, staff_user)
    client.force_login(staff_user)
    response = client.post(
        approve_url(change), {"expected_state": "inspection_passed", "confirm": "1"}
    )
    assert response.status_code == 200
    assert "Tick the box to confirm" in body(response)
    assert Application.objects.get(pk=change.pk).state == ApplicationState.INSPECTION_PASSED
    assert Certificate.objects.count() == 1
    assert Certificate.objects.get(pk=sanctioned.pk).state == S.SUSPENDED


def test_approving_with_the_tick_issues_the_successor_suspended_with_the_fine(
    client, staff_user, applicant, sanctioned
):
    change = passed_change(sanctioned, applicant, staff_user)
    client.force_login(staff_user)
    response = client.post(
        approve_url(change),
        {
            "expected_state": "inspection_passed",
            "confirm": "1",
            "sanctions_confirmed": sanctions_in_force(sanctioned).token,
        },
    )
    new = Certificate.objects.get(application=change)
    assert response["Location"] == reverse("certificates:detail", args=[new.pk])
    assert new.state == S.SUSPENDED
    # Staff looking at the certificate in force see the outstanding fine and where it came from.
    page = body(client.get(reverse("certificates:detail", args=[new.pk])))
    assert "25.000.000" in page and FINE_REASON in page
    assert f"Carried over from certificate {sanctioned.number}" in page
    assert "No sanctions." not in page


def test_approving_a_change_of_an_unsanctioned_certificate_needs_no_tick(
    client, staff_user, applicant, certificate
):
    change = passed_change(certificate, applicant, staff_user)
    client.force_login(staff_user)
    assert "sanctions_confirmed" not in body(client.get(approve_url(change)))
    client.post(approve_url(change), {"expected_state": "inspection_passed", "confirm": "1"})
    assert Certificate.objects.get(application=change).state == S.ACTIVE


# The holder's pages ---------------------------------------------------------------------------
def test_the_page_of_a_suspended_certificate_says_what_the_holder_may_and_may_not_do(
    client, applicant, sanctioned
):
    client.force_login(applicant)
    page = body(client.get(reverse("certificates:detail", args=[sanctioned.pk])))
    assert "is suspended since" in page and REASON in page
    assert "you may not" in page and "You may:" in page
    assert "present it as a valid registration" in page
    assert "Outstanding fine: Rp" in page
    assert "stays valid" not in page


def test_another_organizations_member_gets_404_on_a_suspended_certificate(
    client, outsider, sanctioned
):
    client.force_login(outsider)
    assert client.get(reverse("certificates:detail", args=[sanctioned.pk])).status_code == 404


def test_the_change_start_page_of_a_suspended_certificate_does_not_say_it_stays_valid(
    client, applicant, sanctioned
):
    client.force_login(applicant)
    page = body(client.get(start_url(sanctioned)))
    assert "stays valid" not in page
    assert "issued suspended" in page


def test_the_change_start_page_of_an_active_certificate_has_no_sanction_notice(
    client, applicant, certificate
):
    client.force_login(applicant)
    page = body(client.get(start_url(certificate)))
    assert "Report a change" in page and "issued suspended" not in page


def test_a_revoked_certificate_stays_on_the_dashboard_with_reason_date_and_next_step(
    client, applicant, certificate, staff_user
):
    services.certificate_revoke(certificate=certificate, actor=staff_user, reason="Fraud found.")
    client.force_login(applicant)
    page = body(client.get(reverse("applications:dashboard")))
    assert certificate.number in page
    assert "was revoked on 1 June 2027" in page and "Fraud found." in page
    assert "apply for a new registration" in page
    assert start_url(certificate) not in page


def test_a_suspended_certificate_on_the_dashboard_says_so_with_the_reason(
    client, applicant, sanctioned
):
    client.force_login(applicant)
    page = body(client.get(reverse("applications:dashboard")))
    assert "is suspended since" in page and REASON in page


def test_another_organization_does_not_see_the_revoked_certificate(
    client, outsider, certificate, staff_user
):
    services.certificate_revoke(certificate=certificate, actor=staff_user, reason="Fraud found.")
    client.force_login(outsider)
    assert certificate.number not in body(client.get(reverse("applications:dashboard")))


def test_the_applications_list_shows_the_certificate_state_beside_approved(
    client, applicant, certificate, staff_user
):
    services.certificate_revoke(certificate=certificate, actor=staff_user, reason="Fraud found.")
    client.force_login(applicant)
    page = body(client.get(reverse("applications:dashboard")))
    row = page[page.index(f'data-application="{certificate.application_id}"') :]
    row = row[: row.index("</tr>")]
    assert "Approved" in row and "Revoked" in row and certificate.number in row


# Verification walks the chain ------------------------------------------------------------------
def test_verifying_the_first_number_shows_each_step_and_the_state_in_force(
    client, applicant, staff_user, certificate
):
    second = services.application_approve(
        application=passed_change(certificate, applicant, staff_user), actor=staff_user
    )
    third = services.application_approve(
        application=passed_change(second, applicant, staff_user), actor=staff_user
    )
    services.certificate_suspend(certificate=third, actor=staff_user, reason=REASON)
    page = body(client.get(reverse("certificates:verify", args=[certificate.number])))
    verdict = page[: page.index('class="chain-steps"')]
    assert reverse("certificates:verify", args=[third.number]) in verdict  # the latest one
    chain = page[page.index('class="chain-steps"') :]
    assert chain.index(certificate.number) < chain.index(second.number) < chain.index(third.number)
    assert "The latest certificate (not valid)" in page
    assert 'class="verdict verdict-suspended"' in page


def test_staff_read_the_notice_about_the_holder(client, staff_user, sanctioned):
    client.force_login(staff_user)
    page = body(client.get(reverse("certificates:detail", args=[sanctioned.pk])))
    assert "the holder may not" in page and "you may not" not in page
    assert "Outstanding fine: Rp" in page


def test_a_change_report_without_its_certificate_link_still_shows_the_sanction(
    client, staff_user, organization, certificate
):
    """Older change reports name no certificate: approval follows the newest active one, and
    the confirmation shows the same certificate's sanctions."""
    from applications.constants import ApplicationKind
    from tests.certificates.factories import quick_passed_application

    services.fine_impose(
        certificate=certificate,
        actor=staff_user,
        amount=25_000_000,
        due_date=datetime.date(2027, 7, 31),
        reason=FINE_REASON,
    )
    change = quick_passed_application(organization, kind=ApplicationKind.CHANGE, staff=staff_user)
    assert change.basis_certificate_id is None
    client.force_login(staff_user)
    page = body(client.get(approve_url(change)))
    assert FINE_REASON in page and 'name="sanctions_confirmed"' in page


def test_the_application_page_warns_staff_before_they_approve(
    client, staff_user, applicant, sanctioned
):
    change = passed_change(sanctioned, applicant, staff_user)
    client.force_login(staff_user)
    page = body(client.get(reverse("applications:detail", args=[change.pk])))
    assert f"Certificate {sanctioned.number}, which this application continues, is under" in page


def test_the_application_page_of_an_unsanctioned_follow_up_has_no_warning(
    client, staff_user, applicant, certificate
):
    change = passed_change(certificate, applicant, staff_user)
    client.force_login(staff_user)
    page = body(client.get(reverse("applications:detail", args=[change.pk])))
    assert "is under sanction" not in page and approve_url(change) in page
