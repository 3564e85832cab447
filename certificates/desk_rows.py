"""The desk's rows: each queue's object (an application, an inspection, a certificate) as the
`QueueRow` its page and its export show, with how long it waited against its target in working
days (certificates.desk builds the queues)."""

import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.constants import ApplicationKind, ApplicationState
from certificates.service_levels import QueueRow, sla_status
from registrasi.accounts.constants import Province
from registrasi.formats.display import format_day
from registrasi.working_days import working_days_between

# The expiring queue: active certificates ending within this many days.
EXPIRY_HORIZON_DAYS = 90

# The rows' labels, looked up in a dict made once (get_FOO_display makes one a call: a
# fifth of a page's rows' time).
KIND_LABELS = dict(ApplicationKind.choices)
PROVINCE_LABELS = dict(Province.choices)
STATE_LABELS = dict(ApplicationState.choices)


def _label(labels, value):
    return str(labels.get(value, value))


def _row(*, url, application, detail, since, target, now):
    waited = working_days_between(since, now) if since else 0
    return QueueRow(
        url=url,
        reference=application.reference or f"#{application.pk}",
        company=getattr(application, "company", "")
        or application.company_legal_name
        or application.organization.legal_name,
        kind=_label(KIND_LABELS, application.kind),
        province=_label(PROVINCE_LABELS, application.company_province),
        state=_label(STATE_LABELS, application.state),
        detail=detail,
        since=since,
        waited=waited,
        target=target,
        status=sla_status(waited, target),
    )


def application_row(application, target, now, detail=""):
    return _row(
        url=reverse("applications:detail", args=[application.pk]),
        application=application,
        detail=detail,
        since=application.since,
        target=target,
        now=now,
    )


def review_row(application, target, now):
    detail = _("Documents to review") if application.documents_to_review else ""
    return application_row(application, target, now, detail)


def change_row(application, target, now):
    basis = application.basis_certificate
    return application_row(application, target, now, basis.number if basis else "")


def payment_row(application, target, now):
    if application.discrepancy_since:
        since = application.discrepancy_since
        detail = _("Payment discrepancy: %(reason)s") % {"reason": application.discrepancy_reason}
    else:
        since = _day_start(application.overdue_since)
        detail = _("Unpaid, due %(date)s") % {"date": format_day(application.overdue_since)}
    application.since = since
    return application_row(application, target, now, detail)


def overdue_row(inspection, target, now):
    application = inspection.application
    application.since = inspection.window_end
    detail = _("Inspector: %(name)s") % {"name": inspection.inspector}
    return application_row(application, target, now, detail)


def expiring_row(certificate, target, now):
    since = _day_start(certificate.expires_on - datetime.timedelta(days=EXPIRY_HORIZON_DAYS))
    waited = working_days_between(since, now)
    return QueueRow(
        url=reverse("certificates:detail", args=[certificate.pk]),
        reference=certificate.number,
        company=certificate.legal_name,
        kind="",
        province=str(certificate.get_province_display()),
        state=str(certificate.get_state_display()),
        detail=_("Valid until %(date)s") % {"date": format_day(certificate.expires_on)},
        since=since,
        waited=waited,
        target=target,
        status=sla_status(waited, target),
    )


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
