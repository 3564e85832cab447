"""Every rule that differs by application kind, declared once per kind.

A new registration, a change report and a renewal differ in what the applicant supplies,
what they pay, what the inspector checks, how the certificate is dated and what approval
does. Each kind states all of it here; views, services, templates (`application.rules`) and
emails ask the declaration and never compare a kind string. Adding a kind means adding an
ApplicationKind value and one declaration below (plus its wording in the templates that show
the declaration's texts).
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.utils import formats
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applications.constants import ApplicationKind


def validity_end(start: datetime.date, years: int | None = None) -> datetime.date:
    """The last day of a certificate valid `years` (CERTIFICATE_VALIDITY_YEARS) from `start`:
    the day before the anniversary. From 29 February the anniversary in a year without one is
    1 March, so the last day is 28 February."""
    years = settings.CERTIFICATE_VALIDITY_YEARS if years is None else years
    try:
        anniversary = start.replace(year=start.year + years)
    except ValueError:  # 29 February in a year that has none
        anniversary = datetime.date(start.year + years, 3, 1)
    return anniversary - datetime.timedelta(days=1)


# How the certificate is dated: (valid_from or None for "from the day of issue", last day).
def _from_issue(issued_on, basis):
    return None, validity_end(issued_on)


def _same_expiry(issued_on, basis):
    return None, basis.expires_on


def _after_basis_ends(issued_on, basis):
    if basis.expires_on < issued_on:  # lapsed: from approval
        return None, validity_end(issued_on)
    starts = basis.expires_on + datetime.timedelta(days=1)
    return starts, validity_end(starts)


# What approval does, in one sentence (for the staff confirmation, the applicant's pages and
# the emails). `basis` is the certificate followed (None for a new registration).
def _new_effect(issued_on, basis, valid_from, expires_on, show):
    return _(
        "Approval issues a registration certificate valid for five years from the day of "
        "issue: from %(start)s until %(end)s."
    ) % {"start": show(issued_on), "end": show(expires_on)}


def _change_effect(issued_on, basis, valid_from, expires_on, show):
    return _(
        "Approval issues a new certificate that replaces certificate %(number)s from the day "
        "of issue and keeps its expiry date, %(end)s; the company's record is updated with "
        "the reported changes."
    ) % {"number": basis.number, "end": show(expires_on)}


def _renewal_effect(issued_on, basis, valid_from, expires_on, show):
    if valid_from is None:
        return _(
            "Certificate %(number)s has lapsed, so the renewed certificate is valid from the "
            "day of approval, %(start)s, until %(end)s."
        ) % {"number": basis.number, "start": show(issued_on), "end": show(expires_on)}
    return _(
        "Approval issues the renewed certificate. It is valid from %(start)s, the day after "
        "certificate %(number)s ends, until %(end)s."
    ) % {"number": basis.number, "start": show(valid_from), "end": show(expires_on)}


RENEWAL_WINDOW_DAYS = 180


def _window_text() -> str:
    return _(
        "A certificate can be renewed from %(days)s days before it expires, and after it expired."
    ) % {"days": RENEWAL_WINDOW_DAYS}


_renewal_window_text = lazy(_window_text, str)


@dataclass(frozen=True)
class Kind:
    value: str
    # Started from an existing certificate (and superseding it when approved).
    follows_certificate: bool
    # Declares what changed: the submission needs a change, the pages show the differences,
    # the inspection confirms them, approval updates the organization's record.
    reports_changes: bool
    # Every required document must be supplied; otherwise only those concerned (the others
    # are carried over from the certificate's application with their review).
    needs_every_document: bool
    # Documents carried over from the certificate's application keep their review.
    keeps_carried_review: bool
    # The flat administrative fee instead of the fee by size and complexity.
    flat_fee: bool
    # The inspector checks the certificate displayed at the premises (a new company has none).
    checks_displayed_certificate: bool
    # May be started only this many days before the certificate expires (None: any time).
    opens_days_before_expiry: int | None
    # Needs a certificate still valid (not expired) to start and to be approved.
    needs_valid_certificate: bool
    # Approval renews the certificate: no further renewal or change of the old one.
    renews: bool
    dates: object  # (issued_on, basis) -> (valid_from | None, expires_on)
    effect: object  # (issued_on, basis, valid_from, expires_on, show) -> sentence
    # Texts shown for this kind.
    draft_next_step: Promise
    approved_next_step: Promise
    basis_label: Promise = gettext_lazy("Certificate")
    documents_help: Promise = gettext_lazy(
        "Upload one file for each required document. A new upload becomes a new version; "
        "earlier versions are kept."
    )
    # Starting one from a certificate: the link, the page's title, what it says, its button.
    start_link: Promise = gettext_lazy("Start")
    start_title: Promise = gettext_lazy("Start")
    start_intro: tuple = ()
    start_button: Promise = gettext_lazy("Start")
    started: Promise = gettext_lazy("The application was started as a draft.")

    @property
    def label(self):
        return ApplicationKind(self.value).label

    def approval_effect(self, *, issued_on, basis=None, date_format="DATE_FORMAT") -> str:
        """What approval on `issued_on` does for an application of this kind, dates in
        `date_format` (emails use "j F Y")."""
        if basis is None and self.follows_certificate:
            # An older follow-up without its certificate: dated as a new registration.
            return NEW.approval_effect(issued_on=issued_on, date_format=date_format)
        valid_from, expires_on = self.dates(issued_on, basis)

        def show(day):
            return formats.date_format(day, date_format)

        return self.effect(issued_on, basis, valid_from, expires_on, show)


NEW = Kind(
    value=ApplicationKind.NEW,
    follows_certificate=False,
    reports_changes=False,
    needs_every_document=True,
    keeps_carried_review=False,
    flat_fee=False,
    checks_displayed_certificate=False,
    opens_days_before_expiry=None,
    needs_valid_certificate=False,
    renews=False,
    dates=_from_issue,
    effect=_new_effect,
    draft_next_step=gettext_lazy("Complete the details, upload the required documents and submit."),
    approved_next_step=gettext_lazy("Your registration has been approved."),
)

CHANGE = Kind(
    value=ApplicationKind.CHANGE,
    follows_certificate=True,
    reports_changes=True,
    needs_every_document=False,
    keeps_carried_review=True,
    flat_fee=True,
    checks_displayed_certificate=True,
    opens_days_before_expiry=None,
    needs_valid_certificate=True,
    renews=False,
    dates=_same_expiry,
    effect=_change_effect,
    draft_next_step=gettext_lazy(
        "Change the details that changed, upload new versions of the documents concerned "
        "and submit."
    ),
    approved_next_step=gettext_lazy(
        "Your change report has been approved; the certificate was reissued."
    ),
    basis_label=gettext_lazy("Certificate changed"),
    documents_help=gettext_lazy(
        "Upload new versions only of the documents your change concerns (for example the "
        "amended deed of establishment after a change of name, address or ownership, new SOPs "
        "or a new data-protection policy). The documents marked “carried over” are those of "
        "your certificate and stay valid."
    ),
    start_link=gettext_lazy("Report a change"),
    start_title=gettext_lazy("Report a change"),
    start_intro=(
        gettext_lazy(
            "Report any change to your registered information: legal name, address, "
            "ownership, agent seats, sites, SOPs or data-protection arrangements."
        ),
        gettext_lazy(
            "A change report is prefilled from your certificate. Change only what changed and "
            "upload new versions of the documents concerned; the other documents are carried "
            "over. The ministry reviews the change and inspects again. A flat administrative "
            "fee is invoiced on submission."
        ),
    ),
    start_button=gettext_lazy("Start the change report"),
    started=gettext_lazy(
        "Your change report was started as a draft. Change what changed and upload the "
        "documents concerned."
    ),
)

RENEWAL = Kind(
    value=ApplicationKind.RENEWAL,
    follows_certificate=True,
    reports_changes=False,
    needs_every_document=True,
    keeps_carried_review=False,
    flat_fee=False,
    checks_displayed_certificate=True,
    opens_days_before_expiry=RENEWAL_WINDOW_DAYS,
    needs_valid_certificate=False,
    renews=True,
    dates=_after_basis_ends,
    effect=_renewal_effect,
    draft_next_step=gettext_lazy(
        "Check the details carried over from your certificate, replace outdated documents "
        "and submit."
    ),
    approved_next_step=gettext_lazy("Your renewal has been approved."),
    basis_label=gettext_lazy("Certificate renewed"),
    documents_help=gettext_lazy(
        "Your documents were carried over from your certificate. Upload a new version of "
        "every document that is out of date; the ministry reviews them all again."
    ),
    start_link=gettext_lazy("Start renewal"),
    start_title=gettext_lazy("Renew the certificate"),
    start_intro=(
        _renewal_window_text(),
        gettext_lazy(
            "A renewal is prefilled from your certificate, with your documents carried over. "
            "Check the details, replace documents that are out of date and submit. The "
            "ministry reviews the documents again and inspects; the registration fee is "
            "invoiced on submission."
        ),
    ),
    start_button=gettext_lazy("Start the renewal"),
    started=gettext_lazy(
        "Your renewal was started as a draft, prefilled from your certificate. Check it and submit."
    ),
)

KINDS = {kind.value: kind for kind in (NEW, CHANGE, RENEWAL)}
# The kinds an organization starts from one of its certificates, in the order offered.
FOLLOW_UP_KINDS = tuple(kind for kind in KINDS.values() if kind.follows_certificate)
# Kind values whose approval renews the certificate followed (for queries).
RENEWING = tuple(kind.value for kind in KINDS.values() if kind.renews)


def kind_of(application_or_value) -> Kind:
    """The declaration for an application (or a kind value)."""
    value = getattr(application_or_value, "kind", application_or_value)
    return KINDS[value]
