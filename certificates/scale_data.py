"""National-scale rows for measuring (the generate_scale command, make bench) and for the
query-count tests: organizations with their owners, applications in every state and kind,
documents with versions (tiny files shared by every version), invoices and payments,
inspections with findings, certificates in every state with expiry dates spread over five
years, and a few expiry reminders.

Rows are written with bulk inserts, bypassing the services on purpose: 100,000 applications
through the services would take hours. States are given at creation, which is why the
command never runs with production settings.

    Generator(random.Random(seed)).run(n_applications, n_certificates)
"""

import datetime
import time

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from applications.constants import (
    REQUIRED_DOCUMENT_TYPES,
    ApplicationKind,
    ApplicationState,
    Direction,
    ReviewStatus,
    Sourcing,
)
from applications.models import Application, Document, DocumentVersion, Invoice, Payment
from certificates.constants import CertificateState
from certificates.models import Certificate, ExpiryReminder, NumberSequence
from certificates.numbers import make_number
from certificates.public_cache import public_pages_changed
from inspections.constants import FindingResult, InspectionState, Requirement
from inspections.models import Finding, Inspection
from registrasi.accounts.constants import (
    INSPECTOR_GROUP,
    STAFF_GROUP,
    LegalForm,
    MembershipRole,
    Province,
)
from registrasi.accounts.models import Membership, Organization, User
from registrasi.accounts.roles import add_to_role

A = ApplicationState
C = CertificateState
I = InspectionState  # noqa: E741
BATCH = 5000
APPLICATIONS_PER_ORGANIZATION = 3
# Share of the applications not approved, by state (approved ones get a certificate each).
OPEN_STATES = {
    A.DRAFT: 10,
    A.SUBMITTED: 8,
    A.UNDER_REVIEW: 6,
    A.RETURNED: 4,
    A.AWAITING_INSPECTION: 5,
    A.INSPECTION_SCHEDULED: 3,
    A.INSPECTION_PASSED: 2,
    A.INSPECTION_FAILED: 2,
    A.REJECTED: 30,
    A.WITHDRAWN: 30,
}
# Of the certificates not replaced by a successor, by state.
CERTIFICATE_STATES = {C.ACTIVE: 78, C.SUSPENDED: 3, C.REVOKED: 3, C.EXPIRED: 16}
RENEWED_SHARE = 0.1  # certificates replaced by a renewal (superseded)
INSPECTED = {A.INSPECTION_SCHEDULED, A.INSPECTION_PASSED, A.INSPECTION_FAILED, A.APPROVED}
PAID = INSPECTED | {A.AWAITING_INSPECTION}
REVIEWED = PAID | {A.RETURNED}
FEE = 7_500_000

NAME_START = (
    "Layanan",
    "Kontak",
    "Mitra",
    "Solusi",
    "Nusantara",
    "Prima",
    "Global",
    "Andalan",
    "Cipta",
    "Sentosa",
    "Bintang",
    "Jaya",
    "Mandiri",
    "Sinar",
    "Karya",
    "Sahabat",
    "Teknologi",
    "Data",
)
NAME_END = (
    "Pelanggan",
    "Telekomunikasi",
    "Informasi",
    "Suara",
    "Komunika",
    "Utama",
    "Abadi",
    "Persada",
    "Indonesia",
    "Digital",
    "Servis",
    "Sejahtera",
    "Makmur",
    "Lestari",
)
CITIES = ("Jakarta", "Bandung", "Surabaya", "Medan", "Semarang", "Makassar", "Denpasar")


class Generator:
    def __init__(self, rng):
        self.rng = rng
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.tag = str(time.time_ns())[-10:]  # keeps emails, NIBs, numbers unique per run

    def run(self, n_applications, n_certificates):
        states = self._application_states(n_applications, n_certificates)
        with transaction.atomic():
            self.staff = self._person("staff", STAFF_GROUP)
            self.inspectors = [self._person(f"inspector{i}", INSPECTOR_GROUP) for i in range(8)]
            organizations, owners = self._organizations(len(states))
            apps = self._applications(states, organizations, owners)
            self._documents(apps, owners)
            self._invoices(apps)
            self._inspections(apps)
            certs = self._certificates(apps)
            self._reminders(certs)
            public_pages_changed()  # bulk_create/bulk_update send no post_save
        return {
            "organizations": len(organizations),
            "applications": len(apps),
            "certificates": len(certs),
        }

    # People and organizations -------------------------------------------------------------
    def _person(self, name, group):
        user = User.objects.create(
            email=f"{name}.{self.tag}@scale.test", full_name=name.title(), password="!"
        )
        add_to_role(user, group)
        return user

    def _organizations(self, n_applications):
        count = max(1, -(-n_applications // APPLICATIONS_PER_ORGANIZATION))
        provinces = list(Province.values)
        forms = list(LegalForm.values)
        base = int(self.tag[-7:]) * 100_000
        organizations = [
            Organization(
                legal_name=self._company_name(i),
                legal_form=forms[i % len(forms)],
                nib=f"{(base + i) % 10**13:013d}",
                address=f"Jl. Merdeka No. {i % 300 + 1}, {self.rng.choice(CITIES)}",
                province=self.rng.choice(provinces),
                foreign_owned=i % 11 == 0,
                contact_email=f"contact{i}.{self.tag}@company.test",
                contact_phone="+62 21 3452841",
            )
            for i in range(count)
        ]
        organizations = _bulk(Organization, organizations)
        owners = _bulk(
            User,
            [
                User(
                    email=f"owner{i}.{self.tag}@company.test",
                    full_name=f"Pemilik {i}",
                    password="!",
                )
                for i in range(count)
            ],
        )
        _bulk(
            Membership,
            [
                Membership(user=u, organization=o, role=MembershipRole.OWNER)
                for u, o in zip(owners, organizations, strict=True)
            ],
        )
        return organizations, owners

    def _company_name(self, i):
        start = NAME_START[i % len(NAME_START)]
        end = NAME_END[(i // len(NAME_START)) % len(NAME_END)]
        return f"PT {start} {end} {self.rng.choice(CITIES)} {i}"

    # Applications ------------------------------------------------------------------------
    def _application_states(self, n_applications, n_certificates):
        others = n_applications - n_certificates
        weights = sum(OPEN_STATES.values())
        states = [A.APPROVED] * n_certificates
        # Every state at least once when there are enough rows (small runs list every queue).
        at_least = 1 if others >= len(OPEN_STATES) else 0
        for state, weight in OPEN_STATES.items():
            states += [state] * max(at_least, others * weight // weights)
        states = states[:n_applications]
        states += [A.DRAFT] * (n_applications - len(states))
        self.rng.shuffle(states)
        return states

    def _applications(self, states, organizations, owners):
        rows = []
        for i, state in enumerate(states):
            org_index = i // APPLICATIONS_PER_ORGANIZATION
            organization = organizations[org_index]
            # Submitted over the last five years, the open ones mostly recently.
            days_ago = (
                self.rng.randint(0, 60)
                if state not in (A.APPROVED, A.REJECTED)
                else (self.rng.randint(30, 5 * 365 + 300))
            )
            submitted = (
                None
                if state == A.DRAFT
                else self.now - datetime.timedelta(days=days_ago, minutes=self.rng.randint(0, 1440))
            )
            if state == A.WITHDRAWN and i % 2:
                submitted = None
            rows.append(
                Application(
                    organization=organization,
                    kind=ApplicationKind.NEW,
                    reference=None if submitted is None else f"REG-{self.tag}-{i:07d}",
                    state=state,
                    created_by=owners[org_index],
                    submitted_at=submitted,
                    state_changed_at=self._entered_state(state, submitted, days_ago),
                    company_legal_name=organization.legal_name,
                    company_address=organization.address,
                    company_province=organization.province,
                    agent_seats=self.rng.choice((10, 25, 50, 120, 400)),
                    direction=self.rng.choice(Direction.values),
                    sourcing=self.rng.choice(Sourcing.values),
                    foreign_owned=organization.foreign_owned,
                    return_reason="Lengkapi SOP." if state == A.RETURNED else "",
                    rejection_reason="Tidak memenuhi syarat." if state == A.REJECTED else "",
                )
            )
        apps = _bulk(Application, rows)
        # created_at is auto_now_add: spread it like the submissions (dashboards sort by it).
        for app in apps:
            app.created_at = (app.submitted_at or self.now) - datetime.timedelta(days=2)
        Application.objects.bulk_update(apps, ["created_at"], batch_size=BATCH)
        return apps

    def _entered_state(self, state, submitted, days_ago):
        """When the application entered its state: its submission, or some days after."""
        if submitted is None:
            return self.now
        if state == A.SUBMITTED:
            return submitted
        return submitted + datetime.timedelta(days=self.rng.randint(0, days_ago))

    def _documents(self, apps, owners):
        names = {t: self._tiny_file(t) for t in REQUIRED_DOCUMENT_TYPES}
        submitted = [a for a in apps if a.submitted_at is not None]
        documents = _bulk(
            Document,
            [
                Document(application=a, document_type=t)
                for a in submitted
                for t in REQUIRED_DOCUMENT_TYPES
            ],
        )
        by_app = {a.pk: a for a in submitted}
        versions = []
        for doc in documents:
            app = by_app[doc.application_id]
            # Decided applications had their documents reviewed (a withdrawn one was not).
            reviewed = app.state in REVIEWED or app.state in (A.APPROVED, A.REJECTED)
            rejected = app.state == A.RETURNED and doc.document_type == REQUIRED_DOCUMENT_TYPES[0]
            status = ReviewStatus.ACCEPTED if reviewed else ReviewStatus.PENDING
            if rejected:
                status = ReviewStatus.REJECTED
            versions.append(
                DocumentVersion(
                    document=doc,
                    number=1,
                    file=names[doc.document_type],
                    original_name=f"{doc.document_type}.pdf",
                    size=64,
                    sha256="0" * 64,
                    content_type="application/pdf",
                    uploaded_by_id=app.created_by_id,
                    review_status=status,
                    review_reason="Dokumen tidak terbaca." if rejected else "",
                    reviewed_by=self.staff if status != ReviewStatus.PENDING else None,
                    reviewed_at=self.now if status != ReviewStatus.PENDING else None,
                )
            )
        _bulk(DocumentVersion, versions)
        ids = list(by_app)  # the staff queue's stored flag, kept by the document services
        for start in range(0, len(ids), BATCH):
            batch = Application.objects.filter(pk__in=ids[start : start + BATCH])
            batch.refresh_documents_to_review()

    def _tiny_file(self, document_type):
        name = f"documents/scale-{document_type}.pdf"
        if not default_storage.exists(name):
            name = default_storage.save(name, ContentFile(b"%PDF-1.4\n% scale test document\n"))
        return name

    def _invoices(self, apps):
        submitted = [a for a in apps if a.submitted_at is not None]
        invoices = _bulk(
            Invoice,
            [
                Invoice(
                    application=a,
                    number=f"INV-{self.tag}-{a.pk}",
                    amount=FEE,
                    issued_at=a.submitted_at,
                    due_date=(a.submitted_at + datetime.timedelta(days=14)).date(),
                    paid_at=a.submitted_at + datetime.timedelta(days=3)
                    if a.state in PAID
                    else None,
                    cancelled_at=a.submitted_at + datetime.timedelta(days=1)
                    if a.state == A.WITHDRAWN
                    else None,
                )
                for a in submitted
            ],
        )
        _bulk(
            Payment,
            [
                Payment(
                    invoice=inv,
                    paid_on=inv.paid_at.date(),
                    reference=f"PAY-{inv.pk}",
                    amount=inv.amount,
                    recorded_by=self.staff,
                )
                for inv in invoices
                if inv.paid_at
            ],
        )

    def _inspections(self, apps):
        inspected = [a for a in apps if a.state in INSPECTED]
        outcome = {
            A.INSPECTION_SCHEDULED: I.SCHEDULED,
            A.INSPECTION_FAILED: I.FAILED,
        }
        rows = []
        past = self.now - datetime.timedelta(days=5 * 365)
        upcoming = self.now + datetime.timedelta(days=1)
        for i, app in enumerate(inspected):
            # One inspector's windows never overlap (a constraint on PostgreSQL): each gets
            # every len(inspectors)-th slot of three hours; live ones in the coming weeks.
            slot = datetime.timedelta(hours=3 * (i // len(self.inspectors)))
            start = (upcoming if app.state == A.INSPECTION_SCHEDULED else past) + slot
            rows.append(
                Inspection(
                    application=app,
                    inspector=self.inspectors[i % len(self.inspectors)],
                    state=I.SCHEDULED,  # findings are written while it is open (a trigger)
                    window_start=start,
                    window_end=start + datetime.timedelta(hours=2),
                    scheduled_by=self.staff,
                    contact_name="Budi",
                    contact_phone="+62 21 3452841",
                )
            )
        inspections = _bulk(Inspection, rows)
        by_app = {a.pk: a for a in inspected}
        findings = []
        for inspection in inspections:
            failed = by_app[inspection.application_id].state == A.INSPECTION_FAILED
            for position, requirement in enumerate(Requirement.values):
                result = FindingResult.COMPLIANT
                if failed and position == 0:
                    result = FindingResult.MAJOR
                findings.append(
                    Finding(
                        inspection=inspection,
                        requirement=requirement,
                        position=position,
                        result=result,
                        note="Sesuai." if result == FindingResult.COMPLIANT else "Belum sesuai.",
                    )
                )
        _bulk(Finding, findings)
        # Then close them, by state, with queryset updates (no instance state is touched).
        for app_state, inspection_state in ((A.INSPECTION_FAILED, I.FAILED),):
            Inspection.objects.filter(
                pk__in=[x.pk for x in inspections if by_app[x.application_id].state == app_state]
            ).update(
                state=inspection_state,
                submitted_at=self.now,
                corrective_actions="Perbaiki SOP.",
            )
        closed = [x.pk for x in inspections if by_app[x.application_id].state not in outcome]
        for start in range(0, len(closed), BATCH):
            Inspection.objects.filter(pk__in=closed[start : start + BATCH]).update(
                state=I.PASSED, submitted_at=self.now
            )

    # Certificates ------------------------------------------------------------------------
    def _certificates(self, apps):
        approved = [a for a in apps if a.state == A.APPROVED]
        organizations = {
            o.pk: o
            for o in Organization.objects.filter(pk__in={a.organization_id for a in approved})
        }
        serials = {}
        rows = []
        for app in approved:
            state = self._certificate_state()
            if state == C.EXPIRED:
                issued = self.today - datetime.timedelta(
                    days=self.rng.randint(5 * 365 + 1, 7 * 365)
                )
            else:
                issued = self.today - datetime.timedelta(days=self.rng.randint(0, 5 * 365 - 1))
            year = issued.year
            if year not in serials:
                serials[year] = self._last_serial(year)
            serials[year] += 1
            org = organizations[app.organization_id]
            rows.append(
                Certificate(
                    application=app,
                    organization=org,
                    number=make_number(year, serials[year]),
                    legal_name=org.legal_name,
                    nib=org.nib,
                    address=org.address,
                    province=org.province,
                    agent_seats=app.agent_seats,
                    issued_on=issued,
                    expires_on=_five_years_after(issued) - datetime.timedelta(days=1),
                    issued_by=self.staff,
                    state=state,
                )
            )
        certs = _bulk(Certificate, rows)
        for year, serial in serials.items():
            NumberSequence.objects.update_or_create(year=year, defaults={"last_serial": serial})
        self._renewals(certs)
        return certs

    def _certificate_state(self):
        if self.rng.random() < RENEWED_SHARE:
            return C.SUPERSEDED
        return self.rng.choices(list(CERTIFICATE_STATES), list(CERTIFICATE_STATES.values()))[0]

    def _last_serial(self, year):
        sequence = NumberSequence.objects.filter(year=year).first()
        return sequence.last_serial if sequence else 0

    def _renewals(self, certs):
        """Each superseded certificate is replaced by the next certificate: its application
        becomes a renewal of it."""
        live = [c for c in certs if c.state != C.SUPERSEDED]
        superseded = [c for c in certs if c.state == C.SUPERSEDED]
        successors, applications = [], []
        for old, new in zip(superseded, live, strict=False):
            new.supersedes = old
            successors.append(new)
            applications.append(Application(pk=new.application_id, basis_certificate_id=old.pk))
        Certificate.objects.bulk_update(successors, ["supersedes"], batch_size=BATCH)
        Application.objects.filter(pk__in=[a.pk for a in applications]).update(
            kind=ApplicationKind.RENEWAL
        )
        Application.objects.bulk_update(applications, ["basis_certificate"], batch_size=BATCH)

    def _reminders(self, certs):
        """The 180-day reminder of the active certificates past it, recorded as the scan
        records one (without its audit event and emails: the pages read only the row)."""
        rows = [
            ExpiryReminder(
                certificate=c,
                milestone=180,
                due_on=c.expires_on - datetime.timedelta(days=180),
            )
            for c in certs
            if c.state == C.ACTIVE and 90 < (c.expires_on - self.today).days <= 180
        ]
        _bulk(ExpiryReminder, rows)


def _five_years_after(day):
    try:
        return day.replace(year=day.year + 5)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 5, day=28)


def _bulk(model, rows):
    """bulk_create in batches; returns the rows with their primary keys."""
    created = []
    for start in range(0, len(rows), BATCH):
        created += model.objects.bulk_create(rows[start : start + BATCH])
    return created
