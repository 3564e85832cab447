import io
import re
from unittest import mock

import pytest
import segno
from django.core.files.storage import default_storage
from django.utils import translation
from django.utils.translation import gettext
from pypdf import PdfReader

from certificates import services
from certificates.models import Certificate
from certificates.signing import (
    QR_OPTIONS,
    Signatory,
    SigningKeyMissing,
    certificate_context,
    make_self_signed,
    qr_svg,
    render_certificate,
    signature_is_valid,
    verification_url,
)
from certificates.tasks import render_certificate_pdf
from registrasi.celery import app as celery_app
from tests.certificates.factories import make_certificate, quick_passed_application
from tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db
HOSTILE_NAME = '<img src="file:///etc/passwd">PT <b>Jahat</b> &amp; Co'


def pdf_text(data: bytes) -> str:
    return " ".join(
        " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split()
    )


def stored_pdfs():
    if not default_storage.exists("certificates"):
        return []
    return default_storage.listdir("certificates")[1]


def qr_matrix_from_svg(svg: str) -> set[tuple[int, int]]:
    """The dark modules (column, row) that segno's inline SVG path draws."""
    path = re.search(r'class="qrline"[^>]* d="([^"]+)"', svg).group(1)
    dark, x, y = set(), 0, 0
    for command, a, b in re.findall(r"([MmHh])(-?\d+(?:\.\d+)?)(?: (-?\d+(?:\.\d+)?))?", path):
        a = float(a)
        if command == "M":
            x, y = a, float(b)
        elif command == "m":
            x, y = x + a, y + float(b)
        else:  # h: a horizontal run of `a` dark modules
            dark.update((int(x) + i, int(y)) for i in range(int(a)))
            x += a
    return dark


def qr_matrix_for(url: str) -> set[tuple[int, int]]:
    border = QR_OPTIONS["border"]
    matrix = segno.make(url, error="m", micro=False).matrix
    return {
        (col + border, row + border)
        for row, line in enumerate(matrix)
        for col, module in enumerate(line)
        if module
    }


@pytest.fixture
def certificate(staff_user):
    return make_certificate(quick=True, staff=staff_user)


@pytest.fixture
def rendered(certificate):
    return render_certificate(certificate)


def test_it_prints_the_number_company_address_and_validity(certificate, rendered):
    text = pdf_text(rendered.pdf)
    assert "KEMENTERIAN KOMUNIKASI DAN DIGITAL REPUBLIK INDONESIA" in text
    assert certificate.number in text
    assert certificate.legal_name in text
    assert " ".join(certificate.address.split()) in text
    assert certificate.nib in text
    with translation.override("id"):
        from django.template.defaultfilters import date

        assert date(certificate.issued_on, "j F Y") in text
        assert date(certificate.expires_on, "j F Y") in text
        display = gettext(
            "This certificate must be displayed at the premises of the call center, where "
            "customers and inspectors can see it."
        )
    assert " ".join(display.split()) in text
    assert verification_url(certificate.number) in text


def test_it_prints_dates_in_indonesian(staff_user):
    import datetime

    import time_machine

    with time_machine.travel(datetime.datetime(2026, 3, 11, 3, 0, tzinfo=datetime.UTC)):
        certificate = make_certificate(quick=True, staff=staff_user)
    text = pdf_text(render_certificate(certificate).pdf)
    assert "11 Maret 2026" in text
    assert "10 Maret 2031" in text


def test_its_qr_code_points_at_the_public_verification_page(certificate, rendered, settings):
    url = verification_url(certificate.number)
    assert url == f"{settings.SITE_URL}/verify/{certificate.number}/"
    expected = segno.make(url, error="m", micro=False).svg_inline(**QR_OPTIONS)
    assert expected in rendered.html
    # Reading the drawing back gives exactly the modules of a QR code for that URL.
    svg = re.search(r"<svg.*?</svg>", rendered.html, re.S).group(0)
    assert qr_matrix_from_svg(svg) == qr_matrix_for(url)
    assert qr_matrix_from_svg(svg) != qr_matrix_for(url + "x")


def test_its_qr_code_follows_the_site_url(certificate, settings):
    settings.SITE_URL = "https://registrasi.komdigi.go.id"
    context = certificate_context(certificate)
    assert context["verification_url"].startswith("https://registrasi.komdigi.go.id/verify/")
    assert str(context["qr_svg"]) == qr_svg(context["verification_url"])


def test_it_prints_a_hostile_company_name_as_text_and_reads_no_file(staff_user):
    organization = OrganizationFactory(
        legal_name=HOSTILE_NAME, address='Jl. <script>alert(1)</script> <link href="file:///etc/">'
    )
    application = quick_passed_application(organization, staff=staff_user)
    certificate = services.application_approve(application=application, actor=staff_user)
    rendered = render_certificate(certificate)
    assert "&lt;img src=&quot;file:///etc/passwd&quot;&gt;" in rendered.html
    assert "<img" not in rendered.html and "<script>" not in rendered.html
    text = pdf_text(rendered.pdf)
    assert "PT <b>Jahat</b> &amp; Co" in text
    assert "<script>alert(1)</script>" in text
    assert "root:" not in text


def test_it_signs_the_pdf_so_that_the_signature_validates(rendered):
    from django.conf import settings
    from pyhanko.keys import load_cert_from_pemder
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    reader = PdfFileReader(io.BytesIO(rendered.signed_pdf))
    (signature,) = reader.embedded_signatures
    assert signature.field_name == "Signature1"
    assert signature.sig_object["/SubFilter"] == "/ETSI.CAdES.detached"
    trust = ValidationContext(
        trust_roots=[load_cert_from_pemder(settings.CERTIFICATE_SIGNING_CERT)]
    )
    status = validate_pdf_signature(signature, trust)
    assert status.intact and status.valid and status.trusted
    assert signature_is_valid(rendered.signed_pdf)
    assert not signature_is_valid(rendered.pdf)  # unsigned


def test_a_signature_by_another_key_does_not_validate(rendered, settings, tmp_path):
    signed_here = rendered.signed_pdf
    key, cert = tmp_path / "k.pem", tmp_path / "c.pem"
    make_self_signed(key, cert, who=Signatory(name="Someone else", title="Nobody", nip="1"))
    trusted_cert = settings.CERTIFICATE_SIGNING_CERT
    settings.CERTIFICATE_SIGNING_KEY, settings.CERTIFICATE_SIGNING_CERT = str(key), str(cert)
    from certificates.signing import sign_pdf

    signed_elsewhere = sign_pdf(rendered.pdf)
    settings.CERTIFICATE_SIGNING_CERT = trusted_cert
    assert signature_is_valid(signed_here)
    assert not signature_is_valid(signed_elsewhere)
    from certificates.signing import check_signature

    assert not check_signature(signed_elsewhere).signed_here
    assert check_signature(signed_here).signed_here


def test_the_task_stores_the_signed_pdf_privately_with_its_hash(certificate):
    assert render_certificate_pdf.delay(certificate.pk).get() == "rendered"
    certificate.refresh_from_db()
    assert certificate.pdf.name.startswith("certificates/")
    assert certificate.number not in certificate.pdf.name  # a random name
    data = certificate.pdf.read()
    import hashlib

    assert hashlib.sha256(data).hexdigest() == certificate.pdf_sha256
    assert signature_is_valid(data)
    assert certificate.pdf_rendered_at is not None
    assert certificate.render_attempts == 1
    text = pdf_text(data)
    assert certificate.number in text and certificate.legal_name in text


def test_a_second_run_finds_the_pdf_and_renders_nothing(certificate):
    assert render_certificate_pdf.delay(certificate.pk).get() == "rendered"
    first = Certificate.objects.get(pk=certificate.pk)
    with mock.patch("certificates.signing.render_certificate") as render:
        assert render_certificate_pdf.delay(certificate.pk).get() == "exists"
    render.assert_not_called()
    again = Certificate.objects.get(pk=certificate.pk)
    assert (again.pdf.name, again.pdf_sha256, again.render_attempts) == (
        first.pdf.name,
        first.pdf_sha256,
        1,
    )
    assert len(stored_pdfs()) == 1


def test_a_crash_before_the_file_is_stored_leaves_no_pdf_and_the_rerun_makes_one(certificate):
    with (
        mock.patch(
            "certificates.services.default_storage.save", side_effect=OSError("worker lost")
        ),
        pytest.raises(OSError),
    ):
        services.certificate_render_pdf(certificate_id=certificate.pk)
    certificate.refresh_from_db()
    assert not certificate.pdf
    assert certificate.render_attempts == 1
    assert "worker lost" in certificate.render_error
    assert stored_pdfs() == []

    assert services.certificate_render_pdf(certificate_id=certificate.pk) == "rendered"
    certificate.refresh_from_db()
    assert certificate.pdf and certificate.render_attempts == 2
    assert certificate.render_error == ""
    assert len(stored_pdfs()) == 1


def test_a_crash_between_storing_and_saving_leaves_exactly_one_pdf(certificate):
    real_save = Certificate.save
    calls = {"n": 0}

    def crash_once(self, *args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise OSError("database went away")
        return real_save(self, *args, **kwargs)

    with mock.patch.object(Certificate, "save", crash_once), pytest.raises(OSError):
        services.certificate_render_pdf(certificate_id=certificate.pk)
    assert not Certificate.objects.get(pk=certificate.pk).pdf
    assert stored_pdfs() == []  # the stored file was removed with the failed save

    assert services.certificate_render_pdf(certificate_id=certificate.pk) == "rendered"
    assert len(stored_pdfs()) == 1
    certificate.refresh_from_db()
    assert stored_pdfs() == [certificate.pdf.name.split("/")[-1]]


def test_a_failing_render_asks_for_a_retry_and_records_the_attempt(certificate):
    from celery.exceptions import Retry

    with (
        mock.patch(
            "certificates.signing.render_certificate", side_effect=RuntimeError("font cache")
        ),
        pytest.raises(Retry),
    ):
        render_certificate_pdf.delay(certificate.pk)
    certificate.refresh_from_db()
    assert certificate.render_attempts == 1
    assert certificate.render_error == "RuntimeError: font cache"
    assert not certificate.pdf

    # The retry (run here by hand: eager mode does not replay it) renders the PDF.
    assert render_certificate_pdf.delay(certificate.pk).get() == "rendered"
    certificate.refresh_from_db()
    assert certificate.render_attempts == 2
    assert certificate.pdf and certificate.render_error == ""


def test_a_missing_signing_key_is_recorded_and_not_retried(certificate, settings, tmp_path):
    settings.CERTIFICATE_SIGNING_KEY = str(tmp_path / "none.pem")
    with pytest.raises(SigningKeyMissing):
        render_certificate_pdf.delay(certificate.pk)
    certificate.refresh_from_db()
    assert certificate.render_attempts == 1
    assert "make_signing_key" in certificate.render_error
    assert not certificate.pdf


def test_the_render_task_is_late_acked_retried_and_routed_to_the_pdf_queue(settings):
    task = celery_app.tasks["certificates.tasks.render_certificate_pdf"]
    assert task.name == render_certificate_pdf.name
    assert task.acks_late is True
    assert task.max_retries == 5
    assert task.retry_backoff
    assert Exception in task.autoretry_for
    assert settings.CELERY_TASK_REJECT_ON_WORKER_LOST is True
    route = celery_app.amqp.router.route({}, task.name)
    assert route["queue"].name == "pdf"


def test_a_missing_certificate_is_reported_not_rendered():
    assert services.certificate_render_pdf(certificate_id=987654) == "missing"


def test_signing_and_checking_work_inside_a_running_event_loop(rendered):
    """pyHanko runs asyncio.run() inside; an async caller (or Playwright) must not break it."""
    import asyncio

    from certificates.signing import sign_pdf

    async def inside_a_loop():
        return sign_pdf(rendered.pdf), signature_is_valid(rendered.signed_pdf)

    signed, valid = asyncio.run(inside_a_loop())
    assert valid
    assert signature_is_valid(signed)
