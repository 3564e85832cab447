"""The shared email machinery (registrasi.notifications and the one task in
registrasi.audit.tasks): one email per recipient and audit event, in the recipient's
language, only after commit, and a failed send is retried rather than recorded."""

import datetime
from functools import partial
from smtplib import SMTPException

import pytest
import time_machine
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend
from django.db import transaction
from django.utils import timezone, translation

from applications import services
from registrasi import notifications
from registrasi.audit.models import EmailDelivery, EmailStatus
from registrasi.audit.selectors import timeline_for
from registrasi.audit.services import audit_record
from registrasi.audit.tasks import send_event_emails
from tests.applications.factories import ApplicationFactory
from tests.factories import make_applicant

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(organization):
    """An Indonesian-speaking owner and an English-speaking member of the organization."""
    owner = make_applicant(organization, owner=True, language="id")
    english = make_applicant(organization, owner=False, language="en")
    return owner, english


def language_plan(recipients):
    """A plan whose body is the language active while the recipient's email is rendered."""

    def render(recipient):
        with notifications.in_language_of(recipient):
            return "Subject", translation.get_language()

    return lambda event: notifications.EmailPlan(recipients=recipients, render=render)


def record_event(obj, action="noted"):
    with transaction.atomic():
        return audit_record(actor=None, action=action, obj=obj)


def submitted(owner, django_capture_on_commit_callbacks):
    application = ApplicationFactory(created_by=owner, with_documents=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.application_submit(application=application, actor=owner)
    return timeline_for(application).get(action="submit")


def test_it_sends_once_per_recipient_and_event_even_when_the_task_runs_twice(
    people, django_capture_on_commit_callbacks
):
    owner, english = people
    event = submitted(owner, django_capture_on_commit_callbacks)
    assert sorted(message.to[0] for message in mail.outbox) == sorted([owner.email, english.email])
    assert send_event_emails.delay(event.pk).get() == 0
    assert send_event_emails(event.pk) == 0
    assert len(mail.outbox) == 2
    assert set(EmailDelivery.objects.filter(event=event).values_list("recipient", flat=True)) == {
        owner.pk,
        english.pk,
    }


def test_it_sends_again_for_another_event_to_the_same_recipient(people, organization):
    owner, _english = people
    plan = language_plan([owner])
    first, second = record_event(organization), record_event(organization)
    assert notifications.send_event_emails(first.pk, plan) == 1
    assert notifications.send_event_emails(second.pk, plan) == 1
    assert notifications.send_event_emails(first.pk, plan) == 0
    assert len(mail.outbox) == 2


def test_it_renders_each_email_in_the_recipients_language(people, organization):
    owner, english = people
    event = record_event(organization)
    with translation.override("en"):
        notifications.send_event_emails(event.pk, language_plan([owner, english]))
    bodies = {message.to[0]: message.body for message in mail.outbox}
    assert bodies == {owner.email: "id", english.email: "en"}


def test_the_real_templates_follow_the_recipients_language(
    people, django_capture_on_commit_callbacks
):
    owner, english = people
    submitted(owner, django_capture_on_commit_callbacks)
    subjects = {message.to[0]: message.subject for message in mail.outbox}
    assert subjects[english.email].startswith("Application ")
    assert subjects[english.email].endswith(" received")
    assert subjects[owner.email] != subjects[english.email]


def test_it_sends_nothing_when_the_transaction_rolls_back(
    people, django_capture_on_commit_callbacks
):
    owner, english = people
    application = ApplicationFactory(created_by=owner, with_documents=True)
    with django_capture_on_commit_callbacks(execute=False):
        services.application_submit(application=application, actor=owner)
    event = timeline_for(application).get(action="submit")
    enqueue = partial(send_event_emails.delay, event.pk)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        transaction.on_commit(enqueue)
        raise RuntimeError("the request failed after enqueueing")
    assert callbacks == [] and mail.outbox == []
    assert not EmailDelivery.objects.exists()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        transaction.on_commit(enqueue)
    assert sorted(message.to[0] for message in mail.outbox) == sorted([owner.email, english.email])


def test_it_sends_nothing_for_an_event_nobody_is_emailed_about(organization):
    event = record_event(organization)
    assert send_event_emails(event.pk) == 0
    assert send_event_emails(999_999) == 0
    assert mail.outbox == []


class FlakyBackend(EmailBackend):
    """The mail server is down for the first attempt only."""

    failures = 0

    def send_messages(self, messages):
        if FlakyBackend.failures < 1:
            FlakyBackend.failures += 1
            raise SMTPException("mail server down")
        return super().send_messages(messages)


class FailingBackend(EmailBackend):
    def send_messages(self, messages):
        raise SMTPException("mail server down")


def test_a_failed_send_stays_pending_and_the_retry_sends_it(people, organization, settings):
    owner, _english = people
    event = record_event(organization)
    settings.EMAIL_BACKEND = f"{__name__}.FailingBackend"
    with pytest.raises(SMTPException):
        notifications.send_event_emails(event.pk, language_plan([owner]))
    receipt = EmailDelivery.objects.get(event=event, recipient=owner)
    assert (receipt.status, receipt.attempts, receipt.sent_at) == (EmailStatus.PENDING, 1, None)
    assert "mail server down" in receipt.last_error
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert notifications.send_event_emails(event.pk, language_plan([owner])) == 1
    receipt.refresh_from_db()
    assert receipt.status == EmailStatus.SENT and receipt.sent_at is not None
    assert notifications.send_event_emails(event.pk, language_plan([owner])) == 0
    assert len(mail.outbox) == 1


def test_a_send_failing_for_longer_than_the_retry_window_fails_for_good(
    people, organization, settings
):
    owner, english = people
    event = record_event(organization)
    settings.EMAIL_BACKEND = f"{__name__}.FailingBackend"
    settings.EMAIL_RETRY_HOURS = 24
    start = timezone.now()

    def attempt(hours_later):
        when = start + datetime.timedelta(hours=hours_later)
        with time_machine.travel(when, tick=False), pytest.raises(SMTPException):
            notifications.send_event_emails(event.pk, language_plan([owner, english]))

    attempt(0)
    attempt(23)
    assert EmailDelivery.objects.get(recipient=owner).status == EmailStatus.PENDING
    attempt(25)
    owner_receipt = EmailDelivery.objects.get(recipient=owner)
    assert (owner_receipt.status, owner_receipt.attempts) == (EmailStatus.FAILED, 3)
    # The failed one is skipped from now on; the next recipient still gets its tries.
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert notifications.send_event_emails(event.pk, language_plan([owner, english])) == 1
    assert [m.to for m in mail.outbox] == [[english.email]]


def test_the_task_retries_a_failed_send_and_then_delivers(
    people, settings, django_capture_on_commit_callbacks
):
    owner, english = people
    application = ApplicationFactory(created_by=owner, with_documents=True)
    with django_capture_on_commit_callbacks(execute=False):
        services.application_submit(application=application, actor=owner)
    event = timeline_for(application).get(action="submit")
    FlakyBackend.failures = 0
    settings.EMAIL_BACKEND = f"{__name__}.FlakyBackend"
    # apply(throw=False): the eager way to let Celery run its retry instead of raising it
    result = send_event_emails.apply(args=(event.pk,), throw=False)
    assert result.get() == 2
    assert FlakyBackend.failures == 1
    assert sorted(message.to[0] for message in mail.outbox) == sorted([owner.email, english.email])
    assert EmailDelivery.objects.filter(event=event).count() == 2


def test_the_task_is_acks_late_and_retries_with_backoff_and_time_limits():
    assert send_event_emails.acks_late is True
    for error in (SMTPException, TimeoutError, ConnectionError, SoftTimeLimitExceeded):
        assert issubclass(error, send_event_emails.autoretry_for), error
    assert send_event_emails.retry_backoff
    # No retry count: the receipts stop the retries after EMAIL_RETRY_HOURS.
    assert send_event_emails.max_retries is None
    assert send_event_emails.soft_time_limit < send_event_emails.time_limit
    assert send_event_emails.soft_time_limit > settings.EMAIL_TIMEOUT
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    assert send_event_emails.time_limit < visibility
    assert send_event_emails.retry_backoff_max < visibility


class SlowBackend(EmailBackend):
    """The first send outlives the task's soft time limit."""

    calls = 0

    def send_messages(self, messages):
        SlowBackend.calls += 1
        if SlowBackend.calls == 1:
            raise SoftTimeLimitExceeded()
        return super().send_messages(messages)


def test_a_send_cut_off_by_the_soft_time_limit_is_retried_and_delivered(
    people, organization, settings
):
    owner, _english = people
    event = record_event(organization)
    SlowBackend.calls = 0
    settings.EMAIL_BACKEND = f"{__name__}.SlowBackend"
    with pytest.raises(SoftTimeLimitExceeded):
        notifications.send_event_emails(event.pk, language_plan([owner]))
    receipt = EmailDelivery.objects.get(event=event, recipient=owner)
    assert (receipt.status, receipt.attempts) == (EmailStatus.PENDING, 1)
    assert notifications.send_event_emails(event.pk, language_plan([owner])) == 1
    assert [m.to for m in mail.outbox] == [[owner.email]]
