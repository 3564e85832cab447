"""What the public may learn about a certificate: by its number, or from a PDF file.

Only the company as certified (name, province, validity) and the certificate's status are
given out: no person's name, email or phone, no NIB.
"""

import datetime
import hashlib
import re
from dataclasses import dataclass

from django.db.models import Case, CharField, F, Q, Value, When

from certificates.constants import (
    REGISTRY_STATES,
    STATE_TO_STATUS,
    CertificateState,
    VerificationStatus,
)
from certificates.models import Certificate
from certificates.numbers import check_number, normalize
from registrasi.dates import local_date, today

S = CertificateState
V = VerificationStatus


# However long a chain of change reports and renewals grows, verification stops here.
MAX_CHAIN = 100


@dataclass(frozen=True)
class ChainStep:
    """One certificate on the way from the number checked to the certificate in force now."""

    certificate: Certificate
    status: str
    since: datetime.date | None = None

    @property
    def status_label(self) -> str:
        return str(V(self.status).label)


@dataclass(frozen=True)
class VerificationResult:
    status: str
    number: str  # canonical form when it has the shape of a number, else what was typed
    certificate: Certificate | None = None
    since: datetime.date | None = None  # for suspended, revoked, expired, superseded
    replacement: Certificate | None = None  # the newer certificate, when superseded
    # From the certificate checked to the latest that replaced it, in order (one step when
    # it was never replaced; empty when no certificate was found).
    chain: tuple = ()

    @property
    def current(self) -> Certificate | None:
        """The latest certificate of the chain: the one in force now, if any is."""
        return self.chain[-1].certificate if self.chain else None

    @property
    def current_status(self) -> str | None:
        return self.chain[-1].status if self.chain else None

    @property
    def current_since(self) -> datetime.date | None:
        return self.chain[-1].since if self.chain else None

    @property
    def current_status_label(self) -> str:
        return self.chain[-1].status_label if self.chain else ""

    @property
    def was_replaced(self) -> bool:
        return len(self.chain) > 1

    @property
    def is_valid(self) -> bool:
        return self.status == V.VALID

    @property
    def found(self) -> bool:
        return self.certificate is not None

    @property
    def status_label(self) -> str:
        return str(V(self.status).label)

    # What a verification page shows: the company as certified, nothing personal.
    @property
    def legal_name(self):
        return self.certificate.legal_name if self.certificate else ""

    @property
    def province(self):
        return self.certificate.get_province_display() if self.certificate else ""

    @property
    def issued_on(self):
        return self.certificate.issued_on if self.certificate else None

    @property
    def expires_on(self):
        return self.certificate.expires_on if self.certificate else None


def status_of(certificate: Certificate, on: datetime.date | None = None) -> tuple[str, object]:
    """(status, since) of `certificate` on `on` (default today in Jakarta).

    An active certificate whose validity passed reads as expired at once, before the daily
    scan moves its state.
    """
    on = on or today()
    changed_on = local_date(certificate.state_changed_at)
    if certificate.state in (S.ACTIVE, S.SUSPENDED) and certificate.expires_on < on:
        return V.EXPIRED, certificate.expires_on + datetime.timedelta(days=1)
    if certificate.state == S.EXPIRED:
        return V.EXPIRED, certificate.expires_on + datetime.timedelta(days=1)
    status = STATE_TO_STATUS[certificate.state]
    return status, (None if status == V.VALID else changed_on)


def verify_number(raw: str) -> VerificationResult:
    """The status of the certificate numbered `raw` (typed by anyone, in any shape)."""
    shaped = normalize(raw or "")
    number = check_number(raw or "")
    if number is None:
        return VerificationResult(status=V.MISTYPED, number=shaped or (raw or "").strip()[:60])
    certificate = Certificate.objects.filter(number=number).first()
    if certificate is None:
        return VerificationResult(status=V.UNKNOWN, number=number)
    chain = chain_from(certificate)
    first = chain[0]
    return VerificationResult(
        status=first.status,
        number=number,
        certificate=certificate,
        since=first.since,
        replacement=chain[1].certificate if len(chain) > 1 else None,
        chain=tuple(chain),
    )


def chain_from(certificate: Certificate, on: datetime.date | None = None) -> list[ChainStep]:
    """`certificate` and every certificate that replaced it since, in order, each with its
    status on `on`: the last one is the certificate in force now (or the latest, when it is
    no longer in force). One query per step."""
    on = on or today()
    steps, seen = [], set()
    while certificate is not None and certificate.pk not in seen and len(steps) < MAX_CHAIN:
        seen.add(certificate.pk)
        status, since = status_of(certificate, on)
        successor = _successor(certificate, status, on)
        if successor is not None and certificate.state in (S.ACTIVE, S.SUSPENDED):
            # Past its last day, before the daily scan handed over: the renewal in effect
            # replaces it (the scan will record that in the state shortly). A certificate
            # renewed after it lapsed stays expired, and the chain goes on to its renewal.
            status, since = V.SUPERSEDED, successor.effective_from
        steps.append(ChainStep(certificate=certificate, status=status, since=since))
        certificate = successor
    return steps


def _successor(certificate, status, on):
    """The certificate that replaced `certificate` by `on`, or None."""
    if certificate.state == S.SUPERSEDED:
        return certificate.superseded_by.order_by("-pk").first()
    if status == V.EXPIRED:
        # Past its last day: the renewal that took effect since follows it.
        successor = certificate.superseded_by.order_by("-pk").first()
        if successor is not None and successor.effective_from <= on:
            return successor
    return None


@dataclass(frozen=True)
class PdfVerification:
    is_pdf: bool
    issued_here: bool = False  # byte for byte a PDF this service issued
    signature_valid: bool = False  # signed with the project's key, intact, whole file
    signed_here: bool = False  # signed by the project's key, whether or not changed since
    certificate: Certificate | None = None
    result: VerificationResult | None = None

    @property
    def unaltered(self) -> bool:
        return self.issued_here and self.signature_valid

    @property
    def altered(self) -> bool:
        """The portal signed it, but the file was changed afterwards."""
        return self.signed_here and not self.unaltered

    @property
    def status(self) -> str | None:
        return self.result.status if self.result else None


def verify_pdf(data: bytes) -> PdfVerification:
    """Was this file issued here, is it unaltered, and what is its certificate's status today?

    A file counts as issued here when its SHA-256 equals a stored certificate PDF's; it is
    unaltered when, besides, its signature validates against the project's signing
    certificate and covers the whole file. `signed_here` alone tells an altered certificate
    from a file the portal never signed.
    """
    from certificates.signing import check_signature

    if not data or data.lstrip()[:5] != b"%PDF-":
        return PdfVerification(is_pdf=False)
    digest = hashlib.sha256(data).hexdigest()
    certificate = Certificate.objects.filter(pdf_sha256=digest).first()
    signature = check_signature(data)
    if certificate is None:
        return PdfVerification(
            is_pdf=True, signature_valid=signature.valid, signed_here=signature.signed_here
        )
    return PdfVerification(
        is_pdf=True,
        issued_here=True,
        signature_valid=signature.valid,
        signed_here=signature.signed_here,
        certificate=certificate,
        result=verify_number(certificate.number),
    )


def with_public_status(queryset, on: datetime.date | None = None):
    """Annotate `public_status`: the state, except that an active certificate past its
    validity reads as expired (the daily scan may not have run yet)."""
    on = on or today()
    return queryset.annotate(
        public_status=Case(
            When(
                state__in=(S.ACTIVE, S.SUSPENDED),
                expires_on__lt=on,
                then=Value(S.EXPIRED.value),
            ),
            default=F("state"),
            output_field=CharField(),
        )
    )


NIB_SEPARATORS = re.compile(r"[\s.\-]")


def nib_digits(query: str) -> str:
    """The 13 digits of an NIB typed with spaces, dots or dashes, else "" (exact match only:
    a part of an NIB names no company)."""
    digits = NIB_SEPARATORS.sub("", query)
    return digits if len(digits) == 13 and digits.isascii() and digits.isdigit() else ""


def registry(*, query: str = "", province: str = "", state: str = ""):
    """The public register: certified call centers (active, suspended, revoked, expired),
    searchable by company name, certificate number or NIB. One query per page; no joins."""
    queryset = with_public_status(Certificate.objects.filter(state__in=REGISTRY_STATES))
    query = (query or "").strip()
    if query:
        number = normalize(query)
        match = Q(legal_name__icontains=query) | Q(number__icontains=query)
        if number:
            match |= Q(number=number)
        nib = nib_digits(query)
        if nib:
            match |= Q(nib=nib)
        queryset = queryset.filter(match)
    if province:
        queryset = queryset.filter(province=province)
    if state:
        queryset = queryset.filter(public_status=state)
    # The columns the page shows; the order matches the partial index of migration 0007.
    columns = ("number", "legal_name", "province", "state", "state_changed_at", "issued_on")
    columns += ("expires_on",)
    return queryset.only(*columns).order_by("legal_name", "-issued_on", "pk")
