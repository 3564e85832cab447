"""One rule for a person whose role may not use a page (registrasi.access): an object's URL
answers 404, as for an object the person cannot see, even when they may read the object on
another page; a page without an object whose existence is public (a list of another role, a
form to start something) answers 403."""

import pytest
from django.urls import reverse

from tests.applications.factories import ApplicationFactory, current_versions
from tests.certificates.factories import make_certificate
from tests.inspections.factories import awaiting_application, make_inspection


@pytest.fixture
def objects(applicant, staff_user, inspector):
    """One of each object, all of the applicant's organization; the inspection is the
    inspector's."""
    organization = applicant.organization
    under_review = ApplicationFactory(created_by=applicant, under_review=True, staff=staff_user)
    awaiting = awaiting_application(organization, staff=staff_user)
    return {
        "draft": ApplicationFactory(created_by=applicant),
        "under_review": under_review,
        "version": current_versions(under_review)[0],
        "awaiting": awaiting,
        "inspection": make_inspection(application=awaiting, staff=staff_user, inspector=inspector),
        "certificate": make_certificate(organization=organization, staff=staff_user),
    }


def _url(name, objects, *keys):
    return reverse(name, args=[objects[key].pk for key in keys])


# (who, method, URL name, the objects in its path)
WRONG_ROLE = [
    # The desk's actions, asked by the applicant of the application.
    ("applicant", "post", "applications:start_review", ["under_review"]),
    ("applicant", "post", "applications:return", ["under_review"]),
    ("applicant", "post", "applications:accept", ["under_review"]),
    ("applicant", "get", "applications:reject", ["under_review"]),
    ("applicant", "post", "applications:review_document", ["under_review", "version"]),
    ("applicant", "get", "inspections:create", ["awaiting"]),
    ("applicant", "get", "inspections:detail", ["inspection"]),
    ("applicant", "get", "inspections:reschedule", ["inspection"]),
    ("applicant", "get", "inspections:cancel", ["inspection"]),
    ("applicant", "get", "certificates:approve", ["awaiting"]),
    ("applicant", "get", "certificates:suspend", ["certificate"]),
    ("applicant", "get", "certificates:revoke", ["certificate"]),
    ("applicant", "get", "certificates:fine", ["certificate"]),
    ("applicant", "post", "certificates:render_again", ["certificate"]),
    # The applicant's actions, asked by a ministry officer.
    ("staff_user", "post", "applications:submit", ["draft"]),
    ("staff_user", "get", "applications:withdraw", ["draft"]),
    ("staff_user", "post", "applications:upload", ["draft"]),
    ("staff_user", "get", "inspections:resubmit", ["awaiting"]),
    ("staff_user", "get", "inspections:submit", ["inspection"]),
    ("staff_user", "post", "inspections:findings", ["inspection"]),
    # The desk's and the applicant's actions, asked by the inspector of the application.
    ("inspector", "post", "applications:start_review", ["under_review"]),
    ("inspector", "post", "applications:accept", ["awaiting"]),
    ("inspector", "post", "applications:withdraw", ["awaiting"]),
    ("inspector", "get", "inspections:reschedule", ["inspection"]),
    ("inspector", "get", "inspections:resubmit", ["awaiting"]),
]


@pytest.mark.parametrize(("who", "method", "name", "keys"), WRONG_ROLE)
def test_a_wrong_role_gets_404_on_an_objects_url(client, request, objects, who, method, name, keys):
    client.force_login(request.getfixturevalue(who))

    response = getattr(client, method)(_url(name, objects, *keys), {"expected_state": "x"})

    assert response.status_code == 404


def test_staff_get_404_on_the_organizations_follow_up(client, staff_user, objects):
    client.force_login(staff_user)
    url = reverse("certificates:start_follow_up", args=[objects["certificate"].pk, "change"])

    assert client.post(url).status_code == 404


@pytest.mark.parametrize(
    ("who", "name"),
    [
        ("applicant", "applications:staff_queue"),
        ("applicant", "inspections:calendar"),
        ("inspector", "inspections:overdue"),
        ("staff_user", "applications:new"),
    ],
)
def test_a_wrong_role_gets_403_on_a_public_page_of_another_role(client, request, who, name):
    client.force_login(request.getfixturevalue(who))

    assert client.get(reverse(name)).status_code == 403
