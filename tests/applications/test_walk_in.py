"""Walk-in applications: staff enter a company's application at the office on its behalf."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from applications import services, walkin
from applications.constants import REQUIRED_DOCUMENT_TYPES, ApplicationState, DocumentType
from applications.models import Application
from certificates.services import application_approve
from registrasi.accounts.constants import MembershipRole, Province
from registrasi.accounts.models import Invitation, Organization
from registrasi.accounts.privacy import PRIVACY_NOTICE_VERSION
from registrasi.accounts.services import invitation_accept_as_new_user
from registrasi.audit.models import AuditEvent
from registrasi.services import NotAllowed, run_transition
from tests.applications.factories import (
    ApplicationFactory,
    pdf_upload,
    upload_required_documents,
)
from tests.factories import (
    PASSWORD,
    InspectorFactory,
    OrganizationFactory,
    StaffFactory,
    make_applicant,
)

S = ApplicationState
NIB = "8120000000017"
COMPANY = {
    "legal_name": "PT Suara Pelanggan Nusantara",
    "legal_form": "pt",
    "address": "Jl. Gatot Subroto No. 1, Jakarta Selatan",
    "province": Province.DKI,
    "foreign_owned": False,
    "contact_email": "Direktur@SuaraPelanggan.test",
    "contact_phone": "+62 21 5551234",
}
SITES = [{"address": "Jl. Gatot Subroto No. 1", "province": Province.DKI, "agent_seats": 20}]


@pytest.fixture
def other_staff(db):
    return StaffFactory(full_name="Rina Petugas Kedua")


def start(staff, nib=NIB, company=None, capture=None):
    return walkin.walk_in_start(actor=staff, nib=nib, company=company or COMPANY)


def enter_and_submit(application, staff):
    """What the officer does through the steps: details, a site, the scans, submit."""
    services.application_update_details(
        application=application,
        actor=staff,
        data={"agent_seats": 20, "direction": "inbound", "sourcing": "in_house"},
    )
    services.application_set_sites(application=application, actor=staff, sites=SITES)
    upload_required_documents(application, staff)
    return services.application_submit(application=application, actor=staff)


# Starting ----------------------------------------------------------------------------------


def test_it_registers_the_company_and_starts_a_draft_entered_by_the_officer(
    staff_user, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        application = start(staff_user)
    organization = Organization.objects.get(nib=NIB)
    assert organization.legal_name == COMPANY["legal_name"]
    assert organization.contact_email == "direktur@suarapelanggan.test"
    assert application.organization == organization
    assert application.state == S.DRAFT
    assert application.entered_by == staff_user
    assert application.company_legal_name == COMPANY["legal_name"]
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"organization_registered_at_office", "walk_in_entered", "invitation_created"} <= actions
    invitation = Invitation.objects.get(organization=organization)
    assert invitation.email == "direktur@suarapelanggan.test"
    assert invitation.role == MembershipRole.OWNER
    assert [m.to for m in mailoutbox] == [["direktur@suarapelanggan.test"]]


def test_a_registered_nib_gets_the_application_added_to_its_organization(staff_user):
    owner = make_applicant()
    organization = owner.organization
    application = start(staff_user, nib=organization.nib, company={})
    assert application.organization == organization
    assert Organization.objects.count() == 1
    # It has an owner already: nobody is invited.
    assert not Invitation.objects.exists()


def test_a_second_walk_in_does_not_invite_the_contact_twice(staff_user, other_staff):
    start(staff_user)
    second = start(other_staff, company={})
    assert second.organization.nib == NIB
    assert Invitation.objects.count() == 1
    assert Application.objects.filter(organization__nib=NIB).count() == 2


@pytest.mark.parametrize("nib", ["812000000001", "81200000000171", "81200000000x7", "", "٨١٢"])
def test_it_refuses_a_malformed_nib(staff_user, nib):
    with pytest.raises(ValidationError) as caught:
        start(staff_user, nib=nib)
    assert "nib" in caught.value.message_dict
    assert not Organization.objects.exists()


def test_a_new_nib_needs_the_company_details(staff_user):
    with pytest.raises(ValidationError) as caught:
        walkin.walk_in_start(actor=staff_user, nib=NIB, company={"legal_name": "PT X"})
    assert {"legal_form", "address", "province", "contact_email", "contact_phone"} <= set(
        caught.value.message_dict
    )
    assert not Organization.objects.exists() and not Application.objects.exists()


@pytest.mark.parametrize("who", ["applicant", "inspector", "no_role_user"])
def test_only_staff_start_a_walk_in(request, who):
    with pytest.raises(NotAllowed):
        start(request.getfixturevalue(who))
    assert not Application.objects.filter(organization__nib=NIB).exists()


# Entering through the same steps -----------------------------------------------------------


def test_the_officer_enters_and_submits_through_the_applicants_checks(staff_user):
    application = start(staff_user)
    submitted = enter_and_submit(application, staff_user)
    assert submitted.state == S.SUBMITTED
    assert submitted.reference.startswith("REG-")
    assert submitted.invoice is not None and submitted.invoice.amount > 0
    event = AuditEvent.objects.filter(action="submit").get()
    assert event.actor == staff_user


def test_a_scan_is_checked_by_content(staff_user):
    application = start(staff_user)
    fake = pdf_upload("akta.pdf", content=b"MZ\x90\x00 this is an executable, not a PDF")
    with pytest.raises(ValidationError):
        services.document_upload(
            application=application,
            actor=staff_user,
            document_type=DocumentType.NIB,
            uploaded_file=fake,
        )


def test_submission_still_needs_everything(staff_user):
    application = start(staff_user)
    with pytest.raises(services.SubmissionIncomplete):
        services.application_submit(application=application, actor=staff_user)


def test_another_officer_does_not_act_for_the_company(staff_user, other_staff):
    application = start(staff_user)
    with pytest.raises(NotAllowed):
        services.application_update_details(
            application=application, actor=other_staff, data={"agent_seats": 3}
        )


def test_an_officer_does_not_act_for_a_company_they_did_not_enter(staff_user):
    online = ApplicationFactory()
    with pytest.raises(NotAllowed):
        services.application_update_details(
            application=online, actor=staff_user, data={"agent_seats": 3}
        )


# Separation of duties ----------------------------------------------------------------------


def passed_walk_in(entered_by, reviewer):
    from tests.certificates.factories import _accept_documents_and_pay

    application = enter_and_submit(start(entered_by), entered_by)
    with transaction.atomic():
        application = run_transition(obj=application, name="start_review", actor=reviewer).obj
        _accept_documents_and_pay(application, reviewer)
        for name in ("accept", "schedule"):
            application = run_transition(obj=application, name=name, actor=reviewer).obj
        application = run_transition(
            obj=application, name="record_pass", actor=InspectorFactory()
        ).obj
    return application


def test_the_officer_who_entered_it_cannot_approve_it(staff_user, other_staff):
    application = passed_walk_in(staff_user, other_staff)
    with pytest.raises(NotAllowed):
        application_approve(application=application, actor=staff_user)
    assert Application.objects.get(pk=application.pk).state == S.INSPECTION_PASSED


def test_another_officer_approves_it(staff_user, other_staff):
    application = passed_walk_in(staff_user, other_staff)
    certificate = application_approve(application=application, actor=other_staff)
    assert Application.objects.get(pk=application.pk).state == S.APPROVED
    assert certificate.organization_id == application.organization_id


# The company's contact takes over ----------------------------------------------------------


def invitation_token(mailoutbox):
    match = re.search(r"/invitation/([A-Za-z0-9_\-]+)/", mailoutbox[-1].body)
    assert match, mailoutbox[-1].body
    return match.group(1)


def test_the_contact_accepts_and_follows_the_application_as_owner(
    staff_user, client, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        application = start(staff_user)
    enter_and_submit(application, staff_user)
    user = invitation_accept_as_new_user(
        token=invitation_token(mailoutbox),
        full_name="Direktur Suara",
        password=PASSWORD,
        language="id",
        privacy_version=PRIVACY_NOTICE_VERSION,
    )
    assert user.membership.organization == application.organization
    assert user.membership.role == MembershipRole.OWNER
    client.force_login(user)
    response = client.get(reverse("applications:detail", args=[application.pk]))
    assert response.status_code == 200
    assert staff_user.get_full_name() in response.content.decode()


# Pages ---------------------------------------------------------------------------------------


def test_the_walk_in_page_starts_the_draft_and_leads_to_the_steps(client, staff_user):
    client.force_login(staff_user)
    url = reverse("applications:walk_in")
    assert client.get(url).status_code == 200
    response = client.post(url, {"nib": NIB, **COMPANY})
    application = Application.objects.get(organization__nib=NIB)
    assert response.status_code == 302
    assert response.url == reverse("applications:step", args=[application.pk, "company"])
    assert client.get(response.url).status_code == 200


def test_the_walk_in_page_shows_what_is_wrong(client, staff_user):
    client.force_login(staff_user)
    response = client.post(reverse("applications:walk_in"), {"nib": "12ab", **COMPANY})
    assert response.status_code == 400
    response = client.post(reverse("applications:walk_in"), {"nib": NIB})
    assert response.status_code == 400
    assert "legal_form" in response.context["form"].errors
    assert not Application.objects.exists()


@pytest.mark.parametrize("who", ["applicant", "inspector", "no_role_user"])
def test_the_walk_in_page_is_a_404_for_everyone_but_staff(client, request, who):
    client.force_login(request.getfixturevalue(who))
    url = reverse("applications:walk_in")
    assert client.get(url).status_code == 404
    assert client.post(url, {"nib": NIB, **COMPANY}).status_code == 404
    assert not Organization.objects.filter(nib=NIB).exists()


def test_the_steps_are_the_entering_officers_only(client, staff_user, other_staff):
    application = start(staff_user)
    step = reverse("applications:step", args=[application.pk, "documents"])
    client.force_login(other_staff)
    assert client.get(step).status_code == 302  # to the application page
    client.force_login(staff_user)
    assert client.get(step).status_code == 200


def test_another_organization_does_not_see_the_walk_in(client, staff_user, outsider):
    application = start(staff_user)
    client.force_login(outsider)
    assert client.get(reverse("applications:detail", args=[application.pk])).status_code == 404


def test_the_staff_page_says_who_entered_it_at_the_office(client, staff_user, other_staff):
    application = enter_and_submit(start(staff_user), staff_user)
    client.force_login(other_staff)
    page = client.get(reverse("applications:detail", args=[application.pk])).content.decode()
    assert "Submitted at the office by" in page
    assert staff_user.get_full_name() in page


def test_required_types_are_the_applicants(staff_user):
    # The officer's uploads go to the same required document slots.
    application = start(staff_user)
    upload_required_documents(application, staff_user)
    assert {d.document_type for d in application.documents.all()} == set(REQUIRED_DOCUMENT_TYPES)


def test_an_online_organization_keeps_its_details(staff_user):
    organization = OrganizationFactory(legal_name="PT Lama")
    make_applicant(organization)
    start(staff_user, nib=organization.nib, company={**COMPANY, "legal_name": "PT Baru"})
    organization.refresh_from_db()
    assert organization.legal_name == "PT Lama"
