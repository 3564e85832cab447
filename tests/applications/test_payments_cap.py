"""The staff payments page counts at most a capped number of billing codes (issue 14): the
paid codes grow with every application, and the page counted them all on every view (for
its "Page 1 of N"). Past the cap it says "more than …"; the search and the exports reach the
rest. The cap is lowered here instead of writing 1,001 rows."""

import pytest
from django.urls import reverse

from registrasi.pagination import CappedPaginator
from tests.applications.factories import ApplicationFactory
from tests.bulk import copies_of_application

CAP = 3


@pytest.fixture
def unpaid_codes(applicant):
    def make(count):
        first = ApplicationFactory(submitted=True, created_by=applicant)  # its code is pending
        copies_of_application(first, count - 1)  # tests.bulk: with invoices and codes

    return make


def payments(client, staff_user, **params):
    client.force_login(staff_user)
    response = client.get(reverse("billing:payments"), params)
    assert response.status_code == 200
    return response


def test_under_the_cap_the_payments_page_says_nothing_more(
    client, staff_user, unpaid_codes, monkeypatch
):
    monkeypatch.setattr(CappedPaginator, "COUNT_CAP", CAP)
    unpaid_codes(CAP)
    response = payments(client, staff_user)
    assert not response.context["page"].paginator.capped
    assert "More than" not in response.content.decode()


def test_past_the_cap_the_payments_page_says_more_than(
    client, staff_user, unpaid_codes, monkeypatch
):
    monkeypatch.setattr(CappedPaginator, "COUNT_CAP", CAP)
    unpaid_codes(CAP + 2)
    response = payments(client, staff_user)
    assert response.context["page"].paginator.count == CAP + 1  # counted no further
    body = response.content.decode()
    assert f"More than {CAP} rows: search or export to see the rest." in body
    assert body.count("data-code=") == CAP + 2  # the page itself is whole
