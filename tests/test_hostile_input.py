"""No input answers 500: hostile values posted to every form of the portal.

Each form case names who posts, where, a valid base submission, the text fields that must
refuse what is too long or carries a NUL byte, and the other fields that only must not crash.
A refusal is a page (200/400, or a redirect to one) carrying an error message.
"""

from dataclasses import dataclass, field
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from certificates.constants import CertificateState
from inspections.constants import requirements_for
from registrasi.accounts import disputes
from registrasi.accounts import services as account_services
from registrasi.accounts.models import Organization, User
from tests.applications.billing_helpers import new_ntpn
from tests.applications.factories import PDF_BYTES, ApplicationFactory, current_versions
from tests.applications.office_payments import issue_codes, office_payment_url
from tests.built_once import built_once
from tests.certificates.factories import make_certificate
from tests.factories import PASSWORD, StaffFactory, make_applicant
from tests.inspections.factories import make_inspection

NUL = "Jalan\x00Sudirman"
TOO_LONG = "A" * 20_000
MEGABYTE = "x" * 1_000_000
HIDDEN = {
    "control": "PT\x07 Layanan\x1b[31m",
    "bidi_override": "PT Layanan\u202e amirP",
    "zero_width": "PT\u200b Layanan\u200d Prima",
    "line_separator": "PT Layanan\u2028Prima",
}
NIB_DIGITS = "9120001234567"
# The same NIB in other scripts' digits: str.isdigit() and regex \d accept them all.
OTHER_DIGITS = {
    "arabic_indic": "".join(chr(0x0660 + int(d)) for d in NIB_DIGITS),
    "devanagari": "".join(chr(0x0966 + int(d)) for d in NIB_DIGITS),
    "fullwidth": "".join(chr(0xFF10 + int(d)) for d in NIB_DIGITS),
}
ERROR_MARKERS = ('class="msg error"', "errorlist", 'role="alert"')


@dataclass
class Case:
    user: object  # None for an anonymous visitor
    url: str
    data: dict
    text: tuple  # fields that must refuse too long, NUL and 1 MB values
    names: tuple = ()  # names and identifiers: must also refuse hidden characters
    digits: tuple = ()  # NIB and phone numbers: must refuse other scripts' digits
    other: tuple = ()  # choices, dates, numbers, booleans: must only not crash
    method: str = "post"
    extra: dict = field(default_factory=dict)


def _signup_data():
    return {
        "email": "new.person@example.co.id",
        "full_name": "Dewi Lestari",
        "language": "id",
        "password1": "a-Long-enough-pass-2026",
        "password2": "a-Long-enough-pass-2026",
        "legal_name": "PT Suara Nusantara",
        "legal_form": "pt",
        "nib": "9120001234567",
        "address": "Jl. Gatot Subroto 12, Jakarta",
        "province": "dki_jakarta",
        "contact_email": "halo@suara.co.id",
        "contact_phone": "+62 21 555 1234",
        "privacy_accepted": "on",
    }


def _cases():  # one list of every form, read top to bottom
    org = Organization.objects.create(
        legal_name="PT Uji Coba",
        legal_form="pt",
        nib="9120009999999",
        address="Jl. Thamrin 1",
        province="dki_jakarta",
        contact_email="kontak@uji.co.id",
        contact_phone="+62 21 555 0000",
    )
    owner = make_applicant(org, owner=True)
    draft = ApplicationFactory(created_by=owner)
    staff = StaffFactory()
    under_review = ApplicationFactory(created_by=owner, under_review=True, staff=staff)
    version = current_versions(under_review)[0]
    issue_codes(under_review.invoice)
    inspection = make_inspection("in_progress", staff=staff)
    failed = make_inspection("failed", staff=staff)
    scheduled = make_inspection(staff=staff)
    awaiting = ApplicationFactory(
        created_by=owner, awaiting_inspection=True, paid=True, staff=staff
    )
    certificate = make_certificate(CertificateState.ACTIVE, staff=staff)
    suspended = make_certificate(CertificateState.SUSPENDED, staff=staff)
    _invitation, token = account_services.invitation_create(
        actor=owner, organization=org, email="invited@example.co.id", role="member"
    )
    requirement = requirements_for(inspection.application.kind)[0]
    failed_owner = failed.application.organization.memberships.first().user
    window = {"date": "2030-01-15", "start_time": "09:00", "end_time": "12:00"}
    reason = {"reason": "The deed of establishment is missing its last page."}
    cases = {
        "signup": Case(
            None,
            reverse("accounts:signup"),
            _signup_data(),
            text=("full_name", "legal_name", "address", "email", "contact_email"),
            names=("full_name", "legal_name"),
            digits=("nib", "contact_phone"),
            other=("language", "legal_form", "province", "password1", "password2"),
        ),
        "login": Case(
            None,
            reverse("accounts:login"),
            {"username": owner.email, "password": "wrong"},
            text=("username",),
            other=("password",),
        ),
        "password_reset": Case(
            None, reverse("accounts:password_reset"), {"email": owner.email}, text=("email",)
        ),
        "profile": Case(
            owner,
            reverse("accounts:profile"),
            {"full_name": "Budi Santoso", "language": "en"},
            text=("full_name",),
            names=("full_name",),
            other=("language",),
        ),
        "organization": Case(
            owner,
            reverse("accounts:organization"),
            {
                "contact_email": "kontak@uji.co.id",
                "contact_phone": "+62 21 555 0000",
                "address": "Jl. Thamrin 2",
            },
            text=("contact_email", "address"),
            digits=("contact_phone",),
        ),
        "invite": Case(
            owner,
            reverse("accounts:invite"),
            {"email": "someone@example.co.id", "role": "member"},
            text=("email",),
            other=("role",),
        ),
        "password_change": Case(
            owner,
            reverse("accounts:password_change"),
            {"old_password": PASSWORD, "new_password1": "x", "new_password2": "y"},
            text=(),
            other=("old_password", "new_password1", "new_password2"),
        ),
        "company_step": Case(
            owner,
            reverse("applications:step", args=[draft.pk, "company"]),
            {
                "company_legal_name": "PT Uji Coba",
                "company_address": "Jl. Thamrin 1",
                "company_province": "dki_jakarta",
            },
            text=("company_legal_name", "company_address"),
            names=("company_legal_name",),
            other=("company_province",),
        ),
        "operation_step": Case(
            owner,
            reverse("applications:step", args=[draft.pk, "operation"]),
            {
                "agent_seats": "30",
                "direction": "inbound",
                "sourcing": "in_house",
                "sites-TOTAL_FORMS": "1",
                "sites-INITIAL_FORMS": "0",
                "sites-MIN_NUM_FORMS": "0",
                "sites-MAX_NUM_FORMS": "50",
                "sites-0-address": "Jl. Thamrin 1",
                "sites-0-province": "dki_jakarta",
                "sites-0-agent_seats": "30",
            },
            text=("sites-0-address",),
            other=(
                "agent_seats",
                "direction",
                "sourcing",
                "sites-0-agent_seats",
                "sites-0-province",
                "sites-TOTAL_FORMS",
            ),
        ),
        "withdraw": Case(
            owner, reverse("applications:withdraw", args=[draft.pk]), {"reason": ""}, text=()
        ),
        "return": Case(
            staff, reverse("applications:return", args=[under_review.pk]), reason, text=("reason",)
        ),
        "reject": Case(
            staff, reverse("applications:reject", args=[under_review.pk]), reason, text=("reason",)
        ),
        "review_document": Case(
            staff,
            reverse("applications:review_document", args=[under_review.pk, version.pk]),
            {"decision": "reject", "reason": "Unreadable scan."},
            text=("reason",),
            other=("decision",),
        ),
        "office_payment": Case(  # the one way staff record a payment by hand: with an NTPN
            staff,
            office_payment_url(under_review.invoice),
            {
                "ntpn": new_ntpn(),
                "ntb": "998877",
                "channel": "teller",
                "paid_at": "2026-01-05T10:00",
                "receipt_scan": lambda: SimpleUploadedFile(
                    "receipt.pdf", PDF_BYTES, content_type="application/pdf"
                ),
            },
            text=("ntpn", "ntb"),
            other=("channel", "paid_at", "receipt_scan"),
        ),
        "queue": Case(
            staff,
            reverse("applications:staff_queue"),
            {"state": "", "kind": "", "province": "", "min_age_days": "", "max_age_days": ""},
            text=(),
            other=("state", "kind", "province", "min_age_days", "max_age_days"),
            method="get",
        ),
        "schedule": Case(
            staff,
            reverse("inspections:create", args=[awaiting.pk]),
            {
                **window,
                "inspector": str(inspection.inspector_id),
                "contact_name": "Ibu Sari",
                "contact_phone": "0812 3456 7890",
            },
            text=("contact_name", "contact_phone"),
            names=("contact_name",),
            digits=("contact_phone",),
            other=("inspector", "date", "start_time", "end_time"),
        ),
        "reschedule": Case(
            staff,
            reverse("inspections:reschedule", args=[scheduled.pk]),
            {**window, "inspector": str(scheduled.inspector_id), "reason": "Holiday"},
            text=("reason",),
            other=("inspector", "date", "start_time", "end_time"),
        ),
        "cancel": Case(
            staff,
            reverse("inspections:cancel", args=[scheduled.pk]),
            {"reason": "The company closed.", "confirm": ""},
            text=("reason",),
            other=("confirm",),
        ),
        "findings": Case(
            inspection.inspector,
            reverse("inspections:findings", args=[inspection.pk]),
            {
                f"result-{requirement}": "compliant",
                f"note-{requirement}": "Certificate shown at reception.",
                "interview_role": "Team leader",
                "interview_number": "2",
                "interview_notes": "Knows the SOP.",
                "corrective_actions": "None needed.",
            },
            text=(
                f"note-{requirement}",
                "interview_role",
                "interview_notes",
                "corrective_actions",
            ),
            names=("interview_role",),
            other=(f"result-{requirement}", "interview_number"),
        ),
        "evidence_caption": Case(
            inspection.inspector,
            reverse("inspections:evidence", args=[inspection.pk]),
            {"caption": "Reception desk", "requirement": ""},
            text=("caption",),
            other=("requirement",),
        ),
        "resubmit": Case(
            failed_owner,
            reverse("inspections:resubmit", args=[failed.application_id]),
            {"note": "Deed registered.", "confirm": "on"},
            text=("note",),
            other=("confirm",),
        ),
        "calendar": Case(
            staff,
            reverse("inspections:calendar"),
            {"week": "2030-01-14", "inspector": ""},
            text=(),
            other=("week", "inspector"),
            method="get",
        ),
        "verify_number": Case(
            None,
            reverse("certificates:verify_form"),
            {"number": "KOMINFO-CC-2026-000123-38"},
            text=("number",),
            method="get",
        ),
        "registry": Case(
            None,
            reverse("certificates:registry"),
            {"q": "Layanan", "province": "", "state": ""},
            text=(),
            other=("q", "province", "state"),
            method="get",
        ),
        "staff_list": Case(
            staff,
            reverse("certificates:staff_list"),
            {"state": "", "expiring_within_days": "", "province": ""},
            text=(),
            other=("state", "expiring_within_days", "province", "pdf_failed"),
            method="get",
        ),
        "suspend": Case(
            staff,
            reverse("certificates:suspend", args=[certificate.pk]),
            {"starts_on": "2020-01-01", "until": "", **reason},
            text=("reason",),
            other=("starts_on", "until"),
        ),
        "reinstate": Case(
            staff,
            reverse("certificates:reinstate", args=[suspended.pk]),
            reason,
            text=("reason",),
        ),
        "revoke": Case(
            staff,
            reverse("certificates:revoke", args=[certificate.pk]),
            {**reason, "understood": ""},
            text=("reason",),
            other=("understood",),
        ),
        "fine": Case(
            staff,
            reverse("certificates:fine", args=[certificate.pk]),
            {"amount": "Rp 25.000.000", "due_date": "2030-01-01", **reason},
            text=("reason",),
            other=("amount", "due_date"),
        ),
    }
    dispute = _open_dispute(org)
    cases["dispute"] = Case(
        None,
        reverse("accounts:dispute"),
        {
            "nib": org.nib,
            "email": "direksi@pemilik.co.id",
            "full_name": "Rina Wijaya",
            "language": "en",
            "statement": "We own this NIB.",
            "deed": lambda: SimpleUploadedFile("akta.pdf", PDF_BYTES),
            "nib_document": lambda: SimpleUploadedFile("nib.pdf", PDF_BYTES),
        },
        text=("full_name", "statement", "email"),
        names=("full_name",),
        digits=("nib",),
        other=("language",),
    )
    cases["dispute_decision"] = Case(
        staff,
        reverse("accounts:dispute_detail", args=[dispute.pk]),
        {"decision": "reject", "reason": "The deed names another company."},
        text=("reason",),
        other=("decision",),
    )
    cases["accept_invitation"] = Case(
        None,
        reverse("accounts:accept_invitation", args=[token]),
        {"full_name": "Rina", "password1": "x", "password2": "y"},
        text=("full_name",),
        names=("full_name",),
        other=("password1", "password2"),
    )
    return cases


def _open_dispute(organization):
    with mock.patch.object(disputes.secrets, "token_urlsafe", return_value="hostile-test"):
        disputes.dispute_file(
            nib=organization.nib,
            email="claimant@example.co.id",
            full_name="Claimant",
            language="en",
            statement="Ours.",
            deed=SimpleUploadedFile("akta.pdf", PDF_BYTES),
            nib_document=SimpleUploadedFile("nib.pdf", PDF_BYTES),
        )
    return disputes.dispute_confirm(token="hostile-test")


@pytest.fixture(scope="module")
def _built_cases(django_db_setup, django_db_blocker, tmp_path_factory):
    """The forms' rows, built once for the module (tests/built_once.py): each test runs in a
    savepoint rolled back after it, so each still starts from these rows as they were built."""
    yield from built_once(django_db_blocker, tmp_path_factory.mktemp("hostile"), _cases)


@pytest.fixture(autouse=True)
def _private_storage(_built_cases):
    """The module's storage folder (built_once), which holds the rows' files, for every test."""


@pytest.fixture
def cases(db, _built_cases):
    return _built_cases


def _send(client, case, data):
    client.logout()
    if case.user is not None:
        client.force_login(case.user)
    send = client.get if case.method == "get" else client.post
    # Files are made afresh for each request (a file object is read once).
    data = {key: value() if callable(value) else value for key, value in data.items()}
    return send(case.url, data, follow=True)


def _refused(response):
    body = response.content.decode()
    return response.status_code in (200, 400) and any(m in body for m in ERROR_MARKERS)


CASE_NAMES = [
    "signup",
    "login",
    "password_reset",
    "profile",
    "organization",
    "invite",
    "password_change",
    "company_step",
    "operation_step",
    "withdraw",
    "return",
    "reject",
    "review_document",
    "office_payment",
    "queue",
    "schedule",
    "reschedule",
    "cancel",
    "findings",
    "evidence_caption",
    "resubmit",
    "calendar",
    "verify_number",
    "registry",
    "staff_list",
    "suspend",
    "reinstate",
    "revoke",
    "fine",
    "dispute",
    "dispute_decision",
]


@pytest.mark.parametrize("name", CASE_NAMES)
def test_it_refuses_too_long_nul_and_megabyte_text_with_a_message(client, cases, name):
    case = cases[name]
    for field_name in case.text:
        for label, value in (("too long", TOO_LONG), ("NUL", NUL), ("1 MB", MEGABYTE)):
            response = _send(client, case, {**case.data, field_name: value})
            assert response.status_code < 500, (name, field_name, label)
            if case.method == "post":
                assert _refused(response), (name, field_name, label)


@pytest.mark.parametrize("name", CASE_NAMES)
def test_it_refuses_hidden_characters_in_names_with_a_message(client, cases, name):
    case = cases[name]
    for field_name in case.names:
        for label, value in HIDDEN.items():
            response = _send(client, case, {**case.data, field_name: value})
            assert _refused(response), (name, field_name, label)


@pytest.mark.parametrize("name", CASE_NAMES)
def test_it_refuses_other_scripts_digits_in_nib_and_phone(client, cases, name):
    case = cases[name]
    for field_name in case.digits:
        for label, value in OTHER_DIGITS.items():
            response = _send(client, case, {**case.data, field_name: value})
            assert _refused(response), (name, field_name, label)


def _fields(case):
    """Every field of the case once (a name is a text field too)."""
    return tuple(dict.fromkeys((*case.text, *case.names, *case.digits, *case.other)))


def _sent_by_the_refusal_tests(case, field_name, value):
    """The three tests above send this value in this field and assert more than "no 500"."""
    return (
        (field_name in case.text and value in (TOO_LONG, NUL, MEGABYTE))
        or (field_name in case.names and value in HIDDEN.values())
        or (field_name in case.digits and value in OTHER_DIGITS.values())
    )


@pytest.mark.parametrize("name", CASE_NAMES)
def test_no_field_answers_500_to_hostile_values(client, cases, name):
    """Every hostile value in every field; the requests the refusal tests above already make
    (and check for a refusal, which is not a 500) are not made a second time."""
    case = cases[name]
    values = [TOO_LONG, NUL, MEGABYTE, *HIDDEN.values(), *OTHER_DIGITS.values(), "9" * 40, "-1"]
    for field_name in _fields(case):
        for value in values:
            if _sent_by_the_refusal_tests(case, field_name, value):
                continue
            response = _send(client, case, {**case.data, field_name: value})
            assert response.status_code < 500, (name, field_name, value[:20])


def test_accept_invitation_refuses_hostile_names(client, cases):
    case = cases["accept_invitation"]
    for value in (TOO_LONG, NUL, *HIDDEN.values()):
        response = _send(client, case, {**case.data, "full_name": value})
        assert response.status_code < 500
        assert _refused(response)


def test_nothing_is_written_when_a_refused_value_is_posted(client, cases):
    before = (User.objects.count(), Organization.objects.count())
    data = {**_signup_data(), "legal_name": "PT Layanan\u202e amirP"}
    response = _send(client, cases["signup"], data)
    assert _refused(response)
    data = {**_signup_data(), "nib": OTHER_DIGITS["arabic_indic"]}
    assert _refused(_send(client, cases["signup"], data))
    assert (User.objects.count(), Organization.objects.count()) == before


hostile_text = st.one_of(
    st.text(min_size=0, max_size=300),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=0, max_size=50).map(
        lambda s: s + "\x00"
    ),
    st.sampled_from([TOO_LONG, MEGABYTE, *HIDDEN.values(), *OTHER_DIGITS.values()]),
    st.integers().map(str),
)


@pytest.mark.parametrize("name", CASE_NAMES)
@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(value=hostile_text)
def test_random_hostile_values_never_answer_500(client, cases, name, value):
    case = cases[name]
    for field_name in _fields(case):
        response = _send(client, case, {**case.data, field_name: value})
        assert response.status_code < 500, (name, field_name, repr(value[:40]))


def test_an_evidence_upload_with_a_hostile_caption_stores_nothing(client, cases):
    from inspections.models import EvidencePhoto
    from tests.applications.factories import png_upload

    case = cases["evidence_caption"]
    client.force_login(case.user)
    for value in (TOO_LONG, NUL):
        response = client.post(
            case.url, {"photo": png_upload(), "caption": value, "requirement": ""}, follow=True
        )
        assert _refused(response)
    assert not EvidencePhoto.objects.exists()
