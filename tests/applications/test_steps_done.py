"""The guided flow marks a step done only when it is (issue 15, point 6): the facts or
documents it asks for are there AND the applicant went through it (saved or continued past
it). Prefilled facts (from the organization's profile, or a certificate for a renewal or a
change report) do not make a step done by themselves."""

import datetime
import importlib
import re

import pytest
from django.urls import reverse

from applications import selectors, services, walkin
from applications.models import Application
from certificates import keeping
from registrasi.accounts.constants import Province
from tests.applications.factories import ApplicationFactory, upload_required_documents
from tests.certificates.factories import make_certificate

COMPANY = {
    "company_legal_name": "PT Contoh Layanan",
    "company_address": "Jl. Merdeka No. 1, Jakarta Pusat",
    "company_province": Province.DKI,
}
OPERATION = {"agent_seats": 30, "direction": "inbound", "sourcing": "in_house"}
SITES = [
    {"address": "Jl. Merdeka No. 1, Jakarta Pusat", "province": Province.DKI, "agent_seats": 30}
]
ALL_STEPS = {"company", "operation", "documents", "fee"}


@pytest.fixture
def applicant_client(client, applicant):
    client.force_login(applicant)
    return client


def status_of(application):
    application = Application.objects.get(pk=application.pk)
    return selectors.step_status(detail=selectors.application_detail(application=application))


def done(application):
    return {name for name, finished in status_of(application).items() if finished}


def step_url(application, step):
    return reverse("applications:step", args=[application.pk, step])


def ticked(html):
    """The names of the steps the step list shows as done."""
    return set(re.findall(r'<li class="[^"]*\bdone\b[^"]*">\s*<a href="[^"]*/step/(\w+)/', html))


@pytest.fixture
def fresh_draft(organization, applicant):
    return services.application_create(organization=organization, actor=applicant)


def test_a_new_draft_shows_no_step_done(fresh_draft):
    # The company facts are prefilled from the organization's profile: complete, not seen.
    assert fresh_draft.company_legal_name and fresh_draft.company_province

    assert done(fresh_draft) == set()


def test_a_new_draft_page_ticks_no_step(applicant_client, fresh_draft):
    for step in ("company", "fee"):
        html = applicant_client.get(step_url(fresh_draft, step)).content.decode()

        assert ticked(html) == set(), step
        assert "(complete)" not in html


def test_saving_the_company_step_marks_it_done(applicant_client, fresh_draft):
    response = applicant_client.post(
        step_url(fresh_draft, "company"), {**COMPANY, "expected_state": "draft"}
    )

    assert response.status_code == 302
    assert done(fresh_draft) == {"company"}
    html = applicant_client.get(step_url(fresh_draft, "operation")).content.decode()
    assert ticked(html) == {"company"}


def test_resume_of_a_fresh_draft_starts_at_the_company(applicant_client, fresh_draft):
    response = applicant_client.get(reverse("applications:resume", args=[fresh_draft.pk]))

    assert response.url == step_url(fresh_draft, "company")


def complete_facts(application, actor):
    services.application_update_details(
        application=application, actor=actor, data={**COMPANY, **OPERATION}
    )
    services.application_set_sites(application=application, actor=actor, sites=SITES)


def test_the_fee_step_is_done_only_once_the_applicant_continued_past_it(
    applicant_client, fresh_draft, applicant
):
    complete_facts(fresh_draft, applicant)
    assert done(fresh_draft) == {"company", "operation"}

    # Looking at the page is not confirming it.
    applicant_client.get(step_url(fresh_draft, "fee"))
    assert "fee" not in done(fresh_draft)

    response = applicant_client.post(step_url(fresh_draft, "fee"), {"expected_state": "draft"})

    assert response.status_code == 302
    assert response.url == step_url(fresh_draft, "review")
    assert done(fresh_draft) == {"company", "operation", "fee"}


def test_the_fee_page_continues_with_a_form(applicant_client, fresh_draft, applicant):
    complete_facts(fresh_draft, applicant)

    html = applicant_client.get(step_url(fresh_draft, "fee")).content.decode()

    assert re.search(r'<form method="post"[^>]*>', html)
    assert 'name="expected_state" value="draft"' in html


def test_confirming_the_fee_before_the_facts_are_complete_does_not_tick_it(
    applicant_client, fresh_draft
):
    applicant_client.post(step_url(fresh_draft, "fee"), {"expected_state": "draft"})

    assert "fee" not in done(fresh_draft)


def test_a_changed_fee_must_be_seen_again(applicant_client, fresh_draft, applicant):
    complete_facts(fresh_draft, applicant)
    services.application_confirm_step(application=fresh_draft, actor=applicant, step="fee")
    assert "fee" in done(fresh_draft)

    # Same facts again: the fee did not change, it stays confirmed.
    complete_facts(fresh_draft, applicant)
    assert "fee" in done(fresh_draft)

    services.application_update_details(
        application=fresh_draft, actor=applicant, data={"agent_seats": 300}
    )

    assert "fee" not in done(fresh_draft)


def test_a_changed_number_of_sites_must_have_its_fee_seen_again(fresh_draft, applicant):
    complete_facts(fresh_draft, applicant)
    services.application_confirm_step(application=fresh_draft, actor=applicant, step="fee")

    services.application_set_sites(application=fresh_draft, actor=applicant, sites=SITES * 2)

    assert "fee" not in done(fresh_draft)


def test_documents_are_done_once_all_are_uploaded(fresh_draft, applicant):
    complete_facts(fresh_draft, applicant)
    assert "documents" not in done(fresh_draft)

    upload_required_documents(fresh_draft, applicant)

    assert "documents" in done(fresh_draft)


def test_submitting_confirms_every_step(applicant):
    application = ApplicationFactory(created_by=applicant, submitted=True)

    assert set(Application.objects.get(pk=application.pk).confirmed_steps) == ALL_STEPS


def test_a_returned_application_keeps_its_steps_done(applicant):
    application = ApplicationFactory(created_by=applicant, returned=True)

    # The rejected document must be replaced; every other step stays done.
    assert done(application) == {"company", "operation", "fee"}


def test_another_organizations_member_cannot_confirm_a_step(
    client, fresh_draft, other_organization
):
    from tests.factories import make_applicant

    client.force_login(make_applicant(other_organization, owner=True))

    response = client.post(step_url(fresh_draft, "fee"), {"expected_state": "draft"})

    assert response.status_code == 404
    assert Application.objects.get(pk=fresh_draft.pk).confirmed_steps == []


def test_confirming_an_unknown_step_is_refused(fresh_draft, applicant):
    with pytest.raises(ValueError):
        services.application_confirm_step(application=fresh_draft, actor=applicant, step="review")


# Follow-ups and walk-ins ------------------------------------------------------------------
@pytest.mark.parametrize("start", ["renewal", "change"])
def test_a_follow_up_prefilled_from_its_certificate_shows_no_step_done(
    applicant, staff_user, start
):
    certificate = make_certificate(organization=applicant.organization, staff=staff_user)
    if start == "change":
        follow_up = keeping.application_start_change(certificate=certificate, actor=applicant)
    else:
        today = certificate.expires_on - datetime.timedelta(days=30)
        follow_up = keeping.application_start_renewal(
            certificate=certificate, actor=applicant, today=today
        )

    # Facts, sites and documents came over from the certificate: complete, not confirmed.
    assert follow_up.agent_seats and follow_up.sites.exists()
    assert done(follow_up) == set()

    # Continuing past the documents step (nothing new to upload) confirms it.
    services.application_confirm_step(application=follow_up, actor=applicant, step="documents")
    assert done(follow_up) == {"documents"}


def test_the_documents_step_continues_with_a_form_that_confirms_it(applicant_client, fresh_draft):
    html = applicant_client.get(step_url(fresh_draft, "documents")).content.decode()
    assert 'name="expected_state" value="draft"' in html

    response = applicant_client.post(
        step_url(fresh_draft, "documents"), {"expected_state": "draft"}
    )

    assert response.url == step_url(fresh_draft, "fee")
    assert Application.objects.get(pk=fresh_draft.pk).confirmed_steps == ["documents"]
    # Confirmed, but the required documents are still missing: not done.
    assert "documents" not in done(fresh_draft)


def test_a_walk_in_for_a_company_registered_just_now_has_its_company_step_done(staff_user):
    company = {
        "legal_name": "PT Suara Pelanggan Nusantara",
        "legal_form": "pt",
        "address": "Jl. Gatot Subroto No. 1, Jakarta Selatan",
        "province": Province.DKI,
        "foreign_owned": False,
        "contact_email": "direktur@suarapelanggan.test",
        "contact_phone": "+62 21 5551234",
    }

    application = walkin.walk_in_start(actor=staff_user, nib="8120000000017", company=company)

    # The officer typed these facts a moment ago; the operation is still to be entered.
    assert done(application) == {"company"}


def test_a_walk_in_for_a_known_company_shows_no_step_done(staff_user, organization):
    application = walkin.walk_in_start(actor=staff_user, nib=organization.nib)

    assert done(application) == set()


# The data migration ---------------------------------------------------------------------
def test_the_migration_confirms_the_steps_of_existing_applications(applicant, staff_user):
    from django.apps import apps as global_apps

    migration = importlib.import_module("applications.migrations.0015_confirmed_steps")
    submitted = ApplicationFactory(created_by=applicant, submitted=True)
    withdrawn = ApplicationFactory(created_by=applicant, withdrawn=True)
    complete = ApplicationFactory(created_by=applicant)
    prefilled = services.application_create(organization=applicant.organization, actor=applicant)
    no_site = ApplicationFactory(created_by=applicant, sites=[])
    # Rows as they were before the field existed.
    Application.objects.update(confirmed_steps=[])

    migration.confirm_existing(global_apps, None)

    steps = dict(Application.objects.values_list("pk", "confirmed_steps"))
    for application in (submitted, withdrawn, complete):
        assert set(steps[application.pk]) == ALL_STEPS, application.state
    assert steps[prefilled.pk] == steps[no_site.pk] == []
    # What was done before is still done.
    assert done(complete) == {"company", "operation", "fee"}
    assert done(prefilled) == set()
