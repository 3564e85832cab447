"""Downloads of a certificate's files: HTTP responses, kept out of the services. The view
checks that the person may see the certificate first."""

from django.core.files.storage import default_storage
from django.http import FileResponse
from django.utils.translation import gettext as _

from certificates.models import Certificate
from registrasi.services import ServiceError


def certificate_pdf_response(*, certificate: Certificate) -> FileResponse:
    """The signed PDF as a download; ServiceError while it is not rendered yet."""
    if not certificate.pdf:
        raise ServiceError(_("The certificate PDF is not ready yet."))
    handle = default_storage.open(certificate.pdf.name, "rb")
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"{certificate.number}.pdf",
        content_type="application/pdf",
    )
