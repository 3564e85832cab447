"""The applicant's pages: dashboard, guided flow, uploads, submit, withdraw, application page."""

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from applications import services
from applications.constants import REQUIRED_DOCUMENT_TYPES, ApplicationState, DocumentType
from applications.models import Application, ApplicationSite, DocumentVersion, Invoice
from registrasi.accounts.constants import Province
from registrasi.audit.models import AuditEvent
from tests.applications.factories import (
    HTML_BYTES,
    PDF_BYTES,
    ApplicationFactory,
    pdf_upload,
    upload_required_documents,
)

S = ApplicationState
STALE = "changed by someone else"


def messages_of(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


def follow_messages(response):
    return " ".join(str(m) for m in response.context["messages"])


@pytest.fixture
def applicant_client(client, applicant):
    client.force_login(applicant)
    return client


@pytest.fixture
def draft(organization, applicant):
    """A draft with details and one site, no documents."""
    return ApplicationFactory(organization=organization, created_by=applicant)


@pytest.fixture
def complete_draft(organization, applicant):
    return ApplicationFactory(organization=organization, created_by=applicant, with_documents=True)


def step_url(application, step):
    return reverse("applications:step", args=[application.pk, step])


def fresh(application):
    return Application.objects.get(pk=application.pk)


# Dashboard ---------------------------------------------------------------------------------


def test_dashboard_without_applications_says_how_to_start(applicant_client):
    response = applicant_client.get(reverse("applications:dashboard"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Start your registration" in html or "registrasi" in html.lower()
    assert reverse("applications:new") in html
    assert 'class="empty"' in html


def test_dashboard_lists_the_organizations_applications_with_next_step(
    applicant_client, draft, other_organization
):
    theirs = ApplicationFactory(organization=other_organization)

    response = applicant_client.get(reverse("applications:dashboard"))

    html = response.content.decode()
    assert reverse("applications:detail", args=[draft.pk]) in html
    assert reverse("applications:detail", args=[theirs.pk]) not in html
    # A draft continues where it was left.
    assert reverse("applications:resume", args=[draft.pk]) in html
    assert 'data-state="draft"' in html
    assert reverse("applications:new") in html


def test_dashboard_sends_staff_to_their_own_start_page(client, staff_user):
    client.force_login(staff_user)

    response = client.get(reverse("applications:dashboard"))

    assert response.status_code == 302
    assert response.url == reverse("home")


def test_member_sees_the_organizations_applications(client, member, draft):
    client.force_login(member)

    response = client.get(reverse("applications:dashboard"))

    assert reverse("applications:detail", args=[draft.pk]) in response.content.decode()


# Starting and resuming ---------------------------------------------------------------------


def test_new_application_page_explains_the_steps(applicant_client):
    response = applicant_client.get(reverse("applications:new"))

    assert response.status_code == 200
    assert b"<form" in response.content


def test_starting_an_application_creates_a_prefilled_draft(applicant_client, organization):
    response = applicant_client.post(reverse("applications:new"))

    application = Application.objects.get(organization=organization)
    assert application.state == S.DRAFT
    assert application.company_legal_name == organization.legal_name
    assert response.status_code == 302
    assert response.url == step_url(application, "company")


def test_staff_cannot_start_an_application(client, staff_user):
    client.force_login(staff_user)

    response = client.post(reverse("applications:new"))

    assert response.status_code == 403
    assert not Application.objects.exists()


def test_resume_leads_to_the_first_incomplete_step(applicant_client, draft):
    response = applicant_client.get(reverse("applications:resume", args=[draft.pk]))

    # Details and a site are there; the documents are not.
    assert response.url == step_url(draft, "documents")


def test_resume_of_a_fresh_draft_leads_to_the_company_step(
    applicant_client, applicant, organization
):
    application = services.application_create(organization=organization, actor=applicant)

    response = applicant_client.get(reverse("applications:resume", args=[application.pk]))

    # Its company details are prefilled from the profile: still to be seen and saved.
    assert response.url == step_url(application, "company")


def test_resume_of_a_complete_draft_leads_to_the_review(applicant_client, complete_draft):
    # Everything is declared and uploaded; the fee is still to be seen.
    response = applicant_client.get(reverse("applications:resume", args=[complete_draft.pk]))
    assert response.url == step_url(complete_draft, "fee")

    applicant_client.post(step_url(complete_draft, "fee"), {"expected_state": "draft"})
    response = applicant_client.get(reverse("applications:resume", args=[complete_draft.pk]))

    assert response.url == step_url(complete_draft, "review")


def test_resume_of_a_submitted_application_leads_to_its_page(applicant_client, applicant):
    application = ApplicationFactory(created_by=applicant, submitted=True)

    response = applicant_client.get(reverse("applications:resume", args=[application.pk]))

    assert response.url == reverse("applications:detail", args=[application.pk])


# Steps -------------------------------------------------------------------------------------


@pytest.mark.parametrize("step", ["company", "operation", "documents", "fee", "review"])
def test_each_step_renders_for_the_applicant(applicant_client, draft, step):
    response = applicant_client.get(step_url(draft, step))

    assert response.status_code == 200
    html = response.content.decode()
    # Every step of a draft posts with the state it showed (the fee and documents continue too).
    assert 'name="expected_state" value="draft"' in html


def test_an_unknown_step_is_not_found(applicant_client, draft):
    assert applicant_client.get(step_url(draft, "payment")).status_code == 404


def test_company_step_is_prefilled_from_the_organization(applicant_client, applicant, organization):
    application = services.application_create(organization=organization, actor=applicant)

    response = applicant_client.get(step_url(application, "company"))

    assert organization.legal_name in response.content.decode()


def test_company_step_saves_and_goes_to_the_operation(applicant_client, draft):
    response = applicant_client.post(
        step_url(draft, "company"),
        {
            "expected_state": "draft",
            "company_legal_name": "PT Suara Nusantara",
            "company_address": "Jl. Asia Afrika 8, Bandung",
            "company_province": Province.JABAR,
        },
    )

    assert response.status_code == 302
    assert response.url == step_url(draft, "operation")
    draft = fresh(draft)
    assert draft.company_legal_name == "PT Suara Nusantara"
    assert draft.company_province == Province.JABAR


def test_company_step_shows_errors_and_saves_nothing(applicant_client, draft):
    before = draft.company_legal_name

    response = applicant_client.post(
        step_url(draft, "company"),
        {"expected_state": "draft", "company_legal_name": "", "company_province": "atlantis"},
    )

    assert response.status_code == 200
    assert response.context["form"].errors
    assert b"errorlist" in response.content
    assert fresh(draft).company_legal_name == before


def operation_data(sites, **overrides):
    data = {
        "expected_state": "draft",
        "agent_seats": "120",
        "direction": "both",
        "sourcing": "outsourced",
        "foreign_owned": "on",
        "sites-TOTAL_FORMS": str(len(sites)),
        "sites-INITIAL_FORMS": "0",
        "sites-MIN_NUM_FORMS": "0",
        "sites-MAX_NUM_FORMS": "1000",
    }
    for index, site in enumerate(sites):
        for key, value in site.items():
            data[f"sites-{index}-{key}"] = value
    data.update(overrides)
    return data


def test_operation_step_saves_the_facts_and_the_sites(applicant_client, draft):
    sites = [
        {"address": "Jl. Sudirman 1, Jakarta", "province": Province.DKI, "agent_seats": "80"},
        {"address": "Jl. Pemuda 2, Semarang", "province": Province.JATENG, "agent_seats": "40"},
        {"address": "", "province": "", "agent_seats": ""},  # the blank row is ignored
    ]

    response = applicant_client.post(step_url(draft, "operation"), operation_data(sites))

    assert response.status_code == 302
    assert response.url == step_url(draft, "documents")
    draft = fresh(draft)
    assert (draft.agent_seats, draft.direction, draft.sourcing) == (120, "both", "outsourced")
    assert draft.foreign_owned is True
    assert list(draft.sites.values_list("province", flat=True)) == [Province.DKI, Province.JATENG]


def test_operation_step_keeps_the_sites_when_saved_unchanged(applicant_client, draft):
    page = applicant_client.get(step_url(draft, "operation"))
    formset = page.context["formset"]
    site = draft.sites.get()
    data = operation_data(
        [{"address": site.address, "province": site.province, "agent_seats": site.agent_seats}]
    )
    # As the browser sends it: the saved site is an initial form, the blank row is extra.
    data["sites-INITIAL_FORMS"] = str(formset.initial_form_count())
    data["sites-TOTAL_FORMS"] = str(formset.total_form_count())

    response = applicant_client.post(step_url(draft, "operation"), data)

    assert response.status_code == 302
    assert list(fresh(draft).sites.values_list("address", flat=True)) == [site.address]


def test_operation_step_removes_a_deleted_site(applicant_client, draft):
    sites = [
        {"address": "Jl. Sudirman 1, Jakarta", "province": Province.DKI, "agent_seats": "80"},
        {
            "address": "Jl. Pemuda 2, Semarang",
            "province": Province.JATENG,
            "agent_seats": "40",
            "DELETE": "on",
        },
    ]

    applicant_client.post(step_url(draft, "operation"), operation_data(sites))

    assert list(fresh(draft).sites.values_list("address", flat=True)) == ["Jl. Sudirman 1, Jakarta"]


def test_operation_step_needs_at_least_one_site(applicant_client, draft):
    response = applicant_client.post(step_url(draft, "operation"), operation_data([]))

    assert response.status_code == 200
    assert "at least one site" in response.content.decode()
    assert ApplicationSite.objects.filter(application=draft).count() == 1


def test_operation_step_shows_the_saved_sites(applicant_client, draft):
    response = applicant_client.get(step_url(draft, "operation"))

    assert "Jl. Jenderal Sudirman Kav. 52" in response.content.decode()


def test_fee_step_shows_the_amount_in_rupiah_with_its_breakdown(applicant_client, draft):
    response = applicant_client.get(step_url(draft, "fee"))

    html = response.content.decode()
    # 30 seats, inbound, in-house, one site: the base tier only.
    assert "Rp 5.000.000" in html
    assert "data-fee-total" in html


def test_review_step_names_what_is_missing(applicant_client, draft):
    response = applicant_client.get(step_url(draft, "review"))

    html = response.content.decode()
    assert str(DocumentType.SOP_MANUAL.label) in html
    assert reverse("applications:submit", args=[draft.pk]) in html


def test_steps_of_a_submitted_application_are_read_only(applicant_client, applicant):
    application = ApplicationFactory(created_by=applicant, submitted=True)

    response = applicant_client.get(step_url(application, "company"))

    assert response.status_code == 200
    assert response.context["editable"] is False
    assert b'name="company_legal_name"' not in response.content


def test_editing_a_submitted_application_is_refused_with_a_message(applicant_client, applicant):
    application = ApplicationFactory(created_by=applicant, submitted=True)

    response = applicant_client.post(
        step_url(application, "company"),
        {
            "expected_state": "submitted",
            "company_legal_name": "Changed",
            "company_address": "x",
            "company_province": Province.DKI,
        },
        follow=True,
    )

    assert "cannot be changed" in follow_messages(response)
    assert fresh(application).company_legal_name != "Changed"


def test_a_step_post_from_a_stale_page_is_refused(applicant_client, applicant):
    application = ApplicationFactory(created_by=applicant, submitted=True)

    response = applicant_client.post(
        step_url(application, "company"),
        {
            "expected_state": "draft",
            "company_legal_name": "Changed",
            "company_address": "x",
            "company_province": Province.DKI,
        },
        follow=True,
    )

    assert STALE in follow_messages(response)
    assert "Submitted" in follow_messages(response)
    assert fresh(application).company_legal_name != "Changed"


def test_staff_opening_a_step_page_see_the_application_page(client, staff_user, draft):
    client.force_login(staff_user)

    response = client.get(step_url(draft, "company"))

    assert response.url == reverse("applications:detail", args=[draft.pk])


# Uploads and downloads ---------------------------------------------------------------------


def upload(client, application, document_type, file, expected_state=None):
    return client.post(
        reverse("applications:upload", args=[application.pk]),
        {
            "expected_state": expected_state or application.state,
            "document_type": document_type,
            "file": file,
        },
    )


def test_upload_stores_a_version_and_returns_to_the_documents(applicant_client, draft):
    response = upload(applicant_client, draft, "sop_manual", pdf_upload("SOP 2026.pdf"))

    assert response.status_code == 302
    assert response.url == step_url(draft, "documents")
    version = DocumentVersion.objects.get(document__application=draft)
    assert (version.original_name, version.number) == ("SOP 2026.pdf", 1)


def test_a_second_upload_adds_a_version_and_keeps_the_first(applicant_client, draft):
    upload(applicant_client, draft, "sop_manual", pdf_upload("v1.pdf"))
    upload(applicant_client, draft, "sop_manual", pdf_upload("v2.pdf"))

    response = applicant_client.get(step_url(draft, "documents"))

    html = response.content.decode()
    assert "v2.pdf" in html and "v1.pdf" in html
    assert DocumentVersion.objects.filter(document__application=draft).count() == 2


def test_an_other_document_can_be_added(applicant_client, draft):
    upload(applicant_client, draft, "other", pdf_upload("permit.pdf"))

    response = applicant_client.get(step_url(draft, "documents"))

    assert "permit.pdf" in response.content.decode()


def _stored_files(tmp_path):
    root = tmp_path / "private"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_a_disguised_file_is_refused_in_the_form_and_nothing_is_stored(
    applicant_client, draft, tmp_path
):
    response = upload(
        applicant_client, draft, "sop_manual", pdf_upload("sop.pdf", content=HTML_BYTES)
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "is not a PDF file" in html
    assert 'role="alert"' in html
    assert not DocumentVersion.objects.exists()
    assert _stored_files(tmp_path) == []


def test_a_wrong_extension_is_refused_in_the_form(applicant_client, draft):
    response = upload(
        applicant_client, draft, "sop_manual", pdf_upload("sop.exe", content=PDF_BYTES)
    )

    assert response.status_code == 400
    assert ".exe are not accepted" in response.content.decode()
    assert not DocumentVersion.objects.exists()


def test_an_upload_without_a_file_shows_an_error(applicant_client, draft):
    response = applicant_client.post(
        reverse("applications:upload", args=[draft.pk]),
        {"expected_state": "draft", "document_type": "sop_manual"},
    )

    assert response.status_code == 400
    assert response.context["upload_form"].errors["file"]
    assert not DocumentVersion.objects.exists()


def test_an_upload_to_a_submitted_application_is_refused(applicant_client, applicant):
    application = ApplicationFactory(created_by=applicant, submitted=True)
    before = DocumentVersion.objects.count()

    response = upload(applicant_client, application, "sop_manual", pdf_upload())

    assert response.status_code == 302
    assert DocumentVersion.objects.count() == before


def test_a_member_downloads_a_document(applicant_client, applicant, draft):
    [version] = upload_required_documents(draft, applicant, types=["sop_manual"])

    response = applicant_client.get(reverse("applications:document_download", args=[version.pk]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF_BYTES
    assert "attachment" in response["Content-Disposition"]


def test_staff_download_any_document(client, staff_user, applicant, draft):
    [version] = upload_required_documents(draft, applicant, types=["sop_manual"])
    client.force_login(staff_user)

    response = client.get(reverse("applications:document_download", args=[version.pk]))

    assert response.status_code == 200
    assert default_storage.exists(version.file.name)


# Submit, resubmit, withdraw ----------------------------------------------------------------


def submit(client, application, expected_state="draft"):
    return client.post(
        reverse("applications:submit", args=[application.pk]),
        {"expected_state": expected_state},
        follow=True,
    )


def test_submitting_issues_the_invoice_and_shows_the_fee(applicant_client, complete_draft):
    response = submit(applicant_client, complete_draft)

    application = fresh(complete_draft)
    assert application.state == S.SUBMITTED
    assert "submitted" in follow_messages(response)
    html = response.content.decode()
    assert application.invoice.number in html
    assert "Rp 5.000.000" in html


def test_submitting_an_incomplete_draft_names_what_is_missing(applicant_client, draft):
    response = submit(applicant_client, draft)

    assert fresh(draft).state == S.DRAFT
    messages = follow_messages(response)
    assert str(DocumentType.NIB.label) in messages
    assert str(DocumentType.DEED_OF_ESTABLISHMENT.label) in messages
    assert not Invoice.objects.exists()


def test_a_double_clicked_submit_only_submits_once(applicant_client, complete_draft):
    submit(applicant_client, complete_draft)
    response = submit(applicant_client, complete_draft)

    assert "You already did this" in follow_messages(response)
    assert fresh(complete_draft).state == S.SUBMITTED
    assert AuditEvent.objects.filter(action="submit").count() == 1
    assert Invoice.objects.count() == 1


def test_staff_cannot_submit_for_the_applicant(client, staff_user, complete_draft):
    client.force_login(staff_user)

    response = client.post(
        reverse("applications:submit", args=[complete_draft.pk]), {"expected_state": "draft"}
    )

    assert response.status_code == 404  # registrasi.access: an object's URL
    assert fresh(complete_draft).state == S.DRAFT


def test_the_withdraw_page_asks_for_confirmation(applicant_client, draft):
    response = applicant_client.get(reverse("applications:withdraw", args=[draft.pk]))

    assert response.status_code == 200
    assert 'name="expected_state" value="draft"' in response.content.decode()
    assert fresh(draft).state == S.DRAFT


def test_withdrawing_after_confirmation(applicant_client, draft):
    response = applicant_client.post(
        reverse("applications:withdraw", args=[draft.pk]),
        {"expected_state": "draft", "reason": "We merged with another company."},
        follow=True,
    )

    assert fresh(draft).state == S.WITHDRAWN
    assert "withdrawn" in follow_messages(response)
    assert "We merged with another company." in response.content.decode()


def test_a_rejected_application_cannot_be_withdrawn(applicant_client, applicant):
    application = ApplicationFactory(created_by=applicant, rejected=True)

    page = applicant_client.get(reverse("applications:withdraw", args=[application.pk]))
    response = applicant_client.post(
        reverse("applications:withdraw", args=[application.pk]),
        {"expected_state": "rejected"},
        follow=True,
    )

    assert page.status_code == 302
    assert fresh(application).state == S.REJECTED
    assert "not possible" in follow_messages(response)


def test_staff_cannot_withdraw_for_the_applicant(client, staff_user, draft):
    client.force_login(staff_user)

    response = client.post(
        reverse("applications:withdraw", args=[draft.pk]), {"expected_state": "draft"}
    )

    assert response.status_code == 404  # registrasi.access: an object's URL
    assert fresh(draft).state == S.DRAFT


# The applicant's application page ----------------------------------------------------------


def test_application_page_shows_timeline_and_invoice(applicant_client, applicant):
    application = ApplicationFactory(created_by=applicant, submitted=True)

    response = applicant_client.get(reverse("applications:detail", args=[application.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert application.invoice.number in html
    assert 'class="timeline"' in html
    assert "Submitted" in html
    assert "Rp 5.000.000" in html


def test_application_page_after_a_return_says_exactly_what_to_fix(applicant_client, applicant):
    application = ApplicationFactory(created_by=applicant, returned=True)

    response = applicant_client.get(reverse("applications:detail", args=[application.pk]))

    html = response.content.decode()
    assert 'id="what-to-fix"' in html
    assert "Please send a readable NIB." in html
    assert "Unreadable scan" in html
    assert reverse("applications:resume", args=[application.pk]) in html


def test_a_returned_application_can_be_corrected_and_submitted_again(applicant_client, applicant):
    application = ApplicationFactory(created_by=applicant, returned=True)
    rejected = [
        v
        for v in DocumentVersion.objects.filter(document__application=application)
        if v.is_rejected
    ][0]
    upload(
        applicant_client,
        application,
        rejected.document.document_type,
        pdf_upload("readable.pdf"),
    )

    response = submit(applicant_client, application, expected_state="returned")

    assert fresh(application).state == S.SUBMITTED
    assert "again" in follow_messages(response)


def test_every_required_document_has_a_row(applicant_client, draft):
    response = applicant_client.get(step_url(draft, "documents"))

    html = response.content.decode()
    for document_type in REQUIRED_DOCUMENT_TYPES:
        assert f'data-type="{document_type}"' in html


@pytest.mark.parametrize("who", ["applicant", "member", "staff_user"])
def test_the_application_page_renders_for_each_role(client, request, who, applicant):
    application = ApplicationFactory(
        organization=applicant.organization, created_by=applicant, submitted=True
    )
    client.force_login(request.getfixturevalue(who))

    response = client.get(reverse("applications:detail", args=[application.pk]))

    assert response.status_code == 200
    template = "staff_detail" if who == "staff_user" else "detail"
    assert f"applications/{template}.html" in [t.name for t in response.templates]


def test_an_upload_from_a_stale_page_is_refused(applicant_client, applicant):
    application = ApplicationFactory(created_by=applicant, submitted=True)
    before = DocumentVersion.objects.count()

    response = applicant_client.post(
        reverse("applications:upload", args=[application.pk]),
        {"expected_state": "draft", "document_type": "sop_manual", "file": pdf_upload()},
        follow=True,
    )

    assert STALE in follow_messages(response)
    assert DocumentVersion.objects.count() == before
