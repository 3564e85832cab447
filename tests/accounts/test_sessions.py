"""Sessions: ministry accounts end after 30 minutes idle and 12 hours in all; applicants
after a longer idle time."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db

START = timezone.now().replace(microsecond=0)


def _at(minutes):
    return time_machine.travel(START + datetime.timedelta(minutes=minutes), tick=False)


def _logged_in(client, url):
    response = client.get(url)
    return response.status_code == 200


@pytest.mark.parametrize(
    ("person", "url_name"),
    [("staff_user", "applications:staff_queue"), ("inspector", "inspections:schedule")],
)
def test_a_ministry_session_ends_after_thirty_idle_minutes(client, request, person, url_name):
    url = reverse(url_name)
    with _at(0):
        client.force_login(request.getfixturevalue(person))
    with _at(29):
        assert _logged_in(client, url)
    with _at(58):
        assert _logged_in(client, url)  # 29 minutes after the last visit
    with _at(89):
        response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
    assert "_auth_user_id" not in client.session


def test_a_ministry_session_ends_after_twelve_hours_however_busy(client, staff_user):
    url = reverse("applications:staff_queue")
    with _at(0):
        client.force_login(staff_user)
    for minute in range(20, 12 * 60, 20):
        with _at(minute):
            assert _logged_in(client, url)
    with _at(12 * 60 + 5):
        assert not _logged_in(client, url)


def test_an_applicant_stays_logged_in_for_longer_idle_times(client, applicant):
    url = reverse("accounts:profile")
    with _at(0):
        client.force_login(applicant)
    with _at(3 * 60):
        assert _logged_in(client, url)
    with _at(3 * 60 + 8 * 60 + 1):
        assert not _logged_in(client, url)


def test_the_idle_limits_are_settings(client, staff_user, settings):
    settings.SESSION_IDLE_MINISTRY = datetime.timedelta(minutes=5)
    url = reverse("applications:staff_queue")
    with _at(0):
        client.force_login(staff_user)
    with _at(6):
        assert not _logged_in(client, url)
