"""Applications in every state, reached through the services (never by setting `state`).

    ApplicationFactory()                                   # a complete draft
    ApplicationFactory(submitted=True)                     # trait per state
    ApplicationFactory(awaiting_inspection=True, paid=True)
    make_application("under_review", organization=org, applicant=user)

Small valid files: PDF_BYTES / PNG_BYTES / JPEG_BYTES (libmagic recognises them, pypdf and
Pillow parse them), pdf_upload(), png_upload(), upload_required_documents().
"""

import datetime
import io
import struct
import zlib

import factory
import pypdf
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from factory.django import DjangoModelFactory

from applications import services
from applications.constants import (
    REQUIRED_DOCUMENT_TYPES,
    ApplicationKind,
    ApplicationState,
    Direction,
    Sourcing,
)
from applications.models import Application, DocumentVersion
from registrasi.accounts.constants import Province
from tests.factories import OrganizationFactory, StaffFactory, make_applicant


def _pdf_bytes():
    """A one-page blank A4 PDF with a cross-reference table: uploads must parse."""
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _jpeg_bytes():
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(out, "JPEG")
    return out.getvalue()


PDF_BYTES = _pdf_bytes()


def _png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


PNG_BYTES = (
    b"\x89PNG\r\n\x1a\n"
    + _png_chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
    + _png_chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
    + _png_chunk(b"IEND", b"")
)
JPEG_BYTES = _jpeg_bytes()
HTML_BYTES = b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 120

DEFAULT_SITES = [
    {
        "address": "Jl. Jenderal Sudirman Kav. 52, Jakarta Selatan",
        "province": Province.DKI,
        "agent_seats": 30,
    }
]


def pdf_upload(name="document.pdf", content=PDF_BYTES):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def png_upload(name="photo.png", content=PNG_BYTES):
    return SimpleUploadedFile(name, content, content_type="image/png")


def upload_required_documents(application, actor, types=REQUIRED_DOCUMENT_TYPES):
    """One small valid PDF for each required type; returns the new versions."""
    return [
        services.document_upload(
            application=application,
            actor=actor,
            document_type=document_type,
            uploaded_file=pdf_upload(f"{document_type}.pdf"),
        )
        for document_type in types
    ]


def current_versions(application):
    versions = DocumentVersion.objects.filter(document__application=application).order_by(
        "document_id", "-number"
    )
    current = {}
    for version in versions:
        current.setdefault(version.document_id, version)
    return list(current.values())


def review_all_documents(application, staff, accepted=True, reason=""):
    for version in current_versions(application):
        services.document_review(
            version=version, actor=staff, accepted=accepted, reason=reason or "Not legible"
        )


def pay_invoice(application, staff):
    invoice = Application.objects.get(pk=application.pk).invoice
    return services.invoice_record_payment(
        invoice=invoice,
        actor=staff,
        paid_on=timezone.localdate(),
        reference=f"TRF-{application.pk}",
        amount=invoice.amount,
    )


STATES = (
    ApplicationState.DRAFT,
    ApplicationState.SUBMITTED,
    ApplicationState.UNDER_REVIEW,
    ApplicationState.RETURNED,
    ApplicationState.AWAITING_INSPECTION,
    ApplicationState.REJECTED,
    ApplicationState.WITHDRAWN,
)


def advance(application, to_state, *, applicant, staff=None, paid=False, documents=True):
    """Move a fresh draft to `to_state` through the services; returns a fresh copy."""
    S = ApplicationState
    if to_state not in STATES:
        raise ValueError(f"The factory cannot reach {to_state!r}.")
    staff = staff or StaffFactory()
    if to_state == S.DRAFT:
        if documents:
            upload_required_documents(application, applicant)
    elif to_state == S.WITHDRAWN:
        services.application_withdraw(application=application, actor=applicant, reason="Test")
    else:
        upload_required_documents(application, applicant)
        services.application_submit(application=application, actor=applicant)
        if paid:
            pay_invoice(application, staff)
        if to_state != S.SUBMITTED:
            services.application_start_review(application=application, actor=staff)
        if to_state == S.RETURNED:
            versions = current_versions(application)
            services.document_review(
                version=versions[0], actor=staff, accepted=False, reason="Unreadable scan"
            )
            services.application_return_for_changes(
                application=application, actor=staff, reason="Please send a readable NIB."
            )
        elif to_state == S.AWAITING_INSPECTION:
            review_all_documents(application, staff)
            services.application_accept(application=application, actor=staff)
        elif to_state == S.REJECTED:
            services.application_reject(
                application=application, actor=staff, reason="Not a call-center business."
            )
    return Application.objects.get(pk=application.pk)


class ApplicationFactory(DjangoModelFactory):
    """A complete draft (details, one site) created by `created_by` (an owner of the
    organization, made if not given); `to_state` / traits move it on via the services."""

    class Meta:
        model = Application

    created_by = None
    # The creator's organization when a creator is given, otherwise a new one.
    organization = factory.LazyAttribute(
        lambda o: o.created_by.organization if o.created_by else OrganizationFactory()
    )
    kind = ApplicationKind.NEW
    agent_seats = 30
    direction = Direction.INBOUND
    sourcing = Sourcing.IN_HOUSE
    sites = None  # list of site dicts; DEFAULT_SITES when None
    to_state = ApplicationState.DRAFT
    with_documents = False  # upload the required documents to a draft
    paid = False
    staff = None

    class Params:
        submitted = factory.Trait(to_state=ApplicationState.SUBMITTED)
        under_review = factory.Trait(to_state=ApplicationState.UNDER_REVIEW)
        returned = factory.Trait(to_state=ApplicationState.RETURNED)
        awaiting_inspection = factory.Trait(to_state=ApplicationState.AWAITING_INSPECTION)
        rejected = factory.Trait(to_state=ApplicationState.REJECTED)
        withdrawn = factory.Trait(to_state=ApplicationState.WITHDRAWN)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        organization = kwargs.pop("organization")
        applicant = kwargs.pop("created_by") or _member_of(organization)
        to_state = kwargs.pop("to_state")
        paid = kwargs.pop("paid")
        staff = kwargs.pop("staff")
        sites = kwargs.pop("sites")
        with_documents = kwargs.pop("with_documents")
        application = services.application_create(
            organization=organization, actor=applicant, kind=kwargs.pop("kind")
        )
        # The applicant goes through the company step too (its facts prefilled from the
        # organization), so the company and operation steps are confirmed (step_status).
        company = {
            "company_legal_name": application.company_legal_name,
            "company_address": application.company_address,
            "company_province": application.company_province,
        }
        services.application_update_details(
            application=application, actor=applicant, data={**company, **kwargs}
        )
        services.application_set_sites(
            application=application,
            actor=applicant,
            sites=DEFAULT_SITES if sites is None else sites,
        )
        return advance(
            application,
            to_state,
            applicant=applicant,
            staff=staff,
            paid=paid,
            documents=with_documents,
        )


def _member_of(organization):
    membership = organization.memberships.select_related("user").order_by("pk").first()
    return membership.user if membership else make_applicant(organization, owner=True)


def make_application(state=ApplicationState.DRAFT, **kwargs):
    return ApplicationFactory(to_state=state, **kwargs)


def days_ago(days):
    return timezone.now() - datetime.timedelta(days=days)
