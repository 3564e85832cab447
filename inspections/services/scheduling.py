"""Scheduling (the ministry desk): book an inspector for an application, move the visit,
cancel it. Every window is checked (not past, not inverted, an inspector, no clash) with the
inspector's row locked; PostgreSQL's exclusion constraint backs the overlap check."""

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from applications import services as applications_services
from applications.constants import ApplicationState
from applications.models import Application
from applications.selectors import invoice_is_paid
from inspections.constants import InspectionState, requirements_for
from inspections.models import SCHEDULE_INSPECTION, Finding, Inspection, ScheduleChange
from registrasi import dates
from registrasi.accounts.models import User
from registrasi.audit.services import audit_record
from registrasi.services import (
    NotAllowed,
    ServiceError,
    lock,
    notify,
    refuse_if_stale,
    refuse_unless_perm,
    require_text,
    run_transition,
)


class SchedulingRefused(ServiceError):
    """A window cannot be booked; the message says why (past, overlap, unpaid...)."""


def _fmt(value):
    return date_format(timezone.localtime(value), "DATETIME_FORMAT")


def _check_window(*, inspector, window_start, window_end, exclude_pk=None):
    """Refuse a window in the past, an inverted one, a non-inspector or a clash.

    The inspector's user row is locked first: two staff members booking the same inspector
    at once are serialised, so the overlap query below cannot race.
    """
    if window_start is None or window_end is None:
        raise SchedulingRefused(_("Choose when the inspection starts and ends."))
    if timezone.is_naive(window_start) or timezone.is_naive(window_end):
        raise SchedulingRefused(_("The inspection window needs a time zone."))
    if window_end <= window_start:
        raise SchedulingRefused(_("The inspection must end after it starts."))
    # A window may start earlier today (staff moving a visit under way to today, so that its
    # findings open) but not on an earlier day, and it must not be over already.
    if dates.local_date(window_start) < dates.today() or window_end <= timezone.now():
        raise SchedulingRefused(
            _("The inspection cannot be in the past (%(start)s): choose today or a later day.")
            % {"start": _fmt(window_start)}
        )
    if inspector is None or not inspector.is_active or not inspector.is_inspector:
        raise SchedulingRefused(
            _("%(user)s is not an inspector.")
            % {"user": inspector.get_full_name() if inspector else "?"}
        )
    User.objects.select_for_update().filter(pk=inspector.pk).first()
    clash = (
        Inspection.objects.active()
        .filter(inspector=inspector)
        .overlapping(window_start, window_end)
        .exclude(pk=exclude_pk)
        .select_related("application")
        .first()
    )
    if clash is not None:
        raise SchedulingRefused(
            _(
                "%(inspector)s already has an inspection from %(start)s to %(end)s "
                "(%(application)s); choose another time or another inspector."
            )
            % {
                "inspector": inspector.get_full_name(),
                "start": _fmt(clash.window_start),
                "end": _fmt(clash.window_end),
                "application": clash.application,
            }
        )


def _save_guarded(obj, **kwargs):
    """Save, turning a database constraint the checks above missed (a race on PostgreSQL's
    exclusion constraint) into the same refusal."""
    try:
        with transaction.atomic():
            obj.save(**kwargs)
    except IntegrityError as exc:
        if "inspections_no_overlap" in str(exc) or "one_active_per_application" in str(exc):
            raise SchedulingRefused(
                _("The inspector or the application was booked by someone else meanwhile.")
            ) from exc
        raise


def _default_contact(application):
    creator = application.created_by
    return creator.get_full_name(), application.organization.contact_phone


def inspection_schedule(
    *,
    application: Application,
    actor: User,
    inspector: User,
    window_start: datetime.datetime,
    window_end: datetime.datetime,
    contact_name: str = "",
    contact_phone: str = "",
) -> Inspection:
    """Book `inspector` for `application` (awaiting inspection, invoice paid) in the window.

    Moves the application to inspection_scheduled; the organization's members and the
    inspector are emailed after commit.
    """
    refuse_unless_perm(actor, SCHEDULE_INSPECTION)
    with transaction.atomic():
        application = lock(application)
        if application.state != ApplicationState.AWAITING_INSPECTION:
            raise SchedulingRefused(
                _("Only an application awaiting inspection can be scheduled; it is “%(state)s”.")
                % {"state": application.get_state_display()}
            )
        if not invoice_is_paid(application):
            raise SchedulingRefused(
                _("The fee invoice of %(application)s is not paid yet.")
                % {"application": application}
            )
        # Every required document's current version accepted (a new version uploaded after
        # a failed inspection waits for the desk): the same check as approval.
        applications_services.refuse_unless_ready(
            application=application, step=applications_services.SCHEDULE_STEP
        )
        _check_window(inspector=inspector, window_start=window_start, window_end=window_end)
        default_name, default_phone = _default_contact(application)
        inspection = Inspection(
            application=application,
            inspector=inspector,
            window_start=window_start,
            window_end=window_end,
            contact_name=(contact_name or "").strip() or default_name,
            contact_phone=(contact_phone or "").strip() or default_phone,
            scheduled_by=actor,
        )
        _save_guarded(inspection)
        # The checklist snapshot: saving and submitting read these rows, never the current
        # rules, so a requirement added later applies only to inspections scheduled after it.
        Finding.objects.bulk_create(
            Finding(inspection=inspection, requirement=requirement, position=position)
            for position, requirement in enumerate(requirements_for(application.kind))
        )
        run_transition(
            obj=application,
            name="schedule",
            actor=actor,
            data={"inspection": inspection.pk, "inspector": inspector.pk},
        )
        event = audit_record(
            actor=actor,
            action="schedule",
            obj=inspection,
            to_state=inspection.state,
            data=_window_data(inspection),
        )
        notify(event)
    return inspection


def _window_data(inspection):
    return {
        "inspector": inspection.inspector_id,
        "window_start": inspection.window_start.isoformat(),
        "window_end": inspection.window_end.isoformat(),
    }


def inspection_reschedule(
    *,
    inspection: Inspection,
    actor: User,
    window_start: datetime.datetime,
    window_end: datetime.datetime,
    reason: str,
    inspector: User | None = None,
    expected_state: str | None = None,
) -> Inspection:
    """Move a scheduled inspection to a new window (and optionally another inspector),
    keeping the old one as a ScheduleChange. Same checks as scheduling."""
    refuse_unless_perm(actor, SCHEDULE_INSPECTION)
    reason = require_text(reason)
    with transaction.atomic():
        inspection = lock(inspection)
        refuse_if_stale(inspection, expected_state)
        if inspection.state != InspectionState.SCHEDULED:
            raise NotAllowed(
                _("Only a scheduled inspection can be rescheduled; this one is “%(state)s”.")
                % {"state": inspection.get_state_display()}
            )
        new_inspector = inspector or inspection.inspector
        unchanged = (window_start, window_end, new_inspector.pk) == (
            inspection.window_start,
            inspection.window_end,
            inspection.inspector_id,
        )
        if unchanged:
            raise SchedulingRefused(_("This is the inspection's current window and inspector."))
        _check_window(
            inspector=new_inspector,
            window_start=window_start,
            window_end=window_end,
            exclude_pk=inspection.pk,
        )
        change = ScheduleChange(
            inspection=inspection,
            old_start=inspection.window_start,
            old_end=inspection.window_end,
            new_start=window_start,
            new_end=window_end,
            old_inspector_id=inspection.inspector_id
            if new_inspector.pk != inspection.inspector_id
            else None,
            reason=reason,
            changed_by=actor,
        )
        change.save()
        inspection.window_start = window_start
        inspection.window_end = window_end
        inspection.inspector = new_inspector
        _save_guarded(
            inspection, update_fields=["window_start", "window_end", "inspector", "updated_at"]
        )
        event = audit_record(
            actor=actor,
            action="reschedule",
            obj=inspection,
            from_state=inspection.state,
            to_state=inspection.state,
            note=reason,
            data={
                **_window_data(inspection),
                "schedule_change": change.pk,
                "old_inspector": change.old_inspector_id,
            },
        )
        notify(event)
    return inspection


def inspection_cancel(
    *, inspection: Inspection, actor: User, reason: str, expected_state: str | None = None
) -> Inspection:
    """Cancel a scheduled inspection; its application waits for a new date again."""
    refuse_unless_perm(actor, SCHEDULE_INSPECTION)
    reason = require_text(reason)
    with transaction.atomic():
        done = run_transition(
            obj=inspection,
            name="cancel",
            actor=actor,
            expected_state=expected_state,
            note=reason,
            update_fields=["cancel_reason"],
            before_save=lambda locked: setattr(locked, "cancel_reason", reason),
        )
        inspection, event = done.obj, done.event
        if inspection.application.state == ApplicationState.INSPECTION_SCHEDULED:
            run_transition(
                obj=inspection.application,
                name="unschedule",
                actor=actor,
                note=reason,
                data={"inspection": inspection.pk},
            )
        notify(event)
    return inspection
