"""Drafting an application: create it, declare the company facts and the sites, the fee."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from applications.constants import COMPANY_FIELDS, ApplicationKind, Direction, Sourcing
from applications.fees import FeeQuote, quote_for
from applications.kinds import KINDS
from applications.models import Application, ApplicationSite
from applications.services.base import lock_for_applicant
from registrasi.accounts.constants import Province
from registrasi.accounts.models import Organization, User
from registrasi.audit.services import audit_record
from registrasi.services import NotAllowed, model_update


def application_create(
    *, organization: Organization, actor: User, kind: str = ApplicationKind.NEW
) -> Application:
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


def _clean_details(data: dict) -> dict:
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


def application_update_details(*, application: Application, actor: User, data: dict) -> Application:
    """Change declared facts (keys: COMPANY_FIELDS). Only in draft or returned."""
    cleaned = _clean_details(data)
    with transaction.atomic():
        locked = lock_for_applicant(application, actor)
        locked, changes = model_update(instance=locked, data=cleaned)
        if changes:
            audit_record(
                actor=actor,
                action="update_details",
                obj=locked,
                data={name: new for name, (_old, new) in changes.items()},
            )
    return locked


def application_set_sites(
    *, application: Application, actor: User, sites: list[dict]
) -> list[ApplicationSite]:
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
        locked = lock_for_applicant(application, actor)
        locked.sites.all().delete()
        created = ApplicationSite.objects.bulk_create(
            [ApplicationSite(application=locked, **site) for site in cleaned]
        )
        audit_record(actor=actor, action="set_sites", obj=locked, data={"sites": len(created)})
    return list(locked.sites.all())


def fee_quote(*, application: Application) -> FeeQuote:
    """The fee for the declared facts (see applications.fees for the rule)."""
    return quote_for(application)
