"""Keeping a certificate: renewals and change reports, their rules and their services.

A certified organization continues its certificate with a follow-up application:

- a change report when its registered information changes; possible while the certificate
  is active or suspended and not expired;
- a renewal from kinds.RENEWAL_WINDOW_DAYS days before the certificate expires, and after it
  expired; possible while it is active, suspended or expired.

What differs by kind (which documents, the fee, the dates, the wording) is declared in
applications.kinds; this module asks the declaration.

Neither is possible for a revoked certificate (final) or a superseded one (a newer certificate
replaced it: the organization continues that one), nor for a certificate whose renewal was
already approved. Only one follow-up application per certificate may be open (not approved,
rejected or withdrawn) at a time; the database enforces it too.

The checks return a FollowUpCheck (truthy when allowed, else with the translated reason) so
pages can show or hide the buttons and the services can refuse with the same words.
"""

import datetime
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Subquery
from django.utils import formats
from django.utils.translation import gettext as _

from applications import kinds
from applications.constants import (
    COMPANY_FIELDS,
    FINAL_STATES,
    ApplicationState,
    ReviewStatus,
)
from applications.kinds import Kind
from applications.models import (
    STAFF_DECIDE,
    Application,
    ApplicationSite,
    Document,
    DocumentVersion,
)
from certificates.constants import CertificateState
from certificates.models import Certificate
from registrasi.accounts.models import Organization, User
from registrasi.audit.services import audit_record
from registrasi.dates import local_date
from registrasi.dates import today as jakarta_today
from registrasi.services import NotAllowed, lock, model_update, refuse_unless_perm

S = CertificateState
CHANGEABLE_STATES = (S.ACTIVE, S.SUSPENDED)
RENEWABLE_STATES = (S.ACTIVE, S.SUSPENDED, S.EXPIRED)


def _date(value) -> str:
    return formats.date_format(value, "DATE_FORMAT")


@dataclass(frozen=True)
class FollowUpCheck:
    allowed: bool
    reason: str = ""

    def __bool__(self):
        return self.allowed


ALLOWED = FollowUpCheck(True)


def window_opens(certificate, kind: Kind) -> datetime.date | None:
    """The first day an application of `kind` may be started (None: no window)."""
    if kind.opens_days_before_expiry is None:
        return None
    return certificate.expires_on - datetime.timedelta(days=kind.opens_days_before_expiry)


def renewal_window_opens(certificate) -> datetime.date:
    """The first day a renewal may be started (the renewal's window before the expiry)."""
    return window_opens(certificate, kinds.RENEWAL)


def open_follow_up(certificate):
    """The open renewal or change report of `certificate`, or None. Uses the annotation of
    `with_follow_up_facts` when present (no query), else asks the database."""
    if hasattr(certificate, "open_follow_up_id"):
        pk = certificate.open_follow_up_id
        if pk is None:
            return None
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
    renewed = Application.objects.filter(
        basis_certificate_id=certificate.pk,
        kind__in=kinds.RENEWING,
        state=ApplicationState.APPROVED,
    ).exists()
    return renewed or Certificate.objects.filter(supersedes=certificate).exists()


def _open_follow_ups(certificate_pk):
    return Application.objects.filter(basis_certificate_id=certificate_pk).exclude(
        state__in=FINAL_STATES
    )


def with_follow_up_facts(queryset):
    """Annotate certificates with what the checks need, in the same query: the open
    follow-up (pk, kind, reference) and whether a renewal was approved."""
    open_ones = _open_follow_ups(OuterRef("pk")).order_by("pk")
    renewed = Application.objects.filter(
        basis_certificate_id=OuterRef("pk"),
        kind__in=kinds.RENEWING,
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
    if state == S.REVOKED:
        return FollowUpCheck(
            False,
            _(
                "Certificate %(number)s was revoked on %(date)s: it cannot be renewed or "
                "changed. Apply for a new registration instead."
            )
            % {"number": number, "date": _date(local_date(certificate.state_changed_at))},
        )
    if state == S.SUPERSEDED:
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
                "kind": current.get_kind_display().lower(),
                "number": certificate.number,
                "application": current,
            },
        )
    return None


def _other_refusal_or_allowed(certificate) -> FollowUpCheck:
    # A refusal is falsy: test for None, not truth.
    refusal = _renewed_or_open_refusal(certificate)
    return ALLOWED if refusal is None else refusal


def can_start(certificate, kind: Kind, today=None) -> FollowUpCheck:
    """May an application of `kind` (a follow-up kind) be started for `certificate` on `today`
    (Jakarta date by default)? Membership is checked by the service."""
    today = today or jakarta_today()
    allowed = CHANGEABLE_STATES if kind.needs_valid_certificate else RENEWABLE_STATES
    refusal = _state_refusal(certificate, allowed)
    if refusal is not None:
        return refusal
    if kind.needs_valid_certificate and certificate.expires_on < today:
        # The daily scan has not marked it expired yet; it is expired all the same.
        return FollowUpCheck(
            False,
            _(
                "Certificate %(number)s expired on %(date)s: a %(kind)s needs a valid "
                "certificate. Start a renewal instead."
            )
            % {
                "number": certificate.number,
                "date": _date(certificate.expires_on),
                "kind": kind.label.lower(),
            },
        )
    opens = window_opens(certificate, kind)
    if opens is not None and today < opens:
        return FollowUpCheck(
            False,
            _(
                "A %(kind)s of certificate %(number)s can be started from %(date)s (%(days)s "
                "days before it expires on %(expiry)s)."
            )
            % {
                "kind": kind.label.lower(),
                "number": certificate.number,
                "date": _date(opens),
                "days": kind.opens_days_before_expiry,
                "expiry": _date(certificate.expires_on),
            },
        )
    return _other_refusal_or_allowed(certificate)


# Starting a renewal or a change report -----------------------------------------------------
def application_start(
    *, certificate: Certificate, actor: User, kind: Kind, today: datetime.date | None = None
) -> Application:
    """Start an application of `kind` (a draft) for `certificate`, prefilled from the
    application the certificate was issued on. `today` is the Jakarta date (tests pass one;
    time-machine works too)."""
    return _start_follow_up(
        certificate=certificate,
        actor=actor,
        kind=kind,
        check=lambda locked: can_start(locked, kind, today=today),
    )


def application_start_change(*, certificate: Certificate, actor: User) -> Application:
    """Start a change report for `certificate`."""
    return application_start(certificate=certificate, actor=actor, kind=kinds.CHANGE)


def application_start_renewal(
    *, certificate: Certificate, actor: User, today: datetime.date | None = None
) -> Application:
    """Start a renewal for `certificate`: from 180 days before it expires, and after."""
    return application_start(certificate=certificate, actor=actor, kind=kinds.RENEWAL, today=today)


def _start_follow_up(*, certificate, actor, kind, check) -> Application:
    membership = getattr(actor, "membership", None) if actor.is_authenticated else None
    if membership is None or membership.organization_id != certificate.organization_id:
        raise NotAllowed(_("You are not allowed to do this."))
    try:
        with transaction.atomic():
            # The certificate row lock makes two starts at once wait for each other; the
            # second then finds the first one's draft and is refused.
            locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
            verdict = check(locked)
            if not verdict:
                raise NotAllowed(verdict.reason)
            application = _create_follow_up(locked, actor, kind)
    except IntegrityError as exc:
        # The database's one-open-follow-up rule (a start that raced past the lock).
        raise NotAllowed(
            _("A renewal or change report for this certificate is already open.")
        ) from exc
    return application


def _create_follow_up(certificate, actor, kind: Kind) -> Application:
    basis = Application.objects.get(pk=certificate.application_id)
    application = Application.objects.create(
        organization_id=certificate.organization_id,
        kind=kind.value,
        basis_certificate=certificate,
        created_by=actor,
        **{name: getattr(basis, name) for name in COMPANY_FIELDS},
    )
    ApplicationSite.objects.bulk_create(
        [
            ApplicationSite(
                application=application,
                address=site.address,
                province=site.province,
                agent_seats=site.agent_seats,
            )
            for site in basis.sites.all()
        ]
    )
    carried = _carry_documents(basis, application, keep_review=kind.keeps_carried_review)
    audit_record(
        actor=actor,
        action="create",
        obj=application,
        to_state=application.state,
        data={
            "kind": kind.value,
            "basis_certificate": certificate.number,
            "basis_application": basis.pk,
            "carried_documents": carried,
        },
    )
    return application


def _carry_documents(basis, application, *, keep_review) -> int:
    """Carry the current version of each of the basis application's documents into the new
    application as a reference: a new DocumentVersion row on the SAME stored file (same name,
    size, SHA-256; nothing copied, nothing ever deleted), with `carried_from` set.

    A change report keeps the review (those documents were accepted for the certificate in
    force and did not change: staff review only what is new). A renewal carries them as not
    reviewed: it is a full new assessment, staff accept each again or reject an outdated one,
    which the applicant then replaces."""
    count = 0
    documents = Document.objects.filter(application=basis).prefetch_related("versions")
    for document in documents.order_by("id"):
        current = document.current_version
        if current is None or current.review_status == ReviewStatus.REJECTED:
            continue
        new_document = Document.objects.create(
            application=application, document_type=document.document_type
        )
        review = {}
        if keep_review:
            review = {
                "review_status": current.review_status,
                "review_reason": current.review_reason,
                "reviewed_by_id": current.reviewed_by_id,
                "reviewed_at": current.reviewed_at,
            }
        DocumentVersion.objects.create(
            document=new_document,
            number=1,
            file=current.file.name,
            original_name=current.original_name,
            size=current.size,
            sha256=current.sha256,
            content_type=current.content_type,
            uploaded_by_id=current.uploaded_by_id,
            carried_from=current,
            **review,
        )
        count += 1
    Application.objects.filter(pk=application.pk).refresh_documents_to_review()
    return count


# Organization fields a change report may change, from the application's fields.
ORGANIZATION_FIELDS = {
    "legal_name": "company_legal_name",
    "address": "company_address",
    "province": "company_province",
    "foreign_owned": "foreign_owned",
}


def organization_apply_change(*, application: Application, actor: User) -> Organization:
    """Bring the organization's record in line with an approved change report (or renewal):
    legal name, registered address, province, foreign ownership. Called by
    certificates.services.application_approve in its transaction, once the application is
    approved (inspection_passed is accepted too, for a caller that applies it first).
    Blank declared values never blank the record. Audited on the organization."""
    refuse_unless_perm(actor, STAFF_DECIDE)
    with transaction.atomic():
        locked = lock(application)
        if not locked.is_follow_up:
            raise NotAllowed(
                _("Only a change report or a renewal changes the organization's record.")
            )
        if locked.state not in (ApplicationState.INSPECTION_PASSED, ApplicationState.APPROVED):
            raise NotAllowed(
                _("This is not possible while the application is “%(state)s”.")
                % {"state": locked.get_state_display()}
            )
        organization = Organization.objects.select_for_update().get(pk=locked.organization_id)
        declared = {
            org_field: getattr(locked, app_field)
            for org_field, app_field in ORGANIZATION_FIELDS.items()
            if getattr(locked, app_field) not in ("", None)
        }
        organization, changes = model_update(instance=organization, data=declared)
        changed = {name: {"old": old, "new": new} for name, (old, new) in changes.items()}
        if changed:
            audit_record(
                actor=actor,
                action="organization_change_applied",
                obj=organization,
                data={"application": locked.pk, "reference": locked.reference, **changed},
            )
    return organization
