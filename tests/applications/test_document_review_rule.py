"""Nothing is scheduled or certified on an unreviewed or refused document (issue 9, item 3).

Every required document's current version must be accepted before an inspection is
scheduled and before approval; a new version uploaded later (after a failed inspection,
while waiting for one) goes back to the desk as "to review" and blocks both until reviewed.
"""

import pytest
from django.urls import reverse

from applications import services
from applications.constants import ApplicationState, DocumentType, ReviewStatus
from applications.models import Application, DocumentVersion
from certificates import services as certificate_services
from inspections import services as inspection_services
from inspections.constants import InspectionState
from inspections.models import Inspection
from registrasi.services import NotAllowed
from tests.applications.factories import ApplicationFactory, pdf_upload
from tests.inspections.factories import awaiting_application, make_inspection, window

S = ApplicationState
PRIVACY = DocumentType.DATA_PROTECTION_POLICY


def fresh(application):
    return Application.objects.get(pk=application.pk)


def schedule(application, staff, inspector):
    start, end = window(days=3)
    return inspection_services.inspection_schedule(
        application=application,
        actor=staff,
        inspector=inspector,
        window_start=start,
        window_end=end,
    )


def upload_privacy_v2(application, applicant):
    return services.document_upload(
        application=application,
        actor=applicant,
        document_type=PRIVACY,
        uploaded_file=pdf_upload("privacy-v2.pdf"),
    )


def review(version, staff, accepted=True):
    return services.document_review(
        version=version, actor=staff, accepted=accepted, reason="" if accepted else "Unsigned"
    )


@pytest.fixture
def failed_then_reuploaded(organization, applicant, staff_user, inspector):
    """The issue's reproduction: a failed inspection, then version 2 of the privacy policy,
    then the applicant resubmits for a new inspection."""
    failed = make_inspection(
        InspectionState.FAILED, organization=organization, staff=staff_user, inspector=inspector
    )
    application = fresh(failed.application)
    assert application.state == S.INSPECTION_FAILED
    version = upload_privacy_v2(application, applicant)
    inspection_services.application_resubmit(application=application, actor=applicant)
    return fresh(application), version


# Scheduling ------------------------------------------------------------------------------
def test_a_version_uploaded_after_a_failed_inspection_blocks_scheduling(
    failed_then_reuploaded, staff_user, inspector
):
    application, version = failed_then_reuploaded
    assert version.number == 2 and version.review_status == ReviewStatus.PENDING
    with pytest.raises(services.NotReady, match="version 2 has not been reviewed"):
        schedule(application, staff_user, inspector)
    assert fresh(application).state == S.AWAITING_INSPECTION
    assert Inspection.objects.filter(application=application).count() == 1  # the failed one


def test_scheduling_goes_ahead_once_staff_accept_the_new_version(
    failed_then_reuploaded, staff_user, inspector
):
    application, version = failed_then_reuploaded
    review(version, staff_user)
    inspection = schedule(application, staff_user, inspector)
    assert inspection.state == InspectionState.SCHEDULED
    assert fresh(application).state == S.INSPECTION_SCHEDULED


def test_a_rejected_new_version_blocks_scheduling_until_replaced_and_accepted(
    failed_then_reuploaded, applicant, staff_user, inspector
):
    application, version = failed_then_reuploaded
    review(version, staff_user, accepted=False)
    with pytest.raises(services.NotReady, match="was rejected"):
        schedule(application, staff_user, inspector)
    third = upload_privacy_v2(application, applicant)  # allowed while awaiting inspection
    assert third.number == 3
    with pytest.raises(services.NotReady, match="version 3 has not been reviewed"):
        schedule(application, staff_user, inspector)
    review(third, staff_user)
    assert schedule(application, staff_user, inspector).state == InspectionState.SCHEDULED


def test_an_applicant_may_upload_a_new_version_while_awaiting_inspection_and_it_blocks(
    organization, applicant, staff_user, inspector
):
    application = awaiting_application(organization, staff=staff_user)
    assert services.readiness_blockers(application) == []
    version = upload_privacy_v2(application, applicant)
    assert version.number == 2
    assert services.readiness_blockers(application) == [
        "“Data protection and privacy policy” version 2 has not been reviewed by the ministry yet"
    ]
    with pytest.raises(services.NotReady):
        schedule(application, staff_user, inspector)


def test_an_applicant_may_not_upload_while_the_inspection_is_scheduled(
    organization, applicant, staff_user, inspector
):
    inspection = make_inspection(organization=organization, staff=staff_user, inspector=inspector)
    with pytest.raises(NotAllowed):
        upload_privacy_v2(fresh(inspection.application), applicant)


def test_an_unpaid_invoice_and_a_pending_document_are_both_named(
    organization, applicant, staff_user
):
    application = awaiting_application(organization, staff=staff_user, paid=False)
    upload_privacy_v2(application, applicant)
    blockers = services.readiness_blockers(application)
    assert len(blockers) == 2
    assert "is not paid yet" in blockers[0]
    assert "version 2 has not been reviewed" in blockers[1]


# Staff review after the desk review ------------------------------------------------------
@pytest.mark.parametrize(
    "state,allowed",
    [
        (S.SUBMITTED, False),
        (S.UNDER_REVIEW, True),
        (S.AWAITING_INSPECTION, True),
    ],
)
def test_staff_review_a_document_when_a_version_can_be_waiting(state, allowed, staff_user):
    application = ApplicationFactory(to_state=state, staff=staff_user, paid=True)
    version = DocumentVersion.objects.filter(document__application=application).first()
    if allowed:
        assert review(version, staff_user).review_status == ReviewStatus.ACCEPTED
    else:
        with pytest.raises(NotAllowed):
            review(version, staff_user)
        version.refresh_from_db()
        assert version.review_status == ReviewStatus.PENDING


def test_staff_review_a_new_version_after_a_failed_inspection(
    organization, applicant, staff_user, inspector
):
    failed = make_inspection(
        InspectionState.FAILED, organization=organization, staff=staff_user, inspector=inspector
    )
    version = upload_privacy_v2(fresh(failed.application), applicant)
    assert review(version, staff_user).review_status == ReviewStatus.ACCEPTED


# Approval --------------------------------------------------------------------------------
def _passed(organization, staff, inspector):
    inspection = make_inspection(
        InspectionState.PASSED, organization=organization, staff=staff, inspector=inspector
    )
    return fresh(inspection.application)


def _unreviewed_version_on(application, document_type=PRIVACY):
    """Data as the issue found it: a version no one reviewed on an application whose
    inspection passed (uploaded before this rule existed)."""
    current = DocumentVersion.objects.filter(
        document__application=application, document__document_type=document_type
    ).first()
    return DocumentVersion.objects.create(
        document=current.document,
        number=current.number + 1,
        file=current.file.name,
        original_name="privacy-v2.pdf",
        size=current.size,
        sha256=current.sha256,
        content_type=current.content_type,
        uploaded_by=current.uploaded_by,
    )


def test_approval_is_refused_while_a_current_version_is_not_reviewed(
    organization, staff_user, inspector
):
    application = _passed(organization, staff_user, inspector)
    _unreviewed_version_on(application)
    with pytest.raises(services.NotReady, match="cannot be approved yet"):
        certificate_services.application_approve(application=application, actor=staff_user)
    assert fresh(application).state == S.INSPECTION_PASSED
    assert not _has_certificate(application)


def test_approval_is_refused_while_a_current_version_is_rejected(
    organization, staff_user, inspector
):
    application = _passed(organization, staff_user, inspector)
    version = _unreviewed_version_on(application)
    review(version, staff_user, accepted=False)
    with pytest.raises(services.NotReady, match="was rejected"):
        certificate_services.application_approve(application=application, actor=staff_user)
    assert fresh(application).state == S.INSPECTION_PASSED


def test_approval_goes_ahead_once_every_current_version_is_accepted(
    organization, staff_user, inspector
):
    application = _passed(organization, staff_user, inspector)
    review(_unreviewed_version_on(application), staff_user)
    certificate = certificate_services.application_approve(
        application=application, actor=staff_user
    )
    assert certificate.application_id == application.pk
    assert fresh(application).state == S.APPROVED


def test_after_the_inspection_only_a_rejected_document_can_be_replaced(
    organization, applicant, staff_user, inspector
):
    application = _passed(organization, staff_user, inspector)
    current = DocumentVersion.objects.filter(
        document__application=application, document__document_type=PRIVACY
    ).first()
    review(current, staff_user, accepted=False)
    with pytest.raises(NotAllowed, match="only a document the ministry rejected"):
        services.document_upload(
            application=application,
            actor=applicant,
            document_type=DocumentType.SOP_MANUAL,
            uploaded_file=pdf_upload("sop-v2.pdf"),
        )
    replacement = upload_privacy_v2(application, applicant)
    with pytest.raises(services.NotReady, match="has not been reviewed"):
        certificate_services.application_approve(application=application, actor=staff_user)
    review(replacement, staff_user)
    certificate_services.application_approve(application=application, actor=staff_user)
    assert fresh(application).state == S.APPROVED


def test_the_applicant_page_offers_the_replacement_of_a_rejected_document_only(
    organization, client, applicant, staff_user, inspector
):
    application = _passed(organization, staff_user, inspector)
    current = DocumentVersion.objects.filter(
        document__application=application, document__document_type=PRIVACY
    ).first()
    review(current, staff_user, accepted=False)
    client.force_login(applicant)
    html = client.get(reverse("applications:detail", args=[application.pk])).content.decode()
    assert html.count('class="doc-upload"') == 1
    assert f'id="file-{PRIVACY}"' in html
    assert "was rejected" in html


def _has_certificate(application):
    from certificates.models import Certificate

    return Certificate.objects.filter(application=application).exists()


# The staff queue -------------------------------------------------------------------------
@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


def queue_references(staff_client, **params):
    response = staff_client.get(reverse("applications:staff_queue"), params)
    assert response.status_code == 200
    return [a.reference for a in response.context["page"].object_list]


def test_a_new_version_puts_the_application_back_in_the_staff_queue_to_review(
    failed_then_reuploaded, staff_client, staff_user
):
    application, version = failed_then_reuploaded
    assert application.reference in queue_references(staff_client, state="to_review")
    assert application.reference in queue_references(staff_client)
    html = staff_client.get(reverse("applications:staff_queue")).content.decode()
    assert "data-to-review" in html
    review(version, staff_user)
    assert application.reference not in queue_references(staff_client, state="to_review")
    assert application.reference not in queue_references(staff_client)


def test_an_application_with_everything_reviewed_is_not_in_the_to_review_queue(
    organization, staff_client, staff_user
):
    application = awaiting_application(organization, staff=staff_user)
    assert application.reference not in queue_references(staff_client, state="to_review")


# The pages say what blocks the next step -------------------------------------------------
def test_the_staff_page_says_what_blocks_scheduling_and_offers_the_review(
    failed_then_reuploaded, staff_client
):
    application, version = failed_then_reuploaded
    response = staff_client.get(reverse("applications:detail", args=[application.pk]))
    html = response.content.decode()
    assert 'id="blockers"' in html
    assert "version 2 has not been reviewed by the ministry yet" in html
    assert reverse("applications:review_document", args=[application.pk, version.pk]) in html


def test_the_applicant_page_says_what_blocks_the_inspection(
    failed_then_reuploaded, client, applicant
):
    application, _version = failed_then_reuploaded
    client.force_login(applicant)
    html = client.get(reverse("applications:detail", args=[application.pk])).content.decode()
    assert 'id="blockers"' in html
    assert "version 2 has not been reviewed by the ministry yet" in html
    assert "once the ministry has accepted your documents" in html


def test_the_dashboard_says_the_inspection_waits_for_the_review(
    failed_then_reuploaded, client, applicant, staff_user
):
    application, version = failed_then_reuploaded
    client.force_login(applicant)
    waiting = "once the ministry has accepted your documents"
    assert waiting in client.get(reverse("applications:dashboard")).content.decode()
    review(version, staff_user)
    assert waiting not in client.get(reverse("applications:dashboard")).content.decode()


def test_the_pages_show_no_blockers_when_nothing_blocks(
    organization, client, applicant, staff_user
):
    application = awaiting_application(organization, staff=staff_user)
    client.force_login(applicant)
    html = client.get(reverse("applications:detail", args=[application.pk])).content.decode()
    assert 'id="blockers"' not in html


def test_staff_review_a_new_version_from_the_page_while_awaiting_inspection(
    failed_then_reuploaded, staff_client
):
    application, version = failed_then_reuploaded
    url = reverse("applications:review_document", args=[application.pk, version.pk])
    data = {"expected_state": application.state, f"v{version.pk}-decision": "accept"}
    response = staff_client.post(url, data, follow=True)
    assert response.status_code == 200
    version.refresh_from_db()
    assert version.review_status == ReviewStatus.ACCEPTED


# Tenancy ---------------------------------------------------------------------------------
def test_another_organizations_member_cannot_upload_or_see_the_new_version(
    failed_then_reuploaded, client, outsider
):
    application, version = failed_then_reuploaded
    client.force_login(outsider)
    upload = client.post(
        reverse("applications:upload", args=[application.pk]),
        {"document_type": PRIVACY, "file": pdf_upload(), "expected_state": application.state},
    )
    assert upload.status_code == 404
    download = client.get(reverse("applications:document_download", args=[version.pk]))
    assert download.status_code == 404
    review_url = reverse("applications:review_document", args=[application.pk, version.pk])
    assert client.post(review_url, {f"v{version.pk}-decision": "accept"}).status_code == 404
    assert DocumentVersion.objects.filter(document__application=application).count() == 7
