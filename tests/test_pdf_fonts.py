"""Only the shipped fonts in every PDF (issue 15, point 12): every kind of PDF the project
makes (the signed certificate, the display poster, the inspection report, the billing slip and
the payment receipt), in each language, embeds only the fonts of static/fonts, the page-number
footer (the @page margin box, which inherits nothing from body) included. Checked with
poppler's pdffonts on the bytes the production code stores or serves."""

import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from applications.billing.documents import receipt_context, slip_context
from applications.billing.models import BillingPayment
from certificates.signing import make_self_signed, render_certificate, render_poster
from inspections.constants import InspectionState
from inspections.models import InspectionReport
from inspections.selectors import report_context
from inspections.tasks import render_inspection_report
from registrasi.pdf import render_pdf
from tests.applications.billing_helpers import post_callback, report, submitted_with_code
from tests.certificates.factories import make_certificate
from tests.inspections.factories import make_inspection

pytestmark = pytest.mark.skipif(not shutil.which("pdffonts"), reason="poppler-utils missing")

TEMPLATES = Path(settings.BASE_DIR) / "templates"
# The family names WeasyPrint writes for static/fonts/DejaVuSans{,-Bold}.ttf, declared in
# templates/pdf/base.html as "Registrasi Sans".
SHIPPED_FONTS = {"Registrasi-Sans", "Registrasi-Sans-Bold"}
PDF_TEMPLATES = {
    "certificates/pdf/certificate.html",
    "certificates/pdf/poster.html",
    "inspections/pdf/report.html",
    "applications/billing/slip_pdf.html",
    "applications/billing/receipt_pdf.html",
}


def fonts(pdf: bytes, tmp_path) -> list[tuple[str, str, str]]:
    """(name without the subset prefix, type, embedded) of each font pdffonts lists."""
    path = tmp_path / "document.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, timeout=60, check=True
    )
    rows = []
    for line in result.stdout.splitlines()[2:]:
        parts = line.split()
        if parts:
            # name type [encoding words...] emb sub uni object ID
            rows.append((parts[0].split("+")[-1], parts[1], parts[-5]))
    return rows


def assert_only_shipped_fonts(pdf: bytes, tmp_path):
    found = fonts(pdf, tmp_path)
    assert found, "pdffonts found no font"
    assert {name for name, _type, _emb in found} <= SHIPPED_FONTS, found
    assert {emb for _name, _type, emb in found} == {"yes"}, found


def test_every_pdf_template_is_checked_here():
    extending = {
        str(path.relative_to(TEMPLATES))
        for path in TEMPLATES.rglob("*.html")
        if 'extends "pdf/base.html"' in path.read_text()
    }
    assert extending == PDF_TEMPLATES  # a new kind of PDF: add it to the tests below


def test_the_page_number_footer_names_the_shipped_font():
    base = (TEMPLATES / "pdf/base.html").read_text()
    assert "@bottom-center" in base
    footer = base[base.index("@bottom-center") :].split("}")[0]
    assert 'font-family: "Registrasi Sans"' in footer


@pytest.fixture
def signing(settings, tmp_path_factory):
    folder = tmp_path_factory.mktemp("signing")
    key, cert = folder / "key.pem", folder / "cert.pem"
    make_self_signed(key, cert)
    settings.CERTIFICATE_SIGNING_KEY, settings.CERTIFICATE_SIGNING_CERT = str(key), str(cert)
    settings.CERTIFICATE_SIGNING_KEY_PASSPHRASE = ""


def test_the_signed_certificate_and_the_poster_embed_only_the_shipped_fonts(db, signing, tmp_path):
    certificate = make_certificate()
    assert_only_shipped_fonts(render_certificate(certificate).signed_pdf, tmp_path)
    assert_only_shipped_fonts(render_poster(certificate).pdf, tmp_path)


def test_the_stored_inspection_report_embeds_only_the_shipped_fonts(db, tmp_path):
    inspection = make_inspection(InspectionState.PASSED)
    report_id = render_inspection_report(inspection.pk)
    stored = InspectionReport.objects.get(pk=report_id).file
    with stored.open("rb") as handle:
        assert_only_shipped_fonts(handle.read(), tmp_path)


def test_the_stored_billing_slip_and_receipt_embed_only_the_shipped_fonts(
    client, applicant, django_capture_on_commit_callbacks, tmp_path
):
    _application, code = submitted_with_code(applicant, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        assert post_callback(client, report(code)).status_code == 200
    code.refresh_from_db()
    payment = BillingPayment.objects.get(billing_code=code)
    assert code.slip_pdf and payment.receipt_pdf
    for stored in (code.slip_pdf, payment.receipt_pdf):
        with stored.open("rb") as handle:
            assert_only_shipped_fonts(handle.read(), tmp_path)


@pytest.mark.parametrize("language", ["id", "en"])
def test_every_pdf_template_embeds_only_the_shipped_fonts_in_each_language(
    client, applicant, django_capture_on_commit_callbacks, tmp_path, language
):
    """The same templates rendered in each language: the English words and dates must not
    reach for a system font either (bold labels, the footer, the en dash of a window)."""
    from certificates.signing import certificate_context

    _application, code = submitted_with_code(applicant, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        post_callback(client, report(code))
    payment = BillingPayment.objects.get(billing_code=code)
    certificate = make_certificate()
    inspection = make_inspection(InspectionState.PASSED)
    contexts = {
        "certificates/pdf/certificate.html": certificate_context(certificate),
        "certificates/pdf/poster.html": certificate_context(certificate),
        "inspections/pdf/report.html": report_context(inspection),
        "applications/billing/slip_pdf.html": slip_context(code),
        "applications/billing/receipt_pdf.html": receipt_context(payment),
    }
    assert set(contexts) == PDF_TEMPLATES
    for template, context in contexts.items():
        with translation.override(language):
            pdf = render_pdf(template, context).pdf
        assert_only_shipped_fonts(pdf, tmp_path)
