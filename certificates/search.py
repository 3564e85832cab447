"""One search box for the ministry desk: company name, NIB, application reference,
certificate number, billing code. Names match without regard to accents or case
(registrasi.search_functions); on PostgreSQL the trigram indexes of applications 0011 (names,
references) and certificates 0007 (numbers) serve it, on SQLite it is a plain scan.

Two queries whatever the data: the applications, and the certificates (by number, NIB, a
fine's billing code, or the name of the application that earned them)."""

import re
from dataclasses import dataclass, field

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from applications.billing.models import BillingCode
from applications.models import Application
from certificates.models import Certificate
from registrasi.search_functions import folded, normalize

MIN_LENGTH = 2
MAX_LENGTH = 100
RESULT_LIMIT = 25
# Searched as an identifier (NIB, billing code) once spaces and dashes are removed.
DIGITS = re.compile(r"^[0-9]{3,15}$")


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        min_length=MIN_LENGTH,
        max_length=MAX_LENGTH,
        help_text=_("Company name, NIB, application reference, certificate number, billing code"),
    )

    def clean_q(self):
        query = " ".join(self.cleaned_data["q"].split())
        if len(query) < MIN_LENGTH:
            raise forms.ValidationError(_("Type at least two characters."))
        if any(ord(c) < 32 or 0x200B <= ord(c) <= 0x202E for c in query):
            raise forms.ValidationError(_("The search contains characters that cannot be typed."))
        return query


@dataclass
class SearchResults:
    query: str
    applications: list = field(default_factory=list)
    certificates: list = field(default_factory=list)

    @property
    def empty(self):
        return not self.applications and not self.certificates


def _digits(query: str) -> str:
    compact = re.sub(r"[\s.-]", "", query)
    return compact if DIGITS.match(compact) else ""


def _matching_application_ids(query: str):
    """The ids of applications matching by name or reference, NIB, billing code: a UNION of
    one indexed lookup each (an OR across them made PostgreSQL scan every application)."""
    folded_names = Application.objects.annotate(name_folded=folded("company_legal_name"))
    by_text = folded_names.filter(
        Q(name_folded__contains=normalize(query)) | Q(reference__icontains=query)
    ).values("pk")
    digits = _digits(query)
    if not digits:
        return by_text
    # No ORDER BY inside a UNION (the models' default ordering would add one).
    by_nib = Application.objects.filter(organization__nib__startswith=digits).values("pk")
    by_code = BillingCode.objects.filter(code__startswith=digits, invoice__isnull=False).values(
        "invoice__application_id"
    )
    by_text, by_nib, by_code = (q.order_by() for q in (by_text, by_nib, by_code))
    return by_text.union(by_nib, by_code)


def _matching_certificate_ids(query: str):
    named = (
        Application.objects.annotate(name_folded=folded("company_legal_name"))
        .filter(name_folded__contains=normalize(query))
        .values("pk")
    )
    by_text = Certificate.objects.filter(
        Q(number__icontains=query) | Q(application__in=named)
    ).values("pk")
    digits = _digits(query)
    if not digits:
        return by_text
    by_nib = Certificate.objects.filter(nib__startswith=digits).values("pk")
    by_fine = BillingCode.objects.filter(code__startswith=digits, sanction__isnull=False).values(
        "sanction__certificate_id"
    )
    by_text, by_nib, by_fine = (q.order_by() for q in (by_text, by_nib, by_fine))
    return by_text.union(by_nib, by_fine)


def staff_search(*, user, query: str) -> SearchResults:
    applications = (
        Application.objects.visible_to(user)
        .filter(pk__in=_matching_application_ids(query))
        .select_related("organization")
        .order_by("-submitted_at", "-pk")
    )
    certificates = (
        Certificate.objects.visible_to(user)
        .filter(pk__in=_matching_certificate_ids(query))
        .order_by("-issued_on", "-pk")
    )
    return SearchResults(
        query=query,
        applications=list(applications[:RESULT_LIMIT]),
        certificates=list(certificates[:RESULT_LIMIT]),
    )
