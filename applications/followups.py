"""Keeping a certificate: the rules for renewals and change reports.

A certified organization continues its certificate with a follow-up application:

- a change report (kind "change") when its registered information changes; possible while
  the certificate is active or suspended;
- a renewal (kind "renewal") from RENEWAL_WINDOW_DAYS days before the certificate expires,
  and after it expired; possible while it is active, suspended or expired.

Neither is possible for a revoked certificate (final) or a superseded one (a newer certificate
replaced it: the organization continues that one), nor for a certificate whose renewal was
already approved. Only one follow-up application per certificate may be open (not approved,
rejected or withdrawn) at a time; the database enforces it too.

The checks return a FollowUpCheck (truthy when allowed, else with the translated reason) so
pages can show or hide the buttons and the services can refuse with the same words.
"""

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db.models import Exists, OuterRef, Subquery
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from applications.constants import FINAL_STATES, ApplicationKind, ApplicationState

RENEWAL_WINDOW_DAYS = 180
JAKARTA = ZoneInfo("Asia/Jakarta")

# Certificate states (certificates.constants.CertificateState values; plain strings so this
# module does not import the certificates app at load time).
ACTIVE, SUSPENDED, REVOKED, EXPIRED, SUPERSEDED = (
    "active",
    "suspended",
    "revoked",
    "expired",
    "superseded",
)
CHANGEABLE_STATES = (ACTIVE, SUSPENDED)
RENEWABLE_STATES = (ACTIVE, SUSPENDED, EXPIRED)


def jakarta_today() -> datetime.date:
    """Today where the ministry works (certificates expire on Jakarta dates)."""
    return timezone.localdate(timezone=JAKARTA)


def _date(value) -> str:
    return formats.date_format(value, "DATE_FORMAT")


@dataclass(frozen=True)
class FollowUpCheck:
    allowed: bool
    reason: str = ""

    def __bool__(self):
        return self.allowed


ALLOWED = FollowUpCheck(True)


def renewal_window_opens(certificate) -> datetime.date:
    """The first day a renewal may be started: RENEWAL_WINDOW_DAYS before the expiry date."""
    return certificate.expires_on - datetime.timedelta(days=RENEWAL_WINDOW_DAYS)


def open_follow_up(certificate):
    """The open renewal or change report of `certificate`, or None. Uses the annotation of
    `with_follow_up_facts` when present (no query), else asks the database."""
    if hasattr(certificate, "open_follow_up_id"):
        pk = certificate.open_follow_up_id
        if pk is None:
            return None
        from applications.models import Application

        return Application(
            pk=pk,
            kind=certificate.open_follow_up_kind,
            reference=certificate.open_follow_up_reference,
        )
    return _open_follow_ups(certificate.pk).first()


def was_renewed(certificate) -> bool:
    """Whether a newer certificate already follows this one: its renewal was approved (the
    renewed certificate may start only when this one ends), or a certificate names it as the
    one it supersedes."""
    if hasattr(certificate, "renewal_approved"):
        return certificate.renewal_approved or certificate.has_successor
    from applications.models import Application

    renewed = Application.objects.filter(
        basis_certificate_id=certificate.pk,
        kind=ApplicationKind.RENEWAL,
        state=ApplicationState.APPROVED,
    ).exists()
    return renewed or type(certificate)._default_manager.filter(supersedes=certificate).exists()


def _open_follow_ups(certificate_pk):
    from applications.models import Application

    return Application.objects.filter(basis_certificate_id=certificate_pk).exclude(
        state__in=FINAL_STATES
    )


def with_follow_up_facts(queryset):
    """Annotate certificates with what the checks need, in the same query: the open
    follow-up (pk, kind, reference) and whether a renewal was approved."""
    from applications.models import Application

    open_ones = _open_follow_ups(OuterRef("pk")).order_by("pk")
    renewed = Application.objects.filter(
        basis_certificate_id=OuterRef("pk"),
        kind=ApplicationKind.RENEWAL,
        state=ApplicationState.APPROVED,
    )
    successors = queryset.model._default_manager.filter(supersedes=OuterRef("pk"))
    return queryset.annotate(
        has_successor=Exists(successors),
        open_follow_up_id=Subquery(open_ones.values("pk")[:1]),
        open_follow_up_kind=Subquery(open_ones.values("kind")[:1]),
        open_follow_up_reference=Subquery(open_ones.values("reference")[:1]),
        renewal_approved=Exists(renewed),
    )


def _state_refusal(certificate, allowed_states) -> FollowUpCheck | None:
    number = certificate.number
    state = certificate.state
    if state == REVOKED:
        return FollowUpCheck(
            False,
            _(
                "Certificate %(number)s was revoked on %(date)s: it cannot be renewed or "
                "changed. Apply for a new registration instead."
            )
            % {"number": number, "date": _date(timezone.localdate(certificate.state_changed_at))},
        )
    if state == SUPERSEDED:
        return FollowUpCheck(
            False,
            _(
                "Certificate %(number)s was replaced by a newer certificate: renew or report "
                "changes on the current one."
            )
            % {"number": number},
        )
    if state not in allowed_states:
        return FollowUpCheck(
            False,
            _("This is not possible while certificate %(number)s is “%(state)s”.")
            % {"number": number, "state": certificate.get_state_display()},
        )
    return None


def _renewed_or_open_refusal(certificate) -> FollowUpCheck | None:
    if was_renewed(certificate):
        return FollowUpCheck(
            False,
            _(
                "Certificate %(number)s has already been renewed: continue with the renewed "
                "certificate."
            )
            % {"number": certificate.number},
        )
    current = open_follow_up(certificate)
    if current is not None:
        return FollowUpCheck(
            False,
            _(
                "A %(kind)s for certificate %(number)s is already open (%(application)s): "
                "finish or withdraw it first."
            )
            % {
                "kind": ApplicationKind(current.kind).label.lower(),
                "number": certificate.number,
                "application": current,
            },
        )
    return None


def _other_refusal_or_allowed(certificate) -> FollowUpCheck:
    # A refusal is falsy: test for None, not truth.
    refusal = _renewed_or_open_refusal(certificate)
    return ALLOWED if refusal is None else refusal


def can_start_change(certificate, today=None) -> FollowUpCheck:
    """May a change report be started for `certificate` now? (Membership is checked by the
    service.)"""
    today = today or jakarta_today()
    refusal = _state_refusal(certificate, CHANGEABLE_STATES)
    if refusal is not None:
        return refusal
    if certificate.expires_on < today:
        # The daily scan has not marked it expired yet; it is expired all the same.
        return FollowUpCheck(
            False,
            _(
                "Certificate %(number)s expired on %(date)s: changes can only be reported on a "
                "valid certificate. Start a renewal instead."
            )
            % {"number": certificate.number, "date": _date(certificate.expires_on)},
        )
    return _other_refusal_or_allowed(certificate)


def can_start_renewal(certificate, today=None) -> FollowUpCheck:
    """May a renewal be started for `certificate` on `today` (Jakarta date by default)?"""
    today = today or jakarta_today()
    refusal = _state_refusal(certificate, RENEWABLE_STATES)
    if refusal is not None:
        return refusal
    opens = renewal_window_opens(certificate)
    if today < opens:
        return FollowUpCheck(
            False,
            _(
                "Certificate %(number)s can be renewed from %(date)s (%(days)s days before it "
                "expires on %(expiry)s)."
            )
            % {
                "number": certificate.number,
                "date": _date(opens),
                "days": RENEWAL_WINDOW_DAYS,
                "expiry": _date(certificate.expires_on),
            },
        )
    return _other_refusal_or_allowed(certificate)


# What a change report changes ---------------------------------------------------------------

COMPARED_FIELDS = (
    "company_legal_name",
    "company_address",
    "company_province",
    "agent_seats",
    "direction",
    "sourcing",
    "foreign_owned",
)


@dataclass(frozen=True)
class Difference:
    label: str
    before: str
    after: str


def _display(application, name):
    value = getattr(application, name)
    if name == "foreign_owned":
        return _("Yes") if value else _("No")
    display = getattr(application, f"get_{name}_display", None)
    if display is not None:
        return str(display())
    return "" if value is None else str(value)


def _sites_text(application):
    return [
        f"{' '.join(s.address.split())} ({s.get_province_display()}, {s.agent_seats})"
        for s in application.sites.all()
    ]


def differences(application, basis=None) -> list[Difference]:
    """The declared facts and sites of a follow-up application that differ from the
    application its certificate was issued on. Empty for a new registration."""
    if basis is None:
        certificate = application.basis_certificate
        if certificate is None:
            return []
        basis = certificate.application
    found = []
    for name in COMPARED_FIELDS:
        if getattr(application, name) != getattr(basis, name):
            label = str(application._meta.get_field(name).verbose_name)
            found.append(
                Difference(
                    label[:1].upper() + label[1:],
                    _display(basis, name),
                    _display(application, name),
                )
            )
    before, after = _sites_text(basis), _sites_text(application)
    if sorted(before) != sorted(after):
        found.append(Difference(str(_("Sites")), "; ".join(before), "; ".join(after)))
    return found


def has_new_documents(application) -> bool:
    """Whether a file was uploaded to this application (not carried over)."""
    from applications.models import DocumentVersion

    return DocumentVersion.objects.filter(
        document__application=application, carried_from__isnull=True
    ).exists()
