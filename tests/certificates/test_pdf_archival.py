"""The certificate and the inspection report as archival documents (issue 15, point 2):
PDF/A-3b claimed and tagged, every font embedded (only the shipped ones), the PAdES signature
still valid (poppler's pdfinfo, pdffonts, pdfsig); the signatory's name, title and NIP printed
under the signature block and named by the signing certificate; the ministry's name once;
the report's label/value rows on one baseline whatever wraps."""

import io
import re
import shutil
import subprocess
from collections import defaultdict

import pytest
from cryptography import x509
from cryptography.x509.oid import NameOID
from django.core.management import call_command
from django.utils import translation
from pypdf import PdfReader

from certificates.checks import signing_certificate_names_the_signatory
from certificates.signing import Signatory, make_self_signed, render_certificate
from inspections.constants import InspectionState
from inspections.selectors import report_context
from registrasi.pdf import render_pdf
from tests.certificates.factories import make_certificate
from tests.inspections.factories import make_inspection

pytestmark = pytest.mark.skipif(
    not shutil.which("pdfsig"), reason="poppler-utils (pdfinfo, pdffonts, pdfsig) not installed"
)
MINISTRY = "KEMENTERIAN KOMUNIKASI DAN DIGITAL REPUBLIK INDONESIA"
SHIPPED_FONTS = {"Registrasi-Sans", "Registrasi-Sans-Bold"}


def poppler(tool, pdf: bytes, tmp_path, *args) -> str:
    path = tmp_path / "document.pdf"
    path.write_bytes(pdf)
    result = subprocess.run(
        [tool, *args, str(path)], capture_output=True, text=True, timeout=60, check=False
    )
    return result.stdout + result.stderr


def embedded_fonts(pdf, tmp_path) -> dict[str, str]:
    """Font name (subset prefix removed) -> its `emb` column in pdffonts."""
    lines = poppler("pdffonts", pdf, tmp_path).splitlines()[2:]
    return {line.split()[0].split("+")[-1]: line.split()[-5] for line in lines if line.strip()}


def pdf_text(pdf: bytes) -> str:
    return " ".join(
        " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split()
    )


@pytest.fixture
def signatory(settings):
    settings.CERTIFICATE_SIGNATORY_NAME = "Dr. Ratna Sari Dewi, S.T., M.Kom."
    settings.CERTIFICATE_SIGNATORY_TITLE = "Direktur Pengendalian Ekosistem Digital"
    settings.CERTIFICATE_SIGNATORY_NIP = "197805122005012003"
    return Signatory(
        name=settings.CERTIFICATE_SIGNATORY_NAME,
        title=settings.CERTIFICATE_SIGNATORY_TITLE,
        nip=settings.CERTIFICATE_SIGNATORY_NIP,
    )


@pytest.fixture
def signing_as_signatory(settings, signatory, tmp_path):
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    make_self_signed(key, cert)
    settings.CERTIFICATE_SIGNING_KEY, settings.CERTIFICATE_SIGNING_CERT = str(key), str(cert)
    return cert


@pytest.fixture
def rendered(db, signing_as_signatory):
    return render_certificate(make_certificate())


# The certificate ------------------------------------------------------------------------------


def test_the_signed_certificate_claims_pdf_a_and_is_tagged(rendered, tmp_path):
    info = poppler("pdfinfo", rendered.signed_pdf, tmp_path)
    assert re.search(r"^Tagged:\s+yes$", info, re.MULTILINE), info
    meta = poppler("pdfinfo", rendered.signed_pdf, tmp_path, "-meta")
    assert 'pdfaid:part="3"' in meta and 'pdfaid:conformance="B"' in meta, meta


def test_every_font_of_the_certificate_is_embedded_and_shipped(rendered, tmp_path):
    fonts = embedded_fonts(rendered.signed_pdf, tmp_path)
    assert fonts, "no fonts found"
    assert set(fonts) <= SHIPPED_FONTS, fonts  # no system font (the page-number footer)
    assert set(fonts.values()) == {"yes"}, fonts


def test_the_signature_stays_valid_and_names_the_signatory(rendered, signatory, tmp_path):
    report = poppler("pdfsig", rendered.signed_pdf, tmp_path)
    assert "Signature is Valid." in report, report
    assert "Total document signed" in report, report
    assert f"Signer Certificate Common Name: {signatory.name}" in report, report


def test_an_edited_certificate_fails_pdfsig(rendered, tmp_path):
    data = bytearray(rendered.signed_pdf)
    at = data.index(b"/Producer")
    data[at + 1 : at + 4] = b"XXX"  # a byte inside the signed range
    report = poppler("pdfsig", bytes(data), tmp_path)
    assert "Signature is Valid." not in report, report


def test_the_signatory_is_printed_under_the_signature_block(rendered, signatory):
    text = pdf_text(rendered.pdf)
    assert signatory.title in text
    assert signatory.name in text
    assert f"NIP {signatory.nip}" in text
    assert text.index(signatory.title) < text.index(signatory.name) < text.index(signatory.nip)


def test_the_ministry_is_named_once(rendered):
    assert pdf_text(rendered.pdf).upper().count(MINISTRY) == 1


def test_make_signing_key_names_the_signatory_in_the_subject(settings, signatory, tmp_path):
    settings.CERTIFICATE_SIGNING_KEY = str(tmp_path / "k.pem")
    settings.CERTIFICATE_SIGNING_CERT = str(tmp_path / "c.pem")
    call_command("make_signing_key")
    subject = x509.load_pem_x509_certificate((tmp_path / "c.pem").read_bytes()).subject
    value = {
        oid: subject.get_attributes_for_oid(oid)[0].value
        for oid in (NameOID.COMMON_NAME, NameOID.TITLE, NameOID.SERIAL_NUMBER)
    }
    assert value == {
        NameOID.COMMON_NAME: signatory.name,
        NameOID.TITLE: signatory.title,
        NameOID.SERIAL_NUMBER: signatory.nip,
    }
    assert signing_certificate_names_the_signatory() == []


def test_a_signing_certificate_naming_someone_else_fails_the_check(settings, signatory, tmp_path):
    key, cert = tmp_path / "k.pem", tmp_path / "c.pem"
    make_self_signed(key, cert, who=Signatory(name="Someone Else", title="x", nip="1"))
    settings.CERTIFICATE_SIGNING_KEY, settings.CERTIFICATE_SIGNING_CERT = str(key), str(cert)
    problems = signing_certificate_names_the_signatory()
    assert [p.id for p in problems] == ["certificates.W001"]
    assert "Someone Else" in problems[0].msg
    settings.PRODUCTION = True
    assert [p.id for p in signing_certificate_names_the_signatory()] == ["certificates.E001"]


# The inspection report ------------------------------------------------------------------------


def text_lines(pdf: bytes) -> dict[float, str]:
    """Page 1's text by baseline (y, rounded to 0.5 pt), fragments joined left to right."""
    fragments = defaultdict(list)

    def visit(text, cm, tm, font_dict, font_size):
        if text.strip():
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            fragments[round(y * 2) / 2].append((x, text.strip()))

    PdfReader(io.BytesIO(pdf)).pages[0].extract_text(visitor_text=visit)
    return {y: " ".join(t for _x, t in sorted(parts)) for y, parts in fragments.items()}


@pytest.fixture
def report_pdf(db):
    inspection = make_inspection(InspectionState.PASSED)
    with translation.override("id"):  # "Rentang waktu yang direncanakan" wraps in its column
        return render_pdf("inspections/pdf/report.html", report_context(inspection)), inspection


def test_each_report_label_shares_a_baseline_with_its_value(report_pdf):
    rendered, inspection = report_pdf
    lines = list(text_lines(rendered.pdf).values())
    rows = {
        "Permohonan": inspection.application.reference,
        "Rentang waktu": str(inspection.window_start.astimezone().year),
        "Inspektur": inspection.inspector.get_full_name(),
        "Diajukan": str(inspection.submitted_at.astimezone().year),
    }
    for label, value in rows.items():
        line = next((line for line in lines if line.startswith(label)), None)
        assert line is not None, (label, lines)
        assert value in line, (label, line)


def test_the_report_claims_pdf_a_embeds_only_shipped_fonts_and_names_the_ministry_once(
    report_pdf, tmp_path
):
    rendered, _inspection = report_pdf
    assert 'pdfaid:part="3"' in poppler("pdfinfo", rendered.pdf, tmp_path, "-meta")
    fonts = embedded_fonts(rendered.pdf, tmp_path)
    assert set(fonts) <= SHIPPED_FONTS and set(fonts.values()) == {"yes"}, fonts
    assert pdf_text(rendered.pdf).upper().count(MINISTRY) == 1
