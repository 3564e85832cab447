"""One date and money style per language, used by pages, emails and PDFs alike (issue 15,
point 12). Templates write no date pattern of their own: they use the `dates` filters
(registrasi/formats/filters.py), whose formats are defined once per language in
registrasi/formats/{id,en}/formats.py; Python code uses registrasi.formats.display; amounts go
through `rupiah`. The same date, moment, time window and amount then read the same on a page,
in an email and in a PDF, in Indonesian and in English."""

import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation
from pypdf import PdfReader

from applications.notifications import render_email as application_email
from certificates.constants import EXPIRY_REMINDER
from certificates.notifications import render_email as certificate_email
from certificates.signing import TEMPLATE as CERTIFICATE_TEMPLATE
from certificates.signing import certificate_context
from inspections.constants import InspectionState
from inspections.notifications import render_email as inspection_email
from inspections.selectors import report_context
from registrasi.audit.models import AuditEvent
from registrasi.formats.display import format_day, format_moment, format_window
from registrasi.money import format_rupiah
from registrasi.pdf import render_pdf
from tests.applications.billing_helpers import submitted_with_code
from tests.certificates.factories import make_certificate
from tests.inspections.factories import make_inspection

BASE = Path(settings.BASE_DIR)
TEMPLATES = BASE / "templates"
LANGUAGES = ["id", "en"]

# What a template may still write itself: machine-readable values (ISO 8601, Unix time) in an
# HTML attribute (a link's query string, a form value, <time datetime>), and the year.
MACHINE_FORMATS = {"c", "Y-m-d", "U", "Y-m-d\\TH:i", "Y-m-d H:i:s"}
NOW_FORMATS = {"Y", "DATE_FORMAT"}
DATE_FILTER = re.compile(r"""\|(date|time)(?::(["'])(.*?)\2)?(?![\w])""")
NOW_TAG = re.compile(r"""\{%\s*now\s+(["'])(.*?)\1""")


def template_files():
    return sorted(p for p in TEMPLATES.rglob("*") if p.suffix in {".html", ".txt", ".xml"})


def inside_attribute(line: str, at: int) -> bool:
    """Whether position `at` of an HTML line lies inside a double-quoted attribute value."""
    before = re.sub(r"\{[{%].*?[}%]\}", "", line[:at])  # template tags' own quotes don't count
    return before.count('"') % 2 == 1 and re.search(r'\w="[^"]*$', before) is not None


def hand_written_dates(path: Path) -> list[str]:
    problems = []
    for number, line in enumerate(path.read_text().splitlines(), 1):
        for match in DATE_FILTER.finditer(line):
            fmt = match.group(3)
            machine = fmt in MACHINE_FORMATS and path.suffix == ".html"
            if not (machine and inside_attribute(line, match.start())):
                problems.append(f"{path.relative_to(BASE)}:{number}: {match.group(0)}")
        for match in NOW_TAG.finditer(line):
            if match.group(2) not in NOW_FORMATS:
                problems.append(f"{path.relative_to(BASE)}:{number}: {match.group(0)}")
        if re.search(r"\bWIB\b", line) and "translate" not in line:
            problems.append(f'{path.relative_to(BASE)}:{number}: "WIB" by hand')
    return problems


def test_no_template_writes_a_date_pattern_of_its_own():
    problems = [problem for path in template_files() for problem in hand_written_dates(path)]
    assert problems == [], "use |day, |weekday, |moment, |clock, |window or |hours:\n" + (
        "\n".join(problems)
    )


@pytest.mark.parametrize(
    "text",
    [
        '{{ certificate.expires_on|date:"j M Y" }}',
        "{{ event.created_at|date }}",
        '{{ inspection.window_start|time:"H:i" }}',
        '{% now "j F Y" as today %}',
        "{{ code.expires_at|moment }} WIB",
        '<p>{{ day|date:"Y-m-d" }}</p>',
    ],
)
def test_the_scan_finds_a_hand_written_pattern(tmp_path, monkeypatch, text):
    monkeypatch.setattr(f"{__name__}.BASE", tmp_path)
    path = tmp_path / "page.html"
    path.write_text(text + "\n")
    assert hand_written_dates(path)


def test_the_scan_leaves_machine_readable_attributes_alone(tmp_path, monkeypatch):
    monkeypatch.setattr(f"{__name__}.BASE", tmp_path)
    path = tmp_path / "page.html"
    path.write_text(
        '<a href="?week={{ week.next_week|date:\'Y-m-d\' }}">{% translate "Next" %}</a>'
        '<time datetime="{{ m|date:"c" }}">{{ m|moment }}</time> © {% now "Y" %}\n'
    )
    assert hand_written_dates(path) == []


# Python code: no pattern of its own either ----------------------------------------------------

PYTHON_DIRS = ("applications", "inspections", "certificates", "registrasi")
PATTERN_IN_PYTHON = re.compile(
    r"""date_format\([^)]*,\s*["'](?![A-Z_]+_FORMAT["'])"""  # date_format(d, "j F Y")
    r"""|format_date\([^)]*,\s*["']"""  # django's |date filter called from Python
    r"""|%\s*\{[^}]*\.isoformat\(\)"""  # an ISO date put into a (translated) message
)


def test_no_python_module_formats_a_date_for_people_by_hand():
    problems = []
    for folder in PYTHON_DIRS:
        for path in sorted((BASE / folder).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            for number, line in enumerate(path.read_text().splitlines(), 1):
                if PATTERN_IN_PYTHON.search(line):
                    problems.append(f"{path.relative_to(BASE)}:{number}: {line.strip()}")
    assert problems == [], "use registrasi.formats.display:\n" + "\n".join(problems)


# Money: every amount a template prints goes through rupiah --------------------------------------

# Amounts the templates read from models or fee objects (raw numbers). Email contexts hand
# over `amount`, `invoice_amount`, `payment_amount` already written by format_rupiah.
MONEY = re.compile(
    r"""(?<![\w.])((?:\w+\.)+amount|\w+\.(?:fines_total|new_total|invoiced|total|difference)"""
    r"""|fee_change\.paid)\b((?:\|\w+(?::(?:"[^"]*"|'[^']*'|[\w.]+))?)*)"""
)
MONEY_OUTPUT = re.compile(r"\{\{(.*?)\}\}|\bwith\b(.*?)%\}")
NOT_MONEY = {"summary.total"}  # a count of documents


def amounts_not_in_rupiah(path: Path) -> list[str]:
    problems = []
    for number, line in enumerate(path.read_text().splitlines(), 1):
        for output in MONEY_OUTPUT.finditer(line):
            for match in MONEY.finditer(output.group(1) or output.group(2) or ""):
                if match.group(1) in NOT_MONEY or match.group(2).startswith("|rupiah"):
                    continue
                if inside_attribute(line, output.start()):  # a form value, not for reading
                    continue
                problems.append(f"{path.relative_to(BASE)}:{number}: {match.group(0)}")
    return problems


def test_every_amount_a_template_prints_goes_through_rupiah():
    problems = [problem for path in template_files() for problem in amounts_not_in_rupiah(path)]
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize(
    "text",
    [
        "<dd>{{ invoice.amount }}</dd>",
        "{% blocktranslate with total=in_force.fines_total %}{{ total }}{% endblocktranslate %}",
        "<td>{{ fee_change.difference|floatformat:0 }}</td>",
    ],
)
def test_the_money_scan_finds_an_amount_printed_raw(tmp_path, monkeypatch, text):
    monkeypatch.setattr(f"{__name__}.BASE", tmp_path)
    path = tmp_path / "page.html"
    path.write_text(text + "\n")
    assert amounts_not_in_rupiah(path)


def test_rupiah_is_one_style_in_both_languages():
    for language in LANGUAGES:
        with translation.override(language):
            html = Template("{% load money %}{{ a|rupiah }}").render(Context({"a": 1500000}))
        assert html == format_rupiah(1500000) == "Rp 1.500.000"


# The same value on a page, in an email and in a PDF ---------------------------------------------


def reading(client, user, language):
    user.language = language
    user.save(update_fields=["language"])
    client.cookies["django_language"] = language
    client.force_login(user)
    return client


def page_text(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def pdf_text(template, context, language) -> str:
    with translation.override(language):
        rendered = render_pdf(template, context)
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(rendered.pdf)).pages)
    return " ".join(text.split())


def email_text(body: str) -> str:
    return " ".join(body.split())


def event(obj, action):
    found = AuditEvent.objects.for_object(obj).filter(action=action).order_by("-pk").first()
    assert found is not None, (obj, action)
    return found


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_inspection_window_reads_alike_on_the_page_in_the_email_and_in_the_report(
    client, db, language
):
    inspection = make_inspection(InspectionState.PASSED)
    with translation.override(language):
        expected = format_window(inspection.window_start, inspection.window_end)
    assert ("Desember" in expected or "November" in expected or "–" in expected) and "WIB" in (
        expected
    )

    inspector = inspection.inspector
    page = page_text(
        reading(client, inspector, language), reverse("inspections:detail", args=[inspection.pk])
    )
    _subject, body = inspection_email(event(inspection, "schedule"), inspection, inspector)
    pdf = pdf_text("inspections/pdf/report.html", report_context(inspection), language)

    assert expected in page
    assert expected in email_text(body)
    assert expected in pdf
    with translation.override(language):
        submitted = format_moment(inspection.submitted_at)
    assert submitted in page and submitted in pdf


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_certificate_date_reads_alike_on_the_page_in_the_email_and_in_the_pdf(
    client, applicant, organization, language
):
    certificate = make_certificate(organization=organization)
    with translation.override(language):
        expected = format_day(certificate.expires_on)

    page = page_text(
        reading(client, applicant, language),
        reverse("certificates:detail", args=[certificate.pk]),
    )
    reminder = AuditEvent(action=EXPIRY_REMINDER, data={"milestone": 30})
    _subject, body = certificate_email(reminder, certificate, None, applicant)
    pdf = pdf_text(CERTIFICATE_TEMPLATE, certificate_context(certificate), language)

    assert expected in page
    assert expected in email_text(body)
    assert expected in pdf


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_invoice_reads_alike_on_the_page_in_the_email_and_on_the_billing_slip(
    client, applicant, django_capture_on_commit_callbacks, language
):
    from applications.billing.documents import slip_context

    application, code = submitted_with_code(applicant, django_capture_on_commit_callbacks)
    invoice = application.invoice
    amount = format_rupiah(invoice.amount)
    with translation.override(language):
        due, pay_before = format_day(invoice.due_date), format_moment(code.expires_at)

    page = page_text(
        reading(client, applicant, language),
        reverse("applications:detail", args=[application.pk]),
    )
    applicant.refresh_from_db()
    _subject, body = application_email(event(application, "submit"), application, applicant)
    slip = pdf_text("applications/billing/slip_pdf.html", slip_context(code), language)

    assert amount in page and amount in email_text(body) and amount in slip
    assert due in page and due in email_text(body)
    assert pay_before in page and pay_before in slip
