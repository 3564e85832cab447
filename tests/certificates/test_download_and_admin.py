import pytest
from django.contrib import admin

from certificates.downloads import certificate_pdf_response
from certificates.models import Certificate, Sanction
from certificates.services import ServiceError
from certificates.signing import signature_is_valid
from tests.certificates.factories import make_certificate

pytestmark = pytest.mark.django_db


def test_the_download_is_the_signed_pdf_as_an_attachment(staff_user):
    certificate = make_certificate(quick=True, staff=staff_user, with_pdf=True)
    response = certificate_pdf_response(certificate=certificate)
    body = b"".join(response.streaming_content)
    assert response["Content-Type"] == "application/pdf"
    assert f'attachment; filename="{certificate.number}.pdf"' == response["Content-Disposition"]
    assert signature_is_valid(body)


def test_the_download_waits_for_the_pdf(staff_user):
    certificate = make_certificate(quick=True, staff=staff_user)
    with pytest.raises(ServiceError):
        certificate_pdf_response(certificate=certificate)


@pytest.mark.parametrize("model", [Certificate, Sanction])
def test_the_admin_shows_certificates_read_only(model, rf, admin_user):
    model_admin = admin.site._registry[model]
    request = rf.get("/")
    request.user = admin_user
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
