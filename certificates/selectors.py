"""Reads that pages share. Each returns what a page needs in a fixed number of queries."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q

from applications.kinds import FOLLOW_UP_KINDS
from certificates.constants import CertificateState
from certificates.keeping import (
    CHANGEABLE_STATES,
    RENEWABLE_STATES,
    can_start,
    open_follow_up,
    window_opens,
    with_follow_up_facts,
)
from certificates.models import Certificate, Sanction
from certificates.sanctions import attach_sanctions
from certificates.services import RENDER_MAX_ATTEMPTS
from certificates.verification import registry, status_of, with_public_status  # noqa: F401
from registrasi import dates
from registrasi.audit.notes import render_note
from registrasi.audit.selectors import timeline_for

S = CertificateState


def staff_certificates(
    *,
    state: str = "",
    expiring_within_days: int | None = None,
    province: str = "",
    pdf_failed: bool = False,
):
    """Every certificate for the staff list, newest first, with the organization loaded.
    `state` filters on the status as the public sees it (active past validity = expired);
    `expiring_within_days` keeps active certificates whose last valid day is within N days."""
    queryset = with_public_status(Certificate.objects.select_related("organization"))
    if state:
        queryset = queryset.filter(public_status=state)
    if expiring_within_days not in (None, ""):
        start = dates.today()
        end = start + datetime.timedelta(days=int(expiring_within_days))
        queryset = queryset.filter(
            state=S.ACTIVE, expires_on__gte=start, expires_on__lte=end
        ).order_by("expires_on", "pk")
    else:
        queryset = queryset.order_by("-issued_on", "-pk")
    if province:
        queryset = queryset.filter(province=province)
    if pdf_failed:
        # The render gave up after all its attempts (certificates.services.render_failed).
        queryset = queryset.filter(pdf="", render_attempts__gte=RENDER_MAX_ATTEMPTS).exclude(
            render_error=""
        )
    return queryset


# What a row of the staff list shows (templates/certificates/staff_list.html): the number,
# company and province as certified, the state and validity, and whether the PDF failed.
STAFF_LIST_COLUMNS = (
    "number",
    "legal_name",
    "province",
    "state",
    "issued_on",
    "expires_on",
    "pdf",
    "render_attempts",
    "render_error",
)


def staff_certificate_list(**filters):
    """staff_certificates() as the staff list page reads it: only the columns a row shows,
    without the organization (the CSV export reads the whole rows)."""
    return staff_certificates(**filters).select_related(None).only(*STAFF_LIST_COLUMNS)


def certificates_for_application(application):
    return Certificate.objects.filter(application=application).order_by("-pk")


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime.datetime
    action: str
    actor: object
    from_state: str = ""
    to_state: str = ""
    note: str = ""
    sanction: Sanction | None = None
    event: object = None


@dataclass
class CertificateHistory:
    events: list
    sanctions: list
    entries: list = field(default_factory=list)

    def __iter__(self):
        return iter(self.entries)

    def __len__(self):
        return len(self.entries)


def certificate_history(certificate) -> CertificateHistory:
    """The certificate's audit timeline (issue, sanctions, state changes) and its sanctions,
    oldest first, in two queries. Each entry links its sanction when there is one."""
    events = list(timeline_for(certificate))
    # A fine carried over to a successor is no longer this certificate's, but its events
    # still name it.
    named = {(event.data or {}).get("sanction") for event in events} - {None}
    found = list(
        Sanction.objects.filter(Q(certificate=certificate) | Q(pk__in=named))
        .select_related("created_by")
        .order_by("created_at", "pk")
    )
    sanctions = [s for s in found if s.certificate_id == certificate.pk]
    by_id = {s.pk: s for s in found}
    entries = []
    for event in events:
        sanction = by_id.get((event.data or {}).get("sanction"))
        entries.append(
            HistoryEntry(
                at=event.created_at,
                action=event.action,
                actor=event.actor,
                from_state=event.from_state,
                to_state=event.to_state,
                note=render_note(event),
                sanction=sanction,
                event=event,
            )
        )
    return CertificateHistory(events=events, sanctions=sanctions, entries=entries)


def certificate_detail_queryset():
    return Certificate.objects.select_related("organization", "application").prefetch_related(
        Prefetch(
            "sanctions", queryset=Sanction.objects.select_related("created_by", "carried_from")
        )
    )


__all__ = [
    "CertificateActions",
    "FollowUpOption",
    "CertificateHistory",
    "HistoryEntry",
    "certificate_detail_queryset",
    "applicant_certificates",
    "certificate_history",
    "certificates_for_application",
    "registry",
    "staff_certificate_list",
    "staff_certificates",
    "status_of",
]


# Keeping a certificate: what the organization may do with its certificates ------


@dataclass
class FollowUpOption:
    """Starting an application of `kind` from a certificate: allowed or why not, and the
    first day it may start when the kind has a window."""

    kind: object  # applications.kinds.Kind
    check: object  # keeping.FollowUpCheck
    opens: datetime.date | None

    @property
    def allowed(self):
        return bool(self.check)


@dataclass
class CertificateActions:
    """A certificate of the applicant's organization with what may be done with it now."""

    certificate: object
    options: list  # [FollowUpOption], one per kind started from a certificate
    open_follow_up: object = None  # the open renewal/change report (pk, kind, reference)

    def option(self, kind) -> FollowUpOption:
        return next(option for option in self.options if option.kind == kind)


def applicant_certificates(*, user, today=None) -> list[CertificateActions]:
    """The certificates the organization can still keep (active, suspended, expired but not
    renewed) and those revoked (kept in view with the reason and what to do next), newest
    first, with the renewal and change-report checks: one query."""
    if not user.is_authenticated or user.membership is None:
        return []
    states = set(CHANGEABLE_STATES) | set(RENEWABLE_STATES) | {S.REVOKED}
    certificates = with_follow_up_facts(
        Certificate.objects.visible_to(user).filter(
            organization_id=user.membership.organization_id, state__in=states
        )
    ).order_by("-issued_on", "-pk")
    rows = []
    for certificate in attach_sanctions(certificates):
        if certificate.renewal_approved or certificate.has_successor:
            continue
        rows.append(
            CertificateActions(
                certificate=certificate,
                options=[
                    FollowUpOption(
                        kind=kind,
                        check=can_start(certificate, kind, today=today),
                        opens=window_opens(certificate, kind),
                    )
                    for kind in FOLLOW_UP_KINDS
                ],
                open_follow_up=open_follow_up(certificate),
            )
        )
    return rows
