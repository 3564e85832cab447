"""Two staff members acting at once, a double click: exactly one transition happens; the
other person gets StaleState naming the state the application is in now."""

import threading
import time

import pytest
from django.db import connection, connections, transaction
from django.utils import translation

from applications import services
from applications.constants import ApplicationState as S
from applications.models import Application, Invoice
from registrasi.audit.selectors import timeline_for
from registrasi.services import NotAllowed, StaleState
from tests.applications.factories import ApplicationFactory
from tests.factories import StaffFactory


def test_the_second_of_two_staff_members_gets_stale_state(applicant, staff_user):
    application = ApplicationFactory(created_by=applicant, submitted=True)
    seen_by_a = Application.objects.get(pk=application.pk)
    seen_by_b = Application.objects.get(pk=application.pk)
    other_staff = StaffFactory()
    services.application_start_review(
        application=seen_by_a, actor=staff_user, expected_state=S.SUBMITTED
    )
    with translation.override("en"), pytest.raises(StaleState) as excinfo:
        services.application_start_review(
            application=seen_by_b, actor=other_staff, expected_state=S.SUBMITTED
        )
    assert excinfo.value.current_state == S.UNDER_REVIEW
    assert "Under review" in excinfo.value.message
    assert timeline_for(application).filter(action="start_review").count() == 1


def test_a_double_submit_submits_once_and_issues_one_invoice(applicant):
    application = ApplicationFactory(created_by=applicant, with_documents=True)
    first = Application.objects.get(pk=application.pk)
    second = Application.objects.get(pk=application.pk)
    services.application_submit(application=first, actor=applicant, expected_state=S.DRAFT)
    with translation.override("en"), pytest.raises(StaleState) as excinfo:
        services.application_submit(application=second, actor=applicant, expected_state=S.DRAFT)
    assert "Submitted" in excinfo.value.message
    assert Invoice.objects.filter(application=application).count() == 1
    assert timeline_for(application).filter(action="submit").count() == 1


def test_without_the_expected_state_a_repeat_is_not_allowed(applicant, staff_user):
    application = ApplicationFactory(created_by=applicant, submitted=True)
    stale = Application.objects.get(pk=application.pk)
    services.application_start_review(application=application, actor=staff_user)
    with pytest.raises(NotAllowed):
        services.application_start_review(application=stale, actor=staff_user)


def test_a_return_and_an_accept_at_once_only_one_wins(applicant, staff_user):
    application = ApplicationFactory(created_by=applicant, under_review=True)
    for version in application.documents.all():
        services.document_review(version=version.current_version, actor=staff_user, accepted=True)
    seen = Application.objects.get(pk=application.pk)
    services.application_accept(application=application, actor=staff_user)
    with pytest.raises(StaleState) as excinfo:
        services.application_return_for_changes(
            application=seen, actor=StaffFactory(), reason="x", expected_state=S.UNDER_REVIEW
        )
    assert excinfo.value.current_state == S.AWAITING_INSPECTION


def _wait_for_blocked_backends(count, deadline_seconds=20):
    """Until `count` other sessions wait on a row lock (PostgreSQL), without sleeping on a
    guess: poll pg_stat_activity."""
    deadline = time.monotonic() + deadline_seconds
    with connections["default"].cursor() as cursor:
        while time.monotonic() < deadline:
            # The statistics views are snapshotted per transaction: refresh each time.
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity "
                "WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0] >= count:
                return True
    return False


def _race(service_calls):
    """Hold the application row lock, start every call in its own thread, release once all
    are blocked on it, and collect what each call returned or raised."""
    results = [None] * len(service_calls)
    start = threading.Barrier(len(service_calls))

    def run(index, call):
        try:
            start.wait()
            with translation.override("en"):
                results[index] = call()
        except Exception as exc:  # collected and asserted on by the test
            results[index] = exc
        finally:
            connection.close()

    return results, start, run


@pytest.mark.skipif(connection.vendor != "postgresql", reason="real row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("kind", ["two_staff_start_review", "double_submit"])
def test_concurrent_transitions_on_postgresql_run_exactly_once(kind):
    from tests.factories import make_applicant

    applicant = make_applicant()
    if kind == "two_staff_start_review":
        application = ApplicationFactory(created_by=applicant, submitted=True)
        staff = [StaffFactory(), StaffFactory()]
        calls = [
            lambda s=s: services.application_start_review(
                application=Application.objects.get(pk=application.pk),
                actor=s,
                expected_state=S.SUBMITTED,
            )
            for s in staff
        ]
        action, winner_state, label = "start_review", S.UNDER_REVIEW, "Under review"
    else:
        application = ApplicationFactory(created_by=applicant, with_documents=True)
        calls = [
            lambda: services.application_submit(
                application=Application.objects.get(pk=application.pk),
                actor=applicant,
                expected_state=S.DRAFT,
            )
        ] * 2
        action, winner_state, label = "submit", S.SUBMITTED, "Submitted"

    results, _start, run = _race(calls)
    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    with transaction.atomic():
        # Hold the row so both calls queue on the same lock, then let them go.
        Application.objects.select_for_update().get(pk=application.pk)
        for thread in threads:
            thread.start()
        queued = _wait_for_blocked_backends(2)
    for thread in threads:
        thread.join(timeout=30)
    assert queued, f"the calls never queued on the row lock: {results}"

    winners = [r for r in results if isinstance(r, Application)]
    losers = [r for r in results if isinstance(r, StaleState)]
    assert len(winners) == 1, results
    assert len(losers) == 1, results
    assert losers[0].current_state == winner_state
    assert label in losers[0].message
    assert Application.objects.get(pk=application.pk).state == winner_state
    assert timeline_for(application).filter(action=action).count() == 1
    if kind == "double_submit":
        assert Invoice.objects.filter(application=application).count() == 1
