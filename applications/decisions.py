"""What the decision page (the staff application page) offers at its top: the transitions
this person may take now, as the lifecycle itself lists them for this user
(django-fsm's `get_available_user_state_transitions`: source state, permission and
conditions), each described once here with its label, its reason field and what will happen.

A transition without a description here (an inspector's outcome, the cancellation that the
inspection page does) is not offered on this page.
"""

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from applications.constants import ApplicationState
from applications.models import entered_it

S = ApplicationState


@dataclass(frozen=True)
class Decision:
    name: str  # the transition's name
    label: str
    effect: str  # what will happen, shown in the confirmation
    url: str
    style: str = ""  # "", "secondary" or "danger": the button's class
    reason_name: str = ""  # the posted field of the reason; empty: no reason asked
    reason_label: str = ""
    reason_required: bool = False
    opens_page: bool = False  # a link to its own page (a form with more than a reason)
    # A final decision asks again before it acts: `folded` shows its form only once opened
    # (<details>, no script); approval's own confirmation page says what the certificate is.
    folded: bool = False
    hidden: dict = field(default_factory=dict)
    blockers: tuple = ()  # why it cannot be done yet (fee, documents); empty: it can


# The order the actions are offered in: the one that moves the application forward first.
ORDER = (
    "approve",
    "accept",
    "schedule",
    "start_review",
    "submit",
    "return_for_changes",
    "reject",
    "withdraw",
)


def _start_review(application, detail):
    return Decision(
        name="start_review",
        label=_("Start review"),
        effect=_(
            "The application moves to “under review”: you then review each document and "
            "accept it for inspection, return it for changes or reject it."
        ),
        url=reverse("applications:start_review", args=[application.pk]),
    )


def _accept(application, detail):
    return Decision(
        name="accept",
        label=_("Accept for inspection"),
        effect=_(
            "The application is accepted and waits for an inspection to be scheduled. Every "
            "required document must be accepted first. The applicant is emailed."
        ),
        url=reverse("applications:accept", args=[application.pk]),
    )


def _return(application, detail):
    return Decision(
        name="return_for_changes",
        label=_("Return for changes"),
        effect=_(
            "The application goes back to the applicant, who changes what you ask and submits "
            "it again. They are emailed the text below."
        ),
        url=reverse("applications:return", args=[application.pk]),
        style="secondary",
        reason_name="return-reason",
        reason_label=_("What the applicant must change (shown to the applicant)"),
        reason_required=True,
    )


def _reject(application, detail):
    return Decision(
        name="reject",
        label=_("Reject"),
        effect=_(
            "The application is rejected. This is final: the applicant must start a new "
            "application. They are emailed the reason below."
        ),
        url=reverse("applications:reject", args=[application.pk]),
        style="danger",
        folded=True,
        reason_name="reason",
        reason_label=_("Reason for the rejection (shown to the applicant)"),
        reason_required=True,
    )


def _schedule(application, detail):
    return Decision(
        name="schedule",
        label=_("Schedule the inspection"),
        effect=_(
            "Opens the scheduling form: choose the inspector (those covering the province and "
            "free in the window come first) and the window. The applicant is told the date."
        ),
        url=reverse("inspections:create", args=[application.pk]),
        opens_page=True,
        blockers=tuple(detail.blockers),
    )


def _approve(application, detail):
    effect = _("The application is approved and its certificate is issued now.")
    if detail.approval_effect:
        effect = f"{effect} {detail.approval_effect}"
    return Decision(
        name="approve",
        label=_("Approve and issue certificate"),
        effect=effect,
        # The certificates app's confirmation page comes next: the dates, and the sanctions a
        # successor inherits, to confirm.
        url=reverse("certificates:approve", args=[application.pk]),
        blockers=tuple(detail.blockers),
    )


def _submit(application, detail):
    return Decision(
        name="submit",
        label=_("Continue entering the application"),
        effect=_(
            "You entered this application at the office: go on through the steps on the "
            "company's behalf. Submitting issues the fee invoice."
        ),
        url=reverse("applications:resume", args=[application.pk]),
        opens_page=True,
    )


def _withdraw(application, detail):
    return Decision(
        name="withdraw",
        label=_("Withdraw on the company's behalf"),
        effect=_("Opens the withdrawal page, which asks you to confirm."),
        url=reverse("applications:withdraw", args=[application.pk]),
        style="secondary",
        opens_page=True,
    )


DESCRIBE = {
    "start_review": _start_review,
    "accept": _accept,
    "return_for_changes": _return,
    "reject": _reject,
    "schedule": _schedule,
    "approve": _approve,
    "submit": _submit,
    "withdraw": _withdraw,
}


def available(*, application, user) -> set[str]:
    """The transitions `user` may take on `application` now (state, permission, conditions)."""
    return {t.name for t in application.get_available_user_state_transitions(user)}


def decisions_for(*, application, user, detail) -> list[Decision]:
    """The actions `user` may take on `application` now, in ORDER."""
    names = available(application=application, user=user)
    return [DESCRIBE[name](application, detail) for name in ORDER if name in names]


def separation_note(*, application, user) -> bool:
    """True when the approval is waiting and this user may not give it because they entered
    the application at the office (separation of duties)."""
    return application.state == S.INSPECTION_PASSED and entered_it(application, user)
