"""The public register is searched by NIB as well as by name and number (issue 15, point 9)."""

from django.urls import reverse

from certificates.verification import registry
from tests.certificates.test_views import quick_certificate


def test_the_register_finds_a_certificate_by_its_nib_in_any_shape(db):
    wanted = quick_certificate()
    other = quick_certificate()
    nib = wanted.nib
    spaced = f"{nib[:4]} {nib[4:8]}.{nib[8:12]}-{nib[12:]}"
    for query in (nib, spaced):
        found = list(registry(query=query))
        assert found == [wanted], query
    assert other not in registry(query=nib)


def test_the_register_does_not_match_a_part_of_an_nib(db):
    certificate = quick_certificate()
    assert certificate not in registry(query=certificate.nib[:6])


def test_the_register_page_searches_by_nib(client, db):
    wanted = quick_certificate()
    other = quick_certificate()
    response = client.get(reverse("certificates:registry"), {"q": wanted.nib})
    body = response.content.decode()
    assert wanted.number in body and other.number not in body
    assert "NIB" in str(response.context["form"]["q"].label)
