"""Every write to an application, its documents, fee and invoice.

All functions are keyword-only, take the `actor`, run in one transaction with the
application row locked, and write an audit event. State changes go through
registrasi.services.run_transition. Refusals: NotAllowed (role or state), StaleState (the
row moved on since the page was shown), SubmissionIncomplete (what is missing, named),
django ValidationError (bad input: a file, a missing reason, a wrong amount).
"""

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.billing import services as billing
from applications.constants import (
    COMPANY_FIELDS,
    DOCUMENT_REVIEW_STATES,
    DOCUMENT_UPLOAD_STATES,
    EDITABLE_STATES,
    INVOICE_DUE_DAYS,
    REPLACEMENT_UPLOAD_STATES,
    ApplicationKind,
    ApplicationState,
    Direction,
    DocumentType,
    InvoiceKind,
    ReviewStatus,
    Sourcing,
)
from applications.fees import FeeAction, FeeQuote, fee_change, quote_for
from applications.kinds import KINDS
from applications.models import (
    STAFF_REVIEW,
    Application,
    ApplicationSite,
    Document,
    DocumentVersion,
    Invoice,
    Payment,
    is_member,
)
from applications.selectors import (  # reads the writes check; also re-exported for callers
    invoice_is_paid,
    readiness_blockers,
    submission_problems,
    unaccepted_documents,
)
from registrasi.accounts.constants import Province
from registrasi.audit.services import audit_record
from registrasi.money import format_rupiah
from registrasi.services import (
    NotAllowed,
    ServiceError,
    StaleState,
    lock,
    model_update,
    notify,
    refuse_if_stale,
    refuse_unless_perm,
    require_text,
    run_transition,
)
from registrasi.uploads import validate_upload

__all__ = [
    "NotAllowed",
    "NotReady",
    "ServiceError",
    "StaleState",
    "SubmissionIncomplete",
    "application_accept",
    "application_create",
    "application_reject",
    "application_return_for_changes",
    "application_set_sites",
    "application_start_review",
    "application_submit",
    "application_update_details",
    "application_withdraw",
    "document_review",
    "document_upload",
    "fee_change",
    "fee_quote",
    "invoice_is_paid",
    "invoice_record_payment",
    "readiness_blockers",
    "refuse_unless_ready",
    "submission_problems",
    "unaccepted_documents",
]

RECORD_PAYMENT = "applications.add_payment"


class SubmissionIncomplete(ServiceError):
    """Submission refused; `missing` lists what to supply, each item translated."""

    def __init__(self, missing):
        super().__init__(
            _("The application cannot be submitted yet. Still needed: %(missing)s.")
            % {"missing": "; ".join(missing)}
        )
        self.missing = missing


# Helpers ---------------------------------------------------------------------------------
def _refuse_unless_member(application, actor):
    if not is_member(application, actor):
        raise NotAllowed(_("You are not allowed to do this."))


def _refuse_unless_state(application, states, expected_state=None):
    refuse_if_stale(application, expected_state)
    if application.state not in states:
        raise NotAllowed(
            _("This is not possible while the application is “%(state)s”.")
            % {"state": application.get_state_display()}
        )


def _lock_for_applicant(application, actor, states=EDITABLE_STATES, expected_state=None):
    locked = lock(application)
    _refuse_unless_member(locked, actor)
    _refuse_unless_state(locked, states, expected_state)
    return locked


def _transition(application, name, actor, *, expected_state=None, note="", **kwargs):
    """run_transition, then the email its event declares (applications.notifications)."""
    done = run_transition(
        obj=application, name=name, actor=actor, expected_state=expected_state, note=note, **kwargs
    )
    notify(done.event)
    return done.obj


# Drafting --------------------------------------------------------------------------------
def application_create(*, organization, actor, kind=ApplicationKind.NEW) -> Application:
    """A new draft for the actor's organization, prefilled from the organization's profile."""
    membership = getattr(actor, "membership", None) if actor.is_authenticated else None
    if membership is None or membership.organization_id != organization.pk:
        raise NotAllowed(_("You are not allowed to do this."))
    if kind not in KINDS:
        raise ValidationError({"kind": _("Choose a valid kind of application.")})
    with transaction.atomic():
        application = Application.objects.create(
            organization=organization,
            kind=kind,
            created_by=actor,
            company_legal_name=organization.legal_name,
            company_address=organization.address,
            company_province=organization.province,
            foreign_owned=organization.foreign_owned,
        )
        audit_record(actor=actor, action="create", obj=application, to_state=application.state)
    return application


def _clean_details(data):
    unknown = set(data) - set(COMPANY_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    errors = {}
    cleaned = {}
    for key, value in data.items():
        if key in ("company_legal_name", "company_address"):
            cleaned[key] = (value or "").strip()
        elif key == "company_province":
            if value and value not in Province.values:
                errors[key] = _("Choose a province from the list.")
            cleaned[key] = value or ""
        elif key == "agent_seats":
            try:
                seats = None if value in (None, "") else int(value)
            except (TypeError, ValueError):
                seats = -1
            if seats is not None and seats < 1:
                errors[key] = _("Enter a whole number of agent seats, at least 1.")
            cleaned[key] = seats
        elif key == "direction":
            if value and value not in Direction.values:
                errors[key] = _("Choose inbound, outbound or both.")
            cleaned[key] = value or ""
        elif key == "sourcing":
            if value and value not in Sourcing.values:
                errors[key] = _("Choose in-house or outsourced.")
            cleaned[key] = value or ""
        elif key == "foreign_owned":
            cleaned[key] = bool(value)
    if errors:
        raise ValidationError(errors)
    return cleaned


def application_update_details(*, application, actor, data: dict) -> Application:
    """Change declared facts (keys: COMPANY_FIELDS). Only in draft or returned."""
    cleaned = _clean_details(data)
    with transaction.atomic():
        locked = _lock_for_applicant(application, actor)
        locked, changes = model_update(instance=locked, data=cleaned)
        if changes:
            audit_record(
                actor=actor,
                action="update_details",
                obj=locked,
                data={name: new for name, (_old, new) in changes.items()},
            )
    return locked


def application_set_sites(*, application, actor, sites: list) -> list:
    """Replace the declared sites: [{"address", "province", "agent_seats"}]. Only in draft or
    returned."""
    errors = []
    cleaned = []
    for index, site in enumerate(sites, start=1):
        address = (site.get("address") or "").strip()
        province = site.get("province") or ""
        try:
            seats = int(site.get("agent_seats") or 0)
        except (TypeError, ValueError):
            seats = -1
        if not address:
            errors.append(_("Site %(n)s: enter the address.") % {"n": index})
        if province not in Province.values:
            errors.append(_("Site %(n)s: choose a province.") % {"n": index})
        if seats < 0:
            errors.append(_("Site %(n)s: enter a whole number of seats.") % {"n": index})
        cleaned.append({"address": address, "province": province, "agent_seats": seats})
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = _lock_for_applicant(application, actor)
        locked.sites.all().delete()
        created = ApplicationSite.objects.bulk_create(
            [ApplicationSite(application=locked, **site) for site in cleaned]
        )
        audit_record(actor=actor, action="set_sites", obj=locked, data={"sites": len(created)})
    return list(locked.sites.all())


def fee_quote(*, application) -> FeeQuote:
    """The fee for the declared facts (see applications.fees for the rule)."""
    return quote_for(application)


# Documents -------------------------------------------------------------------------------
def document_upload(
    *, application, actor, document_type, uploaded_file, document=None
) -> DocumentVersion:
    """Store a new version of a document. Allowed in draft, returned, awaiting inspection
    and inspection failed; once an inspection is scheduled or passed, only to replace a
    document the ministry rejected (REPLACEMENT_UPLOAD_STATES).

    The file is checked before anything is stored (registrasi.uploads.validate_upload).
    A required type has one Document; each upload adds the next version and keeps the old.
    For "other", each upload is a new Document unless `document` (an "other" document of
    this application) is given.
    """
    if document_type not in DocumentType.values:
        raise ValidationError({"document_type": _("Choose a document type.")})
    checked = validate_upload(uploaded_file)
    with transaction.atomic():
        locked = _lock_for_applicant(
            application, actor, states=DOCUMENT_UPLOAD_STATES + REPLACEMENT_UPLOAD_STATES
        )
        doc = _document_for(locked, document_type, document)
        if locked.state in REPLACEMENT_UPLOAD_STATES:
            _refuse_unless_rejected(locked, doc)
        number = (doc.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        version = DocumentVersion(
            document=doc,
            number=number,
            original_name=checked.safe_name,
            size=checked.size,
            sha256=checked.sha256,
            content_type=checked.content_type,
            uploaded_by=actor,
        )
        version.file.save(f"upload.{checked.ext}", checked.content, save=False)
        try:
            version.save()
            audit_record(
                actor=actor,
                action="document_upload",
                obj=locked,
                data={
                    "document_type": document_type,
                    "version": number,
                    "name": checked.safe_name,
                    "sha256": checked.sha256,
                },
            )
        except Exception:
            # The row did not make it: do not leave an orphan file behind.
            version.file.storage.delete(version.file.name)
            raise
    return version


def _refuse_unless_rejected(application, document):
    current = document.versions.order_by("-number").first()
    if current is None or current.review_status != ReviewStatus.REJECTED:
        raise NotAllowed(
            _(
                "While the application is “%(state)s”, only a document the ministry rejected "
                "can be replaced."
            )
            % {"state": application.get_state_display()}
        )


def _document_for(application, document_type, document):
    if document_type != DocumentType.OTHER:
        doc, _created = Document.objects.get_or_create(
            application=application, document_type=document_type
        )
        return doc
    if document is None:
        return Document.objects.create(application=application, document_type=document_type)
    if document.application_id != application.pk or document.document_type != DocumentType.OTHER:
        raise NotAllowed(_("You are not allowed to do this."))
    return document


def document_review(*, version, actor, accepted: bool, reason: str = "") -> DocumentVersion:
    """Staff accept or reject the current version of a document: during the desk review, and
    later whenever a new version is waiting (it blocks scheduling and approval until then)."""
    refuse_unless_perm(actor, STAFF_REVIEW)
    if not accepted:
        reason = require_text(reason)
    with transaction.atomic():
        application = lock(version.document.application)
        _refuse_unless_state(application, DOCUMENT_REVIEW_STATES)
        locked = DocumentVersion.objects.select_for_update().get(pk=version.pk)
        newest = locked.document.versions.aggregate(n=Max("number"))["n"]
        if locked.number != newest:
            raise NotAllowed(_("Only the newest version of a document can be reviewed."))
        locked.review_status = ReviewStatus.ACCEPTED if accepted else ReviewStatus.REJECTED
        locked.review_reason = (reason or "").strip()
        locked.reviewed_by = actor
        locked.reviewed_at = timezone.now()
        locked.save(update_fields=["review_status", "review_reason", "reviewed_by", "reviewed_at"])
        audit_record(
            actor=actor,
            action="document_review",
            obj=application,
            note=locked.review_reason,
            data={
                "document_type": locked.document.document_type,
                "version": locked.number,
                "status": locked.review_status,
            },
        )
    return locked


# Applicant transitions --------------------------------------------------------------------
def application_submit(
    *, application, actor, expected_state=None, expected_fee: int | None = None
) -> Application:
    """Submit (or resubmit after a return). Refused, naming what is missing, until the facts,
    a site and every required document are there. The first submission assigns the
    reference and issues the invoice; a resubmission whose fee changed cancels an unpaid
    invoice and issues a new one, or adds a supplementary invoice when the fee was paid (a
    paid invoice is never changed, nothing is refunded): see FeeChange. `expected_fee` is the
    fee the page showed; a different fee now is refused as stale, so the applicant always
    sees the amount before it is invoiced. `submitted_at` is set on every (re)submission:
    the desk queue's age counts from when the application last reached the ministry."""

    def before_save(locked):
        missing = submission_problems(locked)
        if missing:
            raise SubmissionIncomplete(missing)
        _refuse_unseen_fee(locked, expected_fee)
        locked.submitted_at = timezone.now()
        if not locked.reference:
            year = timezone.localdate(locked.submitted_at).year
            locked.reference = f"REG-{year}-{locked.pk:06d}"

    with transaction.atomic():
        done = run_transition(
            obj=application,
            name="submit",
            actor=actor,
            expected_state=expected_state,
            update_fields=["submitted_at", "reference"],
            before_save=before_save,
        )
        _issue_or_update_invoice(done.obj, actor)
        notify(done.event)
    return done.obj


def _refuse_unseen_fee(application, expected_fee):
    if expected_fee is None:
        return
    total = quote_for(application).total
    if total != expected_fee:
        raise StaleState(
            _(
                "The fee is now %(fee)s, not the %(shown)s the page showed. Check the fee "
                "and submit again."
            )
            % {"fee": format_rupiah(total), "shown": format_rupiah(expected_fee)}
        )


def _issue_or_update_invoice(application, actor) -> Invoice | None:
    """Bring the invoices in line with the fee on (re)submission (see FeeChange.action).
    A paid invoice is never changed; an unpaid one is cancelled, never edited, so the
    history shows every amount the applicant was asked for."""
    change = fee_change(application)
    if change.action == FeeAction.UNCHANGED:
        return application.invoice
    if change.open_invoice is not None:
        _cancel_invoice(change.open_invoice, application, actor)
    if change.action in (FeeAction.ISSUE, FeeAction.REPLACE, FeeAction.SUPPLEMENTARY):
        _issue_invoice(application, actor, amount=change.due, replaces=change.open_invoice)
    return Application.objects.get(pk=application.pk).invoice


def _cancel_invoice(invoice, application, actor):
    invoice.cancelled_at = timezone.now()
    invoice.save(update_fields=["cancelled_at"])
    billing.billing_codes_void_for_invoice(invoice=invoice, actor=actor)
    audit_record(
        actor=actor,
        action="invoice_cancelled",
        obj=application,
        data={"number": invoice.number, "amount": invoice.amount},
    )


def _issue_invoice(application, actor, *, amount, replaces) -> Invoice:
    now = timezone.now()
    earlier = Invoice.objects.filter(application=application)
    paid_before = earlier.filter(paid_at__isnull=False).exists()
    number = f"INV-{timezone.localdate(now).year}-{application.pk:06d}"
    count = earlier.count()
    if count:
        number = f"{number}-{count + 1}"
    invoice = Invoice.objects.create(
        application=application,
        kind=InvoiceKind.SUPPLEMENTARY if paid_before else InvoiceKind.FEE,
        number=number,
        amount=amount,
        issued_at=now,
        due_date=timezone.localdate(now) + datetime.timedelta(days=INVOICE_DUE_DAYS),
        replaces=replaces,
    )
    billing.billing_code_request(invoice=invoice, actor=actor)
    audit_record(
        actor=actor,
        action="invoice_issued",
        obj=application,
        data={
            "number": invoice.number,
            "amount": invoice.amount,
            "kind": invoice.kind,
            "replaces": replaces.number if replaces else None,
        },
    )
    return invoice


def application_withdraw(*, application, actor, reason="", expected_state=None) -> Application:
    """The applicant withdraws (any state before approval except rejected)."""
    with transaction.atomic():
        return _transition(
            application,
            "withdraw",
            actor,
            expected_state=expected_state,
            note=(reason or "").strip(),
        )


# Ministry desk ---------------------------------------------------------------------------
def _transition_with_reason(application, name, actor, *, reason, field, expected_state):
    """A transition whose required reason is kept on the application and as the audit note."""
    reason = require_text(reason)

    def before_save(locked):
        setattr(locked, field, reason)

    with transaction.atomic():
        return _transition(
            application,
            name,
            actor,
            expected_state=expected_state,
            note=reason,
            update_fields=[field],
            before_save=before_save,
        )


def application_start_review(*, application, actor, expected_state=None) -> Application:
    with transaction.atomic():
        return _transition(application, "start_review", actor, expected_state=expected_state)


def application_return_for_changes(
    *, application, actor, reason, expected_state=None
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

    def __init__(self, message, blockers):
        super().__init__(message)
        self.blockers = blockers


SCHEDULE_STEP = "schedule"
APPROVE_STEP = "approve"


def refuse_unless_ready(application, *, step) -> None:
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


def application_accept(*, application, actor, expected_state=None) -> Application:
    """Accept for inspection: every required document's current version must be accepted."""

    def before_save(locked):
        pending = unaccepted_documents(locked)
        if pending:
            raise NotAllowed(
                _("Accept every required document first. Not accepted yet: %(docs)s.")
                % {"docs": "; ".join(pending)}
            )

    with transaction.atomic():
        return _transition(
            application, "accept", actor, expected_state=expected_state, before_save=before_save
        )


def application_reject(*, application, actor, reason, expected_state=None) -> Application:
    return _transition_with_reason(
        application,
        "reject",
        actor,
        reason=reason,
        field="rejection_reason",
        expected_state=expected_state,
    )


# Fee -------------------------------------------------------------------------------------
def _whole_rupiah(amount):
    try:
        value = Decimal(str(amount).strip())
    except (InvalidOperation, ValueError):
        return None
    if not value.is_finite() or value != value.to_integral_value():
        return None
    return int(value)


def invoice_record_payment(*, invoice, actor, paid_on, reference, amount) -> Payment:
    """Staff record the payment of an invoice: in full (a different amount is refused) and
    once (a second payment is refused; the database allows one Payment per invoice).

    Kept for test factories only: no view or command reaches it. Staff record a payment
    by hand only with the NTPN and a receipt scan (applications.billing.services
    .office_payment_record, page billing:office_payment)."""
    refuse_unless_perm(actor, RECORD_PAYMENT)
    reference = (reference or "").strip()
    amount = _whole_rupiah(amount)
    with transaction.atomic():
        application = lock(invoice.application)
        locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if locked.is_paid:
            raise NotAllowed(_("This invoice has already been paid."))
        if locked.is_cancelled:
            raise NotAllowed(
                _("Invoice %(number)s was cancelled; record the payment against the open one.")
                % {"number": locked.number}
            )
        if application.state in (ApplicationState.WITHDRAWN, ApplicationState.REJECTED):
            raise NotAllowed(
                _("This is not possible while the application is “%(state)s”.")
                % {"state": application.get_state_display()}
            )
        errors = {}
        if not reference:
            errors["reference"] = _("Enter the payment reference.")
        if amount != locked.amount:
            errors["amount"] = _("The amount must be exactly %(amount)s.") % {
                "amount": format_rupiah(locked.amount)
            }
        if paid_on is None or paid_on > timezone.localdate():
            errors["paid_on"] = _("Enter the date of payment; it cannot be in the future.")
        elif paid_on < timezone.localdate(locked.issued_at):
            errors["paid_on"] = _("The payment date is before the invoice was issued.")
        if errors:
            raise ValidationError(errors)
        payment = Payment.objects.create(
            invoice=locked,
            paid_on=paid_on,
            reference=reference,
            amount=amount,
            recorded_by=actor,
        )
        locked.paid_at = timezone.now()
        locked.save(update_fields=["paid_at"])
        event = audit_record(
            actor=actor,
            action="payment_recorded",
            obj=application,
            data={
                "invoice": locked.number,
                "amount": amount,
                "paid_on": paid_on.isoformat(),
                "reference": reference,
            },
        )
        notify(event)
    invoice.paid_at = locked.paid_at
    return payment
