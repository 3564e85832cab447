"""The inspections panel of the application pages, with a bounded number of queries."""

from django import template

from applications.constants import ApplicationState
from applications.selectors import invoice_is_paid
from inspections import selectors
from inspections.constants import ACTIVE_STATES, InspectionState

register = template.Library()


@register.simple_tag
def application_inspections(application, user):
    """Everything the panel shows: the inspections (newest first, with what they need
    prefetched) and which actions the user has here."""
    inspections = list(selectors.inspections_for_application(application=application))
    is_staff = user.is_ministry_staff
    is_member = (
        user.is_authenticated
        and user.membership is not None
        and user.membership.organization_id == application.organization_id
    )
    failed = [i for i in inspections if i.state == InspectionState.FAILED]
    upcoming = [i for i in inspections if i.state in ACTIVE_STATES]
    panel = {
        "inspections": inspections,
        "is_staff": is_staff,
        "is_member": is_member,
        "upcoming": upcoming[0] if upcoming else None,
        "last_failed": failed[0] if failed else None,
        "awaiting": application.state == ApplicationState.AWAITING_INSPECTION,
        "failed": application.state == ApplicationState.INSPECTION_FAILED,
        "invoice_paid": None,
    }
    if is_staff and panel["awaiting"]:
        panel["invoice_paid"] = _invoice_paid(application)
    return panel


def _invoice_paid(application):
    # Every invoice not cancelled (the fee, a supplementary one) paid: the applications rule.
    return invoice_is_paid(application)
