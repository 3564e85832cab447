"""Expiry reminders: 180, 90, 30 and 7 days before the last day and on it, each milestone
once per certificate (scan twice, two scans at once, after downtime only the latest)."""

import datetime
import threading

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from certificates import keeping, reminders, services
from certificates.constants import CertificateState
from certificates.models import Certificate, ExpiryReminder, ReminderCheckpoint
from certificates.tasks import daily_scan
from tests.bulk import copies_of_certificate
from tests.certificates.factories import make_certificate
from tests.factories import OrganizationFactory, make_applicant

pytestmark = pytest.mark.django_db
S = CertificateState
ISSUED = datetime.datetime(2026, 4, 1, 3, 0, tzinfo=datetime.UTC)
LAST_DAY = datetime.date(2031, 3, 31)


def day(milestone):
    return LAST_DAY - datetime.timedelta(days=milestone)


def at(on):
    """09:00 in Jakarta on `on`."""
    return time_machine.travel(
        datetime.datetime.combine(on, datetime.time(2, 0), tzinfo=datetime.UTC)
    )


@pytest.fixture
def certificate(organization, applicant, member, staff_user):
    applicant.language = "id"
    applicant.save(update_fields=["language"])
    member.language = "en"
    member.save(update_fields=["language"])
    with time_machine.travel(ISSUED):
        certificate = make_certificate(organization=organization, quick=True, staff=staff_user)
    assert certificate.expires_on == LAST_DAY
    return certificate


def scan(capture):
    """The daily scan's reminder part, with its after-commit emails run."""
    with capture(execute=True):
        return reminders.send_due_reminders()


def test_every_milestone_is_sent_on_its_day_and_only_then(
    certificate, applicant, member, django_capture_on_commit_callbacks
):
    for milestone in (180, 90, 30, 7, 0):
        with at(day(milestone) - datetime.timedelta(days=1)):
            assert scan(django_capture_on_commit_callbacks) == []
        mail.outbox.clear()
        with at(day(milestone)):
            sent = scan(django_capture_on_commit_callbacks)
            assert [(d.certificate.pk, d.milestone) for d in sent] == [(certificate.pk, milestone)]
            assert scan(django_capture_on_commit_callbacks) == []  # the same day again
        assert sorted(m.to[0] for m in mail.outbox) == sorted([applicant.email, member.email])
    rows = ExpiryReminder.objects.filter(certificate=certificate)
    assert sorted(rows.values_list("milestone", flat=True)) == [0, 7, 30, 90, 180]
    assert not rows.filter(skipped=True).exists()


def test_the_day_before_a_milestone_sends_nothing(certificate, django_capture_on_commit_callbacks):
    with at(day(180) - datetime.timedelta(days=1)):
        assert scan(django_capture_on_commit_callbacks) == []
    assert mail.outbox == []
    assert not ExpiryReminder.objects.exists()


def test_each_member_reads_the_reminder_in_their_language(
    certificate, applicant, member, django_capture_on_commit_callbacks
):
    with at(day(30)):
        scan(django_capture_on_commit_callbacks)
    by_recipient = {m.to[0]: m for m in mail.outbox}
    english = by_recipient[member.email]
    assert english.subject == f"Registration certificate {certificate.number} expires in 30 days"
    assert "31 March 2031" in english.body
    indonesian = by_recipient[applicant.email]
    assert "31 Maret 2031" in indonesian.body  # dates in the member's language (Indonesian)
    assert certificate.number in indonesian.subject


def test_the_expiry_day_reminder_says_it_expires_today(
    certificate, member, django_capture_on_commit_callbacks
):
    with at(LAST_DAY):
        scan(django_capture_on_commit_callbacks)
    english = next(m for m in mail.outbox if m.to == [member.email])
    assert english.subject == f"Registration certificate {certificate.number} expires today"
    assert "valid until today" in english.body


def test_a_renewal_in_progress_is_named_in_the_reminder(
    certificate, applicant, member, django_capture_on_commit_callbacks
):
    with at(day(90)):
        renewal = keeping.application_start_renewal(certificate=certificate, actor=applicant)
        scan(django_capture_on_commit_callbacks)
    english = next(m for m in mail.outbox if m.to == [member.email])
    assert "Your renewal application" in english.body
    with translation.override("en"):
        assert str(renewal) in english.body  # "Draft application #…" (no reference yet)
    assert f"/applications/{renewal.pk}/" in english.body


def test_without_a_renewal_the_reminder_says_how_to_start_one(
    certificate, member, django_capture_on_commit_callbacks
):
    with at(day(90)):
        scan(django_capture_on_commit_callbacks)
    english = next(m for m in mail.outbox if m.to == [member.email])
    assert "start a renewal" in english.body
    assert "Your renewal application" not in english.body


def test_running_the_daily_scan_twice_sends_nothing_twice(
    certificate, django_capture_on_commit_callbacks
):
    with at(day(7)):
        with django_capture_on_commit_callbacks(execute=True):
            first = daily_scan.delay().get()
        with django_capture_on_commit_callbacks(execute=True):
            second = daily_scan.delay().get()
    assert first["reminders"] == 1 and second["reminders"] == 0
    assert len(mail.outbox) == 2  # two members, once each


def test_a_retried_email_task_sends_nothing_twice(certificate, django_capture_on_commit_callbacks):
    from registrasi.audit.tasks import send_event_emails

    with at(day(7)):
        scan(django_capture_on_commit_callbacks)
        reminder = ExpiryReminder.objects.get(certificate=certificate, milestone=7)
        assert send_event_emails.delay(reminder.event_id).get() == 0
    assert len(mail.outbox) == 2


def test_after_downtime_only_the_latest_milestone_is_sent(
    certificate, django_capture_on_commit_callbacks
):
    # No scan ran from before the 180-day milestone until 4 days after the 30-day one.
    with at(day(30) + datetime.timedelta(days=4)):
        sent = scan(django_capture_on_commit_callbacks)
    assert [d.milestone for d in sent] == [30]
    assert len(mail.outbox) == 2  # two members, the 30-day reminder only
    assert all("expires in 30 days" in m.subject or "30" in m.subject for m in mail.outbox)
    rows = dict(
        ExpiryReminder.objects.filter(certificate=certificate).values_list("milestone", "skipped")
    )
    assert rows == {180: True, 90: True, 30: False}
    # The skipped ones never fire later; the next milestone comes on its day.
    mail.outbox.clear()
    with at(day(7) - datetime.timedelta(days=1)):
        assert scan(django_capture_on_commit_callbacks) == []
    with at(day(7)):
        assert [d.milestone for d in scan(django_capture_on_commit_callbacks)] == [7]
    assert len(mail.outbox) == 2


def test_a_renewed_certificate_gets_no_more_reminders(
    certificate, applicant, staff_user, django_capture_on_commit_callbacks
):
    from tests.certificates.factories import pass_through_transitions

    with at(day(180)):
        renewal = keeping.application_start_renewal(certificate=certificate, actor=applicant)
        renewal = pass_through_transitions(renewal, staff=staff_user)
        services.application_approve(application=renewal, actor=staff_user)
    mail.outbox.clear()
    with at(day(90)):
        assert scan(django_capture_on_commit_callbacks) == []
    assert mail.outbox == []


def test_revoked_and_expired_certificates_get_no_reminders(
    certificate, staff_user, django_capture_on_commit_callbacks
):
    services.certificate_revoke(certificate=certificate, actor=staff_user, reason="Fraud.")
    with at(day(30)):
        assert scan(django_capture_on_commit_callbacks) == []


def test_the_scan_reads_only_the_certificates_due(staff_user, django_capture_on_commit_callbacks):
    """200 certificates not due and 3 due: the scan's queries and rows touched are those of
    the 3, the same as without the 200."""
    due_issue = datetime.datetime(2021, 4, 1, 3, 0, tzinfo=datetime.UTC)  # last day 2026-03-31
    on = datetime.date(2026, 3, 24)  # the 7-day milestone of those
    due = []
    for _ in range(3):
        with time_machine.travel(due_issue):
            due.append(make_certificate(quick=True, staff=staff_user))

    def measure():
        with at(on), CaptureQueriesContext(connection) as queries:
            found = list(reminders.due_certificates(on))
        return queries, found

    baseline, found = measure()
    assert sorted(c.pk for c in found) == sorted(c.pk for c in due)
    organization = OrganizationFactory()
    make_applicant(organization, owner=True)
    with time_machine.travel(ISSUED):
        first = make_certificate(organization=organization, quick=True, staff=staff_user)
    copies_of_certificate(first, 199)  # tests.bulk: the 199 others written at once
    with_many, found = measure()
    assert len(with_many) == len(baseline) == 1
    assert sorted(c.pk for c in found) == sorted(c.pk for c in due)  # rows read: only the 3
    with at(on):
        with CaptureQueriesContext(connection) as queries:
            sent = reminders.send_due_reminders()
        assert len(sent) == 3
        per_certificate = (len(queries) - 1) / 3
        with CaptureQueriesContext(connection) as again:
            assert reminders.send_due_reminders() == []
    assert per_certificate <= 12
    # One query finds nothing due, whatever the 200; one finds nothing left undelivered; the
    # checkpoint is read and moved.
    assert len(again) == 4


def test_the_dry_run_command_lists_and_sends_nothing(
    certificate, django_capture_on_commit_callbacks
):
    from io import StringIO

    out = StringIO()
    with at(day(90)), django_capture_on_commit_callbacks(execute=True):
        call_command("send_expiry_reminders", "--dry-run", stdout=out)
    assert f"would send: {certificate.number}" in out.getvalue()
    assert "milestone 90 days" in out.getvalue()
    assert mail.outbox == [] and not ExpiryReminder.objects.exists()
    out = StringIO()
    with at(day(90)), django_capture_on_commit_callbacks(execute=True):
        call_command("send_expiry_reminders", stdout=out)
    assert f"sent: {certificate.number}" in out.getvalue()
    assert len(mail.outbox) == 2
    assert ExpiryReminder.objects.filter(certificate=certificate, milestone=90).exists()


def test_the_command_takes_a_date(certificate):
    from io import StringIO

    out = StringIO()
    call_command("send_expiry_reminders", "--dry-run", "--date", day(7).isoformat(), stdout=out)
    assert "milestone 7 days" in out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_two_scans_at_once_send_each_reminder_once(certificate, applicant, member):
    """Two scans in two threads with their own database connections (PostgreSQL)."""
    if connection.vendor != "postgresql":
        pytest.skip("Concurrent writers need PostgreSQL (SQLite serializes the whole file).")
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            barrier.wait(timeout=10)
            results.append(len(reminders.send_due_reminders(on=day(30))))
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    mail.outbox.clear()  # the "issued" emails (on_commit runs for real here)
    with at(day(30)):
        threads = [threading.Thread(target=run) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
    assert errors == []
    assert sorted(results) == [0, 1]
    rows = ExpiryReminder.objects.filter(certificate=certificate)
    assert sorted(rows.values_list("milestone", "skipped")) == [
        (30, False),
        (90, True),
        (180, True),
    ]
    assert sorted(m.to[0] for m in mail.outbox) == sorted([applicant.email, member.email])


def test_the_scan_filters_on_the_indexed_state_and_expiry_date():
    names = [index.name for index in Certificate._meta.indexes]
    assert "certificates_state_expiry" in names
    sql = str(reminders.due_certificates(LAST_DAY).query)
    assert '"state" IN' in sql and '"expires_on" BETWEEN' in sql


def test_operators_see_the_reminders_in_the_admin(
    admin_client, certificate, django_capture_on_commit_callbacks
):
    from django.urls import reverse

    with at(day(30) + datetime.timedelta(days=2)):
        scan(django_capture_on_commit_callbacks)
    page = admin_client.get(reverse("admin:certificates_expiryreminder_changelist"))
    assert page.status_code == 200
    assert certificate.number in page.content.decode()


def _certificates_expiring(last_day, count, staff_user):
    """`count` certificates whose last day is `last_day`: one made through the services,
    the others copies of it (tests.bulk)."""
    issued = datetime.datetime.combine(
        last_day + datetime.timedelta(days=1), datetime.time(3, 0), tzinfo=datetime.UTC
    ).replace(year=last_day.year - 5)
    organization = OrganizationFactory()
    make_applicant(organization, owner=True)
    with time_machine.travel(issued):
        first = make_certificate(organization=organization, quick=True, staff=staff_user)
    assert first.expires_on == last_day
    return [first, *copies_of_certificate(first, count - 1)]


@pytest.mark.parametrize("count", [1, 20])
def test_the_scan_makes_the_same_queries_for_1_or_20_reminders_due(
    count, staff_user, django_assert_num_queries
):
    on = datetime.date(2026, 3, 24)
    _certificates_expiring(on + datetime.timedelta(days=7), count, staff_user)
    ReminderCheckpoint.objects.create(  # scanned yesterday
        name=reminders.CHECKPOINT,
        scanned_on=on - datetime.timedelta(days=1),
        started_at=datetime.datetime.combine(on, datetime.time(0, 0), tzinfo=datetime.UTC),
    )
    # resend (1), checkpoint (1), candidates (1); the batch: savepoint, skipped rows, rows,
    # events, the webhook endpoints subscribed to them, links, outbox, release (8);
    # checkpoint moved (1)
    with at(on), django_assert_num_queries(12):
        assert len(reminders.send_due_reminders()) == count


def test_a_milestone_missed_while_the_scan_did_not_run_is_sent_the_next_time(
    certificate, django_capture_on_commit_callbacks
):
    with at(day(30)):
        assert [d.milestone for d in scan(django_capture_on_commit_callbacks)] == [30]
    with at(day(7) - datetime.timedelta(days=1)):
        assert scan(django_capture_on_commit_callbacks) == []
    mail.outbox.clear()
    # No scan on the 7-day milestone's day: the next day's run catches up.
    with at(day(7) + datetime.timedelta(days=1)):
        sent = scan(django_capture_on_commit_callbacks)
        assert [d.milestone for d in sent] == [7]
        assert scan(django_capture_on_commit_callbacks) == []
    assert len(mail.outbox) == 2
    assert ExpiryReminder.objects.filter(certificate=certificate, milestone=7).count() == 1


def test_the_checkpoint_reads_only_the_milestones_fallen_since_the_last_scan(
    certificate, staff_user
):
    on = day(30)
    with at(on - datetime.timedelta(days=1)):
        reminders.send_due_reminders()
    since = ReminderCheckpoint.objects.get()
    assert since.scanned_on == on - datetime.timedelta(days=1)
    # Not due at 90 days (its 90-day milestone fell before the checkpoint): not read.
    _certificates_expiring(on + datetime.timedelta(days=60), 3, staff_user)
    ExpiryReminder.objects.all().delete()  # the checkpoint alone keeps them out
    found = [c.pk for c in reminders.due_certificates(on, since)]
    assert found == [certificate.pk]


def test_a_certificate_issued_since_the_last_scan_with_a_near_expiry_is_reminded(
    certificate, staff_user, django_capture_on_commit_callbacks
):
    """A successor issued after a change report keeps its basis's last day: its milestone
    date may lie before the checkpoint, yet it was never scanned."""
    with at(day(30)):
        assert [d.milestone for d in scan(django_capture_on_commit_callbacks)] == [30]
    later = _certificates_expiring(LAST_DAY - datetime.timedelta(days=3), 2, staff_user)
    Certificate.objects.filter(pk__in=[c.pk for c in later]).update(
        created_at=datetime.datetime.combine(day(30), datetime.time(5, 0), tzinfo=datetime.UTC)
    )
    with at(day(30) + datetime.timedelta(days=1)):
        sent = scan(django_capture_on_commit_callbacks)
    assert sorted((d.certificate.pk, d.milestone) for d in sent) == sorted(
        (c.pk, 30) for c in later
    )


def test_the_scan_enqueues_again_only_the_last_weeks_undelivered_reminders(
    certificate, django_capture_on_commit_callbacks
):
    from django.db.models import F

    # The email never went (its after-commit hand-over does not run).
    with at(day(30)), django_capture_on_commit_callbacks(execute=False):
        assert len(reminders.send_due_reminders()) == 1
    now = datetime.datetime.combine(day(30), datetime.time(2, 0), tzinfo=datetime.UTC)
    rows = ExpiryReminder.objects.filter(skipped=False)
    rows.update(sent_at=F("sent_at") - datetime.timedelta(days=6))
    assert reminders.undelivered_reminders(recorded_before=now).count() == 1
    rows.update(sent_at=F("sent_at") - datetime.timedelta(days=2))  # 8 days old: for staff
    assert reminders.undelivered_reminders(recorded_before=now).count() == 0
