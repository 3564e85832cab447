"""Walk-in applications: a company comes to the ministry's office and an officer enters its
application on its behalf.

The officer registers the company (or finds it by its NIB) and starts a draft that records
who entered it (`Application.entered_by`). From there the application goes through the very
same steps and services as one made online (applications.services: details, sites, documents
checked by content, the fee, submission), because `models.is_member` lets the officer who
entered it act for the company. The company's contact is invited to become the
organization's owner and follow the application online. The officer who entered it may not
approve it (`models.may_approve`).
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from applications.constants import ApplicationKind
from applications.models import Application
from registrasi.accounts.constants import LegalForm, Province
from registrasi.accounts.models import Organization, User
from registrasi.accounts.services import owner_invitation_from_office
from registrasi.accounts.validators import validate_nib, validate_phone
from registrasi.audit.services import audit_record
from registrasi.services import NotAllowed, ServiceError

COMPANY_KEYS = (
    "legal_name",
    "legal_form",
    "address",
    "province",
    "foreign_owned",
    "contact_email",
    "contact_phone",
)


def existing_organization(nib: str) -> Organization | None:
    """The organization that already holds this NIB, if any."""
    return Organization.objects.filter(nib=(nib or "").strip()).first()


def _refuse_unless_staff(actor: User) -> None:
    if not (actor.is_authenticated and actor.is_ministry_staff):
        raise NotAllowed(_("You are not allowed to do this."))


def _clean_company(company: dict) -> dict:
    errors = {}
    cleaned = {key: company.get(key) for key in COMPANY_KEYS}
    for key in ("legal_name", "address", "contact_email", "contact_phone"):
        cleaned[key] = (cleaned[key] or "").strip()
        if not cleaned[key]:
            errors[key] = _("This field is required.")
    if cleaned["legal_form"] not in LegalForm.values:
        errors["legal_form"] = _("Choose a legal form from the list.")
    if cleaned["province"] not in Province.values:
        errors["province"] = _("Choose a province from the list.")
    if cleaned["contact_phone"]:
        try:
            validate_phone(cleaned["contact_phone"])
        except ValidationError as exc:
            errors["contact_phone"] = exc.messages
    cleaned["contact_email"] = cleaned["contact_email"].lower()
    cleaned["foreign_owned"] = bool(cleaned["foreign_owned"])
    if errors:
        raise ValidationError(errors)
    return cleaned


def walk_in_start(*, actor: User, nib: str, company: dict | None = None) -> Application:
    """Start a walk-in draft for the company with `nib`.

    When the NIB already belongs to an organization, the draft is added to it (`company` is
    ignored). Otherwise the organization is registered from `company` (COMPANY_KEYS). Either
    way, when the organization has no owner yet its contact is invited to become the owner
    (once: a pending invitation is not repeated). One transaction, audited.
    """
    _refuse_unless_staff(actor)
    nib = (nib or "").strip()
    try:
        validate_nib(nib)
    except ValidationError as exc:
        raise ValidationError({"nib": exc.messages}) from exc
    try:
        with transaction.atomic():
            organization = existing_organization(nib)
            registered = organization is None
            if registered:
                organization = _register(actor, nib, _clean_company(company or {}))
            application = _draft(actor, organization, registered)
            owner_invitation_from_office(
                actor=actor, organization=organization, email=organization.contact_email
            )
    except IntegrityError as exc:
        # Another officer (or an online sign-up) registered this NIB at the same moment.
        raise ServiceError(
            _("An organization with this NIB was registered just now. Enter the NIB again.")
        ) from exc
    return application


def _register(actor: User, nib: str, company: dict) -> Organization:
    organization = Organization.objects.create(nib=nib, **company)
    audit_record(
        actor=actor,
        action="organization_registered_at_office",
        obj=organization,
        data={"nib": nib, "contact": company["contact_email"]},
    )
    return organization


def _draft(actor: User, organization: Organization, registered: bool) -> Application:
    application = Application.objects.create(
        organization=organization,
        kind=ApplicationKind.NEW,
        created_by=actor,
        entered_by=actor,
        company_legal_name=organization.legal_name,
        company_address=organization.address,
        company_province=organization.province,
        foreign_owned=organization.foreign_owned,
        # A company registered just now: the officer typed its details a moment ago, so its
        # company step is done (selectors.step_status); a known company's are to be checked.
        confirmed_steps=["company"] if registered else [],
    )
    audit_record(
        actor=actor,
        action="walk_in_entered",
        obj=application,
        to_state=application.state,
        data={"organization": organization.pk, "nib": organization.nib, "new": registered},
    )
    return application
