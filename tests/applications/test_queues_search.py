"""The staff search box (certificates.search): company name without regard to accents or
case, NIB, application reference, certificate number, billing code; two queries; 404 for
everyone but staff. PostgreSQL: the trigram indexes serve it (test marked below)."""

import pytest
from django.db import connection
from django.urls import reverse

from applications.billing.models import BillingCode, CodeStatus
from applications.constants import ApplicationState
from applications.models import Application
from registrasi.search_functions import folded, normalize, strip_accents
from tests import desk_seed
from tests.factories import OrganizationFactory

A = ApplicationState
URL = reverse("certificates:search")


def _found(response):
    results = response.context["results"]
    return (
        {a.reference for a in results.applications},
        {c.number for c in results.certificates},
    )


@pytest.fixture
def companies(staff_user):
    cafe = OrganizationFactory(legal_name="PT Café Nusantara Sejahtera", nib="8120001234567")
    other = OrganizationFactory(legal_name="PT Bintang Timur", nib="9120007654321")
    (cafe_app,) = desk_seed.applications(cafe, 1, A.APPROVED)
    (cafe_certificate,) = desk_seed.certificates([cafe_app], staff_user, expires_in_days=900)
    (other_app,) = desk_seed.applications(other, 1, A.SUBMITTED)
    (invoice,) = desk_seed.invoices([other_app], paid=False)
    BillingCode.objects.create(
        invoice=invoice,
        code="820260000123456",
        amount=invoice.amount,
        payer_name="PT Bintang Timur",
        status=CodeStatus.ACTIVE,
    )
    return {
        "cafe_app": cafe_app,
        "cafe_certificate": cafe_certificate,
        "other_app": other_app,
    }


def test_accents_and_case_fold_the_same_way_in_python():
    assert strip_accents("Café Ñusantara") == "Cafe Nusantara"
    assert normalize("café") == "CAFE"


@pytest.mark.parametrize("query", ["cafe nusantara", "CAFÉ", "café nus", "nusantara sejahtera"])
def test_a_company_name_matches_without_accents_or_case(client, staff_user, companies, query):
    client.force_login(staff_user)

    applications, certificates = _found(client.get(URL, {"q": query}))

    assert applications == {companies["cafe_app"].reference}
    assert certificates == {companies["cafe_certificate"].number}


def test_a_nib_finds_the_companys_applications_and_certificates(client, staff_user, companies):
    client.force_login(staff_user)

    applications, certificates = _found(client.get(URL, {"q": "812 0001234567"}))

    assert applications == {companies["cafe_app"].reference}
    assert certificates == {companies["cafe_certificate"].number}


def test_a_reference_a_certificate_number_and_a_billing_code(client, staff_user, companies):
    client.force_login(staff_user)
    reference = companies["other_app"].reference
    number = companies["cafe_certificate"].number

    by_reference = _found(client.get(URL, {"q": reference.lower()}))
    by_number = _found(client.get(URL, {"q": number}))
    by_code = _found(client.get(URL, {"q": "820260000123456"}))

    assert by_reference == ({reference}, set())
    assert by_number[1] == {number}
    assert by_code == ({reference}, set())


def test_nothing_matches(client, staff_user, companies):
    client.force_login(staff_user)

    response = client.get(URL, {"q": "zzzz"})

    assert response.context["results"].empty
    assert "Nothing matches" in response.content.decode()


@pytest.mark.parametrize("query", ["a", " ", "x" * 101, "ab\u202ecd", "ab\x00cd"])
def test_bad_input_is_a_400_with_the_form(client, staff_user, query):
    client.force_login(staff_user)

    response = client.get(URL, {"q": query})

    assert response.status_code == 400
    assert response.context["results"] is None


def test_percent_and_underscore_are_searched_literally(client, staff_user, companies):
    client.force_login(staff_user)

    applications, certificates = _found(client.get(URL, {"q": "%_%"}))

    assert (applications, certificates) == (set(), set())


@pytest.mark.parametrize("who", ["applicant", "inspector", "outsider", "no_role_user"])
def test_everyone_but_staff_gets_404(client, request, who):
    client.force_login(request.getfixturevalue(who))

    assert client.get(URL, {"q": "cafe"}).status_code == 404


# Session, user, second-factor device, groups, then applications and certificates.
SEARCH_QUERIES = 6


@pytest.mark.parametrize("count", [5, 50])
def test_the_search_runs_a_fixed_number_of_queries(
    client, staff_user, django_assert_num_queries, count
):
    organization = OrganizationFactory(legal_name="PT Sinar Jaya")
    apps = desk_seed.applications(organization, count, A.APPROVED)
    desk_seed.certificates(apps, staff_user, expires_in_days=900)
    client.force_login(staff_user)

    with django_assert_num_queries(SEARCH_QUERIES):
        response = client.get(URL, {"q": "sinar"})

    results = response.context["results"]
    assert len(results.applications) == min(count, 25)
    assert len(results.certificates) == min(count, 25)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigram index is PostgreSQL's")
def test_on_postgresql_the_name_search_uses_the_trigram_index(staff_user):
    queryset = Application.objects.annotate(name_folded=folded("company_legal_name")).filter(
        name_folded__contains=normalize("café")
    )
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    plan = queryset.explain()

    assert "applications_app_name_search" in plan
