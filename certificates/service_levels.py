"""The desk's service levels: each stage's target in working days (settings
DESK_SERVICE_LEVELS, or a default with the reason), how long a row has waited against it, and
the row every queue shows (certificates.desk builds the queues)."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# A row is "due soon" when this many working days or fewer are left before its target.
DUE_SOON_WORKING_DAYS = 1
ON_TIME, DUE_SOON, LATE = "on_time", "due_soon", "late"
STATUS_LABELS = {
    ON_TIME: gettext_lazy("On time"),
    DUE_SOON: gettext_lazy("Due soon"),
    LATE: gettext_lazy("Late"),
}


@dataclass
class QueueRow:
    url: str
    reference: str
    company: str
    kind: str
    province: str
    state: str
    detail: str
    since: datetime.datetime
    waited: int  # working days in this stage
    target: int
    status: str

    @property
    def status_label(self):
        return STATUS_LABELS[self.status]

    @property
    def waited_text(self):
        # In Python rather than a blocktranslate a row: a quarter of the row's rendering.
        return _("%(waited)s of %(target)s working days") % {
            "waited": self.waited,
            "target": self.target,
        }


@dataclass
class Target:
    days: int
    problem: str = ""  # why the default is used, shown on the page; "" when configured


def service_target(key: str) -> Target:
    """The stage's target in working days from settings.DESK_SERVICE_LEVELS, or the default
    with the reason when it is missing or not a whole number of days from 1 to 365."""
    configured = getattr(settings, "DESK_SERVICE_LEVELS", None)
    # settings.DESK_SERVICE_LEVEL_DEFAULTS: the defaults, beside the setting they fill in.
    default = settings.DESK_SERVICE_LEVEL_DEFAULTS[key]
    if not isinstance(configured, dict) or key not in configured:
        return Target(default, _("no target is configured"))
    value = configured[key]
    if isinstance(value, bool) or not isinstance(value, int | str):
        return Target(default, _("the configured target is not a number of days"))
    try:
        days = int(value)
    except ValueError:
        return Target(default, _("the configured target is not a number of days"))
    if not 1 <= days <= 365:
        return Target(default, _("the configured target is outside 1 to 365 days"))
    return Target(days)


def sla_status(waited: int, target: int) -> str:
    if waited > target:
        return LATE
    if target - waited <= DUE_SOON_WORKING_DAYS:
        return DUE_SOON
    return ON_TIME
