"""The demo world for `make run` (issue 15, point 11): so that a newcomer sees a living portal,
not empty queues. Built through the services, as people would (no state is set by hand):

- each of the two demo organizations with applications in every state (draft to approved,
  rejected and withdrawn), so either demo applicant's dashboard shows all of them;
- a change report submitted, and a renewal in progress (submitted) of a certificate in the
  last months of its five years;
- two more organizations, one holding a suspended certificate (with a fine), one a revoked
  one, so the public register shows every verdict;
- for the demo inspector: an inspection today and one tomorrow, plus passed and failed ones;
- certificates active, suspended (with a fine), revoked and expired.

The services date a certificate today. The two that show the end of the five years (the one
being renewed, the expired one) are issued like the others and then only their dates are moved
back (WorldBuilder.backdate), before their PDF is rendered (the world is built in one
transaction; the PDF task runs once it commits); the expired one then expires through the
daily scan's own service (certificates_expire), the renewal starts through keeping.

Runs once: when any demo organization already has an application, it builds nothing (so a
second `make run` changes nothing). `load_demo_data --world` runs it after the accounts.
"""

import datetime
import io
import secrets
from dataclasses import dataclass, field

import pypdf
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from applications import services as applications
from applications.billing import services as billing
from applications.billing.models import PaymentSource
from applications.constants import (
    REQUIRED_DOCUMENT_TYPES,
    ApplicationState,
    Direction,
    DocumentType,
    Sourcing,
)
from applications.kinds import validity_end
from applications.models import Application, DocumentVersion
from certificates import keeping
from certificates import services as certificates
from certificates.models import Certificate
from certificates.public_cache import public_pages_changed
from inspections import services as inspections
from inspections.constants import FindingResult
from registrasi.accounts.constants import LegalForm, MembershipRole, Province
from registrasi.accounts.models import Membership, Organization, User
from registrasi.dates import today

A = ApplicationState


@dataclass(frozen=True)
class WorldOrganization:
    legal_name: str
    nib: str
    address: str
    province: str
    owner_email: str
    owner_name: str
    phone: str
    legal_form: str = LegalForm.PT
    # What to build for it, in order: application states, and "active" / "suspended" /
    # "revoked" / "change" for a certificate (and what happens to it).
    plan: tuple = field(default_factory=tuple)


# The demo people's organizations come from the accounts command (found by NIB); these two
# are extra, with owners who cannot log in (no password): they only fill the register.
MITRA = WorldOrganization(
    legal_name="PT Mitra Layanan Sentosa",
    nib="8120305512874",
    address="Jl. Pemuda No. 118, Embong Kaliasin, Genteng, Surabaya 60271",
    province=Province.JATIM,
    owner_email="pemilik@mitralayanan.test",
    owner_name="Rudi Hartono",
    phone="+62 31 5470 221",
)
SINAR = WorldOrganization(
    legal_name="CV Sinar Kontak Medan",
    nib="9120406677015",
    address="Jl. Gatot Subroto No. 45, Sei Sikambing B, Medan Sunggal, Medan 20122",
    province=Province.SUMUT,
    owner_email="pemilik@sinarkontak.test",
    owner_name="Maria Simanjuntak",
    phone="+62 61 8451 009",
    legal_form=LegalForm.CV,
)

# Every state an application can be in before a decision, and after one without a
# certificate (approved ones are the certificates' applications).
EVERY_STATE = (
    A.DRAFT,
    A.SUBMITTED,
    A.UNDER_REVIEW,
    A.RETURNED,
    A.AWAITING_INSPECTION,
    A.INSPECTION_PASSED,
    A.INSPECTION_FAILED,
    A.REJECTED,
    A.WITHDRAWN,
)

# What each organization gets, by NIB (the demo organizations' NIBs are in load_demo_data).
# The inspection scheduled today comes last: the ones inspected on the spot (passed, failed,
# the certificates') use the inspector's current hour before it.
PLANS = {
    "8120104567231": (  # PT Nusantara Kontak Prima
        "active+change",
        "expired",
        *EVERY_STATE,
        "scheduled_today",
    ),
    "9120208814530": (  # PT Suara Pelanggan Indonesia
        "active",
        "renewing",
        *EVERY_STATE,
        "scheduled_tomorrow",
    ),
    MITRA.nib: ("suspended",),
    SINAR.nib: ("revoked",),
}
CERTIFICATE_STEPS = ("active", "active+change", "suspended", "revoked", "expired", "renewing")
# How far the certificates at the end of their five years are moved: the one being renewed
# expires in two months (its renewal window opened 180 days before), the expired one ended
# six weeks ago.
RENEWING_EXPIRES_IN_DAYS = 60
EXPIRED_DAYS_AGO = 42

SITES = {
    Province.DKI: "Jl. Jend. Sudirman Kav. 52-53, Jakarta Selatan",
    Province.JABAR: "Jl. Asia Afrika No. 133, Kota Bandung",
    Province.JATIM: "Jl. Pemuda No. 118, Surabaya",
    Province.SUMUT: "Jl. Gatot Subroto No. 45, Medan",
}


def blank_pdf(name: str) -> SimpleUploadedFile:
    """A one-page A4 PDF: uploads are checked by content and structure."""
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return SimpleUploadedFile(name, out.getvalue(), content_type="application/pdf")


class WorldBuilder:
    """Builds the plan with the demo staff member and inspector as the ministry's actors."""

    def __init__(self, *, staff: User, inspector: User):
        self.staff = staff
        self.inspector = inspector
        self.now = timezone.now()
        self.built = {"applications": 0, "inspections": 0, "certificates": 0}

    # Organizations ---------------------------------------------------------------------
    def extra_organization(self, spec: WorldOrganization) -> Organization:
        organization, _created = Organization.objects.get_or_create(
            nib=spec.nib,
            defaults={
                "legal_name": spec.legal_name,
                "legal_form": spec.legal_form,
                "address": spec.address,
                "province": spec.province,
                "contact_email": spec.owner_email,
                "contact_phone": spec.phone,
            },
        )
        owner = User.objects.filter(email__iexact=spec.owner_email).first()
        if owner is None:
            owner = User.objects.create_user(spec.owner_email, None, full_name=spec.owner_name)
        Membership.objects.get_or_create(
            user=owner, defaults={"organization": organization, "role": MembershipRole.OWNER}
        )
        return organization

    @staticmethod
    def owner_of(organization: Organization) -> User:
        membership = organization.memberships.select_related("user").order_by("pk").first()
        return membership.user

    # Applications ----------------------------------------------------------------------
    def draft(self, organization: Organization, *, seats: int) -> Application:
        owner = self.owner_of(organization)
        application = applications.application_create(organization=organization, actor=owner)
        applications.application_update_details(
            application=application,
            actor=owner,
            data={
                # The company step, prefilled from the profile, saved as it is.
                "company_legal_name": application.company_legal_name,
                "company_address": application.company_address,
                "company_province": application.company_province,
                "agent_seats": seats,
                "direction": Direction.BOTH if seats > 50 else Direction.INBOUND,
                "sourcing": Sourcing.IN_HOUSE,
            },
        )
        province = organization.province
        applications.application_set_sites(
            application=application,
            actor=owner,
            sites=[
                {
                    "address": SITES.get(province, organization.address),
                    "province": province,
                    "agent_seats": seats,
                }
            ],
        )
        self.upload_documents(application, owner)
        self.built["applications"] += 1
        return application

    def upload_documents(self, application: Application, owner: User, types=None):
        for document_type in types or REQUIRED_DOCUMENT_TYPES:
            applications.document_upload(
                application=application,
                actor=owner,
                document_type=document_type,
                uploaded_file=blank_pdf(f"{document_type}.pdf"),
            )

    def submit(self, application: Application) -> Application:
        owner = self.owner_of(application.organization)
        return applications.application_submit(application=application, actor=owner)

    def pay(self, application: Application) -> None:
        """As the billing system would: a code is issued, paid, and reported back."""
        invoice = Application.objects.get(pk=application.pk).invoice
        code = billing.live_code(invoice)
        billing.billing_code_fetch(code_id=code.pk)
        code.refresh_from_db()
        billing.payment_receive(
            code=code.code,
            ntpn=secrets.token_hex(8).upper(),
            ntb=f"{secrets.randbelow(10**12):012d}",
            channel="teller",
            amount=code.amount,
            paid_at=timezone.now(),
            source=PaymentSource.CALLBACK,
        )

    def review_documents(self, application: Application, *, reject_deed=False):
        versions = (
            DocumentVersion.objects.filter(document__application=application)
            .select_related("document")
            .order_by("document__document_type", "-number")
        )
        seen = set()
        for version in versions:
            if version.document_id in seen:
                continue
            seen.add(version.document_id)
            refuse = (
                reject_deed and version.document.document_type == DocumentType.DEED_OF_ESTABLISHMENT
            )
            applications.document_review(
                version=version,
                actor=self.staff,
                accepted=not refuse,
                reason="Pindaian akta tidak terbaca; unggah ulang yang jelas." if refuse else "",
            )

    def reach(self, organization: Organization, state: str, *, seats: int) -> Application:
        """A new application of `organization` in `state`, through the services."""
        application = self.draft(organization, seats=seats)
        if state == A.DRAFT:
            return application
        if state == A.WITHDRAWN:
            applications.application_withdraw(
                application=application,
                actor=self.owner_of(organization),
                reason="Kami mengajukan ulang setelah pindah kantor.",
            )
            return application
        self.submit(application)
        if state == A.SUBMITTED:
            return application
        applications.application_start_review(application=application, actor=self.staff)
        if state == A.UNDER_REVIEW:
            return application
        if state == A.RETURNED:
            self.review_documents(application, reject_deed=True)
            applications.application_return_for_changes(
                application=application,
                actor=self.staff,
                reason="Unggah ulang akta pendirian yang terbaca jelas.",
            )
            return application
        if state == A.REJECTED:
            applications.application_reject(
                application=application,
                actor=self.staff,
                reason="Usaha ini bukan penyelenggara call center.",
            )
            return application
        self.review_documents(application)
        self.pay(application)
        applications.application_accept(application=application, actor=self.staff)
        if state == A.AWAITING_INSPECTION:
            return application
        return self.inspected(application, passed=state != A.INSPECTION_FAILED)

    # Inspections -----------------------------------------------------------------------
    def window(self, *, tomorrow=False, office_hours=False, hours=3):
        """Tomorrow at 09:00; or today from the current hour (findings open at once), or
        from 09:00 when that is later (a visit planned for office hours)."""
        today = timezone.localdate()
        nine = timezone.make_aware(datetime.datetime.combine(today, datetime.time(9)))
        if tomorrow:
            start = nine + datetime.timedelta(days=1)
        else:
            start = timezone.localtime().replace(minute=0, second=0, microsecond=0)
            if office_hours:
                start = max(start, nine)
        return start, start + datetime.timedelta(hours=hours)

    def schedule(self, application: Application, *, tomorrow=False, office_hours=False):
        start, end = self.window(tomorrow=tomorrow, office_hours=office_hours)
        self.built["inspections"] += 1
        return inspections.inspection_schedule(
            application=application,
            actor=self.staff,
            inspector=self.inspector,
            window_start=start,
            window_end=end,
        )

    def inspected(self, application: Application, *, passed: bool) -> Application:
        """Scheduled for now, every requirement recorded, submitted: passed or failed."""
        inspection = self.schedule(application)
        majors = set() if passed else set(inspection.requirements[:1])
        findings = {
            requirement: {
                "result": FindingResult.MAJOR if requirement in majors else FindingResult.COMPLIANT,
                "note": "SOP belum mencakup eskalasi keluhan."
                if requirement in majors
                else "Sesuai; diperiksa di lokasi.",
            }
            for requirement in inspection.requirements
        }
        inspections.findings_save_draft(
            inspection=inspection,
            actor=self.inspector,
            findings=findings,
            corrective_actions="" if passed else "Lengkapi SOP eskalasi keluhan pelanggan.",
        )
        inspections.inspection_submit(inspection=inspection, actor=self.inspector)
        return Application.objects.get(pk=application.pk)

    # Certificates ----------------------------------------------------------------------
    def certificate(self, organization: Organization, outcome: str, *, seats: int):
        application = self.reach(organization, A.INSPECTION_PASSED, seats=seats)
        certificate = certificates.application_approve(application=application, actor=self.staff)
        self.built["certificates"] += 1
        if outcome == "suspended":
            certificates.fine_impose(
                certificate=certificate,
                actor=self.staff,
                amount=25_000_000,
                due_date=timezone.localdate() + datetime.timedelta(days=30),
                reason="Panggilan penawaran tanpa persetujuan pelanggan terbukti.",
            )
            certificates.certificate_suspend(
                certificate=Certificate.objects.get(pk=certificate.pk),
                actor=self.staff,
                reason="Denda belum dibayar dan SOP persetujuan belum diperbaiki.",
            )
        elif outcome == "revoked":
            certificates.certificate_revoke(
                certificate=certificate,
                actor=self.staff,
                reason="Izin usaha perusahaan dicabut oleh OSS.",
            )
        elif outcome == "active+change":
            self.change_report(Certificate.objects.get(pk=certificate.pk))
        elif outcome == "expired":
            self.backdate(certificate, expires_on=today() - datetime.timedelta(EXPIRED_DAYS_AGO))
            certificates.certificates_expire(on=today())
        elif outcome == "renewing":
            expires_on = today() + datetime.timedelta(RENEWING_EXPIRES_IN_DAYS)
            self.renewal(self.backdate(certificate, expires_on=expires_on))
        return certificate

    @staticmethod
    def backdate(certificate: Certificate, *, expires_on: datetime.date) -> Certificate:
        """Move a certificate issued today back to the day that makes it end on `expires_on`
        (its five years unchanged): its dates, and its number to one of that year's serials
        (the number says the year of issue), nothing else (see the module's note)."""
        years = certificate.expires_on.year - certificate.issued_on.year
        start = expires_on + datetime.timedelta(days=1)
        try:
            issued_on = start.replace(year=start.year - years)
        except ValueError:  # 29 February in a year that has none
            issued_on = datetime.date(start.year - years, 2, 28)
        Certificate.objects.filter(pk=certificate.pk).update(
            issued_on=issued_on,
            expires_on=validity_end(issued_on, years),
            number=certificates._next_number(issued_on),
        )
        public_pages_changed()  # update() sends no post_save
        return Certificate.objects.get(pk=certificate.pk)

    def renewal(self, certificate: Certificate) -> Application:
        """The holder renews in the last months of the five years and submits: it waits for
        review (the documents carried over from the certificate, to be reviewed again)."""
        owner = self.owner_of(certificate.organization)
        renewal = keeping.application_start_renewal(certificate=certificate, actor=owner)
        self.built["applications"] += 1
        return self.submit(renewal)

    def change_report(self, certificate: Certificate) -> Application:
        """The holder reports a change (more seats) and submits it: it waits for review."""
        owner = self.owner_of(certificate.organization)
        change = keeping.application_start_change(certificate=certificate, actor=owner)
        applications.application_update_details(
            application=change, actor=owner, data={"agent_seats": certificate.agent_seats + 40}
        )
        self.built["applications"] += 1
        return self.submit(change)

    # The plan ----------------------------------------------------------------------------
    def build(self, organization: Organization, plan) -> None:
        for index, step in enumerate(plan):
            seats = 20 + 15 * index
            if step in CERTIFICATE_STEPS:
                self.certificate(organization, step, seats=seats)
            elif step in ("scheduled_today", "scheduled_tomorrow"):
                application = self.reach(organization, A.AWAITING_INSPECTION, seats=seats)
                self.schedule(application, tomorrow=step == "scheduled_tomorrow", office_hours=True)
            else:
                self.reach(organization, step, seats=seats)


def world_exists(nibs) -> bool:
    return Application.objects.filter(organization__nib__in=nibs).exists()


def build_world(*, staff: User, inspector: User) -> dict:
    """Build the demo world once; returns what was built (all zero when it existed)."""
    builder = WorldBuilder(staff=staff, inspector=inspector)
    if world_exists(PLANS):
        return builder.built
    with transaction.atomic():
        organizations = {o.nib: o for o in Organization.objects.filter(nib__in=PLANS)}
        for spec in (MITRA, SINAR):
            organizations[spec.nib] = builder.extra_organization(spec)
        # Inspections that finish first (passed, failed) use the inspector's current hour;
        # today's scheduled one comes after them, so the windows never clash.
        order = sorted(PLANS, key=lambda nib: "scheduled_today" in PLANS[nib])
        for nib in order:
            builder.build(organizations[nib], PLANS[nib])
    return builder.built
