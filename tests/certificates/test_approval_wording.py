"""What approval does, said for each kind (issue 9, item 5): the staff confirmation, the
applicant's application page and the "issued" email say it in the kind's words, never "valid
for five years from today" for a change report or a renewal.

new: five years from the day of issue; change: the same expiry as the certificate it
replaces; renewal: from the day after the old one ends, or from approval if it has lapsed."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils.formats import date_format

from applications import services as application_services
from applications.models import Application
from certificates import keeping
from tests.certificates.emails import issue_email
from tests.certificates.factories import (
    make_certificate,
    pass_through_transitions,
    quick_passed_application,
)

pytestmark = pytest.mark.django_db
ISSUED = datetime.datetime(2026, 4, 1, 3, 0, tzinfo=datetime.UTC)
LAST_DAY = datetime.date(2031, 3, 31)


def at(day):
    return time_machine.travel(
        datetime.datetime.combine(day, datetime.time(3), tzinfo=datetime.UTC)
    )


def shown(day):
    return date_format(day, "DATE_FORMAT")


@pytest.fixture
def certificate(organization, applicant, staff_user):
    with time_machine.travel(ISSUED):
        return make_certificate(organization=organization, quick=True, staff=staff_user)


def in_english(user):
    user.language = "en"
    return user


def passed(application, staff_user):
    return pass_through_transitions(Application.objects.get(pk=application.pk), staff=staff_user)


def confirmation(client, staff_user, application):
    client.force_login(staff_user)
    response = client.get(reverse("certificates:approve", args=[application.pk]))
    assert response.status_code == 200
    return " ".join(response.content.decode().split())


def applicant_page(client, applicant, application):
    client.force_login(applicant)
    response = client.get(reverse("applications:detail", args=[application.pk]))
    assert response.status_code == 200
    return " ".join(response.content.decode().split())


def test_a_new_registration_is_valid_five_years_from_the_day_of_issue(
    client, organization, applicant, staff_user
):
    day = datetime.date(2026, 6, 10)
    with at(day):
        application = quick_passed_application(organization, staff=staff_user)
        html = confirmation(client, staff_user, application)
        page = applicant_page(client, applicant, application)

    last_day = datetime.date(2031, 6, 9)
    sentence = f"five years from the day of issue: from {shown(day)} until {shown(last_day)}"
    assert sentence in html
    assert sentence in page
    assert "five years from today" not in html


def test_a_change_report_keeps_the_expiry_of_the_certificate_it_replaces(
    client, certificate, applicant, staff_user
):
    with at(datetime.date(2027, 6, 1)):
        change = keeping.application_start_change(certificate=certificate, actor=applicant)
        application_services.application_update_details(
            application=change, actor=applicant, data={"agent_seats": 40}
        )
        change = passed(change, staff_user)
        html = confirmation(client, staff_user, change)
        page = applicant_page(client, applicant, change)

    sentence = (
        f"replaces certificate {certificate.number} from the day of issue and keeps its "
        f"expiry date, {shown(LAST_DAY)}"
    )
    assert sentence in html
    assert sentence in page
    assert "five years" not in html


def test_a_renewal_starts_the_day_after_the_old_certificate_ends(
    client, certificate, applicant, staff_user
):
    with at(datetime.date(2030, 11, 2)):
        renewal = keeping.application_start_renewal(certificate=certificate, actor=applicant)
        renewal = passed(renewal, staff_user)
        html = confirmation(client, staff_user, renewal)
        page = applicant_page(client, applicant, renewal)

    sentence = (
        f"valid from {shown(datetime.date(2031, 4, 1))}, the day after certificate "
        f"{certificate.number} ends, until {shown(datetime.date(2036, 3, 31))}"
    )
    assert sentence in html
    assert sentence in page
    assert "five years from today" not in html


def test_a_renewal_of_a_lapsed_certificate_runs_from_approval(
    client, certificate, applicant, staff_user
):
    day = datetime.date(2031, 5, 4)
    with at(day):
        renewal = keeping.application_start_renewal(certificate=certificate, actor=applicant)
        renewal = passed(renewal, staff_user)
        html = confirmation(client, staff_user, renewal)

    assert (
        f"Certificate {certificate.number} has lapsed, so the renewed certificate is valid "
        f"from the day of approval, {shown(day)}, until {shown(datetime.date(2036, 5, 3))}"
    ) in html


def test_the_issued_email_says_what_approval_did_for_a_change_report(
    certificate, applicant, staff_user
):
    from certificates import services

    with at(datetime.date(2027, 6, 1)):
        change = keeping.application_start_change(certificate=certificate, actor=applicant)
        application_services.application_update_details(
            application=change, actor=applicant, data={"agent_seats": 40}
        )
        new = services.application_approve(application=passed(change, staff_user), actor=staff_user)
        _subject, body = issue_email(new, in_english(applicant))

    body = " ".join(body.split())
    assert f"replaces certificate {certificate.number}" in body
    assert "keeps its expiry date, 31 March 2031" in body


def test_the_issued_email_of_a_renewal_gives_the_day_it_takes_effect(
    certificate, applicant, staff_user
):
    from certificates import services

    with at(datetime.date(2030, 11, 2)):
        renewal = keeping.application_start_renewal(certificate=certificate, actor=applicant)
        new = services.application_approve(
            application=passed(renewal, staff_user), actor=staff_user
        )
        _subject, body = issue_email(new, in_english(applicant))

    body = " ".join(body.split())
    assert "valid from 1 April 2031" in body


def test_the_pass_email_says_what_approval_would_do(applicant, staff_user):
    from inspections.notifications import render_email
    from registrasi.audit.models import AuditEvent
    from tests.inspections.factories import make_inspection

    day = datetime.date(2026, 6, 10)
    with at(day):
        inspection = make_inspection(
            "passed", organization=applicant.organization, staff=staff_user
        )
        event = AuditEvent.objects.for_object(inspection).get(action="submit_pass")
        _subject, body = render_email(event, inspection, in_english(applicant))

    body = " ".join(body.split())
    assert "If approved: Approval issues a registration certificate valid for five years" in body
    assert "from 10 June 2026 until 9 June 2031" in body
