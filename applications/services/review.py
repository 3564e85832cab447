"""The ministry desk: review, return, accept, reject; and the one readiness check before
scheduling the inspection or approving."""

from django.db import transaction
from django.utils.translation import gettext as _

from applications.models import Application
from applications.selectors import readiness_blockers, unaccepted_documents
from applications.services.base import transition
from registrasi.accounts.models import User
from registrasi.services import NotAllowed, ServiceError, require_text


def _transition_with_reason(
    application: Application,
    name: str,
    actor: User,
    *,
    reason: str,
    field: str,
    expected_state: str | None,
) -> Application:
    """A transition whose required reason is kept on the application and as the audit note."""
    reason = require_text(reason)

    def before_save(locked):
        setattr(locked, field, reason)

    with transaction.atomic():
        return transition(
            application,
            name,
            actor,
            expected_state=expected_state,
            note=reason,
            update_fields=[field],
            before_save=before_save,
        )


def application_start_review(
    *, application: Application, actor: User, expected_state: str | None = None
) -> Application:
    with transaction.atomic():
        return transition(application, "start_review", actor, expected_state=expected_state)


def application_return_for_changes(
    *, application: Application, actor: User, reason: str, expected_state: str | None = None
) -> Application:
    """Send back to the applicant with a note; rejected documents must be replaced."""
    return _transition_with_reason(
        application,
        "return_for_changes",
        actor,
        reason=reason,
        field="return_reason",
        expected_state=expected_state,
    )


class NotReady(ServiceError):
    """Scheduling or approval refused; `blockers` names what must happen first."""

    def __init__(self, message: str, blockers: list[str]):
        super().__init__(message)
        self.blockers = blockers


SCHEDULE_STEP = "schedule"
APPROVE_STEP = "approve"


def refuse_unless_ready(*, application: Application, step: str) -> None:
    """Refuse (NotReady) to schedule the inspection (`step=SCHEDULE_STEP`) or to approve
    (`APPROVE_STEP`) while readiness_blockers names anything. Inspections and certificates
    call this one check; call it with the application row locked."""
    blockers = readiness_blockers(application)
    if not blockers:
        return
    if step == APPROVE_STEP:
        message = _("The application cannot be approved yet: %(blockers)s.")
    else:
        message = _("The inspection cannot be scheduled yet: %(blockers)s.")
    raise NotReady(message % {"blockers": "; ".join(blockers)}, blockers)


def application_accept(
    *, application: Application, actor: User, expected_state: str | None = None
) -> Application:
    """Accept for inspection: every required document's current version must be accepted."""

    def before_save(locked):
        pending = unaccepted_documents(locked)
        if pending:
            raise NotAllowed(
                _("Accept every required document first. Not accepted yet: %(docs)s.")
                % {"docs": "; ".join(pending)}
            )

    with transaction.atomic():
        return transition(
            application, "accept", actor, expected_state=expected_state, before_save=before_save
        )


def application_reject(
    *, application: Application, actor: User, reason: str, expected_state: str | None = None
) -> Application:
    return _transition_with_reason(
        application,
        "reject",
        actor,
        reason=reason,
        field="rejection_reason",
        expected_state=expected_state,
    )
