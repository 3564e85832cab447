"""The public pages, no login: verification by number and by PDF, the register, rate limits."""

import datetime
import io
import re

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from certificates import services
from certificates.constants import CertificateState
from certificates.models import Certificate
from certificates.numbers import make_number
from registrasi.accounts.constants import Province
from tests.certificates.factories import make_certificate
from tests.certificates.test_views import (  # noqa: F401
    fresh,
    quick_certificate,
    render_pdf_now,
)

S = CertificateState
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.]+")


def verify_url(number):
    return reverse("certificates:verify", args=[number])


def page(client, url, **params):
    response = client.get(url, params)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def certificate(organization):
    return quick_certificate(organization)


# Verification by number ----------------------------------------------------------------------


def test_an_active_certificate_is_valid_with_company_and_validity(client, certificate):
    body = page(client, verify_url(certificate.number))
    assert "This certificate is valid today." in body
    assert certificate.legal_name in body
    assert "DKI Jakarta" in body
    assert str(certificate.issued_on.year) in body
    assert str(certificate.expires_on.year) in body


def test_a_suspended_certificate_says_since_when(client, certificate, staff_user):
    services.certificate_suspend(certificate=certificate, actor=staff_user, reason="Complaints.")
    body = page(client, verify_url(certificate.number))
    assert "Not valid: this certificate has been suspended since" in body
    assert str(datetime.date.today().year) in body
    assert "Complaints." not in body  # the reason is for the organization, not the public


def test_a_revoked_certificate_says_since_when_and_that_it_is_final(
    client, certificate, staff_user
):
    services.certificate_revoke(certificate=certificate, actor=staff_user, reason="Fraud.")
    body = page(client, verify_url(certificate.number))
    assert "Not valid: this certificate was revoked on" in body
    assert "A revocation is final." in body


def test_an_expired_certificate_says_so(client, certificate):
    services.certificates_expire(on=certificate.expires_on + datetime.timedelta(days=1))
    assert fresh(certificate).state == S.EXPIRED
    body = page(client, verify_url(certificate.number))
    assert "Not valid: this certificate expired after" in body


def test_an_active_certificate_past_its_validity_already_reads_expired(
    client, certificate, time_machine
):
    time_machine.move_to(certificate.expires_on + datetime.timedelta(days=2))
    body = page(client, verify_url(certificate.number))
    assert "expired after" in body
    assert "valid today" not in body


def test_a_superseded_certificate_links_to_the_new_one(client, organization):
    old = make_certificate(S.SUPERSEDED, organization=organization)
    newer = Certificate.objects.get(supersedes=old)
    body = page(client, verify_url(old.number))
    assert "replaced by a newer one" in body
    assert f'href="{verify_url(newer.number)}"' in body


def test_an_unknown_number_says_so_plainly(client, db):
    body = page(client, verify_url(make_number(2026, 999999)))
    assert "No certificate with this number was issued" in body


@pytest.mark.parametrize("number", ["KOMINFO-CC-2026-900001-00", "KOMINFO-CC-2O26", "hello"])
def test_a_mistyped_number_asks_to_check_the_check_digit(client, db, number):
    body = page(client, verify_url(number))
    assert "check the number, the check digit does not match" in body.lower()


def test_the_number_form_leads_to_the_canonical_result_page(client, certificate):
    typed = certificate.number.lower().replace("-", " ")
    response = client.get(reverse("certificates:verify_form"), {"number": typed})
    assert response.status_code == 302
    assert response["Location"] == verify_url(certificate.number)


def test_the_number_form_refuses_an_empty_number(client, db):
    response = client.get(reverse("certificates:verify_form"), {"number": "  "})
    assert response.status_code == 200
    assert response.context["number_form"].errors


def test_verification_shows_no_personal_data(client, organization, applicant, staff_user):
    certificate = quick_certificate(organization)
    services.certificate_suspend(certificate=certificate, actor=staff_user, reason="Complaints.")
    for url in (verify_url(certificate.number), reverse("certificates:registry")):
        # The ministry's helpdesk address in the footer is the only email a public page shows.
        body = page(client, url).replace(settings.HELPDESK_EMAIL, "")
        assert not EMAIL.search(body)
        for private in (
            organization.contact_email,
            organization.contact_phone,
            applicant.full_name,
            applicant.email,
            staff_user.full_name,
        ):
            assert private not in body


# Verification by PDF -------------------------------------------------------------------------


def upload(client, content, name="certificate.pdf", content_type="application/pdf"):
    file = SimpleUploadedFile(name, content, content_type=content_type)
    return client.post(reverse("certificates:verify_form"), {"file": file})


@pytest.fixture
def issued_pdf(organization):
    certificate = render_pdf_now(quick_certificate(organization))
    with certificate.pdf.open("rb") as handle:
        return certificate, handle.read()


def test_an_issued_pdf_is_genuine_and_its_certificate_valid(client, issued_pdf):
    certificate, data = issued_pdf
    response = upload(client, data)
    body = response.content.decode()
    assert "This PDF was issued and signed by this portal and has not been altered." in body
    assert "This certificate is valid today." in body
    assert certificate.number in body


def test_an_issued_pdf_of_a_revoked_certificate_is_genuine_but_not_valid(
    client, issued_pdf, staff_user
):
    certificate, data = issued_pdf
    services.certificate_revoke(certificate=certificate, actor=staff_user, reason="Fraud.")
    body = upload(client, data).content.decode()
    assert "has not been altered" in body
    assert "was revoked on" in body


def with_a_revision_appended(data):
    """The same PDF changed in an incremental update, the way an editor saves a change: the
    signature no longer covers the whole file."""
    from pypdf import PdfWriter

    writer = PdfWriter(io.BytesIO(data), incremental=True)
    writer.add_metadata({"/Title": "Edited"})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def with_a_signed_byte_changed(data):
    """One byte changed inside the signed part (the first signed stretch of /ByteRange)."""
    start, length = map(int, re.search(rb"/ByteRange \[(\d+) (\d+)", data).groups())
    position = start + length // 2
    changed = bytearray(data)
    changed[position] = (changed[position] + 1) % 256
    return bytes(changed)


@pytest.mark.parametrize("alter", [with_a_revision_appended, with_a_signed_byte_changed])
def test_an_altered_pdf_is_reported_as_altered(client, issued_pdf, alter):
    _certificate, data = issued_pdf
    body = upload(client, alter(data)).content.decode()
    assert "has been altered" in body
    assert "has not been altered" not in body
    assert "This certificate is valid today." not in body


def test_a_pdf_from_elsewhere_is_not_issued_here(client, db):
    from tests.applications.factories import PDF_BYTES

    body = upload(client, PDF_BYTES).content.decode()
    assert "was not issued and signed by this portal" in body


@pytest.mark.parametrize(
    "name,content,message",
    [
        ("certificate.pdf", b"MZ\x90\x00 not a pdf at all", "not a PDF document"),
        ("certificate.txt", b"%PDF-1.7 text", "Only PDF files can be checked"),
        ("certificate.pdf", b"", "empty"),
    ],
)
def test_a_non_pdf_is_refused_with_a_clear_message(client, db, name, content, message):
    response = upload(client, content, name=name)
    assert response.status_code == 200
    assert message in str(response.context["pdf_form"].errors)


def test_a_pdf_over_10_mb_is_refused(client, db):
    response = upload(client, b"%PDF-1.7\n" + b"0" * (10 * 1024 * 1024))
    assert "larger than 10 MB" in str(response.context["pdf_form"].errors)


# The register --------------------------------------------------------------------------------


def test_registry_searches_by_name_number_province_and_state(client, staff_user):
    jakarta = quick_certificate(name="PT Suara Nusantara")
    bali = quick_certificate(name="PT Layanan Dewata", province=Province.BALI)
    services.certificate_suspend(certificate=bali, actor=staff_user, reason="Complaints.")
    url = reverse("certificates:registry")

    body = page(client, url, q="nusantara")
    assert jakarta.number in body and bali.number not in body
    body = page(client, url, q=bali.number.lower())
    assert bali.number in body and jakarta.number not in body
    body = page(client, url, province=Province.BALI)
    assert bali.number in body and jakarta.number not in body
    body = page(client, url, state="suspended")
    assert bali.number in body and jakarta.number not in body
    body = page(client, url, state="active")
    assert jakarta.number in body and bali.number not in body


def test_registry_paginates_by_25(client, db):
    for _ in range(27):
        quick_certificate()
    response = client.get(reverse("certificates:registry"), {"page": 2})
    assert len(response.context["page"].object_list) == 2
    assert "Page 2 of 2" in response.content.decode()


def test_registry_keeps_the_search_in_the_page_links(client, db):
    for _ in range(26):
        quick_certificate(province=Province.BALI)
    body = page(client, reverse("certificates:registry"), province=Province.BALI)
    assert "province=bali" in body and "page=2" in body


@pytest.mark.parametrize("count", [5, 50])
def test_registry_runs_a_fixed_number_of_queries(client, db, count, django_assert_num_queries):
    for _ in range(count):
        quick_certificate()
    from certificates.public_cache import version

    version()  # read once (then held by the cache or the marker file: no query per visit)
    # The capped count, the page.
    with django_assert_num_queries(2):
        response = client.get(reverse("certificates:registry"))
    assert len(response.context["page"].object_list) == min(count, 25)


def test_registry_counts_at_most_the_cap(client, db, monkeypatch):
    from certificates.views.common import CappedPaginator

    monkeypatch.setattr(CappedPaginator, "COUNT_CAP", 3)
    for _ in range(4):
        quick_certificate(name="PT Layanan Dewata")
    quick_certificate(name="PT Suara Nusantara")
    body = page(client, reverse("certificates:registry"), q="dewata")
    assert "More than 3 certificates found" in body
    body = page(client, reverse("certificates:registry"), q="nusantara")
    assert "1 certificate found." in body


def test_a_registry_search_lists_in_the_register_order(client, db):
    """A search's matches come in the register's order: name, newest first, then id."""
    names = ["PT Layanan Cipta", "PT Layanan Abadi", "PT Layanan Cipta", "PT Layanan Bakti"]
    made = [quick_certificate(name=name) for name in names]
    Certificate.objects.filter(pk=made[2].pk).update(
        issued_on=made[2].issued_on - datetime.timedelta(days=1)
    )
    quick_certificate(name="PT Suara Nusantara")
    expected = [made[1].number, made[3].number, made[0].number, made[2].number]
    for q in ("layanan", "LAY"):
        listed = client.get(reverse("certificates:registry"), {"q": q}).context["page"]
        assert [c.number for c in listed] == expected
    unsearched = client.get(reverse("certificates:registry")).context["page"]
    assert [c.number for c in unsearched][:4] == expected


def test_registry_with_nothing_found_says_so(client, db):
    body = page(client, reverse("certificates:registry"), q="does not exist")
    assert "No certificate matches your search." in body


# Rate limits ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url", [reverse("certificates:registry"), reverse("certificates:verify_form")]
)
def test_public_pages_answer_429_after_the_limit(client, db, settings, url):
    settings.CERTIFICATES_PUBLIC_RATE = "3/m"
    for _ in range(3):
        assert client.get(url).status_code == 200
    response = client.get(url)
    assert response.status_code == 429
    assert "Too many requests" in response.content.decode()


def test_the_verify_result_page_is_rate_limited_too(client, db, settings):
    settings.CERTIFICATES_PUBLIC_RATE = "1/m"
    url = verify_url(make_number(2026, 999999))
    assert client.get(url).status_code == 200
    assert client.get(url).status_code == 429


def test_pdf_uploads_have_their_own_lower_limit(client, db, settings):
    settings.CERTIFICATES_UPLOAD_RATE = "2/m"
    for _ in range(2):
        assert upload(client, b"not a pdf").status_code == 200
    assert upload(client, b"not a pdf").status_code == 429
    # Looking a number up is still possible.
    assert client.get(reverse("certificates:verify_form")).status_code == 200


def test_limits_are_per_ip(client, db, settings):
    settings.CERTIFICATES_PUBLIC_RATE = "1/m"
    url = reverse("certificates:registry")
    assert client.get(url, REMOTE_ADDR="10.0.0.1").status_code == 200
    assert client.get(url, REMOTE_ADDR="10.0.0.1").status_code == 429
    assert client.get(url, REMOTE_ADDR="10.0.0.2").status_code == 200


def test_no_limit_when_rate_limiting_is_off(client, db, settings):
    settings.CERTIFICATES_PUBLIC_RATE = "1/m"
    settings.RATELIMIT_ENABLE = False
    url = reverse("certificates:registry")
    for _ in range(3):
        assert client.get(url).status_code == 200
