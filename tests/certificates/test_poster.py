"""The display poster (issue 15, point 3): an A4 PDF for the premises with the company, the
certificate number, the expiry date, a large QR code to the verification page and a line in
Indonesian and English on how to check; downloadable by the holder, refused to others."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from certificates import services
from certificates.signing import qr_svg, render_poster, verification_url
from registrasi.formats.filters import day
from tests.certificates.test_views import quick_certificate

A4 = (595, 842)  # points, rounded


@pytest.fixture
def certificate(organization):
    return quick_certificate(organization, name="PT Suara <Nusantara> & Mitra")


def poster_url(certificate):
    return reverse("certificates:poster", args=[certificate.pk])


def pdf_text(data):
    return " ".join(PdfReader(io.BytesIO(data)).pages[0].extract_text().split())


def test_the_holder_downloads_a_one_page_a4_poster(client, applicant, certificate):
    client.force_login(applicant)
    response = client.get(poster_url(certificate))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f'filename="{certificate.number}-poster.pdf"' in response["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == A4
    text = pdf_text(response.content)
    assert "PT Suara <Nusantara> & Mitra" in text
    assert certificate.number in text
    assert day(certificate.expires_on, "id") in text
    assert verification_url(certificate.number) in text
    assert "Pindai kode QR" in text  # Indonesian
    assert "Scan the QR code" in text  # English


def test_the_poster_carries_the_qr_code_of_the_verification_page(certificate):
    rendered = render_poster(certificate)
    assert qr_svg(verification_url(certificate.number)) in rendered.html
    assert "&lt;Nusantara&gt;" in rendered.html  # autoescaped
    assert 'lang="id"' in rendered.html and 'lang="en"' in rendered.html


def test_a_member_of_the_organization_and_staff_may_download_it(
    client, member, staff_user, certificate
):
    for person in (member, staff_user):
        client.force_login(person)
        assert client.get(poster_url(certificate)).status_code == 200


def test_another_organizations_member_gets_404(client, outsider, certificate):
    client.force_login(outsider)
    assert client.get(poster_url(certificate)).status_code == 404


def test_a_user_without_a_role_gets_404(client, no_role_user, certificate):
    client.force_login(no_role_user)
    assert client.get(poster_url(certificate)).status_code == 404


def test_a_visitor_is_sent_to_log_in(client, certificate):
    response = client.get(poster_url(certificate))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_a_suspended_certificate_has_no_poster(client, applicant, staff_user, certificate):
    services.certificate_suspend(certificate=certificate, actor=staff_user, reason="Complaints.")
    client.force_login(applicant)
    response = client.get(poster_url(certificate), follow=True)
    assert response["Content-Type"].startswith("text/html")
    assert "Only a certificate in force has a display poster." in response.content.decode()


def test_the_certificate_page_links_the_poster_when_active(client, applicant, organization):
    certificate = quick_certificate(organization, with_pdf=True)
    client.force_login(applicant)
    body = client.get(reverse("certificates:detail", args=[certificate.pk])).content.decode()
    assert poster_url(certificate) in body
