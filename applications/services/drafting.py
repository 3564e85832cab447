"""Drafting an application: create it, declare the company facts and the sites, the fee, and
remember which steps of the guided flow the applicant went through (Application.confirmed_steps:
a step shows as done only once it is complete and confirmed, selectors.step_status).

Saving a step's facts confirms that step: declaring every fact of the company step (or of the
operation step) at once, as its form and the API do. Continuing past the documents and the fee
steps confirms them (application_confirm_step). A change of the fee (other facts, another
number of sites) takes the fee's confirmation back: the applicant sees the new fee first.
Submitting confirms every step (services.submission).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from applications.constants import COMPANY_FIELDS, ApplicationKind, Direction, Sourcing
from applications.fees import FeeQuote, quote_for
from applications.kinds import KINDS
from applications.models import Application, ApplicationSite
from applications.selectors import STEP_FACTS
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


# The steps the applicant confirms, in the flow's order ("review" is confirmed by submitting).
CONFIRMED_STEPS = ("company", "operation", "documents", "fee")
# Steps without facts of their own: confirmed by continuing past them.
CONTINUED_STEPS = ("documents", "fee")


def _set_confirmed(application: Application, *, add=(), drop=()) -> None:
    """Add and drop confirmed steps (kept in the flow's order); saves only on a change. A
    marker of the flow's progress, not a declaration: no audit event (the facts have theirs)."""
    confirmed = set(application.confirmed_steps or ())
    steps = [s for s in CONFIRMED_STEPS if (s in confirmed or s in add) and s not in drop]
    if steps != list(application.confirmed_steps or ()):
        application.confirmed_steps = steps
        application.save(update_fields=["confirmed_steps", "updated_at"])


def _confirmed_fee(application: Application) -> int | None:
    """The fee total the applicant confirmed (read before a change), None when not confirmed."""
    if "fee" not in (application.confirmed_steps or ()):
        return None
    return quote_for(application).total


def _fee_seen_is_stale(application: Application, confirmed_fee: int | None) -> bool:
    return confirmed_fee is not None and quote_for(application).total != confirmed_fee


def confirm_all_steps(application: Application) -> None:
    """Set (not save) every step confirmed: submitting confirms what the review showed."""
    application.confirmed_steps = list(CONFIRMED_STEPS)


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
    """Change declared facts (keys: COMPANY_FIELDS). Only in draft or returned. Declaring
    every fact of a step (STEP_FACTS) confirms that step."""
    cleaned = _clean_details(data)
    with transaction.atomic():
        locked = lock_for_applicant(application, actor)
        confirmed_fee = _confirmed_fee(locked)
        locked, changes = model_update(instance=locked, data=cleaned)
        if changes:
            audit_record(
                actor=actor,
                action="update_details",
                obj=locked,
                data={name: new for name, (_old, new) in changes.items()},
            )
        _set_confirmed(
            locked,
            add=[step for step, facts in STEP_FACTS.items() if set(facts) <= set(cleaned)],
            drop=["fee"] if changes and _fee_seen_is_stale(locked, confirmed_fee) else [],
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
        confirmed_fee = _confirmed_fee(locked)
        locked.sites.all().delete()
        created = ApplicationSite.objects.bulk_create(
            [ApplicationSite(application=locked, **site) for site in cleaned]
        )
        audit_record(actor=actor, action="set_sites", obj=locked, data={"sites": len(created)})
        if _fee_seen_is_stale(locked, confirmed_fee):
            _set_confirmed(locked, drop=["fee"])
    return list(locked.sites.all())


def application_confirm_step(*, application: Application, actor: User, step: str) -> Application:
    """The applicant continued past a step without facts of its own (CONTINUED_STEPS): the
    documents (uploaded, or carried over and still right), or the fee they have now seen. The
    fee is confirmed only once it can be computed (the facts it depends on are declared).
    Only in draft or returned."""
    if step not in CONTINUED_STEPS:
        raise ValueError(f"{step!r} is not confirmed by continuing past it.")
    with transaction.atomic():
        locked = lock_for_applicant(application, actor)
        if step != "fee" or quote_for(locked).is_complete:
            _set_confirmed(locked, add=[step])
    return locked


def fee_quote(*, application: Application) -> FeeQuote:
    """The fee for the declared facts (see applications.fees for the rule)."""
    return quote_for(application)
