"""Many rows at once, for the tests that pin a page's query count at 5 and at 50 rows.

Going through the services fifty times (submit, review, pay, schedule...) costs seconds per row,
and such a test is about the reads, not the writes. So one row is made the real way, through
the services (a factory), and the others are copies of it written with bulk_create: the same
states, the same related rows (an application's sites and invoices; an inspection's
application and checklist; a certificate's application), only
what must differ changed (references, inspectors, windows).

    inspections = copies_of_inspection(make_inspection(...), [(inspector, start, end), ...])
    certificates = copies_of_certificate(make_certificate(quick=True), 49)
"""

import itertools

from applications.billing.models import BillingCode
from applications.models import Application, ApplicationSite, Invoice
from certificates.models import Certificate
from certificates.numbers import make_number
from inspections.constants import InspectionState
from inspections.models import Finding, Inspection

_copy_number = itertools.count(1)  # keeps the copies' references unique within a test
FIRST_COPY_SERIAL = 900_000  # copied certificates' serials: far above those really issued


def _values(obj, **changes):
    """The column values of `obj` without its primary key, with `changes` applied."""
    values = {
        field.attname: getattr(obj, field.attname)
        for field in obj._meta.concrete_fields
        if not field.primary_key
    }
    return {**values, **changes}


def copies_of_application(application, count, *, basis_certificates=None):
    """`count` copies of `application` (each with its own reference), of its sites and of its
    invoices with their billing codes (numbered apart; an invoice replacing another points at
    the original's). A change report or renewal is one per certificate: give each copy its own
    in `basis_certificates`."""
    bases = basis_certificates or [application.basis_certificate] * count
    copies = Application.objects.bulk_create(
        Application(
            **_values(
                application,
                reference=f"{application.reference}-{next(_copy_number)}"
                if application.reference
                else None,
                basis_certificate_id=basis.pk if basis else None,
            )
        )
        for basis in bases
    )
    sites = list(ApplicationSite.objects.filter(application=application))
    ApplicationSite.objects.bulk_create(
        ApplicationSite(**_values(site, application_id=copy.pk))
        for copy in copies
        for site in sites
    )
    invoices = list(Invoice.objects.filter(application=application).order_by("pk"))
    copied_invoices = Invoice.objects.bulk_create(
        Invoice(
            **_values(
                invoice, application_id=copy.pk, number=f"{invoice.number}-{next(_copy_number)}"
            )
        )
        for copy in copies
        for invoice in invoices
    )
    _copy_billing_codes(invoices, copied_invoices)
    return copies


def _copy_billing_codes(invoices, copied_invoices):
    """The billing codes of `invoices` for their copies (`copied_invoices`, in the same order,
    repeated per copied application); an issued code gets a number of its own."""
    codes = list(BillingCode.objects.filter(invoice__in=invoices).order_by("pk"))
    BillingCode.objects.bulk_create(
        BillingCode(
            **_values(
                code,
                invoice_id=copied.pk,
                code=f"{code.code[:9]}{next(_copy_number):06d}" if code.code else None,
            )
        )
        for index, copied in enumerate(copied_invoices)
        for code in codes
        if code.invoice_id == invoices[index % len(invoices)].pk
    )


def copies_of_inspection(inspection, slots):
    """A copy of `inspection` for each (inspector, window_start, window_end) in `slots`, each on
    a copy of its application, with a copy of its checklist findings; returns the copies read
    back from the database, as the factory returns its inspection. The copies are written open
    (scheduled) and closed afterwards: PostgreSQL refuses findings of a closed inspection."""
    applications = copies_of_application(inspection.application, len(slots))
    copies = Inspection.objects.bulk_create(
        Inspection(
            **_values(
                inspection,
                application_id=application.pk,
                inspector_id=inspector.pk,
                window_start=start,
                window_end=end,
                state=InspectionState.SCHEDULED,
            )
        )
        for application, (inspector, start, end) in zip(applications, slots, strict=True)
    )
    findings = list(Finding.objects.filter(inspection=inspection))
    Finding.objects.bulk_create(
        Finding(**_values(finding, inspection_id=copy.pk))
        for copy in copies
        for finding in findings
    )
    copied = Inspection.objects.filter(pk__in=[copy.pk for copy in copies])
    copied.update(state=inspection.state)
    return list(copied.order_by("pk"))


def copies_of_certificate(certificate, count):
    """`count` copies of `certificate`, each on a copy of its application and numbered apart
    (serials from FIRST_COPY_SERIAL); returns them read back from the database."""
    applications = copies_of_application(certificate.application, count)
    year = certificate.issued_on.year
    copies = Certificate.objects.bulk_create(
        Certificate(
            **_values(
                certificate,
                application_id=application.pk,
                number=make_number(year, FIRST_COPY_SERIAL + next(_copy_number)),
            )
        )
        for application in applications
    )
    return list(Certificate.objects.filter(pk__in=[copy.pk for copy in copies]).order_by("pk"))
