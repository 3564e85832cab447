"""What the decision page (the staff application page) offers at its top: the transitions
this person may take now, as the lifecycle itself lists them for this user
(django-fsm's `get_available_user_state_transitions`: source state, permission and
conditions), each described once in the ACTIONS table with its label, its reason field and
what will happen.

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


@dataclass(frozen=True)
class Action:
    """How the page offers one transition: a row of ACTIONS."""

    label: str
    effect: str
    url_name: str  # takes the application's pk
    style: str = ""
    reason_name: str = ""
    reason_label: str = ""
    reason_required: bool = False
    opens_page: bool = False
    folded: bool = False
    # Waits on what readiness_blockers lists (fee paid, documents accepted).
    needs_readiness: bool = False
    # Adds what approval would do for this kind (ApplicationDetail.approval_effect).
    tells_approval_effect: bool = False


ACTIONS = {
    "start_review": Action(
        label=_("Start review"),
        effect=_(
            "The application moves to “under review”: you then review each document and "
            "accept it for inspection, return it for changes or reject it."
        ),
        url_name="applications:start_review",
    ),
    "accept": Action(
        label=_("Accept for inspection"),
        effect=_(
            "The application is accepted and waits for an inspection to be scheduled. Every "
            "required document must be accepted first. The applicant is emailed."
        ),
        url_name="applications:accept",
    ),
    "return_for_changes": Action(
        label=_("Return for changes"),
        effect=_(
            "The application goes back to the applicant, who changes what you ask and submits "
            "it again. They are emailed the text below."
        ),
        url_name="applications:return",
        style="secondary",
        reason_name="return-reason",
        reason_label=_("What the applicant must change (shown to the applicant)"),
        reason_required=True,
    ),
    "reject": Action(
        label=_("Reject"),
        effect=_(
            "The application is rejected. This is final: the applicant must start a new "
            "application. They are emailed the reason below."
        ),
        url_name="applications:reject",
        style="danger",
        folded=True,
        reason_name="reason",
        reason_label=_("Reason for the rejection (shown to the applicant)"),
        reason_required=True,
    ),
    "schedule": Action(
        label=_("Schedule the inspection"),
        effect=_(
            "Opens the scheduling form: choose the inspector (those covering the province and "
            "free in the window come first) and the window. The applicant is told the date."
        ),
        url_name="inspections:create",
        opens_page=True,
        needs_readiness=True,
    ),
    "approve": Action(
        label=_("Approve and issue certificate"),
        effect=_("The application is approved and its certificate is issued now."),
        # The certificates app's confirmation page comes next: the dates, and the sanctions a
        # successor inherits, to confirm.
        url_name="certificates:approve",
        needs_readiness=True,
        tells_approval_effect=True,
    ),
    "submit": Action(
        label=_("Continue entering the application"),
        effect=_(
            "You entered this application at the office: go on through the steps on the "
            "company's behalf. Submitting issues the fee invoice."
        ),
        url_name="applications:resume",
        opens_page=True,
    ),
    "withdraw": Action(
        label=_("Withdraw on the company's behalf"),
        effect=_("Opens the withdrawal page, which asks you to confirm."),
        url_name="applications:withdraw",
        style="secondary",
        opens_page=True,
    ),
}


def _decision(name, application, detail) -> Decision:
    action = ACTIONS[name]
    effect = action.effect
    if action.tells_approval_effect and detail.approval_effect:
        effect = f"{effect} {detail.approval_effect}"
    return Decision(
        name=name,
        label=action.label,
        effect=effect,
        url=reverse(action.url_name, args=[application.pk]),
        style=action.style,
        reason_name=action.reason_name,
        reason_label=action.reason_label,
        reason_required=action.reason_required,
        opens_page=action.opens_page,
        folded=action.folded,
        blockers=tuple(detail.blockers) if action.needs_readiness else (),
    )


def available(*, application, user) -> set[str]:
    """The transitions `user` may take on `application` now (state, permission, conditions)."""
    return {t.name for t in application.get_available_user_state_transitions(user)}


def decisions_for(*, application, user, detail) -> list[Decision]:
    """The actions `user` may take on `application` now, in ORDER."""
    names = available(application=application, user=user)
    return [_decision(name, application, detail) for name in ORDER if name in names]


def separation_note(*, application, user) -> bool:
    """True when the approval is waiting and this user may not give it because they entered
    the application at the office (separation of duties)."""
    return application.state == S.INSPECTION_PASSED and entered_it(application, user)
