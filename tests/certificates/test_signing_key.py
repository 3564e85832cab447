import pytest
from cryptography import x509
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from django.core.management import CommandError, call_command

from certificates.signing import SigningKeyMissing, load_signer, sign_pdf, signature_is_valid
from registrasi.pdf import render_pdf


def test_make_signing_key_writes_a_self_signed_pair_where_settings_point(settings, tmp_path):
    settings.CERTIFICATE_SIGNING_KEY = str(tmp_path / "signing" / "key.pem")
    settings.CERTIFICATE_SIGNING_CERT = str(tmp_path / "signing" / "cert.pem")
    call_command("make_signing_key")
    key = load_pem_private_key((tmp_path / "signing" / "key.pem").read_bytes(), password=None)
    cert = x509.load_pem_x509_certificate((tmp_path / "signing" / "cert.pem").read_bytes())
    assert cert.issuer == cert.subject  # self-signed
    assert cert.public_key().public_numbers() == key.public_key().public_numbers()
    assert (tmp_path / "signing" / "key.pem").stat().st_mode & 0o077 == 0  # private
    # And it signs PDFs that validate against that certificate.
    pdf = render_pdf("pdf/base.html", {}).pdf
    assert signature_is_valid(sign_pdf(pdf))


def test_make_signing_key_refuses_to_replace_a_key_unless_forced(settings, tmp_path):
    settings.CERTIFICATE_SIGNING_KEY = str(tmp_path / "key.pem")
    settings.CERTIFICATE_SIGNING_CERT = str(tmp_path / "cert.pem")
    call_command("make_signing_key")
    before = (tmp_path / "cert.pem").read_bytes()
    with pytest.raises(CommandError):
        call_command("make_signing_key")
    assert (tmp_path / "cert.pem").read_bytes() == before
    call_command("make_signing_key", "--force")
    assert (tmp_path / "cert.pem").read_bytes() != before


def test_make_signing_key_writes_where_it_is_told(tmp_path):
    call_command("make_signing_key", key=str(tmp_path / "a.pem"), cert=str(tmp_path / "b.pem"))
    assert (tmp_path / "a.pem").is_file() and (tmp_path / "b.pem").is_file()


def test_without_a_key_signing_says_how_to_make_one(settings, tmp_path):
    settings.CERTIFICATE_SIGNING_KEY = str(tmp_path / "missing-key.pem")
    settings.CERTIFICATE_SIGNING_CERT = str(tmp_path / "missing-cert.pem")
    with pytest.raises(SigningKeyMissing, match="make_signing_key"):
        load_signer()
    assert not (tmp_path / "missing-key.pem").exists()


def test_development_makes_its_own_key_on_first_use(settings, tmp_path):
    settings.CERTIFICATE_SIGNING_AUTOCREATE = True
    settings.CERTIFICATE_SIGNING_KEY = str(tmp_path / "dev" / "key.pem")
    settings.CERTIFICATE_SIGNING_CERT = str(tmp_path / "dev" / "cert.pem")
    assert load_signer() is not None
    assert (tmp_path / "dev" / "key.pem").is_file()
