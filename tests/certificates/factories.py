"""Certificates in every state, reached through the services (never by setting `state`).

    passed_application(organization=org)          # an application whose inspection passed
    make_certificate()                            # approved and issued: active, no PDF yet
    make_certificate("suspended") / "revoked" / "expired" / "superseded"
    make_certificate(with_pdf=True)               # with its signed PDF rendered and stored
    CertificateFactory(revoked=True, organization=org)

The PDF is rendered only with `with_pdf=True`: inside a `db` test on_commit callbacks do not
run, so approving does not render. Rendering needs a signing key: tests/certificates/conftest.py
provides one (the `signing_key` fixture, autouse for tests/certificates).
"""

import datetime

import factory

from applications.constants import (
    REQUIRED_DOCUMENT_TYPES,
    ApplicationKind,
    ApplicationState,
    Direction,
    Sourcing,
)
from applications.models import Application
from certificates import services
from certificates.constants import CertificateState
from certificates.models import Certificate
from registrasi.services import run_transition
from tests.factories import InspectorFactory, OrganizationFactory, StaffFactory

__all__ = [
    "CertificateFactory",
    "make_certificate",
    "passed_application",
    "pass_through_transitions",
    "quick_passed_application",
    "render_pdf_now",
]


def passed_application(organization=None, *, kind=ApplicationKind.NEW, staff=None):
    """An application in inspection_passed: submitted, reviewed, paid, inspected, passed."""
    organization = organization or OrganizationFactory()
    staff = staff or StaffFactory()
    try:
        from tests.inspections.factories import make_inspection
    except ImportError:  # the inspections app not there yet: go through the transitions
        return _passed_through_transitions(organization, kind=kind, staff=staff)
    inspection = make_inspection(
        "passed", organization=organization, kind=kind, staff=staff, inspector=InspectorFactory()
    )
    application = Application.objects.get(pk=inspection.application_id)
    assert application.state == ApplicationState.INSPECTION_PASSED, application.state
    return application


def _passed_through_transitions(organization, *, kind, staff):
    from django.db import transaction

    from tests.applications.factories import ApplicationFactory

    application = ApplicationFactory(
        organization=organization, kind=kind, awaiting_inspection=True, paid=True, staff=staff
    )
    inspector = InspectorFactory()
    with transaction.atomic():
        application = run_transition(obj=application, name="schedule", actor=staff).obj
        application = run_transition(obj=application, name="record_pass", actor=inspector).obj
    return application


def quick_passed_application(
    organization=None, *, kind=ApplicationKind.NEW, staff=None, inspector=None
):
    """An application in inspection_passed reached through the bare transitions (no
    documents, invoice or inspection rows): for tests that need many certificates."""
    from tests.factories import make_applicant

    organization = organization or OrganizationFactory()
    membership = organization.memberships.select_related("user").order_by("pk").first()
    applicant = membership.user if membership else make_applicant(organization, owner=True)
    application = Application.objects.create(
        organization=organization,
        kind=kind,
        created_by=applicant,
        company_legal_name=organization.legal_name,
        company_address=organization.address,
        company_province=organization.province,
        agent_seats=12,
        direction=Direction.INBOUND,
        sourcing=Sourcing.IN_HOUSE,
    )
    return pass_through_transitions(application, staff=staff, inspector=inspector)


def pass_through_transitions(application, *, staff=None, inspector=None):
    """Move a draft `application` to inspection_passed through the bare transitions (submit
    by a member, review and acceptance by staff, a passed inspection by an inspector)."""
    from django.db import transaction
    from django.utils import timezone

    applicant = application.organization.memberships.order_by("pk").first().user
    staff = staff or StaffFactory()
    inspector = inspector or InspectorFactory()

    def submitted(application):
        application.reference = f"REG-T{application.pk:08d}"
        application.submitted_at = timezone.now()

    _upload_missing_documents(application, applicant)
    with transaction.atomic():
        application = run_transition(
            obj=application,
            name="submit",
            actor=applicant,
            before_save=submitted,
            update_fields=["reference", "submitted_at"],
        ).obj
        application = run_transition(obj=application, name="start_review", actor=staff).obj
        _accept_documents_and_pay(application, staff)
        for name in ("accept", "schedule"):
            application = run_transition(obj=application, name=name, actor=staff).obj
        application = run_transition(obj=application, name="record_pass", actor=inspector).obj
    return application


def _upload_missing_documents(application, applicant):
    """One small PDF for each required document the draft has none of (a follow-up carries
    its certificate's documents over)."""
    from applications.models import DocumentVersion
    from tests.applications.factories import upload_required_documents

    present = set(
        DocumentVersion.objects.filter(document__application=application).values_list(
            "document__document_type", flat=True
        )
    )
    missing = [t for t in REQUIRED_DOCUMENT_TYPES if t not in present]
    upload_required_documents(application, applicant, types=missing)


def _accept_documents_and_pay(application, staff):
    """What scheduling and approval check: every current document version accepted and the
    fee invoice paid (issued as on submission)."""
    from applications import services as application_services
    from applications.constants import ReviewStatus
    from tests.applications.factories import current_versions, pay_invoice

    for version in current_versions(application):
        if version.review_status != ReviewStatus.ACCEPTED:
            application_services.document_review(version=version, actor=staff, accepted=True)
    application_services._issue_or_update_invoice(application, staff)
    pay_invoice(application, staff)


def render_pdf_now(certificate):
    """Render, sign and store the PDF in-process (as the task would); returns a fresh copy."""
    services.certificate_render_pdf(certificate_id=certificate.pk)
    return Certificate.objects.get(pk=certificate.pk)


def make_certificate(
    state=CertificateState.ACTIVE,
    *,
    organization=None,
    application=None,
    staff=None,
    with_pdf=False,
    quick=False,
    reason="Complaints about unsolicited calls were confirmed.",
):
    """A certificate in `state`, reached through the services; returns a fresh copy."""
    S = CertificateState
    staff = staff or StaffFactory()
    make = quick_passed_application if quick else passed_application
    if application is None:
        application = make(organization, staff=staff)
    certificate = services.application_approve(application=application, actor=staff)
    if with_pdf:
        certificate = render_pdf_now(certificate)
    if state == S.SUSPENDED:
        services.certificate_suspend(certificate=certificate, actor=staff, reason=reason)
    elif state == S.REVOKED:
        services.certificate_revoke(certificate=certificate, actor=staff, reason=reason)
    elif state == S.EXPIRED:
        after = certificate.expires_on + datetime.timedelta(days=1)
        services.certificates_expire(on=after)
    elif state == S.SUPERSEDED:
        # A change report replaces its certificate at once (a renewal only when it ends).
        change = make(certificate.organization, kind=ApplicationKind.CHANGE, staff=staff)
        services.application_approve(application=change, actor=staff)
    elif state != S.ACTIVE:
        raise ValueError(f"The factory cannot reach {state!r}.")
    certificate = Certificate.objects.get(pk=certificate.pk)
    assert certificate.state == state, certificate.state
    return certificate


class CertificateFactory(factory.Factory):
    """make_certificate as a factory: CertificateFactory(suspended=True, organization=org)."""

    class Meta:
        model = Certificate

    state = CertificateState.ACTIVE
    organization = None
    application = None
    staff = None
    with_pdf = False
    quick = False

    class Params:
        suspended = factory.Trait(state=CertificateState.SUSPENDED)
        revoked = factory.Trait(state=CertificateState.REVOKED)
        expired = factory.Trait(state=CertificateState.EXPIRED)
        superseded = factory.Trait(state=CertificateState.SUPERSEDED)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return make_certificate(kwargs.pop("state"), **kwargs)

    _build = _create
