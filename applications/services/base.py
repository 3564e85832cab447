"""What the application services share: the locks and refusals every write starts with."""

from django.utils.translation import gettext as _

from applications.constants import EDITABLE_STATES
from applications.models import Application, is_member
from registrasi.accounts.models import User
from registrasi.services import NotAllowed, lock, notify, refuse_if_stale, run_transition


def refuse_unless_member(application: Application, actor: User) -> None:
    if not is_member(application, actor):
        raise NotAllowed(_("You are not allowed to do this."))


def refuse_unless_state(
    application: Application, states, expected_state: str | None = None
) -> None:
    refuse_if_stale(application, expected_state)
    if application.state not in states:
        raise NotAllowed(
            _("This is not possible while the application is “%(state)s”.")
            % {"state": application.get_state_display()}
        )


def lock_for_applicant(
    application: Application, actor: User, states=EDITABLE_STATES, expected_state: str | None = None
) -> Application:
    locked = lock(application)
    refuse_unless_member(locked, actor)
    refuse_unless_state(locked, states, expected_state)
    return locked


def transition(
    application: Application,
    name: str,
    actor: User,
    *,
    expected_state: str | None = None,
    note: str = "",
    **kwargs,
) -> Application:
    """run_transition, then the email its event declares (applications.notifications)."""
    done = run_transition(
        obj=application, name=name, actor=actor, expected_state=expected_state, note=note, **kwargs
    )
    notify(done.event)
    return done.obj
