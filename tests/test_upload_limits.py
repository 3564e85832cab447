"""Every upload field states its types and size limit (issue 15, point 6), from the same
settings the checks enforce."""

from django.template import Context, Template
from django.utils import translation

from applications.forms import DocumentUploadForm
from certificates.forms import VerifyPdfForm
from inspections.forms import EvidenceForm
from registrasi.upload_limits import type_names, upload_help
from registrasi.uploads import PDF_AND_IMAGE_TYPES


def plain(text) -> str:
    return str(text).replace("\xa0", " ")  # filesizeformat keeps "10.0 MB" on one line


def test_it_names_each_type_once_and_the_size_limit(settings):
    settings.MAX_UPLOAD_SIZE = 10 * 1024 * 1024

    assert type_names(PDF_AND_IMAGE_TYPES) == ["PDF", "JPEG", "PNG"]
    assert plain(upload_help(PDF_AND_IMAGE_TYPES)) == "PDF, JPEG or PNG; at most 10.0 MB."


def test_it_follows_the_setting_and_the_language(settings):
    settings.MAX_UPLOAD_SIZE = 5 * 1024 * 1024
    text = upload_help({"pdf": "application/pdf"})

    assert plain(text) == "PDF; at most 5.0 MB."
    with translation.override("id"):
        assert "5,0 MB" in plain(text)


def test_every_upload_form_states_its_limits(settings):
    settings.MAX_UPLOAD_SIZE = 10 * 1024 * 1024
    fields = [
        DocumentUploadForm().fields["file"],
        EvidenceForm().fields["photo"],
        VerifyPdfForm().fields["file"],
    ]

    for field in fields:
        assert "at most 10.0 MB" in plain(field.help_text), field


def test_hand_written_upload_inputs_use_the_tag(settings):
    settings.MAX_UPLOAD_SIZE = 2 * 1024 * 1024

    html = Template("{% load upload_limits %}{% upload_limits %}").render(Context())

    assert plain(html) == "PDF, JPEG or PNG; at most 2.0 MB."
