"""Migration applications 0017 fills Application.state_changed_at for the rows that existed
before it: the last audit event into the current state, else the submission, else the
creation."""

import datetime
import importlib

import time_machine
from django.apps import apps as registry
from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from applications.constants import ApplicationState
from applications.models import Application
from registrasi.audit.models import AuditEvent
from tests import desk_seed

A = ApplicationState
migration = importlib.import_module("applications.migrations.0017_state_changed_at")


def _event(app, to_state, when):
    with time_machine.travel(when, tick=False):  # the audit log is append-only
        AuditEvent.objects.create(
            action="test",
            content_type=ContentType.objects.get_for_model(Application),
            object_id=str(app.pk),
            to_state=to_state,
        )


def test_the_backfill_takes_the_entry_into_the_current_state(organization):
    now = timezone.now()
    with_event, without_event = desk_seed.applications(organization, 2, A.AWAITING_INSPECTION)
    (draft,) = desk_seed.applications(organization, 1, A.DRAFT)
    entered = now - datetime.timedelta(days=4)
    _event(with_event, A.AWAITING_INSPECTION, now - datetime.timedelta(days=9))
    _event(with_event, A.AWAITING_INSPECTION, entered)  # the last entry counts
    _event(with_event, A.INSPECTION_FAILED, now - datetime.timedelta(days=2))  # another state
    Application.objects.update(state_changed_at=now)

    migration.fill_state_changed_at(registry, None)

    for app in (with_event, without_event, draft):
        app.refresh_from_db()
    assert with_event.state_changed_at == entered
    assert without_event.state_changed_at == without_event.submitted_at
    assert draft.state_changed_at == draft.created_at
