import dataclasses
import datetime
import io

import pytest
import time_machine

from certificates import services
from certificates.constants import CertificateState, VerificationStatus
from certificates.numbers import make_number
from certificates.verification import verify_number, verify_pdf
from tests.certificates.factories import make_certificate

pytestmark = pytest.mark.django_db
S = CertificateState
V = VerificationStatus
ISSUED = datetime.datetime(2026, 4, 1, 3, 0, tzinfo=datetime.UTC)
REASON = "Consent was not recorded."


@pytest.fixture
def certificate(organization, applicant, staff_user):
    with time_machine.travel(ISSUED):
        return make_certificate(organization=organization, quick=True, staff=staff_user)


def test_an_active_certificate_is_valid_and_shows_the_company_only(certificate, applicant):
    result = verify_number(certificate.number)
    assert result.status == V.VALID and result.is_valid and result.found
    assert result.certificate == certificate
    assert result.legal_name == certificate.legal_name
    assert result.province == certificate.get_province_display()
    assert (result.issued_on, result.expires_on) == (
        datetime.date(2026, 4, 1),
        datetime.date(2031, 3, 31),
    )
    assert result.since is None
    # Nothing about people: the result carries no email, name or phone of anyone.
    assert {f.name for f in dataclasses.fields(result)} == {
        "status",
        "number",
        "certificate",
        "since",
        "replacement",
        "chain",  # the certificates checked on the way: the same public fields each
    }
    assert [step.certificate for step in result.chain] == [certificate]
    flat = repr(result) + result.legal_name + result.province
    assert applicant.email not in flat and applicant.full_name not in flat


@pytest.mark.parametrize(
    "typed",
    [
        lambda n: n.lower(),
        lambda n: n.replace("-", " "),
        lambda n: n.replace("-", ""),
        lambda n: n.replace("KOMINFO-CC-", ""),
    ],
)
def test_it_finds_a_number_typed_in_any_shape(certificate, typed):
    result = verify_number(typed(certificate.number))
    assert result.status == V.VALID
    assert result.number == certificate.number


def test_a_suspended_certificate_says_since_when(certificate, staff_user):
    with time_machine.travel(datetime.datetime(2026, 5, 4, 5, 0, tzinfo=datetime.UTC)):
        services.certificate_suspend(certificate=certificate, actor=staff_user, reason=REASON)
    result = verify_number(certificate.number)
    assert (result.status, result.since) == (V.SUSPENDED, datetime.date(2026, 5, 4))
    assert not result.is_valid


def test_a_revoked_certificate_says_since_when(certificate, staff_user):
    with time_machine.travel(datetime.datetime(2026, 8, 17, 5, 0, tzinfo=datetime.UTC)):
        services.certificate_revoke(certificate=certificate, actor=staff_user, reason=REASON)
    result = verify_number(certificate.number)
    assert (result.status, result.since) == (V.REVOKED, datetime.date(2026, 8, 17))


def test_a_certificate_past_its_last_day_reads_expired_at_once(certificate):
    with time_machine.travel(datetime.datetime(2031, 3, 31, 16, 0, tzinfo=datetime.UTC)):
        # 23:00 on 31 March 2031 in Jakarta: the last valid day.
        assert verify_number(certificate.number).status == V.VALID
    with time_machine.travel(datetime.datetime(2031, 3, 31, 17, 30, tzinfo=datetime.UTC)):
        # 00:30 on 1 April in Jakarta, before any daily scan ran.
        result = verify_number(certificate.number)
    assert (result.status, result.since) == (V.EXPIRED, datetime.date(2031, 4, 1))


def test_the_daily_scan_expires_certificates_past_their_last_day(certificate):
    assert services.certificates_expire(on=datetime.date(2031, 3, 31)) == 0
    assert services.certificates_expire(on=datetime.date(2031, 4, 1)) == 1
    certificate.refresh_from_db()
    assert certificate.state == S.EXPIRED
    result = verify_number(certificate.number)
    assert (result.status, result.since) == (V.EXPIRED, datetime.date(2031, 4, 1))


def test_a_superseded_certificate_names_its_replacement(staff_user):
    old = make_certificate(S.SUPERSEDED, quick=True, staff=staff_user)
    result = verify_number(old.number)
    assert result.status == V.SUPERSEDED
    assert result.replacement == old.superseded_by.get()
    assert result.since is not None
    assert verify_number(result.replacement.number).status == V.VALID


def test_a_well_formed_number_never_issued_is_unknown(certificate):
    result = verify_number(make_number(2026, 999_999))
    assert (result.status, result.certificate) == (V.UNKNOWN, None)


def test_a_number_with_a_wrong_digit_is_mistyped_not_unknown(certificate):
    digits = certificate.number.split("-")
    serial = digits[3]
    typo = "-".join([*digits[:3], serial[:-1] + str((int(serial[-1]) + 1) % 10), digits[4]])
    result = verify_number(typo)
    assert (result.status, result.certificate) == (V.MISTYPED, None)
    assert result.number == typo


@pytest.mark.parametrize("typed", ["", "   ", "hello", "KOMINFO-CC-2026", "'; DROP TABLE x;--"])
def test_what_is_not_a_number_at_all_is_mistyped(typed):
    result = verify_number(typed)
    assert result.status == V.MISTYPED and result.certificate is None


# PDF files -------------------------------------------------------------------------------
@pytest.fixture
def issued(organization, applicant, staff_user):
    with time_machine.travel(ISSUED):
        certificate = make_certificate(
            organization=organization, quick=True, staff=staff_user, with_pdf=True
        )
    return certificate, certificate.pdf.read()


def test_a_pdf_issued_here_is_recognised_unaltered_with_its_status(issued, staff_user):
    certificate, data = issued
    check = verify_pdf(data)
    assert check.is_pdf and check.issued_here and check.signature_valid and check.unaltered
    assert check.signed_here and not check.altered
    assert check.certificate == certificate
    assert check.status == V.VALID
    services.certificate_suspend(certificate=certificate, actor=staff_user, reason=REASON)
    assert verify_pdf(data).status == V.SUSPENDED  # the status today, not when printed


def signed_ranges(data):
    """The signature's /ByteRange: (start, length) of the two signed stretches."""
    import re

    a, b, c, d = map(int, re.search(rb"/ByteRange \[(\d+) (\d+) (\d+) (\d+)\]", data).groups())
    return (a, b), (c, d)


def change_byte(data, position):
    altered = bytearray(data)
    altered[position] = (altered[position] + 1) % 256
    return bytes(altered)


@pytest.mark.parametrize("where", [0.1, 0.5, 0.9])
def test_a_pdf_with_one_signed_byte_changed_is_not_passed_as_unaltered(issued, where):
    _certificate, data = issued
    (start, length), _second = signed_ranges(data)
    check = verify_pdf(change_byte(data, start + int(length * where)))
    assert check.is_pdf
    assert not check.issued_here and not check.unaltered and not check.signature_valid
    assert check.certificate is None and check.status is None


def test_a_pdf_with_a_byte_changed_in_the_signature_padding_is_not_unaltered(issued):
    """The zeros reserved after the signature are not signed; the file's hash still differs,
    so it is not the file that was issued."""
    _certificate, data = issued
    (start, length), (second, _rest) = signed_ranges(data)
    check = verify_pdf(change_byte(data, second - 3))  # inside <...0000>, before '>'
    assert not check.issued_here and not check.unaltered


def test_a_pdf_with_a_revision_appended_after_signing_is_not_unaltered(issued):
    from pyhanko.pdf_utils.generic import NameObject, TextStringObject
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    _certificate, data = issued
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    # A second revision that changes the document's language: the signed bytes are intact,
    # but the signature no longer covers the whole file.
    writer.root[NameObject("/Lang")] = TextStringObject("en")
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    check = verify_pdf(out.getvalue())
    assert check.is_pdf and not check.issued_here and not check.unaltered
    assert not check.signature_valid
    # Still signed by the portal: reported as altered, not as "from elsewhere".
    assert check.signed_here and check.altered


@pytest.mark.parametrize(
    "data",
    [b"", b"hello", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, b"<html>%PDF-1.7</html>"],
)
def test_a_file_that_is_not_a_pdf_is_said_to_be_so(data):
    check = verify_pdf(data)
    assert not check.is_pdf and not check.issued_here and not check.unaltered


def test_an_unsigned_pdf_is_neither_issued_here_nor_validly_signed(issued):
    from tests.applications.factories import PDF_BYTES

    check = verify_pdf(PDF_BYTES)
    assert check.is_pdf and not check.issued_here and not check.signature_valid
    assert not check.signed_here and not check.altered
