"""The applicant submits (the invoice follows the fee) or withdraws."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.fees import quote_for
from applications.models import Application
from applications.selectors import submission_problems
from applications.services.base import transition
from applications.services.drafting import confirm_all_steps
from applications.services.invoices import _issue_or_update_invoice
from registrasi.accounts.models import User
from registrasi.money import format_rupiah
from registrasi.services import ServiceError, StaleState, notify, run_transition


class SubmissionIncomplete(ServiceError):
    """Submission refused; `missing` lists what to supply, each item translated."""

    def __init__(self, missing: list[str]):
        super().__init__(
            _("The application cannot be submitted yet. Still needed: %(missing)s.")
            % {"missing": "; ".join(missing)}
        )
        self.missing = missing


def application_submit(
    *,
    application: Application,
    actor: User,
    expected_state: str | None = None,
    expected_fee: int | None = None,
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
        confirm_all_steps(locked)  # the review page showed them all
        locked.submitted_at = locked.state_changed_at  # now, as run_transition stamped it
        if not locked.reference:
            year = timezone.localdate(locked.submitted_at).year
            locked.reference = f"REG-{year}-{locked.pk:06d}"

    with transaction.atomic():
        done = run_transition(
            obj=application,
            name="submit",
            actor=actor,
            expected_state=expected_state,
            update_fields=["submitted_at", "reference", "confirmed_steps"],
            before_save=before_save,
        )
        _issue_or_update_invoice(done.obj, actor)
        notify(done.event)
    return done.obj


def _refuse_unseen_fee(application: Application, expected_fee: int | None) -> None:
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


def application_withdraw(
    *, application: Application, actor: User, reason: str = "", expected_state: str | None = None
) -> Application:
    """The applicant withdraws (any state before approval except rejected)."""
    with transaction.atomic():
        return transition(
            application,
            "withdraw",
            actor,
            expected_state=expected_state,
            note=(reason or "").strip(),
        )
