"""The decision page (the staff application page): the actions this person may take now at
the top, from the lifecycle's own list; document review inline with htmx."""

import re

import pytest
from django.urls import reverse

from applications import decisions, walkin
from applications.constants import ApplicationState, ReviewStatus
from applications.models import Application, DocumentVersion
from certificates.models import Certificate
from tests.applications.factories import ApplicationFactory, current_versions
from tests.applications.test_walk_in import COMPANY, passed_walk_in
from tests.certificates.factories import passed_application
from tests.factories import StaffFactory

S = ApplicationState
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


def page(client, application):
    response = client.get(reverse("applications:detail", args=[application.pk]))
    assert response.status_code == 200
    return response.content.decode()


def offered(html):
    return re.findall(r'data-decision="([a-z_]+)"', html)


def block(html, name):
    """The markup of one decision: from its marker to the next decision or the panel's end."""
    start = html.index(f'data-decision="{name}"')
    rest = html[start + 1 :]
    ends = [i for i in (rest.find("data-decision="), rest.find("</section>")) if i >= 0]
    return html[start : start + 1 + min(ends)]


def test_submitted_offers_only_starting_the_review(staff_client, staff_user):
    application = ApplicationFactory(submitted=True, staff=staff_user)
    assert offered(page(staff_client, application)) == ["start_review"]


def test_under_review_offers_accept_return_and_reject_each_with_its_own_form(
    staff_client, staff_user
):
    application = ApplicationFactory(under_review=True, staff=staff_user)
    html = page(staff_client, application)
    assert offered(html) == ["accept", "return_for_changes", "reject"]
    # The actions come before the sections.
    assert html.index('id="actions"') < html.index('id="documents"') < html.index('id="timeline"')
    accept, give_back, reject = (block(html, n) for n in offered(html))
    assert reverse("applications:accept", args=[application.pk]) in accept
    assert "textarea" not in accept and "waits for an inspection" in accept
    assert 'name="return-reason"' in give_back and "What the applicant must change" in give_back
    assert 'name="reason"' in reject and "Reason for the rejection" in reject
    # The final one is folded and asks again; each says what will happen.
    assert "<summary" in reject and "Confirm: Reject" in reject and "This is final" in reject
    # The reason's length limit is the form field's, written as a plain number (a localised
    # "4.000" would make the browser stop at 4 characters).
    assert 'maxlength="4000"' in give_back and 'maxlength="4000"' in reject
    for form in (accept, give_back, reject):
        assert form.count("<form") == 1
        assert 'name="expected_state" value="under_review"' in form


def test_a_passed_inspection_puts_approval_first(staff_client):
    application = passed_application()
    html = page(staff_client, application)
    assert offered(html) == ["approve", "reject"]
    approve = block(html, "approve")
    assert reverse("certificates:approve", args=[application.pk]) in approve
    assert "certificate is issued now" in approve
    assert html.index('data-decision="approve"') < html.index('id="documents"')


def test_approving_from_the_top_confirms_then_issues_the_certificate(staff_client):
    application = passed_application()
    url = reverse("certificates:approve", args=[application.pk])
    confirmation = staff_client.post(url, {"expected_state": S.INSPECTION_PASSED})
    assert confirmation.status_code == 200
    assert not Certificate.objects.filter(application=application).exists()
    response = staff_client.post(url, {"expected_state": S.INSPECTION_PASSED, "confirm": "1"})
    assert response.status_code == 302
    assert Certificate.objects.filter(application=application).exists()


def test_nothing_to_decide_says_so(staff_client, staff_user):
    application = ApplicationFactory(rejected=True, staff=staff_user)
    html = page(staff_client, application)
    assert offered(html) == []
    assert "data-no-actions" in html


def test_the_list_is_the_lifecycles_for_this_user(staff_user, inspector):
    application = ApplicationFactory(under_review=True, staff=staff_user)
    detail = type("Detail", (), {"blockers": [], "approval_effect": ""})()
    names = [
        d.name
        for d in decisions.decisions_for(application=application, user=staff_user, detail=detail)
    ]
    assert names == ["accept", "return_for_changes", "reject"]
    # Without the desk's permissions the lifecycle lists nothing.
    assert decisions.decisions_for(application=application, user=inspector, detail=detail) == []


def test_a_return_without_reason_reopens_its_own_form_with_the_error(staff_client, staff_user):
    application = ApplicationFactory(under_review=True, staff=staff_user)
    response = staff_client.post(
        reverse("applications:return", args=[application.pk]),
        {"expected_state": application.state, "return-reason": ""},
    )
    assert response.status_code == 400
    give_back = block(response.content.decode(), "return_for_changes")
    assert 'class="errorlist"' in give_back
    assert Application.objects.get(pk=application.pk).state == S.UNDER_REVIEW


# Separation of duties on the page ------------------------------------------------------------


def test_the_officer_who_entered_it_is_not_offered_the_approval(client, staff_user):
    other = StaffFactory()
    application = passed_walk_in(staff_user, other)
    client.force_login(staff_user)
    html = page(client, application)
    assert "approve" not in offered(html)
    assert "data-separation" in html
    client.force_login(other)
    html = page(client, application)
    assert offered(html)[0] == "approve"
    assert "data-separation" not in html


def test_the_entering_officer_continues_a_walk_in_draft_from_the_top(client, staff_user):
    application = walkin.walk_in_start(actor=staff_user, nib="8120000000099", company=COMPANY)
    client.force_login(staff_user)
    html = page(client, application)
    assert offered(html) == ["submit", "withdraw"]
    assert reverse("applications:resume", args=[application.pk]) in html
    client.force_login(StaffFactory())
    assert offered(page(client, application)) == []


# Inline document review ----------------------------------------------------------------------


def review(client, application, version, decision, reason="", **extra):
    return client.post(
        reverse("applications:review_document", args=[application.pk, version.pk]),
        {
            "expected_state": application.state,
            f"v{version.pk}-decision": decision,
            f"v{version.pk}-reason": reason,
        },
        **extra,
    )


def test_an_htmx_review_answers_with_the_row_and_the_summary(staff_client, staff_user):
    application = ApplicationFactory(under_review=True, staff=staff_user)
    version = current_versions(application)[0]
    response = review(staff_client, application, version, "accept", **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html
    assert html.lstrip().startswith("<tr")
    assert f'id="doc-{version.document.document_type}' in html
    assert "was accepted" in html
    assert 'id="summary-area" hx-swap-oob="innerHTML"' in html
    assert "1 of 6 accepted" in html
    assert DocumentVersion.objects.get(pk=version.pk).review_status == ReviewStatus.ACCEPTED


def test_an_htmx_rejection_without_reason_shows_the_error_in_the_row(staff_client, staff_user):
    application = ApplicationFactory(under_review=True, staff=staff_user)
    version = current_versions(application)[0]
    response = review(staff_client, application, version, "reject", **HTMX)
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert DocumentVersion.objects.get(pk=version.pk).review_status == ReviewStatus.PENDING


def test_a_stale_htmx_review_loads_the_page_again(staff_client, staff_user):
    application = ApplicationFactory(under_review=True, staff=staff_user)
    version = current_versions(application)[0]
    response = staff_client.post(
        reverse("applications:review_document", args=[application.pk, version.pk]),
        {"expected_state": S.SUBMITTED, f"v{version.pk}-decision": "accept"},
        **HTMX,
    )
    assert response.status_code == 204
    assert response["HX-Redirect"] == reverse("applications:detail", args=[application.pk])


def test_without_javascript_a_review_reloads_the_page(staff_client, staff_user):
    application = ApplicationFactory(under_review=True, staff=staff_user)
    version = current_versions(application)[0]
    response = review(staff_client, application, version, "accept")
    assert response.status_code == 302


@pytest.mark.parametrize("who", ["applicant", "inspector", "outsider"])
def test_others_cannot_review_inline(client, request, staff_user, who):
    application = ApplicationFactory(under_review=True, staff=staff_user)
    version = current_versions(application)[0]
    user = request.getfixturevalue(who)
    if who == "applicant":
        user = application.created_by
    client.force_login(user)
    response = review(client, application, version, "accept", **HTMX)
    assert response.status_code in (403, 404)
    if who == "outsider":
        assert response.status_code == 404
    assert DocumentVersion.objects.get(pk=version.pk).review_status == ReviewStatus.PENDING


def test_the_page_has_no_inline_script_or_style(staff_client, staff_user):
    application = ApplicationFactory(under_review=True, staff=staff_user)
    html = page(staff_client, application)
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert "<style" not in html
    assert not re.search(r'\sstyle="', html)
    assert not re.search(r"\son[a-z]+=", html)


def test_the_sections_follow_the_summary(staff_client, staff_user):
    application = ApplicationFactory(under_review=True, staff=staff_user)
    html = page(staff_client, application)
    order = [
        'id="summary"',
        'id="actions"',
        'id="company"',
        'id="documents"',
        'id="invoice"',
        'id="inspections"',
        'id="timeline"',
    ]
    positions = [html.index(marker) for marker in order]
    assert positions == sorted(positions)
