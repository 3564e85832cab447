"""The certificate as a document: render it to PDF, sign it (PAdES), check a signature.

Rendering uses the shared registrasi.pdf (autoescaped template, static-only URL fetcher,
shipped fonts). The signing key and certificate are PEM files named by
settings.CERTIFICATE_SIGNING_KEY / CERTIFICATE_SIGNING_CERT; `manage.py make_signing_key`
writes a self-signed pair for development and tests. pyHanko and WeasyPrint are imported
inside the functions so web processes load them only when they need them.
"""

import datetime
import io
import logging
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)
TEMPLATE = "certificates/pdf/certificate.html"
SIGNATURE_FIELD = "Signature1"
# The QR code's look; tests compare the printed SVG with segno's output for these options.
QR_OPTIONS = {"scale": 4, "border": 2, "dark": "#000000", "light": "#ffffff"}


class SigningKeyMissing(RuntimeError):
    pass


def _outside_event_loop(func, *args):
    """pyHanko's synchronous API calls asyncio.run(), which refuses to run inside a running
    event loop (an async view, Playwright's sync API in tests): run it on a thread then."""
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return func(*args)
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(func, *args).result()


@dataclass(frozen=True)
class RenderedCertificate:
    html: str
    pdf: bytes
    signed_pdf: bytes


def verification_url(number: str) -> str:
    """The public page a QR code on the certificate points at."""
    return f"{settings.SITE_URL}/verify/{number}/"


def qr_svg(url: str) -> str:
    """The QR code for `url` as inline SVG (no XML declaration), ready for HTML."""
    import segno

    return segno.make(url, error="m", micro=False).svg_inline(**QR_OPTIONS)


@dataclass(frozen=True)
class Signatory:
    name: str
    title: str
    nip: str  # employee number (Nomor Induk Pegawai)


def signatory() -> Signatory:
    """The official printed under the signature block (settings CERTIFICATE_SIGNATORY_*)."""
    return Signatory(
        name=settings.CERTIFICATE_SIGNATORY_NAME,
        title=settings.CERTIFICATE_SIGNATORY_TITLE,
        nip=settings.CERTIFICATE_SIGNATORY_NIP,
    )


def certificate_context(certificate) -> dict:
    url = verification_url(certificate.number)
    return {
        "certificate": certificate,
        "verification_url": url,
        # segno's SVG is built from the URL's bits only: no text of ours reaches it unescaped.
        "qr_svg": mark_safe(qr_svg(url)),  # noqa: S308
        "validity_years": settings.CERTIFICATE_VALIDITY_YEARS,
        "signatory": signatory(),
    }


CERTIFICATE_LANGUAGE = "id"


def render_certificate(certificate) -> RenderedCertificate:
    """Render and sign the certificate's PDF (in the language of the ministry: Indonesian)."""
    from django.utils import translation

    from registrasi.pdf import render_pdf

    # Always Indonesian, whatever the site's default language (the certificate is the ministry's).
    with translation.override(CERTIFICATE_LANGUAGE):
        rendered = render_pdf(TEMPLATE, certificate_context(certificate))
    return RenderedCertificate(
        html=rendered.html, pdf=rendered.pdf, signed_pdf=sign_pdf(rendered.pdf)
    )


POSTER_TEMPLATE = "certificates/pdf/poster.html"


def render_poster(certificate):
    """The A4 display poster for the premises (bilingual, unsigned: the QR code's
    verification page is what counts), rendered like the certificate."""
    from django.utils import translation

    from registrasi.pdf import render_pdf

    with translation.override(CERTIFICATE_LANGUAGE):
        return render_pdf(POSTER_TEMPLATE, certificate_context(certificate))


# Signing ---------------------------------------------------------------------------------
def key_paths() -> tuple[Path, Path]:
    return Path(settings.CERTIFICATE_SIGNING_KEY), Path(settings.CERTIFICATE_SIGNING_CERT)


def load_signer():
    from pyhanko.sign import signers

    key, cert = key_paths()
    if getattr(settings, "CERTIFICATE_SIGNING_AUTOCREATE", False) and not (
        key.exists() or cert.exists()
    ):
        logger.warning("No signing key: writing a self-signed development pair at %s.", key)
        make_self_signed(key, cert)
    if not key.is_file() or not cert.is_file():
        raise SigningKeyMissing(
            f"No signing key at {key} / {cert}: run `manage.py make_signing_key` "
            "or set CERTIFICATE_SIGNING_KEY and CERTIFICATE_SIGNING_CERT."
        )
    passphrase = settings.CERTIFICATE_SIGNING_KEY_PASSPHRASE.encode() or None
    signer = signers.SimpleSigner.load(str(key), str(cert), key_passphrase=passphrase)
    if signer is None:
        raise SigningKeyMissing(f"The signing key at {key} / {cert} could not be loaded.")
    return signer


def sign_pdf(pdf: bytes) -> bytes:
    """Sign `pdf` with the project's key (PAdES baseline, /ETSI.CAdES.detached)."""
    return _outside_event_loop(_sign_pdf, pdf)


def _sign_pdf(pdf: bytes) -> bytes:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    metadata = signers.PdfSignatureMetadata(
        field_name=SIGNATURE_FIELD,
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=_("Registration certificate issued by the ministry"),
        location="Jakarta",
    )
    out = signers.PdfSigner(metadata, signer=load_signer()).sign_pdf(writer)
    return out.getvalue()


@dataclass(frozen=True)
class SignatureCheck:
    signed_here: bool  # its signature names the project's signing certificate as signer
    valid: bool  # ... and is intact, valid, trusted and covers the whole file


def check_signature(pdf: bytes) -> SignatureCheck:
    """Look at the PDF's signature. `signed_here` without `valid`: the portal signed it and
    it was changed afterwards (bytes edited, or a revision appended by an editor)."""
    return _outside_event_loop(_check_signature, pdf)


def _check_signature(pdf: bytes) -> SignatureCheck:
    from pyhanko.keys import load_cert_from_pemder
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel
    from pyhanko_certvalidator import ValidationContext

    _key, cert_path = key_paths()
    trust_root = load_cert_from_pemder(str(cert_path))
    try:
        reader = PdfFileReader(io.BytesIO(pdf), strict=False)
        signatures = reader.embedded_signatures
        if len(signatures) != 1:
            return SignatureCheck(signed_here=False, valid=False)
        signed_here = signatures[0].signer_cert.dump() == trust_root.dump()
    except Exception:  # noqa: BLE001 - an uploaded file can break the parser in any way
        return SignatureCheck(signed_here=False, valid=False)
    try:
        status = validate_pdf_signature(
            signatures[0], ValidationContext(trust_roots=[trust_root], allow_fetching=False)
        )
    except Exception:  # noqa: BLE001
        return SignatureCheck(signed_here=signed_here, valid=False)
    valid = bool(
        status.intact
        and status.valid
        and status.trusted
        and status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    )
    return SignatureCheck(signed_here=signed_here, valid=valid and signed_here)


def signature_is_valid(pdf: bytes) -> bool:
    """True when `pdf` carries a signature by the project's signing certificate that is
    intact, valid, trusted and covers the whole file (nothing appended afterwards)."""
    return check_signature(pdf).valid


MINISTRY_LEGAL_NAME = "Kementerian Komunikasi dan Digital Republik Indonesia"


def signing_subject(who: Signatory):
    """The subject a signing certificate carries for `who`: name (CN), title, NIP
    (serialNumber), the ministry (O), Indonesia (C)."""
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "ID"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, MINISTRY_LEGAL_NAME),
            x509.NameAttribute(NameOID.TITLE, who.title),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, who.nip),
            x509.NameAttribute(NameOID.COMMON_NAME, who.name),
        ]
    )


def signatory_mismatch() -> str:
    """Why the signing certificate does not name the configured signatory ("" when it does,
    or when there is no certificate yet): its CN must be the name and its serialNumber the
    NIP printed under the signature block."""
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    _key, cert_path = key_paths()
    if not cert_path.is_file():
        return ""
    subject = x509.load_pem_x509_certificate(cert_path.read_bytes()).subject
    who = signatory()
    found = {
        "CN": [a.value for a in subject.get_attributes_for_oid(NameOID.COMMON_NAME)],
        "serialNumber": [a.value for a in subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)],
    }
    wanted = {"CN": who.name, "serialNumber": who.nip}
    wrong = [f"{k}={found[k]} (expected {v!r})" for k, v in wanted.items() if found[k] != [v]]
    if not wrong:
        return ""
    return f"The signing certificate {cert_path} does not name the signatory: " + "; ".join(wrong)


def make_self_signed(key_path: Path, cert_path: Path, *, who: Signatory | None = None):
    """Write a new RSA key and a self-signed certificate (PEM) for development and tests,
    naming `who` (default: the configured signatory) in its subject."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = signing_subject(who or signatory())
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=365 * 10))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,  # non-repudiation, which pyHanko asks of signers
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_path.parent.mkdir(parents=True, exist_ok=True)
    cert_path.parent.mkdir(parents=True, exist_ok=True)
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_path.chmod(0o600)
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
