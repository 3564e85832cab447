"""System check: the signing certificate names the signatory printed on the certificate."""

from django.conf import settings
from django.core import checks


@checks.register()
def signing_certificate_names_the_signatory(app_configs=None, **kwargs):
    from certificates.signing import signatory_mismatch

    problem = signatory_mismatch()
    if not problem:
        return []
    hint = (
        "Set CERTIFICATE_SIGNATORY_NAME / CERTIFICATE_SIGNATORY_NIP to the subject of the "
        "ministry's signing certificate, or (development) run `manage.py make_signing_key --force`."
    )
    if getattr(settings, "PRODUCTION", False):
        return [checks.Error(problem, hint=hint, id="certificates.E001")]
    return [checks.Warning(problem, hint=hint, id="certificates.W001")]
