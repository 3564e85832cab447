"""Inspections in every state, reached through the services (never by setting `state`).

    make_inspection()                                   # scheduled, tomorrow 09:00-12:00
    make_inspection("in_progress", inspector=inspector)
    make_inspection("passed") / make_inspection("failed") / make_inspection("cancelled")
    InspectionFactory(failed=True, organization=org)    # the same, as a factory with traits
    awaiting_application(organization=org, paid=True)   # ready to be scheduled

Findings: ALL_COMPLIANT(inspection), record_all(inspection, result=..., majors=[...]).
Photos: JPEG_BYTES / PNG_BYTES from tests.applications.factories; jpeg_upload(), png_upload().
"""

import contextlib
import datetime

import factory
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from applications.constants import ApplicationKind
from inspections import services
from inspections.constants import FindingResult, InspectionState
from inspections.models import Inspection
from tests.applications.factories import (
    HTML_BYTES,
    JPEG_BYTES,
    PDF_BYTES,
    PNG_BYTES,
    ApplicationFactory,
    png_upload,
)
from tests.factories import InspectorFactory, OrganizationFactory, StaffFactory

__all__ = [
    "HTML_BYTES",
    "JPEG_BYTES",
    "PDF_BYTES",
    "PNG_BYTES",
    "InspectionFactory",
    "awaiting_application",
    "jpeg_upload",
    "make_inspection",
    "png_upload",
    "record_all",
    "window",
]


def window(days=1, hour=9, hours=3, minute=0):
    """An aware (Asia/Jakarta) window `days` from today at `hour`:`minute`, `hours` long."""
    day = timezone.localdate() + datetime.timedelta(days=days)
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))
    return start, start + datetime.timedelta(hours=hours)


def window_from_now(hours=3):
    """A window starting at the current minute, today: findings are open at once."""
    start = timezone.now().replace(second=0, microsecond=0)
    return start, start + datetime.timedelta(hours=hours)


def on_planned_day(inspection):
    """Travel to the inspection's start when its findings are not open yet (a window on a
    later day); otherwise change nothing."""
    if inspection.is_open():
        return contextlib.nullcontext()
    return time_machine.travel(inspection.window_start, tick=True)


def jpeg_upload(name="photo.jpg", content=JPEG_BYTES):
    return SimpleUploadedFile(name, content, content_type="image/jpeg")


def awaiting_application(organization=None, *, kind=ApplicationKind.NEW, paid=True, staff=None):
    """An application awaiting inspection (documents accepted), its invoice paid or not."""
    return ApplicationFactory(
        organization=organization or OrganizationFactory(),
        kind=kind,
        awaiting_inspection=True,
        paid=paid,
        staff=staff,
    )


def record_all(inspection, *, result=FindingResult.COMPLIANT, majors=(), minors=(), actor=None):
    """Give every requirement a result (`result`, except those named in majors/minors)."""
    findings = {}
    for requirement in inspection.requirements:
        value = result
        if requirement in majors:
            value = FindingResult.MAJOR
        elif requirement in minors:
            value = FindingResult.MINOR
        findings[requirement] = {"result": value, "note": f"Checked {requirement}."}
    return services.findings_save_draft(
        inspection=inspection, actor=actor or inspection.inspector, findings=findings
    )


def make_inspection(
    state=InspectionState.SCHEDULED,
    *,
    application=None,
    organization=None,
    inspector=None,
    staff=None,
    kind=ApplicationKind.NEW,
    days=None,
    hour=None,
    hours=3,
):
    """An inspection in `state`, reached through the services; returns a fresh copy.

    Without `days` or `hour` the window starts now (findings open at once); with them it is
    `days` from today at `hour` (default 1 day, 09:00), and the factory travels to that day
    to record findings when `state` needs them.
    """
    S = InspectionState
    staff = staff or StaffFactory()
    inspector = inspector or InspectorFactory()
    if application is None:
        application = awaiting_application(organization, kind=kind, staff=staff)
    if days is None and hour is None:
        start, end = window_from_now(hours=hours)
    else:
        start, end = window(
            days=1 if days is None else days, hour=9 if hour is None else hour, hours=hours
        )
    inspection = services.inspection_schedule(
        application=application,
        actor=staff,
        inspector=inspector,
        window_start=start,
        window_end=end,
    )
    if state == S.CANCELLED:
        services.inspection_cancel(inspection=inspection, actor=staff, reason="Company closed")
    elif state in (S.IN_PROGRESS, S.PASSED, S.FAILED):
        with on_planned_day(inspection):
            _record(inspection, state, inspector)
    elif state != S.SCHEDULED:
        raise ValueError(f"The factory cannot reach {state!r}.")
    return Inspection.objects.get(pk=inspection.pk)


def _record(inspection, state, inspector):
    S = InspectionState
    if state == S.IN_PROGRESS:
        services.inspection_start(inspection=inspection, actor=inspector)
        return
    majors = inspection.requirements[:1] if state == S.FAILED else []
    record_all(inspection, majors=majors)
    if majors:
        services.findings_save_draft(
            inspection=inspection,
            actor=inspector,
            corrective_actions="Register the company's current deed with OSS.",
        )
    services.inspection_submit(inspection=inspection, actor=inspector)


class InspectionFactory(factory.Factory):
    """make_inspection as a factory: InspectionFactory(passed=True, inspector=...)."""

    class Meta:
        model = Inspection

    state = InspectionState.SCHEDULED
    application = None
    organization = None
    inspector = None
    staff = None
    kind = ApplicationKind.NEW
    days = None
    hour = None
    hours = 3

    class Params:
        in_progress = factory.Trait(state=InspectionState.IN_PROGRESS)
        passed = factory.Trait(state=InspectionState.PASSED)
        failed = factory.Trait(state=InspectionState.FAILED)
        cancelled = factory.Trait(state=InspectionState.CANCELLED)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return make_inspection(kwargs.pop("state"), **kwargs)

    _build = _create
