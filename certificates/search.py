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


def _application_filter(query: str) -> Q:
    condition = Q(name_folded__contains=normalize(query)) | Q(reference__icontains=query)
    digits = _digits(query)
    if digits:
        codes = BillingCode.objects.filter(code__startswith=digits, invoice__isnull=False)
        condition |= Q(organization__nib__startswith=digits) | Q(
            pk__in=codes.values("invoice__application_id")
        )
    return condition


def staff_search(*, user, query: str) -> SearchResults:
    applications = (
        Application.objects.visible_to(user)
        .annotate(name_folded=folded("company_legal_name"))
        .filter(_application_filter(query))
        .select_related("organization")
        .order_by("-submitted_at", "-pk")
    )
    named = (
        Application.objects.annotate(name_folded=folded("company_legal_name"))
        .filter(name_folded__contains=normalize(query))
        .values("pk")
    )
    condition = Q(number__icontains=query) | Q(application__in=named)
    digits = _digits(query)
    if digits:
        fines = BillingCode.objects.filter(code__startswith=digits, sanction__isnull=False)
        condition |= Q(nib__startswith=digits) | Q(pk__in=fines.values("sanction__certificate_id"))
    certificates = (
        Certificate.objects.visible_to(user).filter(condition).order_by("-issued_on", "-pk")
    )
    return SearchResults(
        query=query,
        applications=list(applications[:RESULT_LIMIT]),
        certificates=list(certificates[:RESULT_LIMIT]),
    )
