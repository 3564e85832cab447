"""Keeping a certificate: change reports and renewals (services, rules, prefill, submission,
fee, lifecycle up to a passed inspection, the organization record update)."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction
from django.utils import translation

from applications import kinds, selectors, services
from applications.constants import (
    COMPANY_FIELDS,
    ApplicationKind,
    ApplicationState,
    DocumentType,
    ReviewStatus,
)
from applications.kinds import RENEWAL_WINDOW_DAYS
from applications.models import Application, DocumentVersion
from certificates import keeping
from certificates import selectors as certificate_selectors
from certificates import services as certificate_services
from certificates.constants import CertificateState
from certificates.keeping import renewal_window_opens
from registrasi.audit.models import AuditEvent
from registrasi.services import NotAllowed
from tests.applications.factories import (
    pay_invoice,
    pdf_upload,
    review_all_documents,
)
from tests.certificates.factories import make_certificate
from tests.inspections.factories import make_inspection

S = ApplicationState
JAKARTA = ZoneInfo("Asia/Jakarta")


def noon(day):
    """Midday in Jakarta on `day` (the ministry's date, whatever the server's zone)."""
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=JAKARTA)


def fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


@pytest.fixture
def certificate(applicant, staff_user):
    """An active certificate of `organization`, issued on a complete application (details,
    one site, the six required documents accepted, inspected)."""
    return make_certificate(organization=applicant.organization, staff=staff_user)


@pytest.fixture
def change(certificate, applicant):
    return keeping.application_start_change(certificate=certificate, actor=applicant)


# Change reports: which certificates ---------------------------------------------------------------


def test_it_starts_a_change_report_for_an_active_certificate(certificate, applicant):
    application = keeping.application_start_change(certificate=certificate, actor=applicant)

    assert application.kind == ApplicationKind.CHANGE
    assert application.state == S.DRAFT
    assert application.basis_certificate == certificate
    assert application.organization_id == certificate.organization_id
    event = AuditEvent.objects.for_object(application).get(action="create")
    assert event.data["basis_certificate"] == certificate.number
    assert event.data["kind"] == "change"
    # Until a change is approved the certificate stays as it is.
    assert fresh(certificate).state == CertificateState.ACTIVE


def test_it_starts_a_change_report_for_a_suspended_certificate(applicant, staff_user):
    certificate = make_certificate(
        "suspended", organization=applicant.organization, staff=staff_user, quick=True
    )

    application = keeping.application_start_change(certificate=certificate, actor=applicant)

    assert application.basis_certificate == certificate


@pytest.mark.parametrize(
    ("state", "words"),
    [("revoked", "was revoked on"), ("superseded", "was replaced by a newer certificate")],
)
def test_it_refuses_a_change_report_for_a_revoked_or_superseded_certificate(
    applicant, staff_user, state, words
):
    certificate = make_certificate(
        state, organization=applicant.organization, staff=staff_user, quick=True
    )

    with pytest.raises(NotAllowed) as refused:
        keeping.application_start_change(certificate=certificate, actor=applicant)

    assert words in refused.value.message
    assert certificate.number in refused.value.message
    assert not Application.objects.filter(basis_certificate=certificate).exists()


def test_it_refuses_a_change_report_once_the_certificate_expired(applicant, staff_user):
    certificate = make_certificate(
        organization=applicant.organization, staff=staff_user, quick=True
    )

    with (
        time_machine.travel(noon(certificate.expires_on + datetime.timedelta(days=1))),
        pytest.raises(NotAllowed) as refused,
    ):
        keeping.application_start_change(certificate=certificate, actor=applicant)

    assert "Start a renewal instead" in refused.value.message


def test_it_refuses_a_follow_up_to_a_member_of_another_organization(certificate, outsider):
    with pytest.raises(NotAllowed):
        keeping.application_start_change(certificate=certificate, actor=outsider)
    with time_machine.travel(noon(renewal_window_opens(certificate))), pytest.raises(NotAllowed):
        keeping.application_start_renewal(certificate=certificate, actor=outsider)
    assert not Application.objects.filter(basis_certificate=certificate).exists()


def test_it_refuses_staff_starting_a_change_report(certificate, staff_user):
    with pytest.raises(NotAllowed):
        keeping.application_start_change(certificate=certificate, actor=staff_user)


def test_a_member_who_is_not_the_owner_may_report_a_change(certificate, member):
    application = keeping.application_start_change(certificate=certificate, actor=member)

    assert application.created_by == member


# Renewals: the window -----------------------------------------------------------------------------


@pytest.mark.parametrize(("days_before", "allowed"), [(181, False), (180, True), (179, True)])
def test_a_renewal_opens_180_days_before_expiry(certificate, applicant, days_before, allowed):
    day = certificate.expires_on - datetime.timedelta(days=days_before)

    with time_machine.travel(noon(day)):
        if allowed:
            application = keeping.application_start_renewal(
                certificate=certificate, actor=applicant
            )
            assert application.kind == ApplicationKind.RENEWAL
            assert application.basis_certificate == certificate
        else:
            with pytest.raises(NotAllowed) as refused:
                keeping.application_start_renewal(certificate=certificate, actor=applicant)
            opens = certificate.expires_on - datetime.timedelta(days=RENEWAL_WINDOW_DAYS)
            assert "A renewal of certificate" in refused.value.message
            # The date from which it is possible, as the page formats dates.
            from django.utils import formats

            assert formats.date_format(opens, "DATE_FORMAT") in refused.value.message


def test_a_renewal_is_refused_today_with_the_date_it_opens(certificate, applicant):
    with pytest.raises(NotAllowed) as refused:
        keeping.application_start_renewal(certificate=certificate, actor=applicant)

    assert "A renewal of certificate" in refused.value.message
    assert renewal_window_opens(certificate) == certificate.expires_on - datetime.timedelta(
        days=180
    )


def test_a_renewal_is_possible_after_expiry(applicant, staff_user):
    certificate = make_certificate(
        "expired", organization=applicant.organization, staff=staff_user, quick=True
    )
    later = certificate.expires_on + datetime.timedelta(days=40)

    with time_machine.travel(noon(later)):
        application = keeping.application_start_renewal(certificate=certificate, actor=applicant)

    assert application.kind == ApplicationKind.RENEWAL
    assert fresh(certificate).state == CertificateState.EXPIRED


def test_an_active_certificate_past_its_date_can_be_renewed_before_the_daily_scan(
    certificate, applicant
):
    with time_machine.travel(noon(certificate.expires_on + datetime.timedelta(days=2))):
        application = keeping.application_start_renewal(certificate=certificate, actor=applicant)

    assert application.basis_certificate == certificate


@pytest.mark.parametrize("state", ["revoked", "superseded"])
def test_it_refuses_a_renewal_for_a_revoked_or_superseded_certificate(applicant, staff_user, state):
    certificate = make_certificate(
        state, organization=applicant.organization, staff=staff_user, quick=True
    )

    with (
        time_machine.travel(noon(renewal_window_opens(certificate))),
        pytest.raises(NotAllowed) as refused,
    ):
        keeping.application_start_renewal(certificate=certificate, actor=applicant)

    assert certificate.number in refused.value.message


def test_the_renewal_check_passes_an_explicit_date(certificate):
    opens = renewal_window_opens(certificate)

    day_before = opens - datetime.timedelta(days=1)
    assert not keeping.can_start(certificate, kinds.RENEWAL, today=day_before)
    assert keeping.can_start(certificate, kinds.RENEWAL, today=opens)
    assert keeping.can_start(certificate, kinds.CHANGE)


# One open follow-up per certificate ---------------------------------------------------------------


def test_only_one_follow_up_is_open_per_certificate(certificate, applicant, change):
    with pytest.raises(NotAllowed) as refused:
        keeping.application_start_change(certificate=certificate, actor=applicant)
    assert "already open" in refused.value.message

    with time_machine.travel(noon(renewal_window_opens(certificate))), pytest.raises(NotAllowed):
        keeping.application_start_renewal(certificate=certificate, actor=applicant)

    assert Application.objects.filter(basis_certificate=certificate).count() == 1


def test_a_withdrawn_follow_up_makes_room_for_a_new_one(certificate, applicant, change):
    services.application_withdraw(application=change, actor=applicant)

    again = keeping.application_start_change(certificate=certificate, actor=applicant)

    assert again.pk != change.pk


def test_the_database_refuses_a_second_open_follow_up(certificate, applicant, change):
    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.create(
            organization=certificate.organization,
            kind=ApplicationKind.RENEWAL,
            basis_certificate=certificate,
            created_by=applicant,
        )


def test_the_database_refuses_a_new_registration_with_a_basis_certificate(certificate, applicant):
    with pytest.raises(IntegrityError), transaction.atomic():
        Application.objects.create(
            organization=certificate.organization,
            kind=ApplicationKind.NEW,
            basis_certificate=certificate,
            created_by=applicant,
        )


# Prefill ------------------------------------------------------------------------------------------


def test_a_change_report_is_prefilled_from_the_certificates_application(certificate, change):
    basis = certificate.application
    for name in COMPANY_FIELDS:
        assert getattr(change, name) == getattr(basis, name), name
    assert [(s.address, s.province, s.agent_seats) for s in change.sites.all()] == [
        (s.address, s.province, s.agent_seats) for s in basis.sites.all()
    ]


def test_a_change_report_carries_the_documents_over_as_references_with_their_review(
    certificate, change
):
    basis_versions = {
        v.document.document_type: v
        for v in DocumentVersion.objects.filter(document__application=certificate.application)
    }
    carried = list(DocumentVersion.objects.filter(document__application=change))

    assert len(carried) == len(basis_versions) == 6
    for version in carried:
        original = basis_versions[version.document.document_type]
        assert version.carried_from == original
        # The same stored file: nothing copied.
        assert version.file.name == original.file.name
        assert version.sha256 == original.sha256
        assert version.review_status == ReviewStatus.ACCEPTED
        assert version.number == 1


def test_a_renewal_carries_the_documents_over_for_a_new_review(certificate, applicant):
    with time_machine.travel(noon(renewal_window_opens(certificate))):
        renewal = keeping.application_start_renewal(certificate=certificate, actor=applicant)

    versions = DocumentVersion.objects.filter(document__application=renewal)
    assert versions.count() == 6
    assert {v.review_status for v in versions} == {ReviewStatus.PENDING}
    assert all(v.carried_from_id for v in versions)
    assert services.submission_problems(renewal) == []


def test_the_carried_documents_can_be_downloaded_from_the_follow_up(client, applicant, change):
    version = DocumentVersion.objects.filter(document__application=change).first()
    client.force_login(applicant)

    from django.urls import reverse

    response = client.get(reverse("applications:document_download", args=[version.pk]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")


# Submitting a change report -----------------------------------------------------------------------


def test_an_unchanged_change_report_cannot_be_submitted(change, applicant):
    problems = services.submission_problems(change)
    assert any("the change itself" in p for p in problems)

    with pytest.raises(services.SubmissionIncomplete):
        services.application_submit(application=change, actor=applicant)


def test_a_change_report_with_a_changed_fact_can_be_submitted(change, applicant):
    services.application_update_details(
        application=change, actor=applicant, data={"agent_seats": 45}
    )

    submitted = services.application_submit(application=change, actor=applicant)

    assert submitted.state == S.SUBMITTED
    labels = [d.label for d in selectors.application_detail(application=submitted).differences]
    assert labels == ["Agent seats"]


def test_a_change_report_with_changed_sites_can_be_submitted(change, applicant):
    sites = [{"address": "Jl. Asia Afrika 8, Bandung", "province": "jawa_barat", "agent_seats": 20}]
    services.application_set_sites(application=change, actor=applicant, sites=sites)

    assert services.submission_problems(change) == []


def test_a_change_report_with_only_a_new_document_can_be_submitted(change, applicant):
    services.document_upload(
        application=change,
        actor=applicant,
        document_type=DocumentType.SOP_MANUAL,
        uploaded_file=pdf_upload("sop-2027.pdf"),
    )

    submitted = services.application_submit(application=change, actor=applicant)

    assert submitted.state == S.SUBMITTED


def test_a_change_report_needs_only_the_documents_concerned(applicant, staff_user):
    # A certificate issued on an application without documents (quick factory).
    certificate = make_certificate(
        organization=applicant.organization, staff=staff_user, quick=True
    )
    change = keeping.application_start_change(certificate=certificate, actor=applicant)
    services.application_set_sites(
        application=change,
        actor=applicant,
        sites=[{"address": "Jl. Braga 1, Bandung", "province": "jawa_barat", "agent_seats": 12}],
    )
    change = services.application_update_details(
        application=change, actor=applicant, data={"direction": "inbound", "sourcing": "in_house"}
    )

    problems = services.submission_problems(change)

    assert problems == []


def test_a_new_registration_still_needs_every_required_document(applicant):
    application = services.application_create(organization=applicant.organization, actor=applicant)

    problems = services.submission_problems(application)

    assert any("Business identification number (NIB)" in p for p in problems)
    assert any("Deed of establishment" in p for p in problems)


# Fee ----------------------------------------------------------------------------------------------


def test_a_change_report_pays_the_flat_administrative_fee(change, applicant):
    services.application_update_details(
        application=change, actor=applicant, data={"agent_seats": 450}
    )

    submitted = services.application_submit(application=change, actor=applicant)

    assert submitted.invoice.amount == 1_000_000
    quote = services.fee_quote(application=submitted)
    assert quote.total == 1_000_000
    assert len(quote.lines) == 1


def test_a_renewal_pays_the_registration_schedule(certificate, applicant):
    with time_machine.travel(noon(renewal_window_opens(certificate))):
        renewal = keeping.application_start_renewal(certificate=certificate, actor=applicant)

    quote = services.fee_quote(application=renewal)

    # 30 seats, one site, inbound, in-house: the first tier of the default schedule.
    assert quote.total == 5_000_000


def test_the_change_report_fee_follows_the_active_schedule(change):
    from applications.models import FeeSchedule

    FeeSchedule.objects.filter(is_active=True).update(change_report_fee=750_000)

    assert services.fee_quote(application=change).total == 750_000


# The lifecycle of a change report -----------------------------------------------------------------


def test_a_change_report_goes_through_review_payment_and_inspection(
    certificate, change, applicant, staff_user
):
    services.application_update_details(
        application=change,
        actor=applicant,
        data={"company_legal_name": "PT Suara Baru Nusantara", "agent_seats": 60},
    )
    services.document_upload(
        application=change,
        actor=applicant,
        document_type=DocumentType.DATA_PROTECTION_POLICY,
        uploaded_file=pdf_upload("privacy-2027.pdf"),
    )
    services.application_submit(application=change, actor=applicant)
    services.application_start_review(application=change, actor=staff_user)

    # Only the new document waits for a review; the carried ones were accepted already.
    pending = services.unaccepted_documents(fresh(change))
    assert pending == [str(DocumentType.DATA_PROTECTION_POLICY.label)]
    review_all_documents(change, staff_user)
    services.application_accept(application=change, actor=staff_user)
    pay_invoice(change, staff_user)

    inspection = make_inspection("passed", application=fresh(change), staff=staff_user)

    change = fresh(change)
    assert inspection.application_id == change.pk
    assert change.state == S.INSPECTION_PASSED
    # The certificate in force is untouched until the approval.
    assert fresh(certificate).state == CertificateState.ACTIVE
    assert fresh(certificate).legal_name != "PT Suara Baru Nusantara"


def test_scheduling_a_change_reports_inspection_needs_the_paid_invoice(
    certificate, change, applicant, staff_user
):
    from inspections.services import SchedulingRefused

    services.application_update_details(
        application=change, actor=applicant, data={"agent_seats": 31}
    )
    services.application_submit(application=change, actor=applicant)
    services.application_start_review(application=change, actor=staff_user)
    services.application_accept(application=change, actor=staff_user)

    with pytest.raises(SchedulingRefused):
        make_inspection(application=fresh(change), staff=staff_user)


# The organization record --------------------------------------------------------------------------


def passed_change(change, applicant, staff_user, data):
    services.application_update_details(application=change, actor=applicant, data=data)
    services.application_submit(application=change, actor=applicant)
    services.application_start_review(application=change, actor=staff_user)
    services.application_accept(application=change, actor=staff_user)
    pay_invoice(change, staff_user)
    make_inspection("passed", application=fresh(change), staff=staff_user)
    return fresh(change)


def test_an_approved_change_updates_the_organization_record(
    change, applicant, staff_user, organization
):
    change = passed_change(
        change,
        applicant,
        staff_user,
        {
            "company_legal_name": "PT Suara Baru Nusantara",
            "company_address": "Jl. Thamrin 1, Jakarta Pusat",
            "company_province": "jawa_barat",
            "foreign_owned": True,
        },
    )

    with transaction.atomic():
        updated = keeping.organization_apply_change(application=change, actor=staff_user)

    organization.refresh_from_db()
    assert updated.pk == organization.pk
    assert organization.legal_name == "PT Suara Baru Nusantara"
    assert organization.address == "Jl. Thamrin 1, Jakarta Pusat"
    assert organization.province == "jawa_barat"
    assert organization.foreign_owned is True
    event = AuditEvent.objects.for_object(organization).get(action="organization_change_applied")
    assert event.actor == staff_user
    assert event.data["legal_name"]["new"] == "PT Suara Baru Nusantara"


def test_the_organization_update_is_refused_to_the_applicant(change, applicant, staff_user):
    change = passed_change(change, applicant, staff_user, {"agent_seats": 44})

    with pytest.raises(NotAllowed):
        keeping.organization_apply_change(application=change, actor=applicant)


def test_the_organization_update_is_refused_before_the_inspection_passed(change, staff_user):
    with pytest.raises(NotAllowed):
        keeping.organization_apply_change(application=change, actor=staff_user)


def test_the_organization_update_is_refused_for_a_new_registration(certificate, staff_user):
    with pytest.raises(NotAllowed):
        keeping.organization_apply_change(application=certificate.application, actor=staff_user)


def test_approving_a_change_report_supersedes_the_certificate(
    certificate, change, applicant, staff_user
):
    """The reissue itself belongs to certificates.services; this checks the two fit."""
    change = passed_change(change, applicant, staff_user, {"agent_seats": 70})

    new = certificate_services.application_approve(application=change, actor=staff_user)

    assert fresh(certificate).state == CertificateState.SUPERSEDED
    assert new.agent_seats == 70
    # The next follow-up goes from the new certificate.
    again = keeping.application_start_change(certificate=new, actor=applicant)
    assert again.basis_certificate == new
    with pytest.raises(NotAllowed):
        keeping.application_start_change(certificate=fresh(certificate), actor=applicant)


# The dashboard's selector -------------------------------------------------------------------------


def test_the_dashboard_lists_certificates_with_their_possible_actions(
    certificate, applicant, other_organization, staff_user
):
    make_certificate(organization=other_organization, staff=staff_user, quick=True)
    revoked = make_certificate(
        "revoked", organization=applicant.organization, staff=staff_user, quick=True
    )

    rows = certificate_selectors.applicant_certificates(user=applicant)

    # A revoked certificate stays in view (issue 9), with nothing it can be used for.
    assert [row.certificate for row in rows] == [revoked, certificate]
    row = rows[1]
    assert row.option(kinds.CHANGE).allowed
    assert not row.option(kinds.RENEWAL).allowed
    assert row.option(kinds.RENEWAL).opens == renewal_window_opens(certificate)
    assert row.option(kinds.CHANGE).opens is None
    assert not any(option.allowed for option in rows[0].options)


def test_the_dashboard_shows_the_open_follow_up_instead_of_the_buttons(
    certificate, applicant, change
):
    rows = certificate_selectors.applicant_certificates(user=applicant)

    assert rows[0].open_follow_up.pk == change.pk
    assert not rows[0].option(kinds.CHANGE).allowed


# Two members at once (PostgreSQL row locks) -------------------------------------------------------


@pytest.mark.skipif(connection.vendor != "postgresql", reason="real row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_members_starting_a_change_at_once_open_exactly_one():
    import threading

    from certificates.models import Certificate
    from tests.applications.test_concurrency import _wait_for_blocked_backends
    from tests.factories import make_applicant

    owner = make_applicant()
    member = make_applicant(owner.organization, owner=False)
    certificate = make_certificate(organization=owner.organization, quick=True)
    results = [None, None]

    def run(index, actor):
        try:
            with translation.override("en"):
                results[index] = keeping.application_start_change(
                    certificate=Certificate.objects.get(pk=certificate.pk), actor=actor
                )
        except Exception as exc:  # collected and asserted on below
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate([owner, member])]
    with transaction.atomic():
        # Hold the certificate row so both starts queue on the same lock.
        Certificate.objects.select_for_update().get(pk=certificate.pk)
        for thread in threads:
            thread.start()
        queued = _wait_for_blocked_backends(2)
    for thread in threads:
        thread.join(timeout=30)

    assert queued, results
    started = [r for r in results if isinstance(r, Application)]
    refused = [r for r in results if isinstance(r, NotAllowed)]
    assert len(started) == 1 and len(refused) == 1, results
    assert "already open" in refused[0].message
    assert Application.objects.filter(basis_certificate=certificate).count() == 1


# After an approved renewal ------------------------------------------------------------------------


def test_a_renewed_certificate_cannot_be_renewed_or_changed_again(
    certificate, applicant, staff_user
):
    with time_machine.travel(noon(certificate.expires_on - datetime.timedelta(days=100))):
        renewal = keeping.application_start_renewal(certificate=certificate, actor=applicant)
        services.application_submit(application=renewal, actor=applicant)
        services.application_start_review(application=renewal, actor=staff_user)
        review_all_documents(renewal, staff_user)
        services.application_accept(application=renewal, actor=staff_user)
        pay_invoice(renewal, staff_user)
        make_inspection("passed", application=fresh(renewal), staff=staff_user)
        renewed = certificate_services.application_approve(
            application=fresh(renewal), actor=staff_user
        )

        # The basis stays valid until it ends; the renewed one starts the day after.
        assert fresh(certificate).state == CertificateState.ACTIVE
        for start in (keeping.application_start_renewal, keeping.application_start_change):
            with pytest.raises(NotAllowed) as refused:
                start(certificate=fresh(certificate), actor=applicant)
            assert "already been renewed" in refused.value.message
        rows = certificate_selectors.applicant_certificates(user=applicant)
        assert [row.certificate.pk for row in rows] == [renewed.pk]
        # Changes are reported on the renewed certificate.
        assert keeping.can_start(renewed, kinds.CHANGE)


# More rules ---------------------------------------------------------------------------------------


def test_a_suspended_certificate_can_be_renewed_in_its_window(applicant, staff_user):
    certificate = make_certificate(
        "suspended", organization=applicant.organization, staff=staff_user, quick=True
    )

    with time_machine.travel(noon(renewal_window_opens(certificate))):
        renewal = keeping.application_start_renewal(certificate=certificate, actor=applicant)

    assert renewal.basis_certificate == certificate


def test_a_renewal_still_needs_every_required_document(applicant, staff_user):
    # Issued on an application without documents: nothing to carry over. (Approval needs
    # accepted documents, so the certificate row is made directly.)
    from tests.certificates.test_views import quick_certificate

    certificate = quick_certificate(applicant.organization)

    with time_machine.travel(noon(renewal_window_opens(certificate))):
        renewal = keeping.application_start_renewal(certificate=certificate, actor=applicant)

    problems = services.submission_problems(renewal)
    assert any("Business identification number (NIB)" in p for p in problems)
    assert any("Deed of establishment" in p for p in problems)
    assert not any("the change itself" in p for p in problems)


def test_the_next_step_speaks_of_the_change_report(change):
    assert "documents concerned" in selectors.next_step(change)


def test_blank_declared_values_never_blank_the_organization_record(
    change, applicant, staff_user, organization
):
    change = passed_change(change, applicant, staff_user, {"agent_seats": 33})
    # A declared value left empty (possible on older drafts) keeps the record's value.
    Application.objects.filter(pk=change.pk).update(company_address="")
    before = organization.address

    with transaction.atomic():
        keeping.organization_apply_change(application=fresh(change), actor=staff_user)

    organization.refresh_from_db()
    assert organization.address == before
    assert not AuditEvent.objects.for_object(organization).filter(
        action="organization_change_applied"
    )
