"""List pages run a fixed number of queries, however many rows they show."""

import pytest
from django.urls import reverse

from tests.applications.factories import ApplicationFactory
from tests.bulk import copies_of_application

# Session, user, groups, membership, then the page's own reads (applications, their invoices;
# certificates with their open follow-up; the certificate each application earned, for its
# state beside "approved"): pinned so that a query per row (an N+1) fails here.
DASHBOARD_QUERIES = 8
# Staff sessions also load their verified second-factor device (django-otp) on every request.
QUEUE_QUERIES = 7


def make_applications(count, organization, applicant, staff_user):
    """A mix: mostly drafts, every fifth submitted (with an invoice). One of each through the
    factory, the others copies of it (tests.bulk)."""
    submitted = -(-count // 5)
    for is_submitted, how_many in ((True, submitted), (False, count - submitted)):
        first = ApplicationFactory(
            organization=organization,
            created_by=applicant,
            submitted=is_submitted,
            staff=staff_user,
        )
        copies_of_application(first, how_many - 1)


@pytest.mark.parametrize("count", [5, 50])
def test_the_dashboard_query_count_does_not_grow_with_rows(
    client, applicant, organization, staff_user, django_assert_num_queries, count
):
    make_applications(count, organization, applicant, staff_user)
    client.force_login(applicant)

    with django_assert_num_queries(DASHBOARD_QUERIES):
        response = client.get(reverse("applications:dashboard"))

    assert response.status_code == 200
    assert len(response.context["applications"]) == count


@pytest.mark.parametrize("count", [5, 50])
def test_the_staff_queue_query_count_does_not_grow_with_rows(
    client, staff_user, organization, applicant, django_assert_num_queries, count
):
    first = ApplicationFactory(
        organization=organization, created_by=applicant, submitted=True, staff=staff_user
    )
    copies_of_application(first, count - 1)  # tests.bulk: with invoices and billing codes
    client.force_login(staff_user)

    with django_assert_num_queries(QUEUE_QUERIES):
        response = client.get(reverse("applications:staff_queue"))

    assert response.status_code == 200
    assert len(response.context["page"].object_list) == min(count, 25)
